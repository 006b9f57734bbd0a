"""The nightly lead-to-revenue pipeline. Wiring only: every step is a function in `smarketing`.

prepare (definitions, raw tables, grants) -> extract+load (one mapped task per source) ->
validate raw -> dbt build (Cosmos) -> validate marts.
validate_marts publishes the marts as an Asset (MARTS); the report DAG (`smarketing_report`) runs
when it changes. A critical quality failure stops the chain before the Asset is updated, so no
report goes out on bad data.
"""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import dag, task
from airflow.timetables.trigger import CronTriggerTimetable

from smarketing.config import load_config
from smarketing.orchestration import MARTS, dbt_task_group

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

    @task
    def validate_raw() -> dict:
        from smarketing import tasks

        return tasks.validate("raw")

    @task(outlets=[MARTS])
    def validate_marts(outlet_events=None) -> dict:
        from smarketing import tasks

        summary = tasks.validate("marts")
        if outlet_events is not None:
            outlet_events[MARTS].extra = {"warnings": summary["warnings"]}
        return summary

    prepared = prepare_warehouse()
    loads = extract_load.expand(source=list(config.enabled_sources))
    raw_checked = validate_raw()
    transform = dbt_task_group(config)
    prepared >> loads >> raw_checked >> transform >> validate_marts()


smarketing_nightly()
