"""How the dbt project becomes Airflow tasks (astronomer-cosmos), kept out of the DAG file."""

from __future__ import annotations

from functools import partial

from airflow.sdk import Asset

from smarketing.config import REPO_ROOT, Config

# The validated marts: the nightly DAG's validate_marts produces it, the report DAG runs on it.
# The report's banner reads the gate's warnings from the warehouse (ops.quality_results), not the event.
MARTS = Asset(name="smarketing_marts", uri="smarketing://warehouse/marts")

DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
# Tables and views dbt builds outside the layer schemas (none by design) land here.
DBT_DEFAULT_SCHEMA = "analytics"


def dbt_task_group(config: Config, group_id: str = "transform", watcher: bool = False):
    """`dbt build` per model (models and their tests together), in-process through dbtRunner; with
    `watcher`, Cosmos' ExecutionMode.WATCHER: one `dbt build` and a sensor per model.

    Not what the nightly DAG runs (dbt_build_task is: a task per model took 3.3x its wall time at
    1M ad rows); kept for `make bench`, which measures the modes side by side. The graph is read
    with `dbt ls` (dbtRunner, mock profile: no warehouse needed at parse time) and cached by Cosmos
    until the project files change.
    """
    from cosmos import DbtTaskGroup, ExecutionConfig, RenderConfig
    from cosmos.constants import ExecutionMode, InvocationMode, LoadMode, TestBehavior

    return DbtTaskGroup(
        group_id=group_id,
        project_config=_project_config(),
        profile_config=_profile_config(config),
        execution_config=ExecutionConfig(
            execution_mode=ExecutionMode.WATCHER if watcher else ExecutionMode.LOCAL,
            invocation_mode=InvocationMode.DBT_RUNNER,
        ),
        render_config=RenderConfig(
            load_method=LoadMode.DBT_LS,
            invocation_mode=InvocationMode.DBT_RUNNER,
            # The watcher's producer runs one `dbt build`; its per-model sensors cannot be builds.
            test_behavior=TestBehavior.AFTER_EACH if watcher else TestBehavior.BUILD,
            # A relationships test spans two models: run it once both exist, as its own task.
            should_detach_multiple_parents_tests=True,
        ),
        operator_args={"install_deps": False},
    )


def dbt_build_task(config: Config, task_id: str = "transform"):
    """The whole project as one task: one `dbt build` in-process (dbtRunner), dbt's threads running
    models side by side. Failed models and tests are written to ops.dbt_failures as dbt reports
    them, for the data team's alert."""
    from cosmos.constants import InvocationMode
    from cosmos.operators.local import DbtBuildLocalOperator

    from smarketing.dbt_failures import failure_recorder
    from smarketing.warehouse.connection import connect_in_task

    return DbtBuildLocalOperator(
        task_id=task_id,
        project_dir=str(DBT_PROJECT_DIR),
        profile_config=_profile_config(config),
        invocation_mode=InvocationMode.DBT_RUNNER,
        install_deps=False,
        dbt_runner_callbacks=[failure_recorder(partial(connect_in_task, config.warehouse.conn_id))],
    )


def _project_config():
    from cosmos import ProjectConfig

    return ProjectConfig(dbt_project_path=DBT_PROJECT_DIR, install_dbt_deps=False)


def _profile_config(config: Config):
    from cosmos import ProfileConfig
    from cosmos.profiles import PostgresUserPasswordProfileMapping

    return ProfileConfig(
        profile_name="smarketing",
        target_name="airflow",
        profile_mapping=PostgresUserPasswordProfileMapping(
            conn_id=config.warehouse.conn_id,
            profile_args={"schema": DBT_DEFAULT_SCHEMA, "threads": config.warehouse.dbt_threads},
        ),
    )
