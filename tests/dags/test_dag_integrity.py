"""The DAG folder imports cleanly and the nightly and report DAGs are wired as designed."""

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
    } <= (task_ids)
    # The report is the report DAG's job: it runs on the MARTS Asset that validate_marts produces.
    assert not {"render_report", "send_report"} & task_ids
    # The dbt project is one `dbt build` task (make bench: a task per model took 3.3x the wall time).
    assert dag.get_task("transform").task_type == "DbtBuildLocalOperator"
    # dbt builds independent models side by side (dbt's own default is one at a time).
    assert dag.get_task("transform").profile_config.profile_mapping.profile_args["threads"] == 2

    def downstream(task_id):
        return dag.get_task(task_id).downstream_task_ids

    assert "extract_load" in downstream("prepare_warehouse")
    assert downstream("extract_load") == {"validate_raw", "alert_on_failure"}
    assert downstream("validate_raw") == {"transform"}
    assert downstream("transform") == {"validate_marts"}
    assert downstream("validate_marts") == {"alert_on_failure"}
    assert [a.name for a in dag.get_task("validate_marts").outlets] == ["smarketing_marts"]
    # One source failing does not stop the others; the alert waits for everything, then decides.
    assert dag.get_task("validate_raw").trigger_rule == "all_done_min_one_success"
    assert dag.get_task("alert_on_failure").trigger_rule == "all_done"
    assert dag.get_task("alert_on_failure").retries == 0
    assert [t.task_id for t in dag.leaves] == ["alert_on_failure"]


def test_report_dag_shape(dagbag):
    from airflow.sdk import Asset

    from smarketing.orchestration import MARTS

    dag = dagbag.get_dag("smarketing_report")
    assert dag.catchup is False
    assert dag.max_active_runs == 1
    assert dag.default_args["retries"] == 3
    assert dag.default_args["retry_delay"] == timedelta(minutes=2)
    assert type(dag.timetable).__name__ == "AssetTriggeredTimetable"
    assert list(dag.timetable.asset_condition.objects) == [MARTS]
    assert isinstance(MARTS, Asset) and MARTS.name == "smarketing_marts"
    assert {name: param.value for name, param in dag.params.items()} == {"editions": "due", "report_day": ""}

    assert set(dag.task_ids) == {
        "resolve_report_day",
        "pick_editions",
        "render_edition",
        "send_edition",
    }

    def downstream(task_id):
        return dag.get_task(task_id).downstream_task_ids

    assert downstream("resolve_report_day") == {"pick_editions", "render_edition"}
    assert downstream("pick_editions") == {"render_edition"}
    assert downstream("render_edition") == {"send_edition"}
    render, send = dag.get_task("render_edition"), dag.get_task("send_edition")
    # One mapped task instance per edition, named after it.
    assert render.is_mapped and send.is_mapped
    assert render.map_index_template == "{{ edition }}"
    assert send.retries == 3 and send.retry_delay == timedelta(minutes=2)


def test_the_bench_compares_three_cosmos_modes_of_the_same_dbt_step(airflow_db):
    from cosmos.constants import PRODUCER_WATCHER_TASK_ID

    from smarketing.bench_airflow import dbt_step_dags

    dags = {dag.dag_id: dag for dag in dbt_step_dags().values()}
    per_model = dags["bench_dbt_per_model"]
    assert "transform.fct_ad_spend_daily_model_build" in per_model.task_ids
    assert dags["bench_dbt_one_dbt_build"].task_ids == ["transform"]
    watcher = dags["bench_dbt_watcher"]
    producer = f"transform.{PRODUCER_WATCHER_TASK_ID}"
    # dag.test() runs one task at a time: every sensor chain starts after the producer's dbt build.
    assert [task.task_id for task in watcher.roots] == [producer]
    assert "transform.fct_ad_spend_daily.run" in watcher.task_ids
