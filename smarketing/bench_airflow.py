"""The dbt step under Airflow, for `make bench`: what each way of running it through Cosmos costs.

On a warehouse the nightly bench has built, a DAG holding only the dbt step runs with `dag.test()`
(in-process, one task at a time, as `smarketing run` and the tests run the nightly DAG) once per
mode:
- per-model: a task per model, `dbt build` of the model and its tests (Cosmos ExecutionMode.LOCAL,
  dbtRunner);
- one dbt build: the whole project as one task (what the nightly DAG runs);
- watcher: one `dbt build` by a producer task and a sensor per model (Cosmos ExecutionMode.WATCHER).
Each run is measured as the wall time of `dag.test()` and the sum of its task instances' durations;
the difference is Airflow's own overhead (scheduling, task start-up, parsing the DAG).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

MODES = ("per-model", "one dbt build", "watcher")


@dataclass(frozen=True)
class DagRunCost:
    scale: str
    mode: str
    tasks: int
    wall_seconds: float
    task_seconds: float


def dbt_step_costs(url: str, config_file: Path, scale: str, work: Path) -> list[DagRunCost]:
    """Every mode's run of the dbt step, in a process of its own: Airflow reads its home and metadata
    DB once, at import, and the bench's process has imported it for the report already."""
    home = work / "airflow-bench"
    home.mkdir(parents=True, exist_ok=True)
    log = home / f"dag_test_{scale}.log"
    command = [sys.executable, "-m", "smarketing.bench_airflow", url, str(config_file), scale, str(work)]
    with log.open("w") as output:
        result = subprocess.run(command, stdout=output, stderr=subprocess.STDOUT)
    if result.returncode != 0:
        raise RuntimeError(f"the Airflow bench failed (exit {result.returncode}); its log: {log}")
    return [DagRunCost(**cost) for cost in json.loads(_costs_file(home, scale).read_text())]


def _costs_file(home: Path, scale: str) -> Path:
    return home / f"dag_test_{scale}.json"


def _measure(url: str, config_file: Path, scale: str, work: Path) -> None:
    """The child process of dbt_step_costs: its environment is the bench's Airflow, nobody else's."""
    from smarketing.config import load_config
    from smarketing.runtime import apply_environment

    home = work / "airflow-bench"
    dags = home / "dags"
    dags.mkdir(parents=True, exist_ok=True)
    # dag.test() runs DAGs of a bundle only: the modes' DAGs get a DAG folder of their own.
    (dags / "bench_dbt_modes.py").write_text(
        "from smarketing.bench_airflow import dbt_step_dags\n\nglobals().update(dbt_step_dags())\n"
    )
    os.environ["SMARKETING_HOME"] = str(home)
    os.environ["SMARKETING_CONFIG"] = str(config_file)
    apply_environment(home, override=True)
    os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(dags)
    os.environ[f"AIRFLOW_CONN_{load_config(config_file).warehouse.conn_id.upper()}"] = url

    from airflow.dag_processing.dagbag import DagBag
    from airflow.utils.db import initdb

    initdb()
    bag = DagBag(dag_folder=str(dags))
    if bag.import_errors:
        raise RuntimeError(f"bench DAGs did not import: {bag.import_errors}")
    costs = [_run(bag.get_dag(_dag_id(mode)), mode, scale) for mode in MODES]
    _costs_file(home, scale).write_text(json.dumps([asdict(cost) for cost in costs]))


def dbt_step_dags() -> dict:
    """A DAG per mode holding only the dbt step, on the config SMARKETING_CONFIG names."""
    from airflow.sdk import DAG

    from smarketing.config import load_config
    from smarketing.orchestration import dbt_build_task, dbt_task_group

    config = load_config()
    dags = {}
    for mode in MODES:
        with DAG(dag_id=_dag_id(mode), schedule=None, start_date=None, catchup=False) as dag:
            if mode == "one dbt build":
                dbt_build_task(config)
            elif mode == "watcher":
                _sensors_after_the_producer(dbt_task_group(config, watcher=True))
            else:
                dbt_task_group(config)
        dags[dag.dag_id] = dag
    return dags


def _sensors_after_the_producer(group) -> None:
    """dag.test() runs one task at a time, in no set order: a model's sensor started before the
    producer would wait for a build that cannot start. Under a scheduler with free slots the sensors
    run beside the producer instead, so the wall time measured here is an upper bound."""
    from cosmos.constants import PRODUCER_WATCHER_TASK_ID

    producer = group.get_child_by_label(PRODUCER_WATCHER_TASK_ID)
    for child in group.children.values():
        if child is not producer and not child.upstream_task_ids:
            producer >> child


def _dag_id(mode: str) -> str:
    return "bench_dbt_" + mode.replace(" ", "_").replace("-", "_")


def _run(dag, mode: str, scale: str) -> DagRunCost:
    started = time.perf_counter()
    dag_run = dag.test(logical_date=datetime.now(UTC))
    wall = time.perf_counter() - started
    if dag_run.state != "success":
        failed = sorted(ti.task_id for ti in dag_run.get_task_instances() if ti.state == "failed")
        raise RuntimeError(f"{dag.dag_id} ended {dag_run.state}; failed tasks: {', '.join(failed)}")
    instances = [ti for ti in dag_run.get_task_instances() if ti.start_date and ti.end_date]
    task_seconds = sum((ti.end_date - ti.start_date).total_seconds() for ti in instances)
    return DagRunCost(scale, mode, len(instances), wall, task_seconds)


if __name__ == "__main__":
    _measure(sys.argv[1], Path(sys.argv[2]), sys.argv[3], Path(sys.argv[4]))
