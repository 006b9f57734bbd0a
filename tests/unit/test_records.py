"""Turning API pages into COPY rows: typing, windows, unknown fields and errors that say where."""

import json
from datetime import date
from zoneinfo import ZoneInfo

import pytest

from smarketing.extract import google_ads, hubspot
from smarketing.extract.records import Page, SourceDataError, page_rows
from smarketing.extract.streams import Window

ADS, AD_GROUPS = google_ads.STREAMS
CONTACTS, DEALS, CALLS, EMAILS, MEETINGS = hubspot.STREAMS
BERLIN = ZoneInfo("Europe/Berlin")
WINDOW = Window(date(2026, 3, 1), date(2026, 3, 10), BERLIN)


def ad_result(day="2026-03-10", cost="1230000", **extra):
    result = {
        "customer": {"id": "1", "descriptiveName": "A", "currencyCode": "EUR", "timeZone": "Europe/Berlin"},
        "campaign": {"id": "7", "name": "Brand", "advertisingChannelType": "SEARCH", "status": "ENABLED"},
        "segments": {"date": day},
        "metrics": {"costMicros": cost, "impressions": "10", "clicks": "2", "conversions": 1.5},
    }
    result.update(extra)
    return result


def rows(stream, body, window=WINDOW):
    return list(page_rows(stream, Page("page.json", body), window))


def columns(stream, row):
    return dict(zip([c.name for c in stream.columns] + ["_extra"], row, strict=True))


def test_google_ads_row_is_typed_text_for_copy():
    [(line, row)] = rows(ADS, [{"results": [ad_result()]}])
    values = columns(ADS, row)
    assert line == 1
    assert values["cost_micros"] == "1230000"
    assert values["date"] == "2026-03-10"
    assert values["conversions"] == "1.5"
    assert values["time_zone"] == "Europe/Berlin"
    assert values["_extra"] is None


def test_rows_outside_window_are_skipped_and_lines_count_every_record():
    body = [{"results": [ad_result("2026-02-28"), ad_result("2026-03-01")]}, {"results": [ad_result("2026-03-11")]}]
    assert [line for line, _ in rows(ADS, body)] == [2]


def test_unknown_fields_are_kept_in_extra():
    [(_, row)] = rows(ADS, [{"results": [ad_result(adGroup={"id": "99"})]}])
    assert json.loads(columns(ADS, row)["_extra"]) == {"adGroup.id": "99"}


def test_bad_integer_names_source_stream_origin_record_and_field():
    with pytest.raises(SourceDataError) as error:
        rows(ADS, [{"results": [ad_result(), ad_result(cost="12.5")]}])
    assert str(error.value) == (
        "google_ads/campaign_daily: page.json, record 2, field metrics.costMicros: expected an integer, got '12.5'"
    )


def test_missing_required_field():
    result = ad_result()
    del result["campaign"]["id"]
    with pytest.raises(SourceDataError, match=r"record 1, field campaign\.id: required field is missing"):
        rows(ADS, [{"results": [result]}])


def test_google_ads_ad_group_row_keeps_its_campaign_and_ad_group():
    result = {
        "customer": {"resourceName": "customers/1", "id": "1", "currencyCode": "CHF", "timeZone": "Europe/Zurich"},
        "campaign": {"resourceName": "customers/1/campaigns/7", "id": "7"},
        "adGroup": {
            "resourceName": "customers/1/adGroups/70",
            "id": "70",
            "name": "Brand | Exact",
            "status": "ENABLED",
        },
        "segments": {"date": "2026-03-10"},
        "metrics": {"costMicros": "990000", "impressions": "8", "clicks": "1", "conversions": 0.25},
    }
    [(_, row)] = rows(AD_GROUPS, [{"results": [result]}])
    values = columns(AD_GROUPS, row)
    assert AD_GROUPS.table == "google_ads__ad_group_daily"
    assert AD_GROUPS.natural_key == ("customer_id", "campaign_id", "ad_group_id", "date")
    assert (values["customer_id"], values["campaign_id"], values["ad_group_id"]) == ("1", "7", "70")
    assert (values["ad_group_name"], values["ad_group_status"]) == ("Brand | Exact", "ENABLED")
    assert (values["currency_code"], values["time_zone"], values["date"]) == ("CHF", "Europe/Zurich", "2026-03-10")
    assert (values["cost_micros"], values["impressions"], values["clicks"], values["conversions"]) == (
        "990000",
        "8",
        "1",
        "0.25",
    )
    # The resource names say nothing the ids do not; they are kept, not dropped.
    assert set(json.loads(values["_extra"])) == {
        "customer.resourceName",
        "campaign.resourceName",
        "adGroup.resourceName",
    }


def contact(updated="2026-03-05T10:00:00.000Z", **properties):
    return {
        "id": "101",
        "properties": {"email": "a@b.io", "createdate": "2026-03-01T10:00:00.000Z", **properties},
        "createdAt": "2026-03-01T10:00:00.000Z",
        "updatedAt": updated,
        "archived": False,
    }


def test_hubspot_window_is_days_of_the_report_time_zone():
    # 2026-03-10T23:30Z is already 2026-03-11 in Berlin: outside a window ending on the 10th.
    # 2026-02-28T23:30Z is 2026-03-01 00:30 in Berlin: inside.
    body = {"results": [contact("2026-03-10T23:30:00.000Z"), contact("2026-02-28T23:30:00.000Z")]}
    assert [line for line, _ in rows(CONTACTS, body)] == [2]


def test_hubspot_unknown_property_goes_to_extra_and_bad_timestamp_is_named():
    [(_, row)] = rows(CONTACTS, {"results": [contact(favourite_colour="teal")]})
    assert json.loads(columns(CONTACTS, row)["_extra"]) == {
        "properties.favourite_colour": "teal",
        "createdAt": "2026-03-01T10:00:00.000Z",
    }
    with pytest.raises(SourceDataError, match=r"field properties.createdate: expected an ISO-8601 timestamp"):
        rows(CONTACTS, {"results": [contact(createdate="yesterday")]})


def test_deal_associations_become_a_json_list():
    deal = {
        "id": "9",
        "properties": {"dealstage": "closedwon", "createdate": "2026-03-02T10:00:00Z", "amount": "100"},
        "updatedAt": "2026-03-02T10:00:00Z",
        "associations": {"contacts": {"results": [{"id": "1", "type": "deal_to_contact"}, {"id": "2"}]}},
    }
    [(_, row)] = rows(DEALS, {"results": [deal]})
    assert json.loads(columns(DEALS, row)["contact_ids"]) == ["1", "2"]


def test_page_that_is_not_an_object():
    with pytest.raises(SourceDataError, match=r"hubspot/contacts: page\.json, record 0, field results: expected"):
        rows(CONTACTS, [])


def test_engagement_is_typed_with_its_contacts_as_json():
    call = {
        "id": "31000000001",
        "properties": {
            "hs_timestamp": "2026-03-05T09:12:00.000Z",
            "hs_call_direction": "OUTBOUND",
            "hs_call_status": "NO_ANSWER",
            "hubspot_owner_id": "71830412",
            "hs_call_duration": "0",
        },
        "createdAt": "2026-03-05T09:13:00.000Z",
        "updatedAt": "2026-03-05T09:13:00.000Z",
        "archived": False,
        "associations": {"contacts": {"results": [{"id": "101", "type": "call_to_contact"}]}},
    }
    [(_, row)] = rows(CALLS, {"results": [call]})
    values = columns(CALLS, row)
    assert values["hs_call_direction"] == "OUTBOUND"
    assert json.loads(values["contact_ids"]) == ["101"]
    assert json.loads(values["_extra"]) == {"properties.hs_call_duration": "0"}
    del call["properties"]["hs_timestamp"]
    with pytest.raises(SourceDataError, match=r"hubspot/calls: page.json, record 1, field properties.hs_timestamp"):
        rows(CALLS, {"results": [call]})


def test_every_engagement_type_reads_its_own_folder():
    assert [(s.name, s.files, s.table) for s in (CALLS, EMAILS, MEETINGS)] == [
        ("calls", "calls/*.json", "hubspot__calls"),
        ("emails", "emails/*.json", "hubspot__emails"),
        ("meetings", "meetings/*.json", "hubspot__meetings"),
    ]
