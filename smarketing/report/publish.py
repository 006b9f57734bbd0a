"""Publish report editions: decide which are due, render and archive one issue, send it.

Render and send are separate steps so a send can be retried (or repeated weeks later) from the
archived `.eml` without touching the warehouse, and so what was sent is byte for byte what was
archived. Every issue is recorded in `ops.report_sends`:

    send_id             edition:period_start:period_end (one row per issue; a re-render replaces it)
    status              rendered -> sent | failed (error says why)
    message_id          the Message-ID of the last rendered / sent message

An issue's files live in `reports/<edition>/<first day>_<last day>/`: `message.eml` (what is sent),
`report.html` (the HTML part, `cid:` images as sent), `preview/report.html` (the same page with
the images as files, for a browser) and the campaign CSV.
"""

from __future__ import annotations

import email
import email.policy
from datetime import date, datetime, time, timedelta
from pathlib import Path

import psycopg

from smarketing import paths
from smarketing.config import Config
from smarketing.load import OPS_SCHEMA
from smarketing.report.model import EditionName
from smarketing.warehouse.connection import relation_exists

SENDS_TABLE = f"{OPS_SCHEMA}.report_sends"


def due_editions(config: Config, send_day: date) -> list[str]:
    """The enabled editions whose cron schedule (in the report time zone) fires on `send_day`,
    the day after the report day."""
    from croniter import croniter

    start = datetime.combine(send_day, time.min, config.tz)
    end = start + timedelta(days=1)
    due = []
    for name, edition in config.report.editions.items():
        if not edition.enabled:
            continue
        # The first firing at or after local midnight of send_day.
        fires = croniter(edition.schedule, start - timedelta(seconds=1)).get_next(datetime)
        if fires < end:
            due.append(name)
    return due


def enabled_editions(config: Config) -> list[str]:
    return [name for name, edition in config.report.editions.items() if edition.enabled]


def latest_loaded_day(conn: psycopg.Connection) -> date:
    """The report day of a run: the last day the ETL covered (latest last_day in ops.load_batches)."""
    exists = relation_exists(conn, f"{OPS_SCHEMA}.load_batches")
    day = conn.execute(f"select max(last_day) from {OPS_SCHEMA}.load_batches").fetchone()[0] if exists else None
    if day is None:
        raise ValueError("ops.load_batches: nothing loaded yet, so there is no report day; run the nightly DAG first")
    return day


def ensure_sends_table(conn: psycopg.Connection) -> None:
    conn.execute(f"create schema if not exists {OPS_SCHEMA}")
    conn.execute(
        f"""
        create table if not exists {SENDS_TABLE} (
            send_id text primary key,
            edition text not null,
            period_start date not null,
            period_end date not null,
            recipients text[] not null,
            subject text not null,
            message_id text not null,
            definitions_version text not null,
            html_bytes integer not null,
            status text not null check (status in ('rendered', 'sent', 'failed')),
            error text,
            rendered_at timestamptz not null,
            sent_at timestamptz,
            eml_path text not null,
            html_path text not null
        )
        """
    )


def issue_dir(edition: str, first_day: date, last_day: date) -> Path:
    return paths.reports_dir() / edition / f"{first_day.isoformat()}_{last_day.isoformat()}"


def render_and_archive(
    conn: psycopg.Connection,
    config: Config,
    edition: EditionName,
    report_day: date,
) -> dict[str, str]:
    """Render one issue of `edition` for `report_day`, archive it and record it as `rendered`.

    Returns strings only (an XCom): send_id, edition, period, subject, message_id and the paths.
    """
    from smarketing.report.browser import write_preview
    from smarketing.report.data import assemble
    from smarketing.report.edition_email import build_edition_message
    from smarketing.report.edition_render import render_edition
    from smarketing.report.email import _write_atomically

    settings = dict(config.report.editions.items())
    if edition not in settings:
        raise ValueError(f"unknown edition {edition!r}; editions: {', '.join(settings)}")
    edition_config = settings[edition]
    data = assemble(
        conn,
        edition,
        report_day,
        edition_config.top_campaigns,
        sources={name: source.max_lag_days for name, source in config.enabled_sources.items()},
    )
    rendered_at = datetime.now(config.tz)
    rendered = render_edition(data, generated_at=rendered_at)
    recipients = [str(address) for address in edition_config.recipients or config.report.recipients]
    message = build_edition_message(rendered, sender=str(config.report.sender), recipients=recipients)

    out_dir = issue_dir(edition, data.period.first_day, data.period.last_day)
    out_dir.mkdir(parents=True, exist_ok=True)
    html_bytes = rendered.html.encode("utf-8")
    html_path = _write_atomically(out_dir / "report.html", html_bytes)
    eml_path = _write_atomically(out_dir / "message.eml", message.as_bytes(policy=message.policy.clone(linesep="\r\n")))
    csv_path = _write_atomically(out_dir / rendered.csv_name, rendered.csv_bytes)
    preview_path = write_preview(rendered, out_dir / "preview")

    send_id = f"{edition}:{data.period.first_day.isoformat()}:{data.period.last_day.isoformat()}"
    ensure_sends_table(conn)
    with conn.transaction():
        conn.execute(
            f"""
            insert into {SENDS_TABLE} (
                send_id, edition, period_start, period_end, recipients, subject, message_id,
                definitions_version, html_bytes, status, error, rendered_at, sent_at, eml_path, html_path
            ) values (%s, %s, %s, %s, %s, %s, %s, %s, %s, 'rendered', null, %s, null, %s, %s)
            on conflict (send_id) do update set
                recipients = excluded.recipients,
                subject = excluded.subject,
                message_id = excluded.message_id,
                definitions_version = excluded.definitions_version,
                html_bytes = excluded.html_bytes,
                status = 'rendered',
                error = null,
                rendered_at = excluded.rendered_at,
                sent_at = null,
                eml_path = excluded.eml_path,
                html_path = excluded.html_path
            """,
            (
                send_id,
                edition,
                data.period.first_day,
                data.period.last_day,
                recipients,
                rendered.subject,
                message["Message-ID"],
                data.definitions_version,
                len(html_bytes),
                rendered_at,
                str(eml_path),
                str(html_path),
            ),
        )
    return {
        "send_id": send_id,
        "edition": edition,
        "period_start": data.period.first_day.isoformat(),
        "period_end": data.period.last_day.isoformat(),
        "subject": rendered.subject,
        "message_id": str(message["Message-ID"]),
        "eml": str(eml_path),
        "html": str(html_path),
        "preview": str(preview_path),
        "csv": str(csv_path),
    }


def send_archived(conn: psycopg.Connection, rendered: dict[str, str], smtp_conn_id: str) -> str:
    """Send the archived `.eml` of an issue as it is; record `sent` (or `failed` and re-raise)."""
    from smarketing.report.email import send_message

    ensure_sends_table(conn)
    message = email.message_from_bytes(Path(rendered["eml"]).read_bytes(), policy=email.policy.default)
    try:
        message_id = send_message(message, smtp_conn_id=smtp_conn_id)
    except Exception as error:
        conn.execute(
            f"update {SENDS_TABLE} set status = 'failed', error = %s where send_id = %s",
            (f"{type(error).__name__}: {error}"[:2000], rendered["send_id"]),
        )
        raise
    conn.execute(
        f"""
        update {SENDS_TABLE}
        set status = 'sent', error = null, sent_at = now(), message_id = %s
        where send_id = %s
        """,
        (message_id, rendered["send_id"]),
    )
    return message_id
