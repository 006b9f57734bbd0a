"""Which days an edition of the report covers, and what it is compared with: pure date math.

The report day is the last complete day in the report time zone (the day before the run). From it:

- daily: the report day itself, compared with the same day last week;
- weekly: the last complete ISO week (Monday to Sunday) ending on or before the report day,
  compared with the previous week;
- monthly: the last complete calendar month ending on or before the report day, compared with
  the previous month and - only where history allows, i.e. when the warehouse's data start
  (`history_start`, its first day with data) is on or before that month's first day - with the
  same month last year. A year-ago month the warehouse holds only part of would compare a
  fraction of a month with a whole one, so it is left out rather than shown as a change.

The chart's daily series ends on the period's last day and starts (never before history_start):
daily 30 days back, weekly 12 whole weeks back (84 days), monthly 13 whole months back (the
period's month and the 12 before it) - enough to see the period against its recent past.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal, get_args
from zoneinfo import ZoneInfo

from smarketing.report.model import EditionName, Period

PeriodType = Literal["day", "week", "month"]

EDITIONS: tuple[EditionName, ...] = get_args(EditionName)
# The edition's period in marts.fct_kpi_period.period_type.
PERIOD_TYPES: dict[EditionName, PeriodType] = {"daily": "day", "weekly": "week", "monthly": "month"}

SERIES_DAYS_DAILY = 30
SERIES_WEEKS_WEEKLY = 12
SERIES_MONTHS_MONTHLY = 13

_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


@dataclass(frozen=True)
class ComparisonPeriod:
    label: str  # "vs same day last week", "vs previous week", "vs previous month", "vs same month last year"
    period: Period


@dataclass(frozen=True)
class EditionPeriods:
    """Everything date-shaped about one issue of an edition."""

    edition: EditionName
    period_type: PeriodType
    report_day: date
    period: Period
    comparisons: tuple[ComparisonPeriod, ...]
    series_first_day: date  # the chart's series: series_first_day .. period.last_day
    series_last_day: date


def report_day_at(moment: datetime, timezone: str | ZoneInfo) -> date:
    """The last complete day at `moment` in the report time zone: the day before its local date."""
    if moment.tzinfo is None:
        raise ValueError("moment must be timezone-aware, or the report day is ambiguous")
    tz = ZoneInfo(timezone) if isinstance(timezone, str) else timezone
    return moment.astimezone(tz).date() - timedelta(days=1)


def _day_label(day: date) -> str:
    return f"{day.day} {_MONTHS[day.month - 1][:3]} {day.year}"


def day_period(day: date) -> Period:
    """`22 Nov 2026`."""
    return Period(label=_day_label(day), first_day=day, last_day=day)


def week_period(day: date) -> Period:
    """The ISO week (Monday to Sunday) containing `day`: `week 47, 16-22 Nov 2026`; a week spanning
    two months or years names both: `week 9, 23 Feb-1 Mar 2026`, `week 1, 29 Dec 2025-4 Jan 2026`."""
    monday = day - timedelta(days=day.weekday())
    sunday = monday + timedelta(days=6)
    if monday.year != sunday.year:
        span = f"{_day_label(monday)}-{_day_label(sunday)}"
    elif monday.month != sunday.month:
        span = f"{monday.day} {_MONTHS[monday.month - 1][:3]}-{_day_label(sunday)}"
    else:
        span = f"{monday.day}-{_day_label(sunday)}"
    return Period(label=f"week {monday.isocalendar().week}, {span}", first_day=monday, last_day=sunday)


def month_period(year: int, month: int) -> Period:
    """`November 2026`."""
    first = date(year, month, 1)
    last = _add_months(first, 1) - timedelta(days=1)
    return Period(label=f"{_MONTHS[month - 1]} {year}", first_day=first, last_day=last)


def _add_months(first_of_month: date, months: int) -> date:
    index = first_of_month.year * 12 + first_of_month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def report_period(edition: EditionName, report_day: date) -> Period:
    """The period an issue covers: complete periods only, ending on or before the report day."""
    if edition == "daily":
        return day_period(report_day)
    if edition == "weekly":
        # The Sunday on or before the report day ends the last complete week.
        return week_period(report_day - timedelta(days=(report_day.weekday() + 1) % 7))
    if edition == "monthly":
        if (report_day + timedelta(days=1)).day == 1:  # the report day ends its month
            return month_period(report_day.year, report_day.month)
        previous = _add_months(report_day.replace(day=1), -1)
        return month_period(previous.year, previous.month)
    raise ValueError(f"unknown edition {edition!r}; editions: {', '.join(EDITIONS)}")


def comparison_periods(
    edition: EditionName, period: Period, history_start: date | None
) -> tuple[ComparisonPeriod, ...]:
    """The earlier periods an issue is compared with; `history_start` is the warehouse's first day
    with data (None: no data), deciding whether "same month last year" can be shown."""
    if edition == "daily":
        return (ComparisonPeriod("vs same day last week", day_period(period.first_day - timedelta(days=7))),)
    if edition == "weekly":
        return (ComparisonPeriod("vs previous week", week_period(period.first_day - timedelta(days=7))),)
    if edition == "monthly":
        previous = _add_months(period.first_day, -1)
        comparisons = [ComparisonPeriod("vs previous month", month_period(previous.year, previous.month))]
        year_ago = month_period(period.first_day.year - 1, period.first_day.month)
        if history_start is not None and history_start <= year_ago.first_day:
            comparisons.append(ComparisonPeriod("vs same month last year", year_ago))
        return tuple(comparisons)
    raise ValueError(f"unknown edition {edition!r}; editions: {', '.join(EDITIONS)}")


def series_window(edition: EditionName, period: Period, history_start: date | None = None) -> tuple[date, date]:
    """First and last day of the chart's daily series (see the module docstring); an empty window
    (first > last) when history starts after the period."""
    if edition == "daily":
        first = period.last_day - timedelta(days=SERIES_DAYS_DAILY - 1)
    elif edition == "weekly":
        first = period.last_day - timedelta(days=7 * SERIES_WEEKS_WEEKLY - 1)
    elif edition == "monthly":
        first = _add_months(period.last_day.replace(day=1), -(SERIES_MONTHS_MONTHLY - 1))
    else:
        raise ValueError(f"unknown edition {edition!r}; editions: {', '.join(EDITIONS)}")
    if history_start is not None:
        first = max(first, history_start)
    return first, period.last_day


def edition_periods(edition: EditionName, report_day: date, history_start: date | None) -> EditionPeriods:
    period = report_period(edition, report_day)
    series_first, series_last = series_window(edition, period, history_start)
    return EditionPeriods(
        edition=edition,
        period_type=PERIOD_TYPES[edition],
        report_day=report_day,
        period=period,
        comparisons=comparison_periods(edition, period, history_start),
        series_first_day=series_first,
        series_last_day=series_last,
    )
