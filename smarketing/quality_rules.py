"""What the quality gates check, as data: one `Suite` per table, written to GX files by
`smarketing.quality_suites`.

Raw suites are derived from the stream declarations (smarketing.extract), so a new connector's
streams are checked without writing a suite: the schema, the natural key, the row-level rules of
its columns (`required`, `minimum`, `positive`, `allowed`, `not_future`), that the latest batch
stayed in its window, and that stage-bearing CRM values are mapped. The mart suites are written
here by hand: reconciliation with raw, person counts, rates, freshness and row-count bands.

Identifiers taken from declarations are quoted in the SQL. GX substitutes `{batch}` with the suite's
own table, aliased by GX itself unless the query has a join (then the query names it).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from smarketing.extract import STREAMS
from smarketing.extract.streams import Column, Stream
from smarketing.load import META_COLUMNS
from smarketing.quality import (
    ALSO_READS,
    FUTURE_CUTOFF,
    QUALITY_SOURCES,
    ROW_COUNTS,
    UNEXPECTED_ROWS,
    Severity,
    Stage,
)

LOAD_BATCHES = "ops.load_batches"
QUARANTINE = "quarantine.rejected_rows"
CRM_STAGE_MAP = "definitions.crm_stage_map"
FRESHNESS_SUITE = "marts_freshness"
# A batch quarantining more than this share of its rows is a broken source, not a few bad records.
MAX_QUARANTINED_SHARE = Decimal("0.05")
# A mart whose row count leaves [low x, high x] the average of its previous counts changed suspiciously.
ROW_COUNT_BAND = (Decimal("0.5"), Decimal("1.5"))
ROW_COUNT_HISTORY = 7
# fct_kpi_period KPIs that are shares of a group (unit 'ratio' also holds ctr, which may exceed 1
# where a platform reports clicks without impressions - a raw warning only - and ltv_to_cac).
SHARE_KPIS = (
    "lead_to_mql_rate",
    "mql_to_sql_rate",
    "sql_to_opportunity_rate",
    "opportunity_to_customer_rate",
    "sql_to_customer_rate",
    "sla_within_share",
)
COHORT_RATES = (
    "lead_to_mql_rate",
    "mql_to_sql_rate",
    "sql_to_opportunity_rate",
    "opportunity_to_customer_rate",
    "lead_to_customer_rate",
)


@dataclass(frozen=True)
class Rule:
    """One expectation: a GX expectation type and its arguments."""

    key: str  # unique in its suite and stable: the expectation's id is derived from it
    type: str
    kwargs: Mapping[str, Any]
    severity: Severity = "critical"
    description: str | None = None
    # The column an unexpected-rows rule is about (GX kwargs name none): smarketing.quality shows it.
    column: str | None = None


@dataclass(frozen=True)
class Suite:
    name: str
    stage: Stage
    table: str  # schema.table: the asset the suite validates, `{batch}` in its SQL
    rules: tuple[Rule, ...]
    also_reads: tuple[str, ...] = ()

    @property
    def meta(self) -> dict[str, Any]:
        return {ALSO_READS: list(self.also_reads)} if self.also_reads else {}


@dataclass(frozen=True)
class AdSpendSource:
    """How an ad platform's raw campaign report maps onto fct_ad_spend_daily, for reconciliation."""

    platform: str  # fct_ad_spend_daily.ad_platform
    label: str
    raw_table: str
    account: str
    day: str
    campaign: str
    cost: str
    cost_divisor: int = 1


AD_SPEND_SOURCES = (
    AdSpendSource(
        platform="google_ads",
        label="Google Ads",
        raw_table="raw.google_ads__campaign_daily",
        account="customer_id",
        day="date",
        campaign="campaign_id",
        cost="cost_micros",
        cost_divisor=1_000_000,
    ),
    AdSpendSource(
        platform="meta_ads",
        label="Meta Ads",
        raw_table="raw.meta_ads__campaign_daily",
        account="account_id",
        day="date_start",
        campaign="campaign_id",
        cost="spend",
    ),
    AdSpendSource(
        platform="linkedin_ads",
        label="LinkedIn Ads",
        raw_table="raw.linkedin_ads__campaign_daily",
        account="account_id",
        day="day",
        campaign="campaign_id",
        cost="cost_in_local_currency",
    ),
    AdSpendSource(
        platform="yandex_direct",
        label="Yandex Direct",
        raw_table="raw.yandex_direct__campaign_daily",
        account="client_login",
        day="date",
        campaign="campaign_id",
        cost="cost_micros",
        cost_divisor=1_000_000,
    ),
)


def suites() -> tuple[Suite, ...]:
    """Every suite, raw ones first, in checkpoint order."""
    return (
        *(stream_suite(stream) for streams in STREAMS.values() for stream in streams),
        quarantine_suite(),
        load_batches_suite(),
        spend_suite(AD_SPEND_SOURCES),
        persons_suite(),
        kpi_period_suite(),
        cohort_conversion_suite(),
        freshness_suite(),
        row_counts_suite(),
    )


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _columns(prefix: str, names: Iterable[str]) -> str:
    return ", ".join(f"{prefix}.{_ident(name)}" for name in names)


def _rows_rule(
    key: str, query: str, description: str, severity: Severity = "critical", column: str | None = None
) -> Rule:
    return Rule(key, UNEXPECTED_ROWS, {"unexpected_rows_query": query.strip()}, severity, description, column)


def stream_suite(stream: Stream) -> Suite:
    """The raw table of one stream, checked against its declaration."""
    names = {column.name for column in stream.columns}
    rules = [
        Rule(
            "schema",
            "expect_table_columns_to_match_set",
            {"column_set": [c.name for c in stream.columns] + [name for name, _ in META_COLUMNS], "exact_match": False},
            description="Every declared column and the load's meta columns exist (older extra columns may remain)",
        ),
        *(
            Rule(f"not_null:{c.name}", "expect_column_values_to_not_be_null", {"column": c.name})
            for c in stream.columns
            if c.required or c.name in stream.natural_key
        ),
        _unique_key(stream),
        *(rule for column in stream.columns for rule in _column_rules(column)),
        *([_window_rule(stream)] if stream.window_column else []),  # an account's settings have no days
        *(_stage_map_rule(stream, column) for column in stream.columns if column.stage_field),
    ]
    if {"impressions", "clicks"} <= names:
        rules.append(
            Rule(
                "clicks_within_impressions",
                "expect_column_pair_values_a_to_be_greater_than_b",
                {
                    "column_A": "impressions",
                    "column_B": "clicks",
                    "or_equal": True,
                    "ignore_row_if": "either_value_is_missing",
                },
                "warning",
                "clicks <= impressions; a warning only: some campaign types legitimately report clicks without "
                "counted impressions",
            )
        )
    also_reads = (LOAD_BATCHES, CRM_STAGE_MAP) if any(c.stage_field for c in stream.columns) else (LOAD_BATCHES,)
    return Suite(stream_suite_name(stream), "raw", f"raw.{stream.table}", tuple(rules), also_reads)


def stream_suite_name(stream: Stream) -> str:
    return f"raw_{stream.table}"


def _unique_key(stream: Stream) -> Rule:
    if len(stream.natural_key) == 1:
        return Rule("unique_key", "expect_column_values_to_be_unique", {"column": stream.natural_key[0]})
    return Rule("unique_key", "expect_compound_columns_to_be_unique", {"column_list": list(stream.natural_key)})


def _column_rules(column: Column) -> Iterable[Rule]:
    bounds: dict[str, Any] | None = None
    if column.positive and (column.minimum is None or column.minimum <= 0):
        bounds = {"min_value": 0.0, "strict_min": True}
    elif column.minimum is not None:
        bounds = {"min_value": float(column.minimum)}
    if bounds:
        yield Rule(f"range:{column.name}", "expect_column_values_to_be_between", {"column": column.name, **bounds})
    if column.allowed is not None:
        yield Rule(
            f"allowed:{column.name}",
            "expect_column_values_to_be_in_set",
            {"column": column.name, "value_set": sorted(column.allowed)},
        )
    if column.not_future:
        yield Rule(
            f"not_future:{column.name}",
            "expect_column_values_to_be_between",
            {"column": column.name, "max_value": {"$PARAMETER": FUTURE_CUTOFF}},
            description="Not in the future: at most 1 day after the gate ran (time zones ahead of UTC)",
        )


def _window_rule(stream: Stream) -> Rule:
    """The latest batch wrote only rows of the window it read (ops.load_batches), reach back included."""
    column = stream.column(stream.window_column)
    value = f"raw_rows.{_ident(column.name)}"
    if column.pg_type == "date":
        day, low, high, tolerance = value, "latest_batch.first_day", "latest_batch.last_day", ""
    else:
        # The window's days are days of the configured time zone, which the suite does not know.
        day, low, high = (
            f"({value} at time zone 'UTC')::date",
            "latest_batch.first_day - 1",
            "latest_batch.last_day + 1",
        )
        tolerance = "; timestamps as UTC days, 1 day of tolerance for the time zone"
    query = f"""
with latest_batch as (
    select batch_id, first_day - {stream.reach_back_days} as first_day, last_day
    from {LOAD_BATCHES}
    where source = {_literal(stream.source)} and stream = {_literal(stream.name)}
    order by finished_at desc
    limit 1
)
select {_columns("raw_rows", stream.natural_key)}, {value} as window_value,
    latest_batch.batch_id, latest_batch.first_day as window_first_day, latest_batch.last_day as window_last_day
from {{batch}} as raw_rows
inner join latest_batch on raw_rows._batch_id = latest_batch.batch_id
where not coalesce({day} between {low} and {high}, false)
order by {_columns("raw_rows", stream.natural_key)}
"""
    reach = f" - {stream.reach_back_days} days reach back" if stream.reach_back_days else ""
    return _rows_rule(
        "batch_window",
        query,
        f"Rows of the latest load batch have {column.name} in its window (first_day{reach} .. last_day{tolerance})",
        column=column.name,
    )


def _stage_map_rule(stream: Stream, column: Column) -> Rule:
    """Stage-bearing values must be in the stage map, looked up as crm = the source and field = the
    column's stage field, ignoring case (Bitrix24's field STATUS_ID is the column status_id, as
    Postgres folds names); dbt gives an unmapped value no stage."""
    field = column.stage_field or column.name
    value = f"raw_rows.{_ident(column.name)}"
    query = f"""
select {value}, count(*) as records
from {{batch}} as raw_rows
left join {CRM_STAGE_MAP} as stage_map
    on stage_map.crm = {_literal(stream.source)}
    and lower(stage_map.field) = {_literal(field.lower())}
    and stage_map.value = {value}
where {value} is not null
    and stage_map.value is null
group by {value}
order by records desc, {value}
"""
    return _rows_rule(
        f"stage_mapped:{column.name}",
        query,
        f"Every {column.name} value is mapped to a funnel stage in {CRM_STAGE_MAP} ({stream.source}, {field}); "
        "unmapped values count as no stage",
        "warning",
        column.name,
    )


def quarantine_suite() -> Suite:
    query = """
select source, stream, field, reason, count(*) as open_rows
from {batch}
where released_at is null
group by source, stream, field, reason
order by source, stream, field, reason
"""
    return Suite(
        "raw_quarantine",
        "raw",
        QUARANTINE,
        (
            _rows_rule(
                "open_rows",
                query,
                "No quarantined row is open: each is missing from raw until its source is fixed and the "
                "interval re-run",
                "warning",
            ),
        ),
    )


def load_batches_suite() -> Suite:
    query = f"""
with latest as (
    select distinct on (source, stream) source, stream, batch_id, rows_read, rows_quarantined
    from {{batch}}
    order by source, stream, finished_at desc
)
select source, stream, batch_id, rows_read, rows_quarantined,
    round(100.0 * rows_quarantined / (rows_read + rows_quarantined), 1) as quarantined_percent
from latest
where rows_quarantined > {MAX_QUARANTINED_SHARE} * (rows_read + rows_quarantined)
order by source, stream
"""
    percent = f"{MAX_QUARANTINED_SHARE:.0%}"
    return Suite(
        "raw_load_batches",
        "raw",
        LOAD_BATCHES,
        (
            _rows_rule(
                "quarantined_share",
                query,
                f"The latest batch of every stream quarantined at most {percent} of its rows "
                "(rows_quarantined / (rows_read + rows_quarantined))",
            ),
        ),
    )


def spend_suite(sources: tuple[AdSpendSource, ...]) -> Suite:
    """fct_ad_spend_daily against each ad platform's raw campaign report."""
    rules: list[Rule] = []
    for s in sources:
        account, day, campaign = _ident(s.account), _ident(s.day), _ident(s.campaign)
        platform = _literal(s.platform)
        spend = f"""
with mart as (
    select account_id, date_day, sum(spend_original) as spend
    from {{batch}} as mart_rows
    where ad_platform = {platform}
    group by account_id, date_day
),
raw as (
    select {account} as account_id, {day} as date_day,
        round(sum(coalesce({_ident(s.cost)}, 0)) / {s.cost_divisor}.0, 6) as spend
    from {s.raw_table}
    group by {account}, {day}
)
select
    coalesce(mart.account_id, raw.account_id) as account_id,
    coalesce(mart.date_day, raw.date_day) as date_day,
    mart.spend as mart_spend,
    raw.spend as raw_spend
from mart
full outer join raw
    on mart.account_id = raw.account_id and mart.date_day = raw.date_day
where mart.account_id is null
    or raw.account_id is null
    or abs(mart.spend - raw.spend) >= 0.005
order by 1, 2
"""
        campaign_days = f"""
with mart as (
    select distinct account_id, date_day, campaign_key
    from {{batch}} as mart_rows
    where ad_platform = {platform}
),
raw as (
    select distinct {account} as account_id, {day} as date_day,
        {platform} || ':' || {account} || ':' || {campaign} as campaign_key
    from {s.raw_table}
)
select
    coalesce(mart.account_id, raw.account_id) as account_id,
    coalesce(mart.date_day, raw.date_day) as date_day,
    coalesce(mart.campaign_key, raw.campaign_key) as campaign_key,
    mart.campaign_key is not null as in_mart,
    raw.campaign_key is not null as in_raw
from mart
full outer join raw
    on mart.account_id = raw.account_id and mart.date_day = raw.date_day and mart.campaign_key = raw.campaign_key
where mart.campaign_key is null
    or raw.campaign_key is null
order by 1, 2, 3
"""
        divided = f"{s.cost} / {s.cost_divisor}" if s.cost_divisor != 1 else s.cost
        rules += [
            _rows_rule(
                f"{s.platform}:spend",
                spend,
                f"{s.label} spend per account and day in the mart equals raw {divided} to the cent",
            ),
            _rows_rule(
                f"{s.platform}:campaign_days",
                campaign_days,
                f"Every raw {s.label} campaign-day is in the mart (as its campaign row or its ad groups) and the "
                f"mart has no {s.label} campaign-day raw does not",
            ),
        ]
    return Suite(
        "marts_reconciliation", "marts", "marts.fct_ad_spend_daily", tuple(rules), tuple(s.raw_table for s in sources)
    )


def persons_suite() -> Suite:
    """Persons in the marts are the staged CRM records merged to persons, minus the excluded.

    Identity, per person: dim_persons.crm_record_count = its staged records (int_crm_records_unioned,
    assigned by int_crm_records_merged_to_persons), dim_persons.is_excluded = any of them excluded,
    and the person is in fct_lead_funnel exactly once when not excluded, else not at all. Summed:
    count(fct_lead_funnel) = count(dim_persons) - excluded persons, sum(crm_record_count) = staged records.
    """
    query = """
with staged as (
    select
        coalesce(merged.person_id, '(no person)') as person_id,
        count(*) as staged_records,
        bool_or(merged.is_excluded) as is_excluded
    from intermediate.int_crm_records_unioned as records
    left join intermediate.int_crm_records_merged_to_persons as merged
        on records.crm = merged.crm and records.crm_record_id = merged.crm_record_id
    group by 1
),
dim as (
    select person_id, crm_record_count, is_excluded
    from {batch} as dim_rows
),
funnel as (
    select person_id, count(*) as funnel_rows
    from marts.fct_lead_funnel
    group by person_id
),
persons as (
    select person_id from staged
    union
    select person_id from dim
    union
    select person_id from funnel
)
select
    persons.person_id,
    staged.staged_records,
    dim.crm_record_count as dim_records,
    staged.is_excluded as staged_excluded,
    dim.is_excluded as dim_excluded,
    coalesce(funnel.funnel_rows, 0) as funnel_rows
from persons
left join staged on persons.person_id = staged.person_id
left join dim on persons.person_id = dim.person_id
left join funnel on persons.person_id = funnel.person_id
where staged.person_id is null
    or dim.person_id is null
    or persons.person_id = '(no person)'
    or staged.staged_records <> dim.crm_record_count
    or staged.is_excluded is distinct from dim.is_excluded
    or coalesce(funnel.funnel_rows, 0) <> case when staged.is_excluded then 0 else 1 end
order by 1
"""
    return Suite(
        "marts_persons",
        "marts",
        "marts.dim_persons",
        (
            _rows_rule(
                "persons_reconcile",
                query,
                "Persons reconcile with the staged CRM records: per person, dim_persons.crm_record_count = its "
                "records in int_crm_records_unioned (merged by int_crm_records_merged_to_persons) and "
                "fct_lead_funnel holds it once unless excluded; so count(fct_lead_funnel) = count(dim_persons) - "
                "excluded persons and sum(crm_record_count) = staged records",
            ),
        ),
        (
            "intermediate.int_crm_records_unioned",
            "intermediate.int_crm_records_merged_to_persons",
            "marts.fct_lead_funnel",
        ),
    )


def kpi_period_suite() -> Suite:
    shares = ", ".join(_literal(kpi) for kpi in SHARE_KPIS)
    query = f"""
select period_type, period_start, kpi, value
from {{batch}}
where kpi in ({shares})
    and (value < 0 or value > 1)
order by kpi, period_type, period_start
"""
    return Suite(
        "marts_kpi_period",
        "marts",
        "marts.fct_kpi_period",
        (_rows_rule("shares_within_0_1", query, f"Share KPIs are between 0 and 1: {', '.join(SHARE_KPIS)}"),),
    )


def cohort_conversion_suite() -> Suite:
    return Suite(
        "marts_cohort_conversion",
        "marts",
        "marts.fct_cohort_conversion",
        tuple(
            Rule(
                f"share:{rate}",
                "expect_column_values_to_be_between",
                {"column": rate, "min_value": 0.0, "max_value": 1.0},
            )
            for rate in COHORT_RATES
        ),
    )


def freshness_suite() -> Suite:
    """Each enabled source (ops.quality_sources, written by validate()) loaded through the run's last day."""
    query = f"""
with streams as (
    select sources.source, sources.stream, sources.max_lag_days, max(batches.last_day) as last_day
    from {{batch}} as sources
    left join {LOAD_BATCHES} as batches
        on sources.source = batches.source and sources.stream = batches.stream
    group by sources.source, sources.stream, sources.max_lag_days
),
per_source as (
    select
        source,
        max(max_lag_days) as max_lag_days,
        -- Loaded through a day only when every stream is.
        case when count(last_day) = count(*) then min(last_day) end as loaded_through,
        string_agg(stream, ', ' order by stream) filter (where last_day is null) as streams_never_loaded
    from streams
    group by source
),
run as (
    select max(last_day) as last_day from streams
)
select
    per_source.source,
    per_source.loaded_through,
    run.last_day as run_last_day,
    run.last_day - per_source.loaded_through as days_behind,
    per_source.max_lag_days,
    per_source.streams_never_loaded
from per_source
cross join run
where per_source.streams_never_loaded is not null
    or run.last_day - per_source.loaded_through > per_source.max_lag_days
order by per_source.source
"""
    return Suite(
        FRESHNESS_SUITE,
        "marts",
        QUALITY_SOURCES,
        (
            _rows_rule(
                "sources_fresh",
                query,
                "Every enabled source loaded all its streams through the run's last day (the latest last_day of any "
                "of them in ops.load_batches), at most sources.<name>.max_lag_days before it",
                "warning",
            ),
        ),
        (LOAD_BATCHES,),
    )


def row_counts_suite() -> Suite:
    low, high = ROW_COUNT_BAND
    query = f"""
with ranked as (
    select
        table_name,
        row_count,
        row_number() over (partition by table_name order by count_id desc) as age
    from {{batch}} as counts
),
previous as (
    select table_name, avg(row_count) as average, count(*) as runs
    from ranked
    where age between 2 and {ROW_COUNT_HISTORY + 1}
    group by table_name
)
select
    ranked.table_name,
    ranked.row_count,
    round(previous.average, 1) as trailing_average,
    previous.runs as previous_runs
from ranked
inner join previous on ranked.table_name = previous.table_name
where ranked.age = 1
    and (ranked.row_count < {low} * previous.average or ranked.row_count > {high} * previous.average)
order by ranked.table_name
"""
    return Suite(
        "marts_row_counts",
        "marts",
        ROW_COUNTS,
        (
            _rows_rule(
                "within_band",
                query,
                f"Every mart's row count is within {low}x..{high}x the average of its previous "
                f"{ROW_COUNT_HISTORY} recorded counts",
                "warning",
            ),
        ),
    )
