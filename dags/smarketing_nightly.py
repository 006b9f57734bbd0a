"""The nightly lead-to-revenue pipeline. Wiring only: every step is a function in `smarketing`.

prepare (definitions, raw tables, grants) -> extract+load (one mapped task per source) ->
validate raw -> dbt build (Cosmos) -> validate marts -> render report -> send report.
The marts are published as an Asset so further DAGs (another report, an export) can run when
they change.
"""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import Asset, dag, task
from airflow.timetables.trigger import CronTriggerTimetable

from smarketing.config import load_config
from smarketing.orchestration import dbt_task_group

config = load_config()
MARTS = Asset(name="smarketing_marts", uri="smarketing://warehouse/marts")


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
    def validate_marts() -> dict:
        from smarketing import tasks

        return tasks.validate("marts")

    @task
    def render_report(data_interval_end=None) -> dict:
        from smarketing import tasks

        return tasks.render_report(data_interval_end)

    @task(retries=3, retry_delay=timedelta(minutes=2))
    def send_report(rendered: dict) -> str:
        from smarketing import tasks

        return tasks.send_report(rendered)

    prepared = prepare_warehouse()
    loads = extract_load.expand(source=list(config.enabled_sources))
    raw_checked = validate_raw()
    transform = dbt_task_group(config)
    marts_checked = validate_marts()
    rendered = render_report()
    prepared >> loads >> raw_checked >> transform >> marts_checked >> rendered
    send_report(rendered)


smarketing_nightly()
