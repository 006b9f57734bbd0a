"""The committed GX file context is exactly what `python -m smarketing.quality_suites` writes."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from smarketing import quality_rules
from smarketing.extract import STREAMS
from smarketing.extract.streams import Column, Stream
from smarketing.quality_suites import GX_DIR, write_context


def files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_regenerating_gives_exactly_the_committed_files(tmp_path):
    copy = tmp_path / "gx"
    shutil.copytree(GX_DIR, copy)
    # A suite no rule produces any more is removed.
    (copy / "expectations" / "raw_gone__stream.json").write_text("{}")

    subprocess.run(
        [sys.executable, "-m", "smarketing.quality_suites", "--gx-dir", str(copy)], check=True, capture_output=True
    )

    assert files(copy) == files(GX_DIR)


def test_a_new_connector_stream_gets_its_raw_suite_asset_and_checkpoint_entry(tmp_path, monkeypatch):
    stream = Stream(
        source="linkedin_ads",
        name="insights_daily",
        files="*.json",
        records_at="data",
        columns=(
            Column("account_id", "text", "account_id", required=True),
            Column("date_start", "date", "date_start", required=True, not_future=True),
            Column("spend", "numeric", "spend"),
        ),
        natural_key=("account_id", "date_start"),
        window_column="date_start",
    )
    monkeypatch.setattr(quality_rules, "STREAMS", {**STREAMS, "linkedin_ads": (stream,)})

    write_context(tmp_path)

    suite = json.loads((tmp_path / "expectations" / "raw_linkedin_ads__insights_daily.json").read_text())
    assert [e["type"] for e in suite["expectations"]] == [
        "expect_table_columns_to_match_set",
        "expect_column_values_to_not_be_null",
        "expect_column_values_to_not_be_null",
        "expect_compound_columns_to_be_unique",
        "expect_column_values_to_be_between",
        "unexpected_rows_expectation",
    ]
    raw = json.loads((tmp_path / "checkpoints" / "raw.json").read_text())
    assert "raw_linkedin_ads__insights_daily" in [vd["name"] for vd in raw["validation_definitions"]]
    context = yaml.safe_load((tmp_path / "great_expectations.yml").read_text())
    asset = context["fluent_datasources"]["warehouse"]["assets"]["raw.linkedin_ads__insights_daily"]
    assert (asset["schema_name"], asset["table_name"]) == ("raw", "linkedin_ads__insights_daily")


def test_a_suite_with_two_rules_of_one_key_is_refused(tmp_path, monkeypatch):
    rule = quality_rules.Rule("same", "expect_column_values_to_not_be_null", {"column": "id"})
    suite = quality_rules.Suite("raw_x", "raw", "raw.x", (rule, rule))
    monkeypatch.setattr("smarketing.quality_suites.suites", lambda: (suite,))

    with pytest.raises(ValueError, match="raw_x: rule keys are not unique"):
        write_context(tmp_path)
