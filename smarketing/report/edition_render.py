"""Render one edition of the report (daily, weekly, monthly) from its `ReportData`: the subject,
the HTML and plain-text parts, the charts and the campaign CSV. Data in, strings and bytes out.

The HTML is written with classes against `reports/static/email.css`, then the stylesheet is
inlined (css-inline) and the classes dropped, so that what leaves here carries inline styles
only: Gmail and Outlook ignore or strip `<style>` blocks in many of their clients.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path

import css_inline
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from smarketing.config import REPO_ROOT
from smarketing.report import charts
from smarketing.report.filters import (
    FILTERS,
    change,
    count,
    day,
    money,
    oneline,
    percent,
    rate,
    unit_value,
)
from smarketing.report.model import CampaignRow, KpiCard, LeadQualityRow, ReportData

STYLESHEET = REPO_ROOT / "reports" / "static" / "email.css"
TEMPLATES_DIR = REPO_ROOT / "reports" / "templates"
CID_DOMAIN = "smarketing.report"

STATUS_LABELS = {"green": "on target", "amber": "near target", "red": "off target", "n/a": "no target"}

CSV_COLUMNS = (
    "campaign_name",
    "channel",
    "currency",
    "spend",
    "leads",
    "mqls",
    "sqls",
    "customers",
    "revenue",
    "cpl",
    "cost_per_mql",
    "sql_rate_percent",
    "romi_percent",
)
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # OWASP: cells a spreadsheet would evaluate
# A class attribute inside a tag. Text nodes cannot match: the serializer escapes their `<`,
# and attribute values escape their `"`.
_CLASS_ATTRIBUTE = re.compile(r'(<[A-Za-z][^<>]*?) class="[^"<>]*"')


@dataclass(frozen=True)
class InlineImage:
    cid: str  # without angle brackets: the HTML says src="cid:<cid>"
    filename: str
    png: bytes
    alt: str


@dataclass(frozen=True)
class RenderedEdition:
    subject: str
    html: str
    text: str
    images: tuple[InlineImage, ...]
    csv_name: str
    csv_bytes: bytes


@dataclass(frozen=True)
class ComparisonView:
    label: str
    change: str  # "▲ +12.5%"
    then: str  # the earlier value, formatted like the card's value


@dataclass(frozen=True)
class CardView:
    """A headline card with every figure formatted once, so HTML and text cannot differ."""

    label: str
    value: str
    status: str  # green, amber, red, na: the CSS suffix
    status_label: str
    target: str
    comparisons: tuple[ComparisonView, ...]


@dataclass(frozen=True)
class QualityGroup:
    campaign_name: str
    reasons: tuple[LeadQualityRow, ...]
    persons: int


@cache
def template_environment(templates_dir: Path = TEMPLATES_DIR) -> Environment:
    """Jinja environment: HTML templates escaped (hostile names stay text), text templates not
    (an `&amp;` in a plain-text e-mail is a bug), and a missing variable is an error, not a blank."""
    env = Environment(
        loader=FileSystemLoader(templates_dir),
        autoescape=select_autoescape(
            enabled_extensions=("html", "htm", "xml", "html.j2"),
            disabled_extensions=("txt", "txt.j2"),
            default_for_string=True,
            default=True,
        ),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(FILTERS)
    return env


def render_edition(data: ReportData, *, generated_at: datetime) -> RenderedEdition:
    """Render both parts of the e-mail, the charts and the CSV from the same data."""
    if generated_at.tzinfo is None:
        raise ValueError("generated_at must be timezone-aware, or the report's timestamp is ambiguous")
    subject = f"smarketing {data.edition} KPIs \u2014 {data.period.label}"
    images = _images(data)
    context = {
        "subject": subject,
        "data": data,
        "cards": tuple(card_view(card, data.currency) for card in data.cards),
        "images": {image.filename.removesuffix(".png"): image for image in images},
        "quality_groups": _quality_groups(data.lead_quality),
        "stale_sources": tuple(source for source in data.freshness if source.is_stale),
        "quarantined_rows": sum(source.quarantined_rows for source in data.freshness),
        "sla_hours_label": _hours_label(data.sla.sla_hours),
        "generated_at": generated_at,
    }
    env = template_environment()
    html = env.get_template("edition.html.j2").render(context)
    return RenderedEdition(
        subject=subject,
        html=inline_css(html),
        text=env.get_template("edition.txt.j2").render(context),
        images=images,
        csv_name=f"smarketing-{data.edition}-campaigns-{_period_slug(data)}.csv",
        csv_bytes=campaigns_csv(data.campaigns_all, data.currency),
    )


def card_view(card: KpiCard, currency: str) -> CardView:
    status = "n/a" if card.is_provisional else card.status
    if card.is_provisional:
        status_label = "provisional"
    elif status == "n/a" and (card.target_low is not None or card.target_high is not None):
        status_label = "not judged"  # a target, but no value to judge
    else:
        status_label = STATUS_LABELS[status]
    return CardView(
        label=card.label,
        value=unit_value(card.value, card.unit, currency),
        status=status.replace("/", ""),
        status_label=status_label,
        target=_target(card, currency),
        comparisons=tuple(
            ComparisonView(
                label=comparison.label,
                change=change(comparison.change_percent),
                then=unit_value(comparison.value, card.unit, currency),
            )
            for comparison in card.comparisons
        ),
    )


def inline_css(html: str, stylesheet: Path = STYLESHEET) -> str:
    """Move the stylesheet into style attributes, then drop the now useless class attributes."""
    inliner = _inliner(stylesheet.read_text(encoding="utf-8"))
    inlined = _CLASS_ATTRIBUTE.sub(r"\1", inliner.inline(html))
    return inlined if inlined.endswith("\n") else inlined + "\n"  # as the e-mail part will carry it


def campaigns_csv(rows: Sequence[CampaignRow], currency: str) -> bytes:
    """Every campaign of the period, for a spreadsheet: UTF-8, a header row, `.` decimals, no
    thousands separators, and names that a spreadsheet cannot mistake for a formula."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow(
            (
                _csv_text(row.campaign_name),
                _csv_text(row.channel),
                _csv_text(currency),
                _csv_decimal(row.spend, "0.01"),
                row.leads,
                row.mqls,
                row.sqls,
                row.customers,
                _csv_decimal(row.revenue, "0.01"),
                _csv_decimal(row.cpl, "0.01"),
                _csv_decimal(row.cost_per_mql, "0.01"),
                _csv_decimal(None if row.sql_rate is None else row.sql_rate * 100, "0.1"),
                _csv_decimal(row.romi_percent, "0.1"),
            )
        )
    return buffer.getvalue().encode("utf-8")


def _images(data: ReportData) -> tuple[InlineImage, ...]:
    period = f"{day(data.period.first_day)} to {day(data.period.last_day)}"
    total_spend = sum((point.spend for point in data.daily), Decimal(0))
    total_leads = sum(point.leads for point in data.daily)
    first_chart_day = day(data.daily[0].day) if data.daily else day(data.period.first_day)
    funnel = "; ".join(
        f"{stage.label} {count(stage.persons)}" + (f" ({rate(stage.conversion_rate)})" if index else "")
        for index, stage in enumerate(data.funnel)
    )
    channels = "; ".join(
        f"{oneline(row.channel)}: CPL {money(row.cpl, data.currency)}, ROMI {percent(row.romi_percent)}"
        for row in data.channels
        if row.cpl is not None or row.romi_percent is not None
    )
    return (
        _image(
            "spend_leads",
            charts.spend_and_leads_chart(data.daily, data.currency),
            f"Chart: spend (bars) and leads (line) per day, {first_chart_day} to {day(data.period.last_day)}: "
            f"{money(total_spend, data.currency)} spend, {count(total_leads)} leads.",
        ),
        _image("funnel", charts.funnel_chart(data.funnel), f"Chart: funnel, {period}: {funnel or 'no data'}."),
        _image(
            "channels",
            charts.channel_chart(data.channels, data.currency),
            f"Chart: CPL and ROMI by channel, {period}: {channels or 'no paid channels'}.",
        ),
    )


def _image(name: str, png: bytes, alt: str) -> InlineImage:
    return InlineImage(cid=f"{name}@{CID_DOMAIN}", filename=f"{name}.png", png=png, alt=alt)


def _quality_groups(rows: Sequence[LeadQualityRow]) -> tuple[QualityGroup, ...]:
    """Reasons grouped by campaign, in the order the campaigns first appear."""
    grouped: dict[str, list[LeadQualityRow]] = {}
    for row in rows:
        grouped.setdefault(row.campaign_name, []).append(row)
    return tuple(
        QualityGroup(campaign_name=name, reasons=tuple(reasons), persons=sum(r.persons for r in reasons))
        for name, reasons in grouped.items()
    )


def _target(card: KpiCard, currency: str) -> str:
    low = unit_value(card.target_low, card.unit, currency) if card.target_low is not None else None
    high = unit_value(card.target_high, card.unit, currency) if card.target_high is not None else None
    if low and high:
        return f"target {low} to {high}"
    if low:
        return f"target at least {low}"
    if high:
        return f"target at most {high}"
    return "no target"


def _hours_label(value: Decimal) -> str:
    """`2 h`, `1.5 h`: the SLA window as configured, without trailing zeros."""
    text = format(value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP), "f").removesuffix(".0")
    return f"{text} h"


def _period_slug(data: ReportData) -> str:
    first, last = data.period.first_day.isoformat(), data.period.last_day.isoformat()
    return last if first == last else f"{first}_{last}"


def _csv_text(value: str) -> str:
    return f"'{value}" if value.startswith(_FORMULA_STARTS) else value


def _csv_decimal(value: Decimal | None, step: str) -> str:
    if value is None:
        return ""
    return format(value.quantize(Decimal(step), rounding=ROUND_HALF_UP), "f")


@cache
def _inliner(css: str) -> css_inline.CSSInliner:
    return css_inline.CSSInliner(
        keep_style_tags=False,
        keep_link_tags=False,
        load_remote_stylesheets=False,
        extra_css=css,
    )
