"""Task bodies: resolve Airflow's connection and interval, then call the plain functions.

Kept apart from the DAG file so the scheduler's parse imports nothing heavy.
"""

from __future__ import annotations

import email
import email.policy
from dataclasses import asdict
from datetime import datetime
from pathlib import Path

import psycopg

from smarketing import paths
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


def render_report(data_interval_end: datetime) -> dict:
    from smarketing.report.email import archive_report, build_message
    from smarketing.report.kpis import query_kpis
    from smarketing.report.render import render_report as render

    config = load_config()
    last_day = last_day_of_run(data_interval_end, config)
    with _connect() as conn:
        kpis = query_kpis(conn, last_day)
    rendered = render(kpis, generated_at=datetime.now(config.tz))
    message = build_message(
        rendered, sender=str(config.report.sender), recipients=list(map(str, config.report.recipients))
    )
    html_path, eml_path = archive_report(rendered, message, paths.reports_dir() / last_day.isoformat())
    return {"html": str(html_path), "eml": str(eml_path)}


def send_report(rendered: dict) -> str:
    from smarketing.report.email import send_message

    config = load_config()
    message = email.message_from_bytes(Path(rendered["eml"]).read_bytes(), policy=email.policy.default)
    return send_message(message, smtp_conn_id=config.report.smtp_conn_id)
