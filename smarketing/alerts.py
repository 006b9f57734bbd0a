"""The data team's alert: what failed in a nightly run and where, in one plain-text e-mail.

Leadership's report and the data team's alert are separate on purpose: a critical check stops the
report (nobody acts on wrong numbers) while the data team learns what failed; a source that could
not be loaded lets the report go with its staleness banner, and the data team learns why.
Everything the alert says is read back from the warehouse (ops.load_failures, the quality gate's
results, the quarantine), so it names sources, files, lines and fields as the loader did.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage

import psycopg

from smarketing.config import Config
from smarketing.warehouse.connection import relation_exists

# Alert text is for people: a long loader error is cut, the full one is in the task log.
_MAX_ERROR_CHARS = 1500


@dataclass(frozen=True)
class LoadFailure:
    source: str
    stream: str
    window: str
    error: str


@dataclass(frozen=True)
class RunFailure:
    """Why one nightly run failed, as the warehouse recorded it since the run started."""

    run_label: str
    failed_tasks: tuple[str, ...]
    load_failures: tuple[LoadFailure, ...]
    critical_checks: tuple[str, ...]
    open_quarantine: tuple[tuple[str, str, int], ...]  # (source, stream, rows)
    report_published: bool  # the marts passed their gate: the report goes out with a banner
    dbt_failures: tuple[tuple[str, str], ...] = ()  # (dbt node, "status: message")

    @property
    def headline(self) -> str:
        if self.critical_checks:
            return f"{len(self.critical_checks)} critical data-quality check(s) failed; no report was published"
        if self.load_failures:
            sources = ", ".join(sorted({failure.source for failure in self.load_failures}))
            consequence = "the report names it as stale" if self.report_published else "no report was published"
            return f"could not load {sources}; {consequence}"
        if self.dbt_failures:
            # unique_id: <type>.<project>.<name>[.<hash of a test's arguments>]
            nodes = ", ".join(node.split(".")[2] for node, _ in self.dbt_failures)
            return f"dbt build failed ({nodes}); no report was published"
        return f"task(s) failed: {', '.join(self.failed_tasks)}"


def collect(
    conn: psycopg.Connection,
    *,
    run_label: str,
    since: datetime,
    failed_tasks: Sequence[str],
    failed_sources: Sequence[str],
    failed_stages: Sequence[str],
    report_published: bool,
    dbt_failed: bool = False,
) -> RunFailure:
    """Read from the warehouse why the run's failed tasks failed: each failed source's latest load
    failures since `since` (the run's start), each failed quality stage's critical checks, the dbt
    models and tests that failed since then."""
    from smarketing.dbt_failures import failures_since
    from smarketing.quality import latest_outcomes

    load_failures = ()
    if failed_sources and relation_exists(conn, "ops.load_failures"):
        load_failures = tuple(
            LoadFailure(source, stream, f"{first_day}..{last_day}", _shorten(error))
            for source, stream, first_day, last_day, error in conn.execute(
                """
                select distinct on (source, stream) source, stream, first_day, last_day, error
                from ops.load_failures
                where source = any(%s) and failed_at >= %s
                order by source, stream, failed_at desc
                """,
                (list(failed_sources), since),
            )
        )
    outcomes = latest_outcomes(conn) if failed_stages else {}
    critical = tuple(
        outcome.describe()
        for stage in ("raw", "marts")
        if stage in failed_stages and stage in outcomes
        for outcome in outcomes[stage].critical_failures
    )
    quarantine = ()
    if relation_exists(conn, "quarantine.rejected_rows"):
        quarantine = tuple(
            conn.execute(
                """
                select source, stream, count(*)::int
                from quarantine.rejected_rows
                where released_at is null
                group by source, stream
                order by source, stream
                """
            ).fetchall()
        )
    dbt_failures = tuple((node, _shorten(detail)) for node, detail in failures_since(conn, since)) if dbt_failed else ()
    return RunFailure(
        run_label, tuple(failed_tasks), load_failures, critical, quarantine, report_published, dbt_failures
    )


def alert_text(failure: RunFailure) -> str:
    lines = [f"The smarketing nightly run {failure.run_label} failed: {failure.headline}.", ""]
    if failure.load_failures:
        lines.append("Sources that could not be loaded (the warehouse keeps their previous data):")
        for load in failure.load_failures:
            lines.append(f"- {load.source}/{load.stream}, window {load.window}:")
            lines += [f"    {line}" for line in load.error.splitlines()]
        lines.append("")
    if failure.critical_checks:
        lines.append("Critical data-quality checks that failed:")
        lines += [f"- {check}" for check in failure.critical_checks]
        lines.append("")
    if failure.dbt_failures:
        lines.append("dbt models and tests that failed (the models after them were skipped):")
        for node, detail in failure.dbt_failures:
            lines.append(f"- {node}:")
            lines += [f"    {line}" for line in detail.splitlines()]
        lines.append("")
    if failure.open_quarantine:
        lines.append("Rows held in quarantine (not counted until the source is fixed and the interval re-run):")
        lines += [f"- {source}/{stream}: {rows}" for source, stream, rows in failure.open_quarantine]
        lines.append("")
    lines.append(f"Failed tasks: {', '.join(failure.failed_tasks) or '(none recorded)'}")
    lines.append("Details: `make quality` on the warehouse, and the task logs in Airflow.")
    return "\n".join(lines) + "\n"


def alert_message(failure: RunFailure, config: Config) -> EmailMessage:
    from smarketing.report.email import new_message

    alerts = config.alerts
    if alerts is None:
        raise ValueError("no `alerts` in the config: nobody to alert")
    message = new_message(
        subject=f"smarketing nightly {failure.run_label} FAILED: {failure.headline}"[:200],
        sender=str(alerts.sender or config.report.sender),
        recipients=[str(address) for address in alerts.recipients],
    )
    message.set_content(alert_text(failure))
    return message


def _shorten(error: str) -> str:
    return error if len(error) <= _MAX_ERROR_CHARS else error[:_MAX_ERROR_CHARS] + " …"
