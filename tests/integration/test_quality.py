"""The GX gates on a real Postgres: the real raw tables with hand-made rows, one defect at a time.

Every stream's load ledger covers 2024-03-01..03-02 (batch id `<source>.<stream>`). The raw stage
of the four configured sources has 124 expectations, counted from the stream declarations:
  google_ads campaign_daily 15: schema, 5 required, key unique, 4 minimums, currency set, date not
      in the future, batch window, clicks <= impressions (warning)
  google_ads ad_group_daily 16: as campaign_daily plus ad_group_id required
  meta_ads campaign_daily 13: schema, 4 required, key unique, 3 minimums, currency set, date not in
      the future, batch window, clicks <= impressions (warning)
  meta_ads adset_daily 14: as campaign_daily plus adset_id required
  meta_ads accounts 5: schema, 2 required, key unique, currency set (not windowed)
  hubspot contacts 9: schema, 3 required, key unique, 2 not in the future, window, lifecyclestage mapped
  hubspot deals 12: schema, 4 required, key unique, amount minimum, currency set, 2 not in the
      future, window, dealstage mapped
  hubspot calls, emails, meetings 8 each: schema, 3 required, key unique, 2 not in the future, window
  hubspot owners 5: schema, 1 required, key unique, 2 not in the future (not windowed)
  fx_rates daily 9: schema, 3 required, key unique, rate positive, currency set, date not in the
      future, window
  quarantine 1 (open rows), load batches 1 (quarantined share)
"""

from __future__ import annotations

import json
import multiprocessing
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest

from smarketing.config import SourceConfig, load_config
from smarketing.extract import STREAMS
from smarketing.pipeline import prepare_warehouse
from smarketing.quality import GX_PROJECT_ROOT, QualityGateFailed, latest_outcomes, validate

pytestmark = pytest.mark.integration

FIRST_DAY, LAST_DAY = date(2024, 3, 1), date(2024, 3, 2)
RAW_SUITES = (
    "raw_google_ads__campaign_daily",
    "raw_google_ads__ad_group_daily",
    "raw_meta_ads__campaign_daily",
    "raw_meta_ads__adset_daily",
    "raw_meta_ads__accounts",
    "raw_hubspot__contacts",
    "raw_hubspot__deals",
    "raw_hubspot__calls",
    "raw_hubspot__emails",
    "raw_hubspot__meetings",
    "raw_hubspot__owners",
    "raw_fx_rates__daily",
    "raw_quarantine",
    "raw_load_batches",
)
MART_SUITES = (
    "marts_reconciliation",
    "marts_persons",
    "marts_kpi_period",
    "marts_cohort_conversion",
    "marts_freshness",
    "marts_row_counts",
)
FCT_AD_SPEND_DAILY = """
    create table marts.fct_ad_spend_daily (
        ad_spend_id text, date_day date, ad_platform text, account_id text, campaign_key text,
        ad_group_id text, currency_code text, spend numeric(18, 6), spend_original numeric(18, 6),
        impressions bigint, clicks bigint
    )"""

# (customer_id, campaign_id, date, cost_micros, impressions, clicks)
GOOGLE_ADS = [
    ("111", "c1", date(2024, 3, 1), 1_230_000, 100, 10),
    ("111", "c2", date(2024, 3, 1), 2_500_000, 200, 5),
    ("111", "c1", date(2024, 3, 2), 990_000, 50, 3),
    ("222", "c9", date(2024, 3, 1), 10_000_001, 1000, 40),
]
# (account_id, campaign_id, date_start, spend, impressions, clicks): Meta sends spend as a decimal.
META_ADS = [("7", "9001", date(2024, 3, 1), Decimal("55.00"), 900, 30)]
# The same rows as dbt builds them, spend = cost_micros / 1e6 worked out by hand; plus the Meta row,
# which reconciles on its own and which the Google Ads reconciliation must leave alone.
MART = [
    ("google_ads", "111", "c1", date(2024, 3, 1), "1.230000", 100, 10),
    ("google_ads", "111", "c2", date(2024, 3, 1), "2.500000", 200, 5),
    ("google_ads", "111", "c1", date(2024, 3, 2), "0.990000", 50, 3),
    ("google_ads", "222", "c9", date(2024, 3, 1), "10.000001", 1000, 40),
    ("meta_ads", "7", "9001", date(2024, 3, 1), "55.000000", 900, 30),
]


@pytest.fixture
def config(tiny_config):
    """Google Ads, Meta Ads, HubSpot and fx_rates: the sources whose raw suites run (the suites of
    sources not configured are not this warehouse's)."""
    config = load_config(tiny_config())
    others = {"meta_ads": SourceConfig(path=Path("meta_ads"), lookback_days=28),
              "fx_rates": SourceConfig(path=Path("fx_rates"), lookback_days=10)}  # fmt: skip
    return config.model_copy(update={"sources": {**config.sources, **others}})


def ledger(conn: psycopg.Connection) -> None:
    """One load batch per stream, every window FIRST_DAY..LAST_DAY."""
    with conn.cursor() as cur:
        cur.executemany(
            "insert into ops.load_batches (batch_id, source, stream, first_day, last_day, rows_read, rows_inserted,"
            " rows_updated, rows_deleted, pages_read, started_at, finished_at, rows_quarantined)"
            " values (%s, %s, %s, %s, %s, 10, 10, 0, 0, 1, now() - interval '1 minute', now(), 0)",
            [
                (f"{s.source}.{s.name}", s.source, s.name, FIRST_DAY, LAST_DAY)
                for streams in STREAMS.values()
                for s in streams
            ],
        )


def insert_raw(conn: psycopg.Connection, table: str, columns: str, rows: list[tuple]) -> None:
    """Rows of raw.<table> written by its stream's batch of the ledger."""
    source, stream = table.split("__")
    values = ", ".join(["%s"] * len(columns.split(",")))
    with conn.cursor() as cur:
        cur.executemany(
            f"insert into raw.{table} ({columns}, _batch_id, _loaded_at, _source_origin, _source_line)"
            f" values ({values}, '{source}.{stream}', now(), 'page.json', 1)",
            rows,
        )


def fill(conn: psycopg.Connection, config) -> None:
    """The real raw tables (prepare_warehouse), clean rows, and a hand-made spend mart."""
    prepare_warehouse(conn, config)
    ledger(conn)
    insert_raw(
        conn,
        "google_ads__campaign_daily",
        "customer_id, campaign_id, date, cost_micros, impressions, clicks, currency_code, time_zone",
        [(*row, "EUR", "Europe/Berlin") for row in GOOGLE_ADS],
    )
    insert_raw(
        conn,
        "meta_ads__campaign_daily",
        "account_id, campaign_id, date_start, spend, impressions, clicks, account_currency",
        [(*row, "USD") for row in META_ADS],
    )
    insert_raw(
        conn,
        "hubspot__contacts",
        "id, email, createdate, updated_at, lifecyclestage",
        [
            ("1", "ann@example.org", "2024-02-01 09:00+00", "2024-03-01 09:00+00", "lead"),
            ("2", None, "2024-03-02 10:00+00", "2024-03-02 10:00+00", None),
        ],
    )
    # A deal without an amount is allowed; a negative one is not.
    insert_raw(
        conn,
        "hubspot__deals",
        "id, amount, deal_currency_code, dealstage, createdate, updated_at",
        [
            ("10", Decimal("1200.50"), "EUR", "closedwon", "2024-01-05 10:00+00", "2024-03-01 10:00+00"),
            ("11", Decimal(0), "USD", "appointmentscheduled", "2024-02-05 10:00+00", "2024-03-01 11:00+00"),
            ("12", None, None, "qualifiedtobuy", "2024-02-06 10:00+00", "2024-03-02 12:00+00"),
        ],
    )
    # 02-20 is the first day the 10-day reach back allows.
    insert_raw(
        conn,
        "fx_rates__daily",
        "date, currency, rate",
        [(date(2024, 3, 1), "USD", Decimal("1.0850")), (date(2024, 2, 20), "USD", Decimal("1.0790"))],
    )
    conn.execute("create schema if not exists marts")
    conn.execute(FCT_AD_SPEND_DAILY)
    with conn.cursor() as cur:
        cur.executemany(
            "insert into marts.fct_ad_spend_daily (ad_spend_id, campaign_key, ad_platform, account_id, date_day,"
            " currency_code, spend, spend_original, impressions, clicks)"
            " values (%s, %s, %s, %s, %s, 'EUR', %s, %s, %s, %s)",
            [
                (f"{p}:{a}:{c}:{d}", f"{p}:{a}:{c}", p, a, d, Decimal(s), Decimal(s), i, k)
                for p, a, c, d, s, i, k in MART
            ],
        )


def failed(report, suite: str | None = None):
    return [o for o in report.outcomes if not o.success and (suite is None or o.suite == suite)]


def of_suite(report, suite: str):
    return [o for o in report.outcomes if o.suite == suite]


def tree_state(root: Path) -> dict[str, float]:
    return {str(p): p.stat().st_mtime for p in root.rglob("*")}


def test_clean_data_passes_and_writes_nothing(warehouse, warehouse_url, config):
    fill(warehouse, config)
    before = tree_state(GX_PROJECT_ROOT)

    raw = validate("raw", warehouse_url, config)
    marts = validate("marts", warehouse_url, config)

    assert tree_state(GX_PROJECT_ROOT) == before
    assert len(raw.outcomes) == 124
    assert {o.suite for o in raw.outcomes} == set(RAW_SUITES)
    assert raw.skipped == ()
    # Only fct_ad_spend_daily is hand-made: the suites on the other marts have no tables.
    assert set(marts.skipped_suites) == {"marts_persons", "marts_kpi_period", "marts_cohort_conversion"}
    assert [(o.suite, o.unexpected_count) for o in marts.outcomes] == [
        # Two per ad platform (spend per account-day, campaign-days present), configured or not.
        *[("marts_reconciliation", 0)] * 8,
        ("marts_freshness", 0),
        ("marts_row_counts", 0),
    ]
    for report in (raw, marts):
        assert failed(report) == []
        report.raise_for_critical()


def test_negative_cost_micros_is_a_critical_failure(warehouse, warehouse_url, config):
    fill(warehouse, config)
    warehouse.execute("update raw.google_ads__campaign_daily set cost_micros = -5 where campaign_id = 'c2'")

    report = validate("raw", warehouse_url, config)

    [failure] = report.critical_failures
    assert (failure.suite, failure.table, failure.column) == (
        "raw_google_ads__campaign_daily",
        "raw.google_ads__campaign_daily",
        "cost_micros",
    )
    assert failure.expectation == "expect_column_values_to_be_between"
    assert failure.unexpected_count == 1
    assert failure.observed == "1 of 4 rows unexpected, e.g. -5"
    with pytest.raises(QualityGateFailed) as raised:
        report.raise_for_critical()
    assert (
        "raw_google_ads__campaign_daily / raw.google_ads__campaign_daily / cost_micros: "
        "expect_column_values_to_be_between — 1 of 4 rows unexpected, e.g. -5"
    ) in str(raised.value)


def test_hubspot_defects_are_critical_and_all_listed(warehouse, warehouse_url, config):
    fill(warehouse, config)
    warehouse.execute("update raw.hubspot__deals set amount = -100 where id = '10'")
    warehouse.execute("update raw.hubspot__contacts set createdate = null")

    report = validate("raw", warehouse_url, config)

    assert {(f.suite, f.table, f.column, f.unexpected_count) for f in report.critical_failures} == {
        ("raw_hubspot__deals", "raw.hubspot__deals", "amount", 1),
        ("raw_hubspot__contacts", "raw.hubspot__contacts", "createdate", 2),
    }
    with pytest.raises(QualityGateFailed) as raised:
        report.raise_for_critical()
    message = str(raised.value)
    assert "raw_hubspot__deals / raw.hubspot__deals / amount: expect_column_values_to_be_between" in message
    assert "raw_hubspot__contacts / raw.hubspot__contacts / createdate: expect_column_values_to_not_be_null" in message


def test_clicks_above_impressions_is_only_a_warning(warehouse, warehouse_url, config):
    fill(warehouse, config)
    warehouse.execute(
        "update raw.google_ads__campaign_daily set clicks = 60 where customer_id = '111' and date = '2024-03-02'"
    )

    report = validate("raw", warehouse_url, config)

    assert report.critical_failures == ()
    [warning] = report.warnings
    assert (warning.suite, warning.column, warning.severity) == (
        "raw_google_ads__campaign_daily",
        "impressions, clicks",
        "warning",
    )
    assert warning.unexpected_count == 1
    report.raise_for_critical()


def test_a_missing_declared_column_fails_the_schema_check_and_an_extra_one_does_not(warehouse, warehouse_url, config):
    fill(warehouse, config)
    warehouse.execute("alter table raw.hubspot__deals drop column pipeline, drop column closedate")
    # A column a stream no longer declares stays in the table (the loader never drops one).
    warehouse.execute("alter table raw.hubspot__calls add column hs_call_title text")

    report = validate("raw", warehouse_url, config)

    [failure] = report.critical_failures
    assert (failure.suite, failure.expectation) == ("raw_hubspot__deals", "expect_table_columns_to_match_set")
    assert failure.observed == "missing columns: closedate, pipeline"


def test_natural_key_nulls_and_duplicates_are_critical(warehouse, warehouse_url, config):
    fill(warehouse, config)
    # Only a table without its primary key (a hand-made or damaged one) can hold these.
    warehouse.execute(
        "alter table raw.google_ads__campaign_daily drop constraint google_ads__campaign_daily_pkey,"
        " alter column campaign_id drop not null"
    )
    insert_raw(
        warehouse,
        "google_ads__campaign_daily",
        "customer_id, campaign_id, date, cost_micros, currency_code, time_zone",
        [
            ("111", "c1", date(2024, 3, 1), 5, "EUR", "Europe/Berlin"),
            ("111", None, date(2024, 3, 1), 7, "EUR", "Europe/Berlin"),
        ],
    )

    report = validate("raw", warehouse_url, config)

    failures = {(f.expectation, f.column): f for f in report.critical_failures}
    assert set(failures) == {
        ("expect_column_values_to_not_be_null", "campaign_id"),
        ("expect_compound_columns_to_be_unique", "customer_id, campaign_id, date"),
    }
    assert (
        failures["expect_column_values_to_not_be_null", "campaign_id"].observed == "1 of 6 rows unexpected, e.g. None"
    )
    # Both rows of the duplicated key are unexpected.
    assert failures["expect_compound_columns_to_be_unique", "customer_id, campaign_id, date"].unexpected_count == 2


def test_values_outside_a_declared_set_or_not_positive_are_critical(warehouse, warehouse_url, config):
    fill(warehouse, config)
    warehouse.execute("update raw.hubspot__deals set deal_currency_code = 'EURO' where id = '11'")
    warehouse.execute("update raw.fx_rates__daily set rate = 0 where date = '2024-02-20'")

    report = validate("raw", warehouse_url, config)

    assert {(f.suite, f.column, f.observed) for f in report.critical_failures} == {
        ("raw_hubspot__deals", "deal_currency_code", "1 of 3 rows unexpected, e.g. EURO"),
        ("raw_fx_rates__daily", "rate", "1 of 2 rows unexpected, e.g. 0"),
    }


def test_a_day_or_time_more_than_a_day_ahead_is_critical(warehouse, warehouse_url, config):
    fill(warehouse, config)
    later = datetime.now(UTC) + timedelta(hours=47)
    # Within a day of now: a day of a time zone ahead of UTC.
    warehouse.execute("update raw.google_ads__campaign_daily set date = current_date + 1 where campaign_id = 'c9'")
    warehouse.execute("update raw.hubspot__contacts set createdate = now() + interval '23 hours' where id = '2'")
    warehouse.execute("update raw.hubspot__deals set createdate = %s where id = '12'", [later])

    report = validate("raw", warehouse_url, config)

    [failure] = [f for f in report.critical_failures if f.description and f.description.startswith("Not in the future")]
    assert (failure.suite, failure.column, failure.unexpected_count) == ("raw_hubspot__deals", "createdate", 1)
    assert failure.observed.startswith(f"1 of 3 rows unexpected, e.g. {later.date()}")


def test_rows_of_the_latest_batch_outside_its_window_are_critical(warehouse, warehouse_url, config):
    fill(warehouse, config)
    # Dates: 03-01..03-02 exactly. Timestamps: UTC days 02-29..03-03 (a day of tolerance for the
    # report time zone). fx_rates reaches 10 days back: 02-20 is in, 02-19 is not.
    warehouse.execute("update raw.google_ads__campaign_daily set date = '2024-02-29' where campaign_id = 'c9'")
    warehouse.execute("update raw.hubspot__contacts set updated_at = '2024-02-29 00:30+00' where id = '1'")
    warehouse.execute("update raw.hubspot__contacts set updated_at = '2024-03-04 00:00+00' where id = '2'")
    warehouse.execute("update raw.hubspot__deals set updated_at = '2024-03-03 23:59+00' where id = '12'")
    warehouse.execute("update raw.fx_rates__daily set date = '2024-02-19' where date = '2024-02-20'")
    # Rows of an earlier batch are not judged by the latest window.
    warehouse.execute("update raw.hubspot__deals set _batch_id = 'older', updated_at = '2023-01-01' where id = '10'")

    report = validate("raw", warehouse_url, config)

    windows = {f.suite: f for f in report.critical_failures if f.expectation == "unexpected_rows_expectation"}
    assert set(windows) == {"raw_google_ads__campaign_daily", "raw_hubspot__contacts", "raw_fx_rates__daily"}
    ads = windows["raw_google_ads__campaign_daily"]
    assert ads.column == "date"
    assert ads.description == "Rows of the latest load batch have date in its window (first_day .. last_day)"
    assert ads.observed == (
        "1 unexpected row(s): customer_id=222, campaign_id=c9, date=2024-02-29, window_value=2024-02-29, "
        "batch_id=google_ads.campaign_daily, window_first_day=2024-03-01, window_last_day=2024-03-02"
    )
    [contact] = windows["raw_hubspot__contacts"].unexpected_rows
    assert (contact["id"], contact["window_value"]) == ("2", datetime(2024, 3, 4, tzinfo=UTC))
    [rate] = windows["raw_fx_rates__daily"].unexpected_rows
    assert (rate["window_value"], rate["window_first_day"]) == (date(2024, 2, 19), date(2024, 2, 20))
    assert windows["raw_fx_rates__daily"].description == (
        "Rows of the latest load batch have date in its window (first_day - 10 days reach back .. last_day)"
    )


def test_unmapped_stage_values_are_a_warning_naming_them(warehouse, warehouse_url, config):
    fill(warehouse, config)
    insert_raw(
        warehouse,
        "hubspot__contacts",
        "id, createdate, updated_at, lifecyclestage",
        [
            ("3", "2024-03-01 08:00+00", "2024-03-01 08:00+00", "prospect"),
            ("4", "2024-03-01 08:00+00", "2024-03-01 08:00+00", "prospect"),
            ("5", "2024-03-01 08:00+00", "2024-03-01 08:00+00", "Customer"),
        ],
    )

    report = validate("raw", warehouse_url, config)

    assert report.critical_failures == ()
    [warning] = report.warnings
    assert (warning.suite, warning.column, warning.severity) == ("raw_hubspot__contacts", "lifecyclestage", "warning")
    assert (
        warning.observed
        == "2 unexpected row(s): lifecyclestage=prospect, records=2; lifecyclestage=Customer, records=1"
    )
    assert "definitions.crm_stage_map" in warning.describe()


def quarantine(conn: psycopg.Connection, rows: list[tuple]) -> None:
    """(source, stream, origin, line, field, reason, released_at)"""
    with conn.cursor() as cur:
        cur.executemany(
            "insert into quarantine.rejected_rows (source, stream, batch_id, origin, line, field, reason,"
            " quarantined_at, released_at) values (%s, %s, 'b0', %s, %s, %s, %s, now(), %s)",
            rows,
        )


def test_open_quarantined_rows_are_a_warning_with_counts(warehouse, warehouse_url, config):
    fill(warehouse, config)
    released = datetime(2024, 3, 3, tzinfo=UTC)
    quarantine(
        warehouse,
        [
            ("hubspot", "contacts", "contacts/p1.json", 3, "createdAt", "expected a timestamp", None),
            ("hubspot", "contacts", "contacts/p1.json", 9, "createdAt", "expected a timestamp", None),
            ("hubspot", "contacts", "contacts/p2.json", 1, "createdAt", "expected a timestamp", released),
            ("google_ads", "campaign_daily", "111/s.json", 2, "metrics.costMicros", "below the minimum 0", None),
        ],
    )

    report = validate("raw", warehouse_url, config)

    assert report.critical_failures == ()
    [warning] = report.warnings
    assert (warning.suite, warning.table, warning.unexpected_count) == ("raw_quarantine", "quarantine.rejected_rows", 2)
    assert warning.observed == (
        "2 unexpected row(s): source=google_ads, stream=campaign_daily, field=metrics.costMicros, "
        "reason=below the minimum 0, open_rows=1; "
        "source=hubspot, stream=contacts, field=createdAt, reason=expected a timestamp, open_rows=2"
    )


@pytest.mark.parametrize(("rows_read", "rows_quarantined", "fails"), [(95, 5, False), (94, 6, True), (0, 0, False)])
def test_a_latest_batch_quarantining_over_5_percent_is_critical(
    warehouse, warehouse_url, config, rows_read, rows_quarantined, fails
):
    fill(warehouse, config)
    # An older batch's share does not count, only the latest one's.
    warehouse.execute(
        "update ops.load_batches set rows_quarantined = 50, rows_read = 50 where batch_id = 'hubspot.contacts'"
    )
    warehouse.execute(
        "insert into ops.load_batches (batch_id, source, stream, first_day, last_day, rows_read, rows_inserted,"
        " rows_updated, rows_deleted, pages_read, started_at, finished_at, rows_quarantined)"
        " values ('hubspot.contacts.2', 'hubspot', 'contacts', '2024-03-02', '2024-03-02', %s, 0, 0, 0, 1, now(),"
        " now() + interval '1 second', %s)",
        [rows_read, rows_quarantined],
    )

    report = validate("raw", warehouse_url, config)

    shares = of_suite(report, "raw_load_batches")
    assert [o.success for o in shares] == [not fails]
    if fails:
        assert shares[0].severity == "critical"
        assert shares[0].observed == (
            "1 unexpected row(s): source=hubspot, stream=contacts, batch_id=hubspot.contacts.2, rows_read=94, "
            "rows_quarantined=6, quarantined_percent=6.0"
        )


@pytest.mark.parametrize(
    ("delta", "reconciles"),
    [("0.01", False), ("-0.01", False), ("0.005", False), ("0.004999", True), ("0.001", True)],
)
def test_mart_spend_reconciles_with_raw_to_the_cent(warehouse, warehouse_url, config, delta, reconciles):
    fill(warehouse, config)
    warehouse.execute(
        "update marts.fct_ad_spend_daily set spend_original = spend_original + %s"
        " where account_id = '111' and date_day = '2024-03-02'",
        [Decimal(delta)],
    )

    report = validate("marts", warehouse_url, config)

    if reconciles:
        assert report.critical_failures == ()
        return
    [failure] = report.critical_failures
    assert (failure.suite, failure.table, failure.column) == ("marts_reconciliation", "marts.fct_ad_spend_daily", None)
    assert failure.unexpected_count == 1
    [row] = failure.unexpected_rows
    assert (row["account_id"], row["date_day"]) == ("111", date(2024, 3, 2))
    assert (row["mart_spend"], row["raw_spend"]) == (Decimal("0.99") + Decimal(delta), Decimal("0.99"))
    assert failure.describe().startswith(
        "marts_reconciliation / marts.fct_ad_spend_daily / (table): unexpected_rows_expectation (Google Ads spend"
    )
    assert (
        f"account_id=111, date_day=2024-03-02, mart_spend={row['mart_spend']}, raw_spend=0.990000" in failure.observed
    )


def test_a_missing_mart_row_fails_both_reconciliations(warehouse, warehouse_url, config):
    fill(warehouse, config)
    warehouse.execute("delete from marts.fct_ad_spend_daily where account_id = '111' and date_day = '2024-03-02'")

    report = validate("marts", warehouse_url, config)

    spend, rows = report.critical_failures
    assert [(r["account_id"], r["date_day"], r["mart_spend"], r["raw_spend"]) for r in spend.unexpected_rows] == [
        ("111", date(2024, 3, 2), None, Decimal("0.99"))
    ]
    assert rows.description.startswith("Every raw Google Ads campaign-day is in the mart")
    assert [dict(r) for r in rows.unexpected_rows] == [
        {
            "account_id": "111",
            "date_day": date(2024, 3, 2),
            "campaign_key": "google_ads:111:c1",
            "in_mart": False,
            "in_raw": True,
        }
    ]


def test_ad_group_rows_of_a_campaign_day_reconcile_with_its_campaign_row(warehouse, warehouse_url, config):
    """At ad-group grain a campaign-day is several mart rows: 1.23 = 1.00 + 0.23 for c1 on 03-01."""
    fill(warehouse, config)
    warehouse.execute(
        "delete from marts.fct_ad_spend_daily where campaign_key = 'google_ads:111:c1' and date_day = '2024-03-01'"
    )
    warehouse.execute(
        "insert into marts.fct_ad_spend_daily (ad_spend_id, campaign_key, ad_group_id, ad_platform, account_id,"
        " date_day, currency_code, spend, spend_original, impressions, clicks) values"
        " ('google_ads:111:c1:g1:2024-03-01', 'google_ads:111:c1', 'g1', 'google_ads', '111', '2024-03-01', 'EUR',"
        " 1.000000, 1.000000, 70, 7),"
        " ('google_ads:111:c1:g2:2024-03-01', 'google_ads:111:c1', 'g2', 'google_ads', '111', '2024-03-01', 'EUR',"
        " 0.230000, 0.230000, 30, 3)"
    )

    report = validate("marts", warehouse_url, config)

    assert report.critical_failures == ()
    assert [o.unexpected_count for o in of_suite(report, "marts_reconciliation")] == [0] * 8


def test_a_campaign_day_only_one_side_has_fails_the_presence_check(warehouse, warehouse_url, config):
    """c2's spend booked on c1 and c2 moved to 03-02 in the mart: spend per account-day still
    matches, the campaign-days do not."""
    fill(warehouse, config)
    warehouse.execute(
        "update marts.fct_ad_spend_daily set date_day = '2024-03-02', spend_original = 0"
        " where campaign_key = 'google_ads:111:c2'"
    )
    warehouse.execute(
        "update marts.fct_ad_spend_daily set spend_original = spend_original + 2.5"
        " where campaign_key = 'google_ads:111:c1' and date_day = '2024-03-01'"
    )

    report = validate("marts", warehouse_url, config)

    [rows] = report.critical_failures
    assert rows.description.startswith("Every raw Google Ads campaign-day is in the mart")
    assert [(r["campaign_key"], r["date_day"], r["in_mart"], r["in_raw"]) for r in rows.unexpected_rows] == [
        ("google_ads:111:c2", date(2024, 3, 1), False, True),
        ("google_ads:111:c2", date(2024, 3, 2), True, False),
    ]


def test_absent_tables_skip_their_suites(warehouse, warehouse_url, config):
    warehouse.execute("create schema marts")
    warehouse.execute(FCT_AD_SPEND_DAILY)

    raw = validate("raw", warehouse_url, config)
    marts = validate("marts", warehouse_url, config)

    assert set(raw.skipped_suites) == set(RAW_SUITES)
    assert raw.outcomes == ()
    skipped = {s.suite: s.missing_tables for s in raw.skipped}
    assert skipped["raw_hubspot__contacts"] == (
        "raw.hubspot__contacts",
        "ops.load_batches",
        "definitions.crm_stage_map",
    )
    assert skipped["raw_quarantine"] == ("quarantine.rejected_rows",)
    # The mart exists but the raw table it reconciles with does not: Google Ads is switched off.
    assert {s.suite: s.missing_tables for s in marts.skipped} == {
        "marts_reconciliation": (
            "raw.google_ads__campaign_daily",
            "raw.meta_ads__campaign_daily",
            "raw.linkedin_ads__campaign_daily",
            "raw.yandex_direct__campaign_daily",
        ),
        "marts_persons": (
            "marts.dim_persons",
            "intermediate.int_crm_records_unioned",
            "intermediate.int_crm_records_merged_to_persons",
            "marts.fct_lead_funnel",
        ),
        "marts_kpi_period": ("marts.fct_kpi_period",),
        "marts_cohort_conversion": ("marts.fct_cohort_conversion",),
        "marts_freshness": ("ops.load_batches",),
    }
    # validate() keeps the row-count history itself, so that suite always runs.
    assert [(o.suite, o.success) for o in marts.outcomes] == [("marts_row_counts", True)]
    marts.raise_for_critical()


def test_an_empty_warehouse_skips_every_raw_suite(warehouse_url, config):
    report = validate("raw", warehouse_url, config)

    assert set(report.skipped_suites) == set(RAW_SUITES)
    assert report.outcomes == ()


def test_every_run_is_recorded_and_latest_outcomes_rebuilds_it(warehouse, warehouse_url, config):
    assert latest_outcomes(warehouse) == {}
    fill(warehouse, config)
    warehouse.execute("update raw.hubspot__deals set amount = -1 where id = '11'")
    warehouse.execute("update raw.hubspot__contacts set lifecyclestage = 'prospect' where id = '2'")
    warehouse.execute("drop table marts.fct_ad_spend_daily")
    first_raw = validate("raw", warehouse_url, config)
    marts = validate("marts", warehouse_url, config)
    warehouse.execute("update raw.hubspot__deals set amount = 1 where id = '11'")
    raw = validate("raw", warehouse_url, config)

    latest = latest_outcomes(warehouse)

    assert set(latest) == {"raw", "marts"}
    assert len(first_raw.critical_failures) == 1
    for stage, report in (("raw", raw), ("marts", marts)):
        rebuilt = latest[stage]
        # Rows are not kept: the observed text already names up to five of them.
        assert rebuilt.outcomes == tuple(replace(o, unexpected_rows=()) for o in report.outcomes)
        assert rebuilt.skipped_suites == report.skipped_suites
        assert rebuilt.summary() == report.summary()
    assert latest["raw"].critical_failures == ()
    [warning] = latest["raw"].warnings
    assert warning.describe().startswith("raw_hubspot__contacts / raw.hubspot__contacts / lifecyclestage:")
    assert latest["marts"].skipped_suites == (
        "marts_reconciliation",
        "marts_persons",
        "marts_kpi_period",
        "marts_cohort_conversion",
    )
    runs = warehouse.execute(
        "select stage, expectations, failed_critical, warnings, skipped_suites from ops.quality_runs"
        " order by started_at"
    ).fetchall()
    assert runs == [
        ("raw", 124, 1, 1, []),
        ("marts", 2, 0, 0, list(latest["marts"].skipped_suites)),
        ("raw", 124, 0, 1, []),
    ]


def test_concurrent_runs_in_separate_processes_agree(warehouse, warehouse_url, config):
    fill(warehouse, config)
    warehouse.execute("update raw.hubspot__deals set amount = -1 where id = '11'")

    with multiprocessing.get_context("spawn").Pool(2) as pool:
        reports = pool.starmap(validate, [("raw", warehouse_url, config), ("raw", warehouse_url, config)])

    for report in reports:
        assert [(f.suite, f.column) for f in report.critical_failures] == [("raw_hubspot__deals", "amount")]
    # The sources the freshness check reads are upserted, never doubled: 2 Google Ads + 3 Meta Ads
    # + 6 HubSpot + 1 fx_rates streams.
    assert warehouse.execute("select count(*) from ops.quality_sources").fetchone() == (12,)
    assert warehouse.execute("select count(*) from ops.quality_runs").fetchone() == (2,)


def test_every_committed_expectation_has_one_severity():
    """The severity lives in meta (read by smarketing.quality) and in GX's own field: they must agree."""
    suites = sorted((GX_PROJECT_ROOT / "gx" / "expectations").glob("*.json"))
    every_stream = {f"raw_{stream.table}" for streams in STREAMS.values() for stream in streams}
    assert {p.stem for p in suites} == {*every_stream, "raw_quarantine", "raw_load_batches", *MART_SUITES}
    for path in suites:
        for expectation in json.loads(path.read_text())["expectations"]:
            assert expectation["meta"]["severity"] in {"critical", "warning"}, path
            assert expectation["severity"] == expectation["meta"]["severity"], path


def test_importing_the_module_does_not_import_gx():
    """DAG files import smarketing.quality at parse time; GX alone takes seconds to import."""
    probe = "import sys, smarketing.quality; sys.exit('great_expectations' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", probe], check=False).returncode == 0
