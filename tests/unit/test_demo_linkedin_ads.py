"""The demo world written as LinkedIn Ads and served as the Marketing API.

The reference is the same world written as Google Ads (the default): every LinkedIn campaign-day
must be that world's Google Ads campaign-day, cost as the account bills it (units, not micros),
conversions rounded half up. Hand numbers are worked out in each test.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from smarketing.demo import linkedin_ads
from smarketing.demo.generator import CAMPAIGNS, DemoSummary

END = date(2026, 11, 22)
DAYS = 14
DE, CH = "1234567890", "2345678901"
AUTH = {"authorization": "Bearer demo-access-token"}
URN = "urn%3Ali%3AsponsoredAccount%3A"


@pytest.fixture(scope="module")
def worlds(world_beside_google_ads) -> tuple[Path, Path, DemoSummary]:
    return world_beside_google_ads("linkedin_ads", END, DAYS)


def _json(path: Path):
    return json.loads(path.read_text(encoding="utf-8"))


def elements(folder: Path, account: str) -> list[dict]:
    return [e for path in sorted((folder / account).glob("adAnalytics_*.json")) for e in _json(path)["elements"]]


def google_rows(folder: Path, account: str) -> list[dict]:
    batches = [batch for path in sorted((folder / account).glob("searchStream_*.json")) for batch in _json(path)]
    return [row for batch in batches for row in batch.get("results", [])]


def test_each_account_costs_what_the_world_spent_in_its_own_currency(worlds):
    linkedin, google, summary = worlds
    for account in (DE, CH):
        written = sum(Decimal(e["costInLocalCurrency"]) for e in elements(linkedin / "linkedin_ads", account))
        micros = sum(int(row["metrics"]["costMicros"]) for row in google_rows(google, account))
        assert written == Decimal(micros) / 1_000_000
    # The Swiss account bills in CHF, and its object says so.
    assert _json(linkedin / "linkedin_ads" / CH / "adAccount.json")["currency"] == "CHF"
    assert sum(Decimal(e["costInLocalCurrency"]) for e in elements(linkedin / "linkedin_ads", CH)) == summary.spend_chf


def test_campaign_days_are_the_world_s_with_whole_conversions(worlds):
    linkedin, google, _ = worlds
    world = {(row["campaign"]["id"], row["segments"]["date"]): row["metrics"] for row in google_rows(google, DE)}
    written = {}
    for element in elements(linkedin / "linkedin_ads", DE):
        account, campaign = element["pivotValues"]
        assert account == f"urn:li:sponsoredAccount:{DE}"
        start = element["dateRange"]["start"]
        assert element["dateRange"]["end"] == start  # one UTC day each
        written[campaign.removeprefix("urn:li:sponsoredCampaign:"), date(**start).isoformat()] = element
    assert written.keys() == world.keys()
    for key, element in written.items():
        metrics = world[key]
        assert (element["impressions"], element["clicks"]) == (int(metrics["impressions"]), int(metrics["clicks"]))
        half_up = int(Decimal(str(metrics["conversions"])).quantize(Decimal(1), rounding="ROUND_HALF_UP"))
        assert (element["oneClickLeads"], element["externalWebsiteConversions"]) == (0, half_up)


def test_campaigns_keep_the_world_s_ids_and_names_in_pages_of_four(worlds):
    folder = worlds[0] / "linkedin_ads" / DE
    pages = [_json(path) for path in sorted(folder.glob("adCampaigns_page*.json"))]
    # DE has six campaigns: 4 + 2, the first page pointing at the second.
    assert [len(page["elements"]) for page in pages] == [4, 2]
    assert "nextPageToken" in pages[0]["metadata"] and pages[1]["metadata"] == {}
    written = {str(c["id"]): c["name"] for page in pages for c in page["elements"]}
    assert written == {c.campaign_id: c.name for c in CAMPAIGNS if c.customer_id == DE}
    statuses = {str(c["id"]): c["status"] for page in pages for c in page["elements"]}
    assert statuses["21480013003"] == "PAUSED"  # the promo pauses halfway through the window


def test_paid_people_carry_linkedin_s_tags_and_no_click_id(worlds):
    contacts = [
        record["properties"]
        for path in sorted((worlds[0] / "hubspot" / "contacts").glob("*.json"))
        for record in _json(path)["results"]
    ]
    paid = [c for c in contacts if c.get("utm_medium") == "paid_social"]
    assert paid and all(c["utm_source"] == "linkedin" for c in paid)
    assert {c["utm_campaign"] for c in paid} <= {c.name for c in CAMPAIGNS}
    assert not any(c.get("hs_google_click_id") or c.get("hs_facebook_click_id") for c in contacts)


def test_replay_answers_the_days_and_fields_asked(worlds):
    folder = worlds[0] / "linkedin_ads"
    platform = linkedin_ads.replay(folder)
    assert platform.accounts == [DE, CH]
    path = (
        "/rest/adAnalytics?q=statistics&pivots=List(ACCOUNT,CAMPAIGN)&timeGranularity=DAILY"
        "&dateRange=(start:(year:2026,month:11,day:21),end:(year:2026,month:11,day:22))"
        f"&accounts=List({URN}{CH})&fields=dateRange,pivotValues,clicks"
    )
    status, body = platform.handle("GET", path, None, AUTH)
    # CH has one campaign (Brand search), with a row on each of the two days.
    assert status == 200
    assert [date(**e["dateRange"]["start"]) for e in body["elements"]] == [date(2026, 11, 21), date(2026, 11, 22)]
    assert all(set(e) == {"dateRange", "pivotValues", "clicks"} for e in body["elements"])
    assert platform.handle("GET", path, None, {})[0] == 401


def test_replay_pages_campaigns_by_page_token(worlds):
    platform = linkedin_ads.replay(worlds[0] / "linkedin_ads")
    path = f"/rest/adAccounts/{DE}/adCampaigns?q=search&pageSize=5"
    status, first = platform.handle("GET", path, None, AUTH)
    assert status == 200 and len(first["elements"]) == 5
    token = first["metadata"]["nextPageToken"]
    _, second = platform.handle("GET", f"{path}&pageToken={token}", None, AUTH)
    assert [c["id"] for c in second["elements"]] == [21480016001] and second["metadata"] == {}
    assert platform.handle("GET", f"/rest/adAccounts/{CH}", None, AUTH)[1]["name"] == "Acme Software DACH Brand"
    assert platform.handle("GET", "/rest/adAccounts/999", None, AUTH) is None
