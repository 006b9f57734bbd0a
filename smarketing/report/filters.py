"""Number formatting for the report templates, shared by the HTML and the text part.

Both parts must show the same figures, so the formatting lives here and not in the templates.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

MISSING = "n/a"
_CENT = Decimal("0.01")
_TENTH = Decimal("0.1")
_HUNDRED = Decimal(100)
_LINE_BREAKS = re.compile(r"[\s\x00-\x1f\x7f\x85\u2028\u2029]+")


def money(value: Decimal | None, currency: str) -> str:
    """`EUR 1,234.50`: thousands separators, two decimals, commercial rounding."""
    if value is None:
        return MISSING
    return f"{currency} {value.quantize(_CENT, rounding=ROUND_HALF_UP):,.2f}"


def count(value: int | None) -> str:
    """`1,234`."""
    if value is None:
        return MISSING
    return f"{value:,d}"


def percent(value: Decimal | None) -> str:
    """`245.3%`: one decimal."""
    if value is None:
        return MISSING
    return f"{value.quantize(_TENTH, rounding=ROUND_HALF_UP):,.1f}%"


def amount(value: Decimal | None, places: int = 2) -> str:
    """`1,234.50` (or `1,235` with no places): money in a table whose header names the currency."""
    if value is None:
        return MISSING
    step = Decimal(1).scaleb(-places)
    return f"{value.quantize(step, rounding=ROUND_HALF_UP):,.{places}f}"


def rate(value: Decimal | None) -> str:
    """A share given as a fraction (0.4167) shown as a percentage: `41.7%`."""
    if value is None:
        return MISSING
    return percent(value * _HUNDRED)


def ratio(value: Decimal | None) -> str:
    """A multiple such as LTV:CAC: `3.25x` (two decimals, so 2.95 does not pass for 3.0)."""
    if value is None:
        return MISSING
    return f"{value.quantize(_CENT, rounding=ROUND_HALF_UP):,.2f}x"


def hours(value: Decimal | None) -> str:
    """`1.5 h`."""
    if value is None:
        return MISSING
    return f"{value.quantize(_TENTH, rounding=ROUND_HALF_UP):,.1f} h"


def days(value: Decimal | None) -> str:
    """`37.5 days`."""
    if value is None:
        return MISSING
    return f"{value.quantize(_TENTH, rounding=ROUND_HALF_UP):,.1f} days"


def change(value: Decimal | None) -> str:
    """A change in percent with its direction: `▲ +12.5%`, `▼ -3.0%`, `= 0.0%`. The arrow follows
    the rounded figure, so a change shown as 0.0% never gets an arrow."""
    if value is None:
        return MISSING
    rounded = value.quantize(_TENTH, rounding=ROUND_HALF_UP)
    if rounded > 0:
        return f"\u25b2 +{rounded:,.1f}%"
    if rounded < 0:
        return f"\u25bc {rounded:,.1f}%"
    return f"= {abs(rounded):,.1f}%"


def unit_value(value: Decimal | int | None, unit: str, currency: str) -> str:
    """Format a value by its unit in the report data (`report.model.Unit`).

    `percent` is already in percent (ROMI 245.3), `rate` is a fraction shown as percent
    (0.417 -> 41.7%), `ratio` is a multiple (LTV:CAC 3.25 -> 3.25x)."""
    if value is None:
        return MISSING
    if unit == "currency":
        return money(Decimal(value), currency)
    if unit == "count":
        return count(int(value))
    if unit == "percent":
        return percent(Decimal(value))
    if unit == "rate":
        return rate(Decimal(value))
    if unit == "ratio":
        return ratio(Decimal(value))
    if unit == "hours":
        return hours(Decimal(value))
    if unit == "days":
        return days(Decimal(value))
    raise ValueError(f"unknown unit {unit!r}")


def oneline(value: str) -> str:
    """A name on one line: line breaks, tabs and other control characters become one space, so a
    hostile name cannot start a line of its own in the plain-text part."""
    return _LINE_BREAKS.sub(" ", value).strip()


def timestamp(value: datetime | None, timezone: str) -> str:
    """`2026-11-23 05:12` in the report time zone (a naive time is taken as UTC, as stored)."""
    if value is None:
        return "never"
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M")


def month(value: date) -> str:
    """`Nov 2026`."""
    return value.strftime("%b %Y")


def day(value: date) -> str:
    """`22 Nov 2026`."""
    return f"{value.day} {value:%b %Y}"


FILTERS = {
    "money": money,
    "count": count,
    "percent": percent,
    "amount": amount,
    "rate": rate,
    "ratio": ratio,
    "hours": hours,
    "days": days,
    "change": change,
    "unit_value": unit_value,
    "oneline": oneline,
    "timestamp": timestamp,
    "month": month,
    "day": day,
}
