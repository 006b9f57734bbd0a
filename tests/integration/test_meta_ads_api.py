"""The Meta Marketing API connector against a replay server, loading into the real embedded Postgres.

The payloads in fixtures/replay/meta_ads are Insights pages, ad account objects, report jobs and
errors as Meta documents them. Two ad accounts, 2026-03-09 and 2026-03-10:
  1234567890 "Acme DE", EUR, Europe/Berlin: campaigns 120210000000001 (10.50 + 12.25) on page 1,
      120210000000002 (5.00 + 7.75, the 09th with an unknown field `reach`) on page 2;
  9876543210 "Acme US", USD, America/New_York: 120220000000001 (20.00 + 30.00) and, third on its
      page, a record without campaign_id (quarantined).
Expected numbers are summed from them by hand.
"""

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from smarketing.config import load_config
from smarketing.extract import meta_ads
from smarketing.extract.http import ApiError
from smarketing.extract.meta_ads_api import POLL_SECONDS, Credentials, MetaAdsApi
from smarketing.extract.records import SourceDataError
from smarketing.extract.streams import Window
from smarketing.load import load_stream
from smarketing.pipeline import extract_and_load
from tests.replay import ReplayServer, Reply

pytestmark = pytest.mark.integration

PAYLOADS = Path(__file__).parent.parent / "fixtures" / "replay" / "meta_ads"
CAMPAIGNS, AD_SETS, ACCOUNTS = meta_ads.STREAMS
DE, US = "1234567890", "9876543210"
LAST_DAY = date(2026, 3, 10)
VERSION = "v26.0"
TOKEN = "EAAG-replay-system-user-token"
RUN = "6200000000001"
# Meta's business-use-case header: ads insights blocked for 5 more minutes.
BLOCKED_FIVE_MINUTES = {
    "x-business-use-case-usage": json.dumps(
        {DE: [{"type": "ads_insights", "call_count": 100, "estimated_time_to_regain_access": 5}]}
    )
}


@pytest.fixture
def replay():
    with ReplayServer() as server:
        yield server


class Sleeps(list):
    def __call__(self, seconds):
        self.append(seconds)


def insights_path(account):
    return f"/{VERSION}/act_{account}/insights"


def level(name, page=None):
    """Requests of one Insights level; `page` 1: without the `after` cursor, 2: with it."""

    def wants(request):
        if request.query.get("level") != [name]:
            return False
        return page is None or (page == 2) == ("after" in request.query)

    return wants


def script_campaigns(replay, account, *before_page_2):
    """Account DE's two pages (`before_page_2`: replies its page 2 gets first), or US's one page."""
    if account == DE:
        first, second = (Reply.file(PAYLOADS / f"campaign_daily_{DE}_page{n}.json") for n in (1, 2))
        replay.script("GET", insights_path(DE), first, match=level("campaign", 1))
        replay.script("GET", insights_path(DE), *before_page_2, second, match=level("campaign", 2))
    else:
        replay.script(
            "GET", insights_path(US), Reply.file(PAYLOADS / f"campaign_daily_{US}.json"), match=level("campaign")
        )


def error(name, status, headers=None):
    return Reply(status, (PAYLOADS / name).read_bytes(), headers or {})


def credentials(replay, **options):
    return Credentials(base_url=replay.url, api_version=VERSION, access_token=TOKEN, **options)


def window(first=date(2026, 3, 9), last=LAST_DAY):
    return Window(first, last, ZoneInfo("Europe/Berlin"))


def asked(replay):
    """(method, path, after cursor) of every request, in order."""
    return [(r.method, r.path, r.query.get("after", [""])[0]) for r in replay.requests]


@pytest.fixture
def config(tmp_path, replay, monkeypatch):
    # The first run reads 90 days of history; reading them synchronously keeps this test to pages.
    connection = {"conn_type": "http", "host": replay.url, "password": TOKEN,
                  "extra": {"api_version": VERSION, "async_after_days": 100}}  # fmt: skip
    monkeypatch.setenv("AIRFLOW_CONN_META_ADS_REPLAY", json.dumps(connection))
    path = tmp_path / "smarketing.yml"
    path.write_text(
        f"""
sources:
  meta_ads: {{conn_id: meta_ads_replay, accounts: [act_{DE}, "{US}"]}}
report: {{recipients: [a@example.org], sender: b@example.org}}
"""
    )
    return load_config(path)


def test_two_accounts_load_through_the_pipeline(warehouse, replay, config):
    for account in (DE, US):
        script_campaigns(replay, account)
        replay.script("GET", insights_path(account), Reply.file(PAYLOADS / f"adset_daily_{account}.json"),
                      match=level("adset"))  # fmt: skip
        replay.script("GET", f"/{VERSION}/act_{account}", Reply.file(PAYLOADS / f"account_{account}.json"))

    results = {r.stream: r for r in extract_and_load(warehouse, config, "meta_ads", LAST_DAY)}

    # Campaign rows: DE 2 on page 1 + 2 on page 2, US 2 (its third record quarantined); ad sets: DE 2, US 1.
    loaded = {name: (r.rows_inserted, r.rows_quarantined) for name, r in results.items()}
    assert loaded == {"campaign_daily": (6, 1), "adset_daily": (3, 0), "accounts": (2, 0)}
    spend = warehouse.execute(
        "select account_id, account_currency, sum(spend), sum(impressions), sum(clicks) "
        "from raw.meta_ads__campaign_daily group by 1, 2 order by 1"
    ).fetchall()
    assert spend == [
        (
            DE,
            "EUR",
            Decimal("35.50"),
            3400,
            69,
        ),  # 10.50 + 12.25 + 5.00 + 7.75; 1000 + 1200 + 500 + 700; 20 + 25 + 10 + 14
        (US, "USD", Decimal("50.00"), 4500, 90),  # 20.00 + 30.00; 2000 + 2500; 40 + 50
    ]
    # 10.50 + 12.25 (DE's ad set) + 20.00 (US's, on the 9th only).
    assert warehouse.execute("select sum(spend) from raw.meta_ads__adset_daily").fetchone() == (Decimal("42.75"),)
    assert warehouse.execute(
        "select account_id, name, currency, timezone_name, timezone_offset_hours_utc, _extra "
        "from raw.meta_ads__accounts order by 1"
    ).fetchall() == [
        (DE, "Acme DE", "EUR", "Europe/Berlin", Decimal(1), {"id": f"act_{DE}"}),
        (US, "Acme US", "USD", "America/New_York", Decimal(-5), {"id": f"act_{US}"}),
    ]

    # No page fetched twice: DE's two campaign pages, then one page per account and request.
    assert sorted(asked(replay)) == sorted(
        [("GET", insights_path(DE), ""), ("GET", insights_path(DE), "MQZDZD"), ("GET", insights_path(US), ""),
         ("GET", insights_path(DE), ""), ("GET", insights_path(US), ""),
         ("GET", f"/{VERSION}/act_{DE}", ""), ("GET", f"/{VERSION}/act_{US}", "")]
    )  # fmt: skip
    first = replay.requests[0]
    assert {name: values[0] for name, values in first.query.items()} == {
        "level": "campaign",
        "time_increment": "1",
        # The first run reads the 90-day history window.
        "time_range": '{"since": "2025-12-11", "until": "2026-03-10"}',
        "fields": ",".join(column.path for column in CAMPAIGNS.columns),
        "limit": "500",
        "access_token": TOKEN,
    }
    second = replay.requests[1]
    assert second.query["access_token"] == [TOKEN]  # ours, not the one Meta echoes in paging.next
    assert (second.query["after"], second.query["limit"]) == (["MQZDZD"], ["2"])
    assert replay.requests[-1].query["fields"] == ["account_id,name,currency,timezone_name,timezone_offset_hours_utc"]

    origin, extra = warehouse.execute(
        "select _source_origin, _extra from raw.meta_ads__campaign_daily "
        "where campaign_id = '120210000000002' and date_start = '2026-03-09'"
    ).fetchone()
    assert origin.startswith(f"{replay.url}{insights_path(DE)}?") and "access_token=***" in origin
    assert origin.endswith(f"(account {DE}, 2025-12-11..2026-03-10, page 2)")
    assert TOKEN not in origin
    assert extra == {"reach": "450"}  # an unknown upstream field kept

    [(field, reason, line, rejected_origin)] = warehouse.execute(
        "select field, reason, line, origin from quarantine.rejected_rows where source = 'meta_ads'"
    ).fetchall()
    assert (field, reason, line) == ("campaign_id", "required field is missing", 3)
    assert rejected_origin.endswith(f"(account {US}, 2025-12-11..2026-03-10, page 1)")


def test_error_17_mid_pagination_waits_as_meta_says_and_fetches_no_page_twice(warehouse, replay):
    script_campaigns(replay, DE, error("user_request_limit.json", 400, BLOCKED_FIVE_MINUTES))
    sleeps = Sleeps()
    api = MetaAdsApi(credentials(replay), [DE], sleep=sleeps)

    result = load_stream(warehouse, CAMPAIGNS, api.pages(CAMPAIGNS, window()), window())

    assert result.rows_inserted == 4
    assert sleeps == [300.0]  # estimated_time_to_regain_access: 5 minutes
    # Page 1 once; page 2 throttled, then once more.
    assert asked(replay) == [("GET", insights_path(DE), "")] + [("GET", insights_path(DE), "MQZDZD")] * 2


@pytest.mark.parametrize(
    ("first", "expected_sleep"),
    [
        (Reply(429, {"error": {"message": "Too many requests"}}, {"Retry-After": "7"}), 7.0),
        # Error 17 without a usage header: Meta's block on the standard access tier.
        (error("user_request_limit.json", 400), 60.0),
        (error("unexpected_error.json", 500), None),  # backoff: 0.5..1 s
    ],
    ids=["429-retry-after", "17-no-usage-header", "500"],
)
def test_throttling_and_outages_are_retried_as_asked(warehouse, replay, first, expected_sleep):
    script_campaigns(replay, DE, first)
    sleeps = Sleeps()
    api = MetaAdsApi(credentials(replay), [DE], sleep=sleeps)

    result = load_stream(warehouse, CAMPAIGNS, api.pages(CAMPAIGNS, window()), window())

    assert result.rows_inserted == 4
    assert len(sleeps) == 1
    if expected_sleep is None:
        assert 0.5 <= sleeps[0] <= 1.0
    else:
        assert sleeps[0] == expected_sleep
    assert asked(replay) == [("GET", insights_path(DE), "")] + [("GET", insights_path(DE), "MQZDZD")] * 2


def test_a_long_window_runs_as_a_report_job(warehouse, replay):
    history = window(first=date(2025, 12, 11))  # 90 days: more than the 31 read synchronously
    replay.script("POST", insights_path(DE), Reply.file(PAYLOADS / "report_run_created.json"))
    replay.script("GET", f"/{VERSION}/{RUN}", Reply.file(PAYLOADS / "report_run_running.json"),
                  Reply.file(PAYLOADS / "report_run_completed.json"))  # fmt: skip
    replay.script("GET", f"/{VERSION}/{RUN}/insights", Reply.file(PAYLOADS / "report_run_insights_page1.json"),
                  match=lambda request: "after" not in request.query)  # fmt: skip
    replay.script("GET", f"/{VERSION}/{RUN}/insights", Reply.file(PAYLOADS / "report_run_insights_page2.json"),
                  match=lambda request: request.query.get("after") == ["MQZDZD"])  # fmt: skip
    sleeps = Sleeps()
    api = MetaAdsApi(credentials(replay), [DE], sleep=sleeps)

    result = load_stream(warehouse, CAMPAIGNS, api.pages(CAMPAIGNS, history), history)

    assert result.rows_inserted == 4  # the same 4 rows as DE's two pages
    assert sleeps == [POLL_SECONDS]  # one poll found the job running
    assert asked(replay) == [
        ("POST", insights_path(DE), ""),
        ("GET", f"/{VERSION}/{RUN}", ""),
        ("GET", f"/{VERSION}/{RUN}", ""),
        ("GET", f"/{VERSION}/{RUN}/insights", ""),
        ("GET", f"/{VERSION}/{RUN}/insights", "MQZDZD"),
    ]
    job = replay.requests[0]
    assert job.query == {}  # the token and the query travel in the form, not in the URL
    assert job.form()["time_range"] == '{"since": "2025-12-11", "until": "2026-03-10"}'
    assert (job.form()["level"], job.form()["access_token"]) == ("campaign", TOKEN)
    origin = warehouse.execute(
        "select _source_origin from raw.meta_ads__campaign_daily where campaign_id = '120210000000002' limit 1"
    ).fetchone()[0]
    assert origin.endswith(f"(account {DE}, 2025-12-11..2026-03-10, page 2)") and f"/{RUN}/insights?" in origin


def test_a_failed_report_job_is_a_clear_error(warehouse, replay):
    history = window(first=date(2025, 12, 11))
    replay.script("POST", insights_path(DE), Reply.file(PAYLOADS / "report_run_created.json"))
    replay.script("GET", f"/{VERSION}/{RUN}", Reply.file(PAYLOADS / "report_run_failed.json"))
    api = MetaAdsApi(credentials(replay), [DE], sleep=Sleeps())

    with pytest.raises(ApiError, match=rf"account {DE}: report job {RUN} ended as 'Job Failed'"):
        load_stream(warehouse, CAMPAIGNS, api.pages(CAMPAIGNS, history), history)
    failure = warehouse.execute("select error from ops.load_failures").fetchone()[0]
    assert f"report job {RUN} ended as 'Job Failed'" in failure


def test_a_refused_request_is_a_clear_error_without_the_token(warehouse, replay):
    script_campaigns(replay, DE)
    replay.script("GET", insights_path(US), error("permission_denied.json", 400))
    sleeps = Sleeps()
    api = MetaAdsApi(credentials(replay), [DE, US], sleep=sleeps)

    with pytest.raises(ApiError) as raised:
        load_stream(warehouse, CAMPAIGNS, api.pages(CAMPAIGNS, window()), window())

    message = str(raised.value)
    assert message.startswith(f"meta_ads/campaign_daily: GET {replay.url}{insights_path(US)}?")
    assert (
        f"account {US}: HTTP 400: (#200) Ad account owner has NOT grant ads_management or ads_read permission "
        "(type OAuthException, code 200)"
    ) in message
    assert TOKEN not in message and "access_token=***" in message
    assert sleeps == []  # not retried
    # The whole load rolled back, DE's pages too; the failure is recorded without the token.
    assert warehouse.execute("select to_regclass('raw.meta_ads__campaign_daily')").fetchone() == (None,)
    [(failure,)] = warehouse.execute("select error from ops.load_failures").fetchall()
    assert f"account {US}" in failure and TOKEN not in failure


def test_an_empty_result_loads_nothing_and_deletes_only_its_own_account(warehouse, replay):
    for account in (DE, US):
        script_campaigns(replay, account)
    load_stream(warehouse, CAMPAIGNS, MetaAdsApi(credentials(replay), [DE, US]).pages(CAMPAIGNS, window()), window())

    # DE now reports nothing for the window: no account in the batch, so nothing is replaced.
    replay.script("GET", insights_path(DE), Reply(200, {"data": []}))
    result = load_stream(
        warehouse, CAMPAIGNS, MetaAdsApi(credentials(replay), [DE]).pages(CAMPAIGNS, window()), window()
    )

    assert (result.rows_read, result.rows_inserted, result.rows_deleted) == (0, 0, 0)
    counts = warehouse.execute(
        "select account_id, count(*) from raw.meta_ads__campaign_daily group by 1 order by 1"
    ).fetchall()
    assert counts == [(DE, 4), (US, 2)]


def test_accounts_merge_and_are_never_deleted(warehouse, replay):
    for account in (DE, US):
        replay.script("GET", f"/{VERSION}/act_{account}", Reply.file(PAYLOADS / f"account_{account}.json"))
    load_stream(warehouse, ACCOUNTS, MetaAdsApi(credentials(replay), [DE, US]).pages(ACCOUNTS, window()), window())

    # A later run, another window, reads DE only: it moved to Lisbon; US is kept as it was.
    moved = {**json.loads((PAYLOADS / f"account_{DE}.json").read_text()), "timezone_name": "Europe/Lisbon",
             "timezone_offset_hours_utc": 0}  # fmt: skip
    replay.script("GET", f"/{VERSION}/act_{DE}", Reply(200, moved))
    later = window(date(2026, 4, 1), date(2026, 4, 2))
    result = load_stream(
        warehouse, ACCOUNTS, MetaAdsApi(credentials(replay), [f"act_{DE}"]).pages(ACCOUNTS, later), later
    )

    assert (result.rows_updated, result.rows_deleted) == (1, 0)
    assert warehouse.execute("select account_id, timezone_name from raw.meta_ads__accounts order by 1").fetchall() == [
        (DE, "Europe/Lisbon"),
        (US, "America/New_York"),
    ]


def test_an_account_must_be_an_ad_account_id(replay):
    with pytest.raises(ValueError, match=r"'acct-12' is not a Meta ad account id"):
        MetaAdsApi(credentials(replay), ["acct-12"])


def test_paging_back_to_a_page_already_read_fails_instead_of_looping(warehouse, replay):
    looping = {"data": [], "paging": {"next": f"https://graph.facebook.com/{VERSION}/act_{DE}/insights?after=QQ"}}
    replay.script("GET", insights_path(DE), Reply(200, looping), Reply(200, looping))
    api = MetaAdsApi(credentials(replay), [DE])

    with pytest.raises(SourceDataError, match=r"page 2\): paging\.next points back at a page already read"):
        load_stream(warehouse, CAMPAIGNS, api.pages(CAMPAIGNS, window()), window())
    assert asked(replay) == [("GET", insights_path(DE), ""), ("GET", insights_path(DE), "QQ")]
