"""`make bench`: how fast the pipeline is at the sizes a data team reaches, measured in one run (so
the ratios hold on a noisy machine) and written to docs/benchmarks.md.

Measured, on scaled demo data (smarketing.demo.scale, Google Ads ad-group days at 10k, 1M and 10M
rows) in a throw-away embedded Postgres under the bench folder:
- load throughput of the same rows: our loader (read the JSON file drop, check and type every
  value, COPY, merge by natural key) vs `psql \\copy` of a CSV of the typed rows into the same table
  (the floor: no reading, no checks, no merge) vs dlt (`pipeline.run`, merge on the same key, into
  the same Postgres); a second load of the unchanged rows is the nightly restatement's case;
- peak RSS (max resident set) of extract + load of one scale's ad-group rows, each in a process of
  its own, so memory staying flat as rows grow is visible;
- the nightly run at 1M and 10M ad rows (smarketing.bench_nightly): dbt build --full-refresh vs the
  next night's load and dbt build, and the report's render + send;
- the dbt step under Airflow (smarketing.bench_airflow) on the first nightly scale's warehouse:
  `dag.test()` wall time vs the sum of task durations per Cosmos mode.

    python -m smarketing.bench [--scales 10k,1m,10m] [--load-scale 1m] [--nightly-scales 1m,10m] [--out ...]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from importlib import metadata
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
from psycopg import sql

from smarketing import paths
from smarketing.bench_airflow import DagRunCost, dbt_step_costs
from smarketing.bench_nightly import Step, config_file, nightly_steps
from smarketing.config import REPO_ROOT
from smarketing.extract.files import read_pages
from smarketing.extract.records import Rejection, page_rows
from smarketing.extract.streams import Stream, Window
from smarketing.load import RAW_SCHEMA, ensure_raw_table, load_stream

BENCH_END_DATE = date(2026, 11, 22)
DEFAULT_SCALES = ("10k", "1m", "10m")
DEFAULT_LOAD_SCALE = "1m"
DEFAULT_NIGHTLY_SCALES = ("1m", "10m")
DEFAULT_OUT = REPO_ROOT / "docs" / "benchmarks.md"
UTC = ZoneInfo("UTC")
VERSIONED = ("apache-airflow", "dbt-core", "dbt-postgres", "great-expectations", "astronomer-cosmos", "psycopg", "dlt")


def ad_group_stream() -> Stream:
    from smarketing.extract.google_ads import STREAMS

    return next(stream for stream in STREAMS if stream.name == "ad_group_daily")


def whole_window(first_day: date, last_day: date) -> Window:
    return Window(first_day, last_day, UTC)


@dataclass(frozen=True)
class Throughput:
    tool: str
    how: str
    rows: int
    seconds: float

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds


@dataclass(frozen=True)
class Footprint:
    scale: str
    rows: int
    seconds: float
    peak_rss_mb: float


# ---- the data --------------------------------------------------------------------------------


def scaled_data(work: Path, scale: str) -> Path:
    """The scale's demo data, written once and kept (writing 10M rows takes minutes)."""
    from smarketing.demo.scale import write_scaled

    folder = work / "data" / scale
    done = folder / ".written"
    if not done.exists():
        shutil.rmtree(folder, ignore_errors=True)
        summary = write_scaled(folder, scale, BENCH_END_DATE)
        done.write_text(json.dumps(summary.__dict__, default=str))
    return folder


def data_days(folder: Path) -> tuple[date, date]:
    summary = json.loads((folder / ".written").read_text())
    last = BENCH_END_DATE
    return date.fromordinal(last.toordinal() - int(summary["days"]) + 1), last


# ---- the warehouse ---------------------------------------------------------------------------


def fresh_database(server: Any, name: str) -> str:
    with psycopg.connect(server.url_of("postgres"), autocommit=True) as admin:
        admin.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))
        admin.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
    return server.url_of(name)


# ---- load throughput -------------------------------------------------------------------------


def ours(url: str, folder: Path) -> list[Throughput]:
    """Our loader on the ad-group rows: into an empty table, then the same rows again (unchanged)."""
    return [load_once(url, folder, how) for how in ("first load, empty table", "reload, every row unchanged")]


def load_once(url: str, folder: Path, how: str) -> Throughput:
    """Read the scale's ad-group file drop and load it, as the nightly run does for one stream."""
    stream = ad_group_stream()
    window = whole_window(*data_days(folder))
    with psycopg.connect(url, autocommit=True) as conn:
        started = time.perf_counter()
        result = load_stream(conn, stream, read_pages(stream, folder / "google_ads"), window)
    return Throughput("smarketing loader", how, result.rows_read, time.perf_counter() - started)


def typed_rows_csv(folder: Path, target: Path) -> int:
    """The ad-group rows as our reader types them, as CSV in the raw table's column order (untimed)."""
    stream = ad_group_stream()
    window = whole_window(*data_days(folder))
    rows, loaded_at = 0, datetime.now(UTC).isoformat()
    with target.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        for page in read_pages(stream, folder / "google_ads"):
            for row in page_rows(stream, page, window):
                if isinstance(row, Rejection):
                    raise ValueError(f"bench data rejected: {row}")
                rows += 1
                writer.writerow([*_csv_values(row.values), "bench", loaded_at, page.origin, row.line])
    return rows


def _csv_values(values: Sequence[Any]) -> list[str]:
    return ["" if value is None else value.isoformat() if isinstance(value, date) else str(value) for value in values]


def psql_copy(url: str, csv_file: Path, rows: int) -> Throughput:
    """`psql \\copy` of the CSV into the same raw table (same primary key), nothing else."""
    stream = ad_group_stream()
    with psycopg.connect(url, autocommit=True) as conn:
        ensure_raw_table(conn, stream)
    # A row's values end with `_extra` (the fields no column reads), then the load's meta columns.
    columns = ", ".join([*(column.name for column in stream.columns), "_extra", *_META_NAMES])
    command = f"\\copy {RAW_SCHEMA}.{stream.table} ({columns}) from '{csv_file}' with (format csv)"
    started = time.perf_counter()
    subprocess.run([_psql(), url, "-v", "ON_ERROR_STOP=1", "-qc", command], check=True)
    return Throughput("psql \\copy", "CSV of the typed rows, same table", rows, time.perf_counter() - started)


_META_NAMES = ("_batch_id", "_loaded_at", "_source_origin", "_source_line")


def _psql() -> str:
    from smarketing.warehouse.embedded import POSTGRES_BIN_PATH

    return str(POSTGRES_BIN_PATH / "psql")


def dlt_merge(url: str, folder: Path, work: Path) -> Throughput:
    """dlt's `pipeline.run` of the same rows, parsed from the same files, merged on the same key."""
    os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")
    import dlt

    stream = ad_group_stream()
    first_day, last_day = data_days(folder)

    @dlt.resource(name=stream.table, primary_key=list(stream.natural_key), write_disposition="merge")
    def ad_group_rows() -> Iterator[dict[str, Any]]:
        for path in sorted((folder / "google_ads").glob(stream.files)):
            for batch in json.loads(path.read_text(encoding="utf-8")):
                for record in batch.get("results", []):
                    day = date.fromisoformat(record["segments"]["date"])
                    if first_day <= day <= last_day:
                        yield _flat(record, day)

    pipeline = dlt.pipeline(
        pipeline_name="bench",
        pipelines_dir=str(work / "dlt"),
        destination=dlt.destinations.postgres(credentials=url),
        dataset_name=RAW_SCHEMA,
    )
    started = time.perf_counter()
    info = pipeline.run(ad_group_rows())
    seconds = time.perf_counter() - started
    info.raise_on_failed_jobs()
    with psycopg.connect(url) as conn:
        rows = conn.execute(sql.SQL("select count(*) from {}").format(sql.Identifier(RAW_SCHEMA, stream.table)))
        loaded = rows.fetchone()[0]
    return Throughput("dlt", f"pipeline.run, merge on the key (dlt {dlt.__version__})", loaded, seconds)


def _flat(record: dict[str, Any], day: date) -> dict[str, Any]:
    metrics = record["metrics"]
    return {
        "customer_id": record["customer"]["id"],
        "currency_code": record["customer"]["currencyCode"],
        "time_zone": record["customer"]["timeZone"],
        "campaign_id": record["campaign"]["id"],
        "ad_group_id": record["adGroup"]["id"],
        "ad_group_name": record["adGroup"].get("name"),
        "ad_group_status": record["adGroup"].get("status"),
        "date": day,
        "cost_micros": int(metrics["costMicros"]),
        "impressions": int(metrics["impressions"]),
        "clicks": int(metrics["clicks"]),
        "conversions": metrics["conversions"],
    }


# ---- peak memory -----------------------------------------------------------------------------


def footprint(url: str, folder: Path, scale: str) -> Footprint:
    """Extract + load of the scale's ad-group rows in a child process, and its peak resident set."""
    child = subprocess.run(
        [sys.executable, "-m", "smarketing.bench", "--extract-and-load", str(folder), url],
        stdout=subprocess.PIPE,
        check=True,
    )
    measured = json.loads(child.stdout)
    return Footprint(scale, measured["rows"], measured["seconds"], measured["peak_rss_kib"] / 1024)


def _extract_and_load(folder: Path, url: str) -> None:
    figure = load_once(url, folder, "extract + load")
    print(json.dumps({"rows": figure.rows, "seconds": figure.seconds, "peak_rss_kib": _peak_rss_kib()}))


def _peak_rss_kib() -> int:
    """This process's peak resident set since it started its program. Not getrusage's ru_maxrss:
    Linux carries the forking parent's resident pages over into it."""
    status = Path("/proc/self/status").read_text().splitlines()
    return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))


# ---- the report ------------------------------------------------------------------------------


def machine(server_url: str) -> list[tuple[str, str]]:
    with psycopg.connect(server_url) as conn:
        postgres = conn.execute("show server_version").fetchone()[0]
    memory_kib = next(
        int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")
    )
    versions = []
    for package in VERSIONED:
        try:
            versions.append(f"{package} {metadata.version(package)}")
        except metadata.PackageNotFoundError:
            continue
    return [
        ("CPU", f"{os.cpu_count()} cores, {platform.processor() or platform.machine()}"),
        ("memory", f"{memory_kib / 1024 / 1024:.0f} GiB"),
        ("OS", platform.platform()),
        ("Python", platform.python_version()),
        ("PostgreSQL", f"{postgres} (embedded, 127.0.0.1)"),
        ("packages", ", ".join(versions)),
    ]


def markdown(
    machine_rows: list[tuple[str, str]],
    load_scale: str,
    loads: list[Throughput],
    footprints: list[Footprint],
    nightly: list[Step],
    dag_runs: list[DagRunCost],
) -> str:
    copy = next(figure for figure in loads if figure.tool.startswith("psql"))
    dlt = next((figure for figure in loads if figure.tool == "dlt"), None)
    lines = [
        "# Benchmarks",
        "",
        f"Written by `make bench` (smarketing/bench.py) on {date.today().isoformat()}; every figure below comes",
        "from the same run, so the ratios hold even where the machine's speed varies.",
        "",
        "## Machine",
        "",
        "| | |",
        "|---|---|",
        *(f"| {name} | {value} |" for name, value in machine_rows),
        "",
        f"## Load throughput: {loads[0].rows:,} Google Ads ad-group rows (scale {load_scale})",
        "",
        "| tool | what | rows | seconds | rows/s | vs psql \\copy | vs dlt |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for figure in loads:
        versus_dlt = f"{figure.rows_per_second / dlt.rows_per_second:.2f}x" if dlt else "-"
        lines.append(
            f"| {figure.tool} | {figure.how} | {figure.rows:,} | {figure.seconds:.1f} | {figure.rows_per_second:,.0f}"
            f" | {figure.rows_per_second / copy.rows_per_second:.2f}x | {versus_dlt} |"
        )
    lines += [
        "",
        "## Extract + load: peak memory",
        "",
        "Each scale's ad-group rows read from its file drop and loaded into an empty table, in a process",
        "of its own; peak RSS is that process's maximum resident set.",
        "",
        "| scale | rows | seconds | rows/s | peak RSS (MB) |",
        "|---|---:|---:|---:|---:|",
        *(
            f"| {f.scale} | {f.rows:,} | {f.seconds:.1f} | {f.rows / f.seconds:,.0f} | {f.peak_rss_mb:.0f} |"
            for f in footprints
        ),
        "",
        *nightly_markdown(nightly),
        *airflow_markdown(dag_runs),
        "## How to reproduce",
        "",
        "```sh",
        "make bench                                                       # every scale: about an hour",
        "make bench BENCH_ARGS='--scales 10k,1m --nightly-scales 1m'   # about 15 minutes",
        "```",
        "",
        "The scaled data is written once under `.smarketing/bench/data/<scale>` and reused; the warehouse is",
        "a throw-away embedded Postgres under `.smarketing/bench/warehouse`, stopped at the end.",
        "",
    ]
    return "\n".join(lines)


def nightly_markdown(steps: list[Step]) -> list[str]:
    lines = [
        "## The nightly run: a full rebuild vs the next night",
        "",
        "Each scale's history (all days but the last) loaded and built with `dbt build --full-refresh`; then",
        "the next night: the last day loaded with each source's lookback re-read (Google Ads 30 days), and",
        "`dbt build` as the nightly DAG runs it; then the report's editions rendered and sent over SMTP.",
        "The sources load at once, a process each, as the scheduler runs the DAG's mapped `extract_load` tasks.",
        "dbt is the CLI in a child process (start-up and parse included), with 2 threads. The next night's",
        "build restates the campaign-day tables (`fct_ad_spend_daily`, `fct_campaign_performance`) from the",
        "first day the night's loads re-read, the person models (`int_leads_scored` .. `fct_lead_funnel`)",
        "for the persons whose CRM rows changed, and rebuilds every other model; its end to end is the",
        "next night's load, build and report together.",
        "",
        "| scale | step | rows | seconds | vs full refresh |",
        "|---|---|---:|---:|---:|",
    ]
    for scale in dict.fromkeys(step.scale for step in steps):
        of_scale = [step for step in steps if step.scale == scale]
        full = next(step for step in of_scale if step.what.endswith("--full-refresh"))
        for step in of_scale:
            versus = f"{step.seconds / full.seconds:.0%}" if "dbt build" in step.what else ""
            rows = f"{step.rows:,}" if step.rows is not None else ""
            lines.append(f"| {scale} | {step.what} | {rows} | {step.seconds:.1f} | {versus} |")
        night = sum(step.seconds for step in of_scale if step.what.startswith(("next night", "report")))
        lines.append(f"| {scale} | next night end to end | | {night:.1f} | |")
    return [*lines, ""]


def airflow_markdown(dag_runs: list[DagRunCost]) -> list[str]:
    if not dag_runs:
        return []
    one_build = next(run for run in dag_runs if run.mode == "one dbt build")
    lines = [
        f"## Airflow: the dbt step per Cosmos mode (scale {dag_runs[0].scale})",
        "",
        "A DAG holding only the dbt step, run with `dag.test()` on the warehouse the nightly run above built",
        "(one task at a time; the watcher's sensors run after its producer, so its wall time is an upper",
        "bound). Overhead = wall time - the sum of the task instances' durations: Airflow parsing the DAG,",
        "scheduling and starting tasks. A task per model pays inside its tasks instead: each starts dbt",
        "and loads the project again for one model and its tests. The nightly DAG runs one `dbt build`.",
        "",
        "| mode | tasks | dag.test wall (s) | sum of tasks (s) | overhead (s) | wall vs one dbt build |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for run in dag_runs:
        lines.append(
            f"| {run.mode} | {run.tasks} | {run.wall_seconds:.1f} | {run.task_seconds:.1f}"
            f" | {run.wall_seconds - run.task_seconds:.1f} | {run.wall_seconds / one_build.wall_seconds:.2f}x |"
        )
    return [*lines, ""]


def run(scales: Sequence[str], load_scale: str, nightly_scales: Sequence[str], out: Path) -> None:
    from smarketing.warehouse import embedded

    work = paths.home() / "bench"
    root = work / "warehouse"
    server = embedded.start(root)
    try:
        folders = {scale: scaled_data(work, scale) for scale in dict.fromkeys([*scales, load_scale, *nightly_scales])}
        folder = folders[load_scale]
        loads = ours(fresh_database(server, "bench_ours"), folder)
        csv_file = work / f"ad_group_rows_{load_scale}.csv"
        rows = typed_rows_csv(folder, csv_file)
        loads.append(psql_copy(fresh_database(server, "bench_copy"), csv_file, rows))
        loads.append(dlt_merge(fresh_database(server, "bench_dlt"), folder, work))
        footprints = [
            footprint(fresh_database(server, f"bench_rss_{scale}"), folders[scale], scale) for scale in scales
        ]
        nightly, dag_runs = [], []
        for scale in nightly_scales:
            url = fresh_database(server, f"bench_nightly_{scale}")
            nightly += nightly_steps(url, folders[scale], scale, *data_days(folders[scale]), work)
            if scale == nightly_scales[0]:
                dag_runs = dbt_step_costs(url, config_file(work, scale), scale, work)
        report = markdown(machine(server.url_of("postgres")), load_scale, loads, footprints, nightly, dag_runs)
        out.write_text(report, encoding="utf-8")
    finally:
        embedded.stop(root)
    print(f"wrote {out}")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m smarketing.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default=",".join(DEFAULT_SCALES), help="comma-separated (default 10k,1m,10m)")
    parser.add_argument("--load-scale", default=DEFAULT_LOAD_SCALE, help="the scale the tools are compared at")
    parser.add_argument(
        "--nightly-scales", default=",".join(DEFAULT_NIGHTLY_SCALES), help="comma-separated (default 1m,10m)"
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="the Markdown written")
    parser.add_argument("--extract-and-load", nargs=2, metavar=("FOLDER", "URL"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.extract_and_load:
        folder, url = args.extract_and_load
        _extract_and_load(Path(folder), url)
        return
    nightly_scales = [scale for scale in args.nightly_scales.split(",") if scale]
    run(args.scales.split(","), args.load_scale, nightly_scales, args.out)


if __name__ == "__main__":
    main()
