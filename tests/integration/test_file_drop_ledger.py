"""A file drop's nightly load reads only the files that can hold days of its window.

The tiny fixture's Google Ads export has one file per day: 2026-01-15, 02-20, 03-07 and 03-10
(tests/fixtures/tiny/README.md). With a 30-day lookback the night of 03-10 re-reads 02-08..03-10,
so after the first load the 01-15 file has nothing for any later window.
"""

import json
import os
from datetime import date
from pathlib import Path

import psycopg
import pytest

from smarketing.config import load_config
from smarketing.pipeline import extract_and_load, prepare_warehouse

LAST_DAY = date(2026, 3, 10)
JANUARY_FILE = Path("1111111111") / "searchStream_2026-01-15.json"


@pytest.fixture
def load(warehouse_url, google_ads_drop, tmp_path):
    """One night's load of the campaign stream; returns the files it read and raw's spend by day."""
    config_file = tmp_path / "smarketing.yml"
    config_file.write_text(
        f"""
sources:
  google_ads: {{path: {google_ads_drop}, lookback_days: 30}}
report: {{recipients: [a@example.org], sender: b@example.org}}
"""
    )
    config = load_config(config_file)

    def run() -> tuple[int, dict[str, float]]:
        with psycopg.connect(warehouse_url, autocommit=True) as conn:
            prepare_warehouse(conn, config)
            results = extract_and_load(conn, config, "google_ads", LAST_DAY)
            [result] = [r for r in results if r.stream == "campaign_daily"]
            [pages] = conn.execute("select pages_read from ops.load_batches where batch_id = %s", (result.batch_id,))
            spend = conn.execute(
                "select date::text, sum(cost_micros) / 1e6 from raw.google_ads__campaign_daily group by 1"
            ).fetchall()
        return pages[0], {day: float(total) for day, total in spend}

    return run


ALL_DAYS = {"2026-01-15": 999.00, "2026-02-20": 300.00, "2026-03-07": 170.00, "2026-03-10": 350.50}


def test_a_file_whose_days_all_precede_the_window_is_not_read_again(load):
    assert load() == (4, ALL_DAYS)  # the history load reads every file
    # The next night's window is 02-08..03-10: the January file is left out, and its row stays.
    assert load() == (3, ALL_DAYS)


def test_a_changed_file_is_read_again(load, google_ads_drop):
    load()
    january = google_ads_drop / JANUARY_FILE
    pages = json.loads(january.read_text())
    pages[0]["results"][0]["segments"]["date"] = "2026-03-01"  # the platform moved the row into the window
    january.write_text(json.dumps(pages))

    pages_read, spend = load()

    assert pages_read == 4
    assert spend == {**ALL_DAYS, "2026-03-01": 999.00}


def test_a_file_touched_without_a_change_is_read_again(load, google_ads_drop):
    load()
    january = google_ads_drop / JANUARY_FILE
    stat = january.stat()
    os.utime(january, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))

    assert load() == (4, ALL_DAYS)


def test_a_file_with_a_record_of_no_readable_day_is_always_read(load, google_ads_drop):
    january = google_ads_drop / JANUARY_FILE
    pages = json.loads(january.read_text())
    pages[0]["results"].append(json.loads(json.dumps(pages[0]["results"][0])))
    pages[0]["results"][-1]["segments"]["date"] = "15.01.2026"  # quarantined: the day cannot be read
    pages[0]["results"][-1]["campaign"]["id"] = "509"
    january.write_text(json.dumps(pages))

    load()

    assert load() == (4, ALL_DAYS)
