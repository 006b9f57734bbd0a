"""Meta Insights pages as the Marketing API returns them, through the stream declarations."""

import json
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from smarketing.extract import meta_ads
from smarketing.extract.records import Page, Rejection, Row, SourceDataError, page_rows
from smarketing.extract.streams import Window

CAMPAIGNS, ADSETS, ACCOUNTS = meta_ads.STREAMS
WINDOW = Window(
    date(2026, 3, 1), date(2026, 3, 10), ZoneInfo("Europe/Berlin"), extracted_at=datetime(2026, 3, 11, 3, tzinfo=UTC)
)
ACTIONS = [{"action_type": "link_click", "value": "90"}, {"action_type": "lead", "value": "3"}]


def insight(day="2026-03-10", spend="62.50", **extra):
    return {
        "account_id": "2222222222",
        "account_name": "Tiny Social",
        "account_currency": "USD",
        "campaign_id": "120001",
        "campaign_name": "Lead Forms DE",
        "date_start": day,
        "date_stop": day,
        "spend": spend,
        "impressions": "5000",
        "clicks": "100",
        "actions": ACTIONS,
        **extra,
    }


def page(*records):
    return {"data": list(records), "paging": {"cursors": {"before": "A", "after": "B"}, "next": "https://x/?after=B"}}


def read(stream, body):
    return list(page_rows(stream, Page("campaign_insights_1.json", body), WINDOW))


def test_spend_is_a_decimal_string_and_actions_stay_whole():
    [row] = read(CAMPAIGNS, page(insight()))
    assert isinstance(row, Row)
    values = dict(zip([c.name for c in CAMPAIGNS.columns] + ["_extra"], row.values, strict=True))
    assert (values["spend"], values["impressions"], values["date_start"]) == ("62.50", "5000", "2026-03-10")
    assert json.loads(values["actions"]) == ACTIONS
    assert values["_extra"] is None


def test_an_ad_set_row_needs_its_ad_set_and_unknown_fields_are_kept():
    [missing, kept] = read(ADSETS, page(insight(), insight(adset_id="230001", adset_name="Berlin", reach="4100")))
    assert isinstance(missing, Rejection) and missing.field == "adset_id"
    assert isinstance(kept, Row) and json.loads(kept.values[-1]) == {"reach": "4100"}


def test_negative_spend_unknown_currency_and_days_outside_the_window():
    items = read(
        CAMPAIGNS,
        page(insight(spend="-5.00"), insight(account_currency="XYZ"), insight(day="2026-02-28"), insight()),
    )
    assert [(type(i).__name__, getattr(i, "field", None), i.line) for i in items] == [
        ("Rejection", "spend", 1),
        ("Rejection", "account_currency", 2),
        ("Row", None, 4),
    ]


def test_an_account_page_is_its_one_record_whatever_the_window():
    account = {
        "account_id": "2222222222",
        "name": "Tiny Social",
        "currency": "USD",
        "timezone_name": "America/Los_Angeles",
        "timezone_offset_hours_utc": -8,
        "id": "act_2222222222",
    }
    [row] = read(ACCOUNTS, account)
    assert isinstance(row, Row)
    values = dict(zip([c.name for c in ACCOUNTS.columns] + ["_extra"], row.values, strict=True))
    assert (values["account_id"], values["timezone_name"], values["timezone_offset_hours_utc"]) == (
        "2222222222",
        "America/Los_Angeles",
        "-8",
    )
    assert json.loads(values["_extra"]) == {"id": "act_2222222222"}

    [rejected] = read(ACCOUNTS, {**account, "timezone_name": None})
    assert isinstance(rejected, Rejection)
    assert (rejected.field, rejected.line, rejected.record_day) == ("timezone_name", 1, None)

    with pytest.raises(SourceDataError, match=r"campaign_insights_1\.json: expected a JSON object \(the record"):
        read(ACCOUNTS, [account])
