"""The Salesforce connector against a replay server, loading into the real embedded Postgres.

The payloads in fixtures/replay/salesforce are REST query (queryAll) responses, sObject describes
and error bodies as Salesforce documents them; the token response is written here, since it names
the org's instance URL, the replay server's. Leads: ReplA and ReplB on page 1, ReplC (with a
field no column reads) and a record without Id on page 2, ReplE (deleted) on page 3.
Opportunities: ReplA 12,000.50 EUR won and ReplB 800 USD open.
"""

import json
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from smarketing.config import load_config
from smarketing.extract import salesforce
from smarketing.extract.cursors import Cursors, load_with_cursors
from smarketing.extract.http import ApiError
from smarketing.extract.salesforce_api import Credentials, SalesforceApi
from smarketing.extract.streams import Window
from smarketing.load import ensure_raw_table
from smarketing.pipeline import extract_and_load
from tests.replay import ReplayServer, Reply

pytestmark = pytest.mark.integration

PAYLOADS = Path(__file__).parent.parent / "fixtures" / "replay" / "salesforce"
LEADS, CONTACTS, OPPORTUNITIES, CONTACT_ROLES, CAMPAIGNS, CAMPAIGN_MEMBERS = salesforce.STREAMS
LAST_DAY = date(2026, 3, 10)
DATA = "/services/data/v62.0"
QUERY_ALL, TOKEN_PATH = f"{DATA}/queryAll", "/services/oauth2/token"
DESCRIBE = f"{DATA}/sobjects/Opportunity/describe"
ACCESS_TOKEN = "00D5g000004Replay!AQ4AQFakeAccessToken"
CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN = "3MVG9replay.client.id", "replay-client-secret", "5Aep861replay.refresh"
EMPTY = Reply(200, {"totalSize": 0, "done": True, "records": []})


@pytest.fixture
def replay():
    with ReplayServer() as server:
        yield server


class Sleeps(list):
    def __call__(self, seconds):
        self.append(seconds)


def window():
    return Window(date(2026, 3, 9), LAST_DAY, ZoneInfo("UTC"))


def credentials(replay, **options):
    return Credentials(replay.url, CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN, **options)


def script_token(replay):
    token = {"access_token": ACCESS_TOKEN, "instance_url": replay.url, "id": f"{replay.url}/id/00D5g/0055g",
             "token_type": "Bearer", "issued_at": "1773043200000", "signature": "c2lnbmF0dXJl"}  # fmt: skip
    replay.script("POST", TOKEN_PATH, Reply(200, token))


def of_object(name):
    return lambda request: f" FROM {name} WHERE " in request.query.get("q", [""])[0]


def query_of(replay, name):
    return next(r.query["q"][0] for r in replay.requests if of_object(name)(r))


def script_leads(replay):
    replay.script("GET", QUERY_ALL, Reply.file(PAYLOADS / "leads_page_1.json"), match=of_object("Lead"))
    for locator, page in (("2", "leads_page_2.json"), ("4", "leads_page_3.json")):
        replay.script("GET", f"{DATA}/query/01gRO0000016PIAYA2-{locator}", Reply.file(PAYLOADS / page))


def loaded(warehouse, stream, window_=None):
    cursors = Cursors.read(warehouse, stream)
    return cursors, lambda api: load_with_cursors(
        warehouse, stream, api.pages(stream, window_ or window(), cursors), window_ or window(), cursors
    )


def saved_cursor(warehouse, stream):
    return Cursors.read(warehouse, stream).get("")


@pytest.fixture
def config(tmp_path, replay, monkeypatch):
    connection = {"conn_type": "http", "host": replay.url, "login": CLIENT_ID, "password": CLIENT_SECRET,
                  "extra": {"refresh_token": REFRESH_TOKEN, "api_version": "v62.0"}}  # fmt: skip
    monkeypatch.setenv("AIRFLOW_CONN_SALESFORCE_REPLAY", json.dumps(connection))
    path = tmp_path / "smarketing.yml"
    path.write_text(
        """
timezone: Europe/Berlin
sources:
  salesforce: {conn_id: salesforce_replay}
report: {recipients: [a@example.org], sender: b@example.org}
"""
    )
    return load_config(path)


def test_every_stream_loads_through_the_pipeline(warehouse, replay, config):
    script_token(replay)
    script_leads(replay)
    replay.script("GET", QUERY_ALL, EMPTY, match=of_object("Contact"))  # nothing changed: an empty result
    replay.script("GET", DESCRIBE, Reply.file(PAYLOADS / "opportunity_describe_multi_currency.json"))
    replay.script("GET", QUERY_ALL, Reply.file(PAYLOADS / "opportunities_multi_currency.json"),
                  match=of_object("Opportunity"))  # fmt: skip
    for name in ("OpportunityContactRole", "Campaign", "CampaignMember"):
        replay.script("GET", QUERY_ALL, EMPTY, match=of_object(name))

    results = {r.stream: r for r in extract_and_load(warehouse, config, "salesforce", LAST_DAY)}

    counts = {name: (r.rows_inserted, r.rows_quarantined) for name, r in results.items()}
    # leads: ReplA, ReplB, ReplC, ReplE of the 5 records over 3 pages; the one without Id quarantined.
    assert counts == {"leads": (4, 1), "contacts": (0, 0), "opportunities": (2, 0),
                      "opportunity_contact_roles": (0, 0), "campaigns": (0, 0), "campaign_members": (0, 0)}  # fmt: skip

    # One token exchange for the whole run, as the OAuth refresh-token grant.
    grant = {"grant_type": "refresh_token", "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
             "refresh_token": REFRESH_TOKEN}  # fmt: skip
    assert [r.form() for r in replay.requests if r.path == TOKEN_PATH] == [grant]
    assert all(r.headers["authorization"] == f"Bearer {ACCESS_TOKEN}" for r in replay.requests if r.path != TOKEN_PATH)

    # The first run reads the 90-day history of Europe/Berlin, 2025-12-11..2026-03-10 (CET, UTC+1
    # on both ends: summer time starts 03-29), as unquoted SOQL dateTime literals in UTC.
    lead_query = query_of(replay, "Lead")
    fields = ", ".join(column.path for column in LEADS.columns if column.path != "attributes")
    assert lead_query == (
        f"SELECT {fields} FROM Lead WHERE SystemModstamp >= 2025-12-10T23:00:00Z"
        " AND SystemModstamp < 2026-03-10T23:00:00Z ORDER BY SystemModstamp"
    )
    # A multi-currency org: the describe lists CurrencyIsoCode, so the query asks for it.
    assert ", CurrencyIsoCode, " in query_of(replay, "Opportunity")

    # Pages 2 and 3 follow nextRecordsUrl as given, without the query; no request was made twice.
    asked = [(r.method, r.path, json.dumps(r.query, sort_keys=True)) for r in replay.requests]
    assert len(asked) == len(set(asked)) == 1 + 3 + 1 + 1 + 1 + 3
    assert [r.query for r in replay.requests if r.path.startswith(f"{DATA}/query/")] == [{}, {}]

    rows = warehouse.execute('select "Id", "Status", "IsDeleted", _extra from raw.salesforce__leads order by 1')
    assert rows.fetchall() == [
        ("00Q5g00000ReplAAA", "Open - Not Contacted", False, None),
        ("00Q5g00000ReplBAA", "Working - Contacted", False, None),
        ("00Q5g00000ReplCAA", "Open - Not Contacted", False, {"Rating": "Warm"}),  # no column reads Rating
        ("00Q5g00000ReplEAA", "Closed - Not Converted", True, None),  # queryAll: in the recycle bin
    ]
    rejected = warehouse.execute("select origin, line, field, reason from quarantine.rejected_rows").fetchall()
    assert rejected == [
        (
            f"{replay.url}{DATA}/query/01gRO0000016PIAYA2-2 (page 2: SystemModstamp "
            "2025-12-10T23:00:00Z..2026-03-10T23:00:00Z, 2025-12-11..2026-03-10)",
            2,
            "Id",
            "required field is missing",
        )
    ]
    # 12,000.50 EUR + 800 USD, each in its own currency.
    money = warehouse.execute('select "CurrencyIsoCode", "Amount" from raw.salesforce__opportunities order by 1')
    assert money.fetchall() == [("EUR", 12000.5), ("USD", 800)]

    # The cursors, saved with the loads: the highest SystemModstamp read (ReplE's, 03-10 07:15; the
    # opportunities' ReplB, 03-10 06:00); none for a stream that read nothing.
    assert saved_cursor(warehouse, LEADS) == "2026-03-10T07:15:00+00:00"
    assert saved_cursor(warehouse, OPPORTUNITIES) == "2026-03-10T06:00:00+00:00"
    assert saved_cursor(warehouse, CONTACTS) is None


@pytest.mark.parametrize(
    ("first", "expected_sleep"),
    [
        (Reply(429, "Too Many Requests", {"Retry-After": "7", "Content-Type": "text/plain"}), 7.0),
        (Reply(503, "<html>Service Unavailable</html>", {"Content-Type": "text/html"}), None),  # backoff: 0.5..1 s
        # Too many long requests at once: the same error code as the daily limit, but passing.
        (Reply(403, [{"message": "ConcurrentPerOrgLongTxn Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}]),
         None),
    ],
    ids=["429-retry-after", "503", "concurrent-limit"],
)  # fmt: skip
def test_throttling_and_outages_are_retried_as_asked(warehouse, replay, first, expected_sleep):
    script_token(replay)
    replay.script("GET", QUERY_ALL, first, Reply.file(PAYLOADS / "leads_page_3.json"))
    sleeps = Sleeps()
    _, load = loaded(warehouse, LEADS)

    result = load(SalesforceApi(credentials(replay), sleep=sleeps))

    assert result.rows_inserted == 1  # ReplE
    assert len(sleeps) == 1
    if expected_sleep is None:
        assert 0.5 <= sleeps[0] <= 1.0
    else:
        assert sleeps[0] == expected_sleep
    assert [r.path for r in replay.requests] == [TOKEN_PATH, QUERY_ALL, QUERY_ALL]  # the retry, no new token


def test_the_daily_request_limit_fails_at_once_and_saves_no_cursor(warehouse, replay):
    script_token(replay)
    replay.script("GET", QUERY_ALL, Reply.file(PAYLOADS / "leads_page_1.json"))
    replay.script("GET", f"{DATA}/query/01gRO0000016PIAYA2-2", Reply.file(PAYLOADS / "request_limit_exceeded.json",
                                                                           status=403))  # fmt: skip
    ensure_raw_table(warehouse, LEADS)
    sleeps = Sleeps()
    _, load = loaded(warehouse, LEADS)

    with pytest.raises(ApiError) as error:
        load(SalesforceApi(credentials(replay), sleep=sleeps))

    assert "HTTP 403: REQUEST_LIMIT_EXCEEDED: TotalRequests Limit exceeded." in str(error.value)
    assert "API requests of the last 24 hours are used up" in str(error.value)
    assert ACCESS_TOKEN not in str(error.value)
    assert sleeps == []  # not retried: the allowance frees up over hours, not seconds
    assert saved_cursor(warehouse, LEADS) is None  # page 1 advanced it in memory only
    assert warehouse.execute("select count(*) from raw.salesforce__leads").fetchone() == (0,)


def test_a_single_currency_org_gets_the_connections_currency(warehouse, replay):
    script_token(replay)
    replay.script("GET", DESCRIBE, Reply.file(PAYLOADS / "opportunity_describe_single_currency.json"))
    replay.script("GET", QUERY_ALL, Reply.file(PAYLOADS / "opportunities_single_currency.json"))
    _, load = loaded(warehouse, OPPORTUNITIES)

    result = load(SalesforceApi(credentials(replay, currency="EUR")))

    assert result.rows_inserted == 1
    # CurrencyIsoCode would fail the query in this org (INVALID_FIELD): it is not asked for.
    query = query_of(replay, "Opportunity")
    assert "CurrencyIsoCode" not in query
    assert query.startswith("SELECT Id, Name, AccountId, Amount, StageName, IsWon, ")
    money = warehouse.execute('select "CurrencyIsoCode", "Amount" from raw.salesforce__opportunities').fetchall()
    assert money == [("EUR", 12000.5)]


def test_a_single_currency_org_without_a_currency_is_a_clear_error(warehouse, replay):
    script_token(replay)
    replay.script("GET", DESCRIBE, Reply.file(PAYLOADS / "opportunity_describe_single_currency.json"))
    api = SalesforceApi(credentials(replay))

    with pytest.raises(ValueError, match=r"the org has one currency .*extra `currency`"):
        list(api.pages(OPPORTUNITIES, window()))


def test_a_refused_refresh_token_names_the_oauth_error(warehouse, replay):
    replay.script("POST", TOKEN_PATH, Reply.file(PAYLOADS / "invalid_grant.json", status=400))
    sleeps = Sleeps()

    with pytest.raises(ApiError, match="HTTP 400: expired access/refresh token") as error:
        list(SalesforceApi(credentials(replay), sleep=sleeps).pages(LEADS, window()))

    assert REFRESH_TOKEN not in str(error.value) and CLIENT_SECRET not in str(error.value)
    assert sleeps == []
