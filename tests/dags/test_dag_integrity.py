"""The DAG folder imports cleanly and the nightly DAG is wired as designed."""

from datetime import timedelta

import pytest

from smarketing.config import REPO_ROOT


@pytest.fixture(scope="module")
def dagbag(airflow_db):
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(REPO_ROOT / "dags"))


def test_no_import_errors(dagbag):
    assert dagbag.import_errors == {}


def test_nightly_dag_shape(dagbag):
    dag = dagbag.get_dag("smarketing_nightly")
    assert dag.catchup is False
    assert dag.max_active_runs == 1
    assert dag.default_args["retries"] == 2
    assert dag.timetable.summary == "0 4 * * *"
    task_ids = set(dag.task_ids)
    assert {
        "prepare_warehouse",
        "extract_load",
        "validate_raw",
        "validate_marts",
        "render_report",
        "send_report",
    } <= (task_ids)
    dbt_tasks = {t for t in task_ids if t.startswith("transform.")}
    # One `dbt build` task per model, marts among them.
    assert {"transform.fct_ad_spend_daily_model_build", "transform.fct_funnel_daily_model_build"} <= dbt_tasks

    def downstream(task_id):
        return dag.get_task(task_id).downstream_task_ids

    assert "extract_load" in downstream("prepare_warehouse")
    assert "validate_raw" in downstream("extract_load")
    assert downstream("validate_raw") <= dbt_tasks
    assert "render_report" in downstream("validate_marts")
    assert downstream("render_report") == {"send_report"}
    assert dag.get_task("send_report").retries == 3
    assert dag.get_task("send_report").retry_delay == timedelta(minutes=2)
    assert [a.name for a in dag.get_task("validate_marts").outlets] == ["smarketing_marts"]
