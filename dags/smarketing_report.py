"""The KPI report: one mapped task per edition to render and archive, one to send. Wiring only.

Runs when the nightly DAG has validated the marts (the MARTS Asset), for the latest day the ETL
loaded, and publishes the editions due by their schedules. To re-render or re-send a past issue
without the ETL, trigger it with params, e.g. {"editions": ["weekly"], "report_day": "2026-03-10"}
("all" = every enabled edition), or run `make report EDITION=weekly DATE=2026-03-10`.
"""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import Param, dag, task

from smarketing.orchestration import MARTS


@dag(
    dag_id="smarketing_report",
    schedule=[MARTS],
    start_date=None,
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 3, "retry_delay": timedelta(minutes=2)},
    params={
        "editions": Param(
            "due",
            type=["string", "array"],
            description='"due" (by the editions\' schedules), "all" (every enabled edition), or names like ["weekly"]',
        ),
        "report_day": Param("", type="string", description="YYYY-MM-DD; empty = the latest day the ETL loaded"),
    },
    tags=["smarketing"],
    doc_md=__doc__,
)
def smarketing_report():
    @task(retries=0)
    def resolve_report_day(params=None) -> str:
        from smarketing import tasks

        return tasks.resolve_report_day(params["report_day"] or None)

    @task(retries=0)
    def pick_editions(report_day: str, params=None) -> list[str]:
        from smarketing import tasks

        return tasks.pick_editions(params["editions"], report_day)

    @task(map_index_template="{{ edition }}")
    def render_edition(edition: str, report_day: str) -> dict:
        from smarketing import tasks

        return tasks.render_edition(edition, report_day)

    @task(map_index_template="{{ rendered['edition'] }}")
    def send_edition(rendered: dict) -> str:
        from smarketing import tasks

        return tasks.send_edition(rendered)

    report_day = resolve_report_day()
    rendered = render_edition.partial(report_day=report_day).expand(edition=pick_editions(report_day))
    send_edition.expand(rendered=rendered)


smarketing_report()
