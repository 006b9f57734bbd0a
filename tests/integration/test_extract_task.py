"""The extract task tells bad source data (fail now: a retry reads the same files) from the rest."""

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

TINY = Path(__file__).parent.parent / "fixtures" / "tiny"


def test_a_cut_off_page_fails_the_task_without_retries(tmp_path, monkeypatch, warehouse_url):
    from airflow.sdk.exceptions import AirflowFailException

    from smarketing import tasks

    hubspot = Path(shutil.copytree(TINY / "hubspot", tmp_path / "hubspot"))
    (hubspot / "deals" / "page-0001.json").write_text('{"results": [')
    config = tmp_path / "smarketing.yml"
    config.write_text(
        f"sources: {{hubspot: {{path: {hubspot}}}}}\nreport: {{recipients: [a@example.org], sender: b@example.org}}\n"
    )
    monkeypatch.setenv("SMARKETING_CONFIG", str(config))
    monkeypatch.setenv("AIRFLOW_CONN_SMARKETING_WAREHOUSE", warehouse_url)
    with pytest.raises(AirflowFailException, match=r"(?s)hubspot: 1 of 6 streams not loaded .*deals.*page-0001.json"):
        tasks.extract_load("hubspot", datetime(2026, 3, 11, 3, tzinfo=UTC))
