"""The data team's alert: what it says for each kind of failure."""

from pathlib import Path

import pytest

from smarketing.alerts import LoadFailure, RunFailure, alert_message, alert_text
from smarketing.config import load_config

LOAD_FAILURE = LoadFailure(
    "hubspot",
    "contacts",
    "2026-03-07..2026-03-10",
    "hubspot/contacts: /drop/contacts/page-0002.json, record 0, field (file): not valid JSON: Expecting value",
)


def failure(**changes) -> RunFailure:
    values = dict(
        run_label="for 2026-03-11",
        failed_tasks=("extract_load[hubspot]",),
        load_failures=(LOAD_FAILURE,),
        critical_checks=(),
        open_quarantine=(("google_ads", "campaign_daily", 2),),
        report_published=True,
    )
    return RunFailure(**(values | changes))


def test_a_source_that_failed_names_file_and_reason_and_what_happens_to_the_report():
    text = alert_text(failure())
    assert text.splitlines()[0] == (
        "The smarketing nightly run for 2026-03-11 failed: could not load hubspot; the report names it as stale."
    )
    assert (
        "- hubspot/contacts, window 2026-03-07..2026-03-10:\n    hubspot/contacts: /drop/contacts/page-0002.json"
        in text
    )
    assert "- google_ads/campaign_daily: 2" in text
    assert "Failed tasks: extract_load[hubspot]" in text
    assert failure(report_published=False).headline == "could not load hubspot; no report was published"


def test_a_critical_check_comes_first_and_says_no_report_went_out():
    checks = ("raw_quarantine / quarantine.rejected_rows / (table): more than 5 % quarantined — 1 unexpected row(s)",)
    text = alert_text(failure(critical_checks=checks, load_failures=()))
    assert text.startswith(
        "The smarketing nightly run for 2026-03-11 failed: 1 critical data-quality check(s) failed; "
        "no report was published."
    )
    assert f"Critical data-quality checks that failed:\n- {checks[0]}" in text
    assert "could not be loaded" not in text


def test_a_dbt_failure_names_each_failed_model_and_its_error():
    dbt_failures = (
        ("model.smarketing.fct_kpi_period", "error: Database Error in model fct_kpi_period\n  division by zero"),
        ("test.smarketing.unique_dim_persons_person_id.1a2b", "fail: Got 2 results, configured to fail if != 0"),
    )
    failure_ = failure(failed_tasks=("transform",), load_failures=(), open_quarantine=(), dbt_failures=dbt_failures)
    text = alert_text(failure_)
    assert failure_.headline == (
        "dbt build failed (fct_kpi_period, unique_dim_persons_person_id); no report was published"
    )
    assert (
        "- model.smarketing.fct_kpi_period:\n    error: Database Error in model fct_kpi_period\n      division by zero"
        in text
    )
    assert "- test.smarketing.unique_dim_persons_person_id.1a2b:\n    fail: Got 2 results" in text


def test_the_message_goes_to_the_alert_recipients_from_the_report_sender(tmp_path: Path):
    config_file = tmp_path / "smarketing.yml"
    config_file.write_text(
        """
sources: {google_ads: {path: .}}
report: {recipients: [ceo@example.org], sender: smarketing@example.org}
alerts: {recipients: [data@example.org, oncall@example.org]}
"""
    )
    message = alert_message(failure(), load_config(config_file))
    assert message["To"] == "data@example.org, oncall@example.org"
    assert message["From"] == "smarketing@example.org"
    assert (
        message["Subject"]
        == "smarketing nightly for 2026-03-11 FAILED: could not load hubspot; the report names it as stale"
    )
    assert message.get_content() == alert_text(failure())


def test_without_alert_recipients_there_is_no_message(tmp_path: Path):
    config_file = tmp_path / "smarketing.yml"
    config_file.write_text(
        "sources: {google_ads: {path: .}}\nreport: {recipients: [a@example.org], sender: b@example.org}\n"
    )
    with pytest.raises(ValueError, match="no `alerts`"):
        alert_message(failure(), load_config(config_file))


def test_failed_mapped_extract_tasks_are_named_by_their_source():
    from smarketing.tasks import _task_label

    sources = ["google_ads", "hubspot"]
    assert _task_label("extract_load_1", sources) == "extract_load[hubspot]"
    assert _task_label("transform.fct_kpi_period_model_build", sources) == "transform.fct_kpi_period_model_build"
    assert _task_label("validate_raw", sources) == "validate_raw"
