"""Number formatting for the report templates, shared by the HTML and the text part.

Both parts must show the same figures, so the formatting lives here and not in the templates.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

MISSING = "n/a"
_CENT = Decimal("0.01")
_TENTH = Decimal("0.1")


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


def kpi(value: Decimal | int | None, kind: str, currency: str) -> str:
    """Format a KPI by its kind (`money`, `count`, `percent`), so templates can loop over rows."""
    if kind == "money":
        return money(value, currency)  # type: ignore[arg-type]
    if kind == "count":
        return count(value)  # type: ignore[arg-type]
    if kind == "percent":
        return percent(value)  # type: ignore[arg-type]
    raise ValueError(f"unknown KPI kind {kind!r}")


FILTERS = {"money": money, "count": count, "percent": percent, "kpi": kpi}
