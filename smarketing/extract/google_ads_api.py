"""Google Ads API: one `googleAds:searchStream` request per customer and stream, for the extract window.

The response body is exactly what a file drop of searchStream responses holds, so the streams of
smarketing.extract.google_ads (and the one loader) read it unchanged; this module only fetches.
The window is the cursor: every run asks for its days, `segments.date BETWEEN first AND last`.

Connection (Airflow): host = API base URL, login = OAuth client id, password = client secret,
extra = {developer_token, refresh_token, login_customer_id (manager account, optional),
api_version, token_uri}.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
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
)
from smarketing.extract.records import Page, SourceDataError
from smarketing.extract.streams import Stream, Window

if TYPE_CHECKING:
    from smarketing.config import SourceConfig
    from smarketing.extract.cursors import Cursors

DEFAULT_BASE_URL = "https://googleads.googleapis.com"
DEFAULT_API_VERSION = "v26"
DEFAULT_TOKEN_URI = "https://oauth2.googleapis.com/token"

_CUSTOMER = "customer.id, customer.descriptive_name, customer.currency_code, customer.time_zone"
_METRICS = "segments.date, metrics.cost_micros, metrics.impressions, metrics.clicks, metrics.conversions"
# GAQL per stream; the response names the same fields in camelCase, as the stream columns expect.
QUERIES = {
    "campaign_daily": (
        f"SELECT {_CUSTOMER}, campaign.id, campaign.name, campaign.advertising_channel_type, campaign.status, "
        f"{_METRICS} FROM campaign"
    ),
    "ad_group_daily": (
        f"SELECT {_CUSTOMER}, campaign.id, ad_group.id, ad_group.name, ad_group.status, {_METRICS} FROM ad_group"
    ),
}
_DURATION = re.compile(r"(\d+(?:\.\d+)?)s")


@dataclass(frozen=True)
class Credentials:
    base_url: str
    api_version: str
    client_id: str
    client_secret: str = field(repr=False)  # secrets stay out of reprs, so out of logs and tracebacks
    developer_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    login_customer_id: str | None = None
    token_uri: str = DEFAULT_TOKEN_URI

    @classmethod
    def from_airflow(cls, conn_id: str) -> Credentials:
        """From the source's Airflow connection; its fields: docs/sources/google_ads.md."""
        conn = airflow_connection(
            "google_ads", conn_id, ("extra.developer_token", "extra.refresh_token", "login", "password")
        )
        extra = conn.extra_dejson
        login_customer_id = str(extra.get("login_customer_id") or "").replace("-", "") or None
        return cls(
            base_url=connection_base_url(conn.host, conn.port, DEFAULT_BASE_URL),
            api_version=extra.get("api_version") or DEFAULT_API_VERSION,
            client_id=conn.login,
            client_secret=conn.password,
            developer_token=extra["developer_token"],
            refresh_token=extra["refresh_token"],
            login_customer_id=login_customer_id,
            token_uri=extra.get("token_uri") or DEFAULT_TOKEN_URI,
        )


def _error(response: httpx.Response) -> dict[str, Any] | None:
    """The `error` object of a failed response; searchStream wraps it in a list."""
    try:
        body = response.json()
    except ValueError:
        return None
    if isinstance(body, list) and body:
        body = body[0]
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, dict) else None


def throttling(response: httpx.Response) -> Throttled | None:
    """Google's quota error: status RESOURCE_EXHAUSTED, its wait in a `retryDelay` ("30s") of the details."""
    error = _error(response)
    if error is None or error.get("status") != "RESOURCE_EXHAUSTED":
        return None
    delay = _retry_delay(error.get("details"))
    return Throttled(float(delay.group(1)) if delay else None)


def describe(response: httpx.Response) -> str:
    """The status and message, then the GoogleAdsFailure's own messages, which say what was wrong."""
    error = _error(response)
    if error is None:
        return api_message(response)
    failures = [
        str(item["message"])
        for detail in error.get("details") or []
        if isinstance(detail, dict)
        for item in detail.get("errors") or []
        if isinstance(item, dict) and item.get("message")
    ]
    return "; ".join([f"{error.get('status', error.get('code'))}: {error.get('message')}", *failures])


def _retry_delay(node: Any) -> re.Match[str] | None:
    if isinstance(node, dict):
        value = node.get("retryDelay")
        if isinstance(value, str) and (match := _DURATION.fullmatch(value)):
            return match
        node = list(node.values())
    if isinstance(node, list):
        return next((match for item in node if (match := _retry_delay(item))), None)
    return None


class GoogleAdsApi:
    """Pages of one source run; the OAuth access token is fetched once, on the first request."""

    def __init__(
        self,
        credentials: Credentials,
        customer_ids: Sequence[str],
        *,
        policy: RetryPolicy = DEFAULT_RETRY,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.credentials = credentials
        self.customer_ids = tuple(customer_ids)
        headers = {"developer-token": credentials.developer_token}
        if credentials.login_customer_id:
            headers["login-customer-id"] = credentials.login_customer_id
        self._policy, self._sleep = policy, sleep
        self._http = HttpClient(
            "google_ads", credentials.base_url, headers=headers, throttle=throttling, describe=describe,
            policy=policy, sleep=sleep,
        )  # fmt: skip
        self._authorised = False

    def close(self) -> None:
        self._http.close()

    def pages(self, stream: Stream, window: Window, _cursors: Cursors | None = None) -> Iterator[Page]:
        """One page per customer: the whole searchStream response (a list of result batches). The
        window is the cursor: a report of days is asked for by its days, so no cursor is kept."""
        query = f"{QUERIES[stream.name]} WHERE segments.date BETWEEN '{window.first_day}' AND '{window.last_day}'"
        for customer_id in self.customer_ids:
            self._authorise(stream)
            path = f"/{self.credentials.api_version}/customers/{customer_id}/googleAds:searchStream"
            try:
                response = self._http.request("POST", path, stream=stream.name, json={"query": query})
            except ApiError as error:
                reason = f"customer {customer_id}: {error.reason}"
                raise ApiError(error.source, error.stream, "POST", error.url, reason) from None
            origin = f"{response.request.url} (customer {customer_id}, {window})"
            try:
                # NaN and Infinity are not JSON; as text they reach the typing, which rejects their row.
                body = json.loads(response.content, parse_constant=str)
            except json.JSONDecodeError as error:
                raise SourceDataError(stream, origin, f"not valid JSON (a cut-off response?): {error}") from None
            yield Page(origin=origin, body=body)

    def _authorise(self, stream: Stream) -> None:
        """OAuth2 refresh-token grant: a short-lived access token for this run's requests."""
        if self._authorised:
            return
        c = self.credentials
        form = {"client_id": c.client_id, "client_secret": c.client_secret, "refresh_token": c.refresh_token}
        token = refresh_token_grant("google_ads", stream.name, c.token_uri, form, policy=self._policy,
                                    sleep=self._sleep)  # fmt: skip
        self._http.headers["Authorization"] = f"Bearer {token['access_token']}"
        self._authorised = True


def connect(settings: SourceConfig) -> GoogleAdsApi:
    """The API of one run, from the source's Airflow connection and accounts."""
    return GoogleAdsApi(Credentials.from_airflow(settings.conn_id), settings.accounts)
