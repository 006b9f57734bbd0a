"""Rules derived from a stream declaration, and the `smarketing quality` summary text."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from smarketing.extract import STREAMS
from smarketing.extract.streams import Column, Stream
from smarketing.quality import ExpectationOutcome, QualityReport, SkippedSuite
from smarketing.quality_rules import stream_suite, suites
from smarketing.quality_summary import LoadFailure, QuarantineGroup, summary_text

STREAM = Stream(
    source="crm",
    name="leads",
    files="*.json",
    records_at="results",
    columns=(
        Column("id", "text", "id", required=True),
        Column("score", "numeric", "score", minimum=Decimal(10)),
        Column("rate", "numeric", "rate", positive=True),
        Column("share", "numeric", "share", minimum=Decimal(0), positive=True),
        Column("currency", "text", "currency", allowed=frozenset({"USD", "EUR"})),
        Column("status", "text", "status", maps_stage=True),
        Column("created_at", "timestamptz", "created_at", not_future=True),
        Column("updated_at", "timestamptz", "updated_at", required=True),
    ),
    natural_key=("id",),
    window_column="updated_at",
    reach_back_days=2,
)


def test_every_declared_stream_has_a_raw_suite_first_in_the_checkpoint():
    names = [suite.name for suite in suites()]
    declared = [f"raw_{stream.table}" for streams in STREAMS.values() for stream in streams]
    assert names[: len(declared)] == declared
    assert [suite.stage for suite in suites()].count("raw") == len(declared) + 2


def test_a_stream_suite_follows_the_column_rules():
    suite = stream_suite(STREAM)

    assert (suite.name, suite.table, suite.also_reads) == (
        "raw_crm__leads",
        "raw.crm__leads",
        ("ops.load_batches", "definitions.crm_stage_map"),
    )
    assert [(r.key, r.severity) for r in suite.rules] == [
        ("schema", "critical"),
        ("not_null:id", "critical"),
        ("not_null:updated_at", "critical"),
        ("unique_key", "critical"),
        ("range:score", "critical"),
        ("range:rate", "critical"),
        ("range:share", "critical"),
        ("allowed:currency", "critical"),
        ("not_future:created_at", "critical"),
        ("batch_window", "critical"),
        ("stage_mapped:status", "warning"),
    ]
    rules = {r.key: r for r in suite.rules}
    assert rules["schema"].kwargs["column_set"][-5:] == [
        "_extra",
        "_batch_id",
        "_loaded_at",
        "_source_origin",
        "_source_line",
    ]
    assert rules["range:score"].kwargs == {"column": "score", "min_value": 10.0}
    assert rules["range:rate"].kwargs == {"column": "rate", "min_value": 0.0, "strict_min": True}
    # Positive (> 0) is stricter than a minimum of 0.
    assert rules["range:share"].kwargs == {"column": "share", "min_value": 0.0, "strict_min": True}
    assert rules["allowed:currency"].kwargs == {"column": "currency", "value_set": ["EUR", "USD"]}
    assert rules["not_future:created_at"].kwargs["max_value"] == {"$PARAMETER": "future_cutoff"}
    window = rules["batch_window"]
    assert window.column == "updated_at"
    assert "select batch_id, first_day - 2 as first_day, last_day" in window.kwargs["unexpected_rows_query"]
    assert "between latest_batch.first_day - 1 and latest_batch.last_day + 1" in window.kwargs["unexpected_rows_query"]
    assert "stage_map.crm = 'crm'" in rules["stage_mapped:status"].kwargs["unexpected_rows_query"]


def outcome(suite: str, severity: str, success: bool, observed: str, rows=()) -> ExpectationOutcome:
    return ExpectationOutcome(
        suite, "t.x", "unexpected_rows_expectation", None, None, severity, success, observed, 1, rows
    )


def test_the_summary_names_failures_quarantine_load_failures_stale_sources_and_the_docs():
    stale = {
        "source": "hubspot",
        "loaded_through": None,
        "run_last_day": date(2026, 3, 10),
        "days_behind": None,
        "max_lag_days": 0,
        "streams_never_loaded": "calls, emails",
    }
    reports = {
        "raw": QualityReport(
            "raw", (outcome("raw_a", "critical", False, "1 unexpected row(s)"),), (SkippedSuite("raw_b", ("raw.b",)),)
        ),
        "marts": QualityReport(
            "marts", (outcome("marts_freshness", "warning", False, "1 unexpected row(s)", (stale,)),)
        ),
    }
    quarantine = [QuarantineGroup("hubspot", "deals", "amount", "below 0", 3, "deals/p1.json:4")]
    failures = [
        LoadFailure(
            datetime(2026, 3, 11, 4, 5, tzinfo=UTC), "fx_rates", "daily", date(2026, 3, 1), date(2026, 3, 10), ""
        )
    ]

    text = summary_text(reports, quarantine, failures, Path("/s/index.html"))

    assert text.splitlines() == [
        "raw: 1 expectations, 1 critical failed, 0 warning(s); skipped suites: raw_b",
        "  CRITICAL raw_a / t.x / (table): unexpected_rows_expectation — 1 unexpected row(s)",
        "marts: 1 expectations, 0 critical failed, 1 warning(s); skipped suites: none",
        "  WARNING  marts_freshness / t.x / (table): unexpected_rows_expectation — 1 unexpected row(s)",
        "open quarantine:",
        "  hubspot/deals amount: below 0: 3 row(s), e.g. deals/p1.json:4",
        "load failures, last 7 days:",
        "  2026-03-11 04:05 UTC fx_rates/daily 2026-03-01..2026-03-10: ",
        "stale sources:",
        "  hubspot: never loaded calls, emails",
        "Data Docs: /s/index.html",
    ]


def test_without_a_freshness_run_the_summary_says_so():
    reports = {
        "raw": QualityReport("raw", ()),
        "marts": QualityReport("marts", (), (SkippedSuite("marts_freshness", ()),)),
    }

    text = summary_text(reports, [], [], Path("/s/index.html"))

    assert "stale sources: not checked (the freshness suite did not run)" in text.splitlines()
