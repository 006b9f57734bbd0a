"""LinkedIn Marketing API (versioned, `/rest/`): daily campaign analytics, campaigns and the ad
account, for every ad account listed.

Analytics: `GET /rest/adAnalytics?q=statistics&pivots=List(ACCOUNT,CAMPAIGN)&timeGranularity=DAILY
&dateRange=(start:(year:Y,month:M,day:D),end:(...))&accounts=List(urn%3Ali%3AsponsoredAccount%3A<id>)
&fields=...`. The query is Rest.li 2.0 syntax and is sent exactly so: parentheses, commas and the
colons of the structure bare, the URN's own colons percent-encoded. The Statistics finder (rather
than the Analytics finder's single `pivot=CAMPAIGN`) makes every element name its account, which a
file drop needs as much as the API. adAnalytics is not paged: a response holds at most 15,000
elements, so one that holds that many may be cut off and its days are asked for again in two
halves, down to a single day, which then fails rather than load part of a day.

Campaigns: `GET /rest/adAccounts/{id}/adCampaigns?q=search&pageSize=N`, paged by handing back
`metadata.nextPageToken` as `pageToken` until a response has none. Account: `GET
/rest/adAccounts/{id}` (its currency). Each response is one Page, the very page a file drop holds.
The window is the cursor (a report of days is asked for by its days; campaigns and accounts are
read whole), so no cursor is kept.

Rate limits: LinkedIn answers 429 once an application's or member's daily quota (reset at
midnight UTC) or a burst limit is reached; HttpClient honours Retry-After and backs off on 5xx.

Connection (Airflow): host = API base URL (default https://api.linkedin.com), password = OAuth 2.0
access token (scopes r_ads_reporting, r_ads), extra = {api_version (LinkedIn-Version, YYYYMM),
page_size}. The token travels in the Authorization header only.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING
from urllib.parse import quote

import httpx

from smarketing.extract.http import (
    DEFAULT_RETRY,
    ApiError,
    HttpClient,
    RetryPolicy,
    airflow_connection,
    connection_base_url,
    safe_url,
)
from smarketing.extract.linkedin_ads import ACCOUNT_URN, DERIVED_FROM, PIVOT_FIELDS
from smarketing.extract.records import Page, SourceDataError
from smarketing.extract.streams import Stream, Window

if TYPE_CHECKING:
    from smarketing.config import SourceConfig
    from smarketing.extract.cursors import Cursors

DEFAULT_BASE_URL = "https://api.linkedin.com"
# LinkedIn supports each monthly version for a year; the connection's extra names a newer one.
DEFAULT_API_VERSION = "202606"
# adCampaigns search pages hold at most 1,000 campaigns.
DEFAULT_PAGE_SIZE = 1000
# The most elements one adAnalytics response holds; a response this full may be cut off.
ELEMENT_CAP = 15_000


@dataclass(frozen=True)
class Credentials:
    base_url: str
    api_version: str
    access_token: str = field(repr=False)  # secrets stay out of reprs, so out of logs and tracebacks
    page_size: int = DEFAULT_PAGE_SIZE

    @classmethod
    def from_airflow(cls, conn_id: str) -> Credentials:
        """From the source's Airflow connection; its fields: docs/sources/linkedin_ads.md."""
        conn = airflow_connection("linkedin_ads", conn_id, ("password",))
        extra = conn.extra_dejson
        return cls(
            base_url=connection_base_url(conn.host, conn.port, DEFAULT_BASE_URL),
            api_version=str(extra.get("api_version") or DEFAULT_API_VERSION),
            access_token=conn.password,
            page_size=int(extra.get("page_size") or DEFAULT_PAGE_SIZE),
        )


def account_id(account: str) -> str:
    """An ad account id as LinkedIn's URNs end: digits, without `urn:li:sponsoredAccount:`."""
    digits = str(account).strip().removeprefix(ACCOUNT_URN)
    if not digits.isdigit():
        raise ValueError(f"sources.linkedin_ads.accounts: {account!r} is not a LinkedIn ad account id (digits)")
    return digits


def analytics_path(account: str, first: date, last: date, fields: Sequence[str]) -> str:
    """The adAnalytics request of one account's days, in the Rest.li syntax LinkedIn documents."""
    start = f"(year:{first.year},month:{first.month},day:{first.day})"
    end = f"(year:{last.year},month:{last.month},day:{last.day})"
    return (
        "/rest/adAnalytics?q=statistics&pivots=List(ACCOUNT,CAMPAIGN)&timeGranularity=DAILY"
        f"&dateRange=(start:{start},end:{end})"
        f"&accounts=List({quote(ACCOUNT_URN + account, safe='')})"
        f"&fields={','.join(fields)}"
    )


class LinkedInAdsApi:
    """Pages of one source run, for every ad account listed."""

    def __init__(
        self,
        credentials: Credentials,
        accounts: Sequence[str],
        *,
        policy: RetryPolicy = DEFAULT_RETRY,
        sleep: Callable[[float], None] = time.sleep,
        element_cap: int = ELEMENT_CAP,
    ) -> None:
        self.credentials = credentials
        self.accounts = tuple(dict.fromkeys(account_id(account) for account in accounts))
        self.element_cap = element_cap
        headers = {
            "Authorization": f"Bearer {credentials.access_token}",
            "LinkedIn-Version": credentials.api_version,
            "X-Restli-Protocol-Version": "2.0.0",
        }
        self._http = HttpClient("linkedin_ads", credentials.base_url, headers=headers, policy=policy, sleep=sleep)

    def close(self) -> None:
        self._http.close()

    def pages(self, stream: Stream, window: Window, _cursors: Cursors | None = None) -> Iterator[Page]:
        for account in self.accounts:
            if stream.name == "accounts":
                yield self._page(stream, f"/rest/adAccounts/{account}", f"account {account}")
            elif stream.name == "campaigns":
                yield from self._campaign_pages(stream, account)
            else:
                yield from self._analytics_pages(stream, account, window.first_day, window.last_day)

    def _analytics_pages(self, stream: Stream, account: str, first: date, last: date) -> Iterator[Page]:
        """The days' elements in one response, or, when it may be cut off, each half's."""
        fields = (*PIVOT_FIELDS, *(c.path for c in stream.columns if c.path not in DERIVED_FROM))
        page = self._page(stream, analytics_path(account, first, last, fields), f"account {account}, {first}..{last}")
        elements = page.body.get("elements") if isinstance(page.body, dict) else None
        if not isinstance(elements, list) or len(elements) < self.element_cap:
            yield page
            return
        if first == last:
            reason = f"account {account}: {first} alone holds {len(elements)} elements, adAnalytics' cap: cut off"
            raise ApiError("linkedin_ads", stream.name, "GET", page.origin, reason)
        middle = first + timedelta(days=(last - first).days // 2)
        yield from self._analytics_pages(stream, account, first, middle)
        yield from self._analytics_pages(stream, account, middle + timedelta(days=1), last)

    def _campaign_pages(self, stream: Stream, account: str) -> Iterator[Page]:
        path = f"/rest/adAccounts/{account}/adCampaigns?q=search&pageSize={self.credentials.page_size}"
        token, number = None, 1
        while True:
            following = f"{path}&pageToken={quote(token, safe='')}" if token else path
            page = self._page(stream, following, f"account {account}, page {number}")
            yield page
            metadata = page.body.get("metadata") if isinstance(page.body, dict) else None
            token = metadata.get("nextPageToken") if isinstance(metadata, dict) else None
            if not token:
                return
            number += 1

    def _page(self, stream: Stream, path: str, what: str) -> Page:
        response = self._request(stream, path, what)
        origin = f"{safe_url(response.request.url)} ({what})"
        try:
            body = json.loads(response.content, parse_constant=str)
        except json.JSONDecodeError as error:
            raise SourceDataError(stream, origin, f"not valid JSON (a cut-off response?): {error}") from None
        return Page(origin=origin, body=body)

    def _request(self, stream: Stream, path: str, what: str) -> httpx.Response:
        try:
            return self._http.request("GET", path, stream=stream.name)
        except ApiError as error:
            reason = f"{what}: {error.reason}"
            raise ApiError(error.source, error.stream, "GET", error.url, reason, gave_up=error.gave_up) from None


def connect(settings: SourceConfig) -> LinkedInAdsApi:
    """The API of one run, from the source's Airflow connection and accounts."""
    return LinkedInAdsApi(Credentials.from_airflow(settings.conn_id), settings.accounts)
