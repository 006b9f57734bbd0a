"""Raw loads on the real embedded Postgres: idempotent, restating, atomic."""

import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from smarketing.config import load_config
from smarketing.extract import google_ads
from smarketing.extract.files import read_pages
from smarketing.extract.records import SourceDataError
from smarketing.extract.streams import Window
from smarketing.load import load_stream
from smarketing.pipeline import extract_and_load

pytestmark = pytest.mark.integration

TINY = Path(__file__).parent.parent / "fixtures" / "tiny"
ADS = google_ads.STREAMS[0]
LAST_DAY = date(2026, 3, 10)


@pytest.fixture
def sources(tmp_path) -> Path:
    shutil.copytree(TINY, tmp_path / "sources")
    return tmp_path / "sources"


@pytest.fixture
def config(tmp_path, sources):
    path = tmp_path / "smarketing.yml"
    path.write_text(
        f"""
sources:
  google_ads: {{path: {sources / "google_ads"}, lookback_days: 30}}
  hubspot: {{path: {sources / "hubspot"}, lookback_days: 3}}
report: {{recipients: [a@example.org], sender: b@example.org}}
"""
    )
    return load_config(path)


def snapshot(conn, table):
    return conn.execute(f"select * from raw.{table} order by 1, 2, 3").fetchall()


def load_all(conn, config):
    return {f"{r.source}/{r.stream}": r for s in config.sources for r in extract_and_load(conn, config, s, LAST_DAY)}


def test_first_run_loads_history_with_lineage(warehouse, config):
    results = load_all(warehouse, config)
    # The tiny fixture: 6 ad rows, 8 contacts, 3 deals, all inside the 90-day history window.
    assert results["google_ads/campaign_daily"].rows_inserted == 6
    assert results["hubspot/contacts"].rows_inserted == 8
    assert results["hubspot/deals"].rows_inserted == 3
    assert results["google_ads/campaign_daily"].window == "2025-12-11..2026-03-10"
    row = warehouse.execute(
        "select _source_origin, _source_line, _batch_id is not null, _loaded_at is not null "
        "from raw.google_ads__campaign_daily where date = '2026-03-10' and campaign_id = '502'"
    ).fetchone()
    assert row[0].endswith("google_ads/1111111111/searchStream_2026-03-10.json")
    assert row[1:] == (2, True, True)


def test_same_interval_twice_changes_nothing(warehouse, config):
    load_all(warehouse, config)
    before = {t: snapshot(warehouse, t) for t in ("google_ads__campaign_daily", "hubspot__contacts", "hubspot__deals")}
    again = load_all(warehouse, config)
    after = {t: snapshot(warehouse, t) for t in before}
    assert after == before  # not even _batch_id or _loaded_at moved
    assert {(r.rows_inserted, r.rows_updated, r.rows_deleted) for r in again.values()} == {(0, 0, 0)}
    # The second run re-reads only its lookback: 30 days of ads (5 rows), 4 days of CRM changes.
    assert again["google_ads/campaign_daily"].window == "2026-02-08..2026-03-10"
    assert again["google_ads/campaign_daily"].rows_read == 5
    assert again["hubspot/contacts"].rows_read == 6


def test_restated_day_replaces_and_drops_unreported_rows(warehouse, config, sources):
    load_all(warehouse, config)
    day_file = sources / "google_ads" / "1111111111" / "searchStream_2026-03-10.json"
    body = json.loads(day_file.read_text())
    body[0]["results"] = body[0]["results"][:1]  # campaign 502 no longer reported for the 10th
    body[0]["results"][0]["metrics"]["costMicros"] = "110000000"  # 501 restated 100.00 -> 110.00
    day_file.write_text(json.dumps(body))
    results = load_all(warehouse, config)
    ads = results["google_ads/campaign_daily"]
    assert (ads.rows_inserted, ads.rows_updated, ads.rows_deleted) == (0, 1, 1)
    rows = warehouse.execute(
        "select campaign_id, cost_micros from raw.google_ads__campaign_daily where date = '2026-03-10'"
    ).fetchall()
    assert rows == [("501", 110000000)]
    # Outside the re-read window nothing is touched: 2026-01-15 is still there.
    assert warehouse.execute("select count(*) from raw.google_ads__campaign_daily").fetchone()[0] == 5


def test_failed_load_leaves_target_unchanged(warehouse, config, sources):
    load_all(warehouse, config)
    before = snapshot(warehouse, "google_ads__campaign_daily")
    batches_before = warehouse.execute("select count(*) from ops.load_batches").fetchone()[0]
    # A later file breaks after earlier files' rows were already COPYed into the staging table.
    bad = sources / "google_ads" / "1111111111" / "searchStream_2026-03-10.json"
    body = json.loads(bad.read_text())
    body[0]["results"][1]["metrics"]["clicks"] = "many"
    bad.write_text(json.dumps(body))
    (sources / "google_ads" / "1111111111" / "searchStream_2026-03-07.json").write_text(
        (sources / "google_ads" / "1111111111" / "searchStream_2026-03-07.json").read_text().replace("50000000", "1")
    )
    window = Window(date(2026, 2, 8), LAST_DAY, config.tz)
    with pytest.raises(SourceDataError, match=r"searchStream_2026-03-10.json, record 2, field metrics.clicks"):
        load_stream(warehouse, ADS, read_pages(ADS, sources / "google_ads"), window)
    assert snapshot(warehouse, "google_ads__campaign_daily") == before
    assert warehouse.execute("select count(*) from ops.load_batches").fetchone()[0] == batches_before
    # The retry after the fix loads exactly the source rows.
    bad.write_text(bad.read_text().replace('"many"', '"40"'))
    result = load_stream(warehouse, ADS, read_pages(ADS, sources / "google_ads"), window)
    assert (result.rows_read, result.rows_updated) == (5, 1)


def test_duplicate_key_in_one_batch_last_wins(warehouse, config, sources):
    day_file = sources / "google_ads" / "1111111111" / "searchStream_2026-03-10.json"
    body = json.loads(day_file.read_text())
    repeat = json.loads(json.dumps(body[0]["results"][0]))
    repeat["metrics"]["costMicros"] = "120000000"
    body.append({"results": [repeat]})
    day_file.write_text(json.dumps(body))
    load_all(warehouse, config)
    assert warehouse.execute(
        "select cost_micros, _source_line from raw.google_ads__campaign_daily "
        "where date = '2026-03-10' and campaign_id = '501'"
    ).fetchone() == (120000000, 3)
