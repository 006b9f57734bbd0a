"""`make bench`'s measurements on a small scale: every tool loads the same rows into the same table
shape, and the child process reports its own peak memory (dlt, an optional `bench` dependency, is
left to `make bench`); the nightly run's steps run on it as on 1M rows."""

import json

import psycopg
import pytest

from smarketing import bench
from smarketing.bench_nightly import nightly_steps
from smarketing.demo.scale import Scale, write_scaled

pytestmark = pytest.mark.integration

ROWS = 2_000
KEY_AND_COST = "select customer_id, campaign_id, ad_group_id, date, cost_micros from raw.google_ads__ad_group_daily"


@pytest.fixture(scope="module")
def scaled(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bench") / "data"
    summary = write_scaled(folder, Scale(ad_group_rows=ROWS, persons=50), bench.BENCH_END_DATE)
    (folder / ".written").write_text(json.dumps({"days": summary.days}))
    return folder


def test_our_loader_and_psql_copy_load_the_same_rows(scaled, pg_server, tmp_path):
    first, again = bench.ours(bench.fresh_database(pg_server, "bench_test_ours"), scaled)
    assert (first.rows, again.rows) == (ROWS, ROWS)
    rows = bench.typed_rows_csv(scaled, tmp_path / "rows.csv")
    copied = bench.psql_copy(bench.fresh_database(pg_server, "bench_test_copy"), tmp_path / "rows.csv", rows)
    assert copied.rows == ROWS
    with (
        psycopg.connect(pg_server.url_of("bench_test_ours")) as ours,
        psycopg.connect(pg_server.url_of("bench_test_copy")) as copy,
    ):
        assert sorted(ours.execute(KEY_AND_COST).fetchall()) == sorted(copy.execute(KEY_AND_COST).fetchall())


def test_the_footprint_is_measured_in_a_process_of_its_own(scaled, pg_server):
    measured = bench.footprint(bench.fresh_database(pg_server, "bench_test_rss"), scaled, "2k")
    assert measured.rows == ROWS
    assert 20 < measured.peak_rss_mb < 1_000


def test_the_nightly_steps_build_the_warehouse_and_send_the_report(scaled, pg_server, tmp_path):
    url = bench.fresh_database(pg_server, "bench_test_nightly")
    first_day, last_day = bench.data_days(scaled)
    steps = nightly_steps(url, scaled, "2k", first_day, last_day, tmp_path)

    assert [step.what for step in steps] == [
        "load the history (all days but the last)",
        "dbt build --full-refresh",
        "next night: load the new day, re-read the lookback",
        "next night: dbt build",
        "report: render + send the daily edition",
        "report: render + send the weekly edition",
        "report: render + send the monthly edition",
    ]
    with psycopg.connect(url) as conn:
        ad_group_rows = conn.execute("select count(*) from raw.google_ads__ad_group_daily").fetchone()[0]
        sends = conn.execute("select count(*) from ops.report_sends where status = 'sent'").fetchone()[0]
    assert ad_group_rows == ROWS
    assert sends == 3
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 3
