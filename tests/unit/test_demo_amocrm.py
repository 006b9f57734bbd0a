"""The demo world written as amoCRM API v4 responses, and served back by page and filter.

A hand-made world of three people (times UTC, 2026-03-02 09:00 = 1772442000):
  101 Anna    lead 03-02 09:00, nothing more                        -> "New inquiry"
  102 Jonas   lead 03-02 09:00, MQL 10:00, SQL 03-03 09:00, deal (opportunity) 03-04 09:00,
              won 03-12 09:00 for EUR 12,000; an outbound call 03-02 10:30, logged 10:31  -> 142
  103 Lena    lead 03-02 09:00, MQL 03-02 11:00, UNQUALIFIED 03-05 09:00  -> "Disqualified"
"""

import json
import random
from datetime import date, datetime
from pathlib import Path

import pytest
from demo_people import DIRECT, PAID, at, person

from smarketing.demo import amocrm
from smarketing.demo.generator import Deal, DemoWorld, Engagement, Window


def unix(moment: datetime) -> int:
    return int(moment.timestamp())


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    anna = person(101, "Anna", DIRECT)
    jonas = person(102, "Jonas", PAID, marketingqualifiedlead=at(2, 10), salesqualifiedlead=at(3, 9))
    lena = person(103, "Lena", DIRECT, marketingqualifiedlead=at(2, 11))
    lena.lead_status, lena.disqualified_at = "UNQUALIFIED", at(5, 9)
    deal = Deal(jonas, at(4, 9), 12_000, "closedwon", at(12, 9), at(12, 9), deal_id=9_000_001)
    call = Engagement("calls", jonas, "71830457", at(2, 10, 30), at(2, 10, 31), at(2, 10, 31),
                      {"hs_call_direction": "OUTBOUND", "hs_call_status": "COMPLETED"})  # fmt: skip
    world = DemoWorld(Window(date(2026, 3, 1), date(2026, 3, 20)), [], [], [anna, jonas, lena], [deal], [call])
    out = tmp_path_factory.mktemp("amocrm")
    amocrm.write(world, out, random.Random(1))
    return out


def records(folder: Path, entity: str) -> list[dict]:
    return [
        r
        for page in sorted((folder / entity).glob("*.json"))
        for r in json.loads(page.read_text())["_embedded"][entity]
    ]


def test_each_person_is_one_contact_with_one_lead(folder):
    contacts, leads = records(folder, "contacts"), records(folder, "leads")
    assert sorted(c["id"] for c in contacts) == [101, 102, 103]
    assert sorted(contact["id"] for lead in leads for contact in lead["_embedded"]["contacts"]) == [101, 102, 103]
    jonas = next(c for c in contacts if c["id"] == 102)
    email = next(f for f in jonas["custom_fields_values"] if f["field_code"] == "EMAIL")
    assert email["values"][0]["value"] == "jonas@nordlicht-it.de"


def test_the_leads_stand_where_the_people_got(folder):
    by_contact = {lead["_embedded"]["contacts"][0]["id"]: lead for lead in records(folder, "leads")}
    assert by_contact[101]["status_id"] == amocrm.NEW and by_contact[101]["price"] == 0
    won = by_contact[102]
    assert (won["status_id"], won["price"], won["closed_at"]) == (142, 12_000, 1773306000)  # 03-12 09:00
    assert by_contact[103]["status_id"] == amocrm.DISQUALIFIED and by_contact[103]["closed_at"] is None
    assert amocrm.CRM_MAPPING_FIELDS["status_id"][str(amocrm.DISQUALIFIED)] == "disqualified"
    tracking = {f["field_code"]: f["values"][0]["value"] for f in won["custom_fields_values"]}
    assert tracking == {"UTM_SOURCE": "google", "UTM_MEDIUM": "cpc", "UTM_CAMPAIGN": "DE | Search | Competitor",
                        "UTM_TERM": "pipedrive vs", "GCLID": "Cj0KCQjw-demo"}  # fmt: skip


def test_status_changes_are_dated_when_the_stage_was_reached(folder):
    events = records(folder, "events")
    jonas_lead = amocrm.FIRST_LEAD_ID + 102
    moves = [(e["created_at"], e["value_before"][0]["lead_status"]["id"], e["value_after"][0]["lead_status"]["id"])
             for e in events if e["entity_id"] == jonas_lead]  # fmt: skip
    assert moves == [
        (unix(at(2, 10)), amocrm.NEW, amocrm.MQL),
        (unix(at(3, 9)), amocrm.MQL, amocrm.SQL),
        (unix(at(4, 9)), amocrm.SQL, amocrm.DEMO),
        (unix(at(12, 9)), amocrm.DEMO, 142),
    ]
    (call,) = [e for e in events if e["type"] != "lead_status_changed"]
    assert (call["type"], call["entity_type"], call["entity_id"], call["created_at"], call["created_by"]) == (
        "outgoing_call", "contact", 102, unix(at(2, 10, 31)), 71830457)  # fmt: skip
    assert len({e["id"] for e in events}) == len(events) == 4 + 2 + 1  # Jonas, Lena (MQL, disqualified), call


def test_the_replay_pages_by_number_and_answers_204_past_the_last(folder):
    handle = amocrm.replay(folder).handle
    status, page_1 = handle("GET", "/api/v4/contacts?limit=2&page=1&order%5Bupdated_at%5D=asc", None)
    assert status == 200 and [c["id"] for c in page_1["_embedded"]["contacts"]] == [101, 102]
    assert "page=2" in page_1["_links"]["next"]["href"]
    status, page_2 = handle("GET", "/api/v4/contacts?limit=2&page=2", None)
    assert [c["id"] for c in page_2["_embedded"]["contacts"]] == [103] and "next" not in page_2["_links"]
    assert handle("GET", "/api/v4/contacts?limit=2&page=3", None) == (204, None)


def test_the_replay_filters_the_window_and_the_event_types(folder):
    handle = amocrm.replay(folder).handle
    # Events from 03-03 00:00 to 03-04 23:59:59 UTC: Jonas's SQL and opportunity moves only.
    window = "filter%5Bcreated_at%5D%5Bfrom%5D=1772496000&filter%5Bcreated_at%5D%5Bto%5D=1772668799"
    _, body = handle("GET", f"/api/v4/events?{window}&page=1&limit=100", None)
    assert [e["created_at"] for e in body["_embedded"]["events"]] == [unix(at(3, 9)), unix(at(4, 9))]
    _, calls = handle("GET", "/api/v4/events?filter%5Btype%5D=incoming_call%2Coutgoing_call&page=1&limit=100", None)
    assert [e["entity_id"] for e in calls["_embedded"]["events"]] == [102]
    # A window after every change: nothing to list.
    assert handle("GET", "/api/v4/leads?filter%5Bupdated_at%5D%5Bfrom%5D=1780000000&page=1&limit=250", None)[0] == 204
    _, account = handle("GET", "/api/v4/account", None)
    assert account["currency"] == "EUR"
    assert handle("GET", "/api/v4/tasks", None) is None
