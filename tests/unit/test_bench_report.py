"""docs/benchmarks.md as smarketing.bench writes it: the ratios are worked out from the figures."""

from smarketing.bench import Footprint, Throughput, markdown

MACHINE = [("CPU", "2 cores"), ("PostgreSQL", "18.1")]


def test_each_tool_is_compared_with_psql_copy_and_with_dlt():
    loads = [
        Throughput("smarketing loader", "first load, empty table", 1_000_000, 10.0),  # 100,000 rows/s
        Throughput("psql \\copy", "CSV of the typed rows, same table", 1_000_000, 2.0),  # 500,000 rows/s
        Throughput("dlt", "pipeline.run, merge on the key", 1_000_000, 100.0),  # 10,000 rows/s
    ]
    text = markdown(MACHINE, "1m", loads, [Footprint("10k", 10_000, 0.5, 95.4)])

    assert "| smarketing loader | first load, empty table | 1,000,000 | 10.0 | 100,000 | 0.20x | 10.00x |" in text
    assert "| psql \\copy | CSV of the typed rows, same table | 1,000,000 | 2.0 | 500,000 | 1.00x | 50.00x |" in text
    assert "| dlt | pipeline.run, merge on the key | 1,000,000 | 100.0 | 10,000 | 0.02x | 1.00x |" in text
    assert "| 10k | 10,000 | 0.5 | 20,000 | 95 |" in text
    assert "| PostgreSQL | 18.1 |" in text
