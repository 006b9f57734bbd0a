"""The demo world written as Bitrix24 REST responses, and served back by filter and page.

A hand-made world of three people (times UTC; the portal's are Berlin's, +01:00 in March, so
2026-03-02 09:00 UTC is "2026-03-02T10:00:00+01:00"):
  101 Anna    lead 03-02 09:00, nothing more; last change 03-05 09:00         -> NEW
  102 Jonas   lead 03-02 09:00, MQL 10:00, SQL 03-03 09:00, deal 03-04 09:00 -> CONVERTED;
              the deal won 03-12 09:00 for EUR 12,000 (deal 9000001: NEW 03-04, WON 03-12);
              an outbound call 03-02 10:30 (5 minutes, logged 10:31), a reply e-mail 03-02 14:00,
              the demo meeting 03-04 09:00 (booked 03-03 09:30, updated 03-04 09:45), all by
              owner 71830457, the portal's user 12
  103 Lena    lead 03-02 09:00, MQL 11:00, UNQUALIFIED 03-05 09:00             -> JUNK
Lead stage history by time, then lead: NEW of 101, 102, 103 (1001-1003), IN_PROCESS of 102 (1004)
and 103 (1005), PROCESSED of 102 (1006), CONVERTED of 102 (1007), JUNK of 103 (1008).
Owners: Jonas's is his engagements'; Anna (101 % 5 = 1) and Lena (103 % 5 = 3) get the owners of
those turns, 71830457 (user 12) and 72114301 (user 14).
"""

import json
import random
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from demo_people import DIRECT, PAID, at, person

from smarketing.demo import bitrix24
from smarketing.demo.generator import Deal, DemoWorld, Engagement, Window
from smarketing.extract.bitrix24 import STREAMS
from smarketing.extract.files import read_pages
from smarketing.extract.records import Rejection, page_rows
from smarketing.extract.streams import Window as ExtractWindow

WEBHOOK = f"/rest/{bitrix24.WEBHOOK_USER_ID}/{bitrix24.WEBHOOK_SECRET}"


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    anna = person(101, "Anna", DIRECT)
    jonas = person(102, "Jonas", PAID, marketingqualifiedlead=at(2, 10), salesqualifiedlead=at(3, 9))
    jonas.phone = "+49 40 1234567"
    lena = person(103, "Lena", DIRECT, marketingqualifiedlead=at(2, 11))
    lena.lead_status, lena.disqualified_at, lena.disqualification_reason = "UNQUALIFIED", at(5, 9), "No budget"
    deal = Deal(jonas, at(4, 9), 12_000, "closedwon", at(12, 9), at(12, 9), deal_id=9_000_001)
    owner = "71830457"
    five_minutes = {"hs_call_direction": "OUTBOUND", "hs_call_status": "COMPLETED", "hs_call_duration": "300000"}
    call = Engagement("calls", jonas, owner, at(2, 10, 30), at(2, 10, 31), at(2, 10, 31), five_minutes)
    email = Engagement("emails", jonas, owner, at(2, 14), at(2, 14), at(2, 14),
                       {"hs_email_direction": "INCOMING_EMAIL", "hs_email_subject": "Re: Your demo"})  # fmt: skip
    meeting = Engagement("meetings", jonas, owner, at(4, 9), at(3, 9, 30), at(4, 9, 45),
                         {"hs_meeting_outcome": "COMPLETED", "hs_meeting_title": "Acme CRM Demo"})  # fmt: skip
    world = DemoWorld(Window(date(2026, 3, 1), date(2026, 3, 20)), [], [], [anna, jonas, lena], [deal],
                      [call, email, meeting])  # fmt: skip
    out = tmp_path_factory.mktemp("bitrix24")
    bitrix24.write(world, out, random.Random(1))
    return out


def records(folder: Path, entity: str) -> list[dict]:
    pages = [json.loads(page.read_text()) for page in sorted((folder / entity).glob("*.json"))]
    return [r for page in pages for r in (page["result"]["items"] if "items" in page["result"] else page["result"])]


def test_each_person_is_one_lead_with_its_multifields_and_first_visit(folder):
    leads = {lead["ID"]: lead for lead in records(folder, "leads")}
    assert list(leads) == ["101", "102", "103"]
    jonas = leads["102"]
    email = {"ID": "60204", "VALUE_TYPE": "WORK", "VALUE": "jonas@nordlicht-it.de", "TYPE_ID": "EMAIL"}
    assert jonas["EMAIL"] == [email]  # 60000 + 2 * 102
    assert jonas["PHONE"][0]["VALUE"] == "+49 40 1234567" and "PHONE" not in leads["101"]
    utm = {key: value for key, value in jonas.items() if key.startswith("UTM_")}
    assert utm == {"UTM_SOURCE": "google", "UTM_MEDIUM": "cpc", "UTM_CAMPAIGN": "DE | Search | Competitor",
                   "UTM_CONTENT": None, "UTM_TERM": "pipedrive vs"}  # fmt: skip
    assert (jonas["SOURCE_ID"], leads["101"]["SOURCE_ID"]) == ("ADVERTISING", "WEB")
    assert leads["101"]["UTM_SOURCE"] is None
    assert [leads[i]["ASSIGNED_BY_ID"] for i in ("101", "102", "103")] == ["12", "12", "14"]


def test_the_leads_stand_where_the_people_got(folder):
    leads = {lead["ID"]: lead for lead in records(folder, "leads")}
    status = {i: (lead["STATUS_ID"], lead["STATUS_SEMANTIC_ID"], lead["DATE_CLOSED"]) for i, lead in leads.items()}
    assert status == {
        "101": ("NEW", "P", None),
        "102": ("CONVERTED", "S", "2026-03-04T10:00:00+01:00"),  # when the deal was made of it
        "103": ("JUNK", "F", "2026-03-05T10:00:00+01:00"),
    }
    assert leads["103"]["STATUS_DESCRIPTION"] == "No budget"
    assert {lead["DATE_CREATE"] for lead in leads.values()} == {"2026-03-02T10:00:00+01:00"}
    assert {lead["DATE_MODIFY"] for lead in leads.values()} == {"2026-03-05T10:00:00+01:00"}


def test_the_lead_history_dates_every_status_when_it_was_reached(folder):
    history = [(e["ID"], e["OWNER_ID"], e["TYPE_ID"], e["STATUS_ID"], e["STATUS_SEMANTIC_ID"], e["CREATED_TIME"])
               for e in records(folder, "lead_stage_history")]  # fmt: skip
    assert history == [
        (1001, 101, 1, "NEW", "P", "2026-03-02T10:00:00+01:00"),
        (1002, 102, 1, "NEW", "P", "2026-03-02T10:00:00+01:00"),
        (1003, 103, 1, "NEW", "P", "2026-03-02T10:00:00+01:00"),
        (1004, 102, 2, "IN_PROCESS", "P", "2026-03-02T11:00:00+01:00"),
        (1005, 103, 2, "IN_PROCESS", "P", "2026-03-02T12:00:00+01:00"),
        (1006, 102, 2, "PROCESSED", "P", "2026-03-03T10:00:00+01:00"),
        (1007, 102, 3, "CONVERTED", "S", "2026-03-04T10:00:00+01:00"),
        (1008, 103, 3, "JUNK", "F", "2026-03-05T10:00:00+01:00"),
    ]


def test_the_deal_is_converted_from_its_lead_and_won_when_the_world_won_it(folder):
    (deal,) = records(folder, "deals")
    assert {key: deal[key] for key in ("ID", "LEAD_ID", "CATEGORY_ID", "STAGE_ID", "STAGE_SEMANTIC_ID", "CLOSED",
                                       "OPPORTUNITY", "CURRENCY_ID", "DATE_CREATE", "DATE_MODIFY", "CLOSEDATE")} == {
        "ID": "9000001", "LEAD_ID": "102", "CATEGORY_ID": "0", "STAGE_ID": "WON", "STAGE_SEMANTIC_ID": "S",
        "CLOSED": "Y", "OPPORTUNITY": "12000.00", "CURRENCY_ID": "EUR",
        "DATE_CREATE": "2026-03-04T10:00:00+01:00", "DATE_MODIFY": "2026-03-12T10:00:00+01:00",
        "CLOSEDATE": "2026-03-12T00:00:00+01:00",
    }  # fmt: skip
    assert deal["TITLE"] == "Nordlicht IT GmbH - Acme CRM Professional" and deal["UTM_SOURCE"] == "google"
    history = [(e["ID"], e["OWNER_ID"], e["TYPE_ID"], e["STAGE_ID"], e["STAGE_SEMANTIC_ID"], e["CREATED_TIME"])
               for e in records(folder, "deal_stage_history")]  # fmt: skip
    assert history == [
        (5001, 9_000_001, 1, "NEW", "P", "2026-03-04T10:00:00+01:00"),
        (5002, 9_000_001, 3, "WON", "S", "2026-03-12T10:00:00+01:00"),
    ]


def test_calls_emails_and_meetings_are_the_leads_activities(folder):
    fields = ("ID", "OWNER_TYPE_ID", "OWNER_ID", "TYPE_ID", "DIRECTION", "COMPLETED", "START_TIME", "END_TIME",
              "CREATED", "LAST_UPDATED", "RESPONSIBLE_ID")  # fmt: skip
    activities = [tuple(a[key] for key in fields) for a in records(folder, "activities")]
    assert activities == [
        ("40001", "1", "102", "2", "2", "Y", "2026-03-02T11:30:00+01:00", "2026-03-02T11:35:00+01:00",
         "2026-03-02T11:31:00+01:00", "2026-03-02T11:31:00+01:00", "12"),
        ("40002", "1", "102", "4", "1", "Y", "2026-03-02T15:00:00+01:00", "2026-03-02T15:00:00+01:00",
         "2026-03-02T15:00:00+01:00", "2026-03-02T15:00:00+01:00", "12"),
        ("40003", "1", "102", "1", "0", "Y", "2026-03-04T10:00:00+01:00", "2026-03-04T10:45:00+01:00",
         "2026-03-03T10:30:00+01:00", "2026-03-04T10:45:00+01:00", "12"),
    ]  # fmt: skip


def test_the_file_drop_loads_through_the_extractor_without_a_rejection(folder):
    window = ExtractWindow(date(2026, 3, 1), date(2026, 3, 20), ZoneInfo("Europe/Berlin"),
                           extracted_at=datetime(2026, 3, 21, tzinfo=UTC))  # fmt: skip
    loaded = {}
    for stream in STREAMS:
        rows = [row for page in read_pages(stream, folder) for row in page_rows(stream, page, window)]
        assert not [row for row in rows if isinstance(row, Rejection)], stream.name
        loaded[stream.name] = len(rows)
    assert loaded == {"leads": 3, "deals": 1, "activities": 3, "lead_stage_history": 8, "deal_stage_history": 2}


def test_a_page_file_is_a_list_response(folder):
    (page,) = [json.loads(path.read_text()) for path in (folder / "leads").glob("*.json")]
    assert (page["total"], "next" in page) == (3, False)  # one page of 50: no next
    assert set(page["time"]) >= {"start", "finish", "duration", "date_start", "date_finish"}
    (names,) = [[path.name for path in (folder / "deal_stage_history").glob("*.json")]]
    assert names == ["crm.stagehistory.list-0001.json"]


def test_the_replay_filters_the_window_and_reads_on_by_id(folder):
    handle = bitrix24.replay(folder).handle
    # The connector's first page: the window on DATE_MODIFY, ascending ID, start -1 (no count).
    window = {">=DATE_MODIFY": "2026-03-05T00:00:00+01:00", "<DATE_MODIFY": "2026-03-06T00:00:00+01:00"}
    request = {"select": ["*", "EMAIL", "PHONE"], "filter": {**window, ">ID": 0}, "order": {"ID": "ASC"}, "start": -1}
    status, body = handle("POST", f"{WEBHOOK}/crm.lead.list.json", request)
    assert status == 200 and [lead["ID"] for lead in body["result"]] == ["101", "102", "103"]
    assert "next" not in body and "total" not in body and body["result"][1]["EMAIL"][0]["VALUE"]
    _, after = handle("POST", f"{WEBHOOK}/crm.lead.list.json", {**request, "filter": {**window, ">ID": 101}})
    assert [lead["ID"] for lead in after["result"]] == ["102", "103"]
    # Multifields only when selected; a window without changes: nothing.
    _, plain = handle("POST", f"{WEBHOOK}/crm.lead.list.json", {"select": ["*"], "filter": window, "start": -1})
    assert "EMAIL" not in plain["result"][0]
    _, none = handle("POST", f"{WEBHOOK}/crm.deal.list", {"filter": window, "start": -1})
    assert none["result"] == []
    # Lead stage history of 03-03 and 03-04 (UTC): Jonas's SQL and conversion.
    days = {">=CREATED_TIME": "2026-03-03T00:00:00+00:00", "<CREATED_TIME": "2026-03-05T00:00:00+00:00"}
    history = {"entityTypeId": 1, "filter": {**days, ">ID": 0}, "order": {"ID": "ASC"}, "start": -1}
    _, entries = handle("POST", f"{WEBHOOK}/crm.stagehistory.list.json", history)
    assert [(e["ID"], e["STATUS_ID"]) for e in entries["result"]["items"]] == [(1006, "PROCESSED"), (1007, "CONVERTED")]
    _, deal_entries = handle("POST", f"{WEBHOOK}/crm.stagehistory.list.json", {"entityTypeId": 2, "start": -1})
    assert [e["STAGE_ID"] for e in deal_entries["result"]["items"]] == ["NEW", "WON"]
    # Activities last updated on 03-04 (Berlin): the meeting.
    updated = {">=LAST_UPDATED": "2026-03-04T00:00:00+01:00", "<LAST_UPDATED": "2026-03-05T00:00:00+01:00"}
    _, activities = handle("POST", f"{WEBHOOK}/crm.activity.list.json", {"filter": updated, "start": -1})
    assert [a["ID"] for a in activities["result"]] == ["40003"]


def test_the_replay_pages_by_offset_with_next_and_total(folder, monkeypatch):
    monkeypatch.setattr(bitrix24, "PAGE_SIZE", 2)
    handle = bitrix24.replay(folder).handle
    _, first = handle("POST", f"{WEBHOOK}/crm.lead.list.json", {"order": {"ID": "DESC"}})
    assert ([lead["ID"] for lead in first["result"]], first["next"], first["total"]) == (["103", "102"], 2, 3)
    _, second = handle("POST", f"{WEBHOOK}/crm.lead.list.json", {"order": {"ID": "DESC"}, "start": 2})
    assert [lead["ID"] for lead in second["result"]] == ["101"] and "next" not in second and second["total"] == 3
    _, unpaged = handle("POST", f"{WEBHOOK}/crm.lead.list.json", {"start": -1})
    assert [lead["ID"] for lead in unpaged["result"]] == ["101", "102"] and "total" not in unpaged


def test_the_replay_answers_only_the_webhook_and_its_methods(folder):
    platform = bitrix24.replay(folder)
    assert platform.connection == {"conn_type": "http", "login": "1", "password": bitrix24.WEBHOOK_SECRET}
    status, body = platform.handle("POST", "/rest/1/wrong-secret/crm.lead.list.json", {})
    assert (status, body["error"]) == (401, "INVALID_CREDENTIALS")
    assert platform.handle("GET", f"{WEBHOOK}/crm.lead.list.json", None) is None
    assert platform.handle("POST", f"{WEBHOOK}/crm.contact.list.json", {}) is None
    assert platform.handle("POST", f"{WEBHOOK}/crm.stagehistory.list.json", {"entityTypeId": 3}) is None
    assert platform.handle("POST", "/api/v4/leads", {}) is None
