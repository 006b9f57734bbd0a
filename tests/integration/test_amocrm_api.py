"""The amoCRM API connector against a replay server, loading into the real embedded Postgres.

The payloads in fixtures/replay/amocrm are API v4 responses as documented (HAL: `_page`,
`_links.next`, `_embedded.<entity>`), of account 30001234 ("romashka"), window 2026-03-09..03-10
in Europe/Moscow (UTC+3): 2026-03-08 21:00 UTC = 1773003600 .. 2026-03-10 21:00 UTC = 1773176400.
Leads come in three pages (2, 2 and 1 leads; each links a next page) and a fourth answered 204.
Page 2 holds a lead without `id` and one with a field no stream declares.
"""

import json
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from smarketing.config import load_config
from smarketing.extract import amocrm
from smarketing.extract.amocrm_api import AmoCrmApi, Credentials
from smarketing.extract.cursors import Cursors
from smarketing.extract.http import DEFAULT_RETRY, ApiError, RetryPolicy
from smarketing.extract.streams import Window
from smarketing.load import load_stream
from smarketing.pipeline import extract_and_load
from tests.replay import ReplayServer, Reply

pytestmark = pytest.mark.integration

PAYLOADS = Path(__file__).parent.parent / "fixtures" / "replay" / "amocrm"
CONTACTS, LEADS, EVENTS, PIPELINES, ACCOUNT = amocrm.STREAMS
LAST_DAY = date(2026, 3, 10)
TOKEN = "amo-long-lived-token"
WINDOW_FROM, WINDOW_TO = "1773003600", str(1773176400 - 1)  # `to` is inclusive: the second before the end
PATHS = {
    "contacts": "/api/v4/contacts",
    "leads": "/api/v4/leads",
    "events": "/api/v4/events",
    "pipelines": "/api/v4/leads/pipelines",
    "account": "/api/v4/account",
}


@pytest.fixture
def replay():
    with ReplayServer() as server:
        yield server


class Sleeps(list):
    def __call__(self, seconds):
        self.append(seconds)


def window():
    return Window(date(2026, 3, 9), LAST_DAY, ZoneInfo("Europe/Moscow"))


def api(replay, sleeps=None, policy=DEFAULT_RETRY):
    """Unpaced, so the only sleeps are the retries' (recorded in `sleeps`)."""
    sleeps = Sleeps() if sleeps is None else sleeps
    return AmoCrmApi(Credentials(replay.url, TOKEN), sleep=sleeps, policy=policy, requests_per_second=0)


def on_page(number):
    return lambda request: request.query.get("page") == [str(number)]


def script_leads(replay, *before_page_2):
    """Pages 1-3, `before_page_2`: replies page 2 gets first (errors to retry), then 204 for page 4."""
    for number in (1, 2, 3):
        before = before_page_2 if number == 2 else ()
        replay.script("GET", PATHS["leads"], *before, Reply.file(PAYLOADS / f"leads_page_{number}.json"),
                      match=on_page(number))  # fmt: skip
    replay.script("GET", PATHS["leads"], Reply(204, b""), match=on_page(4))


def script_one_page(replay, stream):
    replay.script("GET", PATHS[stream.name], Reply.file(PAYLOADS / f"{stream.name}.json"))


def requested(replay, path):
    return [r for r in replay.requests if r.path == path]


@pytest.fixture
def config(tmp_path, replay, monkeypatch):
    connection = {"conn_type": "http", "host": replay.url, "password": TOKEN}
    monkeypatch.setenv("AIRFLOW_CONN_AMOCRM_REPLAY", json.dumps(connection))
    path = tmp_path / "smarketing.yml"
    path.write_text(
        """
timezone: Europe/Moscow
currency: RUB
history_days: 2
sources:
  amocrm: {conn_id: amocrm_replay}
report: {recipients: [a@example.org], sender: b@example.org}
"""
    )
    return load_config(path)


def test_an_account_loads_through_the_pipeline(warehouse, replay, config):
    script_one_page(replay, CONTACTS)
    script_leads(replay)
    for stream in (EVENTS, PIPELINES, ACCOUNT):
        script_one_page(replay, stream)

    results = {r.stream: r for r in extract_and_load(warehouse, config, "amocrm", LAST_DAY)}

    # Leads: 2 + 2 + 1 in the pages, the one without id quarantined; contacts 501-503; 4 events;
    # pipelines 7001 and 7002; the account.
    loaded = {name: (r.rows_inserted, r.rows_quarantined) for name, r in results.items()}
    assert loaded == {"contacts": (3, 0), "leads": (4, 1), "events": (4, 0), "pipelines": (2, 0), "account": (1, 0)}
    # 150,000 (won) + 80,000 (lost) + 20,000 + 0 roubles, integers as amoCRM sends them.
    leads = warehouse.execute(
        "select id, name, price, status_id, pipeline_id, loss_reason -> 0 ->> 'name', closed_at, contacts "
        "from raw.amocrm__leads order by id"
    ).fetchall()
    assert sum(row[2] for row in leads) == 250_000
    won, lost, open_lead, partner_lead = leads
    assert won[:5] == (1001, "Поставка оборудования", 150_000, "142", 7001)
    assert won[6].isoformat() == "2026-03-09T12:00:00+00:00"  # closed_at 1773057600, Unix seconds
    assert lost[3:6] == ("143", 7001, "Дорого")
    # The embedded contacts (`with=contacts`) land in raw: lead 1004 has 501 (main) and 503.
    assert [(c["id"], c["is_main"]) for c in open_lead[7]] == [(501, True), (503, False)]
    assert partner_lead[7] == []

    rejected = warehouse.execute(
        "select stream, origin, line, field, reason from quarantine.rejected_rows where source = 'amocrm'"
    ).fetchall()
    assert len(rejected) == 1
    stream, origin, line, field, reason = rejected[0]
    assert (stream, line, field, reason) == ("leads", 1, "id", "required field is missing")
    assert origin.startswith(f"{replay.url}/api/v4/leads?") and origin.endswith(
        "(account 127.0.0.1:" + replay.url.rsplit(":", 1)[1] + ", 2026-03-09..2026-03-10, page 2)"
    )

    # A field no stream declares is kept.
    extra = warehouse.execute("select _extra from raw.amocrm__leads where id = 1004").fetchone()[0]
    assert extra["is_price_modified_by_robot"] is True

    # Russian text round-trips: names, e-mails from custom fields, pipelines, the account.
    contact = warehouse.execute("select name, custom_fields_values from raw.amocrm__contacts where id = 502").fetchone()
    assert contact[0] == "Мария Соколова"
    assert [f["field_name"] for f in contact[1]] == ["Телефон", "Email"]
    pipelines = warehouse.execute("select id, name, statuses -> 1 ->> 'name' from raw.amocrm__pipelines order by id")
    assert pipelines.fetchall() == [
        (7001, "Воронка", "Первичный контакт"),
        (7002, "Партнёрская воронка", "Успешно реализовано"),
    ]
    account_row = warehouse.execute("select name, currency from raw.amocrm__account").fetchone()
    assert account_row == ("ООО «Ромашка»", "RUB")  # noqa: RUF001 - Cyrillic letters, as the company writes its name

    # Every request carries the token; the windowed ones ask for the window in Unix seconds.
    for request in replay.requests:
        assert request.headers["authorization"] == f"Bearer {TOKEN}"
    for path, field_name in (("contacts", "updated_at"), ("leads", "updated_at"), ("events", "created_at")):
        for request in requested(replay, PATHS[path]):
            assert request.query[f"filter[{field_name}][from]"] == [WINDOW_FROM]
            assert request.query[f"filter[{field_name}][to]"] == [WINDOW_TO]
    lead_requests = requested(replay, PATHS["leads"])
    assert lead_requests[0].query["with"] == ["contacts,loss_reason"]
    assert lead_requests[0].query["order[updated_at]"] == ["asc"]
    assert requested(replay, PATHS["events"])[0].query["filter[type]"] == [
        "lead_status_changed,incoming_call,outgoing_call"
    ]
    # No page twice: pages 1, 2, 3, then 4 (the 204); one request for every other stream.
    assert [r.query["page"] for r in lead_requests] == [["1"], ["2"], ["3"], ["4"]]
    asked = [(r.path, json.dumps(r.query, sort_keys=True)) for r in replay.requests]
    assert len(asked) == len(set(asked)) == 8

    # The cursors: the latest change (event) loaded, per account (the connection's host).
    account = replay.url.split("://")[1]
    assert Cursors.read(warehouse, LEADS).get(account) == "2026-03-10T11:00:00+00:00"
    assert Cursors.read(warehouse, CONTACTS).get(account) == "2026-03-10T06:50:00+00:00"
    assert Cursors.read(warehouse, EVENTS).get(account) == "2026-03-10T08:30:00+00:00"


@pytest.mark.parametrize(
    ("first", "expected_sleep"),
    [
        (Reply(429, b"", {"Retry-After": "3"}), 3.0),
        # amoCRM's block of an account that kept exceeding its rate: backed off like any throttling.
        (Reply(403, {"title": "Forbidden", "status": 403, "detail": "Account blocked"}), None),
        (Reply(502, "<html>Bad Gateway</html>", {"Content-Type": "text/html"}), None),
    ],
    ids=["429-retry-after", "403-blocked", "502"],
)
def test_throttling_and_outages_are_retried_as_asked(warehouse, replay, first, expected_sleep):
    script_leads(replay, first)
    sleeps = Sleeps()

    result = load_stream(warehouse, LEADS, api(replay, sleeps).pages(LEADS, window()), window())

    assert (result.rows_inserted, result.rows_quarantined) == (4, 1)
    assert len(sleeps) == 1
    if expected_sleep is None:
        assert 0.5 <= sleeps[0] <= 1.0  # the first backoff: 1 s scaled by a jitter in [0.5, 1]
    else:
        assert sleeps[0] == expected_sleep
    # Page 2 twice (the failure, its retry), every other page once.
    assert [r.query["page"][0] for r in requested(replay, PATHS["leads"])] == ["1", "2", "2", "3", "4"]


def test_requests_are_paced_to_seven_a_second(replay):
    script_leads(replay)
    now = [100.0]
    sleeps = Sleeps()

    def sleep(seconds):
        sleeps.append(seconds)
        now[0] += seconds

    paced = AmoCrmApi(Credentials(replay.url, TOKEN), sleep=sleep, clock=lambda: now[0])
    list(paced.pages(LEADS, window()))

    # Four requests at no time apart: the 2nd, 3rd and 4th wait 1/7 s each.
    assert sleeps == pytest.approx([1 / 7] * 3)


def test_an_empty_window_is_a_204_and_loads_nothing(warehouse, replay):
    replay.script("GET", PATHS["contacts"], Reply(204, b""))

    result = load_stream(warehouse, CONTACTS, api(replay).pages(CONTACTS, window()), window())

    assert (result.rows_read, result.rows_inserted) == (0, 0)
    assert len(replay.requests) == 1


def test_a_refused_token_is_a_clear_error_without_the_token(warehouse, replay):
    replay.script("GET", PATHS["contacts"], Reply.file(PAYLOADS / "unauthorized.json", status=401))
    sleeps = Sleeps()

    with pytest.raises(ApiError) as error:
        load_stream(warehouse, CONTACTS, api(replay, sleeps).pages(CONTACTS, window()), window())

    message = str(error.value)
    assert message.startswith(f"amocrm/contacts: GET {replay.url}/api/v4/contacts?")
    assert message.endswith("HTTP 401: Unauthorized; Неверный логин или пароль")
    assert TOKEN not in message
    assert sleeps == []  # not retried


def test_retries_give_up_after_max_attempts(warehouse, replay):
    busy = Reply(429, b"", {"Retry-After": "1"})
    replay.script("GET", PATHS["account"], busy, busy, busy)
    sleeps = Sleeps()

    with pytest.raises(ApiError, match=r"HTTP 429: .*\(gave up after 3 attempts\)"):
        load_stream(warehouse, ACCOUNT, api(replay, sleeps, RetryPolicy(max_attempts=3)).pages(ACCOUNT, window()),
                    window())  # fmt: skip
    assert sleeps == [1.0, 1.0]
