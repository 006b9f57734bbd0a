"""The Bitrix24 webhook connector against a replay server, loading into the real embedded Postgres.

fixtures/replay/bitrix24 holds responses in the documented shape (`{result, total, time}`;
`crm.stagehistory.list` nests its records in `result.items`). The leads come in three pages read
by ID (`>ID`, `start: -1`): two full pages of 50 made here (IDs 1-100, 100.00 RUB each) and the
last page's file (IDs 101 and 102, and one record without an ID). Expected numbers are summed
from them by hand.
"""

import json
import logging
from datetime import date
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from smarketing.config import load_config
from smarketing.extract import bitrix24
from smarketing.extract.bitrix24_api import Bitrix24Api, Credentials
from smarketing.extract.cursors import Cursors, load_with_cursors
from smarketing.extract.http import ApiError
from smarketing.extract.records import SourceDataError
from smarketing.extract.streams import Window
from smarketing.load import load_stream
from smarketing.pipeline import extract_and_load
from tests.replay import ReplayServer, Reply

pytestmark = pytest.mark.integration

PAYLOADS = Path(__file__).parent.parent / "fixtures" / "replay" / "bitrix24"
LEADS, DEALS, ACTIVITIES, LEAD_HISTORY, DEAL_HISTORY = bitrix24.STREAMS
USER_ID, SECRET = "1", "k7x2webhooksecret9q"
LAST_DAY = date(2026, 3, 10)
MOSCOW = ZoneInfo("Europe/Moscow")


@pytest.fixture
def replay():
    with ReplayServer() as server:
        yield server


def method_path(method):
    return f"/rest/{USER_ID}/{SECRET}/{method}.json"


def after(last_id):
    return lambda request: request.json()["filter"][">ID"] == last_id


def full_lead_page(first_id):
    """50 leads, as crm.lead.list sends a full page with start -1 (no `next`, no `total`)."""
    leads = [
        {"ID": str(lead_id), "TITLE": f"Lead {lead_id}", "STATUS_ID": "NEW", "OPPORTUNITY": "100.00",
         "CURRENCY_ID": "RUB", "DATE_CREATE": "2026-03-01T09:00:00+03:00", "DATE_MODIFY": "2026-03-01T09:00:00+03:00"}
        for lead_id in range(first_id, first_id + 50)
    ]  # fmt: skip
    return {"result": leads, "time": {"start": 1773162000.1, "finish": 1773162000.2, "duration": 0.1}}


def script_leads(replay, *before):
    """`before`: replies the first request gets first (errors to retry), then the three pages."""
    path = method_path("crm.lead.list")
    replay.script("POST", path, *before, Reply(200, full_lead_page(1)), match=after(0))
    replay.script("POST", path, Reply(200, full_lead_page(51)), match=after(50))
    replay.script("POST", path, Reply.file(PAYLOADS / "crm.lead.list_last_page.json"), match=after(100))


def entity_type_is(entity_type):
    return lambda request: request.json()["entityTypeId"] == entity_type


def script_single_pages(replay):
    replay.script("POST", method_path("crm.deal.list"), Reply.file(PAYLOADS / "crm.deal.list.json"))
    replay.script("POST", method_path("crm.activity.list"), Reply.file(PAYLOADS / "crm.activity.list.json"))
    for entity_type, name in ((1, "leads"), (2, "deals")):
        payload = Reply.file(PAYLOADS / f"crm.stagehistory.list_{name}.json")
        replay.script("POST", method_path("crm.stagehistory.list"), payload, match=entity_type_is(entity_type))


class Sleeps(list):
    def __call__(self, seconds):
        self.append(seconds)


def credentials(replay):
    return Credentials(base_url=replay.url, user_id=USER_ID, secret=SECRET)


def window():
    return Window(date(2026, 3, 1), LAST_DAY, MOSCOW)


def bodies(replay, method):
    return [r.json() for r in replay.requests if r.path == method_path(method)]


@pytest.fixture
def config(tmp_path, replay, monkeypatch):
    connection = {"conn_type": "http", "host": replay.url, "login": USER_ID, "password": SECRET}
    monkeypatch.setenv("AIRFLOW_CONN_BITRIX24_REPLAY", json.dumps(connection))
    path = tmp_path / "smarketing.yml"
    path.write_text(
        """
timezone: Europe/Moscow
currency: RUB
sources:
  bitrix24: {conn_id: bitrix24_replay}
report: {recipients: [a@example.org], sender: b@example.org}
"""
    )
    return load_config(path)


def test_every_stream_loads_through_the_pipeline(warehouse, replay, config):
    script_leads(replay)
    script_single_pages(replay)

    results = {r.stream: r for r in extract_and_load(warehouse, config, "bitrix24", LAST_DAY)}

    # Leads: 50 + 50 + 2 loaded, the record without an ID quarantined; the others one page each.
    counts = {name: (r.rows_inserted, r.rows_quarantined) for name, r in results.items()}
    assert counts == {"leads": (102, 1), "deals": (2, 0), "activities": (2, 0),
                      "lead_stage_history": (2, 0), "deal_stage_history": (2, 0)}  # fmt: skip
    # 100 x 100.00 + 250,000.50 (101) + 0.00 (102)
    assert warehouse.execute("select sum(opportunity) from raw.bitrix24__leads").fetchone() == (Decimal("260000.50"),)

    # Three lead pages, read on by the last ID of the one before, never one twice.
    leads = bodies(replay, "crm.lead.list")
    assert [body["filter"][">ID"] for body in leads] == [0, 50, 100]
    for body in leads:
        # The first run reads the 90-day history: 2025-12-11..2026-03-10, Moscow days.
        assert body == {
            "select": ["*", "EMAIL", "PHONE"],
            "filter": {">=DATE_MODIFY": "2025-12-11T00:00:00+03:00", "<DATE_MODIFY": "2026-03-11T00:00:00+03:00",
                       ">ID": body["filter"][">ID"]},
            "order": {"ID": "ASC"},
            "start": -1,
        }  # fmt: skip
    assert bodies(replay, "crm.activity.list")[0]["filter"] == {
        ">=LAST_UPDATED": "2025-12-11T00:00:00+03:00", "<LAST_UPDATED": "2026-03-11T00:00:00+03:00", ">ID": 0
    }  # fmt: skip
    history = bodies(replay, "crm.stagehistory.list")
    assert sorted(body["entityTypeId"] for body in history) == [1, 2]
    assert {body["filter"][">=CREATED_TIME"] for body in history} == {"2025-12-11T00:00:00+03:00"}
    assert len(replay.requests) == 3 + 4

    # Cyrillic round-trips; the multifields are kept whole; an unknown portal field lands in _extra.
    title, email, extra, origin = warehouse.execute(
        "select title, email, _extra, _source_origin from raw.bitrix24__leads where id = '101'"
    ).fetchone()
    assert title == "Заявка с сайта: Анна Смирнова"  # noqa: RUF001 - Cyrillic, as the lead was written
    assert email == [{"ID": "201", "VALUE_TYPE": "WORK", "VALUE": "anna@vektor.ru", "TYPE_ID": "EMAIL"}]
    assert extra == {"UF_CRM_1700000001": "Выставка «Металлообработка»"}
    assert origin == f"{replay.url}/rest/1/***/crm.lead.list.json (page 3: ID > 100, 2025-12-11..2026-03-10)"

    # The record without an ID: its page and field named, the webhook secret not.
    rejected = warehouse.execute(
        "select origin, line, field, reason from quarantine.rejected_rows where source = 'bitrix24'"
    ).fetchall()
    assert rejected == [(origin, 3, "ID", "required field is missing")]

    # The cursor: the latest DATE_MODIFY loaded (lead 101), saved with the load.
    assert Cursors.read(warehouse, LEADS).get("") == "2026-03-10T18:30:00+03:00"
    # Stage history ids arrive as JSON numbers and load as the text the other streams use.
    assert warehouse.execute(
        "select owner_id, stage_semantic_id from raw.bitrix24__deal_stage_history order by id"
    ).fetchall() == [("301", "P"), ("301", "S")]


@pytest.mark.parametrize(
    ("first", "expected_sleep"),
    [
        (Reply.file(PAYLOADS / "query_limit_exceeded.json", status=503), 1.0),  # the bucket drains 2 a second
        (Reply(429, {"error": "OPERATION_TIME_LIMIT"}, {"Retry-After": "2"}), 2.0),
        (Reply(502, "Bad Gateway", {"Content-Type": "text/plain"}), None),  # backoff: 0.5..1 s
    ],
    ids=["query-limit-exceeded", "retry-after", "502"],
)
def test_throttling_and_outages_are_retried_as_asked(warehouse, replay, caplog, first, expected_sleep):
    script_leads(replay, first)
    sleeps = Sleeps()
    api = Bitrix24Api(credentials(replay), sleep=sleeps)

    with caplog.at_level(logging.WARNING, logger="smarketing.extract.http"):
        result = load_stream(warehouse, LEADS, api.pages(LEADS, window()), window())

    assert (result.rows_inserted, result.rows_quarantined) == (102, 1)
    assert len(sleeps) == 1
    if expected_sleep is None:
        assert 0.5 <= sleeps[0] <= 1.0
    else:
        assert sleeps[0] == expected_sleep
    # The first page twice (the failure, its retry), the others once.
    assert [body["filter"][">ID"] for body in bodies(replay, "crm.lead.list")] == [0, 0, 50, 100]
    assert "/rest/1/***/crm.lead.list.json" in caplog.text
    assert SECRET not in caplog.text


def test_a_refused_webhook_is_a_clear_error_without_its_secret(warehouse, replay):
    replay.script("POST", method_path("crm.deal.list"), Reply.file(PAYLOADS / "invalid_credentials.json", status=401))
    sleeps = Sleeps()
    api = Bitrix24Api(credentials(replay), sleep=sleeps)

    with pytest.raises(ApiError) as error:
        load_stream(warehouse, DEALS, api.pages(DEALS, window()), window())

    message = str(error.value)
    assert message == (
        f"bitrix24/deals: POST {replay.url}/rest/1/***/crm.deal.list.json: "
        "HTTP 401: INVALID_CREDENTIALS: Invalid request credentials"
    )
    assert SECRET not in repr(api.credentials)
    assert sleeps == []  # not retried
    failure = warehouse.execute("select error from ops.load_failures").fetchone()[0]
    assert "INVALID_CREDENTIALS" in failure
    assert SECRET not in failure


def test_an_empty_result_is_one_request_and_no_rows(warehouse, replay):
    replay.script("POST", method_path("crm.activity.list"), Reply(200, {"result": [], "total": 0, "time": {}}))
    replay.script("POST", method_path("crm.stagehistory.list"), Reply(200, {"result": {"items": []}, "time": {}}))
    api = Bitrix24Api(credentials(replay))
    cursors = Cursors.read(warehouse, ACTIVITIES)

    activities = load_with_cursors(warehouse, ACTIVITIES, api.pages(ACTIVITIES, window(), cursors), window(), cursors)
    history = load_stream(warehouse, LEAD_HISTORY, api.pages(LEAD_HISTORY, window()), window())

    assert (activities.rows_read, history.rows_read) == (0, 0)
    assert len(replay.requests) == 2
    assert Cursors.read(warehouse, ACTIVITIES).get("") is None  # nothing read, nothing to resume from


def test_the_window_is_the_filter_and_the_cursor_keeps_the_latest(warehouse, replay):
    replay.script("POST", method_path("crm.deal.list"), Reply.file(PAYLOADS / "crm.deal.list.json"))
    api = Bitrix24Api(credentials(replay))
    cursors = Cursors.read(warehouse, DEALS)
    cursors.advance("", "2026-03-09T18:00:00+03:00")  # an earlier run's cursor, later than anything read now

    load_with_cursors(warehouse, DEALS, api.pages(DEALS, window(), cursors), window(), cursors)

    assert bodies(replay, "crm.deal.list")[0]["filter"] == {
        ">=DATE_MODIFY": "2026-03-01T00:00:00+03:00", "<DATE_MODIFY": "2026-03-11T00:00:00+03:00", ">ID": 0
    }  # fmt: skip
    assert Cursors.read(warehouse, DEALS).get("") == "2026-03-09T18:00:00+03:00"
    # Money as strings, in its own currency.
    assert warehouse.execute(
        "select id, opportunity, currency_id, lead_id from raw.bitrix24__deals order by id"
    ).fetchall() == [("301", Decimal("480000.00"), "RUB", "17"), ("302", Decimal("12500.00"), "USD", None)]


def test_a_full_page_that_reads_on_from_no_new_id_stops_the_load(warehouse, replay):
    # A portal that ignored the `>ID` filter would send the first page forever.
    replay.script("POST", method_path("crm.lead.list"), Reply(200, full_lead_page(1)), Reply(200, full_lead_page(1)))
    api = Bitrix24Api(credentials(replay))

    with pytest.raises(SourceDataError, match=r"page 2: ID > 50, .*: a full page without a new ID to read on from"):
        load_stream(warehouse, LEADS, api.pages(LEADS, window()), window())
