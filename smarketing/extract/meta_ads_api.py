"""Meta Marketing API: daily Insights of each ad account, and each ad account's own settings.

Insights: `GET /{version}/act_{id}/insights` with level=campaign|adset, time_increment=1, the
window's days as `time_range` and the fields the stream declares, paged by following
`paging.next` until a response has none. A window longer than `async_after_days` (the first
run's history) runs as an asynchronous report job instead, as Meta advises for large reads (a
synchronous read that is too large fails with error 100, subcode 1487534): `POST` the same
parameters, poll `GET /{report_run_id}` until its `async_status` is "Job Completed", then page
`GET /{report_run_id}/insights`. Each response is one Page, the very page a file drop holds, so
the streams of smarketing.extract.meta_ads read it unchanged. The window is the cursor: a report
of days is asked for by its days (Meta restates 28 of them), so no cursor is kept.

Accounts: `GET /{version}/act_{id}?fields=...`, one object per account: its time zone and currency.

Connection (Airflow): host = API base URL (default https://graph.facebook.com), password = access
token (`ads_read`), extra = {api_version, async_after_days, page_size}. The token goes in the
`access_token` parameter as Meta documents it; every URL we show masks it.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

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
    retry_after_seconds,
    safe_url,
)
from smarketing.extract.records import Page, SourceDataError
from smarketing.extract.streams import Stream, Window

if TYPE_CHECKING:
    from smarketing.config import SourceConfig
    from smarketing.extract.cursors import Cursors

DEFAULT_BASE_URL = "https://graph.facebook.com"
DEFAULT_API_VERSION = "v26.0"
# Longer windows run as report jobs: the nightly lookback (28 days) reads synchronously, the first
# run's history (90 days) asynchronously.
DEFAULT_ASYNC_AFTER_DAYS = 31
DEFAULT_PAGE_SIZE = 500
# A report job is polled this often, at most POLL_LIMIT times (an hour), before the run gives up.
POLL_SECONDS = 10.0
POLL_LIMIT = 360
LEVELS = {"campaign_daily": "campaign", "adset_daily": "adset"}
# Meta's throttling errors (sent as HTTP 400/403): 4 app, 17 user, 32 page, 613 ad account request
# limits; 80000-80014 the business-use-case limits (80000 ads insights, 80004 ads management, ...).
THROTTLING_CODES = frozenset({4, 17, 32, 613, *range(80000, 80015)})
# How long Meta blocks when neither body nor headers say: 60 s on the standard access tier.
DEFAULT_THROTTLE_SECONDS = 60.0
JOB_COMPLETED = "Job Completed"
JOB_FAILED = ("Job Failed", "Job Skipped")


@dataclass(frozen=True)
class Credentials:
    base_url: str
    api_version: str
    access_token: str = field(repr=False)  # secrets stay out of reprs, so out of logs and tracebacks
    async_after_days: int = DEFAULT_ASYNC_AFTER_DAYS
    page_size: int = DEFAULT_PAGE_SIZE

    @classmethod
    def from_airflow(cls, conn_id: str) -> Credentials:
        """From the source's Airflow connection; its fields: docs/sources/meta_ads.md."""
        conn = airflow_connection("meta_ads", conn_id, ("password",))
        extra = conn.extra_dejson
        return cls(
            base_url=connection_base_url(conn.host, conn.port, DEFAULT_BASE_URL),
            api_version=extra.get("api_version") or DEFAULT_API_VERSION,
            access_token=conn.password,
            async_after_days=int(extra.get("async_after_days") or DEFAULT_ASYNC_AFTER_DAYS),
            page_size=int(extra.get("page_size") or DEFAULT_PAGE_SIZE),
        )


def _error(response: httpx.Response) -> dict[str, Any] | None:
    try:
        body = response.json()
    except ValueError:
        return None
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, dict) else None


def throttling(response: httpx.Response) -> Throttled | None:
    """Meta's throttling error codes; the wait is the longest the usage headers name (the business
    use case's `estimated_time_to_regain_access` in minutes, the ad account's `reset_time_duration`
    in seconds), else Retry-After, else Meta's usual block."""
    error = _error(response)
    if error is None or error.get("code") not in THROTTLING_CODES:
        return None
    regain_minutes = _usage_values(response, "x-business-use-case-usage", "estimated_time_to_regain_access")
    waits = [
        *(60.0 * minutes for minutes in regain_minutes),
        *_usage_values(response, "x-ad-account-usage", "reset_time_duration"),
    ]
    named = max((wait for wait in waits if wait > 0), default=None)
    return Throttled(named or retry_after_seconds(response.headers.get("Retry-After")) or DEFAULT_THROTTLE_SECONDS)


def _usage_values(response: httpx.Response, header: str, key: str) -> Iterator[float]:
    """Every number `key` holds in a usage header's JSON, however deep (the business use case
    header maps each business id to a list of entries)."""
    try:
        usage = json.loads(response.headers.get(header) or "null")
    except ValueError:
        return
    nodes = [usage]
    while nodes:
        node = nodes.pop()
        if isinstance(node, dict):
            value = node.get(key)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                yield float(value)
            nodes.extend(node.values())
        elif isinstance(node, list):
            nodes.extend(node)


def describe(response: httpx.Response) -> str:
    """Meta's message with its code and subcode (what Meta's error reference lists), and the
    message meant for the user when there is one."""
    error = _error(response)
    if error is None:
        return api_message(response)
    codes = ", ".join(f"{name} {error[name]}" for name in ("type", "code", "error_subcode") if error.get(name))
    parts = [f"{error.get('message')} ({codes})", error.get("error_user_msg")]
    return "; ".join(str(part) for part in parts if part)


def account_id(account: str) -> str:
    """An ad account id as Insights rows carry it: digits, without the `act_` of its node id."""
    digits = account.strip().removeprefix("act_")
    if not digits.isdigit():
        raise ValueError(f"sources.meta_ads.accounts: {account!r} is not a Meta ad account id (act_<digits>)")
    return digits


class MetaAdsApi:
    """Pages of one source run, for every ad account listed."""

    def __init__(
        self,
        credentials: Credentials,
        accounts: Sequence[str],
        *,
        policy: RetryPolicy = DEFAULT_RETRY,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.credentials = credentials
        self.accounts = tuple(dict.fromkeys(account_id(account) for account in accounts))
        self._sleep = sleep
        self._http = HttpClient(
            "meta_ads", credentials.base_url, throttle=throttling, describe=describe, policy=policy, sleep=sleep
        )

    def close(self) -> None:
        self._http.close()

    def pages(self, stream: Stream, window: Window, _cursors: Cursors | None = None) -> Iterator[Page]:
        for account in self.accounts:
            if stream.name == "accounts":
                yield self._account_page(stream, account)
            elif (window.last_day - window.first_day).days + 1 > self.credentials.async_after_days:
                yield from self._report_job_pages(stream, account, window)
            else:
                path = f"/{self.credentials.api_version}/act_{account}/insights"
                yield from self._paged(stream, account, window, path, self._insights_params(stream, window))

    def _account_page(self, stream: Stream, account: str) -> Page:
        path = f"/{self.credentials.api_version}/act_{account}"
        response = self._request("GET", path, stream, account, {"fields": _fields(stream)})
        return self._page(stream, response, f"account {account}")

    def _report_job_pages(self, stream: Stream, account: str, window: Window) -> Iterator[Page]:
        """An asynchronous report job of the same query, polled until done, then its result pages."""
        version = self.credentials.api_version
        job = self._request("POST", f"/{version}/act_{account}/insights", stream, account,
                            self._insights_params(stream, window))  # fmt: skip
        run_id = _json_object(job).get("report_run_id")
        if not run_id:
            raise self._refused(stream, job, account, "the report job response holds no report_run_id")
        for _ in range(POLL_LIMIT):
            status = self._request("GET", f"/{version}/{run_id}", stream, account, {})
            state = _json_object(status).get("async_status")
            if state == JOB_COMPLETED:
                break
            if state in JOB_FAILED:
                raise self._refused(stream, status, account, f"report job {run_id} ended as {state!r}")
            self._sleep(POLL_SECONDS)
        else:
            raise self._refused(stream, status, account, f"report job {run_id} not completed after {POLL_LIMIT} polls")
        path = f"/{version}/{run_id}/insights"
        yield from self._paged(stream, account, window, path, {"limit": str(self.credentials.page_size)})

    def _paged(
        self, stream: Stream, account: str, window: Window, path: str, params: Mapping[str, str]
    ) -> Iterator[Page]:
        """Each response a page; the next one is where `paging.next` points (asked of our base URL,
        so a proxy keeps serving it), until a response has none. A `next` back to a page already
        read would loop: the stream fails instead."""
        number, asked = 1, {(path, tuple(sorted(params.items())))}
        while True:
            response = self._request("GET", path, stream, account, params)
            page = self._page(stream, response, f"account {account}, {window}, page {number}")
            yield page
            paging = page.body.get("paging") if isinstance(page.body, dict) else None
            following = paging.get("next") if isinstance(paging, dict) else None
            if not following:
                return
            parts = urlsplit(following)
            path = parts.path
            params = {name: value for name, value in parse_qsl(parts.query) if name != "access_token"}
            request = (path, tuple(sorted(params.items())))
            if request in asked:
                raise SourceDataError(stream, page.origin, "paging.next points back at a page already read")
            asked.add(request)
            number += 1

    def _insights_params(self, stream: Stream, window: Window) -> dict[str, str]:
        return {
            "level": LEVELS[stream.name],
            "time_increment": "1",
            "time_range": json.dumps({"since": str(window.first_day), "until": str(window.last_day)}),
            "fields": _fields(stream),
            "limit": str(self.credentials.page_size),
        }

    def _request(
        self, method: str, path: str, stream: Stream, account: str, params: Mapping[str, str]
    ) -> httpx.Response:
        """A request with the token: a POST sends its parameters as a form, keeping them out of the URL."""
        signed = {**params, "access_token": self.credentials.access_token}
        try:
            if method == "POST":
                return self._http.request(method, path, stream=stream.name, data=signed)
            return self._http.request(method, path, stream=stream.name, params=signed)
        except ApiError as error:
            reason = f"account {account}: {error.reason}"
            raise ApiError(error.source, error.stream, method, error.url, reason, gave_up=error.gave_up) from None

    @staticmethod
    def _page(stream: Stream, response: httpx.Response, what: str) -> Page:
        origin = f"{safe_url(response.request.url)} ({what})"
        try:
            # NaN and Infinity are not JSON; as text they reach the typing, which rejects their row.
            body = json.loads(response.content, parse_constant=str)
        except json.JSONDecodeError as error:
            raise SourceDataError(stream, origin, f"not valid JSON (a cut-off response?): {error}") from None
        return Page(origin=origin, body=body)

    @staticmethod
    def _refused(stream: Stream, response: httpx.Response, account: str, reason: str) -> ApiError:
        url = safe_url(response.request.url)
        return ApiError("meta_ads", stream.name, response.request.method, url, f"account {account}: {reason}")


def _fields(stream: Stream) -> str:
    """The top-level fields the stream's columns read, in their order."""
    return ",".join(dict.fromkeys(column.path.split(".")[0].split("[")[0] for column in stream.columns))


def _json_object(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def connect(settings: SourceConfig) -> MetaAdsApi:
    """The API of one run, from the source's Airflow connection and accounts."""
    return MetaAdsApi(Credentials.from_airflow(settings.conn_id), settings.accounts)
