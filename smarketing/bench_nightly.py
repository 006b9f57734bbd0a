"""The nightly run at scale, for `make bench`: the warehouse built from scratch vs the next night.

On one scale's demo data (smarketing.demo.scale: Google Ads campaign and ad-group days, HubSpot
people and deals, ECB rates) in a database of its own:
1. the history up to the day before the last is loaded, and `dbt build --full-refresh` builds
   every model and runs every test, as a new warehouse (or a rebuild) does;
2. the next night: the last day is loaded with each source's lookback re-read (Google Ads 30
   days), and `dbt build` runs as the nightly DAG runs it;
3. the report's editions are rendered from the marts and sent to an SMTP server in-process, each
   timed on its own.
Each step is timed on its own; the sources load at once, a process each, as the DAG's mapped
extract_load tasks run; dbt runs as the CLI in a child process, its start-up included.
"""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import repeat
from pathlib import Path
from typing import Any

import psycopg
import yaml

from smarketing.config import DEFAULT_CONFIG_PATH, Config, load_config

SOURCES = ("google_ads", "hubspot", "fx_rates")


@dataclass(frozen=True)
class Step:
    scale: str
    what: str
    seconds: float
    rows: int | None = None  # rows loaded, where the step loads


def nightly_steps(url: str, folder: Path, scale: str, first_day: date, last_day: date, work: Path) -> list[Step]:
    """Steps 1-3 above on the scale's data in the (empty) database at `url`."""
    from smarketing.pipeline import prepare_warehouse

    config_path = config_file(work, scale)
    config = bench_config(config_path, folder, (last_day - first_day).days + 1)
    steps = []
    with psycopg.connect(url, autocommit=True) as conn:
        prepare_warehouse(conn, config)
    history_day = last_day - timedelta(days=1)
    steps.append(_load(url, config_path, scale, "load the history (all days but the last)", history_day))
    steps.append(_timed(scale, "dbt build --full-refresh", lambda: dbt(url, ["build", "--full-refresh"], work, config)))
    steps.append(_load(url, config_path, scale, "next night: load the new day, re-read the lookback", last_day))
    steps.append(_timed(scale, "next night: dbt build", lambda: dbt(url, ["build"], work, config)))
    for edition, seconds in render_and_send(url, config, last_day, work):
        steps.append(Step(scale, f"report: render + send the {edition} edition", seconds))
    return steps


def config_file(work: Path, scale: str) -> Path:
    return work / f"smarketing-{scale}.yml"


def bench_config(path: Path, folder: Path, history_days: int) -> Config:
    """The project's config (definitions, report) with the scale's file drops as its only sources."""
    raw = yaml.safe_load(DEFAULT_CONFIG_PATH.read_text(encoding="utf-8"))
    lookbacks = {name: (raw["sources"].get(name) or {}).get("lookback_days") for name in SOURCES}
    raw["sources"] = {
        name: {"path": str(folder / name), **({"lookback_days": days} if days else {})}
        for name, days in lookbacks.items()
    }
    raw["history_days"] = history_days
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return load_config(path)


def _load(url: str, config_path: Path, scale: str, what: str, last_day: date) -> Step:
    """Every source at once, each in a process of its own, as the scheduler runs the nightly DAG's
    mapped extract_load tasks (LocalExecutor)."""
    started = time.perf_counter()
    with ProcessPoolExecutor(len(SOURCES), mp_context=multiprocessing.get_context("spawn")) as pool:
        rows = sum(pool.map(_load_source, repeat(url), repeat(config_path), SOURCES, repeat(last_day)))
    return Step(scale, what, time.perf_counter() - started, rows)


def _load_source(url: str, config_path: Path, source: str, last_day: date) -> int:
    from smarketing.pipeline import extract_and_load

    config = load_config(config_path)
    with psycopg.connect(url, autocommit=True) as conn:
        return sum(result.rows_read for result in extract_and_load(conn, config, source, last_day))


def _timed(scale: str, what: str, step: Callable[[], Any]) -> Step:
    started = time.perf_counter()
    step()
    return Step(scale, what, time.perf_counter() - started)


def dbt(url: str, dbt_args: list[str], work: Path, config: Config) -> None:
    """The dbt CLI on the project against `url`; a failed model or test fails the bench."""
    from smarketing.cli import dbt_command, dbt_environment
    from smarketing.runtime import TELEMETRY_OFF

    env = {
        **os.environ,
        **TELEMETRY_OFF,
        **dbt_environment(url, config.warehouse.dbt_threads),
        "DBT_TARGET_PATH": str(work / "dbt" / "target"),
        "DBT_LOG_PATH": str(work / "dbt" / "logs"),
    }
    subprocess.run(dbt_command(dbt_args), env=env, check=True, stdout=subprocess.DEVNULL)


def render_and_send(url: str, config: Config, report_day: date, work: Path) -> list[tuple[str, float]]:
    """Every edition rendered from the marts, archived and delivered to an in-process SMTP server;
    the seconds each took (the first pays the imports a report task pays once)."""
    from smarketing.mailcatcher import MailCatcher, smtp_connection_uri
    from smarketing.report.publish import enabled_editions, render_and_archive, send_archived
    from smarketing.runtime import apply_environment

    # The issues are archived under the bench's home, not among the user's reports; the process's
    # environment is restored after.
    saved = dict(os.environ)
    os.environ["SMARKETING_HOME"] = str(work / "home")
    apply_environment(work / "home")
    editions = enabled_editions(config)
    try:
        with MailCatcher(work / "outbox") as catcher, psycopg.connect(url, autocommit=True) as conn:
            os.environ[f"AIRFLOW_CONN_{config.report.smtp_conn_id.upper()}"] = smtp_connection_uri(catcher.port)
            timings = []
            for edition in editions:
                started = time.perf_counter()
                send_archived(conn, render_and_archive(conn, config, edition, report_day), config.report.smtp_conn_id)
                timings.append((edition, time.perf_counter() - started))
            if len(catcher.received) != len(editions):
                raise RuntimeError(f"sent {len(editions)} editions, {len(catcher.received)} arrived")
            return timings
    finally:
        os.environ.clear()
        os.environ.update(saved)
