"""The Google Ads API connector against a replay server, loading into the real embedded Postgres.

The payloads in fixtures/replay/google_ads are searchStream responses as documented: two
customers, 2026-03-09 and 2026-03-10, both streams. Expected numbers are summed from them by hand.
"""

import json
import re
from datetime import date
from pathlib import Path

import pytest

from smarketing.config import load_config
from smarketing.extract import google_ads
from smarketing.extract.cursors import Cursors, load_with_cursors
from smarketing.extract.google_ads_api import Credentials, GoogleAdsApi
from smarketing.extract.http import ApiError, RetryPolicy
from smarketing.extract.records import Page, SourceDataError
from smarketing.extract.streams import Window
from smarketing.load import load_stream
from smarketing.pipeline import SourceLoadError, extract_and_load
from tests.replay import ReplayServer, Reply

pytestmark = pytest.mark.integration

PAYLOADS = Path(__file__).parent.parent / "fixtures" / "replay" / "google_ads"
CAMPAIGNS, AD_GROUPS = google_ads.STREAMS
CUSTOMERS = ("1111111111", "2222222222")
LAST_DAY = date(2026, 3, 10)
VERSION = "v26"
TOKEN = "ya29.replay-access-token"


@pytest.fixture
def replay():
    with ReplayServer() as server:
        yield server


def search_path(customer_id):
    return f"/{VERSION}/customers/{customer_id}/googleAds:searchStream"


def from_clause(table):
    return lambda request: f" FROM {table} WHERE " in request.json()["query"]


def script_token(replay):
    replay.script("POST", "/token", Reply(200, {"access_token": TOKEN, "expires_in": 3599, "token_type": "Bearer"}))


def script_stream(replay, stream, customer_id, *before):
    """`before`: replies the request gets first (errors to retry), then the payload."""
    table = "campaign" if stream is CAMPAIGNS else "ad_group"
    payload = Reply.file(PAYLOADS / f"{stream.name}_{customer_id}.json")
    replay.script("POST", search_path(customer_id), *before, payload, match=from_clause(table))


def credentials(replay, login_customer_id="9999999999"):
    return Credentials(
        base_url=replay.url,
        api_version=VERSION,
        client_id="client-id.apps.googleusercontent.com",
        client_secret="client-secret-value",
        developer_token="dev-token-value",
        refresh_token="1//refresh-token-value",
        login_customer_id=login_customer_id,
        token_uri=f"{replay.url}/token",
    )


class Sleeps(list):
    def __call__(self, seconds):
        self.append(seconds)


def window(first=date(2026, 3, 9), last=LAST_DAY):
    from zoneinfo import ZoneInfo

    return Window(first, last, ZoneInfo("Europe/Berlin"))


def searches(replay):
    return [r for r in replay.requests if r.path.endswith("googleAds:searchStream")]


@pytest.fixture
def config(tmp_path, replay, monkeypatch):
    connection = {
        "conn_type": "http",
        "host": replay.url,
        "login": "client-id.apps.googleusercontent.com",
        "password": "client-secret-value",
        "extra": {
            "developer_token": "dev-token-value",
            "refresh_token": "1//refresh-token-value",
            "login_customer_id": "999-999-9999",
            "api_version": VERSION,
            "token_uri": f"{replay.url}/token",
        },
    }
    monkeypatch.setenv("AIRFLOW_CONN_GOOGLE_ADS_REPLAY", json.dumps(connection))
    path = tmp_path / "smarketing.yml"
    path.write_text(
        """
sources:
  google_ads: {conn_id: google_ads_replay, accounts: [111-111-1111, "2222222222"]}
report: {recipients: [a@example.org], sender: b@example.org}
"""
    )
    return load_config(path)


def test_two_accounts_load_through_the_pipeline(warehouse, replay, config):
    script_token(replay)
    for stream in (CAMPAIGNS, AD_GROUPS):
        for customer_id in CUSTOMERS:
            script_stream(replay, stream, customer_id)

    results = {r.stream: r for r in extract_and_load(warehouse, config, "google_ads", LAST_DAY)}

    # 4 campaign rows of customer 1 (501, 502 x 2 days), 2 of customer 2 (601 x 2 days, in two batches);
    # ad groups: 7001 x 2 days, 8001 x 2 days, 8002 on the 10th.
    assert (results["campaign_daily"].rows_inserted, results["ad_group_daily"].rows_inserted) == (6, 5)
    spend = warehouse.execute(
        "select customer_id, currency_code, time_zone, sum(cost_micros), sum(clicks), sum(conversions) "
        "from raw.google_ads__campaign_daily group by 1, 2, 3 order by 1"
    ).fetchall()
    assert spend == [
        ("1111111111", "EUR", "Europe/Berlin", 42_750_000, 165, 7.5),
        ("2222222222", "USD", "America/New_York", 42_000_000, 84, 9),
    ]
    # 12.5 + 15 (7001) + 20 + 12 (8001) + 10 (8002) million micros.
    assert warehouse.execute("select sum(cost_micros) from raw.google_ads__ad_group_daily").fetchone() == (69_500_000,)

    # The token once for the whole run, with the refresh-token grant's form fields.
    tokens = [r for r in replay.requests if r.path == "/token"]
    assert len(tokens) == 1
    assert tokens[0].form() == {
        "client_id": "client-id.apps.googleusercontent.com",
        "client_secret": "client-secret-value",
        "refresh_token": "1//refresh-token-value",
        "grant_type": "refresh_token",
    }
    assert "developer-token" not in tokens[0].headers  # Google Ads' header is for Google Ads only
    # Every search carries the developer token, the manager account (dashes stripped) and the token.
    assert len(searches(replay)) == 4
    for request in searches(replay):
        assert request.headers["developer-token"] == "dev-token-value"
        assert request.headers["login-customer-id"] == "9999999999"
        assert request.headers["authorization"] == f"Bearer {TOKEN}"
        # The first run reads the 90-day history window: 2025-12-11..2026-03-10.
        assert request.json()["query"].endswith("WHERE segments.date BETWEEN '2025-12-11' AND '2026-03-10'")
    # No page fetched twice: each (customer, stream) exactly once.
    asked = [(r.path, r.json()["query"].split(" FROM ")[1].split()[0]) for r in searches(replay)]
    assert sorted(asked) == sorted({(search_path(c), t) for c in CUSTOMERS for t in ("campaign", "ad_group")})

    origin, extra = warehouse.execute(
        "select _source_origin, _extra from raw.google_ads__campaign_daily "
        "where campaign_id = '502' and date = '2026-03-09'"
    ).fetchone()
    assert origin == f"{replay.url}{search_path('1111111111')} (customer 1111111111, 2025-12-11..2026-03-10)"
    assert extra["campaign.biddingStrategyType"] == "MAXIMIZE_CONVERSIONS"  # unknown upstream field kept


def test_gaql_selects_what_the_streams_read(replay):
    """Each stream's query asks for every column the stream declares (GAQL snake_case, REST camelCase)."""
    for stream in (CAMPAIGNS, AD_GROUPS):
        script_token(replay)
        script_stream(replay, stream, CUSTOMERS[0])
        api = GoogleAdsApi(credentials(replay), CUSTOMERS[:1])
        list(api.pages(stream, window()))
        api.close()
    for request, stream in zip(searches(replay), (CAMPAIGNS, AD_GROUPS), strict=True):
        selected = request.json()["query"].split("SELECT ")[1].split(" FROM ")[0].split(", ")
        wanted = {re.sub(r"_(\w)", lambda m: m.group(1).upper(), part) for part in selected}
        assert {column.path for column in stream.columns} <= wanted
        assert request.json()["query"].endswith("WHERE segments.date BETWEEN '2026-03-09' AND '2026-03-10'")


@pytest.mark.parametrize(
    ("first", "expected_sleep"),
    [
        (Reply(429, {"error": {"code": 429, "message": "slow down"}}, {"Retry-After": "2"}), 2.0),
        (Reply.file(PAYLOADS / "resource_exhausted.json", status=429), 30.0),  # retryDelay "30s" in the body
        (Reply(503, "upstream unavailable", {"Content-Type": "text/plain"}), None),  # backoff: 0.5..1 s
    ],
    ids=["retry-after", "resource-exhausted", "503"],
)
def test_throttling_and_outages_are_retried_as_asked(warehouse, replay, first, expected_sleep):
    script_token(replay)
    script_stream(replay, CAMPAIGNS, CUSTOMERS[0], first)
    script_stream(replay, CAMPAIGNS, CUSTOMERS[1])
    sleeps = Sleeps()
    api = GoogleAdsApi(credentials(replay), CUSTOMERS, sleep=sleeps)

    result = load_stream(warehouse, CAMPAIGNS, api.pages(CAMPAIGNS, window()), window())

    assert result.rows_inserted == 6
    assert len(sleeps) == 1
    if expected_sleep is None:
        assert 0.5 <= sleeps[0] <= 1.0
    else:
        assert sleeps[0] == expected_sleep
    # The failed request once, its retry once; the other customer once.
    assert [r.path for r in searches(replay)] == [search_path(CUSTOMERS[0])] * 2 + [search_path(CUSTOMERS[1])]


def test_retries_give_up_after_max_attempts(warehouse, replay):
    script_token(replay)
    busy = Reply(
        503, {"error": {"code": 503, "message": "The service is currently unavailable.", "status": "UNAVAILABLE"}}
    )
    replay.script("POST", search_path(CUSTOMERS[0]), busy, busy, busy)
    sleeps = Sleeps()
    api = GoogleAdsApi(credentials(replay), CUSTOMERS, sleep=sleeps, policy=RetryPolicy(max_attempts=3))

    with pytest.raises(ApiError, match=r"UNAVAILABLE: The service is currently unavailable\. \(gave up after 3"):
        load_stream(warehouse, CAMPAIGNS, api.pages(CAMPAIGNS, window()), window())
    assert len(sleeps) == 2


def test_a_rejected_request_is_a_clear_error_and_leaves_raw_unchanged(warehouse, replay):
    script_token(replay)
    for customer_id in CUSTOMERS:
        script_stream(replay, CAMPAIGNS, customer_id)
    first = GoogleAdsApi(credentials(replay), CUSTOMERS)
    load_stream(warehouse, CAMPAIGNS, first.pages(CAMPAIGNS, window()), window())
    before = warehouse.execute("select * from raw.google_ads__campaign_daily order by 1, 5, 9").fetchall()

    script_token(replay)
    script_stream(replay, CAMPAIGNS, CUSTOMERS[0])
    replay.script("POST", search_path(CUSTOMERS[1]), Reply.file(PAYLOADS / "invalid_argument.json", status=400))
    sleeps = Sleeps()
    api = GoogleAdsApi(credentials(replay), CUSTOMERS, sleep=sleeps)
    with pytest.raises(ApiError) as error:
        load_stream(warehouse, CAMPAIGNS, api.pages(CAMPAIGNS, window()), window())

    message = str(error.value)
    assert message.startswith(f"google_ads/campaign_daily: POST {replay.url}{search_path(CUSTOMERS[1])}: ")
    assert "customer 2222222222: HTTP 400: INVALID_ARGUMENT: Request contains an invalid argument." in message
    assert "User doesn't have permission to access customer" in message
    for secret in ("dev-token-value", TOKEN, "client-secret-value", "refresh-token-value"):
        assert secret not in message
    assert sleeps == []  # not retried
    after = warehouse.execute("select * from raw.google_ads__campaign_daily order by 1, 5, 9").fetchall()
    assert after == before
    failure = warehouse.execute("select error from ops.load_failures").fetchone()[0]
    assert "customer 2222222222" in failure


@pytest.mark.parametrize(
    "body", [[], [{"fieldMask": "customer.id", "requestId": "rq-empty"}]], ids=["[]", "no-results"]
)
def test_an_empty_stream_loads_nothing_and_deletes_only_its_own_account(warehouse, replay, body):
    script_token(replay)
    for customer_id in CUSTOMERS:
        script_stream(replay, CAMPAIGNS, customer_id)
    load_stream(warehouse, CAMPAIGNS, GoogleAdsApi(credentials(replay), CUSTOMERS).pages(CAMPAIGNS, window()), window())

    # Customer 1 now reports nothing for the window: no account in the batch, so nothing is replaced.
    script_token(replay)
    replay.script("POST", search_path(CUSTOMERS[0]), Reply(200, body))
    result = load_stream(
        warehouse, CAMPAIGNS, GoogleAdsApi(credentials(replay), CUSTOMERS[:1]).pages(CAMPAIGNS, window()), window()
    )

    assert (result.rows_read, result.rows_inserted, result.rows_deleted) == (0, 0, 0)
    counts = warehouse.execute(
        "select customer_id, count(*) from raw.google_ads__campaign_daily group by 1 order by 1"
    ).fetchall()
    assert counts == [("1111111111", 4), ("2222222222", 2)]


def test_a_source_without_api_connector_is_named(tmp_path, warehouse):
    path = tmp_path / "smarketing.yml"
    path.write_text(
        """
sources:
  fx_rates: {conn_id: fx_rates_api}
report: {recipients: [a@example.org], sender: b@example.org}
"""
    )
    with pytest.raises(ValueError, match=r"sources\.fx_rates\.conn_id: fx_rates has no API connector yet"):
        extract_and_load(warehouse, load_config(path), "fx_rates", LAST_DAY)


def test_cursors_round_trip_and_do_not_advance_on_a_failed_load(warehouse, replay):
    script_token(replay)
    script_stream(replay, CAMPAIGNS, CUSTOMERS[0])
    api = GoogleAdsApi(credentials(replay), CUSTOMERS[:1])
    assert Cursors.read(warehouse, CAMPAIGNS).get(CUSTOMERS[0]) is None  # before the table exists

    cursors = Cursors.read(warehouse, CAMPAIGNS)

    def advancing(pages, value):
        for page in pages:
            yield page
            cursors.advance(CUSTOMERS[0], value)

    load_with_cursors(warehouse, CAMPAIGNS, advancing(api.pages(CAMPAIGNS, window()), "2026-03-10"), window(), cursors)
    assert Cursors.read(warehouse, CAMPAIGNS).get(CUSTOMERS[0]) == "2026-03-10"
    assert Cursors.read(warehouse, AD_GROUPS).get(CUSTOMERS[0]) is None  # per stream
    rows = warehouse.execute("select count(*) from raw.google_ads__campaign_daily").fetchone()[0]

    # A later load reads a page that advances the cursor, then a page that cannot be read at all.
    cursors = Cursors.read(warehouse, CAMPAIGNS)
    good = Page("page-1", json.loads((PAYLOADS / "campaign_daily_2222222222.json").read_text()))
    broken = Page("page-2", {"not": "a list of batches"})
    with pytest.raises(SourceDataError, match="page-2: expected a JSON array") as raised:
        load_with_cursors(warehouse, CAMPAIGNS, advancing([good, broken], "2026-03-11"), window(), cursors)

    assert Cursors.read(warehouse, CAMPAIGNS).get(CUSTOMERS[0]) == "2026-03-10"
    assert cursors.get(CUSTOMERS[0]) == "2026-03-10"
    failure = warehouse.execute("select source, stream, error from ops.load_failures").fetchall()
    assert failure == [("google_ads", "campaign_daily", "SourceDataError: " + str(raised.value))]
    assert warehouse.execute("select count(*) from raw.google_ads__campaign_daily").fetchone()[0] == rows


def test_pipeline_names_the_failed_stream_and_loads_the_other(warehouse, replay, config):
    script_token(replay)
    for customer_id in CUSTOMERS:
        script_stream(replay, CAMPAIGNS, customer_id)
    replay.script("POST", search_path(CUSTOMERS[0]), Reply.file(PAYLOADS / "invalid_argument.json", status=400),
                  match=from_clause("ad_group"))  # fmt: skip

    with pytest.raises(SourceLoadError, match=r"1 of 2 streams not loaded[\s\S]*google_ads/ad_group_daily: POST"):
        extract_and_load(warehouse, config, "google_ads", LAST_DAY)
    assert warehouse.execute("select count(*) from raw.google_ads__campaign_daily").fetchone() == (6,)
