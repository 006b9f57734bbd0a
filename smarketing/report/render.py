"""Render the KPI report to an e-mail subject, HTML and plain text: data in, strings out, no I/O
beyond reading the templates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from smarketing.config import REPO_ROOT
from smarketing.report.filters import FILTERS
from smarketing.report.kpis import KpiReport

TEMPLATES_DIR = REPO_ROOT / "reports" / "templates"


@dataclass(frozen=True)
class KpiRow:
    label: str
    attribute: str  # of PeriodKpis
    kind: str  # a kind the `kpi` filter knows


# One list for both parts, so the HTML and the text can never show different rows.
KPI_ROWS: tuple[KpiRow, ...] = (
    KpiRow("Spend", "spend", "money"),
    KpiRow("Leads", "leads", "count"),
    KpiRow("MQLs", "mqls", "count"),
    KpiRow("SQLs", "sqls", "count"),
    KpiRow("Customers", "customers", "count"),
    KpiRow("Revenue", "revenue", "money"),
    KpiRow("CPL", "cpl", "money"),
    KpiRow("ROMI", "romi_percent", "percent"),
)


@dataclass(frozen=True)
class RenderedReport:
    subject: str
    html: str
    text: str


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


def render_report(report: KpiReport, *, generated_at: datetime) -> RenderedReport:
    """Render both parts of the e-mail from the same context."""
    if generated_at.tzinfo is None:
        raise ValueError("generated_at must be timezone-aware, or the report's timestamp is ambiguous")
    env = template_environment()
    subject = f"smarketing daily KPIs — {report.last_day.isoformat()}"
    context = {
        "subject": subject,
        "report": report,
        "rows": KPI_ROWS,
        "generated_at": generated_at,
    }
    return RenderedReport(
        subject=subject,
        html=env.get_template("report.html.j2").render(context),
        text=env.get_template("report.txt.j2").render(context),
    )
