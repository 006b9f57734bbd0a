"""Everything one edition of the report says, read from the warehouse into `model.ReportData`.

Reads only what analysts can read - the marts and the published definitions - plus `ops` for the
freshness banner, so every number in the e-mail can be reproduced with a query on the marts. All
queries run in one read-only repeatable-read transaction (when the connection is idle), so the
sections agree with each other. Values are passed as query parameters, never formatted into SQL.

Where each section comes from (P = the edition's period, see `report.editions`):

- cards: marts.fct_kpi_period rows of P's period type (day / week / month) for P and for each
  comparison period; change_percent = (value now - value then) / |value then| x 100, None when
  either is missing or then is 0. A period the mart has no row for (before the first day with
  data, or after its as-of date) has no value: None, never a made-up 0.
  Units: `currency` money, `count`, `percent` already x100 (ROMI), `rate` a share 0..1 shown as a
  percentage (SQL -> customer, within SLA), `ratio` a multiple (LTV:CAC), `hours`.
- funnel: persons per stage in P (0 where the mart has no row) and the stage-cohort conversion from the previous stage
  (fct_kpi_period: lead_to_mql_rate on the MQL row, mql_to_sql_rate on SQL, sql_to_opportunity_rate
  on opportunity, opportunity_to_customer_rate on customer); `lost` = fct_leakage disqualified or
  lost at that stage with leakage_date in P; `stuck` = fct_leakage stuck rows at that stage dated
  on or before the report day (a stuck row is dated the first day the person counted as stuck,
  computed as of the mart's as-of date).
- channels and campaigns: fct_campaign_performance summed over P, ratios recomputed from the sums
  (the mart's row ratios do not add up). Campaign: cpl = spend / leads (a campaign's leads are all
  paid-attributed), cost_per_mql = spend / mqls, sql_rate = sqls / leads, romi = (revenue - spend)
  / spend x 100. Channel (campaign rows and unattributed persons of the channel together; paid per
  dim_channels): cpl = spend / leads for paid channels (their leads are the paid-attributed ones),
  None for unpaid channels; romi as for campaigns. Ordered by spend, then revenue, then leads.
- daily: fct_ad_spend_daily spend and fct_funnel_daily leads per day of the series window
  (editions.series_window: 30 days / 12 weeks / 13 months ending on P's last day, never before the
  first day with data), every day present (0 when nothing happened).
- sla: mqls = fct_lead_sla MQLs of P whose SLA window has passed (the denominator of
  sla_within_share); within_share and median_hours = the cards' fct_kpi_period values (the same
  numbers the cards show); backlog and oldest_backlog_hours = MQLs untouched and still waiting
  (not qualified, disqualified or lost) at the end of the report day, and the age of the oldest.
- lead_quality: fct_leakage disqualified persons in P by campaign (dim_campaigns name,
  "(no campaign)" when unattributed) and reason, most first.
- cohorts: fct_cohort_conversion summed over channels, the 6 lead months ending with P's last
  month (not before the first month with data); a month without leads shows zeros.
- freshness: per source (the configured ones with their max_lag_days when given, else every
  source in ops.load_batches with 0), from the load ledger: last_loaded_at = the latest finished
  batch, rows_last_load = rows read by each stream's latest batch, loaded_through = the earliest of
  its streams' latest loaded day (None until every stream the connector declares has loaded);
  is_stale when loaded_through is None or more than max_lag_days before the report day.
  quarantined_rows = its open rows in quarantine.rejected_rows.
- quality_warnings: the failed warning-level checks of the latest quality gate run of each stage
  (raw, then marts), as ops.quality_results holds them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal

import psycopg
from psycopg.pq import TransactionStatus

from smarketing.extract import STREAMS
from smarketing.report.editions import EditionPeriods, edition_periods
from smarketing.report.model import (
    CampaignRow,
    ChannelRow,
    CohortRow,
    Comparison,
    DailyPoint,
    EditionName,
    FunnelStage,
    KpiCard,
    LeadQualityRow,
    ReportData,
    Sla,
    SourceFreshness,
    Unit,
)
from smarketing.warehouse.connection import relation_exists

# (kpi in marts.fct_kpi_period, label, unit); the label "{sla}" takes the SLA hours.
CARDS: tuple[tuple[str, str, Unit], ...] = (
    ("spend", "Spend", "currency"),
    ("leads", "Leads", "count"),
    ("mqls", "MQLs", "count"),
    ("sqls", "SQLs", "count"),
    ("customers", "New customers", "count"),
    ("revenue", "Revenue", "currency"),
    ("cpl", "Cost per lead", "currency"),
    ("cost_per_mql", "Cost per MQL", "currency"),
    ("romi_percent", "ROMI", "percent"),
    ("cac", "CAC", "currency"),
    ("ltv_to_cac", "LTV:CAC", "ratio"),
    ("sql_to_customer_rate", "SQL to customer", "rate"),
    ("sla_within_share", "MQLs touched within {sla} h", "rate"),
    ("sla_median_hours", "Median time to first touch", "hours"),
)

# (stage, label, persons KPI, conversion-from-previous-stage KPI)
FUNNEL: tuple[tuple[str, str, str, str | None], ...] = (
    ("lead", "Leads", "leads", None),
    ("mql", "MQLs", "mqls", "lead_to_mql_rate"),
    ("sql", "SQLs", "sqls", "mql_to_sql_rate"),
    ("opportunity", "Opportunities", "opportunities", "sql_to_opportunity_rate"),
    ("customer", "Customers", "customers", "opportunity_to_customer_rate"),
)

NO_CAMPAIGN = "(no campaign)"
COHORT_MONTHS = 6


def assemble(
    conn: psycopg.Connection,
    edition: EditionName,
    report_day: date,
    top_campaigns: int = 10,
    *,
    sources: Mapping[str, int] | None = None,
) -> ReportData:
    """The data of one issue of `edition` for `report_day` (the last complete day, report time zone).

    `sources`: the configured sources and the days each may lag (SourceConfig.max_lag_days) for
    the freshness banner (default: every source ever loaded, no lag).
    """
    if top_campaigns < 1:
        raise ValueError(f"top_campaigns must be at least 1, got {top_campaigns}")
    with _snapshot(conn):
        settings = conn.execute(
            """
            select
                settings.currency,
                settings.version,
                settings.timezone,
                settings.sla_hours,
                settings.typical_sales_cycle_days,
                history.first_day,
                history.as_of_date
            from definitions.settings
            cross join (
                select min(period_start) as first_day, max(as_of_date) as as_of_date
                from marts.fct_kpi_period
                where period_type = 'day'
            ) as history
            """
        ).fetchone()
        if settings is None or settings[0] is None or settings[1] is None:
            raise ValueError("definitions.settings: expected one row with currency and version, found none")
        currency, version, timezone, sla_hours, cycle_days, history_start, as_of_date = settings
        periods = edition_periods(edition, report_day, history_start)

        kpis = _kpi_values(conn, periods)
        cards = _cards(conn, periods, kpis, sla_hours)
        campaign_rows = _campaign_rows(conn, periods)
        campaigns_all = _campaigns(campaign_rows)
        return ReportData(
            edition=edition,
            period=periods.period,
            currency=currency,
            timezone=timezone,
            definitions_version=version,
            cards=cards,
            funnel=_funnel(conn, periods, kpis),
            channels=_channels(campaign_rows),
            campaigns=campaigns_all[:top_campaigns],
            campaigns_all=campaigns_all,
            daily=_daily(conn, periods),
            sla=_sla(conn, periods, kpis, sla_hours, timezone),
            lead_quality=_lead_quality(conn, periods),
            cohorts=_cohorts(conn, periods, history_start, as_of_date, cycle_days),
            freshness=_freshness(conn, report_day, sources),
            quality_warnings=_quality_warnings(conn),
            glossary=query_glossary(conn),
        )


@contextmanager
def _snapshot(conn: psycopg.Connection) -> Iterator[None]:
    """One read-only repeatable-read transaction when the connection is idle (every query sees the
    same state of the marts); inside a caller's transaction, a savepoint in it."""
    fresh = conn.info.transaction_status == TransactionStatus.IDLE
    with conn.transaction():
        if fresh:
            conn.execute("set transaction isolation level repeatable read, read only")
        yield


# (period_start, kpi) -> (value, target_low, target_high, status, is_provisional)
_KpiValues = dict[tuple[date, str], tuple[Decimal | None, Decimal | None, Decimal | None, str, bool]]


def _kpi_values(conn: psycopg.Connection, periods: EditionPeriods) -> _KpiValues:
    starts = [periods.period.first_day, *(c.period.first_day for c in periods.comparisons)]
    rows = conn.execute(
        """
        select period_start, kpi, value, target_low, target_high, status, is_provisional
        from marts.fct_kpi_period
        where period_type = %s and period_start = any(%s)
        """,
        (periods.period_type, starts),
    ).fetchall()
    return {(row[0], row[1]): (row[2], row[3], row[4], row[5], bool(row[6])) for row in rows}


def _cards(
    conn: psycopg.Connection, periods: EditionPeriods, kpis: _KpiValues, sla_hours: Decimal
) -> tuple[KpiCard, ...]:
    # Targets for a period the mart has no row for still come from the published definitions.
    targets = {
        kpi: (low, high)
        for kpi, low, high in conn.execute("select kpi, target_low, target_high from definitions.kpi_targets")
    }
    sla = f"{sla_hours.normalize():f}" if sla_hours is not None else "?"
    cards = []
    for kpi, label, unit in CARDS:
        value, low, high, status, provisional = kpis.get(
            (periods.period.first_day, kpi), (None, *targets.get(kpi, (None, None)), "n/a", False)
        )
        value = _as_unit(value, unit)
        comparisons = []
        for comparison in periods.comparisons:
            then = _as_unit(kpis.get((comparison.period.first_day, kpi), (None,))[0], unit)
            comparisons.append(
                Comparison(
                    label=comparison.label, period=comparison.period, value=then, change_percent=_change(value, then)
                )
            )
        cards.append(
            KpiCard(
                kpi=kpi,
                label=label.format(sla=sla),
                unit=unit,
                value=value,
                comparisons=tuple(comparisons),
                target_low=low,
                target_high=high,
                status=status,  # type: ignore[arg-type]
                is_provisional=provisional,
            )
        )
    return tuple(cards)


def _as_unit(value: Decimal | None, unit: Unit) -> Decimal | None:
    """Counts as whole numbers (the mart stores every KPI as numeric(20, 6))."""
    if value is None or unit != "count":
        return value
    return Decimal(int(value))


def _change(now: Decimal | None, then: Decimal | None) -> Decimal | None:
    if now is None or then is None or then == 0:
        return None
    return (now - then) / abs(then) * 100


def _ratio(numerator: Decimal | int | None, denominator: Decimal | int | None) -> Decimal | None:
    if numerator is None or not denominator:
        return None
    return Decimal(numerator) / Decimal(denominator)


def _funnel(conn: psycopg.Connection, periods: EditionPeriods, kpis: _KpiValues) -> tuple[FunnelStage, ...]:
    period = periods.period
    leaked = conn.execute(
        """
        select
            stage,
            coalesce(sum(persons) filter (
                where leakage_type in ('disqualified', 'lost') and leakage_date between %(first)s and %(last)s
            ), 0)::bigint as lost,
            coalesce(sum(persons) filter (
                where leakage_type = 'stuck' and leakage_date <= %(report_day)s
            ), 0)::bigint as stuck
        from marts.fct_leakage
        group by stage
        """,
        {"first": period.first_day, "last": period.last_day, "report_day": periods.report_day},
    ).fetchall()
    by_stage = {stage: (lost, stuck) for stage, lost, stuck in leaked}
    stages = []
    for stage, label, persons_kpi, rate_kpi in FUNNEL:
        persons = kpis.get((period.first_day, persons_kpi), (None,))[0]
        rate, *_, provisional = kpis.get((period.first_day, rate_kpi), (None, None, None, None, False))
        lost, stuck = by_stage.get(stage, (0, 0))
        stages.append(
            FunnelStage(
                stage=stage,
                label=label,
                persons=int(persons or 0),
                conversion_rate=rate if rate_kpi else None,
                lost=int(lost),
                stuck=int(stuck),
                conversion_is_provisional=bool(rate_kpi and provisional),
            )
        )
    return tuple(stages)


# (campaign_key, campaign_name, channel, is_paid, spend, leads, mqls, sqls, customers, revenue)
_CampaignSums = tuple[str | None, str | None, str, bool, Decimal, int, int, int, int, Decimal]


def _campaign_rows(conn: psycopg.Connection, periods: EditionPeriods) -> list[_CampaignSums]:
    return conn.execute(
        """
        select
            performance.campaign_key,
            max(performance.campaign_name) as campaign_name,
            performance.channel,
            coalesce(channels.is_paid, false) as is_paid,
            coalesce(sum(performance.spend), 0) as spend,
            coalesce(sum(performance.leads), 0)::bigint as leads,
            coalesce(sum(performance.mqls), 0)::bigint as mqls,
            coalesce(sum(performance.sqls), 0)::bigint as sqls,
            coalesce(sum(performance.customers), 0)::bigint as customers,
            coalesce(sum(performance.revenue), 0) as revenue
        from marts.fct_campaign_performance as performance
        left join marts.dim_channels as channels on performance.channel = channels.channel
        where performance.date_day between %s and %s
        group by performance.campaign_key, performance.channel, channels.is_paid
        """,
        (periods.period.first_day, periods.period.last_day),
    ).fetchall()


def _romi(revenue: Decimal, spend: Decimal) -> Decimal | None:
    return _ratio((revenue - spend) * 100, spend)


def _campaigns(rows: list[_CampaignSums]) -> tuple[CampaignRow, ...]:
    campaigns = [
        CampaignRow(
            campaign_name=name or key,
            channel=channel,
            spend=spend,
            leads=leads,
            mqls=mqls,
            sqls=sqls,
            customers=customers,
            revenue=revenue,
            cpl=_ratio(spend, leads),
            cost_per_mql=_ratio(spend, mqls),
            sql_rate=_ratio(sqls, leads),
            romi_percent=_romi(revenue, spend),
        )
        for key, name, channel, _, spend, leads, mqls, sqls, customers, revenue in rows
        if key is not None
    ]
    campaigns.sort(key=lambda c: (-c.spend, -c.revenue, -c.leads, c.campaign_name, c.channel))
    return tuple(campaigns)


def _channels(rows: list[_CampaignSums]) -> tuple[ChannelRow, ...]:
    sums: dict[tuple[str, bool], list] = defaultdict(lambda: [Decimal(0), 0, Decimal(0)])
    for _, _, channel, is_paid, spend, leads, _, _, _, revenue in rows:
        total = sums[channel, is_paid]
        total[0] += spend
        total[1] += leads
        total[2] += revenue
    channels = [
        ChannelRow(
            channel=channel,
            is_paid=is_paid,
            spend=spend,
            leads=leads,
            revenue=revenue,
            cpl=_ratio(spend, leads) if is_paid else None,
            romi_percent=_romi(revenue, spend),
        )
        for (channel, is_paid), (spend, leads, revenue) in sums.items()
    ]
    channels.sort(key=lambda c: (-c.spend, -c.revenue, -c.leads, c.channel))
    return tuple(channels)


def _daily(conn: psycopg.Connection, periods: EditionPeriods) -> tuple[DailyPoint, ...]:
    rows = conn.execute(
        """
        with days as (
            select generate_series(%(first)s::date, %(last)s::date, interval '1 day')::date as date_day
        ),

        spend as (
            select date_day, sum(spend) as spend
            from marts.fct_ad_spend_daily
            where date_day between %(first)s and %(last)s
            group by date_day
        ),

        leads as (
            select date_day, sum(leads) as leads
            from marts.fct_funnel_daily
            where date_day between %(first)s and %(last)s
            group by date_day
        )

        select days.date_day, coalesce(spend.spend, 0), coalesce(leads.leads, 0)::bigint
        from days
        left join spend on days.date_day = spend.date_day
        left join leads on days.date_day = leads.date_day
        order by days.date_day
        """,
        {"first": periods.series_first_day, "last": periods.series_last_day},
    ).fetchall()
    return tuple(DailyPoint(day=day, spend=spend, leads=int(leads)) for day, spend, leads in rows)


def _sla(conn: psycopg.Connection, periods: EditionPeriods, kpis: _KpiValues, sla_hours: Decimal, timezone: str) -> Sla:
    mqls, backlog, oldest = conn.execute(
        """
        with report_day_end as (
            select ((%(report_day)s::date + 1)::timestamp at time zone %(timezone)s) as end_at
        ),

        sla as (
            select
                lead_sla.*,
                report_day_end.end_at,
                lead_sla.mql_at < report_day_end.end_at
                and (lead_sla.first_sales_touch_at is null or lead_sla.first_sales_touch_at >= report_day_end.end_at)
                and (lead_sla.left_mql_stage_at is null or lead_sla.left_mql_stage_at >= report_day_end.end_at)
                    as is_in_backlog_then
            from marts.fct_lead_sla as lead_sla
            cross join report_day_end
        )

        select
            count(*) filter (where mql_date between %(first)s and %(last)s and not is_sla_pending),
            count(*) filter (where is_in_backlog_then),
            round(max(extract(epoch from end_at - mql_at) / 3600) filter (where is_in_backlog_then), 2)
        from sla
        """,
        {
            "report_day": periods.report_day,
            "timezone": timezone,
            "first": periods.period.first_day,
            "last": periods.period.last_day,
        },
    ).fetchone()
    start = periods.period.first_day
    return Sla(
        sla_hours=sla_hours,
        mqls=int(mqls),
        within_share=kpis.get((start, "sla_within_share"), (None,))[0],
        median_hours=kpis.get((start, "sla_median_hours"), (None,))[0],
        backlog=int(backlog),
        oldest_backlog_hours=oldest,
    )


def _lead_quality(conn: psycopg.Connection, periods: EditionPeriods) -> tuple[LeadQualityRow, ...]:
    rows = conn.execute(
        """
        select
            coalesce(campaigns.campaign_name, leakage.campaign_key, %s) as campaign_name,
            leakage.reason,
            sum(leakage.persons)::bigint as persons
        from marts.fct_leakage as leakage
        left join marts.dim_campaigns as campaigns on leakage.campaign_key = campaigns.campaign_key
        where leakage.leakage_type = 'disqualified' and leakage.leakage_date between %s and %s
        group by 1, 2
        order by persons desc, campaign_name, leakage.reason
        """,
        (NO_CAMPAIGN, periods.period.first_day, periods.period.last_day),
    ).fetchall()
    return tuple(LeadQualityRow(campaign_name=name, reason=reason, persons=int(n)) for name, reason, n in rows)


def _month_start(day: date, months_back: int = 0) -> date:
    index = day.year * 12 + day.month - 1 - months_back
    return date(index // 12, index % 12 + 1, 1)


def _cohorts(
    conn: psycopg.Connection,
    periods: EditionPeriods,
    history_start: date | None,
    as_of_date: date | None,
    cycle_days: int,
) -> tuple[CohortRow, ...]:
    if history_start is None:
        return ()
    last_month = _month_start(periods.period.last_day)
    first_month = max(_month_start(last_month, COHORT_MONTHS - 1), _month_start(history_start))
    rows = conn.execute(
        """
        with months as (
            select generate_series(%(first)s::date, %(last)s::date, interval '1 month')::date as cohort_month
        ),

        cohorts as (
            select
                cohort_month,
                sum(leads) as leads,
                sum(mqls) as mqls,
                sum(customers) as customers,
                bool_or(is_provisional) as is_provisional
            from marts.fct_cohort_conversion
            where cohort_month between %(first)s and %(last)s
            group by cohort_month
        )

        select
            months.cohort_month,
            coalesce(cohorts.leads, 0)::bigint,
            coalesce(cohorts.mqls, 0)::bigint,
            coalesce(cohorts.customers, 0)::bigint,
            coalesce(
                cohorts.is_provisional,
                -- A month without leads is as young as any cohort of that month would be.
                (months.cohort_month + interval '1 month' - interval '1 day')::date + %(cycle)s::int > %(as_of)s::date,
                true
            )
        from months
        left join cohorts on months.cohort_month = cohorts.cohort_month
        order by months.cohort_month
        """,
        {"first": first_month, "last": last_month, "cycle": cycle_days, "as_of": as_of_date},
    ).fetchall()
    return tuple(
        CohortRow(
            cohort_month=month,
            leads=int(leads),
            mqls=int(mqls),
            customers=int(customers),
            lead_to_mql_rate=_ratio(mqls, leads),
            lead_to_customer_rate=_ratio(customers, leads),
            is_provisional=bool(provisional),
        )
        for month, leads, mqls, customers, provisional in rows
    )


def _freshness(
    conn: psycopg.Connection, report_day: date, sources: Mapping[str, int] | None
) -> tuple[SourceFreshness, ...]:
    loaded = relation_exists(conn, "ops.load_batches")
    if sources is None:
        sources = {}
        if loaded:
            sources = {row[0]: 0 for row in conn.execute("select distinct source from ops.load_batches order by 1")}
    latest: dict[str, tuple] = {}
    if loaded and sources:
        rows = conn.execute(
            """
            with streams as (
                select
                    source,
                    stream,
                    max(last_day) as loaded_through,
                    max(finished_at) as finished_at,
                    (array_agg(rows_read order by finished_at desc))[1] as rows_last_load
                from ops.load_batches
                where source = any(%s)
                group by source, stream
            )

            select source, max(finished_at), sum(rows_last_load)::bigint, min(loaded_through), count(*)
            from streams
            group by source
            """,
            (list(sources),),
        ).fetchall()
        latest = {source: rest for source, *rest in rows}
    # A source is loaded through a day only when every stream it declares is.
    declared = {source: len(STREAMS[source]) for source in sources if source in STREAMS}
    quarantined = _quarantined_rows(conn)
    freshness = []
    for source, max_lag_days in sources.items():
        last_loaded_at, rows_last_load, loaded_through, streams_loaded = latest.get(source, (None, 0, None, 0))
        if streams_loaded < declared.get(source, 0):
            loaded_through = None
        freshness.append(
            SourceFreshness(
                source=source,
                last_loaded_at=last_loaded_at,
                rows_last_load=int(rows_last_load or 0),
                quarantined_rows=quarantined.get(source, 0),
                is_stale=loaded_through is None or loaded_through < report_day - timedelta(days=max_lag_days),
                loaded_through=loaded_through,
            )
        )
    return tuple(freshness)


def _quarantined_rows(conn: psycopg.Connection) -> dict[str, int]:
    """Open quarantined rows per source (released ones were loaded after the source was fixed)."""
    if not relation_exists(conn, "quarantine.rejected_rows"):
        return {}
    rows = conn.execute(
        "select source, count(*) from quarantine.rejected_rows where released_at is null group by source"
    )
    return {source: count for source, count in rows}


def _quality_warnings(conn: psycopg.Connection) -> tuple[str, ...]:
    from smarketing.quality import latest_outcomes

    outcomes = latest_outcomes(conn)
    # For leadership: the rule in words and what was found, without GX's suite and expectation names.
    return tuple(
        f"{warning.description or warning.expectation} — {warning.observed}"
        for stage in ("raw", "marts")
        if stage in outcomes
        for warning in outcomes[stage].warnings
    )


def query_glossary(conn: psycopg.Connection) -> tuple[tuple[str, str], ...]:
    """The funnel terms as the published definitions state them (not as the code assumes)."""
    threshold, sla_hours, model = conn.execute(
        "select mql_threshold, sla_hours, attribution_model from definitions.settings"
    ).fetchone()
    rules = conn.execute("select rule_name, points from definitions.scoring_rules order by rule_order").fetchall()
    actions = [row[0] for row in conn.execute("select action from definitions.high_intent_actions order by 1")]
    domains = [row[0] for row in conn.execute("select domain from definitions.excluded_email_domains order by 1")]
    scoring = "; ".join(f"{name} +{points}" for name, points in rules) or "no rules"
    mql = f"lead score of {threshold} or more ({scoring})"
    if actions:
        mql += f", or a high-intent action ({', '.join(actions)})"
    mql += ", or a CRM stage mapped to MQL or later"
    touch = "first touch" if model == "first_touch" else "last touch before becoming an MQL"
    return (
        ("Lead", "a person (CRM records merged by e-mail, then phone, then CRM id) who entered through any channel"
         + (f"; test and internal domains excluded ({', '.join(domains)})" if domains else "")),
        ("MQL", mql),
        ("SQL", "accepted and qualified by sales (CRM statuses and stages mapped to SQL or later)"),
        ("Opportunity / customer", "a deal exists / a deal was won"),
        ("SLA", "an MQL first touched by sales (outbound call, e-mail or meeting) within "
         f"{Decimal(sla_hours).normalize():f} hours"),
        ("Attribution", f"{touch}: UTM tags, click ids and ad lead forms name the campaign and channel"),
    )  # fmt: skip
