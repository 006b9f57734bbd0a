"""The Yandex Direct connector (Reports service v5) against a replay server, loading into the real
embedded Postgres.

The payloads in fixtures/replay/yandex_direct are TSV reports as documented (skipReportHeader and
skipReportSummary: a header row of field names, then rows; "--" for no value) and Clients.get
answers: two client logins of an agency, 2026-03-09 and 2026-03-10, both streams. Expected
numbers are summed from them by hand.
"""

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from smarketing.config import load_config
from smarketing.extract import yandex_direct
from smarketing.extract.http import ApiError
from smarketing.extract.streams import Window
from smarketing.extract.yandex_direct_api import Credentials, YandexDirectApi
from smarketing.load import load_stream
from smarketing.pipeline import extract_and_load
from tests.replay import ReplayServer, Reply

pytestmark = pytest.mark.integration

PAYLOADS = Path(__file__).parent.parent / "fixtures" / "replay" / "yandex_direct"
CAMPAIGNS, AD_GROUPS = yandex_direct.STREAMS
LOGINS = ("client-alpha", "client-beta")
LAST_DAY = date(2026, 3, 10)
TOKEN = "y0_replay-oauth-token"
REPORTS, CLIENTS = "/json/v5/reports", "/json/v5/clients"
TSV = {"Content-Type": "text/tab-separated-values; charset=utf-8"}


@pytest.fixture
def replay():
    with ReplayServer() as server:
        yield server


def for_login(login, report_type=None):
    def match(request):
        if request.headers.get("client-login") != login:
            return False
        return report_type is None or request.json()["params"]["ReportType"] == report_type

    return match


def report(name, status=200, headers=None):
    return Reply(status, (PAYLOADS / name).read_bytes(), {**TSV, **(headers or {})})


def queued(status, retry_in):
    """201 (queued) or 202 (being built): no body, the wait in `retryIn`."""
    return Reply(status, b"", {**TSV, "retryIn": str(retry_in)})


def script_clients(replay, *logins):
    for login in logins:
        replay.script("POST", CLIENTS, Reply.file(PAYLOADS / f"clients_{login}.json"), match=for_login(login))


def script_report(replay, stream, login, *replies):
    """`replies`: what the request gets first (errors, 201/202); then the fixture's report."""
    report_type = "CAMPAIGN_PERFORMANCE_REPORT" if stream is CAMPAIGNS else "ADGROUP_PERFORMANCE_REPORT"
    final = report(f"{stream.name}_{login}.tsv")
    replay.script("POST", REPORTS, *replies, final, match=for_login(login, report_type))


def credentials(replay, **options):
    return Credentials(base_url=replay.url, token=TOKEN, **options)


class Sleeps(list):
    def __call__(self, seconds):
        self.append(seconds)


def window(first=date(2026, 3, 9), last=LAST_DAY):
    return Window(first, last, ZoneInfo("Europe/Moscow"))


def reports(replay):
    return [r for r in replay.requests if r.path == REPORTS]


@pytest.fixture
def config(tmp_path, replay, monkeypatch):
    connection = {"conn_type": "http", "host": replay.url, "password": TOKEN, "extra": {"include_vat": "false"}}
    monkeypatch.setenv("AIRFLOW_CONN_YANDEX_DIRECT_REPLAY", json.dumps(connection))
    path = tmp_path / "smarketing.yml"
    path.write_text(
        """
sources:
  yandex_direct: {conn_id: yandex_direct_replay, accounts: [client-alpha, client-beta]}
report: {recipients: [a@example.org], sender: b@example.org}
"""
    )
    return load_config(path)


def test_two_client_logins_load_through_the_pipeline(warehouse, replay, config):
    script_clients(replay, *LOGINS)
    for stream in (CAMPAIGNS, AD_GROUPS):
        for login in LOGINS:
            script_report(replay, stream, login)

    results = {r.stream: r for r in extract_and_load(warehouse, config, "yandex_direct", LAST_DAY)}

    # Campaigns: alpha 70001, 70002 x 2 days, beta 80001 x 2 days; ad groups: alpha's 3, beta's empty report.
    assert (results["campaign_daily"].rows_inserted, results["ad_group_daily"].rows_inserted) == (6, 3)
    spend = warehouse.execute(
        "select client_login, currency_code, sum(cost_micros), sum(clicks), sum(impressions), sum(conversions),"
        " count(conversions) from raw.yandex_direct__campaign_daily group by 1, 2 order by 1"
    ).fetchall()
    assert spend == [
        # 1,500,000,000 + 750,500,000 + 1,320,250,000 + 600,000,000 micros; 60+25+55+20 clicks;
        # 1200+5000+1000+4000 impressions; conversions 3 + 2, the smart banners' "--" are nulls.
        ("client-alpha", "RUB", 4_170_750_000, 160, 11_200, Decimal(5), 2),
        # 2,000,000,000 + 2,250,000,000; 40 + 45; 800 + 900; 4 + 5.
        ("client-beta", "KZT", 4_250_000_000, 85, 1_700, Decimal(9), 2),
    ]
    # 900,000,000 + 600,000,000 + 1,320,250,000 micros.
    ad_groups = warehouse.execute("select sum(cost_micros), count(*) from raw.yandex_direct__ad_group_daily")
    assert ad_groups.fetchone() == (2_820_250_000, 3)

    # The currency once per login for the whole run, though two streams read each login.
    clients = [r for r in replay.requests if r.path == CLIENTS]
    assert sorted(r.headers["client-login"] for r in clients) == list(LOGINS)
    assert clients[0].json() == {"method": "get", "params": {"FieldNames": ["Login", "Currency"]}}
    # Every report request: the token, the client, the documented headers; the first run's 90 days.
    for request in reports(replay):
        assert request.headers["authorization"] == f"Bearer {TOKEN}"
        assert request.headers["accept-language"] == "en"
        assert request.headers["processingmode"] == "auto"
        assert request.headers["returnmoneyinmicros"] == "true"
        assert (request.headers["skipreportheader"], request.headers["skipreportsummary"]) == ("true", "true")
        params = request.json()["params"]
        assert params["SelectionCriteria"] == {"DateFrom": "2025-12-11", "DateTo": "2026-03-10"}
        assert (params["DateRangeType"], params["Format"], params["IncludeVAT"]) == ("CUSTOM_DATE", "TSV", "NO")
    campaign_fields = reports(replay)[0].json()["params"]["FieldNames"]
    assert campaign_fields == ["Date", "CampaignId", "CampaignName", "CampaignType", "Impressions", "Clicks", "Cost",
                               "Conversions"]  # fmt: skip
    # No report asked for twice: each (login, report type) once, each under a name of its own.
    asked = [(r.headers["client-login"], r.json()["params"]["ReportType"]) for r in reports(replay)]
    assert len(asked) == len(set(asked)) == 4
    assert len({r.json()["params"]["ReportName"] for r in reports(replay)}) == 4

    origin, extra = warehouse.execute(
        "select _source_origin, _extra from raw.yandex_direct__campaign_daily where campaign_id = '80001'"
        " and date = '2026-03-10'"
    ).fetchone()
    assert origin.startswith(f"{replay.url}{REPORTS} (client client-beta, 2025-12-11..2026-03-10, report ")
    assert extra == {"Ctr": "5.00"}  # a column the stream does not know is kept


def test_an_offline_report_is_asked_for_again_after_retry_in(warehouse, replay):
    script_clients(replay, LOGINS[0])
    script_report(replay, CAMPAIGNS, LOGINS[0], queued(201, 5), queued(202, 10))
    sleeps = Sleeps()
    api = YandexDirectApi(credentials(replay), LOGINS[:1], sleep=sleeps)

    result = load_stream(warehouse, CAMPAIGNS, api.pages(CAMPAIGNS, window()), window())

    assert result.rows_inserted == 4
    assert sleeps == [5.0, 10.0]  # retryIn of the 201, then of the 202
    # The same request three times: same body (so the same ReportName), same headers.
    bodies = [r.body for r in reports(replay)]
    assert len(bodies) == 3 and len(set(bodies)) == 1


def test_an_offline_report_not_ready_in_time_fails_clearly(warehouse, replay):
    script_clients(replay, LOGINS[0])
    replay.script("POST", REPORTS, queued(201, 30), queued(202, 30), queued(202, 30))
    sleeps = Sleeps()
    api = YandexDirectApi(credentials(replay, max_report_wait_seconds=60), LOGINS[:1], sleep=sleeps)

    with pytest.raises(ApiError, match=r"client client-alpha: report .* still not ready \(HTTP 202\) after 60 s"):
        load_stream(warehouse, CAMPAIGNS, api.pages(CAMPAIGNS, window()), window())
    assert sleeps == [30.0, 30.0]


@pytest.mark.parametrize(
    ("first", "expected_sleep"),
    [
        (Reply(429, {"error": {"error_code": 56, "error_string": "Limit exceeded"}}, {"Retry-After": "3"}), 3.0),
        (Reply.file(PAYLOADS / "error_queue_limit.json", status=400), None),  # Yandex's limit: backoff 0.5..1 s
        (Reply(500, "upstream unavailable", {"Content-Type": "text/plain"}), None),
        (Reply(502, "request timed out", {"Content-Type": "text/plain"}), None),
    ],
    ids=["429-retry-after", "400-queue-limit-9000", "500", "502"],
)
def test_throttling_and_outages_are_retried_as_asked(warehouse, replay, first, expected_sleep):
    script_clients(replay, *LOGINS)
    script_report(replay, CAMPAIGNS, LOGINS[0], first)
    script_report(replay, CAMPAIGNS, LOGINS[1])
    sleeps = Sleeps()
    api = YandexDirectApi(credentials(replay), LOGINS, sleep=sleeps)

    result = load_stream(warehouse, CAMPAIGNS, api.pages(CAMPAIGNS, window()), window())

    assert result.rows_inserted == 6
    assert len(sleeps) == 1
    if expected_sleep is None:
        assert 0.5 <= sleeps[0] <= 1.0
    else:
        assert sleeps[0] == expected_sleep
    assert [r.headers["client-login"] for r in reports(replay)] == [LOGINS[0], LOGINS[0], LOGINS[1]]


def test_a_refused_report_names_yandex_error_and_is_not_retried(warehouse, replay):
    script_clients(replay, LOGINS[0])
    replay.script("POST", REPORTS, Reply.file(PAYLOADS / "error_invalid_request.json", status=400))
    sleeps = Sleeps()
    api = YandexDirectApi(credentials(replay), LOGINS[:1], sleep=sleeps)

    with pytest.raises(ApiError) as error:
        load_stream(warehouse, CAMPAIGNS, api.pages(CAMPAIGNS, window()), window())

    message = str(error.value)
    assert message.startswith(f"yandex_direct/campaign_daily: POST {replay.url}{REPORTS}: client client-alpha: ")
    assert "HTTP 400: Invalid request parameters (error_code 4000): Field AdGroupId is not supported" in message
    assert "[request_id 8485749236521597384]" in message
    assert TOKEN not in message
    assert sleeps == []
    failure = warehouse.execute("select source, stream, error from ops.load_failures").fetchone()
    assert failure[:2] == ("yandex_direct", "campaign_daily") and "error_code 4000" in failure[2]


def test_a_clients_error_answered_with_200_is_an_error(warehouse, replay):
    replay.script("POST", CLIENTS, Reply.file(PAYLOADS / "error_no_rights.json"))
    api = YandexDirectApi(credentials(replay), ["client-gamma"])

    with pytest.raises(ApiError, match=r"client client-gamma: No rights \(error_code 54\): The login client-gamma"):
        load_stream(warehouse, CAMPAIGNS, api.pages(CAMPAIGNS, window()), window())
    assert reports(replay) == []


def test_a_row_lacking_a_required_field_is_quarantined_and_the_rest_loads(warehouse, replay):
    script_clients(replay, LOGINS[1])
    replay.script("POST", REPORTS, report("campaign_daily_missing_campaign_id.tsv"))
    api = YandexDirectApi(credentials(replay), LOGINS[1:])

    result = load_stream(warehouse, CAMPAIGNS, api.pages(CAMPAIGNS, window()), window())

    assert (result.rows_inserted, result.rows_quarantined) == (1, 1)
    field, reason, line, origin = warehouse.execute(
        "select field, reason, line, origin from quarantine.rejected_rows where source = 'yandex_direct'"
    ).fetchone()
    assert (field, reason, line) == ("CampaignId", "required field is empty", 2)  # "--" in line 2 of the report
    assert origin.startswith(f"{replay.url}{REPORTS} (client client-beta, 2026-03-09..2026-03-10, report ")


def test_an_empty_report_loads_nothing_and_keeps_the_other_login(warehouse, replay):
    script_clients(replay, *LOGINS)
    for login in LOGINS:
        script_report(replay, AD_GROUPS, login)
    load_stream(warehouse, AD_GROUPS, YandexDirectApi(credentials(replay), LOGINS).pages(AD_GROUPS, window()), window())

    # Beta's report is the header alone: no row, and alpha's rows are not touched.
    script_clients(replay, LOGINS[1])
    script_report(replay, AD_GROUPS, LOGINS[1])
    api = YandexDirectApi(credentials(replay), LOGINS[1:])
    result = load_stream(warehouse, AD_GROUPS, api.pages(AD_GROUPS, window()), window())

    assert (result.rows_read, result.rows_inserted, result.rows_deleted) == (0, 0, 0)
    counts = warehouse.execute("select client_login, count(*) from raw.yandex_direct__ad_group_daily group by 1")
    assert counts.fetchall() == [("client-alpha", 3)]


def test_money_in_currency_units_is_scaled_to_micros(warehouse, replay):
    script_clients(replay, LOGINS[0])
    replay.script("POST", REPORTS, report("campaign_daily_in_units.tsv"))
    api = YandexDirectApi(credentials(replay, money_in_micros=False, include_vat=True), LOGINS[:1])

    load_stream(warehouse, CAMPAIGNS, api.pages(CAMPAIGNS, window()), window())

    request = reports(replay)[0]
    assert request.headers["returnmoneyinmicros"] == "false"
    assert request.json()["params"]["IncludeVAT"] == "YES"
    # 1500.5 and 1320.25 RUB as 1,500,500,000 and 1,320,250,000 micros.
    assert warehouse.execute(
        "select date, cost_micros from raw.yandex_direct__campaign_daily order by 1"
    ).fetchall() == [(date(2026, 3, 9), 1_500_500_000), (date(2026, 3, 10), 1_320_250_000)]
