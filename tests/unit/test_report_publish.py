"""Which editions a report run publishes: by their cron schedules, on the day after the report day."""

from datetime import date, timedelta
from pathlib import Path

import pytest

from smarketing.config import load_config
from smarketing.report.publish import due_editions, enabled_editions

CONFIG = """
timezone: Europe/Berlin
sources:
  google_ads: {path: ads}
report:
  recipients: [ceo@example.org]
  sender: bot@example.org
"""


def config(tmp_path: Path, extra: str = ""):
    path = tmp_path / "smarketing.yml"
    path.write_text(CONFIG + extra)
    return load_config(path)


@pytest.mark.parametrize(
    ("send_day", "expected"),
    [
        (date(2026, 3, 11), ["daily"]),  # a Wednesday
        (date(2026, 3, 9), ["daily", "weekly"]),  # a Monday
        (date(2026, 4, 1), ["daily", "monthly"]),  # the 1st, a Wednesday
        (date(2026, 6, 1), ["daily", "weekly", "monthly"]),  # the 1st and a Monday
        (date(2026, 3, 29), ["daily"]),  # Sunday, the day Berlin moves to summer time
    ],
)
def test_default_schedules(tmp_path, send_day, expected):
    assert due_editions(config(tmp_path), send_day) == expected


def test_daily_is_due_every_day_weekly_on_mondays_monthly_on_the_first(tmp_path):
    loaded = config(tmp_path)
    days = [date(2026, 1, 1) + timedelta(days=n) for n in range(366)]
    for day in days:
        due = due_editions(loaded, day)
        assert "daily" in due
        assert ("weekly" in due) == (day.weekday() == 0)
        assert ("monthly" in due) == (day.day == 1)


def test_disabled_editions_and_own_schedules(tmp_path):
    loaded = config(
        tmp_path,
        """  editions:
    daily: {enabled: false}
    weekly: {schedule: "0 7 * * 5"}
""",
    )
    assert enabled_editions(loaded) == ["weekly", "monthly"]
    assert due_editions(loaded, date(2026, 3, 13)) == ["weekly"]  # a Friday
    assert due_editions(loaded, date(2026, 3, 9)) == []  # a Monday: no daily, weekly moved to Friday
