"""The nightly lead-to-revenue pipeline. Wiring only: every step is a function in `smarketing`.

prepare (definitions, raw tables, grants) -> extract+load (one mapped task per source) ->
validate raw -> dbt build (Cosmos, one task) -> validate marts.
validate_marts publishes the marts as an Asset (MARTS); the report DAG (`smarketing_report`) runs
when it changes. A critical quality failure stops the chain before the Asset is updated, so no
report goes out on bad data. A source that cannot be loaded does not stop the others: the chain
goes on when at least one source loaded, and the report names the missing source as stale.
alert_on_failure runs last: when any task failed it e-mails the data team what failed and where,
and fails, so the run shows as failed.
"""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import dag, task
from airflow.task.trigger_rule import TriggerRule
from airflow.timetables.trigger import CronTriggerTimetable

from smarketing.config import load_config
from smarketing.orchestration import MARTS, dbt_build_task

config = load_config()


@dag(
    dag_id="smarketing_nightly",
    schedule=CronTriggerTimetable(config.schedule, timezone=config.timezone, interval=timedelta(days=1)),
    start_date=None,
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 2, "retry_delay": timedelta(minutes=5)},
    tags=["smarketing"],
    doc_md=__doc__,
)
def smarketing_nightly():
    @task
    def prepare_warehouse() -> str:
        from smarketing import tasks

        return tasks.prepare_warehouse()

    @task(map_index_template="{{ source }}")
    def extract_load(source: str, data_interval_end=None) -> list[dict]:
        from smarketing import tasks

        return tasks.extract_load(source, data_interval_end)

    # Sources that did load are checked and transformed even when another one failed.
    @task(trigger_rule=TriggerRule.ALL_DONE_MIN_ONE_SUCCESS)
    def validate_raw() -> dict:
        from smarketing import tasks

        return tasks.validate("raw")

    @task(outlets=[MARTS])
    def validate_marts() -> dict:
        from smarketing import tasks

        return tasks.validate("marts")

    @task(trigger_rule=TriggerRule.ALL_DONE, retries=0)
    def alert_on_failure(dag_run=None, ti=None) -> None:
        from smarketing import tasks

        label = f"for {dag_run.data_interval_end:%Y-%m-%d}" if dag_run.data_interval_end else dag_run.run_id
        tasks.alert_on_failure(dag_run.dag_id, dag_run.run_id, label, dag_run.start_date, ti)

    prepared = prepare_warehouse()
    loads = extract_load.expand(source=list(config.enabled_sources))
    raw_checked = validate_raw()
    transform = dbt_build_task(config)
    marts_checked = validate_marts()
    prepared >> loads >> raw_checked >> transform >> marts_checked
    [loads, marts_checked] >> alert_on_failure()


smarketing_nightly()
