"""Faults in a real nightly run (dag.test, real Postgres, e-mail to a real SMTP server):

- a source that cannot be loaded does not stop or corrupt the others: they load, the marts are
  built and validated, the report goes out naming the stale source, and the data team is alerted
  with the file and the reason;
- a critical quality failure stops the run before the marts are published (no report), and the
  data team is alerted with the failed check;
- a dbt model that fails does the same, and the alert names the model with dbt's error.

The tiny fixture's figures are in tests/fixtures/tiny/README.md; report day 2026-03-10.
"""

import email
import email.policy
import shutil
from datetime import date
from decimal import Decimal
from email.message import EmailMessage
from pathlib import Path

import psycopg
import pytest

from smarketing.cli import run_nightly, run_report

pytestmark = pytest.mark.e2e

TINY = Path(__file__).parent.parent / "fixtures" / "tiny"
REPORT_DAY = date(2026, 3, 10)
DATA_TEAM = "data-team@example.org"


@pytest.fixture
def sources(tmp_path):
    """A private copy of the tiny fixture's source folders, to break."""
    copy = tmp_path / "sources"
    shutil.copytree(TINY, copy)
    return copy


@pytest.fixture
def configured(tiny_run, sources):
    return tiny_run(sources, "ceo@example.org", f"alerts:\n  recipients: [{DATA_TEAM}]\n")


def parse(eml: Path) -> EmailMessage:
    return email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)


def task_states(dag_id: str) -> dict[str, str]:
    """Task id -> state in the latest run of `dag_id` (mapped tasks as `task[index]`)."""
    from airflow.models import DagRun, TaskInstance
    from airflow.utils.session import create_session

    with create_session() as session:
        run = session.query(DagRun).filter(DagRun.dag_id == dag_id).order_by(DagRun.id.desc()).first()
        instances = session.query(TaskInstance).filter(TaskInstance.dag_id == dag_id, TaskInstance.run_id == run.run_id)
        return {ti.task_id if ti.map_index < 0 else f"{ti.task_id}[{ti.map_index}]": str(ti.state) for ti in instances}


def failed_nightly() -> str:
    with pytest.raises(SystemExit) as ended:
        run_nightly(REPORT_DAY)
    return str(ended.value)


def test_a_source_that_cannot_be_loaded_leaves_the_others_and_the_report_names_it(configured, sources, warehouse_url):
    # HubSpot's export of contacts was cut off mid-page.
    (sources / "hubspot" / "contacts" / "page-0002.json").write_text('{"results": [{"id": "900", "properties": {')

    ended = failed_nightly()
    assert "smarketing_nightly" in ended and "alert_on_failure" in ended

    states = task_states("smarketing_nightly")
    # Mapped in the order of the config: google_ads, hubspot.
    assert states["extract_load[0]"] == "success"
    assert states["extract_load[1]"] == "failed"
    assert states["validate_raw"] == "success"
    assert states["validate_marts"] == "success"  # the MARTS Asset is updated: the report runs
    assert states["alert_on_failure"] == "failed"  # the run shows as failed

    with psycopg.connect(warehouse_url) as conn:
        spend = conn.execute("select sum(spend) from marts.fct_ad_spend_daily").fetchone()[0]
        contacts = conn.execute("select count(*) from raw.hubspot__contacts").fetchone()[0]
        [(stream, error)] = conn.execute("select stream, error from ops.load_failures").fetchall()
    # Google Ads loaded as on a good night: its 6 campaign-days in the tiny fixture, EUR 999 + 300
    # + 50 + 120 + 100 + 250.50 = 1,819.50.
    assert spend == Decimal("1819.50")
    assert contacts == 0  # the contacts page 1 was not loaded without its page 2: all or nothing
    assert stream == "contacts" and "page-0002.json" in error and "not valid JSON" in error

    [alert] = [parse(eml) for eml in configured.received]
    assert alert["To"] == DATA_TEAM
    assert alert["Subject"].startswith("smarketing nightly for 2026-03-11 FAILED: could not load hubspot")
    assert "the report names it as stale" in alert["Subject"]
    body = alert.get_content()
    assert "hubspot/contacts, window" in body and "page-0002.json" in body and "not valid JSON" in body
    assert "Failed tasks: alert_on_failure, extract_load[hubspot]" not in body  # not itself
    assert "Failed tasks: extract_load[hubspot]" in body

    run_report(["daily"], REPORT_DAY)
    report = parse(configured.received[1])
    assert report["To"] == "ceo@example.org"
    text = report.get_body(("plain",)).get_content()
    assert "1 stale source (hubspot: no complete load yet)" in text
    assert "hubspot" in text.split("HEADLINE KPIS")[0].split("<< STALE")[0].splitlines()[-1]
    # The marts gate's freshness warning names it too.
    banner = text.split("HEADLINE KPIS")[0]
    assert "! " in banner and "hubspot" in banner.split("! ", 1)[1]


def test_a_critical_check_stops_the_run_before_the_report_and_alerts_the_data_team(configured, sources, warehouse_url):
    # One of the 6 campaign-days reports negative spend: its row is quarantined, which is 1 in 6
    # rows of the batch (17 %, over the 5 % a stream may lose before the gate stops).
    page = sources / "google_ads" / "1111111111" / "searchStream_2026-03-10.json"
    page.write_text(page.read_text().replace('"costMicros": "100000000"', '"costMicros": "-100000000"', 1))

    failed_nightly()
    states = task_states("smarketing_nightly")
    assert states["validate_raw"] == "failed"
    assert states["validate_marts"] == "upstream_failed"  # no Asset event: no report
    assert states["transform"] == "upstream_failed"

    with psycopg.connect(warehouse_url) as conn:
        quarantined = conn.execute(
            "select origin, line, field, reason from quarantine.rejected_rows where released_at is null"
        ).fetchall()
    [(origin, line, field, reason)] = quarantined
    assert origin.endswith("searchStream_2026-03-10.json") and line == 1 and field == "metrics.costMicros"
    assert "-100000000" in reason

    [alert] = [parse(eml) for eml in configured.received]
    assert alert["To"] == DATA_TEAM
    assert "critical data-quality check(s) failed; no report was published" in alert["Subject"]
    body = alert.get_content()
    assert "Critical data-quality checks that failed:" in body and "google_ads" in body
    assert "google_ads/campaign_daily: 1" in body  # the quarantine, by stream


def test_a_dbt_model_that_fails_stops_the_run_before_the_report_and_the_alert_names_it(configured, warehouse_url):
    # A raw table of a source nobody configured, left behind with a column of the wrong type: the
    # loads and the raw gate pass, dbt cannot create the staging view on it.
    with psycopg.connect(warehouse_url, autocommit=True) as conn:
        conn.execute("create schema raw")
        conn.execute("create table raw.meta_ads__accounts (account_id text primary key, currency integer)")

    failed_nightly()
    states = task_states("smarketing_nightly")
    assert states["validate_raw"] == "success"
    assert states["transform"] == "failed"
    assert states["validate_marts"] == "upstream_failed"  # no Asset event: no report

    [alert] = [parse(eml) for eml in configured.received]
    assert alert["To"] == DATA_TEAM
    assert "dbt build failed (stg_meta_ads__accounts); no report was published" in alert["Subject"]
    body = alert.get_content().replace("\r\n", "\n")
    assert "- model.smarketing.stg_meta_ads__accounts:\n    error: " in body
    assert "upper(integer) does not exist" in body
