"""HubSpot CRM API: contacts, deals and engagements by the CRM search API, owners by their list.

A search page becomes exactly the record shape of a list response requested with
`associations=contacts` (what a file drop holds and smarketing.extract.hubspot reads): search
results carry no associations, so each page's deal -> contact and engagement -> contact
associations are read with the v4 batch API and put under `associations.contacts.results`.

The run's window is the query: last-modified GTE its start and LT its end, ascending. One search
query pages through at most 10,000 results, so near the cap a new query starts at the last
modified value seen; records of exactly that value come again and the loader merges them by id.
The cursor keeps the highest modified value loaded and where a capped query restarted.

Connection (Airflow): host = API base URL (default https://api.hubapi.com), password = a private
app's access token. One token reads one portal: HubSpot has no accounts to list.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import httpx

from smarketing.extract.http import (
    DEFAULT_RETRY,
    HttpClient,
    RetryPolicy,
    Throttled,
    airflow_connection,
    api_message,
    connection_base_url,
    retry_after_seconds,
)
from smarketing.extract.records import Page, SourceDataError
from smarketing.extract.streams import Stream, Window

if TYPE_CHECKING:
    from smarketing.config import SourceConfig
    from smarketing.extract.cursors import Cursors

DEFAULT_BASE_URL = "https://api.hubapi.com"
PORTAL = ""  # the cursors' account: a token reads one portal
# Contacts name their last-modified property differently from every other object type.
MODIFIED_PROPERTY = {"contacts": "lastmodifieddate"}
DEFAULT_MODIFIED_PROPERTY = "hs_lastmodifieddate"
SEARCH_PAGE_SIZE, MAX_SEARCH_PAGE_SIZE = 100, 200
# A search query pages through at most this many results; asking past it is a 400.
SEARCH_RESULT_CAP = 10_000
# HubSpot's search endpoints allow 5 requests per second per portal, and their responses carry no
# rate-limit headers to steer by: a run keeps below that rate instead of learning it from 429s.
SEARCH_INTERVAL = 0.2
OWNERS_PAGE_SIZE = 100
# Without a Retry-After, a throttled request waits out the window its policy counts in.
POLICY_WINDOW_SECONDS = {"TEN_SECONDLY_ROLLING": 10.0, "SECONDLY": 1.0}


@dataclass(frozen=True)
class Credentials:
    base_url: str
    access_token: str = field(repr=False)  # secrets stay out of reprs, so out of logs and tracebacks

    @classmethod
    def from_airflow(cls, conn_id: str) -> Credentials:
        """From the source's Airflow connection; its fields: docs/sources/hubspot.md."""
        conn = airflow_connection("hubspot", conn_id, ("password",))
        return cls(base_url=connection_base_url(conn.host, conn.port, DEFAULT_BASE_URL), access_token=conn.password)


def _error_body(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def throttling(response: httpx.Response) -> Throttled | None:
    """A 429 names the limit it hit (`policyName`): wait as Retry-After says, else for the policy's
    window. The daily limit resets at midnight of the portal: retrying it only shortens the backoff."""
    if response.status_code != 429:
        return None
    policy = _error_body(response).get("policyName")
    delay = retry_after_seconds(response.headers.get("Retry-After"))
    return Throttled(delay if delay is not None else POLICY_WINDOW_SECONDS.get(str(policy)))


def describe(response: httpx.Response) -> str:
    """HubSpot's category and message, and the correlation id its support asks for."""
    body = _error_body(response)
    if not body.get("message"):
        return api_message(response)
    words = f"{body['category']}: {body['message']}" if body.get("category") else str(body["message"])
    return f"{words} (correlationId {body['correlationId']})" if body.get("correlationId") else words


def _epoch_ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def _iso(epoch_ms: int) -> str:
    return datetime.fromtimestamp(epoch_ms / 1000, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _modified_ms(record: Any, prop: str) -> int | None:
    """A record's last-modified value in epoch ms (search returns ISO text), None when unreadable."""
    if not isinstance(record, dict):
        return None
    value = (record.get("properties") or {}).get(prop) or record.get("updatedAt")
    if not isinstance(value, str):
        return None
    if value.isdigit():
        return int(value)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return _epoch_ms(moment) if moment.tzinfo else None


def _next_after(body: dict[str, Any]) -> str | None:
    after = ((body.get("paging") or {}).get("next") or {}).get("after")
    return str(after) if after not in (None, "") else None


class HubSpotApi:
    """Pages of one source run, with the private app token on every request."""

    def __init__(
        self,
        credentials: Credentials,
        *,
        page_size: int = SEARCH_PAGE_SIZE,
        search_interval: float = SEARCH_INTERVAL,
        policy: RetryPolicy = DEFAULT_RETRY,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not 1 <= page_size <= MAX_SEARCH_PAGE_SIZE:
            raise ValueError(f"hubspot: a search page holds 1 to {MAX_SEARCH_PAGE_SIZE} records, not {page_size}")
        self.page_size = page_size
        self._search_interval, self._sleep, self._clock = search_interval, sleep, clock
        self._last_search = float("-inf")
        self._http = HttpClient(
            "hubspot", credentials.base_url, headers={"Authorization": f"Bearer {credentials.access_token}"},
            throttle=throttling, describe=describe, policy=policy, sleep=sleep,
        )  # fmt: skip

    def close(self) -> None:
        self._http.close()

    def pages(self, stream: Stream, window: Window, cursors: Cursors) -> Iterator[Page]:
        if stream.name == "owners":
            return self._owners(stream, window)
        return self._search(stream, window, cursors)

    def _search(self, stream: Stream, window: Window, cursors: Cursors) -> Iterator[Page]:
        """One page per search response, the window's records in ascending last-modified order."""
        modified = MODIFIED_PROPERTY.get(stream.name, DEFAULT_MODIFIED_PROPERTY)
        declared = [column.path.split(".", 1)[1] for column in stream.columns if column.path.startswith("properties.")]
        properties = list(dict.fromkeys([*declared, modified]))  # the modified value steers a restart
        associated = any(column.path.startswith("associations.contacts.") for column in stream.columns)
        path = f"/crm/v3/objects/{stream.name}/search"
        start, end = _epoch_ms(window.start_utc), _epoch_ms(window.end_utc)
        after: str | None = None
        restarted_at: int | None = None
        high_water: int | None = None
        number = 0
        while True:
            request = {
                "filterGroups": [{"filters": [
                    {"propertyName": modified, "operator": "GTE", "value": str(start)},
                    {"propertyName": modified, "operator": "LT", "value": str(end)},
                ]}],
                "sorts": [{"propertyName": modified, "direction": "ASCENDING"}],
                "properties": properties,
                "limit": self.page_size,
            }  # fmt: skip
            if after is not None:
                request["after"] = after
            self._pace()
            response = self._http.request("POST", path, stream=stream.name, json=request)
            number += 1
            origin = (
                f"{response.request.url} (page {number}: {modified} from {_iso(start)}, after {after or 0}, {window})"
            )
            body = _json_object(stream, origin, response)
            records = body.get("results") or []
            if not isinstance(records, list):
                raise SourceDataError(stream, origin, "expected a list of records under 'results'")
            if associated and records:
                self._associate_contacts(stream, records)
            yield Page(origin=origin, body=body)
            seen = [value for record in records if (value := _modified_ms(record, modified)) is not None]
            if seen:
                high_water = max(seen) if high_water is None else max(high_water, *seen)
                cursor = {"lastmodified": _iso(high_water)}
                if restarted_at is not None:
                    cursor["restarted_from"] = _iso(restarted_at)
                cursors.advance(PORTAL, json.dumps(cursor))
            after = _next_after(body)
            if after is None:
                return
            if after.isdigit() and int(after) + self.page_size > SEARCH_RESULT_CAP:
                # Sorted ascending, so the highest value seen is where this query got to: a new
                # query from it. Without progress it would ask for the same page again.
                if high_water is None or high_water <= start:
                    reason = (
                        f"more than {SEARCH_RESULT_CAP} records have {modified} = {_iso(start)}: the search "
                        "API cannot page past them"
                    )
                    raise SourceDataError(stream, origin, reason)
                start, after, restarted_at = high_water, None, high_water

    def _pace(self) -> None:
        wait = self._last_search + self._search_interval - self._clock()
        if wait > 0:
            self._sleep(wait)
        self._last_search = self._clock()

    def _associate_contacts(self, stream: Stream, records: list[Any]) -> None:
        """Each record's associated contact ids, as a list response with `associations=contacts`
        has them. One batch request for the page; a record with more associations than one answer
        holds is asked again from its `paging.next.after`."""
        path = f"/crm/v4/associations/{stream.name}/contacts/batch/read"
        ids = [str(record["id"]) for record in records if isinstance(record, dict) and record.get("id") is not None]
        contacts: dict[str, dict[str, None]] = {record_id: {} for record_id in ids}
        # A page holds at most 200 records, within the 1,000 inputs one batch read takes.
        inputs: list[dict[str, str]] = [{"id": record_id} for record_id in ids]
        asked: set[tuple[str, str]] = set()
        while inputs:
            response = self._http.request("POST", path, stream=stream.name, json={"inputs": inputs})
            body = _json_object(stream, str(response.request.url), response)
            inputs = []
            try:
                for result in body.get("results") or []:
                    from_id = str(result["from"]["id"])
                    targets = contacts.setdefault(from_id, {})
                    targets.update(dict.fromkeys(str(to["toObjectId"]) for to in result.get("to") or []))
                    if (after := _next_after(result)) is not None and (from_id, after) not in asked:
                        asked.add((from_id, after))
                        inputs.append({"id": from_id, "after": after})
            except (KeyError, TypeError, AttributeError) as error:
                reason = f"an association result without {error}: expected from.id and to[].toObjectId"
                raise SourceDataError(stream, str(response.request.url), reason) from None
        for record in records:
            if isinstance(record, dict) and contacts.get(str(record.get("id"))):
                results = [{"id": contact_id} for contact_id in contacts[str(record["id"])]]
                record["associations"] = {"contacts": {"results": results}}

    def _owners(self, stream: Stream, window: Window) -> Iterator[Page]:
        """Every owner, active and then deactivated (HubSpot lists the two apart): engagements of
        a rep who left still name their owner."""
        for archived in ("false", "true"):
            after: str | None = None
            number = 0
            while True:
                params = {"limit": str(OWNERS_PAGE_SIZE), "archived": archived}
                if after is not None:
                    params["after"] = after
                response = self._http.request("GET", "/crm/v3/owners", stream=stream.name, params=params)
                number += 1
                origin = f"{response.request.url} (page {number}, {window})"
                body = _json_object(stream, origin, response)
                yield Page(origin=origin, body=body)
                after = _next_after(body)
                if after is None:
                    break


def _json_object(stream: Stream, origin: str, response: httpx.Response) -> dict[str, Any]:
    try:
        # NaN and Infinity are not JSON; as text they reach the typing, which rejects their row.
        body = json.loads(response.content, parse_constant=str)
    except json.JSONDecodeError as error:
        raise SourceDataError(stream, origin, f"not valid JSON (a cut-off response?): {error}") from None
    if not isinstance(body, dict):
        raise SourceDataError(stream, origin, "expected a JSON object")
    return body


def connect(settings: SourceConfig) -> HubSpotApi:
    """The API of one run, from the source's Airflow connection."""
    return HubSpotApi(Credentials.from_airflow(settings.conn_id))
