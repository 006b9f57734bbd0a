"""The demo world written as Yandex Direct reports, and the replay that serves them.

A hand-made world of three campaign days (two accounts, one in CHF) pins the files and the replay's
answers; the generated world checks that nothing is lost on the way: spend per account, ad groups
adding up to their campaign.
"""

from __future__ import annotations

import csv
import json
import random
from collections import defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from smarketing.demo import generator
from smarketing.demo.api_replay import DEMO_TOKEN
from smarketing.demo.generator import AdGroupRow, AdRow, DemoWorld, Window, generate
from smarketing.demo.yandex_direct import replay, write

BRAND, DISPLAY, VIDEO = generator.CAMPAIGNS[0], generator.CAMPAIGNS[5], generator.CAMPAIGNS[6]
DACH, DE = "acme-software-dach-brand", "acme-software-de"
REPORT_HEADERS = {"returnmoneyinmicros": "true", "skipreportheader": "true", "skipreportsummary": "true"}


def _headers(login: str) -> dict[str, str]:
    return {"authorization": f"Bearer {DEMO_TOKEN}", "client-login": login, **REPORT_HEADERS}


def _report(report_type: str, fields: list[str], days: tuple[str, str], name: str = "r1") -> dict:
    params = {
        "SelectionCriteria": {"DateFrom": days[0], "DateTo": days[1]},
        "FieldNames": fields,
        "ReportType": report_type,
        "DateRangeType": "CUSTOM_DATE",
        "Format": "TSV",
        "IncludeVAT": "NO",
        "ReportName": name,
    }
    return {"params": params}


@pytest.fixture
def small(tmp_path) -> Path:
    """Brand (CHF) on 03-09 and 03-10 with two of its ad groups; the display campaign (EUR) on 03-10."""
    day_1, day_2 = date(2026, 3, 9), date(2026, 3, 10)
    exact, phrase = BRAND.ad_groups[:2]
    ad_rows = [
        AdRow(day_1, BRAND, "ENABLED", 12_340_000, 400, 30, 3.5, Decimal("13.2")),
        AdRow(day_2, BRAND, "ENABLED", 20_000_000, 500, 40, 4.0, Decimal("21.4")),
        AdRow(day_2, DISPLAY, "ENABLED", 150_250_000, 20_000, 210, 1.25, Decimal("150.25")),
    ]
    ad_group_rows = [
        AdGroupRow(day_2, BRAND, exact, 15_000_000, 300, 30, 3.0),
        AdGroupRow(day_2, BRAND, phrase, 5_000_000, 200, 10, 1.0),
    ]
    world = DemoWorld(Window(day_1, day_2), ad_rows, ad_group_rows, [], [], [])
    write(world, tmp_path, random.Random(1))
    return tmp_path


def _tsv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file, delimiter="\t"))


def test_each_account_is_a_client_login_with_its_currency(small):
    assert sorted(p.name for p in small.iterdir()) == [DACH, DE]
    campaigns = _tsv(small / DACH / "campaign_performance_2026-03-09_2026-03-10.tsv")
    assert [(r["ClientLogin"], r["Currency"], r["Date"], r["Cost"], r["Conversions"]) for r in campaigns] == [
        (DACH, "CHF", "2026-03-09", "12340000", "3.5"),
        (DACH, "CHF", "2026-03-10", "20000000", "4"),
    ]
    (display,) = _tsv(small / DE / "campaign_performance_2026-03-09_2026-03-10.tsv")
    assert (display["CampaignId"], display["CampaignName"]) == ("21480015001", "DE | Display | Remarketing")
    metrics = (display["CampaignType"], display["Impressions"], display["Clicks"])
    assert metrics == ("CPM_BANNER_CAMPAIGN", "20000", "210")
    assert _tsv(small / DE / "adgroup_performance_2026-03-09_2026-03-10.tsv") == []
    clients = json.loads((small / DE / "clients.json").read_text())
    assert clients == {"result": {"Clients": [{"Login": DE, "Currency": "EUR"}]}}


def test_a_report_is_queued_once_then_served_for_the_asked_fields_and_days(small):
    platform = replay(small)
    assert platform.accounts == [DACH, DE]
    body = _report("ADGROUP_PERFORMANCE_REPORT", ["Date", "AdGroupId", "Cost"], ("2026-03-10", "2026-03-10"))

    assert platform.handle("POST", "/json/v5/reports", body, _headers(DACH)) == (
        201, b"", {"retryIn": "1", "reportsInQueue": "1"})  # fmt: skip
    status, tsv, headers = platform.handle("POST", "/json/v5/reports", body, _headers(DACH))

    assert (status, headers["Content-Type"]) == (200, "text/tab-separated-values; charset=utf-8")
    assert tsv.decode().splitlines() == [
        "Date\tAdGroupId\tCost",
        "2026-03-10\t158120010011\t15000000",
        "2026-03-10\t158120010012\t5000000",
    ]
    # Another report name is another report: queued again; a day outside the window is left out.
    fields = ["Date", "CampaignType", "Clicks"]
    campaigns = _report("CAMPAIGN_PERFORMANCE_REPORT", fields, ("2026-03-09", "2026-03-09"), "r2")
    assert platform.handle("POST", "/json/v5/reports", campaigns, _headers(DACH))[0] == 201
    status, tsv, _ = platform.handle("POST", "/json/v5/reports", campaigns, _headers(DACH))
    assert tsv.decode() == "Date\tCampaignType\tClicks\n2026-03-09\tTEXT_CAMPAIGN\t30\n"


def test_the_currency_comes_from_clients_get_and_other_requests_are_not_served(small):
    platform = replay(small)
    clients = {"method": "get", "params": {"FieldNames": ["Login", "Currency"]}}
    assert platform.handle("POST", "/json/v5/clients", clients, _headers(DACH)) == (
        200, {"result": {"Clients": [{"Login": DACH, "Currency": "CHF"}]}})  # fmt: skip
    assert platform.handle("POST", "/json/v5/clients", clients, _headers("someone-else")) is None
    assert platform.handle("GET", "/json/v5/campaigns", None, _headers(DE)) is None
    status, error = platform.handle("POST", "/json/v5/clients", clients, {**_headers(DE), "authorization": "Bearer x"})
    assert (status, error["error"]["error_code"]) == (400, 53)
    in_units = {**_headers(DE), "returnmoneyinmicros": "false"}
    body = _report("CAMPAIGN_PERFORMANCE_REPORT", ["Date", "Cost"], ("2026-03-10", "2026-03-10"))
    assert platform.handle("POST", "/json/v5/reports", body, in_units)[0] == 400


def test_the_generated_world_keeps_spend_per_account_and_ad_groups_add_up(tmp_path):
    summary = generate(tmp_path, end_date=date(2026, 3, 10), days=21, ad_platform="yandex_direct")
    folder = tmp_path / "yandex_direct"
    spend: dict[str, Decimal] = defaultdict(Decimal)
    campaign_days: dict[tuple[str, str], list[int]] = {}
    for path in sorted(folder.glob("*/campaign_performance_*.tsv")):
        for row in _tsv(path):
            spend[row["Currency"]] += Decimal(row["Cost"]) / 1_000_000
            campaign_days[row["CampaignId"], row["Date"]] = [int(row[k]) for k in ("Impressions", "Clicks", "Cost")]
    assert len(campaign_days) == summary.ad_rows
    assert spend["CHF"] == summary.spend_chf  # the DACH account's spend as billed
    sums: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    rows = [row for path in sorted(folder.glob("*/adgroup_performance_*.tsv")) for row in _tsv(path)]
    for row in rows:
        for index, key in enumerate(("Impressions", "Clicks", "Cost")):
            sums[row["CampaignId"], row["Date"]][index] += int(row[key])
    assert len(rows) == summary.ad_group_rows
    assert all(campaign_days[key] == total for key, total in sums.items())
    # Performance Max has no ad groups: its days are only in the campaign report.
    assert not any(campaign == "21480014001" for campaign, _ in sums)


@pytest.mark.parametrize(
    ("campaign", "medium"),
    [(BRAND, "cpc"), (generator.CAMPAIGNS[4], "cpc"), (DISPLAY, "display"), (VIDEO, "display")],
    ids=["search", "pmax", "display", "video"],
)
def test_campaign_types_give_staging_the_medium_of_the_clicks(tmp_path, campaign, medium):
    """What stg_yandex_direct__campaign_daily and ad_campaign_utm_medium make of the written type:
    CPM_BANNER_CAMPAIGN is display, any other type cpc; Yandex has no video campaign type."""
    day = date(2026, 3, 10)
    one_day = AdRow(day, campaign, "ENABLED", 10_000, 10, 1, 0.0, Decimal("0.01"))
    world = DemoWorld(Window(day, day), [one_day], [], [], [], [])
    write(world, tmp_path / "one", random.Random(1))
    (row,) = [r for path in (tmp_path / "one").glob("*/campaign_performance_*.tsv") for r in _tsv(path)]
    assert ("display" if row["CampaignType"] == "CPM_BANNER_CAMPAIGN" else "cpc") == medium
