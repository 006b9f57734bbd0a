"""The LinkedIn Marketing API connector against a replay server, loading into the real embedded Postgres.

The payloads in fixtures/replay/linkedin_ads are adAnalytics (Statistics finder, pivots ACCOUNT and
CAMPAIGN), adCampaigns search pages, ad accounts and errors as LinkedIn documents them. Two ad
accounts, 2026-03-09 and 2026-03-10:
  503000001 "Acme Global", USD: 600000001 (10.50 + 12.25), 600000002 (30.00 with an unknown field
      `videoViews` + 25.00); campaigns over two pages (600000001, 600000002 | 600000003);
  503000002 "Acme DACH", EUR: 600000011 (40.00 + 45.50) and, third, an element without
      pivotValues (quarantined); one campaign page.
Expected numbers are summed from them by hand.
"""

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from smarketing.config import load_config
from smarketing.extract import linkedin_ads
from smarketing.extract.http import ApiError
from smarketing.extract.linkedin_ads_api import Credentials, LinkedInAdsApi, analytics_path
from smarketing.extract.streams import Window
from smarketing.load import load_stream
from smarketing.pipeline import extract_and_load
from tests.replay import ReplayServer, Reply

pytestmark = pytest.mark.integration

PAYLOADS = Path(__file__).parent.parent / "fixtures" / "replay" / "linkedin_ads"
ANALYTICS, CAMPAIGNS, ACCOUNTS = linkedin_ads.STREAMS
GLOBAL, DACH = "503000001", "503000002"
LAST_DAY = date(2026, 3, 10)
VERSION = "202606"
TOKEN = "AQV-replay-access-token"
FIELDS = "dateRange,pivotValues,costInLocalCurrency,impressions,clicks,oneClickLeads,externalWebsiteConversions"


@pytest.fixture
def replay():
    with ReplayServer() as server:
        yield server


class Sleeps(list):
    def __call__(self, seconds):
        self.append(seconds)


def campaigns_path(account):
    return f"/rest/adAccounts/{account}/adCampaigns"


def of_account(account):
    return lambda request: request.query.get("accounts") == [f"List(urn:li:sponsoredAccount:{account})"]


def page_token(token):
    return lambda request: request.query.get("pageToken", [None])[0] == token


def script_analytics(replay, account, *before, payload=None):
    reply = Reply.file(PAYLOADS / (payload or f"adAnalytics_{account}.json"))
    replay.script("GET", "/rest/adAnalytics", *before, reply, match=of_account(account))


def script_campaigns(replay, account, *before_page_2):
    if account == GLOBAL:
        first, second = (Reply.file(PAYLOADS / f"adCampaigns_{GLOBAL}_page{n}.json") for n in (1, 2))
        replay.script("GET", campaigns_path(GLOBAL), first, match=page_token(None))
        replay.script("GET", campaigns_path(GLOBAL), *before_page_2, second, match=page_token("DgEBAAAAAQ=="))
    else:
        replay.script("GET", campaigns_path(DACH), Reply.file(PAYLOADS / f"adCampaigns_{DACH}.json"))


def error(name, status, headers=None):
    return Reply(status, (PAYLOADS / name).read_bytes(), headers or {})


def api(replay, accounts=(GLOBAL,), sleep=None, **options):
    credentials = Credentials(base_url=replay.url, api_version=VERSION, access_token=TOKEN, page_size=2)
    return LinkedInAdsApi(credentials, accounts, sleep=Sleeps() if sleep is None else sleep, **options)


def window(first=date(2026, 3, 9), last=LAST_DAY):
    return Window(first, last, ZoneInfo("UTC"))


def asked(replay):
    """(path, account filter or page token) of every request, in order."""
    return [(r.path, (r.query.get("accounts") or r.query.get("pageToken") or [""])[0]) for r in replay.requests]


@pytest.fixture
def config(tmp_path, replay, monkeypatch):
    connection = {"conn_type": "http", "host": replay.url, "password": TOKEN,
                  "extra": {"api_version": VERSION, "page_size": 2}}  # fmt: skip
    monkeypatch.setenv("AIRFLOW_CONN_LINKEDIN_ADS_REPLAY", json.dumps(connection))
    path = tmp_path / "smarketing.yml"
    path.write_text(
        f"""
sources:
  linkedin_ads: {{conn_id: linkedin_ads_replay, accounts: ["urn:li:sponsoredAccount:{GLOBAL}", "{DACH}"]}}
report: {{recipients: [a@example.org], sender: b@example.org}}
"""
    )
    return load_config(path)


def test_analytics_query_is_restli_as_documented():
    # Structure bare, the URN's own colons percent-encoded (Rest.li 2.0 URL syntax).
    assert analytics_path(GLOBAL, date(2026, 2, 28), date(2026, 3, 1), FIELDS.split(",")) == (
        "/rest/adAnalytics?q=statistics&pivots=List(ACCOUNT,CAMPAIGN)&timeGranularity=DAILY"
        "&dateRange=(start:(year:2026,month:2,day:28),end:(year:2026,month:3,day:1))"
        f"&accounts=List(urn%3Ali%3AsponsoredAccount%3A{GLOBAL})&fields={FIELDS}"
    )


def test_two_accounts_load_through_the_pipeline(warehouse, replay, config):
    for account in (GLOBAL, DACH):
        script_analytics(replay, account)
        script_campaigns(replay, account)
        replay.script("GET", f"/rest/adAccounts/{account}", Reply.file(PAYLOADS / f"adAccount_{account}.json"))

    results = {r.stream: r for r in extract_and_load(warehouse, config, "linkedin_ads", LAST_DAY)}

    # Analytics: GLOBAL 4 elements, DACH 2 (its third quarantined); campaigns: 2 + 1 on GLOBAL's pages, DACH 1.
    loaded = {name: (r.rows_inserted, r.rows_quarantined) for name, r in results.items()}
    assert loaded == {"campaign_daily": (6, 1), "campaigns": (4, 0), "accounts": (2, 0)}
    assert warehouse.execute(
        "select account_id, sum(cost_in_local_currency), sum(impressions), sum(clicks), sum(one_click_leads),"
        " sum(external_website_conversions) from raw.linkedin_ads__campaign_daily group by 1 order by 1"
    ).fetchall() == [
        # 10.50 + 12.25 + 30.00 + 25.00; 1000 + 1200 + 2000 + 1500; 20 + 25 + 40 + 30; 3 + 2; 1 + 2
        (GLOBAL, Decimal("77.75"), 5700, 115, 5, 3),
        # 40.00 + 45.50; 3000 + 3500; 50 + 60; 4 + 5; 1
        (DACH, Decimal("85.50"), 6500, 110, 9, 1),
    ]
    assert warehouse.execute(
        "select campaign_id, account_urn, name, status, type, last_modified_ms from raw.linkedin_ads__campaigns"
        " order by 1"
    ).fetchall() == [
        ("600000001", f"urn:li:sponsoredAccount:{GLOBAL}", "Brand Awareness", "ACTIVE", "SPONSORED_UPDATES",
         1772150400000),
        ("600000002", f"urn:li:sponsoredAccount:{GLOBAL}", "Lead Gen EU", "ACTIVE", "SPONSORED_UPDATES",
         1772236800000),
        ("600000003", f"urn:li:sponsoredAccount:{GLOBAL}", "Webinar Retarget", "PAUSED", "TEXT_AD", 1772323200000),
        ("600000011", f"urn:li:sponsoredAccount:{DACH}", "DACH Leads", "ACTIVE", "SPONSORED_UPDATES", 1772150400000),
    ]  # fmt: skip
    assert warehouse.execute(
        "select account_id, name, currency from raw.linkedin_ads__accounts order by 1"
    ).fetchall() == [
        (GLOBAL, "Acme Global", "USD"),
        (DACH, "Acme DACH", "EUR"),
    ]

    # No request twice: one analytics request and one account per account, GLOBAL's two campaign pages.
    assert sorted(asked(replay)) == sorted(
        [("/rest/adAnalytics", f"List(urn:li:sponsoredAccount:{GLOBAL})"),
         ("/rest/adAnalytics", f"List(urn:li:sponsoredAccount:{DACH})"),
         (campaigns_path(GLOBAL), ""), (campaigns_path(GLOBAL), "DgEBAAAAAQ=="), (campaigns_path(DACH), ""),
         (f"/rest/adAccounts/{GLOBAL}", ""), (f"/rest/adAccounts/{DACH}", "")]
    )  # fmt: skip
    first = replay.requests[0]
    assert {name: values[0] for name, values in first.query.items()} == {
        "q": "statistics",
        "pivots": "List(ACCOUNT,CAMPAIGN)",
        "timeGranularity": "DAILY",
        # The first run reads the 90-day history window.
        "dateRange": "(start:(year:2025,month:12,day:11),end:(year:2026,month:3,day:10))",
        "accounts": f"List(urn:li:sponsoredAccount:{GLOBAL})",
        "fields": FIELDS,
    }
    assert (first.headers["authorization"], first.headers["linkedin-version"]) == (f"Bearer {TOKEN}", VERSION)
    assert first.headers["x-restli-protocol-version"] == "2.0.0"
    assert {name: values[0] for name, values in replay.requests[3].query.items()} == {
        "q": "search",
        "pageSize": "2",
        "pageToken": "DgEBAAAAAQ==",  # metadata.nextPageToken of page 1
    }

    origin, extra = warehouse.execute(
        "select _source_origin, _extra from raw.linkedin_ads__campaign_daily"
        " where campaign_id = '600000002' and day = '2026-03-09'"
    ).fetchone()
    assert origin.startswith(f"{replay.url}/rest/adAnalytics?q=statistics")
    assert origin.endswith(f"(account {GLOBAL}, 2025-12-11..2026-03-10)")
    assert extra == {"videoViews": 15}  # an unknown upstream field kept
    [(field, reason, line, rejected_origin)] = warehouse.execute(
        "select field, reason, line, origin from quarantine.rejected_rows where source = 'linkedin_ads'"
    ).fetchall()
    assert (field, reason, line) == ("pivotValues", "required field is missing", 3)
    assert rejected_origin.endswith(f"(account {DACH}, 2025-12-11..2026-03-10)")
    assert TOKEN not in origin + rejected_origin


def test_429_waits_as_retry_after_says_and_a_5xx_is_retried(warehouse, replay):
    script_analytics(replay, GLOBAL, error("too_many_requests.json", 429, {"Retry-After": "7"}))
    script_campaigns(replay, GLOBAL, error("service_unavailable.json", 503))
    sleeps = Sleeps()
    linkedin = api(replay, sleep=sleeps)

    days = load_stream(warehouse, ANALYTICS, linkedin.pages(ANALYTICS, window()), window())
    campaigns = load_stream(warehouse, CAMPAIGNS, linkedin.pages(CAMPAIGNS, window()), window())

    assert (days.rows_inserted, campaigns.rows_inserted) == (4, 3)
    assert sleeps[0] == 7.0  # Retry-After
    assert 0.5 <= sleeps[1] <= 1.0  # no Retry-After on the 503: the first backoff, 1 s with jitter
    # Only the refused requests were asked again: page 1 of the campaigns once.
    assert asked(replay) == [
        ("/rest/adAnalytics", f"List(urn:li:sponsoredAccount:{GLOBAL})"),
        ("/rest/adAnalytics", f"List(urn:li:sponsoredAccount:{GLOBAL})"),
        (campaigns_path(GLOBAL), ""),
        (campaigns_path(GLOBAL), "DgEBAAAAAQ=="),
        (campaigns_path(GLOBAL), "DgEBAAAAAQ=="),
    ]


def test_a_re_read_replaces_the_days_it_covers(warehouse, replay):
    # The lookback re-reads 03-10: LinkedIn revised 600000001's cost to 11.00 and no longer reports 600000002.
    whole = json.loads((PAYLOADS / f"adAnalytics_{GLOBAL}.json").read_text())
    revised = {**whole["elements"][1], "costInLocalCurrency": "11.00"}
    replay.script("GET", "/rest/adAnalytics", Reply(body=whole), Reply(body={**whole, "elements": [revised]}))
    linkedin = api(replay)
    load_stream(warehouse, ANALYTICS, linkedin.pages(ANALYTICS, window()), window())

    result = load_stream(warehouse, ANALYTICS, linkedin.pages(ANALYTICS, window(LAST_DAY)), window(LAST_DAY))

    assert (result.rows_inserted, result.rows_updated, result.rows_deleted) == (0, 1, 1)
    assert warehouse.execute(
        "select day, campaign_id, cost_in_local_currency from raw.linkedin_ads__campaign_daily order by 1, 2"
    ).fetchall() == [
        (date(2026, 3, 9), "600000001", Decimal("10.50")),
        (date(2026, 3, 9), "600000002", Decimal("30.00")),  # outside the re-read: kept
        (date(2026, 3, 10), "600000001", Decimal("11.00")),
    ]


def test_an_empty_report_loads_nothing(warehouse, replay):
    script_analytics(replay, DACH, payload="adAnalytics_empty.json")

    result = load_stream(warehouse, ANALYTICS, api(replay, [DACH]).pages(ANALYTICS, window()), window())

    assert (result.rows_read, result.rows_inserted, result.rows_quarantined) == (0, 0, 0)


def test_a_response_at_the_element_cap_is_asked_again_day_by_day(warehouse, replay):
    # With a cap of 3, DACH's two days (3 elements) may be cut off: each day is asked for alone.
    def days(first, last):
        return lambda request: (
            request.query["dateRange"]
            == [f"(start:(year:2026,month:3,day:{first}),end:(year:2026,month:3,day:{last}))"]
        )

    whole = json.loads((PAYLOADS / f"adAnalytics_{DACH}.json").read_text())
    ninth, tenth = ({**whole, "elements": [element]} for element in whole["elements"][:2])
    replay.script("GET", "/rest/adAnalytics", Reply(body=whole), match=days(9, 10))
    replay.script("GET", "/rest/adAnalytics", Reply(body=ninth), match=days(9, 9))
    replay.script("GET", "/rest/adAnalytics", Reply(body=tenth), match=days(10, 10))

    linkedin = api(replay, [DACH], element_cap=3)
    result = load_stream(warehouse, ANALYTICS, linkedin.pages(ANALYTICS, window()), window())

    assert (result.rows_inserted, result.rows_quarantined) == (2, 0)  # the full response was not loaded
    assert warehouse.execute("select sum(cost_in_local_currency) from raw.linkedin_ads__campaign_daily").fetchone() == (
        Decimal("85.50"),  # 40.00 + 45.50
    )


def test_a_single_day_at_the_element_cap_fails_clearly(warehouse, replay):
    script_analytics(replay, GLOBAL)
    linkedin = api(replay, element_cap=4)

    with pytest.raises(ApiError, match=rf"account {GLOBAL}: 2026-03-10 alone holds 4 elements"):
        list(linkedin.pages(ANALYTICS, window(LAST_DAY)))
