"""Salesforce REST API: one SOQL query per stream for the run's window, paged by `nextRecordsUrl`.

`GET {instance_url}/services/data/v{version}/queryAll?q=SELECT ... FROM Lead WHERE SystemModstamp
>= <window start> AND SystemModstamp < <window end> ORDER BY SystemModstamp` answers `{totalSize,
done, records, nextRecordsUrl}`; the next batch is a GET of `nextRecordsUrl` until `done`. That is
exactly what a file drop of query responses holds, so smarketing.extract.salesforce reads both.
queryAll rather than query: it returns records deleted (or merged away) since the last run, with
IsDeleted true, so the warehouse forgets them; query hides them and they would live on.

Throttling: 429 and 5xx are retried by the client as Retry-After says. REQUEST_LIMIT_EXCEEDED
(403) names two limits: too many long-running requests at once ("ConcurrentRequests ...",
"ConcurrentPerOrgLongTxn ..."), retried after a backoff, and the org's rolling 24-hour allowance
("TotalRequests Limit exceeded."), which frees up over hours: the run fails at once, saying so.

The cursor keeps the highest SystemModstamp loaded (the window, resumed by the pipeline from the
last loaded day, is what is asked for). CurrencyIsoCode exists in multi-currency orgs only: the
Opportunity describe says whether to ask for it; a single-currency org's currency comes from the
connection (extra `currency`) and is written into each opportunity, as a multi-currency org sends it.

Connection (Airflow): host = login URL (default https://login.salesforce.com; a sandbox's
https://test.salesforce.com or the org's My Domain), login = the connected app's consumer key,
password = its consumer secret, extra = {refresh_token, api_version, currency}. The OAuth refresh-
token grant returns the access token and the org's `instance_url`, which every query goes to.
One connection reads one org: Salesforce has no accounts to list.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import count
from typing import TYPE_CHECKING, Any

import httpx

from smarketing.extract.http import (
    DEFAULT_RETRY,
    ApiError,
    HttpClient,
    RetryPolicy,
    Throttled,
    airflow_connection,
    api_message,
    connection_base_url,
    refresh_token_grant,
    safe_url,
)
from smarketing.extract.records import Page, SourceDataError
from smarketing.extract.salesforce import CURRENCY_FIELD, OBJECTS, WINDOW_FIELD
from smarketing.extract.streams import Stream, Window

if TYPE_CHECKING:
    from smarketing.config import SourceConfig
    from smarketing.extract.cursors import Cursors

DEFAULT_LOGIN_URL = "https://login.salesforce.com"
DEFAULT_API_VERSION = "62.0"
ORG = ""  # the cursors' account: a connection reads one org
# The error code of both the concurrent-request limit and the daily allowance (see above).
REQUEST_LIMIT = "REQUEST_LIMIT_EXCEEDED"


@dataclass(frozen=True)
class Credentials:
    login_url: str
    client_id: str
    client_secret: str = field(repr=False)  # secrets stay out of reprs, so out of logs and tracebacks
    refresh_token: str = field(repr=False)
    api_version: str = DEFAULT_API_VERSION
    currency: str | None = None  # a single-currency org's currency

    @classmethod
    def from_airflow(cls, conn_id: str) -> Credentials:
        """From the source's Airflow connection; its fields: docs/sources/salesforce.md."""
        conn = airflow_connection("salesforce", conn_id, ("login", "password", "extra.refresh_token"))
        extra = conn.extra_dejson
        return cls(
            login_url=connection_base_url(conn.host, conn.port, DEFAULT_LOGIN_URL),
            client_id=conn.login,
            client_secret=conn.password,
            refresh_token=extra["refresh_token"],
            api_version=str(extra.get("api_version") or DEFAULT_API_VERSION).removeprefix("v"),
            currency=str(extra["currency"]).upper() if extra.get("currency") else None,
        )


def _errors(response: httpx.Response) -> list[dict[str, Any]]:
    """Salesforce's error body: a list of {message, errorCode, fields}."""
    try:
        body = response.json()
    except ValueError:
        return []
    return [error for error in body if isinstance(error, dict)] if isinstance(body, list) else []


def describe(response: httpx.Response) -> str:
    """The error codes and messages (`INVALID_FIELD: No such column ...`); the daily limit explained."""
    errors = _errors(response)
    if not errors:
        return api_message(response)
    words = "; ".join(f"{error.get('errorCode')}: {error.get('message')}" for error in errors)
    if any(
        error.get("errorCode") == REQUEST_LIMIT and "TotalRequests" in str(error.get("message")) for error in errors
    ):
        words += (
            " (the org's API requests of the last 24 hours are used up: the run stops rather than wait for hours;"
            " see Setup > Company Information > API Requests, Last 24 Hours)"
        )
    return words


def throttling(response: httpx.Response) -> Throttled | None:
    """The concurrent-request limit: a 403 REQUEST_LIMIT_EXCEEDED whose message names it; retried."""
    concurrent = any(
        error.get("errorCode") == REQUEST_LIMIT and str(error.get("message", "")).startswith("Concurrent")
        for error in _errors(response)
    )
    return Throttled() if response.status_code == 403 and concurrent else None


def soql_datetime(moment: datetime) -> str:
    """A SOQL dateTime literal, unquoted: 2026-03-09T00:00:00Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def soql(stream: Stream, window: Window, *, with_currency: bool) -> str:
    """The stream's query: every declared field but `attributes`, in the window, by SystemModstamp."""
    fields = [
        column.path
        for column in stream.columns
        if column.path != "attributes" and (with_currency or column.path != CURRENCY_FIELD)
    ]
    start, end = soql_datetime(window.start_utc), soql_datetime(window.end_utc)
    return (
        f"SELECT {', '.join(fields)} FROM {OBJECTS[stream.name]}"
        f" WHERE {WINDOW_FIELD} >= {start} AND {WINDOW_FIELD} < {end} ORDER BY {WINDOW_FIELD}"
    )


class SalesforceApi:
    """Pages of one org; the access token and instance URL are fetched once, on the first request."""

    def __init__(
        self,
        credentials: Credentials,
        *,
        policy: RetryPolicy = DEFAULT_RETRY,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.credentials = credentials
        self._policy, self._sleep = policy, sleep
        self._http: HttpClient | None = None
        self._multi_currency: bool | None = None

    def close(self) -> None:
        if self._http is not None:
            self._http.close()

    def pages(self, stream: Stream, window: Window, cursors: Cursors | None = None) -> Iterator[Page]:
        """One page per query response, records in ascending SystemModstamp; the cursor advances to
        the highest SystemModstamp of each page read."""
        http = self._session(stream)
        declares_currency = any(column.path == CURRENCY_FIELD for column in stream.columns)
        with_currency = declares_currency and self._has_currency(stream)
        filled_currency = self.credentials.currency if declares_currency and not with_currency else None
        query = soql(stream, window, with_currency=with_currency)
        url = f"{self._data_path}/queryAll"
        params: dict[str, str] | None = {"q": query}
        bounds = f"{WINDOW_FIELD} {soql_datetime(window.start_utc)}..{soql_datetime(window.end_utc)}"
        for number in count(1):
            response = http.request("GET", url, stream=stream.name, params=params)
            origin = f"{safe_url(response.request.url)} (page {number}: {bounds}, {window})"
            body = _json_object(stream, origin, response)
            records = body.get("records")
            if not isinstance(records, list):
                raise SourceDataError(stream, origin, "expected a list of records under 'records'")
            if filled_currency:
                for record in records:
                    if isinstance(record, dict):
                        record[CURRENCY_FIELD] = filled_currency
            yield Page(origin=origin, body=body)
            if cursors is not None:
                cursors.advance_to_latest(ORG, _modstamps(records))
            next_url = body.get("nextRecordsUrl")
            if body.get("done", True) or not next_url:
                return
            url, params = str(next_url), None  # the locator carries the query

    @property
    def _data_path(self) -> str:
        return f"/services/data/v{self.credentials.api_version}"

    def _session(self, stream: Stream) -> HttpClient:
        """OAuth2 refresh-token grant: an access token and the org's instance URL for this run."""
        if self._http is None:
            c = self.credentials
            form = {"client_id": c.client_id, "client_secret": c.client_secret, "refresh_token": c.refresh_token}
            token_url = f"{c.login_url}/services/oauth2/token"
            token = refresh_token_grant("salesforce", stream.name, token_url, form, policy=self._policy,
                                        sleep=self._sleep)  # fmt: skip
            instance_url = token.get("instance_url")
            if not instance_url:
                raise ApiError("salesforce", stream.name, "POST", token_url, "the token response holds no instance_url")
            headers = {"Authorization": f"Bearer {token['access_token']}"}
            self._http = HttpClient("salesforce", str(instance_url).rstrip("/"), headers=headers, throttle=throttling,
                                    describe=describe, policy=self._policy, sleep=self._sleep)  # fmt: skip
        return self._http

    def _has_currency(self, stream: Stream) -> bool:
        """Whether Opportunity has CurrencyIsoCode, i.e. the org has multi-currency on (asked once)."""
        if self._multi_currency is None:
            response = self._session(stream).request("GET", f"{self._data_path}/sobjects/Opportunity/describe",
                                                     stream=stream.name)  # fmt: skip
            fields = _json_object(stream, safe_url(response.request.url), response).get("fields") or []
            self._multi_currency = any(isinstance(f, dict) and f.get("name") == CURRENCY_FIELD for f in fields)
            if not self._multi_currency and not self.credentials.currency:
                raise ValueError(
                    "salesforce: the org has one currency (Opportunity has no CurrencyIsoCode): name it in the "
                    "connection's extra `currency` (e.g. EUR), see docs/sources/salesforce.md"
                )
        return self._multi_currency


def _json_object(stream: Stream, origin: str, response: httpx.Response) -> dict[str, Any]:
    try:
        body = json.loads(response.content)
    except json.JSONDecodeError as error:
        raise SourceDataError(stream, origin, f"not valid JSON (a cut-off response?): {error}") from None
    if not isinstance(body, dict):
        raise SourceDataError(stream, origin, "expected a JSON object")
    return body


def _modstamps(records: list[Any]) -> Iterator[datetime]:
    """The SystemModstamps read, in UTC; a value the loader rejects is left out."""
    for record in records:
        try:
            moment = datetime.fromisoformat(record.get(WINDOW_FIELD))
        except (AttributeError, TypeError, ValueError):
            continue
        if moment.tzinfo is not None:
            yield moment.astimezone(UTC)


def connect(settings: SourceConfig) -> SalesforceApi:
    """The API of one run, from the source's Airflow connection."""
    return SalesforceApi(Credentials.from_airflow(settings.conn_id))
