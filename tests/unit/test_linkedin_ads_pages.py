"""LinkedIn adAnalytics elements as the Marketing API returns them, through the stream declaration."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from smarketing.extract import linkedin_ads
from smarketing.extract.records import Page, Rejection, Row, page_rows
from smarketing.extract.streams import Window

ANALYTICS = linkedin_ads.STREAMS[0]
WINDOW = Window(date(2026, 3, 1), date(2026, 3, 10), ZoneInfo("UTC"), extracted_at=datetime(2026, 3, 11, 3, tzinfo=UTC))


def element(**changes):
    day = {"year": 2026, "month": 3, "day": 10}
    return {
        "pivotValues": ["urn:li:sponsoredAccount:503000001", "urn:li:sponsoredCampaign:600000001"],
        "dateRange": {"start": day, "end": day},
        "costInLocalCurrency": "12.25",
        "impressions": 1200,
        "clicks": 25,
        **changes,
    }


def rows(*elements):
    return list(page_rows(ANALYTICS, Page("adAnalytics.json", {"elements": list(elements)}), WINDOW))


def test_an_element_becomes_a_row_of_its_account_campaign_and_day():
    [row] = rows(element())
    assert isinstance(row, Row)
    # account_id, campaign_id, day, cost, impressions, clicks, leads, conversions, _extra
    assert row.values == ["503000001", "600000001", "2026-03-10", "12.25", "1200", "25", None, None, None]


def test_an_unreadable_date_range_or_pivot_is_rejected_naming_linkedins_field():
    bad_day = element(dateRange={"start": {"year": 2026, "month": 13, "day": 1}})
    no_campaign = element(pivotValues=["urn:li:sponsoredAccount:503000001"])
    faults = [(r.line, r.field, r.reason) for r in rows(bad_day, no_campaign) if isinstance(r, Rejection)]
    assert faults == [
        (1, "dateRange.start", "required field is missing"),
        (2, "pivotValues", "required field is missing"),
    ]


def test_a_day_outside_the_window_is_not_this_runs():
    assert rows(element(dateRange={"start": {"year": 2026, "month": 2, "day": 28}})) == []
