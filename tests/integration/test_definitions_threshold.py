"""Changing the MQL threshold in the definitions file changes the marts and the report glossary.

The tiny fixture's contacts all have business e-mail domains and nothing else the scoring rules
below reward, so each scores exactly 20: below a threshold of 50, at a threshold of 20.
"""

from datetime import date
from pathlib import Path

import psycopg
import pytest

from smarketing.cli import _dbt
from smarketing.config import load_config
from smarketing.pipeline import extract_and_load, prepare_warehouse
from smarketing.report.kpis import query_glossary

pytestmark = pytest.mark.integration

TINY = Path(__file__).parent.parent / "fixtures" / "tiny"
LAST_DAY = date(2026, 3, 10)


def write_config(path: Path, threshold: int) -> Path:
    path.write_text(
        f"""
sources:
  google_ads: {{path: {TINY / "google_ads"}, lookback_days: 30}}
  hubspot: {{path: {TINY / "hubspot"}, lookback_days: 3}}
report: {{recipients: [a@example.org], sender: b@example.org}}
definitions:
  exclude_email_domains: [example.com]
  lead_scoring:
    mql_threshold: {threshold}
    rules:
      - {{name: Business e-mail, field: email_domain, operator: not_in, value: [gmail.com], points: 20}}
      - {{name: Company given, field: company_name, operator: is_set, points: 10}}
"""
    )
    return path


def build(url: str, config_file: Path, monkeypatch) -> tuple[int, dict[str, str]]:
    monkeypatch.setenv("SMARKETING_CONFIG", str(config_file))
    config = load_config(config_file)
    with psycopg.connect(url, autocommit=True) as conn:
        prepare_warehouse(conn, config)
        for source in config.sources:
            extract_and_load(conn, config, source, LAST_DAY)
    assert _dbt(url, ["build", "--quiet"]) == 0
    with psycopg.connect(url) as conn:
        mqls = conn.execute("select count(*) from marts.fct_lead_funnel where mql_at is not null").fetchone()[0]
        return mqls, dict(query_glossary(conn))


def test_threshold_change_moves_mql_counts_and_glossary(tmp_path, warehouse_url, monkeypatch):
    # Threshold 50: MQLs only from CRM stages: 102, 103, 104 (+106 merged), 107, 108 = 5 persons.
    mqls, glossary = build(warehouse_url, write_config(tmp_path / "a.yml", 50), monkeypatch)
    assert mqls == 5
    assert glossary["MQL"].startswith("lead score of 50 or more (Business e-mail +20; Company given +10)")

    # Threshold 20: every non-excluded person scores 20 and is an MQL: all 6 persons.
    mqls, glossary = build(warehouse_url, write_config(tmp_path / "b.yml", 20), monkeypatch)
    assert mqls == 6
    assert glossary["MQL"].startswith("lead score of 20 or more")
