"""The demo world written as Meta Ads Insights and served as the Marketing API.

The reference is the same world written as Google Ads (the default): every Meta campaign-day and
ad-set-day must be that world's Google Ads campaign-day and ad-group-day, spend as the account
bills it, leads its conversions rounded half up. Hand numbers are worked out in each test.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest

from smarketing.demo import meta_ads
from smarketing.demo.generator import CAMPAIGNS, AdGroupRow, DemoSummary, generate

END = date(2026, 11, 22)
DAYS = 14
DE, CH = "1234567890", "2345678901"
TOKEN = "demo-access-token"
PMAX = "21480014001"


@pytest.fixture(scope="module")
def worlds(world_beside_google_ads) -> tuple[Path, Path, DemoSummary]:
    """(Meta folder, Google Ads folder) of the same simulated company, and what it spent."""
    demo_data, google, summary = world_beside_google_ads("meta_ads", END, DAYS)
    return demo_data / "meta_ads", google, summary


def meta_rows(folder: Path, level: str) -> list[dict]:
    return [row for path in sorted(folder.glob(f"act_*/{level}_insights_*.json")) for row in _json(path)["data"]]


def google_rows(folder: Path, pattern: str) -> list[dict]:
    batches = [batch for path in sorted(folder.glob(f"*/{pattern}")) for batch in _json(path)]
    return [row for batch in batches for row in batch.get("results", [])]


def _json(path: Path):
    return json.loads(path.read_text(encoding="utf-8"))


def leads(row: dict) -> int:
    counts = {action["action_type"]: int(action["value"]) for action in row.get("actions", [])}
    assert counts.get("lead", 0) == counts.get("offsite_conversion.fb_pixel_lead", 0)
    return counts.get("lead", 0)


def half_up(conversions: float) -> int:
    return int(Decimal(str(conversions)).quantize(Decimal(1), rounding="ROUND_HALF_UP"))


def test_campaign_days_are_the_worlds_with_spend_as_billed_and_whole_leads(worlds):
    meta, google, summary = worlds
    expected = {
        (r["customer"]["id"], r["campaign"]["id"], r["segments"]["date"]): (
            r["customer"]["currencyCode"], r["campaign"]["name"], Decimal(r["metrics"]["costMicros"]) / 1_000_000,
            int(r["metrics"]["impressions"]), int(r["metrics"]["clicks"]), half_up(r["metrics"]["conversions"]),
        )
        for r in google_rows(google, "searchStream_*.json")
    }  # fmt: skip
    written = {
        (r["account_id"], r["campaign_id"], r["date_start"]): (
            r["account_currency"], r["campaign_name"], Decimal(r["spend"]),
            int(r["impressions"]), int(r["clicks"]), leads(r),
        )
        for r in meta_rows(meta, "campaign")
    }  # fmt: skip
    assert written == expected
    assert len(written) == len(meta_rows(meta, "campaign"))  # each campaign-day once
    spend = defaultdict(Decimal)
    for (account, *_), (currency, _, amount, *_) in written.items():
        spend[account, currency] += amount
    # The Swiss account bills in CHF: its spend is the world's CHF, not converted.
    assert set(spend) == {(DE, "EUR"), (CH, "CHF")}
    assert spend[CH, "CHF"] == summary.spend_chf


def test_ad_sets_are_the_worlds_ad_groups_and_add_up_to_their_campaign(worlds):
    meta, google, _ = worlds
    ad_sets = meta_rows(meta, "adset")
    expected = {
        (r["campaign"]["id"], r["adGroup"]["id"], r["segments"]["date"]): (
            r["adGroup"]["name"],
            Decimal(r["metrics"]["costMicros"]) / 1_000_000,
            int(r["metrics"]["clicks"]),
        )
        for r in google_rows(google, "adGroupStream_*.json")
    }
    assert {(r["campaign_id"], r["adset_id"], r["date_start"]): (r["adset_name"], Decimal(r["spend"]),
            int(r["clicks"])) for r in ad_sets} == expected  # fmt: skip

    totals = defaultdict(lambda: [Decimal(0), 0, 0, 0])
    for row in ad_sets:
        total = totals[row["account_id"], row["campaign_id"], row["date_start"]]
        for index, value in enumerate((Decimal(row["spend"]), int(row["impressions"]), int(row["clicks"]), leads(row))):
            total[index] += value
    campaigns = {(r["account_id"], r["campaign_id"], r["date_start"]): r for r in meta_rows(meta, "campaign")}
    for key, (spend, impressions, clicks, lead_count) in totals.items():
        row = campaigns[key]
        assert (spend, impressions, clicks, lead_count) == (
            Decimal(row["spend"]), int(row["impressions"]), int(row["clicks"]), leads(row)
        )  # fmt: skip
    # Performance Max has no ad sets; every other campaign-day has its ad sets.
    assert {key for key in campaigns if key[1] != PMAX} == set(totals)


def test_a_campaign_days_leads_are_shared_by_its_ad_sets_conversions():
    brand = CAMPAIGNS[0]  # three ad groups
    day = END
    rows = [AdGroupRow(day, brand, group, 0, 10, 1, conversions) for group, conversions in
            zip(brand.ad_groups, (1.2, 1.0, 0.8), strict=True)]  # fmt: skip
    # 3 leads by 1.2 : 1.0 : 0.8 of 3.0 -> 1.2, 1.0, 0.8; whole parts 1, 1, 0 and the one left over
    # to the largest remainder, 0.8.
    shares = meta_ads._ad_set_leads(rows, {(day, brand.campaign_id): 3})
    assert [shares[day, brand.campaign_id, group.ad_group_id] for group in brand.ad_groups] == [1, 1, 1]
    assert [meta_ads._leads(c) for c in (2.49, 2.5, 0.5, 0.49, 0)] == [2, 3, 1, 0, 0]


def test_the_accounts_carry_currency_and_time_zone(worlds):
    meta, *_ = worlds
    account = _json(meta / f"act_{CH}" / "account.json")
    # 2026-11-22 is winter time in Zurich: UTC+1.
    assert account == {"account_id": CH, "name": "Acme Software DACH Brand", "currency": "CHF",
                       "timezone_name": "Europe/Zurich", "timezone_offset_hours_utc": 1, "id": f"act_{CH}"}  # fmt: skip


def test_writing_is_deterministic(worlds, tmp_path):
    meta, *_ = worlds
    generate(tmp_path, END, DAYS, ad_platform="meta_ads")
    again = tmp_path / "meta_ads"
    files = sorted(path.relative_to(meta) for path in meta.rglob("*.json"))
    assert files == sorted(path.relative_to(again) for path in again.rglob("*.json"))
    assert all((meta / name).read_bytes() == (again / name).read_bytes() for name in files)


# ---- the replay ----------------------------------------------------------------------------------


def get(platform, path, **query):
    return platform.handle("GET", f"{path}?{urlencode({**query, 'access_token': TOKEN})}", None)


def follow(platform, next_url):
    parts = urlsplit(next_url)
    assert parts.netloc == "graph.facebook.com"
    return platform.handle("GET", f"{parts.path}?{parts.query}", None)


def insights_query(first: date, last: date, **more) -> dict[str, str]:
    time_range = json.dumps({"since": str(first), "until": str(last)})
    return {"level": "campaign", "time_increment": "1", "time_range": time_range, **more}


def test_insights_are_filtered_by_days_and_paged_by_cursor(worlds):
    meta, *_ = worlds
    platform = meta_ads.replay(meta)
    days = [str(END - timedelta(days=offset)) for offset in (2, 1, 0)]
    brand = {r["date_start"]: r["spend"] for r in meta_rows(meta, "campaign") if r["account_id"] == CH}
    # The Swiss account runs one campaign: one row a day, 3 days at 2 a page = pages of 2 and 1.
    query = insights_query(END - timedelta(days=2), END, fields="campaign_id,spend", limit="2")
    status, first = get(platform, f"/v26.0/act_{CH}/insights", **query)
    assert status == 200
    assert first["data"] == [{"campaign_id": "21480012001", "date_start": day, "date_stop": day, "spend": brand[day]}
                             for day in days[:2]]  # fmt: skip
    assert first["paging"]["cursors"] == {"before": "MAZDZD", "after": "MQZDZD"}  # positions 0 and 1
    status, second = follow(platform, first["paging"]["next"])
    assert status == 200
    assert [(r["date_start"], r["spend"]) for r in second["data"]] == [(days[2], brand[days[2]])]
    assert "next" not in second["paging"]


def test_a_long_window_is_a_report_job_done_at_once(worlds):
    meta, *_ = worlds
    platform = meta_ads.replay(meta)
    form = urlencode({**insights_query(END - timedelta(days=89), END, fields="campaign_id"), "access_token": TOKEN})

    status, job = platform.handle("POST", f"/v26.0/act_{CH}/insights", form)
    assert status == 200
    run = job["report_run_id"]
    status, state = get(platform, f"/v26.0/{run}")
    assert (status, state["async_status"], state["date_start"]) == (200, "Job Completed", str(END - timedelta(days=89)))
    status, page = get(platform, f"/v26.0/{run}/insights", limit="500")
    # The world's 14 days of the brand campaign, all in the 90 days asked.
    assert (status, len(page["data"])) == (200, DAYS)


def test_the_account_is_served_and_anything_else_is_not(worlds):
    meta, *_ = worlds
    platform = meta_ads.replay(meta)
    assert platform.accounts == [f"act_{DE}", f"act_{CH}"]
    status, account = get(platform, f"/v26.0/act_{DE}", fields="currency,timezone_name")
    assert (status, account) == (200, {"currency": "EUR", "timezone_name": "Europe/Berlin", "id": f"act_{DE}"})
    status, error = platform.handle("GET", f"/v26.0/act_{DE}?access_token=expired", None)
    assert (status, error["error"]["code"]) == (400, 190)
    assert get(platform, "/v26.0/act_999/insights", **insights_query(END, END)) is None  # not a demo account
    assert get(platform, f"/v26.0/act_{DE}/insights", **insights_query(END, END, level="ad")) is None
    assert platform.handle("POST", f"/v19/customers/{DE}/googleAds:searchStream", {}) is None
