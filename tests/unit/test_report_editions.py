"""The editions' periods, comparisons and series windows (pure date math), and their config."""

from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from smarketing.config import ConfigError, load_config
from smarketing.report.editions import (
    comparison_periods,
    edition_periods,
    report_day_at,
    report_period,
    series_window,
    week_period,
)
from smarketing.report.model import Period


def test_report_day_is_the_last_complete_day_in_the_report_time_zone():
    berlin = ZoneInfo("Europe/Berlin")
    assert report_day_at(datetime(2026, 3, 11, 6, 30, tzinfo=berlin), berlin) == date(2026, 3, 10)
    # 23:30 UTC on the 10th is already 00:30 on the 11th in Berlin.
    assert report_day_at(datetime(2026, 3, 10, 23, 30, tzinfo=UTC), "Europe/Berlin") == date(2026, 3, 10)
    assert report_day_at(datetime(2026, 3, 10, 22, 30, tzinfo=UTC), "Europe/Berlin") == date(2026, 3, 9)
    with pytest.raises(ValueError, match="timezone-aware"):
        report_day_at(datetime(2026, 3, 11, 6, 30), berlin)


def test_daily_is_the_report_day_vs_the_same_day_last_week():
    periods = edition_periods("daily", date(2026, 3, 10), history_start=date(2025, 12, 20))
    assert periods.period_type == "day"
    assert periods.period == Period("10 Mar 2026", date(2026, 3, 10), date(2026, 3, 10))
    [comparison] = periods.comparisons
    assert comparison.label == "vs same day last week"
    assert comparison.period == Period("3 Mar 2026", date(2026, 3, 3), date(2026, 3, 3))
    # Series: the 30 days ending on the report day.
    assert (periods.series_first_day, periods.series_last_day) == (date(2026, 2, 9), date(2026, 3, 10))


def test_weekly_is_the_last_complete_iso_week_vs_the_previous_week():
    # Tuesday 2026-03-10: the last complete week ended on Sunday 03-08.
    periods = edition_periods("weekly", date(2026, 3, 10), history_start=date(2025, 1, 1))
    assert periods.period_type == "week"
    assert periods.period == Period("week 10, 2-8 Mar 2026", date(2026, 3, 2), date(2026, 3, 8))
    [comparison] = periods.comparisons
    assert comparison.label == "vs previous week"
    assert comparison.period == Period("week 9, 23 Feb-1 Mar 2026", date(2026, 2, 23), date(2026, 3, 1))
    # Series: 12 whole weeks, Monday 2025-12-15 .. Sunday 2026-03-08.
    assert (periods.series_first_day, periods.series_last_day) == (date(2025, 12, 15), date(2026, 3, 8))


@pytest.mark.parametrize(
    ("report_day", "monday"),
    [
        (date(2026, 3, 8), date(2026, 3, 2)),  # a Sunday ends its own week
        (date(2026, 3, 9), date(2026, 3, 2)),  # Monday: the week before
        (date(2026, 3, 14), date(2026, 3, 2)),  # Saturday: the week before
        (date(2026, 3, 15), date(2026, 3, 9)),
    ],
)
def test_weekly_period_ends_on_the_sunday_on_or_before_the_report_day(report_day, monday):
    period = report_period("weekly", report_day)
    assert period.first_day == monday
    assert (period.last_day - period.first_day).days == 6
    assert period.last_day <= report_day


def test_iso_week_across_a_year_boundary():
    # Tuesday 2026-01-06: the last complete week is ISO week 1 of 2026, which starts in 2025.
    period = report_period("weekly", date(2026, 1, 6))
    assert period == Period("week 1, 29 Dec 2025-4 Jan 2026", date(2025, 12, 29), date(2026, 1, 4))
    [previous] = comparison_periods("weekly", period, history_start=None)
    assert previous.period == Period("week 52, 22-28 Dec 2025", date(2025, 12, 22), date(2025, 12, 28))
    # 2020 had 53 ISO weeks: the one of New Year 2021 is week 53 of 2020.
    assert week_period(date(2021, 1, 3)).label == "week 53, 28 Dec 2020-3 Jan 2021"
    assert week_period(date(2021, 1, 4)).label == "week 1, 4-10 Jan 2021"


def test_monthly_is_the_last_complete_month_vs_the_previous_month():
    periods = edition_periods("monthly", date(2026, 3, 10), history_start=date(2025, 12, 20))
    assert periods.period_type == "month"
    assert periods.period == Period("February 2026", date(2026, 2, 1), date(2026, 2, 28))
    # February 2025 is before the first day with data: no "same month last year".
    assert [(c.label, c.period) for c in periods.comparisons] == [
        ("vs previous month", Period("January 2026", date(2026, 1, 1), date(2026, 1, 31)))
    ]
    # Series: 13 months, March 2025 .. February 2026, but not before the first day with data.
    assert (periods.series_first_day, periods.series_last_day) == (date(2025, 12, 20), date(2026, 2, 28))


def test_february_of_a_leap_year():
    period = report_period("monthly", date(2024, 3, 5))
    assert period == Period("February 2024", date(2024, 2, 1), date(2024, 2, 29))
    # The last day of a month ends a complete month: the report on 02-29 covers February itself.
    assert report_period("monthly", date(2024, 2, 29)) == period
    assert report_period("monthly", date(2024, 2, 28)).label == "January 2024"
    assert report_period("monthly", date(2026, 3, 1)) == Period("February 2026", date(2026, 2, 1), date(2026, 2, 28))


@pytest.mark.parametrize(
    ("history_start", "has_last_year"),
    [
        (date(2020, 1, 1), True),
        (date(2023, 2, 1), True),  # the whole of February 2023 is in the warehouse
        (date(2023, 2, 2), False),  # only part of it: a fraction of a month is no comparison
        (date(2024, 1, 15), False),
        (None, False),  # an empty warehouse
    ],
)
def test_same_month_last_year_only_where_history_allows(history_start, has_last_year):
    period = report_period("monthly", date(2024, 3, 5))
    comparisons = comparison_periods("monthly", period, history_start)
    expected = [("vs previous month", Period("January 2024", date(2024, 1, 1), date(2024, 1, 31)))]
    if has_last_year:
        expected.append(("vs same month last year", Period("February 2023", date(2023, 2, 1), date(2023, 2, 28))))
    assert [(c.label, c.period) for c in comparisons] == expected


def test_january_is_compared_with_december_of_the_year_before():
    period = report_period("monthly", date(2026, 2, 1))
    assert period == Period("January 2026", date(2026, 1, 1), date(2026, 1, 31))
    previous, last_year = comparison_periods("monthly", period, history_start=date(2024, 6, 1))
    assert previous.period == Period("December 2025", date(2025, 12, 1), date(2025, 12, 31))
    assert last_year.period == Period("January 2025", date(2025, 1, 1), date(2025, 1, 31))


def test_series_windows():
    day = report_period("daily", date(2026, 3, 10))
    assert series_window("daily", day) == (date(2026, 2, 9), date(2026, 3, 10))
    assert series_window("daily", day, history_start=date(2026, 3, 1)) == (date(2026, 3, 1), date(2026, 3, 10))
    week = report_period("weekly", date(2026, 3, 10))
    assert series_window("weekly", week) == (date(2025, 12, 15), date(2026, 3, 8))
    month = report_period("monthly", date(2024, 3, 5))
    assert series_window("monthly", month) == (date(2023, 2, 1), date(2024, 2, 29))


def test_unknown_edition():
    with pytest.raises(ValueError, match="unknown edition 'yearly'"):
        report_period("yearly", date(2026, 3, 10))  # type: ignore[arg-type]


CONFIG = """
sources:
  google_ads: {path: ads}
report:
  recipients: [ceo@example.org]
  sender: bot@example.org
"""


def _config(tmp_path: Path, editions: str = ""):
    path = tmp_path / "smarketing.yml"
    path.write_text(CONFIG + editions)
    return load_config(path)


def test_editions_default_to_their_schedules_and_the_report_recipients(tmp_path):
    editions = _config(tmp_path).report.editions
    assert [(name, e.enabled, e.schedule, e.recipients, e.top_campaigns) for name, e in editions.items()] == [
        ("daily", True, "30 6 * * *", ["ceo@example.org"], 10),
        ("weekly", True, "0 7 * * 1", ["ceo@example.org"], 10),
        ("monthly", True, "0 7 1 * *", ["ceo@example.org"], 10),
    ]


def test_an_edition_overrides_what_it_names_and_keeps_its_own_defaults(tmp_path):
    editions = _config(
        tmp_path,
        """  editions:
    daily: {enabled: false}
    monthly: {recipients: [board@example.org], top_campaigns: 25}
""",
    ).report.editions
    assert (editions.daily.enabled, editions.daily.schedule, editions.daily.recipients) == (
        False, "30 6 * * *", ["ceo@example.org"],
    )  # fmt: skip
    assert editions.weekly.schedule == "0 7 * * 1"
    assert (editions.monthly.schedule, editions.monthly.recipients, editions.monthly.top_campaigns) == (
        "0 7 1 * *", ["board@example.org"], 25,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("editions", "message"),
    [
        ('    daily: {schedule: "61 6 * * *"}\n', "key report.editions.daily.schedule: value '61 6 * * *'"),
        ('    weekly: {schedule: "0 7 * * 1 2026"}\n', "key report.editions.weekly.schedule: value '0 7 * * 1 2026'"),
        ("    monthly: {recipients: [nobody]}\n", "key report.editions.monthly.recipients.0: value 'nobody'"),
        ("    monthly: {recipients: []}\n", "key report.editions.monthly.recipients: value []"),
        ("    daily: {top_campaigns: 0}\n", "key report.editions.daily.top_campaigns: value 0"),
        ("    yearly: {enabled: true}\n", "key report.editions.yearly: value {'enabled': True}"),
    ],
)
def test_edition_errors_name_key_and_value(tmp_path, editions, message):
    with pytest.raises(ConfigError) as error:
        _config(tmp_path, "  editions:\n" + editions)
    assert message in str(error.value)
