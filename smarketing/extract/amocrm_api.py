"""amoCRM (Kommo) API v4: the list endpoints page by page (`page`, `limit`), for the extract window.

Each response body is exactly what a file drop of amoCRM responses holds, so the streams of
smarketing.extract.amocrm read it unchanged; this module only fetches. Contacts and leads are
asked for by `filter[updated_at]`, events by `filter[created_at]`, both the run's window in Unix
seconds; the pipelines and the account are read whole.

One Airflow connection is one amoCRM account: host = https://<subdomain>.amocrm.ru (or
.kommo.com), password = a long-lived token or an OAuth access token, sent as a Bearer token.
amoCRM issues tokens per account, so a second account is a second connection, not an entry of
`accounts`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx

from smarketing.extract.amocrm import EVENT_TYPES
from smarketing.extract.http import (
    DEFAULT_RETRY,
    HttpClient,
    RetryPolicy,
    Throttled,
    airflow_connection,
    api_message,
    connection_base_url,
    safe_url,
)
from smarketing.extract.records import Page, SourceDataError
from smarketing.extract.streams import Stream, Window

if TYPE_CHECKING:
    from smarketing.config import SourceConfig
    from smarketing.extract.cursors import Cursors

# amoCRM allows 7 requests per second per account; a steady pace keeps clear of its 429s and the
# 403 block that follows repeated ones.
REQUESTS_PER_SECOND = 7


@dataclass(frozen=True)
class Listing:
    """How one stream is asked for: its path, the filter its window goes in (None: read whole),
    fixed parameters, the page size the endpoint allows, and the field its cursor follows."""

    path: str
    window_filter: str | None = None
    params: Mapping[str, str] = field(default_factory=dict)
    limit: int | None = 250
    cursor_field: str | None = None


LISTINGS = {
    "contacts": Listing("/api/v4/contacts", "updated_at", {"order[updated_at]": "asc"}, cursor_field="updated_at"),
    "leads": Listing(
        "/api/v4/leads",
        "updated_at",
        {"with": "contacts,loss_reason", "order[updated_at]": "asc"},
        cursor_field="updated_at",
    ),
    "events": Listing(
        "/api/v4/events", "created_at", {"filter[type]": ",".join(EVENT_TYPES)}, limit=100, cursor_field="created_at"
    ),
    "pipelines": Listing("/api/v4/leads/pipelines", limit=None),
    "account": Listing("/api/v4/account", limit=None),
}


@dataclass(frozen=True)
class Credentials:
    base_url: str
    token: str = field(repr=False)  # secrets stay out of reprs, so out of logs and tracebacks

    @classmethod
    def from_airflow(cls, conn_id: str) -> Credentials:
        """From the source's Airflow connection; its fields: docs/sources/amocrm.md."""
        conn = airflow_connection("amocrm", conn_id, ("host", "password"))
        return cls(base_url=connection_base_url(conn.host, conn.port, ""), token=conn.password)

    @property
    def account(self) -> str:
        """The account's host (subdomain.amocrm.ru): what the cursors are kept per."""
        return urlsplit(self.base_url).netloc


def throttling(response: httpx.Response) -> Throttled | None:
    """amoCRM answers 403 to an account that kept exceeding its rate: wait and retry like a 429
    (a 403 that is a missing permission fails once the retries are spent, its message kept)."""
    return Throttled() if response.status_code == 403 else None


def describe(response: httpx.Response) -> str:
    """amoCRM's problem+json: `title` and `detail`, then each invalid parameter it lists."""
    try:
        body: Any = response.json()
    except ValueError:
        return api_message(response)
    if not isinstance(body, dict) or not body.get("title"):
        return api_message(response)
    invalid = [
        f"{item.get('path')}: {item.get('detail')}"
        for item in body.get("validation-errors") or []
        if isinstance(item, dict)
    ]
    return "; ".join(str(part) for part in (body["title"], body.get("detail"), *invalid) if part)


class _Pace:
    """At most `per_second` requests a second: sleeps what is left of the interval since the last."""

    def __init__(self, per_second: float, clock: Callable[[], float], sleep: Callable[[float], None]) -> None:
        self._interval = 1 / per_second if per_second else 0.0
        self._clock, self._sleep = clock, sleep
        self._last: float | None = None

    def wait(self) -> None:
        now = self._clock()
        if self._last is not None and (left := self._interval - (now - self._last)) > 0:
            self._sleep(left)
            now += left
        self._last = now


class AmoCrmApi:
    """Pages of one account's run."""

    def __init__(
        self,
        credentials: Credentials,
        *,
        policy: RetryPolicy = DEFAULT_RETRY,
        sleep: Callable[[float], None] = time.sleep,
        requests_per_second: float = REQUESTS_PER_SECOND,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.credentials = credentials
        self._http = HttpClient(
            "amocrm", credentials.base_url, headers={"Authorization": f"Bearer {credentials.token}"},
            throttle=throttling, describe=describe, policy=policy, sleep=sleep,
        )  # fmt: skip
        self._pace = _Pace(requests_per_second, clock, sleep)

    def close(self) -> None:
        self._http.close()

    def pages(self, stream: Stream, window: Window, cursors: Cursors | None = None) -> Iterator[Page]:
        """One page per response, pages 1, 2, ... while the response links a next one. The next page
        is asked for by its number on the connection's host rather than by the link, which names the
        account's own host and would bypass a proxy. A 204 (nothing in the window) ends the listing."""
        listing = LISTINGS[stream.name]
        account = self.credentials.account
        params = dict(listing.params)
        if listing.window_filter:
            # amoCRM's from/to are inclusive; the window ends before its end.
            params[f"filter[{listing.window_filter}][from]"] = str(_unix(window.start_utc))
            params[f"filter[{listing.window_filter}][to]"] = str(_unix(window.end_utc) - 1)
        number = 1
        while True:
            paged = {**params, "page": str(number), "limit": str(listing.limit)} if listing.limit else params
            self._pace.wait()
            response = self._http.request("GET", listing.path, stream=stream.name, params=paged)
            if response.status_code == 204 or not response.content:
                return
            origin = f"{safe_url(response.request.url)} (account {account}, {window}, page {number})"
            try:
                body = json.loads(response.content)
            except json.JSONDecodeError as error:
                raise SourceDataError(stream, origin, f"not valid JSON (a cut-off response?): {error}") from None
            yield Page(origin=origin, body=body)
            if cursors is not None and listing.cursor_field:
                cursors.advance_to_latest(account, _changes(stream, body, listing.cursor_field))
            if not listing.limit or not _links_next(body):
                return
            number += 1


def _unix(moment: datetime) -> int:
    return int(moment.timestamp())


def _links_next(body: Any) -> bool:
    links = body.get("_links") if isinstance(body, dict) else None
    return isinstance(links, dict) and isinstance(links.get("next"), dict)


def _changes(stream: Stream, body: Any, cursor_field: str) -> Iterator[datetime]:
    """When each record of the page last changed (its cursor field, Unix seconds)."""
    records = (body.get("_embedded") or {}).get(stream.name) if isinstance(body, dict) else None
    for record in records or ():
        if isinstance(record, dict) and isinstance(record.get(cursor_field), int):
            yield datetime.fromtimestamp(record[cursor_field], UTC)


def connect(settings: SourceConfig) -> AmoCrmApi:
    """The API of one run, from the source's Airflow connection."""
    return AmoCrmApi(Credentials.from_airflow(settings.conn_id))
