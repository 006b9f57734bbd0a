"""Yandex Direct API v5: one Reports service report per client login and stream, for the window.

`POST /json/v5/reports` with the report's definition (the window's days as CUSTOM_DATE, the
fields the stream declares, TSV) and `processingMode: auto`: 200 is the report itself; 201 (queued)
and 202 (being built) mean "ask again": the SAME request is repeated after the `retryIn` seconds
the response names, up to `max_report_wait_seconds` of waiting in all. That is the report's normal
course, not an error, so it is polled here; 429, 5xx and Yandex's own limits (not enough units,
too many connections or queued reports; error JSON on a 400/500) are retried by HttpClient.

The report carries neither the client login nor the currency: the login is the account the
request is made for (`Client-Login`), the currency comes from the Clients service (`POST
/json/v5/clients`, method get, once per login and run). Both become columns of every record (see
smarketing.extract.yandex_direct) and the TSV is read by the file drop's own reader, so a report
and a dropped file load the same way. The window is the cursor: a report of days is asked for by
its days, so no cursor is kept.

Money: `returnMoneyInMicros: true` by default (Cost in micros, as raw keeps it); with extra
`return_money_in_micros: false` Yandex sends currency units, which are scaled to micros here, so
raw is micros either way. `IncludeVAT` is NO by default (spend net of VAT, as Google and Meta
report it); extra `include_vat: true` asks for VAT included.

Connection (Airflow): host = API base URL (default https://api.direct.yandex.com), password =
OAuth token; extra = {include_vat, return_money_in_micros, max_report_wait_seconds}. The source's
`accounts` are the client logins (an agency token reads each of its clients).
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

import httpx

from smarketing.extract.files import FileFormat, csv_text_page
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
from smarketing.extract.records import Page, SourceDataError, SourceRecord
from smarketing.extract.streams import Stream, Window
from smarketing.extract.yandex_direct import ADDED_FIELDS

if TYPE_CHECKING:
    from smarketing.config import SourceConfig
    from smarketing.extract.cursors import Cursors

DEFAULT_BASE_URL = "https://api.direct.yandex.com"
REPORTS_PATH = "/json/v5/reports"
CLIENTS_PATH = "/json/v5/clients"
REPORT_TYPES = {"campaign_daily": "CAMPAIGN_PERFORMANCE_REPORT", "ad_group_daily": "ADGROUP_PERFORMANCE_REPORT"}
# An offline report is usually ready within minutes; a night's run gives up after an hour.
DEFAULT_MAX_REPORT_WAIT_SECONDS = 3600.0
# When a 201/202 names no retryIn.
DEFAULT_RETRY_IN_SECONDS = 10.0
# Yandex's limits, sent as error JSON: 56 request limit, 152 not enough units, 506 too many
# simultaneous connections, 9000 too many reports in the offline queue.
THROTTLING_CODES = frozenset({56, 152, 506, 9000})
TSV = FileFormat(delimiter="\t")
MICROS = Decimal(1_000_000)


def _flag(extra: Mapping[str, Any], name: str, default: bool) -> bool:
    """A boolean of the connection's extra, given as JSON true/false or as text."""
    value = extra.get(name)
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    if str(value).lower() in ("true", "false"):
        return str(value).lower() == "true"
    raise ValueError(f"connection extra {name!r}: expected true or false, got {value!r}")


@dataclass(frozen=True)
class Credentials:
    base_url: str
    token: str = field(repr=False)  # secrets stay out of reprs, so out of logs and tracebacks
    include_vat: bool = False
    money_in_micros: bool = True
    max_report_wait_seconds: float = DEFAULT_MAX_REPORT_WAIT_SECONDS

    @classmethod
    def from_airflow(cls, conn_id: str) -> Credentials:
        """From the source's Airflow connection; its fields: docs/sources/yandex_direct.md."""
        conn = airflow_connection("yandex_direct", conn_id, ("password",))
        extra = conn.extra_dejson
        return cls(
            base_url=connection_base_url(conn.host, conn.port, DEFAULT_BASE_URL),
            token=conn.password,
            include_vat=_flag(extra, "include_vat", False),
            money_in_micros=_flag(extra, "return_money_in_micros", True),
            max_report_wait_seconds=float(extra.get("max_report_wait_seconds") or DEFAULT_MAX_REPORT_WAIT_SECONDS),
        )


def _error(response: httpx.Response) -> dict[str, Any] | None:
    try:
        body = response.json()
    except ValueError:
        return None
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, dict) else None


def throttling(response: httpx.Response) -> Throttled | None:
    """Yandex's limit errors; the wait is the response's retryIn or Retry-After when it names one."""
    error = _error(response)
    if error is None or _code(error) not in THROTTLING_CODES:
        return None
    return Throttled(_retry_in(response) or retry_after_seconds(response.headers.get("Retry-After")))


def describe(response: httpx.Response) -> str:
    """Yandex's error_string, code and detail, and the request id its support asks for."""
    error = _error(response)
    if error is None:
        return api_message(response)
    text = f"{error.get('error_string')} (error_code {error.get('error_code')})"
    if error.get("error_detail"):
        text += f": {error['error_detail']}"
    return f"{text} [request_id {error.get('request_id')}]" if error.get("request_id") else text


def _code(error: Mapping[str, Any]) -> int | None:
    try:
        return int(error.get("error_code"))
    except (TypeError, ValueError):
        return None


def _retry_in(response: httpx.Response) -> float | None:
    try:
        return float(response.headers["retryIn"])
    except (KeyError, ValueError):
        return None


class YandexDirectApi:
    """Pages of one source run, one report per client login and stream."""

    def __init__(
        self,
        credentials: Credentials,
        logins: Sequence[str],
        *,
        policy: RetryPolicy = DEFAULT_RETRY,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.credentials = credentials
        self.logins = tuple(dict.fromkeys(logins))
        self._sleep = sleep
        headers = {"Authorization": f"Bearer {credentials.token}", "Accept-Language": "en"}
        self._http = HttpClient(
            "yandex_direct", credentials.base_url, headers=headers, throttle=throttling, describe=describe,
            policy=policy, sleep=sleep,
        )  # fmt: skip
        self._currencies: dict[str, str] = {}

    def close(self) -> None:
        self._http.close()

    def pages(self, stream: Stream, window: Window, _cursors: Cursors | None = None) -> Iterator[Page]:
        for login in self.logins:
            shared = {ADDED_FIELDS[0]: login, ADDED_FIELDS[1]: self._currency(stream, login)}
            response, report_name = self._report(stream, login, window)
            origin = f"{safe_url(response.request.url)} (client {login}, {window}, report {report_name!r})"
            try:
                text = response.content.decode("utf-8-sig")
            except UnicodeDecodeError as error:
                raise SourceDataError(stream, origin, f"not UTF-8 text: {error}") from None
            page = csv_text_page(stream, origin, text, shared, TSV)
            if not self.credentials.money_in_micros:
                page = replace(page, body=map(_cost_in_micros, page.body))
            yield page

    def _report(self, stream: Stream, login: str, window: Window) -> tuple[httpx.Response, str]:
        """The report, once ready: 201/202 are answered by the same request after `retryIn`."""
        params = {
            "SelectionCriteria": {"DateFrom": str(window.first_day), "DateTo": str(window.last_day)},
            "FieldNames": [column.path for column in stream.columns if column.path not in ADDED_FIELDS],
            "ReportType": REPORT_TYPES[stream.name],
            "DateRangeType": "CUSTOM_DATE",
            "Format": "TSV",
            "IncludeVAT": "YES" if self.credentials.include_vat else "NO",
        }
        # Yandex keeps a report by its name: a name reused with other parameters is refused, so
        # the name is unique per distinct request and the same for its repetitions.
        digest = hashlib.sha256(json.dumps(params, sort_keys=True).encode()).hexdigest()[:12]
        report_name = f"smarketing {stream.name} {login} {window} {digest}"
        body = {"params": {**params, "ReportName": report_name}}
        headers = {
            "Client-Login": login,
            "processingMode": "auto",
            "returnMoneyInMicros": "true" if self.credentials.money_in_micros else "false",
            "skipReportHeader": "true",
            "skipReportSummary": "true",
        }
        waited = 0.0
        while True:
            response = self._request(REPORTS_PATH, stream, login, body, headers)
            if response.status_code == 200:
                return response, report_name
            delay = _retry_in(response) or DEFAULT_RETRY_IN_SECONDS
            limit = self.credentials.max_report_wait_seconds
            if waited + delay > limit:
                reason = (
                    f"client {login}: report {report_name!r} still not ready (HTTP {response.status_code}) after "
                    f"{waited:.0f} s of waiting (max_report_wait_seconds {limit:.0f})"
                )
                raise ApiError("yandex_direct", stream.name, "POST", safe_url(response.request.url), reason)
            self._sleep(delay)
            waited += delay

    def _currency(self, stream: Stream, login: str) -> str:
        """The client's account currency (Clients.get), asked once per login and run."""
        if login not in self._currencies:
            body = {"method": "get", "params": {"FieldNames": ["Login", "Currency"]}}
            response = self._request(CLIENTS_PATH, stream, login, body, {"Client-Login": login})
            # The JSON services may answer an error with HTTP 200 and an `error` object.
            if _error(response) is not None:
                raise self._refused(stream, response, login, describe(response))
            try:
                clients = response.json()["result"]["Clients"]
                self._currencies[login] = str(clients[0]["Currency"])
            except (ValueError, KeyError, IndexError, TypeError):
                raise self._refused(stream, response, login, "the Clients.get response names no Currency") from None
        return self._currencies[login]

    def _request(
        self, path: str, stream: Stream, login: str, body: Mapping[str, Any], headers: Mapping[str, str]
    ) -> httpx.Response:
        try:
            return self._http.request("POST", path, stream=stream.name, json=body, headers=headers)
        except ApiError as error:
            reason = f"client {login}: {error.reason}"
            raise ApiError(error.source, error.stream, "POST", error.url, reason, gave_up=error.gave_up) from None

    @staticmethod
    def _refused(stream: Stream, response: httpx.Response, login: str, reason: str) -> ApiError:
        url = safe_url(response.request.url)
        return ApiError("yandex_direct", stream.name, "POST", url, f"client {login}: {reason}")


def _cost_in_micros(source_record: SourceRecord) -> SourceRecord:
    """A report asked for in currency units (returnMoneyInMicros: false), its Cost scaled to the
    micros raw keeps; a value that is no number stays as sent, for the typing to reject."""
    record = source_record.record
    try:
        micros = (Decimal(record["Cost"]) * MICROS).to_integral_value(ROUND_HALF_EVEN)
    except (KeyError, InvalidOperation):
        return source_record
    return source_record._replace(record={**record, "Cost": str(micros)})


def connect(settings: SourceConfig) -> YandexDirectApi:
    """The API of one run, from the source's Airflow connection and accounts."""
    return YandexDirectApi(Credentials.from_airflow(settings.conn_id), settings.accounts)
