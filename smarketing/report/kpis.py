"""The headline KPIs of the report, read from the marts in one query.

One query for all periods keeps the three columns of the report consistent with each other:
they are computed from the same snapshot of the marts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import psycopg

# (label, length in days); each period ends on the report's last day.
PERIODS: tuple[tuple[str, int], ...] = (("Yesterday", 1), ("Last 7 days", 7), ("Last 30 days", 30))


@dataclass(frozen=True)
class PeriodKpis:
    """Sums over the inclusive days first_day..last_day, in the reporting currency."""

    label: str
    first_day: date
    last_day: date
    spend: Decimal
    leads: int
    mqls: int
    sqls: int
    customers: int
    revenue: Decimal
    paid_leads: int
    paid_revenue: Decimal

    @property
    def cpl(self) -> Decimal | None:
        """Cost per lead: paid spend / paid-attributed leads; undefined without paid leads."""
        if self.paid_leads == 0:
            return None
        return self.spend / self.paid_leads

    @property
    def romi_percent(self) -> Decimal | None:
        """Return on marketing investment in percent; undefined without spend."""
        if self.spend == 0:
            return None
        return (self.paid_revenue - self.spend) / self.spend * 100


@dataclass(frozen=True)
class KpiReport:
    last_day: date
    currency: str
    definitions_version: str
    periods: tuple[PeriodKpis, ...]
    # (term, meaning) from the published definitions: the report says what it counted.
    glossary: tuple[tuple[str, str], ...] = ()


_QUERY = """
with periods (sort_order, label, first_day, last_day) as (
    values {period_rows}
),

settings as (
    select
        (select currency from definitions.settings) as currency,
        (select version from definitions.settings) as definitions_version
)

select
    periods.label,
    periods.first_day,
    periods.last_day,
    settings.currency,
    settings.definitions_version,
    ad_spend.spend,
    ad_spend.foreign_currencies,
    funnel.leads,
    funnel.mqls,
    funnel.sqls,
    funnel.customers,
    funnel.revenue,
    funnel.paid_leads,
    funnel.paid_revenue
from periods
cross join settings
cross join lateral (
    select
        coalesce(sum(spend), 0) as spend,
        array_agg(distinct coalesce(currency_code, 'NULL')) filter (
            where currency_code is distinct from settings.currency
        ) as foreign_currencies
    from marts.fct_ad_spend_daily
    where date_day between periods.first_day and periods.last_day
) as ad_spend
cross join lateral (
    select
        coalesce(sum(leads), 0)::bigint as leads,
        coalesce(sum(mqls), 0)::bigint as mqls,
        coalesce(sum(sqls), 0)::bigint as sqls,
        coalesce(sum(customers), 0)::bigint as customers,
        coalesce(sum(revenue), 0) as revenue,
        coalesce(sum(leads) filter (where is_paid), 0)::bigint as paid_leads,
        coalesce(sum(revenue) filter (where is_paid), 0) as paid_revenue
    from marts.fct_funnel_daily
    where date_day between periods.first_day and periods.last_day
) as funnel
order by periods.sort_order
""".format(period_rows=", ".join(["(%s::int, %s::text, %s::date, %s::date)"] * len(PERIODS)))


def query_kpis(conn: psycopg.Connection, last_day: date) -> KpiReport:
    """Read the headline KPIs for the periods ending on last_day.

    Refuses to sum spend in a currency other than the reporting one: a mixed-currency total
    would look plausible and be wrong.
    """
    params: list[object] = []
    for sort_order, (label, days) in enumerate(PERIODS):
        params += [sort_order, label, last_day - timedelta(days=days - 1), last_day]
    with conn.cursor() as cur:
        rows = cur.execute(_QUERY, params).fetchall()

    currency, version = rows[0][3], rows[0][4]
    if currency is None or version is None:
        raise ValueError("definitions.settings: expected one row with currency and version, found none")
    periods = []
    for row in rows:
        (label, first_day, period_last_day, _, _, spend, foreign_currencies, *funnel) = row
        if foreign_currencies:
            raise ValueError(
                f"marts.fct_ad_spend_daily: spend in {', '.join(sorted(foreign_currencies))} between "
                f"{first_day} and {period_last_day}, but the reporting currency is {currency}"
            )
        leads, mqls, sqls, customers, revenue, paid_leads, paid_revenue = funnel
        periods.append(
            PeriodKpis(
                label=label,
                first_day=first_day,
                last_day=period_last_day,
                spend=spend,
                leads=leads,
                mqls=mqls,
                sqls=sqls,
                customers=customers,
                revenue=revenue,
                paid_leads=paid_leads,
                paid_revenue=paid_revenue,
            )
        )
    return KpiReport(
        last_day=last_day,
        currency=currency,
        definitions_version=version,
        periods=tuple(periods),
        glossary=query_glossary(conn),
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
