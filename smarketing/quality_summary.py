"""`smarketing quality`: both gates on the warehouse now, GX Data Docs of that run, and a summary
for the terminal - what a data engineer looks at after an alert.

The runs are recorded like the nightly ones (ops.quality_runs). The Data Docs site is added to this
command's own context object only: the committed context keeps results in memory, so nightly runs
write nothing to disk, and the site is built from this process's in-memory results.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import psycopg

from smarketing.config import Config
from smarketing.quality import QualityReport, gx_context, validate
from smarketing.quality_rules import FRESHNESS_SUITE, QUARANTINE
from smarketing.warehouse.connection import libpq_url, relation_exists

if TYPE_CHECKING:
    from great_expectations.data_context import FileDataContext

STAGES = ("raw", "marts")
DATA_DOCS_SITE = "local_site"
# GX's page header loads its logo from GX's bucket with the context id and a timestamp in the URL,
# a page-view beacon; the site has the same image in static/images.
_REMOTE_LOGO = re.compile(
    r"https://great-expectations-web-assets\.s3\.[a-z0-9-]+\.amazonaws\.com/logo-long\.png[^\"']*"
)
LOAD_FAILURE_DAYS = 7


class QuarantineGroup(NamedTuple):
    source: str
    stream: str
    field: str
    reason: str
    rows: int
    example: str  # origin:line of the earliest quarantined row


class LoadFailure(NamedTuple):
    failed_at: datetime
    source: str
    stream: str
    first_day: date
    last_day: date
    error: str


def run_quality(warehouse_url: str, config: Config, docs_dir: Path) -> int:
    """Run, build the docs, print the summary; the exit code: 1 when a critical check failed."""
    context = gx_context(warehouse_url)
    reports = {stage: validate(stage, warehouse_url, config, context) for stage in STAGES}
    index = build_data_docs(context, docs_dir)
    with psycopg.connect(libpq_url(warehouse_url)) as conn:
        quarantine = open_quarantine(conn)
        failures = recent_load_failures(conn)
    print(summary_text(reports, quarantine, failures, index))
    return 1 if any(report.critical_failures for report in reports.values()) else 0


def build_data_docs(context: FileDataContext, docs_dir: Path) -> Path:
    """A fresh Data Docs site in `docs_dir` from the context's validation results; its index.html."""
    shutil.rmtree(docs_dir, ignore_errors=True)
    # Set on this context object only (never saved): the committed great_expectations.yml has no site.
    context.variables.data_docs_sites = {
        DATA_DOCS_SITE: {
            "class_name": "SiteBuilder",
            "show_how_to_buttons": False,
            "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(docs_dir)},
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        }
    }
    context.build_data_docs(site_names=[DATA_DOCS_SITE])
    logo = docs_dir / "static" / "images" / "logo-long.png"
    for page in docs_dir.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        page.write_text(_REMOTE_LOGO.sub(os.path.relpath(logo, page.parent), html), encoding="utf-8")
    return docs_dir / "index.html"


def open_quarantine(conn: psycopg.Connection) -> list[QuarantineGroup]:
    if not relation_exists(conn, QUARANTINE):
        return []
    rows = conn.execute(
        f"""
        select source, stream, field, reason, count(*),
            (array_agg(origin || ':' || coalesce(line::text, '?') order by quarantined_at, rejection_id))[1]
        from {QUARANTINE}
        where released_at is null
        group by source, stream, field, reason
        order by source, stream, field, reason
        """
    ).fetchall()
    return [QuarantineGroup(*row) for row in rows]


def recent_load_failures(conn: psycopg.Connection, days: int = LOAD_FAILURE_DAYS) -> list[LoadFailure]:
    if not relation_exists(conn, "ops.load_failures"):
        return []
    rows = conn.execute(
        """
        select failed_at, source, stream, first_day, last_day, error
        from ops.load_failures
        where failed_at >= now() - make_interval(days => %s)
        order by failed_at desc, source, stream
        """,
        [days],
    ).fetchall()
    return [LoadFailure(*row) for row in rows]


def stale_sources(marts: QualityReport) -> list[Mapping[str, Any]] | None:
    """The freshness check's rows (stale sources); None when it did not run."""
    freshness = [o for o in marts.outcomes if o.suite == FRESHNESS_SUITE]
    return [row for outcome in freshness for row in outcome.unexpected_rows] if freshness else None


def summary_text(
    reports: Mapping[str, QualityReport],
    quarantine: Sequence[QuarantineGroup],
    failures: Sequence[LoadFailure],
    docs_index: Path,
) -> str:
    lines: list[str] = []
    for stage, report in reports.items():
        skipped = ", ".join(report.skipped_suites) or "none"
        lines.append(
            f"{stage}: {len(report.outcomes)} expectations, {len(report.critical_failures)} critical failed, "
            f"{len(report.warnings)} warning(s); skipped suites: {skipped}"
        )
        lines += [f"  CRITICAL {o.describe()}" for o in report.critical_failures]
        lines += [f"  WARNING  {o.describe()}" for o in report.warnings]
    lines.append("open quarantine:" + ("" if quarantine else " none"))
    lines += [f"  {q.source}/{q.stream} {q.field}: {q.reason}: {q.rows} row(s), e.g. {q.example}" for q in quarantine]
    lines.append(f"load failures, last {LOAD_FAILURE_DAYS} days:" + ("" if failures else " none"))
    lines += [
        f"  {f.failed_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC {f.source}/{f.stream} {f.first_day}..{f.last_day}: "
        f"{(f.error.splitlines() or [''])[0]}"
        for f in failures
    ]
    stale = stale_sources(reports["marts"]) if "marts" in reports else None
    if stale is None:
        lines.append("stale sources: not checked (the freshness suite did not run)")
    else:
        lines.append("stale sources:" + ("" if stale else " none"))
        lines += [f"  {_stale_text(row)}" for row in stale]
    lines.append(f"Data Docs: {docs_index}")
    return "\n".join(lines)


def _stale_text(row: Mapping[str, Any]) -> str:
    if row["streams_never_loaded"]:
        return f"{row['source']}: never loaded {row['streams_never_loaded']}"
    return (
        f"{row['source']}: loaded through {row['loaded_through']}, {row['days_behind']} day(s) behind "
        f"{row['run_last_day']} (max_lag_days {row['max_lag_days']})"
    )
