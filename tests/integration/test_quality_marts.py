"""The gates on the `tiny` fixture as dbt builds it (tests/fixtures/tiny/README.md), then on copies
of it broken by hand, one defect at a time; and `smarketing quality` on them.

The fixture is built once per module into a template database; each test gets a copy.
Persons (README): contacts 101..108 are 8 CRM records; 106 is 104's e-mail in other case and
spaces, so 7 persons; 105 (example.com) is excluded, so fct_lead_funnel has 6.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from smarketing.cli import _dbt, main
from smarketing.config import SourceConfig, load_config
from smarketing.pipeline import extract_and_load, prepare_warehouse
from smarketing.quality import GX_PROJECT_ROOT, ensure_quality_tables, validate

pytestmark = pytest.mark.integration

TINY = Path(__file__).parents[1] / "fixtures" / "tiny"
LAST_DAY = date(2026, 3, 10)
# HubSpot may end a day before the run's last day before it counts as stale.
CONFIG = f"""
sources:
  google_ads: {{path: {TINY / "google_ads"}, lookback_days: 30}}
  hubspot: {{path: {TINY / "hubspot"}, lookback_days: 3, max_lag_days: 1}}
report: {{recipients: [a@example.org], sender: b@example.org}}
definitions:
  exclude_email_domains: [example.com]
"""
MART_TABLES = {
    "marts.dim_campaigns": 2,
    "marts.dim_channels": 10,
    "marts.dim_persons": 7,
    "marts.fct_ad_spend_daily": 6,
    "marts.fct_campaign_performance": 20,
    "marts.fct_cohort_conversion": 5,
    "marts.fct_funnel_daily": 16,
    "marts.fct_kpi_period": 2646,
    "marts.fct_lead_funnel": 6,
    "marts.fct_lead_sla": 5,
    "marts.fct_leakage": 0,
    "marts.fct_stage_history": 20,
}


def person(email: str) -> str:
    return hashlib.md5(f"email:{email}".encode()).hexdigest()


@pytest.fixture(scope="module")
def config_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("quality") / "smarketing.yml"
    path.write_text(CONFIG)
    return path


@pytest.fixture(scope="module")
def tiny_template(pg_server, config_file):
    """The tiny fixture loaded and built by dbt, as the nightly run would, in a database to copy."""
    name = f"tiny_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_server.url_of("postgres"), autocommit=True) as admin:
        admin.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
    url = pg_server.url_of(name)
    config = load_config(config_file)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("SMARKETING_CONFIG", str(config_file))
        with psycopg.connect(url, autocommit=True) as conn:
            prepare_warehouse(conn, config)
            for source in config.sources:
                extract_and_load(conn, config, source, LAST_DAY)
        assert _dbt(url, ["build", "--quiet"]) == 0
    yield name
    with psycopg.connect(pg_server.url_of("postgres"), autocommit=True) as admin:
        admin.execute(sql.SQL("drop database {} with (force)").format(sql.Identifier(name)))


@pytest.fixture
def tiny_url(pg_server, tiny_template):
    name = f"test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_server.url_of("postgres"), autocommit=True) as admin:
        admin.execute(
            sql.SQL("create database {} template {}").format(sql.Identifier(name), sql.Identifier(tiny_template))
        )
    yield pg_server.url_of(name)
    with psycopg.connect(pg_server.url_of("postgres"), autocommit=True) as admin:
        admin.execute(sql.SQL("drop database {} with (force)").format(sql.Identifier(name)))


@pytest.fixture
def tiny(tiny_url):
    with psycopg.connect(tiny_url, autocommit=True) as conn:
        yield conn


@pytest.fixture(scope="module")
def config(config_file):
    return load_config(config_file)


def of_suite(report, suite: str):
    return [o for o in report.outcomes if o.suite == suite]


def test_the_tiny_build_passes_every_check(tiny, tiny_url, config):
    raw = validate("raw", tiny_url, config)
    marts = validate("marts", tiny_url, config)

    # Raw: the configured sources' suites only, Google Ads 15 + 16, HubSpot 9 + 12 + 8 + 8 + 8 + 5
    # (contacts, deals, calls, emails, meetings, owners), quarantine 1, load batches 1 = 83.
    # Marts: reconciliation 2 per ad platform (4 platforms) + 9 on persons, rates, freshness, counts.
    assert (len(raw.outcomes), len(marts.outcomes)) == (83, 17)
    assert (raw.skipped, marts.skipped) == ((), ())
    assert [o.describe() for o in (*raw.outcomes, *marts.outcomes) if not o.success] == []
    # The identity the persons check holds the marts to, in numbers.
    assert tiny.execute(
        "select count(*), count(*) filter (where is_excluded), sum(crm_record_count) from marts.dim_persons"
    ).fetchone() == (7, 1, 8)
    assert tiny.execute("select count(*) from marts.fct_lead_funnel").fetchone() == (6,)
    counts = tiny.execute("select table_name, row_count from ops.table_row_counts").fetchall()
    assert dict(counts) == MART_TABLES
    assert tiny.execute("select stage, expectations, failed_critical, warnings from ops.quality_runs").fetchall() == [
        ("raw", 83, 0, 0),
        ("marts", 17, 0, 0),
    ]


def test_persons_that_do_not_reconcile_are_critical_and_listed(tiny, tiny_url, config):
    # 101 lost from the funnel, 104 counted with one of its two records, excluded 105 in the funnel.
    tiny.execute("delete from marts.fct_lead_funnel where person_id = %s", [person("a@alpha.io")])
    tiny.execute("update marts.dim_persons set crm_record_count = 1 where person_id = %s", [person("d@delta.io")])
    tiny.execute(
        "create temp table excluded as select * from marts.fct_lead_funnel where person_id = %s",
        [person("c@gamma.io")],
    )
    tiny.execute("update excluded set person_id = %s", [person("e@example.com")])
    tiny.execute("insert into marts.fct_lead_funnel select * from excluded")

    report = validate("marts", tiny_url, config)

    [failure] = report.critical_failures
    assert (failure.suite, failure.table) == ("marts_persons", "marts.dim_persons")
    expected = sorted(
        [
            (person("a@alpha.io"), 1, 1, False, False, 0),
            (person("d@delta.io"), 2, 1, False, False, 1),
            (person("e@example.com"), 1, 1, True, True, 1),
        ]
    )
    assert [tuple(row.values()) for row in failure.unexpected_rows] == expected
    assert failure.observed.startswith(
        f"3 unexpected row(s): person_id={expected[0][0]}, staged_records={expected[0][1]}, "
        f"dim_records={expected[0][2]}, staged_excluded={expected[0][3]}, dim_excluded={expected[0][4]}, "
        f"funnel_rows={expected[0][5]}; "
    )


def test_a_person_missing_from_dim_persons_is_critical(tiny, tiny_url, config):
    tiny.execute("delete from marts.dim_persons where person_id = %s", [person("g@eta.io")])

    [failure] = validate("marts", tiny_url, config).critical_failures

    assert [dict(row) for row in failure.unexpected_rows] == [
        {
            "person_id": person("g@eta.io"),
            "staged_records": 1,
            "dim_records": None,
            "staged_excluded": False,
            "dim_excluded": None,
            "funnel_rows": 1,
        }
    ]


def test_rates_outside_0_1_are_critical(tiny, tiny_url, config):
    tiny.execute(
        "update marts.fct_kpi_period set value = 1.5"
        " where kpi = 'sla_within_share' and period_type = 'month' and period_start = '2026-03-01'"
    )
    # ltv_to_cac is a ratio too (8.87 on tiny), not a share: it passes.
    tiny.execute("update marts.fct_cohort_conversion set lead_to_mql_rate = -0.1 where cohort_month = '2026-02-01'")

    report = validate("marts", tiny_url, config)

    kpis, cohorts = report.critical_failures
    assert (kpis.suite, kpis.observed) == (
        "marts_kpi_period",
        "1 unexpected row(s): period_type=month, period_start=2026-03-01, kpi=sla_within_share, value=1.500000",
    )
    assert (cohorts.suite, cohorts.column, cohorts.observed) == (
        "marts_cohort_conversion",
        "lead_to_mql_rate",
        "1 of 5 rows unexpected, e.g. -0.100000",
    )


def load_later(conn: psycopg.Connection, source: str, days: int) -> None:
    """An empty batch of every stream of `source` through LAST_DAY + `days`: the others fall behind."""
    conn.execute(
        "insert into ops.load_batches (batch_id, source, stream, first_day, last_day, rows_read, rows_inserted,"
        " rows_updated, rows_deleted, pages_read, started_at, finished_at)"
        " select 'later.' || stream, source, stream, %s, %s, 0, 0, 0, 0, 0, now(), now()"
        " from ops.load_batches where source = %s group by source, stream",
        [LAST_DAY, LAST_DAY + timedelta(days=days), source],
    )


@pytest.mark.parametrize(("days_behind", "stale"), [(1, False), (3, True)])
def test_a_source_behind_the_run_by_more_than_its_max_lag_is_a_warning(tiny, tiny_url, config, days_behind, stale):
    load_later(tiny, "google_ads", days_behind)  # HubSpot's max_lag_days is 1

    report = validate("marts", tiny_url, config)

    [freshness] = of_suite(report, "marts_freshness")
    assert report.critical_failures == ()
    assert freshness.success is not stale
    if stale:
        assert freshness.severity == "warning"
        assert freshness.observed == (
            "1 unexpected row(s): source=hubspot, loaded_through=2026-03-10, run_last_day=2026-03-13, days_behind=3,"
            " max_lag_days=1, streams_never_loaded=None"
        )


def test_an_enabled_source_never_loaded_is_stale_and_a_disabled_one_is_not(tiny, tiny_url, config):
    tiny.execute("delete from ops.load_batches where source = 'hubspot' and stream = 'meetings'")
    fx = SourceConfig(path=TINY / "fx_rates")
    sources = {**config.sources, "fx_rates": fx}
    enabled = config.model_copy(update={"sources": sources})
    disabled = config.model_copy(update={"sources": {**sources, "fx_rates": fx.model_copy(update={"enabled": False})}})

    [with_fx] = of_suite(validate("marts", tiny_url, enabled), "marts_freshness")
    [without_fx] = of_suite(validate("marts", tiny_url, disabled), "marts_freshness")

    rows = [(r["source"], r["loaded_through"], r["streams_never_loaded"]) for r in with_fx.unexpected_rows]
    assert rows == [("fx_rates", None, "daily"), ("hubspot", None, "meetings")]
    assert [r["source"] for r in without_fx.unexpected_rows] == ["hubspot"]


def history(conn: psycopg.Connection, table: str, counts: list[int]) -> None:
    """Row counts of earlier gate runs, oldest first."""
    ensure_quality_tables(conn)
    with conn.cursor() as cur:
        cur.executemany(
            "insert into ops.table_row_counts (run_id, table_name, row_count) values (%s, %s, %s)",
            [(f"earlier-{i}", table, count) for i, count in enumerate(counts)],
        )


@pytest.mark.parametrize(
    ("counts", "average"),
    [
        ([], None),  # no history: nothing to compare with
        ([1000] + [14] * 7, None),  # only the previous 7 count: 7 = 0.5 x 14 is in the band
        ([9, 15], None),  # 7 >= 0.5 x 12
        ([15] * 7, Decimal("15.0")),  # 7 < 0.5 x 15
        ([4, 5], Decimal("4.5")),  # 7 > 1.5 x 4.5 = 6.75
    ],
)
def test_a_mart_row_count_far_from_its_trailing_average_is_a_warning(tiny, tiny_url, config, counts, average):
    history(tiny, "marts.dim_persons", counts)

    report = validate("marts", tiny_url, config)

    [band] = of_suite(report, "marts_row_counts")
    assert band.success is (average is None)
    if average is not None:
        assert band.severity == "warning"
        assert band.observed == (
            f"1 unexpected row(s): table_name=marts.dim_persons, row_count=7, trailing_average={average}, "
            f"previous_runs={min(len(counts), 7)}"
        )


def test_smarketing_quality_prints_the_summary_and_builds_data_docs(
    tiny, tiny_url, config_file, tmp_path, monkeypatch, capsys
):
    monkeypatch.setenv("AIRFLOW_CONN_SMARKETING_WAREHOUSE", tiny_url)
    monkeypatch.setenv("SMARKETING_HOME", str(tmp_path))
    monkeypatch.setenv("SMARKETING_CONFIG", str(config_file))
    before = {str(p): p.stat().st_mtime for p in GX_PROJECT_ROOT.rglob("*")}

    with pytest.raises(SystemExit) as clean:
        main(["quality"])

    out = capsys.readouterr().out
    docs = tmp_path / "quality" / "data_docs" / "index.html"
    assert clean.value.code == 0
    assert out.splitlines() == [
        "raw: 83 expectations, 0 critical failed, 0 warning(s); skipped suites: none",
        "marts: 17 expectations, 0 critical failed, 0 warning(s); skipped suites: none",
        "open quarantine: none",
        "load failures, last 7 days: none",
        "stale sources: none",
        f"Data Docs: {docs}",
    ]
    assert docs.is_file()
    # A page per suite run: the configured streams (Google Ads 2, HubSpot 6), quarantine and load
    # batches, the 6 mart suites.
    assert len(list((tmp_path / "quality" / "data_docs" / "validations").rglob("*.html"))) == 8 + 2 + 6
    # GX's remote logo carries the context id: a page-view beacon, replaced by the local copy.
    assert [p for p in docs.parent.rglob("*.html") if "dataContextId" in p.read_text()] == []
    assert 'src="static/images/logo-long.png"' in docs.read_text()

    tiny.execute("delete from marts.fct_lead_funnel where person_id = %s", [person("a@alpha.io")])
    load_later(tiny, "google_ads", 3)
    tiny.execute(
        "insert into quarantine.rejected_rows (source, stream, batch_id, origin, line, field, reason, quarantined_at)"
        " values ('hubspot', 'contacts', 'b9', 'contacts/page-0002.json', 4, 'properties.createdate',"
        " 'expected an ISO-8601 timestamp', now()),"
        " ('hubspot', 'contacts', 'b9', 'contacts/page-0002.json', 7, 'properties.createdate',"
        " 'expected an ISO-8601 timestamp', now() + interval '1 second')"
    )
    failed_at = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(days=2)
    with tiny.cursor() as cur:
        cur.executemany(
            "insert into ops.load_failures values ('google_ads', 'campaign_daily', '2026-03-08', '2026-03-10', %s, %s)",
            [("HTTP 503 from the proxy\nretry later", failed_at), ("too old", failed_at - timedelta(days=6))],
        )

    with pytest.raises(SystemExit) as broken:
        main(["quality"])

    out = capsys.readouterr().out
    assert broken.value.code == 1
    lines = out.splitlines()
    assert lines[0] == "raw: 83 expectations, 0 critical failed, 1 warning(s); skipped suites: none"
    assert lines[1].startswith("  WARNING  raw_quarantine / quarantine.rejected_rows / (table): ")
    assert lines[2] == "marts: 17 expectations, 1 critical failed, 1 warning(s); skipped suites: none"
    assert lines[3].startswith("  CRITICAL marts_persons / marts.dim_persons / (table): ")
    assert lines[4].startswith("  WARNING  marts_freshness / ops.quality_sources / (table): ")
    assert lines[5:] == [
        "open quarantine:",
        "  hubspot/contacts properties.createdate: expected an ISO-8601 timestamp: 2 row(s),"
        " e.g. contacts/page-0002.json:4",
        "load failures, last 7 days:",
        f"  {failed_at:%Y-%m-%d %H:%M} UTC google_ads/campaign_daily 2026-03-08..2026-03-10: HTTP 503 from the proxy",
        "stale sources:",
        "  hubspot: loaded through 2026-03-10, 3 day(s) behind 2026-03-13 (max_lag_days 1)",
        f"Data Docs: {docs}",
    ]
    assert docs.is_file()
    assert {str(p): p.stat().st_mtime for p in GX_PROJECT_ROOT.rglob("*")} == before
