"""Turning API pages into COPY rows: typing, rules, windows, unknown fields and rejections that say where."""

import json
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from smarketing.extract import google_ads, hubspot
from smarketing.extract.records import Page, Rejection, Row, SourceDataError, SourceRecord, page_rows
from smarketing.extract.streams import Column, Stream, Window

ADS, AD_GROUPS = google_ads.STREAMS
CONTACTS, DEALS, CALLS, EMAILS, MEETINGS = hubspot.STREAMS[:5]
BERLIN = ZoneInfo("Europe/Berlin")
# Extracted by the nightly run at 04:00 in Berlin: days up to 03-12 and times up to 04:00Z are possible.
WINDOW = Window(date(2026, 3, 1), date(2026, 3, 10), BERLIN, extracted_at=datetime(2026, 3, 11, 3, tzinfo=UTC))


def ad_result(day="2026-03-10", cost="1230000", **extra):
    result = {
        "customer": {"id": "1", "descriptiveName": "A", "currencyCode": "EUR", "timeZone": "Europe/Berlin"},
        "campaign": {"id": "7", "name": "Brand", "advertisingChannelType": "SEARCH", "status": "ENABLED"},
        "segments": {"date": day},
        "metrics": {"costMicros": cost, "impressions": "10", "clicks": "2", "conversions": 1.5},
    }
    result.update(extra)
    return result


def read(stream, body, window=WINDOW):
    return list(page_rows(stream, Page("page.json", body), window))


def rows(stream, body, window=WINDOW):
    """The rows of a page that has no bad record."""
    items = read(stream, body, window)
    assert all(isinstance(item, Row) for item in items), items
    return items


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


def test_unknown_fields_at_every_level_are_kept_and_a_value_where_fields_were_expected_too():
    result = ad_result(adGroup={"id": "99", "labels": {"a": 1, "b": None}})
    result["customer"]["resourceName"] = "customers/1"
    result["segments"]["device"] = "MOBILE"
    result["metrics"] = "none reported"  # the columns read fields below metrics: the value is kept whole
    [(_, row)] = rows(ADS, [{"results": [result]}])
    values = columns(ADS, row)
    assert json.loads(values["_extra"]) == {
        "adGroup.id": "99",
        "adGroup.labels.a": 1,
        "customer.resourceName": "customers/1",
        "segments.device": "MOBILE",
        "metrics": "none reported",
    }
    assert values["cost_micros"] is None


def test_bad_integer_rejects_its_record_only_naming_record_field_key_and_day():
    good, bad = read(ADS, [{"results": [ad_result(), ad_result(cost="12.5")]}])
    assert isinstance(good, Row) and good.line == 1
    assert bad == Rejection(
        origin="page.json",
        line=2,
        field="metrics.costMicros",
        reason="expected an integer, got '12.5'",
        record=ad_result(cost="12.5"),
        natural_key={"customer_id": "1", "campaign_id": "7", "date": "2026-03-10"},
        record_day=date(2026, 3, 10),
    )


def test_missing_required_field_leaves_the_key_unknown():
    result = ad_result()
    del result["campaign"]["id"]
    [rejection] = read(ADS, [{"results": [result]}])
    assert (rejection.line, rejection.field, rejection.reason) == (1, "campaign.id", "required field is missing")
    assert (rejection.natural_key, rejection.record_day) == (None, date(2026, 3, 10))
    result["campaign"]["id"] = ""
    [rejection] = read(ADS, [{"results": [result]}])
    assert rejection.reason == "required field is empty"


def test_rules_declared_on_columns_reject_the_row_with_the_bad_value():
    body = [
        {
            "results": [
                ad_result(cost="-5000000"),
                ad_result(customer={"id": "1", "currencyCode": "XYZ", "timeZone": "Europe/Berlin"}),
                ad_result(cost="0"),  # no spend is fine: the minimum is inclusive
            ]
        }
    ]
    negative, currency, free = read(ADS, body)
    assert (negative.field, negative.reason) == ("metrics.costMicros", "'-5000000' is below the minimum 0")
    assert (currency.field, currency.reason) == ("customer.currencyCode", "'XYZ' is not a known value")
    assert isinstance(free, Row)


def test_future_rows_are_rejected_before_the_window_could_skip_them():
    # The window ends on 03-10; 03-12 is outside it but possible (UTC + 1 day): skipped, not rejected.
    # 03-13 cannot have happened yet: rejected, although it is outside the window too.
    body = [{"results": [ad_result("2026-03-12"), ad_result("2026-03-13")]}]
    [future] = read(ADS, body)
    assert (future.line, future.field, future.reason) == (
        2,
        "segments.date",
        "'2026-03-13' is later than the extraction",
    )
    assert future.record_day == date(2026, 3, 13)
    # Timestamps: up to one hour after the extraction at 03:00Z (both outside the window, which ends
    # at 23:00Z on the 10th).
    body = {"results": [contact("2026-03-11T04:00:00Z"), contact("2026-03-11T04:00:01Z")]}
    [late] = read(CONTACTS, body)
    assert (late.line, late.field, late.reason) == (
        2,
        "updatedAt",
        "'2026-03-11T04:00:01Z' is later than the extraction",
    )


def test_a_record_of_a_past_day_outside_the_window_is_passed_over_one_of_a_day_that_may_be_future_is_checked():
    # Extracted at 03:00Z on 03-11: a value later than that falls on 03-10 or after in any time zone.
    # 02-01 and 03-09 are past days outside the window: not typed, bad or not. 03-11 is outside the
    # window too (it ends on 03-10) but checked whole.
    window = Window(date(2026, 3, 1), date(2026, 3, 8), BERLIN, extracted_at=datetime(2026, 3, 11, 3, tzinfo=UTC))
    body = [
        {
            "results": [
                ad_result("2026-02-01", cost="lots"),
                ad_result("2026-03-09", cost="lots"),
                ad_result("2026-03-11", cost="lots"),
                ad_result("2026-03-11"),
            ]
        }
    ]
    [rejection] = read(ADS, body, window)
    assert (rejection.line, rejection.reason, rejection.record_day) == (
        3,
        "expected an integer, got 'lots'",
        date(2026, 3, 11),
    )


def test_record_that_is_not_an_object_is_rejected():
    [rejection] = read(CONTACTS, {"results": ["101"]})
    assert (rejection.line, rejection.field, rejection.record, rejection.natural_key) == (1, "(record)", "101", None)


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
    [rejection] = read(CONTACTS, {"results": [contact(createdate="yesterday")]})
    assert (rejection.field, rejection.reason) == (
        "properties.createdate",
        "expected an ISO-8601 timestamp, got 'yesterday'",
    )
    assert (rejection.natural_key, rejection.record_day) == ({"id": "101"}, date(2026, 3, 5))


def test_deal_associations_become_a_json_list():
    deal = {
        "id": "9",
        "properties": {"dealstage": "closedwon", "createdate": "2026-03-02T10:00:00Z", "amount": "100"},
        "updatedAt": "2026-03-02T10:00:00Z",
        "associations": {"contacts": {"results": [{"id": "1", "type": "deal_to_contact"}, {"id": "2"}]}},
    }
    [(_, row)] = rows(DEALS, {"results": [deal]})
    assert json.loads(columns(DEALS, row)["contact_ids"]) == ["1", "2"]


def test_page_not_of_the_expected_shape_fails_whole():
    with pytest.raises(SourceDataError, match=r"^hubspot/contacts: page\.json: expected a JSON object with 'results'$"):
        read(CONTACTS, [])
    with pytest.raises(SourceDataError, match=r"page\.json: expected a list of records under 'results'"):
        read(CONTACTS, {"results": {"id": "101"}})
    with pytest.raises(SourceDataError, match=r"page\.json: expected a JSON array of objects with 'results'"):
        read(ADS, {"results": []})


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
    [rejection] = read(CALLS, {"results": [call]})
    assert (rejection.line, rejection.field, rejection.reason) == (
        1,
        "properties.hs_timestamp",
        "required field is missing",
    )


def test_every_engagement_type_reads_its_own_folder():
    assert [(s.name, s.files, s.table) for s in (CALLS, EMAILS, MEETINGS)] == [
        ("calls", "calls/*.json", "hubspot__calls"),
        ("emails", "emails/*.json", "hubspot__emails"),
        ("meetings", "meetings/*.json", "hubspot__meetings"),
    ]


SPEND = Stream(
    source="ad_export",
    name="spend_daily",
    files="*.csv",
    records_at="rows",
    columns=(
        Column("campaign", "text", "Campaign", required=True),
        Column("day", "date", "Day", required=True, not_future=True),
        # No rules on the numbers: this stream shows how CSV text becomes a number.
        Column("cost", "numeric", "Cost"),
        Column("clicks", "bigint", "Clicks"),
        Column("currency", "text", "Currency"),
    ),
    natural_key=("campaign", "day"),
    window_column="day",
    format="csv",
)


def spend(decimal, *costs, clicks="1"):
    records = [
        SourceRecord(
            line, {"Campaign": "Brand", "Day": "2026-03-10", "Cost": cost, "Clicks": clicks, "Currency": "EUR"}
        )
        for line, cost in enumerate(costs, start=2)
    ]
    return [
        item.values[2] if isinstance(item, Row) else item.reason
        for item in page_rows(SPEND, Page("export.csv", records, decimal=decimal), WINDOW)
    ]


def test_csv_numbers_with_decimal_comma_and_spaces_or_dots_between_thousands():
    assert spend(",", "1\u00a0234,56", "1\u202f234,5", "1 234", "1.234,56", "1.234", "-1.234.567,5", "12,5", "7") == [
        "1234.56",
        "1234.5",
        "1234",
        "1234.56",
        "1234",
        "-1234567.5",
        "12.5",
        "7",
    ]
    # A comma after a dot is no number in this notation; a dot not between thousands stays a point.
    assert spend(",", "1,234.5", "1.5", "1.23") == ["expected a number, got '1,234.5'", "1.5", "1.23"]
    assert spend(",", "5", clicks="1.000") == ["5"]  # 1.000 clicks is a thousand


def test_csv_numbers_with_decimal_point_drop_only_thousands_commas():
    assert spend(".", "1,234.56", "1\u00a0234.5", "12.5", "-1,000") == ["1234.56", "1234.5", "12.5", "-1000"]
    assert spend(".", "1,5", "12,34") == ["expected a number, got '1,5'", "expected a number, got '12,34'"]
    assert spend(".", "5", clicks="1.5") == ["expected an integer, got '1.5'"]


def test_json_numbers_are_not_read_as_csv_text():
    # A JSON string "1,234" is not a number, whatever the source's CSV files use.
    [rejection] = read(DEALS, {"results": [{"id": "9", "properties": {"amount": "1,234"}}]})
    assert rejection.reason == "expected a number, got '1,234'"


def test_values_postgres_cannot_hold_reject_their_record_not_the_load():
    # NUL cannot be stored in text; 2**63 does not fit bigint (COPY would fail the whole batch).
    nul_name, huge = read(
        ADS,
        [{"results": [
            ad_result(campaign={"id": "7", "name": "Brand\x00Search"}),
            ad_result(cost=str(2**63)),
            ad_result(cost=str(2**63 - 1)),
        ]}],
    )[:2]  # fmt: skip
    assert (nul_name.field, nul_name.reason) == (
        "campaign.name",
        "contains a NUL character, which Postgres text cannot hold: 'Brand\\x00Search'",
    )
    assert (huge.field, huge.reason) == (
        "metrics.costMicros",
        "'9223372036854775808' is outside the 64-bit integer range",
    )


def test_a_stream_whose_window_column_may_be_empty_is_refused():
    # A record without a day could be neither placed in the window nor passed over.
    with pytest.raises(ValueError, match="ad_export/spend_daily: the window column day must be required"):
        Stream(
            source="ad_export",
            name="spend_daily",
            files="*.csv",
            records_at="rows",
            columns=(Column("campaign", "text", "Campaign", required=True), Column("day", "date", "Day")),
            natural_key=("campaign", "day"),
            window_column="day",
        )
