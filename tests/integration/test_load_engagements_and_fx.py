"""The HubSpot engagement streams and the ECB FX rates on the real embedded Postgres."""

import csv
import shutil
from datetime import date
from pathlib import Path

import pytest

from smarketing.config import load_config
from smarketing.demo.generator import generate
from smarketing.pipeline import extract_and_load

pytestmark = pytest.mark.integration

TINY = Path(__file__).parent.parent / "fixtures" / "tiny"
NEW_TABLES = ("hubspot__calls", "hubspot__emails", "hubspot__meetings", "fx_rates__daily")


def configure(tmp_path: Path, google_ads: Path, hubspot: Path, fx: Path):
    path = tmp_path / "smarketing.yml"
    path.write_text(
        f"""
sources:
  google_ads: {{path: {google_ads}, lookback_days: 30}}
  hubspot: {{path: {hubspot}, lookback_days: 3}}
  fx_rates: {{path: {fx}, lookback_days: 10}}
report: {{recipients: [a@example.org], sender: b@example.org}}
"""
    )
    return load_config(path)


def load_all(conn, config, last_day):
    return {f"{r.source}/{r.stream}": r for s in config.sources for r in extract_and_load(conn, config, s, last_day)}


def count(conn, table):
    return conn.execute(f"select count(*) from raw.{table}").fetchone()[0]


def test_configured_folders_without_files_load_zero_rows(warehouse, tmp_path):
    sources = tmp_path / "sources"
    shutil.copytree(TINY, sources)
    (sources / "fx_rates").mkdir()
    config = configure(tmp_path, sources / "google_ads", sources / "hubspot", sources / "fx_rates")
    results = load_all(warehouse, config, date(2026, 3, 10))
    # The tiny fixture has calls but no e-mails, meetings, rates or Google Ads ad-group report.
    empty = ("hubspot/emails", "hubspot/meetings", "fx_rates/daily", "google_ads/ad_group_daily")
    for name in empty:
        assert (results[name].rows_read, results[name].rows_inserted) == (0, 0)
    assert [count(warehouse, name.replace("/", "__")) for name in empty] == [0, 0, 0, 0]
    assert results["hubspot/calls"].rows_inserted == 3
    assert results["hubspot/contacts"].rows_inserted == 8  # the tiny fixture as before
    assert results["google_ads/campaign_daily"].rows_inserted == 6


def test_demo_engagements_and_rates_load_completely_and_idempotently(warehouse, tmp_path):
    last_day = date(2026, 11, 22)
    out = tmp_path / "demo"
    summary = generate(out, last_day, days=21, seed=5)
    config = configure(tmp_path, out / "google_ads", out / "hubspot", out / "fx_rates")

    first = load_all(warehouse, config, last_day)
    assert first["hubspot/calls"].rows_inserted == summary.calls > 0
    assert first["hubspot/emails"].rows_inserted == summary.emails > 0
    assert first["hubspot/meetings"].rows_inserted == summary.meetings > 0
    # 90 days of history reach past the demo's 21 + 10 days of rates: every published cell is a row.
    with (out / "fx_rates" / "eurofxref-hist.csv").open(encoding="ascii") as file:
        lines = list(csv.reader(file))
    published = sum(cell not in ("N/A", "") for line in lines[1:] for cell in line[1:])
    assert first["fx_rates/daily"].rows_inserted == published

    calls = warehouse.execute(
        "select hs_call_direction, count(*), bool_and(jsonb_array_length(contact_ids) = 1) "
        "from raw.hubspot__calls group by 1 order by 1"
    ).fetchall()
    assert {direction for direction, _, _ in calls} == {"INBOUND", "OUTBOUND"}
    assert all(one_contact for _, _, one_contact in calls)
    chf = warehouse.execute(
        "select count(*), min(rate), max(rate) from raw.fx_rates__daily where currency = 'CHF'"
    ).fetchone()
    assert chf[0] == len(lines) - 1 and 0.85 < chf[1] <= chf[2] < 1.05
    assert warehouse.execute(
        "select distinct currency_code, time_zone from raw.google_ads__campaign_daily where customer_id = '2345678901'"
    ).fetchall() == [("CHF", "Europe/Zurich")]
    profile = warehouse.execute(
        "select count(*) filter (where first_conversion_event_name is not null), "
        "count(*) filter (where hs_lead_status = 'UNQUALIFIED' and disqualification_reason is null), "
        "count(*) filter (where country is not null) from raw.hubspot__contacts"
    ).fetchone()
    assert profile[0] > 0 and profile[1] == 0 and profile[2] > 0

    before = {table: warehouse.execute(f"select * from raw.{table} order by 1, 2").fetchall() for table in NEW_TABLES}
    again = load_all(warehouse, config, last_day)
    assert {(r.rows_inserted, r.rows_updated, r.rows_deleted) for r in again.values()} == {(0, 0, 0)}
    assert again["fx_rates/daily"].window == "2026-11-12..2026-11-22"  # the 10-day lookback
    after = {table: warehouse.execute(f"select * from raw.{table} order by 1, 2").fetchall() for table in NEW_TABLES}
    assert after == before
