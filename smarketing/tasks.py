"""Task bodies: resolve Airflow's connection and interval, then call the plain functions.

Kept apart from the DAG file so the scheduler's parse imports nothing heavy.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime, timedelta

import psycopg

from smarketing.config import load_config
from smarketing.pipeline import extract_and_load, last_day_of_run
from smarketing.pipeline import prepare_warehouse as _prepare
from smarketing.warehouse.connection import url_from_airflow_connection


def _connect() -> psycopg.Connection:
    config = load_config()
    return psycopg.connect(url_from_airflow_connection(config.warehouse.conn_id), autocommit=True)


def prepare_warehouse() -> str:
    with _connect() as conn:
        return _prepare(conn, load_config())


def extract_load(source: str, data_interval_end: datetime) -> list[dict]:
    config = load_config()
    with _connect() as conn:
        results = extract_and_load(conn, config, source, last_day_of_run(data_interval_end, config))
    return [asdict(result) for result in results]


def validate(stage: str) -> dict:
    from smarketing.quality import validate as run_suites

    config = load_config()
    report = run_suites(stage, url_from_airflow_connection(config.warehouse.conn_id))
    report.raise_for_critical()
    return report.summary()


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


def quality_warnings(triggering_asset_events) -> list[str]:
    """The marts' warning-level check failures, as validate_marts passed them on the Asset event."""
    warnings: list[str] = []
    for events in (triggering_asset_events or {}).values():
        for event in events:
            warnings += [str(w) for w in (getattr(event, "extra", None) or {}).get("warnings", [])]
    return list(dict.fromkeys(warnings))


def render_edition(edition: str, report_day: str, warnings: list[str] | tuple[str, ...] = ()) -> dict:
    """Render and archive one issue of `edition` for `report_day` (YYYY-MM-DD)."""
    from smarketing.report.publish import render_and_archive

    with _connect() as conn:
        return render_and_archive(conn, load_config(), edition, date.fromisoformat(report_day), warnings)


def send_edition(rendered: dict) -> str:
    from smarketing.report.publish import send_archived

    config = load_config()
    with _connect() as conn:
        return send_archived(conn, rendered, config.report.smtp_conn_id)
