"""An edition renders the numbers it is given, the same in HTML and text, with every section,
escapes hostile names, stays a small inline-styled e-mail, and attaches a safe CSV. Expected
strings are worked out by hand from the data built below."""

from __future__ import annotations

import csv
import dataclasses
import io
import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from jinja2 import UndefinedError

from smarketing.report import charts
from smarketing.report.edition_render import RenderedEdition, render_edition, template_environment
from smarketing.report.filters import (
    amount,
    change,
    count,
    days,
    hours,
    money,
    oneline,
    percent,
    rate,
    ratio,
    unit_value,
)
from smarketing.report.model import (
    CampaignRow,
    ChannelRow,
    CohortRow,
    Comparison,
    DailyPoint,
    FunnelStage,
    KpiCard,
    LeadQualityRow,
    Period,
    ReportData,
    Sla,
    SourceFreshness,
)

D = Decimal
GENERATED_AT = datetime(2026, 11, 23, 6, 30, tzinfo=UTC)  # 07:30 in Berlin (UTC+1 in November)
WEEK = Period("week 47, 16-22 Nov 2026", date(2026, 11, 16), date(2026, 11, 22))
PREVIOUS_WEEK = Period("week 46, 9-15 Nov 2026", date(2026, 11, 9), date(2026, 11, 15))
LAST_YEAR = Period("week 47, 17-23 Nov 2025", date(2025, 11, 17), date(2025, 11, 23))

SCRIPT_NAME = "Brand \"Search\" <script>alert('x')</script>"
FORMULA_NAME = '=HYPERLINK("http://evil.example","click")'
EMOJI_NAME = "Winter \U0001f3bf sale\nBcc: evil@example.com"
CLASS_NAME = 'Plain class="name" test'


def previous_week(value: str | None, change_percent: str | None) -> Comparison:
    return Comparison(
        label="vs previous week",
        period=PREVIOUS_WEEK,
        value=None if value is None else D(value),
        change_percent=None if change_percent is None else D(change_percent),
    )


def card(kpi, label, unit, value, comparisons, low=None, high=None, status="n/a", provisional=False) -> KpiCard:
    return KpiCard(
        kpi=kpi,
        label=label,
        unit=unit,
        value=None if value is None else D(value),
        comparisons=tuple(comparisons),
        target_low=None if low is None else D(low),
        target_high=None if high is None else D(high),
        status=status,
        is_provisional=provisional,
    )


def campaign(name, channel, spend, leads, mqls, sqls, customers, revenue) -> CampaignRow:
    """The ratios worked out here the way the marts do; the expected strings below are by hand."""
    spend, revenue = D(spend), D(revenue)
    return CampaignRow(
        campaign_name=name,
        channel=channel,
        spend=spend,
        leads=leads,
        mqls=mqls,
        sqls=sqls,
        customers=customers,
        revenue=revenue,
        cpl=spend / leads if leads and spend else None,
        cost_per_mql=spend / mqls if mqls and spend else None,
        sql_rate=D(sqls) / leads if leads else None,
        romi_percent=(revenue - spend) / spend * 100 if spend else None,
    )


# Ten campaigns, top five by spend in the table. By hand, for the first:
#   CPL 1234.50 / 20 = 61.725 -> 61.73 (half up); cost per MQL 1234.50 / 8 = 154.3125 -> 154.31;
#   SQL rate 3 / 20 = 15.0%; ROMI (5000 - 1234.50) / 1234.50 x 100 = 305.02% -> 305.0%.
CAMPAIGNS_ALL = (
    campaign(SCRIPT_NAME, "Paid Search", "1234.50", 20, 8, 3, 1, "5000.00"),
    campaign(FORMULA_NAME, "Paid Search", "1100.00", 10, 4, 1, 0, "0"),
    campaign(EMOJI_NAME, "Paid Social", "900.00", 9, 3, 1, 0, "0"),
    campaign("+Retargeting", "Paid Social", "800.00", 8, 2, 0, 0, "0"),
    campaign(CLASS_NAME, "Paid Social", "700.00", 7, 2, 1, 0, "0"),
    campaign("@Mentions", "Paid Social", "600.00", 6, 1, 0, 0, "0"),
    campaign("-Minus lookalike", "Paid Search", "500.00", 5, 1, 0, 0, "0"),
    campaign("Webinar Nov", "Paid Search", "400.00", 4, 1, 0, 0, "0"),
    campaign("Newsletter", "Paid Search", "300.00", 3, 0, 0, 0, "0"),
    campaign("Partners", "Paid Search", "200.00", 2, 0, 0, 0, "0"),
)

CARDS = (
    # (12345.50 - 11000.00) / 11000.00 x 100 = 12.23% -> +12.2%; vs last year 9876.00: 25.005% -> +25.0%
    card(
        "spend",
        "Spend",
        "currency",
        "12345.50",
        [
            previous_week("11000.00", "12.2318"),
            Comparison("vs same week last year", LAST_YEAR, D("9876.00"), D("25.00506")),
        ],
    ),
    card("leads", "Leads", "count", "240", [previous_week("300", "-20")]),  # (240 - 300) / 300 = -20.0%
    # 12345.50 / 240 = 51.4396 -> EUR 51.44; 11000 / 300 = 36.6667 -> EUR 36.67; +40.29% -> +40.3%
    card("cpl", "CPL", "currency", "51.439583", [previous_week("36.666667", "40.2898")]),
    # ROMI 245.25 -> 245.3% (half up); vs 180: (245.25 - 180) / 180 x 100 = 36.25 -> +36.3%
    card("romi_percent", "ROMI", "percent", "245.25", [previous_week("180", "36.25")], "400", "600", "red"),
    # 84 of 96 MQLs within 2 h = 0.875 -> 87.5%; vs 0.8: +9.375% -> +9.4%
    card(
        "sla_within_share",
        "MQLs touched within 2 h",
        "rate",
        "0.875",
        [previous_week("0.8", "9.375")],
        "0.9",
        status="amber",
    ),
    card("ltv_to_cac", "LTV:CAC", "ratio", "3.456", [previous_week(None, None)], "3", status="green"),
    card(
        "sql_to_customer_rate",
        "SQL to customer",
        "rate",
        "0.25",
        [previous_week("0.5", "-50")],
        "0.2",
        "0.4",
        provisional=True,
    ),
)

# Hand-formatted: label -> (value, status, [comparison lines], target)
EXPECTED_CARDS = {
    "Spend": (
        "EUR 12,345.50",
        "no target",
        ["\u25b2 +12.2% vs previous week (EUR 11,000.00)", "\u25b2 +25.0% vs same week last year (EUR 9,876.00)"],
        "no target",
    ),
    "Leads": ("240", "no target", ["\u25bc -20.0% vs previous week (300)"], "no target"),
    "CPL": ("EUR 51.44", "no target", ["\u25b2 +40.3% vs previous week (EUR 36.67)"], "no target"),
    "ROMI": ("245.3%", "off target", ["\u25b2 +36.3% vs previous week (180.0%)"], "target 400.0% to 600.0%"),
    "MQLs touched within 2 h": (
        "87.5%",
        "near target",
        ["\u25b2 +9.4% vs previous week (80.0%)"],
        "target at least 90.0%",
    ),
    "LTV:CAC": ("3.46x", "on target", ["n/a vs previous week (n/a)"], "target at least 3.00x"),
    "SQL to customer": ("25.0%", "provisional", ["\u25bc -50.0% vs previous week (50.0%)"], "target 20.0% to 40.0%"),
}


def make_data(**changes) -> ReportData:
    data = ReportData(
        edition="weekly",
        period=WEEK,
        currency="EUR",
        timezone="Europe/Berlin",
        definitions_version="2026.11-3",
        cards=CARDS,
        funnel=(
            FunnelStage("lead", "Leads", 240, None, 0, 0),
            FunnelStage("mql", "MQLs", 96, D("0.4"), 10, 5),  # 96 / 240
            FunnelStage("sql", "SQLs", 30, D("0.3125"), 6, 4),  # 30 / 96 -> 31.3%
            FunnelStage("opportunity", "Opportunities", 12, D("0.4"), 3, 2),
            FunnelStage("customer", "Customers", 4, D("0.333333"), 2, 0),
        ),
        channels=(
            # 8000 / 150 = 53.33; (30000 - 8000) / 8000 = 275.0%
            ChannelRow("Paid Search", True, D("8000.00"), 150, D("30000.00"), D("53.333333"), D("275")),
            # 4345.50 / 60 = 72.425 -> 72.43 (half up); (2000 - 4345.50) / 4345.50 = -53.975% -> -54.0%
            ChannelRow("Paid Social", True, D("4345.50"), 60, D("2000.00"), D("72.425"), D("-53.975377")),
            ChannelRow("Organic Search", False, D("0"), 30, D("10000.00"), None, None),
        ),
        campaigns=CAMPAIGNS_ALL[:5],
        campaigns_all=CAMPAIGNS_ALL,
        daily=tuple(
            DailyPoint(date(2026, 10, 26) + timedelta(days=i), D(1500 + 40 * (i % 7)), 25 + (i % 5)) for i in range(28)
        ),
        sla=Sla(
            sla_hours=D("2"),
            mqls=96,
            within_share=D("0.875"),
            median_hours=D("1.25"),  # -> 1.3 h (half up)
            backlog=7,
            oldest_backlog_hours=D("50.5"),
        ),
        lead_quality=(
            LeadQualityRow(SCRIPT_NAME, "No budget", 4),
            LeadQualityRow(SCRIPT_NAME, "Student", 3),
            LeadQualityRow(SCRIPT_NAME, "Wrong country", 1),
            LeadQualityRow(EMOJI_NAME, "Competitor", 2),
            LeadQualityRow(EMOJI_NAME, "Duplicate", 1),
            LeadQualityRow("(no campaign)", "Spam", 5),
            LeadQualityRow("(no campaign)", "No budget", 2),
            LeadQualityRow("(no campaign)", "Unreachable", 1),
        ),
        cohorts=(
            CohortRow(date(2026, 6, 1), 900, 360, 18, D("0.4"), D("0.02"), False),
            CohortRow(date(2026, 7, 1), 950, 370, 15, D("0.389474"), D("0.015789"), False),
            CohortRow(date(2026, 8, 1), 1000, 380, 12, D("0.38"), D("0.012"), False),
            CohortRow(date(2026, 9, 1), 1100, 400, 5, D("0.363636"), D("0.004545"), True),
            CohortRow(date(2026, 10, 1), 1050, 300, 2, D("0.285714"), D("0.001905"), True),
            CohortRow(date(2026, 11, 1), 800, 150, 0, D("0.1875"), D("0"), True),
        ),
        freshness=(
            SourceFreshness(
                "google_ads", datetime(2026, 11, 23, 4, 10, tzinfo=UTC), 1234, 0, False, date(2026, 11, 22)
            ),
            SourceFreshness("hubspot", datetime(2026, 11, 20, 4, 0, tzinfo=UTC), 0, 3, True, date(2026, 11, 19)),
            SourceFreshness("meta_ads", datetime(2026, 11, 23, 4, 20, tzinfo=UTC), 56, 0, False, date(2026, 11, 22)),
        ),
        quality_warnings=("meta_ads: spend 12% below its usual band <check>",),
        glossary=(
            ("MQL", "lead score of 50 or more, or a demo request"),
            ("CPL", "paid spend / paid-attributed leads"),
            ("ROMI", "(attributed revenue - spend) / spend x 100%"),
        ),
    )
    return dataclasses.replace(data, **changes)


@pytest.fixture(scope="module")
def rendered() -> RenderedEdition:
    return render_edition(make_data(), generated_at=GENERATED_AT)


class _Text(HTMLParser):
    """The visible text of an HTML document, one entry per table cell or paragraph, and its img tags."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self.images: list[dict[str, str | None]] = []
        self._current: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in {"td", "th", "p", "tr", "div", "h1", "h2"}:
            self._flush()
        if tag in {"title", "style", "script"}:
            self._skip += 1
        if tag == "img":
            self.images.append(dict(attrs))

    def handle_endtag(self, tag):
        if tag in {"td", "th", "p", "div", "h1", "h2"}:
            self._flush()
        if tag in {"title", "style", "script"}:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self._current.append(data)

    def _flush(self):
        text = " ".join("".join(self._current).split())
        if text:
            self.chunks.append(text)
        self._current = []

    def close(self):
        super().close()
        self._flush()


def visible(html: str) -> _Text:
    parser = _Text()
    parser.feed(html)
    parser.close()
    return parser


def test_subject_names_the_edition_and_period(rendered):
    assert rendered.subject == "smarketing weekly KPIs \u2014 week 47, 16-22 Nov 2026"
    assert rendered.text.startswith(rendered.subject + "\n")


def test_every_section_is_present_in_html_and_text(rendered):
    html_text = " ".join(visible(rendered.html).chunks)
    for heading in (
        "Check the data:",
        "Headline KPIs",
        "Spend and leads per day",
        "Funnel",
        "Channels",
        "Top campaigns by spend",
        "Speed to lead (SLA 2 h)",
        "Lead quality: why sales disqualified",
        "Lead cohorts",
        "Glossary",
        "Definitions version 2026.11-3",
    ):
        assert heading in html_text, heading
    for heading in (
        "DATA FRESHNESS AND QUALITY",
        "HEADLINE KPIS",
        "SPEND AND LEADS PER DAY",
        "FUNNEL",
        "CHANNELS (money in EUR)",
        "TOP CAMPAIGNS BY SPEND (money in EUR)",
        "SPEED TO LEAD (SLA 2 h)",
        "LEAD QUALITY: WHY SALES DISQUALIFIED",
        "LEAD COHORTS",
        "GLOSSARY",
        "Definitions version 2026.11-3",
    ):
        assert heading in rendered.text, heading


def test_headline_cards_carry_the_hand_worked_figures_in_both_parts(rendered):
    chunks = visible(rendered.html).chunks
    for label, (value, status, comparisons, target) in EXPECTED_CARDS.items():
        at = chunks.index(label)
        assert chunks[at : at + 4 + len(comparisons)] == [label, value, status, *comparisons, target]
        block = rendered.text.split(f"\n{label}: ", 1)[1].split("\n", len(comparisons) + 2)
        assert block[0] == f"{value}  [{status.upper()}]"
        assert block[1 : len(comparisons) + 2] == [f"  {line}" for line in [*comparisons, target]]


def test_cards_are_two_per_row_with_a_coloured_status_cell(rendered):
    html = rendered.html
    assert html.count('width="50%"') == 8 + 4  # 4 rows of 2 cards (7 and a blank), and the SLA block
    colours = {"on target": "#e3f4e8", "near target": "#fff3d6", "off target": "#fde4e1", "provisional": "#eef0f3"}
    for label, colour in colours.items():
        cell = re.search(rf'<td style="([^"]*)">{label}</td>', html)
        assert cell, label
        assert f"background-color: {colour}" in cell.group(1)


def test_freshness_banner_marks_the_stale_source_and_lists_warnings(rendered):
    chunks = visible(rendered.html).chunks
    # Berlin is UTC+1 in November: 04:10 UTC -> 05:10
    assert chunks[chunks.index("google_ads") : chunks.index("google_ads") + 5] == [
        "google_ads",
        "22 Nov 2026",
        "2026-11-23 05:10",
        "1,234",
        "0",
    ]
    assert chunks[chunks.index("hubspot STALE") : chunks.index("hubspot STALE") + 5] == [
        "hubspot STALE",
        "19 Nov 2026",
        "2026-11-20 05:00",
        "0",
        "3",
    ]
    stale_cell = re.search(r'<td style="([^"]*)">hubspot', rendered.html)
    assert "background-color: #fde4e1" in stale_cell.group(1)
    banner = " ".join(rendered.html.split("Check the data:")[1].split("</div>")[0].split())
    assert "1 stale source (hubspot: data through 19 Nov 2026); 1 quality warning; 3 quarantined rows." in banner
    assert "meta_ads: spend 12% below its usual band &lt;check&gt;" in rendered.html
    assert (
        "Check the data: 1 stale source (hubspot: data through 19 Nov 2026); 1 quality warning; 3 quarantined rows."
        in rendered.text
    )
    assert "  ! meta_ads: spend 12% below its usual band <check>" in rendered.text
    assert (
        "hubspot          data through 19 Nov 2026, last load 2026-11-20 05:00, 0 rows, 3 quarantined  << STALE"
        in rendered.text
    )


def test_a_clean_run_shows_a_green_banner():
    data = make_data(
        freshness=(SourceFreshness("google_ads", datetime(2026, 11, 23, 4, 10, tzinfo=UTC), 10, 0, False),),
        quality_warnings=(),
    )
    result = render_edition(data, generated_at=GENERATED_AT)
    assert "Data fresh: all 1 sources loaded, no quality warnings." in " ".join(visible(result.html).chunks)
    assert "Data fresh: all 1 sources loaded, no quality warnings." in result.text
    assert "Check the data" not in result.html


def test_funnel_with_conversion_and_leakage(rendered):
    chunks = visible(rendered.html).chunks
    at = chunks.index("Stage")
    assert chunks[at : at + 30] == [
        *("Stage", "Reached", "Conversion", "Lost", "Stuck"),
        *("Leads", "240", "0", "0"),  # no conversion into the first stage: an empty cell
        *("MQLs", "96", "40.0%", "10", "5"),
        *("SQLs", "30", "31.3%", "6", "4"),
        *("Opportunities", "12", "40.0%", "3", "2"),
        *("Customers", "4", "33.3%", "2", "0"),
        "Conversion: share of the stage above that reached this stage; provisional while that cohort is younger "
        "than it needs to move on. Lost: disqualified or lost at the stage in the period. Stuck: no progress as of "
        "22 Nov 2026.",
    ]
    assert "  MQLs                   96       40.0%      10       5" in rendered.text
    assert "  Customers               4       33.3%       2       0" in rendered.text


def test_channel_table(rendered):
    chunks = visible(rendered.html).chunks
    at = chunks.index("Channel")
    assert chunks[at : at + 24] == [
        *("Channel", "Spend, EUR", "Leads", "CPL, EUR", "Revenue, EUR", "ROMI"),
        *("Paid Search paid", "8,000", "150", "53.33", "30,000", "275.0%"),
        *("Paid Social paid", "4,346", "60", "72.43", "2,000", "-54.0%"),  # 4345.50 -> 4,346 half up
        *("Organic Search", "0", "30", "n/a", "10,000", "n/a"),
    ]
    assert "  Paid Social            4,346      60     72.43      2,000    -54.0%" in rendered.text


def test_top_campaigns_table_has_the_hand_worked_ratios(rendered):
    chunks = visible(rendered.html).chunks
    at = chunks.index("Cost per MQL") - 3
    assert chunks[at : at + 7] == ["Spend", "Leads", "CPL", "Cost per MQL", "SQL rate", "Revenue", "ROMI"]
    assert chunks[at + 7 : at + 15] == [
        "Brand \"Search\" <script>alert('x')</script> Paid Search",
        *("1,235", "20", "61.73", "154.31", "15.0%", "5,000", "305.0%"),
    ]
    # 1100 / 10 = 110.00; 1100 / 4 = 275.00; 1 / 10 = 10.0%; (0 - 1100) / 1100 = -100.0%
    assert chunks[at + 15 : at + 23] == [
        '=HYPERLINK("http://evil.example","click") Paid Search',
        *("1,100", "10", "110.00", "275.00", "10.0%", "0", "-100.0%"),
    ]
    assert "5 of 10 campaigns; all of them in the attached CSV." in " ".join(chunks)
    assert "    spend 1,235 · leads 20 · CPL 61.73 · cost per MQL 154.31\n" in rendered.text
    assert "    SQL rate 15.0% · revenue 5,000 · ROMI 305.0%\n" in rendered.text
    assert "Partners" not in rendered.html  # 10th by spend: only in the CSV


def test_sla_block(rendered):
    chunks = visible(rendered.html).chunks
    at = chunks.index("Touched within 2 h")
    assert chunks[at : at + 9] == [
        *("Touched within 2 h", "87.5%", "of 96 MQLs"),
        *("Median time to first touch", "1.3 h"),
        *("Untouched backlog", "7", "MQLs as of 22 Nov 2026"),
        "Oldest untouched",
    ]
    assert chunks[at + 9] == "50.5 h"
    for line in (
        "  Touched within 2 h: 87.5% of 96 MQLs",
        "  Median time to first touch: 1.3 h",
        "  Untouched backlog: 7 MQLs as of 22 Nov 2026",
        "  Oldest untouched: 50.5 h",
    ):
        assert line + "\n" in rendered.text


def test_lead_quality_groups_reasons_by_campaign(rendered):
    chunks = visible(rendered.html).chunks
    at = chunks.index("Campaign / reason")
    assert chunks[at : at + 24] == [
        "Campaign / reason",
        "Persons",
        SCRIPT_NAME,
        "8",  # 4 + 3 + 1
        *("No budget", "4", "Student", "3", "Wrong country", "1"),
        "Winter \U0001f3bf sale Bcc: evil@example.com",
        "3",
        *("Competitor", "2", "Duplicate", "1"),
        "(no campaign)",
        "8",  # 5 + 2 + 1
        *("Spam", "5", "No budget", "2", "Unreachable", "1"),
    ]
    assert "  (no campaign): 8\n    Spam: 5\n    No budget: 2\n    Unreachable: 1\n" in rendered.text


def test_cohorts_mark_provisional_without_calling_them_a_drop(rendered):
    chunks = visible(rendered.html).chunks
    at = chunks.index("Cohort")
    assert chunks[at + 6 : at + 12] == ["Jun 2026", "900", "360", "18", "40.0%", "2.0%"]
    assert chunks[at + 36 : at + 42] == ["Nov 2026 provisional", "800", "150", "0", "18.8%", "0.0%"]
    provisional_rows = [chunk for chunk in chunks if chunk.endswith(" provisional")]
    assert provisional_rows == ["Sep 2026 provisional", "Oct 2026 provisional", "Nov 2026 provisional"]
    assert "they are not a drop" in " ".join(chunks)
    # Columns: cohort 22 wide, then leads 8, MQLs 7, customers 11, the two rates 12, right-aligned.
    nov = "  " + "Nov 2026 (provisional)" + "     800" + "    150" + "          0" + "       18.8%" + "        0.0%"
    aug = "  " + "Aug 2026".ljust(22) + "   1,000" + "    380" + "         12" + "       38.0%" + "        1.2%"
    assert f"\n{nov}\n" in rendered.text
    assert f"\n{aug}\n" in rendered.text
    # A provisional rate is greyed, not coloured as a failure.
    nov = rendered.html.split("Nov 2026")[-1].split("</tr>")[0]
    assert "#a4262c" not in nov
    assert "font-style: italic" in nov


def test_glossary_and_definitions_version(rendered):
    chunks = visible(rendered.html).chunks
    assert "MQL: lead score of 50 or more, or a demo request" in chunks
    assert "ROMI: (attributed revenue - spend) / spend x 100%" in chunks
    assert chunks[-1] == "Definitions version 2026.11-3 · generated 2026-11-23 07:30 Europe/Berlin"
    assert "  CPL: paid spend / paid-attributed leads\n" in rendered.text
    assert rendered.text.endswith("Definitions version 2026.11-3 · generated 2026-11-23 07:30 Europe/Berlin\n")


def test_hostile_names_are_text_in_html_and_one_line_in_text(rendered):
    html = rendered.html
    assert "<script" not in html.lower()
    assert "&lt;script&gt;alert('x')&lt;/script&gt;" in html
    chunks = visible(html).chunks
    assert SCRIPT_NAME in chunks  # shown literally, as text
    assert "Winter \U0001f3bf sale Bcc: evil@example.com" in chunks
    assert f"{CLASS_NAME} Paid Social" in chunks  # a class attribute in a name is text, not stripped
    text = rendered.text
    assert f"  {SCRIPT_NAME} (Paid Search)\n" in text
    assert "  Winter \U0001f3bf sale Bcc: evil@example.com (Paid Social)\n" in text
    assert "\nBcc:" not in text
    assert "&lt;" not in text and "&#" not in text


def test_html_is_inline_styled_email_safe_and_small(rendered):
    html = rendered.html
    lowered = html.lower()
    for forbidden in (
        "<link",
        "<script",
        "<style",
        "display:flex",
        "display: flex",
        "display:grid",
        "display: grid",
        "@import",
        "url(http",
        "url(",
        "@media",
        "font-face",
    ):
        assert forbidden not in lowered, forbidden
    assert 'style="' in html
    assert not re.search(r"<[a-z][^<>]*\sclass=", html)  # inlined, then dropped from the tags
    assert re.search(r"<table[^>]*max-width: 600px", html)
    assert len(html.encode("utf-8")) < 100_000  # Gmail clips beyond ~102 KB


def test_every_image_is_a_cid_with_alt_text_and_fixed_width(rendered):
    images = visible(rendered.html).images
    assert [image["src"] for image in images] == [f"cid:{image.cid}" for image in rendered.images]
    assert [image.filename for image in rendered.images] == ["spend_leads.png", "funnel.png", "channels.png"]
    for tag, image in zip(images, rendered.images, strict=True):
        assert tag["alt"] == image.alt and image.alt.startswith("Chart: ")
        assert tag["width"] == "560"
        assert "max-width: 560px" in tag["style"] and "width: 100%" in tag["style"]
        assert image.png.startswith(b"\x89PNG\r\n\x1a\n")
        assert len(image.png) < 25_000
    spend_alt = rendered.images[0].alt
    # 28 days from 26 Oct: spend 4 x (7 x 1500 + 40 x (0+1+...+6)) = 4 x 11340 = 45,360; leads 28 x 25 + ...
    # (i % 5 over 0..27: five full runs 0..4 = 50, plus 0+1+2 = 3) = 700 + 53 = 753
    assert spend_alt == (
        "Chart: spend (bars) and leads (line) per day, 26 Oct 2026 to 22 Nov 2026: EUR 45,360.00 spend, 753 leads."
    )
    assert rendered.images[1].alt == (
        "Chart: funnel, 16 Nov 2026 to 22 Nov 2026: Leads 240; MQLs 96 (40.0%); SQLs 30 (31.3%); "
        "Opportunities 12 (40.0%); Customers 4 (33.3%)."
    )
    assert rendered.images[2].alt == (
        "Chart: CPL and ROMI by channel, 16 Nov 2026 to 22 Nov 2026: Paid Search: CPL EUR 53.33, ROMI 275.0%; "
        "Paid Social: CPL EUR 72.43, ROMI -54.0%."
    )


def test_the_same_data_gives_the_same_bytes():
    first = render_edition(make_data(), generated_at=GENERATED_AT)
    second = render_edition(make_data(), generated_at=GENERATED_AT)
    assert first == second
    data = make_data()
    assert charts.funnel_chart(data.funnel) == charts.funnel_chart(data.funnel)
    assert b"Software" not in first.images[0].png and b"tEXt" not in first.images[0].png


def test_csv_has_every_campaign_with_plain_decimals_and_neutralised_formulas(rendered):
    assert rendered.csv_name == "smarketing-weekly-campaigns-2026-11-16_2026-11-22.csv"
    text = rendered.csv_bytes.decode("utf-8")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == [
        *("campaign_name", "channel", "currency", "spend", "leads", "mqls", "sqls", "customers", "revenue"),
        *("cpl", "cost_per_mql", "sql_rate_percent", "romi_percent"),
    ]
    assert len(rows) == 11
    assert rows[1] == [
        SCRIPT_NAME,
        "Paid Search",
        "EUR",
        "1234.50",
        "20",
        "8",
        "3",
        "1",
        "5000.00",
        "61.73",
        "154.31",
        "15.0",
        "305.0",
    ]
    assert rows[2][0] == "'" + FORMULA_NAME
    assert rows[2][3:] == ["1100.00", "10", "4", "1", "0", "0.00", "110.00", "275.00", "10.0", "-100.0"]
    assert rows[3][0] == EMOJI_NAME  # the newline kept, inside a quoted field
    assert [row[0] for row in rows[4:8]] == ["'+Retargeting", CLASS_NAME, "'@Mentions", "'-Minus lookalike"]
    assert rows[9][9:] == ["100.00", "", "0.0", "-100.0"]  # Newsletter: no MQLs -> cost per MQL empty
    assert '"Winter \U0001f3bf sale\nBcc: evil@example.com"' in text
    assert text.endswith("\r\n")
    for row in rows[1:]:
        assert not row[0].startswith(("=", "+", "-", "@"))


@pytest.mark.parametrize(
    ("formatted", "expected"),
    [
        (change(D("12.25")), "\u25b2 +12.3%"),
        (change(D("-0.04")), "= 0.0%"),  # rounds to zero: no arrow
        (change(None), "n/a"),
        (rate(D("0.3125")), "31.3%"),
        (ratio(D("2.949")), "2.95x"),
        (hours(D("1.25")), "1.3 h"),
        (days(D("37.5")), "37.5 days"),
        (amount(D("1234.5")), "1,234.50"),
        (amount(D("4345.5"), 0), "4,346"),
        (unit_value(D("42.000000"), "count", "EUR"), "42"),
        (unit_value(D("1234.5"), "currency", "USD"), "USD 1,234.50"),
        (unit_value(None, "rate", "EUR"), "n/a"),
        (oneline("a\r\nb\u2028c\td "), "a b c d"),
    ],
)
def test_new_number_formats(formatted, expected):
    assert formatted == expected


def test_a_naive_timestamp_is_refused():
    with pytest.raises(ValueError, match="timezone"):
        render_edition(make_data(), generated_at=datetime(2026, 11, 23, 6, 30))


def test_empty_sections_say_so():
    data = make_data(campaigns=(), campaigns_all=(), lead_quality=(), daily=(), channels=(), funnel=())
    result = render_edition(data, generated_at=GENERATED_AT)
    assert "No campaign had spend or leads in the period." in result.text
    assert "No disqualifications in the period." in " ".join(visible(result.html).chunks)
    assert len(result.images) == 3 and all(image.png.startswith(b"\x89PNG") for image in result.images)
    assert result.csv_bytes.decode("utf-8").count("\r\n") == 1  # the header alone


def test_a_daily_edition_names_its_day():
    day = Period("22 Nov 2026", date(2026, 11, 22), date(2026, 11, 22))
    result = render_edition(make_data(edition="daily", period=day), generated_at=GENERATED_AT)
    assert result.subject == "smarketing daily KPIs \u2014 22 Nov 2026"
    assert result.csv_name == "smarketing-daily-campaigns-2026-11-22.csv"
    assert result.text.splitlines()[1] == "22 Nov 2026"  # one day: no date range repeated


# Moved from the simple report's tests (the editions replaced it): the template environment and
# the basic number formats.


def test_autoescape_is_on_for_html_templates_and_off_for_text_templates():
    env = template_environment()
    assert env.autoescape("edition.html.j2") is True
    assert env.autoescape("edition.txt.j2") is False


@pytest.mark.parametrize("template", ["edition.html.j2", "edition.txt.j2"])
def test_a_missing_variable_is_an_error_not_a_blank(template):
    with pytest.raises(UndefinedError):
        template_environment().get_template(template).render(data=make_data(), generated_at=GENERATED_AT)


def test_version_and_glossary_are_escaped_in_html_but_not_in_text():
    hostile = '1.0 <script>alert("x")</script>'
    data = make_data(
        definitions_version=hostile, glossary=(("MQL", "lead score of 65 or more (<b>Company given</b> +10)"),)
    )
    rendered = render_edition(data, generated_at=GENERATED_AT)
    assert "<script" not in rendered.html.lower()
    assert "Definitions version 1.0 &lt;script&gt;alert(" in rendered.html  # re-serialized by css-inline
    assert f"Definitions version {hostile}" in rendered.text
    assert "lead score of 65 or more (&lt;b&gt;Company given&lt;/b&gt; +10)" in rendered.html
    assert "  MQL: lead score of 65 or more (<b>Company given</b> +10)\n" in rendered.text


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


def test_a_young_stage_cohort_is_marked_provisional_not_shown_as_a_drop():
    data = make_data()
    young = dataclasses.replace(data.funnel[4], conversion_rate=D("0"), conversion_is_provisional=True)
    rendered = render_edition(dataclasses.replace(data, funnel=(*data.funnel[:4], young)), generated_at=GENERATED_AT)
    chunks = visible(rendered.html).chunks
    at = chunks.index("Customers", chunks.index("Stage"))
    assert chunks[at : at + 4] == ["Customers", "4", "0.0% provisional", "2"]
    assert "  Customers               4       0.0%*       2       0" in rendered.text
