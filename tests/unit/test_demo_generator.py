"""The demo generator writes the real API formats, deterministically, with a plausible funnel.

Everything is checked by reading the written files back, the way the extractors will.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import re
import statistics
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import pairwise
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from smarketing.demo import generator
from smarketing.demo.generator import DemoSummary, generate, main

BERLIN = ZoneInfo("Europe/Berlin")
END = date(2026, 11, 22)  # the window spans the end of summer time on 2026-10-25
DAYS = 90
FIRST = END - timedelta(days=DAYS - 1)
WINDOW_START = datetime(FIRST.year, FIRST.month, FIRST.day, tzinfo=BERLIN)
CUTOFF = datetime(END.year, END.month, END.day, 23, 59, 59, tzinfo=BERLIN)
TEST_DOMAINS = ("@example.com", "@test.com", "@acme-software.com")
STAGES = ("lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity", "customer")
STAGE_DATE_KEYS = tuple(f"hs_lifecyclestage_{stage}_date" for stage in STAGES)
CONTACT_PROPERTIES = {
    "hs_object_id",
    "email",
    "firstname",
    "lastname",
    "phone",
    "company",
    "createdate",
    "lastmodifieddate",
    "lifecyclestage",
    "hs_lead_status",
    "hubspotscore",
    "hs_analytics_source",
    "hs_analytics_source_data_1",
    "hs_analytics_source_data_2",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "hs_google_click_id",
    "jobtitle",
    "country",
    "first_conversion_event_name",
    "first_conversion_date",
    "recent_conversion_event_name",
    "recent_conversion_date",
    "disqualification_reason",
    *STAGE_DATE_KEYS,
}
CONVERSION_EVENTS = {
    "Demo request",
    "Contact sales",
    "Whitepaper download",
    "Webinar registration",
    "Free trial signup",
    "Newsletter signup",
}
HIGH_INTENT = {"Demo request", "Contact sales"}
DISQUALIFICATION_REASONS = {"No budget", "No need", "Wrong country", "Competitor", "Student / job seeker"}
ENGAGEMENT_PROPERTIES = {
    "calls": {"hs_call_direction", "hs_call_status", "hs_call_duration"},
    "emails": {"hs_email_direction", "hs_email_status", "hs_email_subject"},
    "meetings": {"hs_meeting_outcome", "hs_meeting_title", "hs_meeting_start_time", "hs_meeting_end_time"},
}
ENGAGEMENT_BASE_PROPERTIES = {
    "hs_object_id",
    "hs_timestamp",
    "hs_createdate",
    "hs_lastmodifieddate",
    "hubspot_owner_id",
}
ASSOCIATION_TYPES = {"calls": "call_to_contact", "emails": "email_to_contact", "meetings": "meeting_event_to_contact"}
ACCOUNTS = {"1234567890": ("EUR", "Europe/Berlin"), "2345678901": ("CHF", "Europe/Zurich")}
TARGET_HOLIDAYS_2026 = {date(2026, 12, 25), date(2026, 12, 26), date(2026, 5, 1), date(2026, 4, 3), date(2026, 4, 6)}
DEAL_PROPERTIES = {
    "hs_object_id",
    "dealname",
    "amount",
    "deal_currency_code",
    "dealstage",
    "pipeline",
    "createdate",
    "closedate",
    "hs_lastmodifieddate",
    "closed_lost_reason",
    "hs_is_closed_won",
}
LEAD_STATUSES = {
    "NEW",
    "OPEN",
    "IN_PROGRESS",
    "ATTEMPTED_TO_CONTACT",
    "CONNECTED",
    "OPEN_DEAL",
    "UNQUALIFIED",
    "BAD_TIMING",
}
ANALYTICS_SOURCES = {
    "PAID_SEARCH",
    "PAID_SOCIAL",
    "ORGANIC_SEARCH",
    "DIRECT_TRAFFIC",
    "REFERRALS",
    "EMAIL_MARKETING",
    "SOCIAL_MEDIA",
    "OFFLINE",
    "OTHER_CAMPAIGNS",
}
OPEN_DEAL_STAGES = {
    "appointmentscheduled",
    "qualifiedtobuy",
    "presentationscheduled",
    "decisionmakerboughtin",
    "contractsent",
}
LOST_REASONS = {"No budget", "Chose competitor", "No decision", "Bad timing"}
RESULT_KEYS = {
    "customer": {"resourceName", "id", "descriptiveName", "currencyCode", "timeZone"},
    "campaign": {"resourceName", "id", "name", "advertisingChannelType", "status"},
    "segments": {"date"},
    "metrics": {"costMicros", "impressions", "clicks", "conversions"},
}
AD_GROUP_RESULT_KEYS = {
    "customer": {"resourceName", "id", "currencyCode", "timeZone"},
    "campaign": {"resourceName", "id"},
    "adGroup": {"resourceName", "id", "name", "status"},
    "segments": {"date"},
    "metrics": {"costMicros", "impressions", "clicks", "conversions"},
}
AD_GROUP_FIELD_MASK = (
    "customer.id,customer.currencyCode,customer.timeZone,campaign.id,adGroup.id,adGroup.name,adGroup.status,"
    "segments.date,metrics.costMicros,metrics.impressions,metrics.clicks,metrics.conversions"
)
HUBSPOT_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, DemoSummary]:
    out_dir = tmp_path_factory.mktemp("demo")
    return out_dir, generate(out_dir, END, days=DAYS, seed=7)


@pytest.fixture(scope="module")
def ad_results(demo: tuple[Path, DemoSummary]) -> list[dict[str, Any]]:
    out_dir, _ = demo
    results = []
    for path in sorted((out_dir / "google_ads").glob("*/searchStream_*.json")):
        results += json.loads(path.read_text(encoding="utf-8"))[0].get("results", [])
    return results


@pytest.fixture(scope="module")
def ad_group_results(demo: tuple[Path, DemoSummary]) -> list[dict[str, Any]]:
    out_dir, _ = demo
    results = []
    for path in sorted((out_dir / "google_ads").glob("*/adGroupStream_*.json")):
        results += json.loads(path.read_text(encoding="utf-8"))[0].get("results", [])
    return results


@pytest.fixture(scope="module")
def contacts(demo: tuple[Path, DemoSummary]) -> list[dict[str, Any]]:
    return [record for page in _pages(demo[0] / "hubspot" / "contacts") for record in page["results"]]


@pytest.fixture(scope="module")
def deals(demo: tuple[Path, DemoSummary]) -> list[dict[str, Any]]:
    return [record for page in _pages(demo[0] / "hubspot" / "deals") for record in page["results"]]


@pytest.fixture(scope="module")
def engagements(demo: tuple[Path, DemoSummary]) -> dict[str, list[dict[str, Any]]]:
    return {
        object_type: [record for page in _pages(demo[0] / "hubspot" / object_type) for record in page["results"]]
        for object_type in ("calls", "emails", "meetings")
    }


@pytest.fixture(scope="module")
def fx_lines(demo: tuple[Path, DemoSummary]) -> list[list[str]]:
    text = (demo[0] / "fx_rates" / "eurofxref-hist.csv").read_text(encoding="ascii")
    return list(csv.reader(text.splitlines()))


@pytest.fixture(scope="module")
def chf_per_eur(fx_lines: list[list[str]]) -> dict[date, Decimal]:
    """The CHF rate that applies on every day of the window: the last one published on or before it."""
    column = fx_lines[0].index("CHF")
    published = {date.fromisoformat(line[0]): Decimal(line[column]) for line in fx_lines[1:]}
    rates, rate = {}, None
    for offset in range(DAYS + 10):
        day = FIRST - timedelta(days=10) + timedelta(days=offset)
        rate = published.get(day, rate)
        rates[day] = rate
    return rates


def _spend_eur(result: dict[str, Any], chf_per_eur: dict[date, Decimal]) -> Decimal:
    amount = Decimal(int(result["metrics"]["costMicros"])) / 1_000_000
    if result["customer"]["currencyCode"] == "CHF":
        return amount / chf_per_eur[date.fromisoformat(result["segments"]["date"])]
    return amount


def _pages(folder: Path) -> list[dict[str, Any]]:
    return [json.loads(path.read_text(encoding="utf-8")) for path in sorted(folder.glob("page-*.json"))]


def _tree(root: Path) -> dict[str, bytes]:
    return {str(path.relative_to(root)): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()}


def _time(value: str) -> datetime:
    assert HUBSPOT_TIME.fullmatch(value), value
    return datetime.fromisoformat(value)


def _is_test(contact: dict[str, Any]) -> bool:
    email = (contact["properties"]["email"] or "").strip().lower()
    return email.endswith(TEST_DOMAINS)


def _reached(contact: dict[str, Any], stage: str) -> bool:
    return contact["properties"][f"hs_lifecyclestage_{stage}_date"] is not None


def test_same_arguments_give_the_same_bytes_and_another_seed_does_not(tmp_path: Path) -> None:
    first, second, other_seed = tmp_path / "first", tmp_path / "second", tmp_path / "other"
    stale = second / "google_ads" / "999" / "searchStream_2020-01-01.json"
    stale.parent.mkdir(parents=True)
    stale.write_text("[]")

    generate(first, END, days=DAYS, seed=7)
    generate(second, END, days=DAYS, seed=7)
    generate(other_seed, END, days=DAYS, seed=8)

    assert not stale.exists()
    assert _tree(first) == _tree(second)
    assert _tree(first) != _tree(other_seed)
    assert all(
        content.endswith(b"}\n") or content.endswith(b"]\n")
        for name, content in _tree(first).items()
        if name.endswith(".json")
    )
    assert _tree(first)["fx_rates/eurofxref-hist.csv"].endswith(b",\n")


def test_google_ads_files_are_searchstream_bodies(demo: tuple[Path, DemoSummary]) -> None:
    out_dir, _ = demo
    assert len(list((out_dir / "google_ads").glob("*/*.json"))) == 2 * 2 * DAYS  # campaign + ad-group files
    paths = sorted((out_dir / "google_ads").glob("*/searchStream_*.json"))
    assert len(paths) == 2 * DAYS
    assert {path.parent.name for path in paths} == {"1234567890", "2345678901"}
    for path in paths:
        day = date.fromisoformat(re.fullmatch(r"searchStream_(\d{4}-\d\d-\d\d)\.json", path.name).group(1))
        assert FIRST <= day <= END
        body = json.loads(path.read_text(encoding="utf-8"))
        assert isinstance(body, list) and len(body) == 1
        batch = body[0]
        assert set(batch) == {"results", "fieldMask", "requestId", "queryResourceConsumption"}
        assert batch["fieldMask"].split(",")[:2] == ["customer.id", "customer.descriptiveName"]
        assert "metrics.costMicros" in batch["fieldMask"].split(",")
        assert re.fullmatch(r"[A-Za-z0-9_-]{22}", batch["requestId"])
        assert batch["queryResourceConsumption"].isdigit()
        for result in batch["results"]:
            assert {key: set(value) for key, value in result.items()} == RESULT_KEYS
            customer, campaign, metrics = result["customer"], result["campaign"], result["metrics"]
            assert customer["id"] == path.parent.name
            assert customer["resourceName"] == f"customers/{customer['id']}"
            assert (customer["currencyCode"], customer["timeZone"]) == ACCOUNTS[customer["id"]]
            assert campaign["resourceName"] == f"customers/{customer['id']}/campaigns/{campaign['id']}"
            assert campaign["advertisingChannelType"] in {"SEARCH", "DISPLAY", "VIDEO", "PERFORMANCE_MAX"}
            assert result["segments"]["date"] == day.isoformat()
            for int64 in ("costMicros", "impressions", "clicks"):
                assert isinstance(metrics[int64], str) and metrics[int64].isdigit()
            assert type(metrics["conversions"]) in (int, float)
            assert int(metrics["costMicros"]) % 10_000 == 0
            assert int(metrics["impressions"]) > 0


def test_ad_group_files_are_searchstream_bodies(demo: tuple[Path, DemoSummary]) -> None:
    out_dir, _ = demo
    paths = sorted((out_dir / "google_ads").glob("*/adGroupStream_*.json"))
    assert len(paths) == 2 * DAYS
    assert {path.parent.name for path in paths} == {"1234567890", "2345678901"}
    for path in paths:
        day = date.fromisoformat(re.fullmatch(r"adGroupStream_(\d{4}-\d\d-\d\d)\.json", path.name).group(1))
        assert FIRST <= day <= END
        body = json.loads(path.read_text(encoding="utf-8"))
        assert isinstance(body, list) and len(body) == 1
        batch = body[0]
        assert set(batch) == {"results", "fieldMask", "requestId", "queryResourceConsumption"}
        assert batch["fieldMask"] == AD_GROUP_FIELD_MASK
        assert re.fullmatch(r"[A-Za-z0-9_-]{22}", batch["requestId"])
        assert batch["queryResourceConsumption"].isdigit()
        for result in batch["results"]:
            assert {key: set(value) for key, value in result.items()} == AD_GROUP_RESULT_KEYS
            customer, campaign, ad_group = result["customer"], result["campaign"], result["adGroup"]
            assert customer["id"] == path.parent.name
            assert customer["resourceName"] == f"customers/{customer['id']}"
            assert (customer["currencyCode"], customer["timeZone"]) == ACCOUNTS[customer["id"]]
            assert campaign["resourceName"] == f"customers/{customer['id']}/campaigns/{campaign['id']}"
            assert ad_group["resourceName"] == f"customers/{customer['id']}/adGroups/{ad_group['id']}"
            assert ad_group["id"].isdigit() and ad_group["name"] and ad_group["status"] == "ENABLED"
            assert result["segments"]["date"] == day.isoformat()
            for int64 in ("costMicros", "impressions", "clicks"):
                assert isinstance(result["metrics"][int64], str) and result["metrics"][int64].isdigit()
            assert type(result["metrics"]["conversions"]) in (int, float)
            assert int(result["metrics"]["costMicros"]) % 10_000 == 0
            assert int(result["metrics"]["impressions"]) >= int(result["metrics"]["clicks"])
            assert int(result["metrics"]["impressions"]) > 0


def _metrics(result: dict[str, Any]) -> tuple[int, int, int, Decimal]:
    metrics = result["metrics"]
    conversions = Decimal(str(metrics["conversions"]))
    return int(metrics["costMicros"]), int(metrics["impressions"]), int(metrics["clicks"]), conversions


def test_ad_groups_add_up_exactly_to_their_campaign_row(
    ad_results: list[dict[str, Any]], ad_group_results: list[dict[str, Any]]
) -> None:
    """As in Google Ads: a campaign's cost, impressions, clicks and conversions of a day are the
    sums of its ad groups' -- for every campaign that has ad groups, and only for those."""
    sums: dict[tuple[str, str, str], list[Any]] = defaultdict(lambda: [0, 0, 0, Decimal(0)])
    groups_per_row: Counter[tuple[str, str, str]] = Counter()
    for result in ad_group_results:
        key = (result["customer"]["id"], result["campaign"]["id"], result["segments"]["date"])
        groups_per_row[key] += 1
        for index, value in enumerate(_metrics(result)):
            sums[key][index] += value
    campaign_rows = {
        (result["customer"]["id"], result["campaign"]["id"], result["segments"]["date"]): result
        for result in ad_results
    }
    with_groups = {
        key for key, row in campaign_rows.items() if row["campaign"]["advertisingChannelType"] != "PERFORMANCE_MAX"
    }
    assert set(sums) == with_groups
    for key in with_groups:
        assert tuple(sums[key]) == _metrics(campaign_rows[key]), key
        assert 2 <= groups_per_row[key] <= 4, key
    types = {row["campaign"]["advertisingChannelType"] for row in campaign_rows.values()}
    assert types == {"SEARCH", "DISPLAY", "VIDEO", "PERFORMANCE_MAX"}
    assert {campaign_rows[key]["campaign"]["advertisingChannelType"] for key in with_groups} == {
        "SEARCH",
        "DISPLAY",
        "VIDEO",
    }


def test_ad_group_ids_are_unique_and_belong_to_one_campaign(ad_group_results: list[dict[str, Any]]) -> None:
    keys = [
        (result["customer"]["id"], result["campaign"]["id"], result["adGroup"]["id"], result["segments"]["date"])
        for result in ad_group_results
    ]
    assert len(keys) == len(set(keys))
    campaigns_of: dict[str, set[tuple[str, str]]] = defaultdict(set)
    names_of: dict[str, set[str]] = defaultdict(set)
    for customer_id, campaign_id, ad_group_id, _ in keys:
        campaigns_of[ad_group_id].add((customer_id, campaign_id))
    for result in ad_group_results:
        names_of[result["adGroup"]["id"]].add(result["adGroup"]["name"])
    assert all(len(owners) == 1 for owners in campaigns_of.values())
    assert all(len(names) == 1 for names in names_of.values())
    per_campaign = Counter(owner for owners in campaigns_of.values() for owner in owners)
    assert len(per_campaign) == 6  # the seven campaigns but Performance Max
    assert all(2 <= count <= 4 for count in per_campaign.values())
    # Ad groups of a campaign do not all get the same share: the split is not a plain division.
    clicks = [int(result["metrics"]["clicks"]) for result in ad_group_results]
    assert len(set(clicks)) > 100


def test_ad_groups_draw_from_their_own_random_stream(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without any ad groups every other file is byte for byte the same: the split consumes no
    random numbers another part of the data uses."""
    generate(tmp_path / "with", END, days=30, seed=7)
    monkeypatch.setattr(
        generator, "CAMPAIGNS", tuple(dataclasses.replace(c, ad_groups=()) for c in generator.CAMPAIGNS)
    )
    summary = generate(tmp_path / "without", END, days=30, seed=7)

    with_groups, without = _tree(tmp_path / "with"), _tree(tmp_path / "without")
    assert summary.ad_group_rows == 0
    assert {name: body for name, body in with_groups.items() if "adGroupStream_" not in name} == {
        name: body for name, body in without.items() if "adGroupStream_" not in name
    }
    assert any(b'"adGroup"' in body for name, body in with_groups.items() if "adGroupStream_" in name)
    assert not any(b'"adGroup"' in body for name, body in without.items() if "adGroupStream_" in name)


def test_spend_has_the_planned_size_shape_and_pause(
    ad_results: list[dict[str, Any]], chf_per_eur: dict[date, Decimal]
) -> None:
    spend_by_day: Counter[str] = Counter()
    rows_by_campaign: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for result in ad_results:
        spend_by_day[result["segments"]["date"]] += float(_spend_eur(result, chf_per_eur))
        rows_by_campaign[result["campaign"]["name"]].append(result)
        ctr = int(result["metrics"]["clicks"]) / int(result["metrics"]["impressions"])
        assert 0.005 <= ctr <= 0.10

    weekday = [eur for day, eur in spend_by_day.items() if date.fromisoformat(day).weekday() < 5]
    weekend = [eur for day, eur in spend_by_day.items() if date.fromisoformat(day).weekday() >= 5]
    assert 1_200 <= statistics.mean(weekday) <= 2_000
    assert 0.5 <= statistics.mean(weekend) / statistics.mean(weekday) <= 0.7

    assert len(rows_by_campaign) == 7
    partial = {name: rows for name, rows in rows_by_campaign.items() if len(rows) < DAYS}
    assert len(partial) == 1
    (paused_rows,) = partial.values()
    last_row = max(paused_rows, key=lambda row: row["segments"]["date"])
    assert last_row["campaign"]["status"] == "PAUSED"
    assert FIRST + timedelta(days=30) < date.fromisoformat(last_row["segments"]["date"]) < END - timedelta(days=30)
    assert len(paused_rows) == (date.fromisoformat(last_row["segments"]["date"]) - FIRST).days + 1


def test_summary_matches_the_files(
    demo: tuple[Path, DemoSummary],
    ad_results: list[dict[str, Any]],
    ad_group_results: list[dict[str, Any]],
    contacts: list[dict[str, Any]],
    deals: list[dict[str, Any]],
    engagements: dict[str, list[dict[str, Any]]],
    fx_lines: list[list[str]],
    chf_per_eur: dict[date, Decimal],
) -> None:
    _, summary = demo
    won = [deal for deal in deals if deal["properties"]["dealstage"] == "closedwon"]
    chf = [result for result in ad_results if result["customer"]["currencyCode"] == "CHF"]
    assert summary.ad_rows == len(ad_results)
    assert summary.ad_group_rows == len(ad_group_results)
    assert summary.spend_eur == sum(_spend_eur(result, chf_per_eur) for result in ad_results).quantize(Decimal("0.01"))
    assert summary.spend_chf == Decimal(sum(int(result["metrics"]["costMicros"]) for result in chf)) / 1_000_000
    assert summary.contacts == len(contacts)
    assert summary.deals == len(deals)
    assert summary.won_deals == len(won)
    assert summary.won_revenue_eur == sum(Decimal(deal["properties"]["amount"]) for deal in won)
    assert (summary.calls, summary.emails, summary.meetings) == tuple(map(len, engagements.values()))
    assert summary.fx_days == len(fx_lines) - 1


@pytest.mark.parametrize(
    ("object_type", "first_id"),
    [
        ("contacts", 101),
        ("deals", 9_000_001),
        ("calls", 31_000_000_001),
        ("emails", 32_000_000_001),
        ("meetings", 33_000_000_001),
    ],
)
def test_hubspot_pages_chain_like_a_cursor_walk(
    demo: tuple[Path, DemoSummary], object_type: str, first_id: int
) -> None:
    folder = demo[0] / "hubspot" / object_type
    names = sorted(path.name for path in folder.glob("*.json"))
    assert names == [f"page-{number:04d}.json" for number in range(1, len(names) + 1)]
    pages = _pages(folder)
    assert len(pages) >= 2
    for page, next_page in pairwise(pages):
        assert len(page["results"]) == 100
        after = next_page["results"][0]["id"]
        assert page["paging"] == {
            "next": {"after": after, "link": f"https://api.hubapi.com/crm/v3/objects/{object_type}?after={after}"}
        }
    assert "paging" not in pages[-1]
    assert 1 <= len(pages[-1]["results"]) <= 100
    ids = [int(record["id"]) for page in pages for record in page["results"]]
    assert ids == list(range(first_id, first_id + len(ids)))


def test_contacts_have_exactly_the_requested_properties(contacts: list[dict[str, Any]]) -> None:
    for contact in contacts:
        properties = contact["properties"]
        assert set(contact) == {"id", "properties", "createdAt", "updatedAt", "archived"}
        assert contact["archived"] is False
        assert set(properties) == CONTACT_PROPERTIES
        assert all(value is None or isinstance(value, str) for value in properties.values())
        assert properties["hs_object_id"] == contact["id"]
        assert contact["createdAt"] == properties["createdate"]
        assert contact["updatedAt"] == properties["lastmodifieddate"]
        assert properties["lifecyclestage"] in {*STAGES, "other"}
        assert properties["hs_lead_status"] in LEAD_STATUSES
        assert properties["hs_analytics_source"] in ANALYTICS_SOURCES
        assert 0 <= int(properties["hubspotscore"]) <= 100
        for prefix in ("first", "recent"):
            event, at = properties[f"{prefix}_conversion_event_name"], properties[f"{prefix}_conversion_date"]
            assert (event is None) == (at is None)
            assert event is None or event in CONVERSION_EVENTS
        if properties["first_conversion_date"]:
            assert properties["first_conversion_date"] == properties["createdate"]
            assert _time(properties["recent_conversion_date"]) >= _time(properties["first_conversion_date"])
            assert _time(properties["recent_conversion_date"]) <= _time(properties["lastmodifieddate"])
    created = [_time(contact["createdAt"]) for contact in contacts]
    assert created == sorted(created)


def test_stage_dates_run_forward_and_match_the_lifecycle_stage(contacts: list[dict[str, Any]]) -> None:
    for contact in contacts:
        properties = contact["properties"]
        dates = [properties[key] for key in STAGE_DATE_KEYS]
        reached = [value for value in dates if value is not None]
        assert dates[: len(reached)] == reached, "a later stage is set but an earlier one is not"
        reached_at = [_time(value) for value in reached]
        assert reached_at == sorted(reached_at)
        assert properties["hs_lifecyclestage_lead_date"] == properties["createdate"]
        assert _time(properties["lastmodifieddate"]) >= reached_at[-1]
        if properties["lifecyclestage"] == "other":
            assert (len(reached), properties["hs_lead_status"]) == (1, "UNQUALIFIED")
        else:
            assert properties["lifecyclestage"] == STAGES[len(reached) - 1]


def test_nothing_is_dated_outside_the_window(
    contacts: list[dict[str, Any]], deals: list[dict[str, Any]], engagements: dict[str, list[dict[str, Any]]]
) -> None:
    timestamp_keys = {
        "createdate",
        "lastmodifieddate",
        "closedate",
        "hs_lastmodifieddate",
        "first_conversion_date",
        "recent_conversion_date",
        "hs_timestamp",
        "hs_createdate",
        "hs_meeting_start_time",
        *STAGE_DATE_KEYS,
    }
    for record in contacts + deals + [record for records in engagements.values() for record in records]:
        values = [record["createdAt"], record["updatedAt"]]
        values += [value for key, value in record["properties"].items() if key in timestamp_keys and value]
        for value in values:
            assert WINDOW_START <= _time(value) <= CUTOFF, value


def test_deals_belong_to_contacts_and_carry_their_outcome(
    contacts: list[dict[str, Any]], deals: list[dict[str, Any]]
) -> None:
    contacts_by_id = {contact["id"]: contact for contact in contacts}
    for deal in deals:
        properties = deal["properties"]
        assert set(properties) == DEAL_PROPERTIES
        assert all(value is None or isinstance(value, str) for value in properties.values())
        assert (properties["pipeline"], properties["deal_currency_code"]) == ("default", "EUR")
        assert deal["createdAt"] == properties["createdate"]
        assert deal["updatedAt"] == properties["hs_lastmodifieddate"]
        (link,) = deal["associations"]["contacts"]["results"]
        assert link["type"] == "deal_to_contact"
        contact = contacts_by_id[link["id"]]["properties"]
        assert contact["hs_lifecyclestage_opportunity_date"] == properties["createdate"]

        stage = properties["dealstage"]
        assert properties["hs_is_closed_won"] == ("true" if stage == "closedwon" else "false")
        if stage == "closedwon":
            amount = int(properties["amount"])
            assert 3_000 <= amount <= 40_000 and amount % 100 == 0
            assert contact["lifecyclestage"] == "customer"
            assert contact["hs_lifecyclestage_customer_date"] == properties["closedate"]
        elif stage == "closedlost":
            assert properties["closed_lost_reason"] in LOST_REASONS
            assert properties["closedate"] is not None
        else:
            assert stage in OPEN_DEAL_STAGES
            assert properties["closedate"] is None and properties["closed_lost_reason"] is None
        if properties["closedate"]:
            cycle = _time(properties["closedate"]) - _time(properties["createdate"])
            assert timedelta(days=13) <= cycle <= timedelta(days=61)
    customers = [contact for contact in contacts if contact["properties"]["lifecyclestage"] == "customer"]
    assert len(customers) == sum(deal["properties"]["dealstage"] == "closedwon" for deal in deals)


def test_funnel_rates_are_plausible(contacts: list[dict[str, Any]], deals: list[dict[str, Any]]) -> None:
    leads = [contact for contact in contacts if not _is_test(contact)]
    mqls = [contact for contact in leads if _reached(contact, "marketingqualifiedlead")]
    sqls = [contact for contact in leads if _reached(contact, "salesqualifiedlead")]
    opportunities = [contact for contact in leads if _reached(contact, "opportunity")]
    assert 0.25 <= len(mqls) / len(leads) <= 0.55
    assert 0.30 <= len(sqls) / len(mqls) <= 0.60
    assert 0.55 <= len(opportunities) / len(sqls) <= 0.85
    assert len(opportunities) == len(deals)
    assert sum(int(contact["properties"]["hubspotscore"]) >= 50 for contact in mqls) / len(mqls) >= 0.8
    assert any(contact["properties"]["lifecyclestage"] == "other" for contact in leads)

    stages = Counter(deal["properties"]["dealstage"] for deal in deals)
    closed = stages["closedwon"] + stages["closedlost"]
    assert 0 < stages["closedwon"] < closed < len(deals)

    test_share = (len(contacts) - len(leads)) / len(contacts)
    assert 0.01 <= test_share <= 0.03
    emails = Counter((c["properties"]["email"] or "").strip().lower() for c in contacts if c["properties"]["email"])
    duplicates = sum(count - 1 for count in emails.values())
    assert 0.005 <= duplicates / len(contacts) <= 0.02

    per_day = Counter(_time(contact["createdAt"]).astimezone(BERLIN).date() for contact in contacts)
    assert set(per_day) <= {FIRST + timedelta(days=offset) for offset in range(DAYS)}
    weekday = [count for day, count in per_day.items() if day.weekday() < 5]
    weekend = [count for day, count in per_day.items() if day.weekday() >= 5]
    assert 25 <= statistics.mean(weekday) <= 40
    assert statistics.mean(weekend) < 0.7 * statistics.mean(weekday)

    # Young cohorts have not had time to progress.
    last_two_weeks = [contact for contact in leads if _time(contact["createdAt"]) > CUTOFF - timedelta(days=14)]
    assert not any(_reached(contact, "customer") for contact in last_two_weeks)


def test_paid_contacts_point_at_campaigns_and_cpl_differs(
    ad_results: list[dict[str, Any]], contacts: list[dict[str, Any]]
) -> None:
    spend: Counter[str] = Counter()
    channel_types = {}
    for result in ad_results:
        spend[result["campaign"]["name"]] += int(result["metrics"]["costMicros"]) / 1_000_000
        channel_types[result["campaign"]["name"]] = result["campaign"]["advertisingChannelType"]

    leads_by_campaign: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for contact in contacts:
        properties = contact["properties"]
        if properties["hs_analytics_source"] not in ("PAID_SEARCH", "OTHER_CAMPAIGNS"):
            assert properties["hs_google_click_id"] is None
            continue
        channel_type = channel_types[properties["utm_campaign"]]
        expected_medium = {"DISPLAY": "display", "VIDEO": "video"}.get(channel_type, "cpc")
        expected_source = "OTHER_CAMPAIGNS" if channel_type in ("DISPLAY", "VIDEO") else "PAID_SEARCH"
        assert (properties["utm_source"], properties["utm_medium"]) == ("google", expected_medium)
        assert properties["hs_analytics_source"] == expected_source
        leads_by_campaign[properties["utm_campaign"]].append(contact)

    assert set(leads_by_campaign) == set(spend)
    with_gclid = [c for leads in leads_by_campaign.values() for c in leads if c["properties"]["hs_google_click_id"]]
    assert len(with_gclid) / sum(map(len, leads_by_campaign.values())) > 0.8

    def cost_per_lead(channel_type: str) -> float:
        names = [name for name, kind in channel_types.items() if kind == channel_type]
        return sum(spend[name] for name in names) / sum(len(leads_by_campaign[name]) for name in names)

    def mql_share(channel_type: str) -> float:
        names = [name for name, kind in channel_types.items() if kind == channel_type]
        leads = [contact for name in names for contact in leads_by_campaign[name]]
        return sum(_reached(contact, "marketingqualifiedlead") for contact in leads) / len(leads)

    brand = next(name for name in spend if "Brand" in name)
    assert spend[brand] / len(leads_by_campaign[brand]) < 0.5 * cost_per_lead("SEARCH")
    assert cost_per_lead("DISPLAY") > 2 * cost_per_lead("SEARCH")
    assert mql_share("SEARCH") > mql_share("DISPLAY")


def test_contacts_have_a_profile_and_a_reason_when_disqualified(contacts: list[dict[str, Any]]) -> None:
    leads = [contact for contact in contacts if not _is_test(contact)]
    for contact in leads:
        properties = contact["properties"]
        status, reason = properties["hs_lead_status"], properties["disqualification_reason"]
        if status == "UNQUALIFIED":
            assert reason in DISQUALIFICATION_REASONS
        elif status == "BAD_TIMING":
            assert reason == "Bad timing"
        else:
            assert reason is None
        if reason == "Wrong country":
            assert properties["country"] not in {"Germany", "Austria", "Switzerland"}
        if reason == "Student / job seeker":
            assert properties["company"] is None
    reasons = Counter(contact["properties"]["disqualification_reason"] for contact in leads)
    assert set(reasons) - {None} == DISQUALIFICATION_REASONS | {"Bad timing"}
    countries = Counter(contact["properties"]["country"] for contact in leads)
    assert sum(countries[name] for name in ("Germany", "Austria", "Switzerland")) / len(leads) > 0.9
    assert sum(contact["properties"]["jobtitle"] is not None for contact in leads) / len(leads) > 0.8
    domains = Counter((c["properties"]["email"] or "@").split("@")[1] for c in leads)
    assert all(domains[free_mail] >= 10 for free_mail in ("gmail.com", "gmx.de", "web.de"))


def test_high_intent_forms_are_a_minority_and_make_an_mql_at_once(contacts: list[dict[str, Any]]) -> None:
    leads = [contact for contact in contacts if not _is_test(contact)]
    high_intent = 0
    for contact in leads:
        properties = contact["properties"]
        mql_date = properties["hs_lifecyclestage_marketingqualifiedlead_date"]
        if properties["first_conversion_event_name"] in HIGH_INTENT:
            assert mql_date == properties["createdate"]
        elif properties["recent_conversion_event_name"] in HIGH_INTENT:
            assert mql_date == properties["recent_conversion_date"]
        else:
            continue
        high_intent += 1
    assert 0.03 <= high_intent / len(leads) <= 0.15
    events = Counter(contact["properties"]["first_conversion_event_name"] for contact in leads)
    assert set(events) == CONVERSION_EVENTS | {None}  # None: imported at a trade fair
    assert events[None] / len(leads) < 0.1


def test_engagements_are_crm_v3_objects_of_known_contacts(
    contacts: list[dict[str, Any]], engagements: dict[str, list[dict[str, Any]]]
) -> None:
    contact_ids = {contact["id"] for contact in contacts}
    for object_type, records in engagements.items():
        assert len(records) >= 100
        for record in records:
            properties = record["properties"]
            assert set(record) == {"id", "properties", "createdAt", "updatedAt", "archived", "associations"}
            assert set(properties) == ENGAGEMENT_BASE_PROPERTIES | ENGAGEMENT_PROPERTIES[object_type]
            assert all(value is None or isinstance(value, str) for value in properties.values())
            assert properties["hs_object_id"] == record["id"]
            assert (record["createdAt"], record["updatedAt"]) == (
                properties["hs_createdate"],
                properties["hs_lastmodifieddate"],
            )
            assert _time(record["updatedAt"]) >= max(_time(record["createdAt"]), _time(properties["hs_timestamp"]))
            assert properties["hubspot_owner_id"].isdigit()
            (link,) = record["associations"]["contacts"]["results"]
            assert link["type"] == ASSOCIATION_TYPES[object_type] and link["id"] in contact_ids
        directions = Counter(
            record["properties"].get("hs_call_direction") or record["properties"].get("hs_email_direction")
            for record in records
        )
        if object_type == "calls":
            assert set(directions) == {"OUTBOUND", "INBOUND"}
            statuses = {record["properties"]["hs_call_status"] for record in records}
            assert statuses == {"COMPLETED", "NO_ANSWER", "BUSY", "FAILED"}
        elif object_type == "emails":
            assert set(directions) == {"EMAIL", "INCOMING_EMAIL", "FORWARDED_EMAIL"}
            assert 0.1 <= directions["INCOMING_EMAIL"] / len(records) <= 0.4
        else:
            outcomes = Counter(record["properties"]["hs_meeting_outcome"] for record in records)
            assert set(outcomes) <= {"COMPLETED", "NO_SHOW", "CANCELED", "RESCHEDULED"}
            assert outcomes["COMPLETED"] / len(records) > 0.8
            for record in records:
                assert record["properties"]["hs_meeting_start_time"] == record["properties"]["hs_timestamp"]
                assert _time(record["createdAt"]) <= _time(record["properties"]["hs_timestamp"])


def test_sales_follows_up_mqls_fast_in_office_hours_but_not_all(
    contacts: list[dict[str, Any]], engagements: dict[str, list[dict[str, Any]]]
) -> None:
    outbound: dict[str, list[datetime]] = defaultdict(list)
    for records in engagements.values():
        for record in records:
            properties = record["properties"]
            direction = properties.get("hs_call_direction") or properties.get("hs_email_direction") or "MEETING"
            if direction in ("OUTBOUND", "EMAIL", "MEETING"):
                outbound[record["associations"]["contacts"]["results"][0]["id"]].append(
                    _time(properties["hs_timestamp"])
                )
    mqls = [c for c in contacts if not _is_test(c) and _reached(c, "marketingqualifiedlead")]
    hours, first_touches, never = [], [], 0
    for contact in mqls:
        mql_at = _time(contact["properties"]["hs_lifecyclestage_marketingqualifiedlead_date"])
        touches = [at for at in outbound[contact["id"]] if at >= mql_at]
        if not touches:
            never += 1
            continue
        first_touches.append(min(touches))
        hours.append((min(touches) - mql_at).total_seconds() / 3600)
    assert 0.05 <= never / len(mqls) <= 0.15
    assert 1.5 <= statistics.median(hours) <= 3.0
    assert sum(0.2 <= h <= 30 for h in hours) / len(hours) >= 0.7
    local = [at.astimezone(BERLIN) for at in first_touches]
    assert sum(at.weekday() < 5 and 8 <= at.hour < 18 for at in local) / len(local) >= 0.95
    # Progressing contacts get more touches than those who stall.
    customers = [c for c in mqls if _reached(c, "customer")]
    stalled = [c for c in mqls if not _reached(c, "salesqualifiedlead")]
    touches_of = lambda group: statistics.mean(len(outbound[c["id"]]) for c in group)  # noqa: E731
    assert touches_of(customers) > touches_of(stalled) + 2


def test_fx_file_is_the_ecb_history_format(fx_lines: list[list[str]]) -> None:
    header = fx_lines[0]
    assert header[:9] == ["Date", "USD", "JPY", "BGN", "CYP", "CZK", "DKK", "EEK", "GBP"]
    assert header[-1] == "" and {"CHF", "ZAR"} <= set(header)  # the trailing comma
    days = [date.fromisoformat(line[0]) for line in fx_lines[1:]]
    assert days == sorted(days, reverse=True) and len(set(days)) == len(days)
    assert all(len(line) == len(header) and line[-1] == "" for line in fx_lines)
    expected = [
        day
        for offset in range(DAYS + 10)
        if (day := FIRST - timedelta(days=10) + timedelta(days=offset)).weekday() < 5
        and day not in TARGET_HOLIDAYS_2026
    ]
    assert days == expected[::-1]
    column = {code: header.index(code) for code in header[1:-1]}
    for line in fx_lines[1:]:
        assert line[column["CYP"]] == line[column["BGN"]] == "N/A"  # Bulgaria joined the euro in 2026
        chf, gbp, usd = (float(line[column[code]]) for code in ("CHF", "GBP", "USD"))
        assert 0.85 <= chf <= 1.05 and 0.80 <= gbp <= 0.95 and 1.00 <= usd <= 1.35
        assert all(re.fullmatch(r"N/A|\d+(\.\d*[1-9])?", cell) for cell in line[1:-1]), line
    chf_series = [float(line[column["CHF"]]) for line in fx_lines[1:]]
    assert max(abs(a / b - 1) for a, b in pairwise(chf_series)) < 0.02


def test_command_line_prints_the_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["--out", str(tmp_path / "cli"), "--end-date", "2026-11-22", "--days", "14", "--seed", "3"])
    expected = generate(tmp_path / "api", date(2026, 11, 22), days=14, seed=3)

    printed = dict(line.split(": ", 1) for line in capsys.readouterr().out.splitlines())
    assert printed == {name: str(value) for name, value in dataclasses.asdict(expected).items()}
    assert list(printed)[:2] == ["ad_rows", "spend_eur"]
    assert _tree(tmp_path / "cli") == _tree(tmp_path / "api")
