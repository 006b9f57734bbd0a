"""Data-quality gates of the nightly run: the committed Great Expectations suites, run on the warehouse.

Raw tables are checked before dbt builds on them, marts after it (reconciliation with raw). A failed
critical expectation must stop the report; a failed warning only puts a banner on it. Which suites a
stage runs is the stage's committed checkpoint in `expectations/gx/checkpoints/`.

GX is imported inside functions: DAG files import this module at parse time and GX takes seconds.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import psycopg

from smarketing.config import REPO_ROOT
from smarketing.warehouse.connection import libpq_url, sqlalchemy_url

if TYPE_CHECKING:
    from great_expectations.core.expectation_validation_result import ExpectationValidationResult
    from great_expectations.core.validation_definition import ValidationDefinition
    from great_expectations.data_context import FileDataContext

GX_PROJECT_ROOT = REPO_ROOT / "expectations"
# The `${...}` variable of the datasource's connection string in great_expectations.yml.
WAREHOUSE_URL_VARIABLE = "SMARKETING_GX_WAREHOUSE_URL"
# Suite meta key listing tables a suite's SQL reads besides its own asset's table.
ALSO_READS = "also_reads"
UNEXPECTED_ROWS = "unexpected_rows_expectation"
_EXAMPLES_SHOWN = 5

Stage = Literal["raw", "marts"]
Severity = Literal["critical", "warning"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ExpectationOutcome:
    """One expectation's verdict, flattened so the DAG, the report banner and alerts need no GX."""

    suite: str
    table: str
    expectation: str
    # The suite's own words for the rule, when the expectation type alone does not say it.
    description: str | None
    column: str | None
    severity: Severity
    success: bool
    # Human-readable: "2 of 40 rows unexpected, e.g. -5, -1", the unexpected rows, or the error.
    observed: str
    unexpected_count: int | None = None
    # Rows returned by an UnexpectedRowsExpectation (at most GX's 200), e.g. the unreconciled days.
    unexpected_rows: tuple[Mapping[str, Any], ...] = ()

    def describe(self) -> str:
        rule = f"{self.expectation} ({self.description})" if self.description else self.expectation
        return f"{self.suite} / {self.table} / {self.column or '(table)'}: {rule} — {self.observed}"


@dataclass(frozen=True)
class SkippedSuite:
    """A suite not run because a table it reads does not exist (its source is disabled)."""

    suite: str
    missing_tables: tuple[str, ...]


class QualityGateFailed(RuntimeError):
    """A critical expectation failed: nothing built on this data may be published."""


@dataclass(frozen=True)
class QualityReport:
    """What one stage's gate found: every expectation's outcome and the suites it could not run."""

    stage: Stage
    outcomes: tuple[ExpectationOutcome, ...]
    skipped: tuple[SkippedSuite, ...] = ()

    @property
    def critical_failures(self) -> tuple[ExpectationOutcome, ...]:
        return tuple(o for o in self.outcomes if not o.success and o.severity == "critical")

    @property
    def warnings(self) -> tuple[ExpectationOutcome, ...]:
        """Failed warning-level expectations: the report goes out, with a banner."""
        return tuple(o for o in self.outcomes if not o.success and o.severity == "warning")

    @property
    def skipped_suites(self) -> tuple[str, ...]:
        return tuple(s.suite for s in self.skipped)

    def summary(self) -> dict[str, Any]:
        """What the task returns (XCom): counts and the failed checks in words, no row data."""
        return {
            "stage": self.stage,
            "expectations": len(self.outcomes),
            "failed_critical": [f.describe() for f in self.critical_failures],
            "warnings": [w.describe() for w in self.warnings],
            "skipped_suites": list(self.skipped_suites),
        }

    def raise_for_critical(self) -> None:
        failures = self.critical_failures
        if failures:
            lines = "\n".join(f"- {f.describe()}" for f in failures)
            raise QualityGateFailed(f"{len(failures)} critical data-quality check(s) failed ({self.stage}):\n{lines}")


def validate(stage: Stage, warehouse_url: str) -> QualityReport:
    """Run the stage's committed checkpoint against the warehouse at `warehouse_url`.

    Suites whose tables are absent are reported as skipped, not failed: a disabled source has no
    tables. Nothing is written to disk, so concurrent runs from several workers are safe.
    """
    context = _context(warehouse_url)
    checkpoint = context.checkpoints.get(stage)
    reads = {vd.suite.name: _tables_read(vd) for vd in checkpoint.validation_definitions}
    present = _existing_tables(warehouse_url, {table for tables in reads.values() for table in tables})
    skipped = tuple(
        SkippedSuite(suite, tuple(t for t in tables if t not in present))
        for suite, tables in reads.items()
        if not present.issuperset(tables)
    )
    for s in skipped:
        log.warning("quality %s: suite %s skipped, missing tables %s", stage, s.suite, ", ".join(s.missing_tables))

    outcomes: list[ExpectationOutcome] = []
    if len(skipped) < len(reads):
        # The committed checkpoint runs as is; the results of skipped suites (errors on missing
        # tables) are dropped. Running a subset would need an unsaved checkpoint, which GX saves.
        skipped_names = {s.suite for s in skipped}
        result = checkpoint.run()
        for suite_result in result.run_results.values():
            suite = suite_result.suite_name
            if suite not in skipped_names:
                outcomes.extend(_outcome(suite, reads[suite][0], r) for r in suite_result.results)
    return QualityReport(stage=stage, outcomes=tuple(outcomes), skipped=skipped)


def _context(warehouse_url: str) -> FileDataContext:
    """The committed file context, its datasource URL filled in for this call only.

    `runtime_environment` takes precedence over the process environment and lives in this context
    object, so no credential is written to a file or exported to other code in the process.
    """
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    import great_expectations as gx

    if not (GX_PROJECT_ROOT / "gx" / "great_expectations.yml").is_file():
        # get_context(mode="file") would silently scaffold an empty project instead.
        raise FileNotFoundError(f"no GX project at {GX_PROJECT_ROOT / 'gx'}")
    return gx.get_context(
        mode="file",
        project_root_dir=GX_PROJECT_ROOT,
        runtime_environment={WAREHOUSE_URL_VARIABLE: sqlalchemy_url(warehouse_url)},
    )


def _tables_read(validation_definition: ValidationDefinition) -> tuple[str, ...]:
    """Schema-qualified tables a suite needs, its own asset's table first."""
    asset = validation_definition.asset
    own = f"{asset.schema_name}.{asset.table_name}"
    return (own, *validation_definition.suite.meta.get(ALSO_READS, ()))


def _existing_tables(warehouse_url: str, tables: set[str]) -> set[str]:
    with psycopg.connect(libpq_url(warehouse_url)) as conn:
        rows = conn.execute(
            "select name from unnest(%s::text[]) as name where to_regclass(name) is not null",
            [sorted(tables)],
        ).fetchall()
    return {name for (name,) in rows}


def _outcome(suite: str, table: str, result: ExpectationValidationResult) -> ExpectationOutcome:
    config = result.expectation_config
    details = result.result or {}
    rows = tuple(details.get("details", {}).get("unexpected_rows", ()))
    error = _error(result.exception_info)
    if config.type == UNEXPECTED_ROWS:
        count = details.get("observed_value")
        observed = _rows_observed(count, rows)
    else:
        count = details.get("unexpected_count")
        observed = _values_observed(details)
    return ExpectationOutcome(
        suite=suite,
        table=table,
        expectation=config.type,
        description=config.description,
        column=_column(config.kwargs),
        severity=(config.meta or {}).get("severity", "critical"),
        success=bool(result.success),
        observed=f"error: {error}" if error else observed,
        unexpected_count=count,
        unexpected_rows=rows,
    )


def _column(kwargs: Mapping[str, Any]) -> str | None:
    names = [kwargs[key] for key in ("column", "column_A", "column_B") if key in kwargs]
    names += kwargs.get("column_list", [])
    return ", ".join(names) or None


def _rows_observed(count: int | None, rows: tuple[Mapping[str, Any], ...]) -> str:
    shown = "; ".join(", ".join(f"{k}={v}" for k, v in row.items()) for row in rows[:_EXAMPLES_SHOWN])
    more = f"; and {len(rows) - _EXAMPLES_SHOWN} more" if len(rows) > _EXAMPLES_SHOWN else ""
    return f"{count} unexpected row(s)" + (f": {shown}{more}" if shown else "")


def _values_observed(details: Mapping[str, Any]) -> str:
    if "unexpected_count" not in details:
        return str(details.get("observed_value", ""))
    # GX reports unexpected_count None, not 0, on an empty table.
    text = f"{details['unexpected_count'] or 0} of {details.get('element_count', 0)} rows unexpected"
    examples = ", ".join(str(v) for v in details.get("partial_unexpected_list", [])[:_EXAMPLES_SHOWN])
    return text + (f", e.g. {examples}" if examples else "")


def _error(exception_info: Mapping[str, Any] | None) -> str | None:
    """First line of the first exception GX caught (a missing column, a broken query)."""
    if not exception_info:
        return None
    entries = [exception_info] if "raised_exception" in exception_info else list(exception_info.values())
    messages = [e["exception_message"] for e in entries if isinstance(e, Mapping) and e.get("raised_exception")]
    return messages[0].splitlines()[0] if messages else None
