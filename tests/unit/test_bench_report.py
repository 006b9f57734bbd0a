"""docs/benchmarks.md as smarketing.bench writes it: the ratios are worked out from the figures."""

from smarketing.bench import Footprint, Throughput, markdown
from smarketing.bench_airflow import DagRunCost
from smarketing.bench_nightly import Step

MACHINE = [("CPU", "2 cores"), ("PostgreSQL", "18.1")]


def test_each_tool_is_compared_with_psql_copy_and_with_dlt():
    loads = [
        Throughput("smarketing loader", "first load, empty table", 1_000_000, 10.0),  # 100,000 rows/s
        Throughput("psql \\copy", "CSV of the typed rows, same table", 1_000_000, 2.0),  # 500,000 rows/s
        Throughput("dlt", "pipeline.run, merge on the key", 1_000_000, 100.0),  # 10,000 rows/s
    ]
    text = markdown(MACHINE, "1m", loads, [Footprint("10k", 10_000, 0.5, 95.4)], [], [])

    assert "| smarketing loader | first load, empty table | 1,000,000 | 10.0 | 100,000 | 0.20x | 10.00x |" in text
    assert "| psql \\copy | CSV of the typed rows, same table | 1,000,000 | 2.0 | 500,000 | 1.00x | 50.00x |" in text
    assert "| dlt | pipeline.run, merge on the key | 1,000,000 | 100.0 | 10,000 | 0.02x | 1.00x |" in text
    assert "| 10k | 10,000 | 0.5 | 20,000 | 95 |" in text
    assert "| PostgreSQL | 18.1 |" in text


def test_the_next_nights_dbt_build_is_compared_with_the_full_refresh():
    nightly = [
        Step("1m", "load the history (all days but the last)", 60.0, 1_400_000),
        Step("1m", "dbt build --full-refresh", 200.0),
        Step("1m", "next night: load the new day, re-read the lookback", 3.0, 40_000),
        Step("1m", "next night: dbt build", 30.0),  # 30 / 200 = 15%
        Step("1m", "report: render + send the daily edition", 2.5),
    ]
    text = markdown(MACHINE, "1m", [Throughput("psql \\copy", "CSV", 10, 1.0)], [], nightly, [])

    assert "| 1m | load the history (all days but the last) | 1,400,000 | 60.0 |  |" in text
    assert "| 1m | dbt build --full-refresh |  | 200.0 | 100% |" in text
    assert "| 1m | next night: dbt build |  | 30.0 | 15% |" in text
    assert "| 1m | report: render + send the daily edition |  | 2.5 |  |" in text
    assert "| 1m | next night end to end | | 35.5 | |" in text  # 3.0 + 30.0 + 2.5


def test_each_cosmos_mode_shows_airflows_overhead_and_is_compared_with_one_dbt_build():
    dag_runs = [
        DagRunCost("1m", "per-model", 120, 300.0, 180.0),  # overhead 120 s; 300 / 60 = 5x
        DagRunCost("1m", "one dbt build", 1, 60.0, 55.5),  # overhead 4.5 s
        DagRunCost("1m", "watcher", 121, 90.0, 84.0),  # 90 / 60 = 1.5x
    ]
    text = markdown(MACHINE, "1m", [Throughput("psql \\copy", "CSV", 10, 1.0)], [], [], dag_runs)

    assert "## Airflow: the dbt step per Cosmos mode (scale 1m)" in text
    assert "| per-model | 120 | 300.0 | 180.0 | 120.0 | 5.00x |" in text
    assert "| one dbt build | 1 | 60.0 | 55.5 | 4.5 | 1.00x |" in text
    assert "| watcher | 121 | 90.0 | 84.0 | 6.0 | 1.50x |" in text
