"""The report renders the numbers it is given, formatted the same way in HTML and text, and
escapes what must be escaped. Expected strings are worked out by hand from the inputs below."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from jinja2 import UndefinedError

from smarketing.report.filters import count, money, percent
from smarketing.report.kpis import KpiReport, PeriodKpis
from smarketing.report.render import KPI_ROWS, render_report, template_environment

LAST_DAY = date(2025, 3, 10)
GENERATED_AT = datetime(2025, 3, 11, 6, 30, tzinfo=UTC)
DASH = "\u2013"  # en dash between the dates of a period


def make_report(version: str = "2025.03-1") -> KpiReport:
    yesterday = PeriodKpis(
        label="Yesterday",
        first_day=LAST_DAY,
        last_day=LAST_DAY,
        spend=Decimal("1000.00"),
        leads=12,
        mqls=6,
        sqls=3,
        customers=2,
        revenue=Decimal("4000.00"),
        paid_leads=8,
        paid_revenue=Decimal("3453.00"),
    )
    last_7 = PeriodKpis(
        label="Last 7 days",
        first_day=date(2025, 3, 4),
        last_day=LAST_DAY,
        spend=Decimal("1234.500000"),
        leads=1234,
        mqls=321,
        sqls=45,
        customers=7,
        revenue=Decimal("98765.43"),
        paid_leads=3,
        paid_revenue=Decimal("617.25"),
    )
    last_30 = PeriodKpis(
        label="Last 30 days",
        first_day=date(2025, 2, 9),
        last_day=LAST_DAY,
        spend=Decimal("0"),
        leads=5,
        mqls=0,
        sqls=0,
        customers=1,
        revenue=Decimal("2500000.00"),
        paid_leads=0,
        paid_revenue=Decimal("0"),
    )
    return KpiReport(
        last_day=LAST_DAY, currency="EUR", definitions_version=version, periods=(yesterday, last_7, last_30)
    )


# Hand-computed:
#   Yesterday:    CPL = 1000.00 / 8 = 125.00;  ROMI = (3453 - 1000) / 1000 * 100 = 245.3%
#   Last 7 days:  CPL = 1234.50 / 3 = 411.50;  ROMI = (617.25 - 1234.50) / 1234.50 * 100 = -50.0%
#   Last 30 days: no paid leads -> CPL n/a;    no spend -> ROMI n/a
EXPECTED_ROWS = {
    "Spend": ["EUR 1,000.00", "EUR 1,234.50", "EUR 0.00"],
    "Leads": ["12", "1,234", "5"],
    "MQLs": ["6", "321", "0"],
    "SQLs": ["3", "45", "0"],
    "Customers": ["2", "7", "1"],
    "Revenue": ["EUR 4,000.00", "EUR 98,765.43", "EUR 2,500,000.00"],
    "CPL": ["EUR 125.00", "EUR 411.50", "n/a"],
    "ROMI": ["245.3%", "-50.0%", "n/a"],
}


class _TableCells(HTMLParser):
    """Collects the text of each table row's cells."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in {"td", "th"}:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in {"td", "th"} and self._cell is not None:
            self.rows[-1].append(" ".join(" ".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def html_kpi_rows(html: str) -> dict[str, list[str]]:
    parser = _TableCells()
    parser.feed(html)
    return {cells[0]: cells[1:] for cells in parser.rows if len(cells) == 4}


def text_kpi_rows(text: str) -> dict[str, list[str]]:
    rows = {}
    for line in text.splitlines():
        label = line[:10].strip()
        if label in EXPECTED_ROWS:
            rows[label] = [line[10 + 17 * i : 10 + 17 * (i + 1)].strip() for i in range(3)]
    return rows


def test_html_table_has_the_hand_computed_kpis():
    rendered = render_report(make_report(), generated_at=GENERATED_AT)
    rows = html_kpi_rows(rendered.html)
    assert rows.pop("KPI") == [
        "Yesterday 2025-03-10",
        f"Last 7 days 2025-03-04 {DASH} 2025-03-10",
        f"Last 30 days 2025-02-09 {DASH} 2025-03-10",
    ]
    assert rows == EXPECTED_ROWS
    assert [row.label for row in KPI_ROWS] == list(EXPECTED_ROWS)


def test_text_part_carries_the_same_numbers_in_the_same_format():
    rendered = render_report(make_report(), generated_at=GENERATED_AT)
    assert text_kpi_rows(rendered.text) == EXPECTED_ROWS
    assert "Yesterday     2025-03-10" in rendered.text
    assert f"Last 30 days  2025-02-09 {DASH} 2025-03-10" in rendered.text


def test_version_dates_glossary_and_subject():
    rendered = render_report(make_report(), generated_at=GENERATED_AT)
    assert rendered.subject == "smarketing daily KPIs — 2025-03-10"
    for part in (rendered.html, rendered.text):
        assert "Definitions version 2025.03-1" in part
        assert "generated 2025-03-11 06:30 UTC" in part
        assert "CPL = spend / paid-attributed leads" in part
    assert "ROMI = (paid-attributed revenue &minus; spend) / spend &times; 100%" in rendered.html
    assert "ROMI = (paid-attributed revenue - spend) / spend x 100%" in rendered.text


def test_html_is_an_email_safe_table_layout():
    html = render_report(make_report(), generated_at=GENERATED_AT).html
    lowered = html.lower()
    for forbidden in ("<style", "<link", "<script", "class=", "display:flex", "display:grid", "@import", "url("):
        assert forbidden not in lowered
    assert "max-width:600px" in html
    assert len(html.encode("utf-8")) < 100_000  # Gmail clips larger messages


def test_na_when_there_are_no_paid_leads_and_no_spend():
    rows = html_kpi_rows(render_report(make_report(), generated_at=GENERATED_AT).html)
    assert rows["CPL"][2] == "n/a"
    assert rows["ROMI"][2] == "n/a"


def test_version_string_is_escaped_in_html_but_not_in_text():
    hostile = '1.0 <script>alert("x")</script>'
    rendered = render_report(make_report(version=hostile), generated_at=GENERATED_AT)
    assert "<script>" not in rendered.html
    assert "Definitions version 1.0 &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in rendered.html
    assert f"Definitions version {hostile}" in rendered.text


def test_autoescape_is_on_for_html_templates_and_off_for_text_templates():
    env = template_environment()
    assert env.autoescape("report.html.j2") is True
    assert env.autoescape("report.txt.j2") is False


@pytest.mark.parametrize("template", ["report.html.j2", "report.txt.j2"])
def test_a_missing_variable_is_an_error_not_a_blank(template):
    # `subject` left out of the context on purpose.
    env = template_environment()
    with pytest.raises(UndefinedError, match="subject"):
        env.get_template(template).render(report=make_report(), rows=KPI_ROWS, generated_at=GENERATED_AT)


def test_a_naive_timestamp_is_refused():
    with pytest.raises(ValueError, match="timezone"):
        render_report(make_report(), generated_at=datetime(2025, 3, 11, 6, 30))


def test_kpi_properties():
    yesterday, last_7, last_30 = make_report().periods
    assert yesterday.cpl == Decimal("125")
    assert yesterday.romi_percent == Decimal("245.3")
    assert last_7.romi_percent == Decimal("-50")
    assert last_30.cpl is None
    assert last_30.romi_percent is None


@pytest.mark.parametrize(
    ("formatted", "expected"),
    [
        (money(Decimal("1234.5"), "EUR"), "EUR 1,234.50"),
        (money(Decimal("0.125"), "USD"), "USD 0.13"),  # half up, not banker's rounding (0.12)
        (money(Decimal("-1234567.891"), "EUR"), "EUR -1,234,567.89"),
        (money(None, "EUR"), "n/a"),
        (count(1234567), "1,234,567"),
        (count(None), "n/a"),
        (percent(Decimal("245.25")), "245.3%"),
        (percent(Decimal("1234.56")), "1,234.6%"),
        (percent(None), "n/a"),
    ],
)
def test_number_formats(formatted, expected):
    assert formatted == expected


def test_glossary_from_the_definitions_is_rendered_and_escaped():
    report = dataclasses.replace(
        make_report(), glossary=(("MQL", "lead score of 65 or more (<b>Company given</b> +10)"),)
    )
    rendered = render_report(report, generated_at=GENERATED_AT)
    assert "MQL: lead score of 65 or more (<b>Company given</b> +10)." in rendered.text
    assert "lead score of 65 or more (&lt;b&gt;Company given&lt;/b&gt; +10)" in rendered.html
