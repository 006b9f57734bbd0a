"""How the dbt project becomes Airflow tasks (astronomer-cosmos), kept out of the DAG file."""

from __future__ import annotations

from airflow.sdk import Asset

from smarketing.config import REPO_ROOT, Config

# The validated marts: the nightly DAG's validate_marts produces it, the report DAG runs on it.
# The report's banner reads the gate's warnings from the warehouse (ops.quality_results), not the event.
MARTS = Asset(name="smarketing_marts", uri="smarketing://warehouse/marts")

DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
# Tables and views dbt builds outside the layer schemas (none by design) land here.
DBT_DEFAULT_SCHEMA = "analytics"


def dbt_task_group(config: Config, group_id: str = "transform"):
    """`dbt build` per model (models and their tests together), in-process through dbtRunner.

    The graph is read with `dbt ls` (dbtRunner, mock profile: no warehouse needed at parse
    time) and cached by Cosmos until the project files change.
    """
    from cosmos import DbtTaskGroup, ExecutionConfig, ProfileConfig, ProjectConfig, RenderConfig
    from cosmos.constants import InvocationMode, LoadMode, TestBehavior
    from cosmos.profiles import PostgresUserPasswordProfileMapping

    return DbtTaskGroup(
        group_id=group_id,
        project_config=ProjectConfig(dbt_project_path=DBT_PROJECT_DIR, install_dbt_deps=False),
        profile_config=ProfileConfig(
            profile_name="smarketing",
            target_name="airflow",
            profile_mapping=PostgresUserPasswordProfileMapping(
                conn_id=config.warehouse.conn_id, profile_args={"schema": DBT_DEFAULT_SCHEMA}
            ),
        ),
        execution_config=ExecutionConfig(invocation_mode=InvocationMode.DBT_RUNNER),
        render_config=RenderConfig(
            load_method=LoadMode.DBT_LS,
            invocation_mode=InvocationMode.DBT_RUNNER,
            test_behavior=TestBehavior.BUILD,
            # A relationships test spans two models: run it once both exist, as its own task.
            should_detach_multiple_parents_tests=True,
        ),
        operator_args={"install_deps": False},
    )
