"""A model dbt cannot build is recorded as dbt reports it, and the data team's alert names it."""

from datetime import UTC, datetime

import psycopg

from smarketing.alerts import alert_text, collect
from smarketing.cli import dbt_environment
from smarketing.config import REPO_ROOT
from smarketing.dbt_failures import failure_recorder
from smarketing.load import ensure_ops_schema


def test_a_model_whose_source_was_never_loaded_is_recorded_and_named_in_the_alert(warehouse_url, monkeypatch):
    from dbt.cli.main import dbtRunner

    for name, value in dbt_environment(warehouse_url, threads=2).items():
        monkeypatch.setenv(name, value)
    with psycopg.connect(warehouse_url, autocommit=True) as conn:
        ensure_ops_schema(conn)  # as prepare_warehouse does first thing every night
    started = datetime.now(UTC)
    project = REPO_ROOT / "dbt_project"
    recorder = failure_recorder(lambda: psycopg.connect(warehouse_url, autocommit=True))

    # The empty warehouse has no raw tables: the staging view cannot be created, its tests are skipped.
    dbt_args = ["build", "--select", "stg_google_ads__campaign_daily"]
    result = dbtRunner(callbacks=[recorder]).invoke(
        [*dbt_args, "--project-dir", str(project), "--profiles-dir", str(project)]
    )

    assert not result.success
    with psycopg.connect(warehouse_url, autocommit=True) as conn:
        recorded = conn.execute("select node, status, message from ops.dbt_failures").fetchall()
        [(node, status, message)] = recorded
        assert (node, status) == ("model.smarketing.stg_google_ads__campaign_daily", "error")
        assert 'relation "raw.google_ads__campaign_daily" does not exist' in message

        failure = collect(
            conn,
            run_label="for 2026-03-11",
            since=started,
            failed_tasks=["transform"],
            failed_sources=[],
            failed_stages=[],
            report_published=False,
            dbt_failed=True,
        )
    assert failure.headline == "dbt build failed (stg_google_ads__campaign_daily); no report was published"
    text = alert_text(failure)
    assert "- model.smarketing.stg_google_ads__campaign_daily:\n    error: " in text
    assert "does not exist" in text
