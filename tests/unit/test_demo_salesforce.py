"""The demo world written as Salesforce query responses, and served back as the REST API.

A hand-made world of three people (times UTC):
  101 Anna    direct visit, lead 03-02 09:00, nothing more      -> Open - Not Contacted, Web
  102 Jonas   Google Ads click (campaign "DE | Search | Competitor"), lead 03-02 09:00, MQL 10:00,
              SQL 03-03 09:00 (converted then: contact, account), deal 03-04 09:00 won 03-12 09:00
              for EUR 12,000                                    -> Closed - Converted, Advertisement
  103 Lena    direct visit, lead 03-02 09:00, MQL 11:00, UNQUALIFIED 03-05 09:00
                                                                -> Closed - Not Converted
"""

import json
import random
from datetime import date
from pathlib import Path

import pytest
from demo_people import DIRECT, PAID, at, person

from smarketing.demo import salesforce
from smarketing.demo.generator import Deal, DemoWorld, Window

DEAL_ID = 9_000_001
WINDOW = "WHERE SystemModstamp >= 2026-03-01T00:00:00Z AND SystemModstamp < 2026-03-06T00:00:00Z"


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    anna = person(101, "Anna", DIRECT)
    jonas = person(102, "Jonas", PAID, marketingqualifiedlead=at(2, 10), salesqualifiedlead=at(3, 9))
    lena = person(103, "Lena", DIRECT, marketingqualifiedlead=at(2, 11))
    lena.lead_status, lena.disqualified_at = "UNQUALIFIED", at(5, 9)
    deal = Deal(jonas, at(4, 9), 12_000, "closedwon", at(12, 9), at(12, 9), deal_id=DEAL_ID)
    world = DemoWorld(Window(date(2026, 3, 1), date(2026, 3, 20)), [], [], [anna, jonas, lena], [deal], [])
    out = tmp_path_factory.mktemp("salesforce")
    salesforce.write(world, out, random.Random(1))
    return out


def records(folder: Path, stream: str) -> list[dict]:
    return [r for page in sorted((folder / stream).glob("*.json")) for r in json.loads(page.read_text())["records"]]


def test_ids_are_18_characters_with_their_case_checksum():
    # 102 = 1 * 62 + 40 -> "1e"; upper-case letters per five characters: "00Q7R" Q and R (bits 2
    # and 4: 20 -> U), "00000" none (A), "0001e" none (A).
    assert salesforce._id("Lead", 102) == "00Q7R000000001eUAA"


def test_each_person_is_a_lead_with_the_status_reached_last(folder):
    leads = {lead["Email"]: lead for lead in records(folder, "leads")}
    anna, jonas, lena = (leads[f"{name}@nordlicht-it.de"] for name in ("anna", "jonas", "lena"))
    assert (anna["Status"], anna["LeadSource"], anna["SystemModstamp"]) == (
        "Open - Not Contacted", "Web", "2026-03-02T09:00:00.000+0000")  # fmt: skip
    assert (jonas["Status"], jonas["LeadSource"], jonas["SystemModstamp"], jonas["ConvertedDate"]) == (
        "Closed - Converted", "Advertisement", "2026-03-03T09:00:00.000+0000", "2026-03-03")  # fmt: skip
    assert jonas["IsConverted"] and jonas["ConvertedContactId"] == salesforce._id("Contact", 102)
    assert (lena["Status"], lena["SystemModstamp"], lena["IsConverted"]) == (
        "Closed - Not Converted", "2026-03-05T09:00:00.000+0000", False)  # fmt: skip
    assert [lead["Email"] for lead in records(folder, "leads")] == [anna["Email"], jonas["Email"], lena["Email"]]


def test_the_converted_lead_is_a_contact_with_the_won_opportunity(folder):
    (contact,) = records(folder, "contacts")
    assert (contact["Id"], contact["CreatedDate"]) == (salesforce._id("Contact", 102), "2026-03-03T09:00:00.000+0000")
    (opportunity,) = records(folder, "opportunities")
    assert opportunity["Id"] == salesforce._id("Opportunity", DEAL_ID)
    assert (opportunity["StageName"], opportunity["IsWon"], opportunity["IsClosed"], opportunity["CloseDate"]) == (
        "Closed Won", True, True, "2026-03-12")  # fmt: skip
    assert (opportunity["Amount"], opportunity["CurrencyIsoCode"]) == (12_000, "EUR")
    assert opportunity["AccountId"] == contact["AccountId"]
    (role,) = records(folder, "opportunity_contact_roles")
    assert (role["OpportunityId"], role["ContactId"], role["IsPrimary"]) == (opportunity["Id"], contact["Id"], True)


def test_the_ad_campaign_is_a_campaign_with_the_lead_as_member(folder):
    (campaign,) = records(folder, "campaigns")
    assert (campaign["Name"], campaign["Type"], campaign["StartDate"]) == (
        "DE | Search | Competitor", "Advertisement", "2026-03-02")  # fmt: skip
    (member,) = records(folder, "campaign_members")
    assert (member["CampaignId"], member["LeadId"], member["ContactId"], member["HasResponded"]) == (
        campaign["Id"], salesforce._id("Lead", 102), salesforce._id("Contact", 102), True)  # fmt: skip
    assert records(folder, "opportunities")[0]["CampaignId"] == campaign["Id"]


def test_the_replay_answers_the_window_in_batches(folder, monkeypatch):
    monkeypatch.setattr(salesforce, "BATCH_SIZE", 2)
    platform = salesforce.replay(folder)

    def get(target: str) -> tuple:
        return platform.handle("GET", target, None, {"host": "127.0.0.1:8000"})

    token = platform.handle("POST", "/services/oauth2/token", "grant_type=refresh_token", {"host": "127.0.0.1:8000"})
    assert token[1]["instance_url"] == "http://127.0.0.1:8000"
    soql = f"SELECT Id, Status FROM Lead {WINDOW} ORDER BY SystemModstamp"
    status, first = get(f"/services/data/v62.0/queryAll?q={soql.replace(' ', '+')}")
    assert status == 200 and (first["totalSize"], first["done"]) == (3, False)
    assert [r["Status"] for r in first["records"]] == ["Open - Not Contacted", "Closed - Converted"]
    assert set(first["records"][0]) == {"attributes", "Id", "Status"}
    _, rest = get(first["nextRecordsUrl"])
    assert [r["Status"] for r in rest["records"]] == ["Closed - Not Converted"] and rest["done"]
    # Only Lena's lead changed on 03-05.
    _, late = get(f"/services/data/v62.0/queryAll?q={soql.replace('2026-03-01', '2026-03-05').replace(' ', '+')}")
    assert [r["Status"] for r in late["records"]] == ["Closed - Not Converted"]


def test_the_replay_refuses_a_field_the_object_has_not(folder):
    platform = salesforce.replay(folder)
    soql = f"SELECT Id, Rating FROM Lead {WINDOW} ORDER BY SystemModstamp"
    status, errors = platform.handle("GET", f"/services/data/v62.0/queryAll?q={soql}", None, {"host": "h"})
    assert status == 400 and errors[0]["errorCode"] == "INVALID_FIELD"
    _, describe = platform.handle("GET", "/services/data/v62.0/sobjects/Opportunity/describe", None, {"host": "h"})
    assert "CurrencyIsoCode" in {field["name"] for field in describe["fields"]}
