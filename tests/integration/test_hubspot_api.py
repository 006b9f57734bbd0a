"""The HubSpot connector against a replay server, loading into the real embedded Postgres.

The payloads in fixtures/replay/hubspot are CRM search, v4 batch association and owners
responses as HubSpot documents them. Contacts: 101 and 102 on page 1, 103 and a record without
`id` on page 2, 105 on page 3. Deals: 301 (contacts 101 and 102, then 103 on the association
answer's second page) and 302 (none). Owners: one active, one deactivated. Epoch milliseconds of
the filters are worked out by hand in the comments.
"""

import json
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from smarketing.cli import _dbt
from smarketing.config import load_config
from smarketing.extract import hubspot
from smarketing.extract.cursors import Cursors, load_with_cursors
from smarketing.extract.files import read_pages
from smarketing.extract.http import ApiError
from smarketing.extract.hubspot_api import Credentials, HubSpotApi
from smarketing.extract.records import SourceDataError
from smarketing.extract.streams import Window
from smarketing.load import ensure_raw_table, load_stream
from smarketing.pipeline import extract_and_load, prepare_warehouse
from tests.replay import ReplayServer, Reply

pytestmark = pytest.mark.integration

PAYLOADS = Path(__file__).parent.parent / "fixtures" / "replay" / "hubspot"
CONTACTS, DEALS, CALLS, EMAILS, MEETINGS, OWNERS = hubspot.STREAMS
LAST_DAY = date(2026, 3, 10)
TOKEN = "pat-eu1-replay-token"
# 2026-03-09T00:00Z: 20,521 days after 1970-01-01 (56 years with 14 leap days, then 31 + 28 + 8
# days of 2026) x 86,400 s; the window of 9 and 10 March in UTC ends two days later.
MARCH_9_MS, MARCH_11_MS = 1_773_014_400_000, 1_773_187_200_000


@pytest.fixture
def replay():
    with ReplayServer() as server:
        yield server


class Sleeps(list):
    def __call__(self, seconds):
        self.append(seconds)


def window():
    return Window(date(2026, 3, 9), LAST_DAY, ZoneInfo("UTC"))


def api(replay, sleep=None, **options):
    options.setdefault("search_interval", 0.0)  # pacing has a test of its own
    return HubSpotApi(Credentials(replay.url, TOKEN), sleep=Sleeps() if sleep is None else sleep, **options)


def search_path(object_type):
    return f"/crm/v3/objects/{object_type}/search"


def after_is(after):
    return lambda request: request.json().get("after") == after


def script_contacts(replay):
    replay.script("POST", search_path("contacts"), Reply.file(PAYLOADS / "contacts_page_1.json"), match=after_is(None))
    replay.script("POST", search_path("contacts"), Reply.file(PAYLOADS / "contacts_page_2.json"), match=after_is("2"))
    replay.script("POST", search_path("contacts"), Reply.file(PAYLOADS / "contacts_page_3.json"), match=after_is("4"))


def script_deals(replay):
    replay.script("POST", search_path("deals"), Reply.file(PAYLOADS / "deals_page_1.json"))
    associations = "/crm/v4/associations/deals/contacts/batch/read"
    replay.script("POST", associations, Reply.file(PAYLOADS / "deal_contacts_1.json"),
                  match=lambda r: "after" not in r.json()["inputs"][0])  # fmt: skip
    replay.script("POST", associations, Reply.file(PAYLOADS / "deal_contacts_2.json"),
                  match=lambda r: "after" in r.json()["inputs"][0])  # fmt: skip


def searches(replay, object_type="contacts"):
    return [r.json() for r in replay.requests if r.path == search_path(object_type)]


def saved_cursor(warehouse, stream):
    cursor = Cursors.read(warehouse, stream).get("")
    return None if cursor is None else json.loads(cursor)


def script_every_stream(replay, with_call=False):
    script_contacts(replay)
    script_deals(replay)
    for object_type in ("calls", "emails", "meetings"):  # nothing changed: an empty result, no paging
        if object_type == "calls" and with_call:
            replay.script("POST", search_path("calls"), Reply.file(PAYLOADS / "calls_page_1.json"))
            replay.script("POST", "/crm/v4/associations/calls/contacts/batch/read",
                          Reply.file(PAYLOADS / "call_contacts.json"))  # fmt: skip
        else:
            replay.script("POST", search_path(object_type), Reply(200, {"total": 0, "results": []}))
    replay.script("GET", "/crm/v3/owners", Reply.file(PAYLOADS / "owners_active.json"),
                  match=lambda r: r.query["archived"] == ["false"])  # fmt: skip
    replay.script("GET", "/crm/v3/owners", Reply.file(PAYLOADS / "owners_archived.json"),
                  match=lambda r: r.query["archived"] == ["true"])  # fmt: skip


@pytest.fixture
def config_path(tmp_path, replay, monkeypatch):
    connection = {"conn_type": "http", "host": replay.url, "password": TOKEN}
    monkeypatch.setenv("AIRFLOW_CONN_HUBSPOT_REPLAY", json.dumps(connection))
    path = tmp_path / "smarketing.yml"
    path.write_text(
        """
sources:
  hubspot: {conn_id: hubspot_replay}
report: {recipients: [a@example.org], sender: b@example.org}
"""
    )
    return path


@pytest.fixture
def config(config_path):
    return load_config(config_path)


def test_every_stream_loads_through_the_pipeline(warehouse, replay, config):
    script_every_stream(replay)

    results = {r.stream: r for r in extract_and_load(warehouse, config, "hubspot", LAST_DAY)}

    loaded = {name: (r.rows_inserted, r.rows_quarantined) for name, r in results.items()}
    # contacts: 101, 102, 103, 105 of the 5 records; the one without id quarantined.
    assert loaded == {"contacts": (4, 1), "deals": (2, 0), "calls": (0, 0), "emails": (0, 0), "meetings": (0, 0),
                      "owners": (2, 0)}  # fmt: skip
    assert warehouse.execute("select sum(hubspotscore) from raw.hubspot__contacts").fetchone()[0] == 150  # 55+20+70+5

    # The first run reads the 90-day history window of Europe/Berlin: 2025-12-11..2026-03-10, i.e.
    # 2025-12-10T23:00Z (20,432 days x 86,400 s + 23 h) to 2026-03-10T23:00Z (20,522 days + 23 h).
    first, *_ = searches(replay)
    assert first["filterGroups"] == [{"filters": [
        {"propertyName": "lastmodifieddate", "operator": "GTE", "value": "1765407600000"},
        {"propertyName": "lastmodifieddate", "operator": "LT", "value": "1773183600000"},
    ]}]  # fmt: skip
    assert first["sorts"] == [{"propertyName": "lastmodifieddate", "direction": "ASCENDING"}]
    assert first["limit"] == 100
    declared = {column.path.split(".", 1)[1] for column in CONTACTS.columns if column.path.startswith("properties.")}
    assert set(first["properties"]) == declared | {"lastmodifieddate"}
    deal_search = searches(replay, "deals")[0]
    assert deal_search["sorts"] == [{"propertyName": "hs_lastmodifieddate", "direction": "ASCENDING"}]
    assert all(r.headers["authorization"] == f"Bearer {TOKEN}" for r in replay.requests)

    # No page fetched twice: every request differs from every other.
    asked = [(r.method, r.path, r.body, json.dumps(r.query, sort_keys=True)) for r in replay.requests]
    assert len(asked) == len(set(asked)) == 3 + 1 + 2 + 3 + 2

    # Deal -> contact associations from the v4 batch API, the second answer page asked from its `after`.
    bodies = [r.json() for r in replay.requests if r.path.startswith("/crm/v4/")]
    assert bodies == [{"inputs": [{"id": "301"}, {"id": "302"}]}, {"inputs": [{"id": "301", "after": "MTAy"}]}]
    contact_ids = warehouse.execute("select id, contact_ids from raw.hubspot__deals order by id").fetchall()
    assert contact_ids == [("301", ["101", "102", "103"]), ("302", None)]

    extra = warehouse.execute("select _extra from raw.hubspot__contacts where id = '103'").fetchone()[0]
    assert extra["properties.hs_persona"] == "persona_2"  # a property the stream does not declare
    rejected = warehouse.execute("select origin, line, field, reason from quarantine.rejected_rows").fetchall()
    assert rejected == [
        (
            f"{replay.url}{search_path('contacts')} (page 2: lastmodifieddate from 2025-12-10T23:00:00.000Z, "
            "after 2, 2025-12-11..2026-03-10)",
            2,
            "id",
            "required field is missing",
        )
    ]

    owners = warehouse.execute("select id, first_name, user_id, teams, archived from raw.hubspot__owners order by 1")
    assert owners.fetchall() == [
        ("70000001", "Tom", None, None, True),
        ("71830412", "Sofia", 9100412, [{"id": "4401", "name": "Inbound SDR", "primary": True}], False),
    ]
    # The cursors, saved with the loads: the highest last-modified value of each stream read.
    assert saved_cursor(warehouse, CONTACTS) == {"lastmodified": "2026-03-10T07:15:00.000Z"}
    assert saved_cursor(warehouse, DEALS) == {"lastmodified": "2026-03-10T06:00:00.000Z"}
    assert saved_cursor(warehouse, CALLS) is None


def test_a_capped_search_restarts_from_the_last_modified_value_seen(warehouse, replay):
    # The first page's next `after` is 10,000: the search API serves no result past it.
    replay.script("POST", search_path("contacts"), Reply.file(PAYLOADS / "contacts_at_cap.json"), match=after_is(None))
    replay.script("POST", search_path("contacts"), Reply.file(PAYLOADS / "contacts_restarted.json"),
                  match=after_is(None))  # fmt: skip
    cursors = Cursors.read(warehouse, CONTACTS)

    result = load_with_cursors(warehouse, CONTACTS, api(replay, page_size=2).pages(CONTACTS, window(), cursors),
                               window(), cursors)  # fmt: skip

    first, restarted = searches(replay)
    assert "after" not in restarted
    # GTE 2026-03-09T11:00Z, the last value seen: MARCH_9_MS + 11 x 3,600,000; the end unchanged.
    assert restarted["filterGroups"][0]["filters"] == [
        {"propertyName": "lastmodifieddate", "operator": "GTE", "value": "1773054000000"},
        {"propertyName": "lastmodifieddate", "operator": "LT", "value": str(MARCH_11_MS)},
    ]
    assert first["filterGroups"][0]["filters"][0]["value"] == str(MARCH_9_MS)
    # 202 came twice (modified exactly at the restart point) and was merged: 201, 202, 203.
    assert (result.rows_inserted, result.rows_quarantined) == (3, 0)
    assert saved_cursor(warehouse, CONTACTS) == {
        "lastmodified": "2026-03-09T11:30:00.000Z",
        "restarted_from": "2026-03-09T11:00:00.000Z",
    }


def test_a_capped_search_without_progress_fails_instead_of_asking_again(warehouse, replay):
    # Every record up to the cap was modified in the same millisecond as the window starts.
    record = {"id": "201", "properties": {"createdate": "2026-03-01T08:00:00.000Z",
              "lastmodifieddate": "2026-03-09T00:00:00.000Z"}, "updatedAt": "2026-03-09T00:00:00.000Z"}  # fmt: skip
    replay.script(
        "POST", search_path("contacts"), Reply(200, {"results": [record], "paging": {"next": {"after": "10000"}}})
    )
    cursors = Cursors.read(warehouse, CONTACTS)

    with pytest.raises(
        SourceDataError, match=r"more than 10000 records have lastmodifieddate = 2026-03-09T00:00:00\.000Z"
    ):
        load_with_cursors(warehouse, CONTACTS, api(replay).pages(CONTACTS, window(), cursors), window(), cursors)
    assert len(searches(replay)) == 1
    assert saved_cursor(warehouse, CONTACTS) is None


@pytest.mark.parametrize(
    ("first", "expected_sleep"),
    [
        (Reply(429, (PAYLOADS / "rate_limited.json").read_bytes(), {"Retry-After": "3"}), 3.0),
        (Reply.file(PAYLOADS / "rate_limited.json", status=429), 10.0),  # TEN_SECONDLY_ROLLING, no Retry-After
        (Reply(502, "<html>Bad Gateway</html>", {"Content-Type": "text/html"}), None),  # backoff: 0.5..1 s
    ],
    ids=["retry-after", "ten-secondly-policy", "502"],
)
def test_throttling_and_outages_are_retried_as_asked(warehouse, replay, first, expected_sleep):
    replay.script("POST", search_path("contacts"), first, Reply.file(PAYLOADS / "contacts_page_3.json"))
    sleeps = Sleeps()
    cursors = Cursors.read(warehouse, CONTACTS)

    result = load_with_cursors(warehouse, CONTACTS, api(replay, sleeps).pages(CONTACTS, window(), cursors), window(),
                               cursors)  # fmt: skip

    assert result.rows_inserted == 1  # 105
    assert len(sleeps) == 1
    if expected_sleep is None:
        assert 0.5 <= sleeps[0] <= 1.0
    else:
        assert sleeps[0] == expected_sleep
    assert len(searches(replay)) == 2  # the throttled request and its retry


def test_a_failed_load_saves_no_cursor_and_loads_nothing(warehouse, replay):
    replay.script("POST", search_path("contacts"), Reply.file(PAYLOADS / "contacts_page_1.json"), match=after_is(None))
    replay.script("POST", search_path("contacts"), Reply.file(PAYLOADS / "validation_error.json", status=400),
                  match=after_is("2"))  # fmt: skip
    ensure_raw_table(warehouse, CONTACTS)
    sleeps = Sleeps()
    cursors = Cursors.read(warehouse, CONTACTS)

    with pytest.raises(ApiError) as error:
        load_with_cursors(warehouse, CONTACTS, api(replay, sleeps).pages(CONTACTS, window(), cursors), window(),
                          cursors)  # fmt: skip

    assert "HTTP 400: VALIDATION_ERROR: Invalid input JSON" in str(error.value)
    assert "(correlationId 0ba5c8a6-5d24-4b40-9ec8-6b1f6f6b2b9e)" in str(error.value)
    assert TOKEN not in str(error.value)
    assert sleeps == []  # a refused request is not retried
    assert saved_cursor(warehouse, CONTACTS) is None  # page 1 advanced it in memory only
    assert warehouse.execute("select count(*) from raw.hubspot__contacts").fetchone() == (0,)
    assert warehouse.execute("select stream from ops.load_failures").fetchall() == [("contacts",)]


def test_an_empty_search_asks_for_no_associations(warehouse, replay):
    replay.script("POST", search_path("deals"), Reply(200, {"total": 0, "results": []}))
    cursors = Cursors.read(warehouse, DEALS)

    result = load_with_cursors(warehouse, DEALS, api(replay).pages(DEALS, window(), cursors), window(), cursors)

    assert (result.rows_read, result.rows_inserted) == (0, 0)
    assert [r.path for r in replay.requests] == [search_path("deals")]
    assert saved_cursor(warehouse, DEALS) is None


def test_searches_are_paced_below_five_a_second(warehouse, replay):
    script_contacts(replay)
    sleeps = Sleeps()
    cursors = Cursors.read(warehouse, CONTACTS)
    frozen_clock = lambda: 100.0  # noqa: E731 - every request seems to follow the last at once

    pages = api(replay, sleeps, search_interval=0.2, clock=frozen_clock).pages(CONTACTS, window(), cursors)
    assert len(list(pages)) == 3

    assert sleeps == pytest.approx([0.2, 0.2])  # before the second and the third search, none before the first


def test_an_engagement_names_its_rep_through_the_owners(warehouse_url, warehouse, replay, config, config_path,
                                                        monkeypatch):  # fmt: skip
    script_every_stream(replay, with_call=True)
    monkeypatch.setenv("SMARKETING_CONFIG", str(config_path))
    prepare_warehouse(warehouse, config)
    extract_and_load(warehouse, config, "hubspot", LAST_DAY)

    assert _dbt(warehouse_url, ["build", "--quiet", "--select", "stg_hubspot__owners", "stg_hubspot__engagements"]) == 0

    # Call 401 with contact 101, logged by owner 70000001: Tom Vogel, deactivated since.
    named = warehouse.execute(
        """select e.engagement_id, e.crm_record_id, e.direction, o.owner_name, o.is_archived
           from staging.stg_hubspot__engagements as e join staging.stg_hubspot__owners as o using (owner_id)"""
    ).fetchall()
    assert named == [("401", "101", "outbound", "Tom Vogel", True)]


def test_owners_load_from_a_file_drop_too(warehouse, tmp_path):
    (tmp_path / "owners").mkdir()
    for name in ("owners_active.json", "owners_archived.json"):
        (tmp_path / "owners" / name).write_bytes((PAYLOADS / name).read_bytes())

    result = load_stream(warehouse, OWNERS, read_pages(OWNERS, tmp_path), window())

    # No window column: an owner last changed long before the window (2025-12-31, 2026-02-11) is loaded.
    assert (result.rows_inserted, result.rows_quarantined) == (2, 0)
    extra = warehouse.execute("select _extra from raw.hubspot__owners where id = '70000001'").fetchone()[0]
    assert extra == {"type": "PERSON", "userIdIncludingInactive": 9000001}
