"""Bitrix24 CRM REST through an inbound webhook: `crm.lead.list`, `crm.deal.list`,
`crm.activity.list` and `crm.stagehistory.list`, one Page per response.

A webhook is `https://<portal>/rest/<user id>/<secret>/<method>`: the secret is part of the path,
so every URL we show goes through `safe_url`, which masks it.

Paging: the docs' way for whole tables rather than `start`/`next` offsets: `order: {ID: ASC}`,
`filter: {">ID": <last ID read>}` and `start: -1`, which spares the portal the row count it runs
for every offset page (slow on big portals, and billed to the method's operating-time limit), and
cannot skip a record when one changes mid-run and leaves the filter (offsets shift then). A page
of fewer than 50 records is the last. The window bounds the field each method is kept current by
(DATE_MODIFY, LAST_UPDATED, CREATED_TIME); the cursor records the latest of it loaded.

Connection (Airflow): host = portal URL (https://example.bitrix24.ru), login = the webhook's user
id, password = the webhook's secret.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from itertools import count
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
    safe_url,
)
from smarketing.extract.records import Page, SourceDataError, page_records
from smarketing.extract.streams import Stream, Window

if TYPE_CHECKING:
    from smarketing.config import SourceConfig
    from smarketing.extract.cursors import Cursors

PAGE_SIZE = 50  # fixed by Bitrix24 for every list method
# The leaky bucket drains 2 requests a second (5 on Enterprise plans) and answers a full bucket
# with 503 QUERY_LIMIT_EXCEEDED: a second's wait makes room for the retry.
QUERY_LIMIT_DELAY = 1.0
# A webhook reads one portal: its cursor is the source's only one.
PORTAL = ""


@dataclass(frozen=True)
class Method:
    name: str
    params: dict[str, Any] = field(default_factory=dict)


METHODS = {
    # Multifields come only when selected; "*" is every standard field.
    "leads": Method("crm.lead.list", {"select": ["*", "EMAIL", "PHONE"]}),
    "deals": Method("crm.deal.list", {"select": ["*"]}),
    "activities": Method("crm.activity.list", {"select": ["*"]}),
    "lead_stage_history": Method("crm.stagehistory.list", {"entityTypeId": 1}),
    "deal_stage_history": Method("crm.stagehistory.list", {"entityTypeId": 2}),
}


@dataclass(frozen=True)
class Credentials:
    base_url: str
    user_id: str
    secret: str = field(repr=False)  # the webhook's key to the portal: never in a repr, log or error

    @classmethod
    def from_airflow(cls, conn_id: str) -> Credentials:
        """From the source's Airflow connection; its fields: docs/sources/bitrix24.md."""
        conn = airflow_connection("bitrix24", conn_id, ("host", "login", "password"))
        return cls(
            base_url=connection_base_url(conn.host, conn.port, ""),
            user_id=str(conn.login).strip(),
            secret=str(conn.password).strip(),
        )


def _error(response: httpx.Response) -> tuple[str, str | None] | None:
    """Bitrix24's `{"error": CODE, "error_description": text}`, or None."""
    try:
        body = response.json()
    except ValueError:
        return None
    if not isinstance(body, dict) or not isinstance(body.get("error"), str):
        return None
    description = body.get("error_description")
    return body["error"], description if isinstance(description, str) and description else None


def throttling(response: httpx.Response) -> Throttled | None:
    error = _error(response)
    return Throttled(QUERY_LIMIT_DELAY) if error and error[0] == "QUERY_LIMIT_EXCEEDED" else None


def describe(response: httpx.Response) -> str:
    """The error code and its description (`expired_token: The access token provided has expired.`)."""
    error = _error(response)
    if error is None:
        return api_message(response)
    code, description = error
    return f"{code}: {description}" if description else code


class Bitrix24Api:
    """Pages of one portal's streams."""

    def __init__(
        self,
        credentials: Credentials,
        *,
        policy: RetryPolicy = DEFAULT_RETRY,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.credentials = credentials
        self._http = HttpClient(
            "bitrix24", credentials.base_url, throttle=throttling, describe=describe, policy=policy, sleep=sleep
        )

    def close(self) -> None:
        self._http.close()

    def pages(self, stream: Stream, window: Window, cursors: Cursors | None = None) -> Iterator[Page]:
        """The window's records, 50 a page by ascending ID; the cursor advances to the latest
        window-field value of each page read."""
        method = METHODS[stream.name]
        path = f"/rest/{self.credentials.user_id}/{self.credentials.secret}/{method.name}.json"
        window_field = stream.column(stream.window_column).path  # the Bitrix24 field name
        in_window = {
            f">={window_field}": window.start_utc.astimezone(window.tz).isoformat(),
            f"<{window_field}": window.end_utc.astimezone(window.tz).isoformat(),
        }
        after_id = 0
        for number in count(1):
            request = {**method.params, "filter": {**in_window, ">ID": after_id}, "order": {"ID": "ASC"}, "start": -1}
            response = self._http.request("POST", path, stream=stream.name, json=request)
            origin = f"{safe_url(response.request.url)} (page {number}: ID > {after_id}, {window})"
            page = Page(origin=origin, body=_result(stream, origin, response))
            records = [record for _, record, _ in page_records(stream, page) if isinstance(record, dict)]
            yield page
            if cursors is not None:
                cursors.advance_to_latest(PORTAL, _moments(window_field, records))
            if len(records) < PAGE_SIZE:
                return
            ids = [int(record["ID"]) for record in records if str(record.get("ID", "")).isdigit()]
            if not ids or max(ids) <= after_id:
                raise SourceDataError(stream, origin, f"a full page without a new ID to read on from (ID > {after_id})")
            after_id = max(ids)


def _result(stream: Stream, origin: str, response: httpx.Response) -> dict[str, Any]:
    try:
        body = json.loads(response.content)
    except json.JSONDecodeError as error:
        raise SourceDataError(stream, origin, f"not valid JSON (a cut-off response?): {error}") from None
    if not isinstance(body, dict) or "result" not in body:
        error = _error(response)
        reason = f"{error[0]}: {error[1]}" if error else "no `result` in the response"
        raise SourceDataError(stream, origin, reason)
    return body


def _moments(window_field: str, records: list[dict[str, Any]]) -> Iterator[datetime]:
    """The window-field values read; one that is no timestamp is left out (the loader rejects its record)."""
    for record in records:
        try:
            moment = datetime.fromisoformat(record.get(window_field))
        except (TypeError, ValueError):
            continue
        if moment.tzinfo is not None:
            yield moment


def connect(settings: SourceConfig) -> Bitrix24Api:
    """The API of one run, from the source's Airflow connection."""
    return Bitrix24Api(Credentials.from_airflow(settings.conn_id))
