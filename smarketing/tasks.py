"""Task bodies: resolve Airflow's connection and interval, then call the plain functions.

Kept apart from the DAG file so the scheduler's parse imports nothing heavy.
"""

from __future__ import annotations

import logging
from dataclasses import asdict
from datetime import date, datetime, timedelta

import psycopg

from smarketing.config import load_config
from smarketing.pipeline import SourceLoadError, extract_and_load, last_day_of_run
from smarketing.pipeline import prepare_warehouse as _prepare
from smarketing.warehouse.connection import connect_in_task, url_from_airflow_connection

log = logging.getLogger(__name__)


def _connect() -> psycopg.Connection:
    return connect_in_task(load_config().warehouse.conn_id)


def prepare_warehouse() -> str:
    with _connect() as conn:
        return _prepare(conn, load_config())


def extract_load(source: str, data_interval_end: datetime) -> list[dict]:
    """Load one source; bad source data or a request the API refused fails at once (a retry would
    get the same), anything else (a lost connection, an API still failing) is left to the retries."""
    from airflow.sdk.exceptions import AirflowFailException

    config = load_config()
    try:
        with _connect() as conn:
            results = extract_and_load(conn, config, source, last_day_of_run(data_interval_end, config))
    except SourceLoadError as failed:
        if all(_is_permanent(error) for error in failed.failures.values()):
            raise AirflowFailException(str(failed)) from failed
        raise
    return [asdict(result) for result in results]


def _is_permanent(error: Exception) -> bool:
    from smarketing.extract.http import ApiError
    from smarketing.extract.records import SourceDataError

    return isinstance(error, SourceDataError) or (isinstance(error, ApiError) and not error.gave_up)


def validate(stage: str) -> dict:
    """Run the stage's quality gate; a critical failure fails the task without retries (the data
    will not change by waiting), which stops the run before the report's Asset is updated."""
    from airflow.sdk.exceptions import AirflowFailException

    from smarketing.quality import QualityGateFailed
    from smarketing.quality import validate as run_suites

    config = load_config()
    report = run_suites(stage, url_from_airflow_connection(config.warehouse.conn_id), config)
    try:
        report.raise_for_critical()
    except QualityGateFailed as failed:
        raise AirflowFailException(str(failed)) from None
    return report.summary()


def alert_on_failure(dag_id: str, run_id: str, run_label: str, started_at: datetime, task_instance) -> None:
    """When anything in the run failed: e-mail the data team what failed and where, then fail
    this task so the run itself shows as failed (its other leaves may have succeeded)."""
    from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

    from smarketing.alerts import alert_message, alert_text, collect
    from smarketing.report.email import send_message

    config = load_config()
    sources = list(config.enabled_sources)  # extract_load is mapped over them in this order
    states = task_instance.get_task_states(dag_id=dag_id, run_ids=[run_id]).get(run_id, {})
    failed = {_task_label(task, sources): task for task, state in states.items() if state in FAILED_STATES}
    if not failed:
        raise AirflowSkipException("nothing failed")
    with _connect() as conn:
        failure = collect(
            conn,
            run_label=run_label,
            since=started_at,
            failed_tasks=sorted(failed),
            failed_sources=[label[len("extract_load[") : -1] for label in failed if label.startswith("extract_load[")],
            failed_stages=[stage for stage in ("raw", "marts") if f"validate_{stage}" in failed],
            report_published=states.get("validate_marts") == "success",
            dbt_failed=states.get("transform") == "failed",
        )
    if config.alerts is None:
        log.warning("no `alerts` configured; the data team is not e-mailed:\n%s", alert_text(failure))
    else:
        smtp_conn_id = config.alerts.smtp_conn_id or config.report.smtp_conn_id
        send_message(alert_message(failure, config), smtp_conn_id=smtp_conn_id)
    raise AirflowFailException(f"nightly run failed: {failure.headline}")


FAILED_STATES = ("failed", "upstream_failed")


def _task_label(task_key: str, sources: list[str]) -> str:
    """`extract_load_1` (a mapped instance, as Airflow keys task states) -> `extract_load[hubspot]`."""
    task_id, _, index = task_key.rpartition("_")
    if task_id == "extract_load" and index.isdigit() and int(index) < len(sources):
        return f"extract_load[{sources[int(index)]}]"
    return task_key


def resolve_report_day(report_day: str | None = None) -> str:
    """The report day of a report run: `report_day` (YYYY-MM-DD) or the latest day the ETL loaded."""
    from smarketing.report.publish import latest_loaded_day

    if report_day:
        return date.fromisoformat(report_day).isoformat()
    with _connect() as conn:
        return latest_loaded_day(conn).isoformat()


def pick_editions(editions: str | list[str], report_day: str) -> list[str]:
    """The editions a report run publishes: "due" (those whose schedule fires on the day after
    the report day), "all" (every enabled one) or names (a list, or a comma-separated string)."""
    from smarketing.report.publish import due_editions, enabled_editions

    config = load_config()
    known = [name for name, _ in config.report.editions.items()]
    if isinstance(editions, str):
        editions = editions.strip()
        if editions == "due":
            return due_editions(config, date.fromisoformat(report_day) + timedelta(days=1))
        if editions == "all":
            return enabled_editions(config)
        editions = [name.strip() for name in editions.split(",") if name.strip()]
    unknown = sorted(set(editions) - set(known))
    if unknown or not editions:
        given = ", ".join(unknown) or "(none given)"
        raise ValueError(f"unknown edition(s) {given}; editions: {', '.join(known)}, all, due")
    return list(dict.fromkeys(editions))


def render_edition(edition: str, report_day: str) -> dict:
    """Render and archive one issue of `edition` for `report_day` (YYYY-MM-DD)."""
    from smarketing.report.publish import render_and_archive

    with _connect() as conn:
        return render_and_archive(conn, load_config(), edition, date.fromisoformat(report_day))


def send_edition(rendered: dict) -> str:
    from smarketing.report.publish import send_archived

    config = load_config()
    with _connect() as conn:
        return send_archived(conn, rendered, config.report.smtp_conn_id)
