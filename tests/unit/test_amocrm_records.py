"""amoCRM pages through the one reader: Unix-second timestamps and the HAL `_embedded` list."""

from datetime import date
from zoneinfo import ZoneInfo

from smarketing.extract import amocrm
from smarketing.extract.records import Page, Rejection, Row, page_rows
from smarketing.extract.streams import Window

CONTACTS = amocrm.STREAMS[0]
WINDOW = Window(date(2026, 3, 9), date(2026, 3, 10), ZoneInfo("Europe/Moscow"))


def contact(**fields):
    return {"id": 501, "account_id": 30001234, "created_at": 1772441700, "updated_at": 1773050700, **fields}


def rows(body):
    return list(page_rows(CONTACTS, Page("contacts page 1", body), WINDOW))


def test_unix_seconds_are_utc_timestamps():
    (row,) = rows({"_embedded": {"contacts": [contact()]}})
    assert isinstance(row, Row)
    names = [column.name for column in CONTACTS.columns]
    # 1772441700 = 2026-03-02 08:55 UTC; 1773050700 = 2026-03-09 10:05 UTC (in the window).
    assert row.values[names.index("created_at")] == "2026-03-02T08:55:00+00:00"
    assert row.values[names.index("updated_at")] == "2026-03-09T10:05:00+00:00"


def test_a_timestamp_that_is_not_unix_seconds_is_rejected_naming_the_field():
    (rejection,) = rows({"_embedded": {"contacts": [contact(created_at="2026-03-02T08:55:00Z")]}})
    assert isinstance(rejection, Rejection)
    assert (rejection.origin, rejection.field) == ("contacts page 1", "created_at")
    assert rejection.reason == "expected Unix seconds, got '2026-03-02T08:55:00Z'"
    (rejection,) = rows({"_embedded": {"contacts": [contact(created_at=10**15)]}})
    assert rejection.reason == "Unix seconds 1000000000000000 are outside the years a timestamp can hold"


def test_a_page_without_embedded_records_has_none():
    assert rows({"_page": 1, "_links": {}}) == []
    assert rows({"_embedded": {"contacts": []}}) == []
