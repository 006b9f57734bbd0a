"""The GX gates on a real Postgres: hand-made raw and mart rows, one defect at a time."""

from __future__ import annotations

import json
import multiprocessing
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest

from smarketing.quality import GX_PROJECT_ROOT, QualityGateFailed, validate

pytestmark = pytest.mark.integration

DDL = {
    "raw.google_ads__campaign_daily": """
        create table raw.google_ads__campaign_daily (
            customer_id text not null, customer_name text, currency_code text, time_zone text,
            campaign_id text not null, campaign_name text, channel_type text, campaign_status text,
            date date not null, cost_micros bigint, impressions bigint, clicks bigint, conversions numeric,
            _extra jsonb, _batch_id text not null, _loaded_at timestamptz not null,
            _source_origin text not null, _source_line integer not null,
            primary key (customer_id, campaign_id, date)
        )""",
    "raw.hubspot__contacts": """
        create table raw.hubspot__contacts (
            id text primary key, email text, createdate timestamptz, updated_at timestamptz,
            _batch_id text not null, _source_origin text, _source_line integer
        )""",
    "raw.hubspot__deals": """
        create table raw.hubspot__deals (
            id text primary key, amount numeric, deal_currency_code text, dealstage text,
            createdate timestamptz, _batch_id text not null
        )""",
    "marts.fct_ad_spend_daily": """
        create table marts.fct_ad_spend_daily (
            ad_spend_id text, date_day date, ad_platform text, account_id text, campaign_key text,
            ad_group_id text, currency_code text, spend numeric(18, 6), spend_original numeric(18, 6),
            impressions bigint, clicks bigint
        )""",
}

# (customer_id, campaign_id, date, cost_micros, impressions, clicks)
GOOGLE_ADS = [
    ("111", "c1", date(2024, 3, 1), 1_230_000, 100, 10),
    ("111", "c2", date(2024, 3, 1), 2_500_000, 200, 5),
    ("111", "c1", date(2024, 3, 2), 990_000, 50, 3),
    ("222", "c9", date(2024, 3, 1), 10_000_001, 1000, 40),
]
# The same rows as dbt builds them, spend = cost_micros / 1e6 worked out by hand; plus a Meta row
# that the Google Ads reconciliation must leave alone.
MART = [
    ("google_ads", "111", "c1", date(2024, 3, 1), "1.230000", 100, 10),
    ("google_ads", "111", "c2", date(2024, 3, 1), "2.500000", 200, 5),
    ("google_ads", "111", "c1", date(2024, 3, 2), "0.990000", 50, 3),
    ("google_ads", "222", "c9", date(2024, 3, 1), "10.000001", 1000, 40),
    ("meta_ads", "act_7", "9001", date(2024, 3, 1), "55.000000", 900, 30),
]
RAW_SUITES = ("raw_google_ads__campaign_daily", "raw_hubspot__contacts", "raw_hubspot__deals")


def create(conn: psycopg.Connection, *tables: str) -> None:
    for table in tables:
        conn.execute(f"create schema if not exists {table.split('.')[0]}")
        conn.execute(DDL[table])


def fill(conn: psycopg.Connection) -> None:
    """Every table, clean."""
    create(conn, *DDL)
    with conn.cursor() as cur:
        cur.executemany(
            "insert into raw.google_ads__campaign_daily (customer_id, campaign_id, date, cost_micros,"
            " impressions, clicks, currency_code, _batch_id, _loaded_at, _source_origin, _source_line)"
            " values (%s, %s, %s, %s, %s, %s, 'EUR', 'b1', now(), 'report.json', 1)",
            GOOGLE_ADS,
        )
        cur.executemany(
            "insert into marts.fct_ad_spend_daily (ad_spend_id, campaign_key, ad_platform, account_id, date_day,"
            " currency_code, spend, spend_original, impressions, clicks)"
            " values (%s, %s, %s, %s, %s, 'EUR', %s, %s, %s, %s)",
            [
                (f"{p}:{a}:{c}:{d}", f"{p}:{a}:{c}", p, a, d, Decimal(s), Decimal(s), i, k)
                for p, a, c, d, s, i, k in MART
            ],
        )
    conn.execute(
        "insert into raw.hubspot__contacts (id, email, createdate, _batch_id) values"
        " ('1', 'ann@example.com', '2024-03-01 09:00+00', 'b1'), ('2', null, '2024-03-02 10:00+00', 'b1')"
    )
    # A deal without an amount is allowed; a negative one is not.
    conn.execute(
        "insert into raw.hubspot__deals (id, amount, dealstage, _batch_id) values"
        " ('10', 1200.50, 'closedwon', 'b1'), ('11', 0, 'appointmentscheduled', 'b1'),"
        " ('12', null, 'qualifiedtobuy', 'b1')"
    )


def tree_state(root: Path) -> dict[str, float]:
    return {str(p): p.stat().st_mtime for p in root.rglob("*")}


def test_clean_data_passes_and_writes_nothing(warehouse, warehouse_url):
    fill(warehouse)
    before = tree_state(GX_PROJECT_ROOT)

    raw = validate("raw", warehouse_url)
    marts = validate("marts", warehouse_url)

    assert tree_state(GX_PROJECT_ROOT) == before
    assert len(raw.outcomes) == 7 + 2 + 2
    assert len(marts.outcomes) == 2
    for report in (raw, marts):
        assert [o for o in report.outcomes if not o.success] == []
        assert report.skipped == ()
        report.raise_for_critical()
    assert [o.unexpected_count for o in marts.outcomes] == [0, 0]
    assert {o.unexpected_count for o in raw.outcomes} == {0}


def test_negative_cost_micros_is_a_critical_failure(warehouse, warehouse_url):
    fill(warehouse)
    warehouse.execute("update raw.google_ads__campaign_daily set cost_micros = -5 where campaign_id = 'c2'")

    report = validate("raw", warehouse_url)

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


def test_hubspot_defects_are_critical_and_all_listed(warehouse, warehouse_url):
    fill(warehouse)
    warehouse.execute("update raw.hubspot__deals set amount = -100 where id = '10'")
    warehouse.execute("update raw.hubspot__contacts set createdate = null")

    report = validate("raw", warehouse_url)

    failed = {(f.suite, f.table, f.column, f.unexpected_count) for f in report.critical_failures}
    assert failed == {
        ("raw_hubspot__deals", "raw.hubspot__deals", "amount", 1),
        ("raw_hubspot__contacts", "raw.hubspot__contacts", "createdate", 2),
    }
    with pytest.raises(QualityGateFailed) as raised:
        report.raise_for_critical()
    message = str(raised.value)
    assert "raw_hubspot__deals / raw.hubspot__deals / amount: expect_column_values_to_be_between" in message
    assert "raw_hubspot__contacts / raw.hubspot__contacts / createdate: expect_column_values_to_not_be_null" in message


def test_clicks_above_impressions_is_only_a_warning(warehouse, warehouse_url):
    fill(warehouse)
    warehouse.execute(
        "update raw.google_ads__campaign_daily set clicks = 60 where customer_id = '111' and date = '2024-03-02'"
    )

    report = validate("raw", warehouse_url)

    assert report.critical_failures == ()
    [warning] = report.warnings
    assert (warning.suite, warning.column, warning.severity) == (
        "raw_google_ads__campaign_daily",
        "impressions, clicks",
        "warning",
    )
    assert warning.unexpected_count == 1
    report.raise_for_critical()


@pytest.mark.parametrize(
    ("delta", "reconciles"),
    [("0.01", False), ("-0.01", False), ("0.005", False), ("0.004999", True), ("0.001", True)],
)
def test_mart_spend_reconciles_with_raw_to_the_cent(warehouse, warehouse_url, delta, reconciles):
    fill(warehouse)
    warehouse.execute(
        "update marts.fct_ad_spend_daily set spend_original = spend_original + %s"
        " where account_id = '111' and date_day = '2024-03-02'",
        [Decimal(delta)],
    )

    report = validate("marts", warehouse_url)

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


def test_a_missing_mart_row_fails_both_reconciliations(warehouse, warehouse_url):
    fill(warehouse)
    warehouse.execute("delete from marts.fct_ad_spend_daily where account_id = '111' and date_day = '2024-03-02'")

    report = validate("marts", warehouse_url)

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


def test_ad_group_rows_of_a_campaign_day_reconcile_with_its_campaign_row(warehouse, warehouse_url):
    """At ad-group grain a campaign-day is several mart rows: 1.23 = 1.00 + 0.23 for c1 on 03-01."""
    fill(warehouse)
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

    report = validate("marts", warehouse_url)

    assert report.critical_failures == ()
    assert [o.unexpected_count for o in report.outcomes] == [0, 0]


def test_a_campaign_day_only_one_side_has_fails_the_presence_check(warehouse, warehouse_url):
    """c2's spend booked on c1 and c2 moved to 03-02 in the mart: spend per account-day still
    matches, the campaign-days do not."""
    fill(warehouse)
    warehouse.execute(
        "update marts.fct_ad_spend_daily set date_day = '2024-03-02', spend_original = 0"
        " where campaign_key = 'google_ads:111:c2'"
    )
    warehouse.execute(
        "update marts.fct_ad_spend_daily set spend_original = spend_original + 2.5"
        " where campaign_key = 'google_ads:111:c1' and date_day = '2024-03-01'"
    )

    report = validate("marts", warehouse_url)

    [rows] = report.critical_failures
    assert rows.description.startswith("Every raw Google Ads campaign-day is in the mart")
    assert [(r["campaign_key"], r["date_day"], r["in_mart"], r["in_raw"]) for r in rows.unexpected_rows] == [
        ("google_ads:111:c2", date(2024, 3, 1), False, True),
        ("google_ads:111:c2", date(2024, 3, 2), True, False),
    ]


def test_absent_tables_skip_their_suites(warehouse, warehouse_url):
    create(warehouse, "raw.hubspot__contacts", "marts.fct_ad_spend_daily")

    raw = validate("raw", warehouse_url)
    marts = validate("marts", warehouse_url)

    assert {(s.suite, s.missing_tables) for s in raw.skipped} == {
        ("raw_google_ads__campaign_daily", ("raw.google_ads__campaign_daily",)),
        ("raw_hubspot__deals", ("raw.hubspot__deals",)),
    }
    assert {o.suite for o in raw.outcomes} == {"raw_hubspot__contacts"}
    assert all(o.success for o in raw.outcomes)
    # The mart exists but the raw table it reconciles with does not: Google Ads is switched off.
    assert marts.skipped_suites == ("marts_reconciliation",)
    assert marts.outcomes == ()
    marts.raise_for_critical()


def test_an_empty_warehouse_skips_everything(warehouse_url):
    report = validate("raw", warehouse_url)

    assert set(report.skipped_suites) == set(RAW_SUITES)
    assert report.outcomes == ()


def test_concurrent_runs_in_separate_processes_agree(warehouse, warehouse_url):
    fill(warehouse)
    warehouse.execute("update raw.hubspot__deals set amount = -1 where id = '11'")

    with multiprocessing.get_context("spawn").Pool(2) as pool:
        reports = pool.starmap(validate, [("raw", warehouse_url), ("raw", warehouse_url)])

    for report in reports:
        assert [(f.suite, f.column) for f in report.critical_failures] == [("raw_hubspot__deals", "amount")]


def test_every_committed_expectation_has_one_severity():
    """The severity lives in meta (read by smarketing.quality) and in GX's own field: they must agree."""
    suites = sorted((GX_PROJECT_ROOT / "gx" / "expectations").glob("*.json"))
    assert {p.stem for p in suites} == {*RAW_SUITES, "marts_reconciliation"}
    for path in suites:
        for expectation in json.loads(path.read_text())["expectations"]:
            assert expectation["meta"]["severity"] in {"critical", "warning"}, path
            assert expectation["severity"] == expectation["meta"]["severity"], path


def test_importing_the_module_does_not_import_gx():
    """DAG files import smarketing.quality at parse time; GX alone takes seconds to import."""
    probe = "import sys, smarketing.quality; sys.exit('great_expectations' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", probe], check=False).returncode == 0
