"""The demo company's ads on LinkedIn: adAnalytics pages, campaigns and ad accounts, written as a file
drop and served as the Marketing API, so `make demo API=linkedin_ads` runs the LinkedIn connector
end to end.

Written (`write`), one folder per ad account, `<id>/`, as smarketing.extract.linkedin_ads reads it:
  adAccount.json              the ad account (`GET /rest/adAccounts/{id}`): name and currency
  adCampaigns_page<n>.json    the campaigns search, PAGE_SIZE campaigns a page, `nextPageToken`
  adAnalytics_<day>.json      that day's Statistics finder response (pivots ACCOUNT, CAMPAIGN)
Accounts and campaigns keep the world's ids and names: LinkedIn ids are digits as the world's
are, and people's utm_campaign is the campaign name, which dbt matches to the campaign's name.
Cost is the world's cost in the account's own currency (the Swiss account's in CHF) as a decimal
string of units. LinkedIn counts whole conversions: a campaign-day's are the world's platform
conversions rounded half up, reported as website conversions (Insight Tag), as the world's people
convert on the landing page. LinkedIn has no ad-set report in the connector, so the world's ad
groups are not written. LinkedIn reports days in UTC: the world's account-local day is written as
the same calendar day in UTC (the world has no hours of spend to move across midnight).

Served (`replay`) as smarketing.extract.linkedin_ads_api asks, the token as `Bearer` header:
`GET /rest/adAnalytics?q=statistics&...&dateRange=(start:(...),end:(...))&accounts=List(<urn>)
&fields=...` answers the account's elements of those days with the fields asked (not paged, as
LinkedIn's is not); `GET /rest/adAccounts/{id}/adCampaigns?q=search&pageSize=N[&pageToken=T]` pages
the account's campaigns; `GET /rest/adAccounts/{id}` answers the ad account.
"""

from __future__ import annotations

import base64
import math
import random
import re
from collections import defaultdict
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from smarketing.demo.api_replay import DEMO_TOKEN, Answer, DemoPlatform, _json_files
from smarketing.demo.generator import ACCOUNTS, AdRow, Campaign, DemoWorld, _micros_to_units, _write_json
from smarketing.extract.linkedin_ads import ACCOUNT_URN, CAMPAIGN_URN

# LinkedIn has no search, PMax, display or video campaigns: the campaign type and objective
# nearest each world campaign type.
CAMPAIGN_KINDS = {
    "SEARCH": ("TEXT_AD", "WEBSITE_VISIT"),
    "PERFORMANCE_MAX": ("SPONSORED_UPDATES", "WEBSITE_CONVERSIONS"),
    "DISPLAY": ("DYNAMIC", "WEBSITE_VISIT"),
    "VIDEO": ("SPONSORED_UPDATES", "VIDEO_VIEW"),
}
# Small pages, so the demo's campaigns (six in one account) take the connector through paging.
PAGE_SIZE = 4
API_VERSION = "202606"
# Each account's campaigns sit in one campaign group; LinkedIn's group ids are digits too.
FIRST_CAMPAIGN_GROUP_ID = 630_000_001


def write(world: DemoWorld, folder: Path, _rng: random.Random) -> None:
    """Each account's object, its campaign pages and, per day, its analytics response (empty
    days too, as a nightly pull stores them). Nothing is random: LinkedIn's bodies carry no ids
    of requests."""
    rows: dict[tuple[str, date], list[AdRow]] = defaultdict(list)
    for row in sorted(world.ad_rows, key=lambda r: r.campaign.campaign_id):
        rows[row.campaign.customer_id, row.day].append(row)
    paused = {row.campaign.campaign_id: row.day for row in world.ad_rows if row.status == "PAUSED"}
    campaigns = sorted({row.campaign for row in world.ad_rows}, key=lambda c: c.campaign_id)
    for group_id, (customer_id, account) in enumerate(ACCOUNTS.items(), FIRST_CAMPAIGN_GROUP_ID):
        account_folder = folder / customer_id
        ad_account = {
            "currency": account.currency,
            "id": int(customer_id),
            "name": account.name,
            "servingStatuses": ["RUNNABLE"],
            "status": "ACTIVE",
            "test": False,
            "type": "BUSINESS",
        }
        _write_json(account_folder / "adAccount.json", ad_account)
        own = [
            _campaign(campaign, group_id, world.window.first_day, paused.get(campaign.campaign_id))
            for campaign in campaigns
            if campaign.customer_id == customer_id
        ]
        for number, start in enumerate(range(0, max(len(own), 1), PAGE_SIZE), 1):
            _write_json(account_folder / f"adCampaigns_page{number}.json", _campaign_page(own, start, PAGE_SIZE))
        for day in world.window.days():
            elements = [_element(row) for row in rows[customer_id, day]]
            _write_json(account_folder / f"adAnalytics_{day}.json", _analytics(elements))


def _epoch_ms(day: date, hour: int) -> int:
    return int(datetime.combine(day, time(hour), UTC).timestamp() * 1000)


def _campaign(campaign: Campaign, group_id: int, first_day: date, paused_on: date | None) -> dict[str, Any]:
    """A campaign as the search returns it; the paused one was last changed on its pause day."""
    kind, objective = CAMPAIGN_KINDS[campaign.channel_type]
    modified = _epoch_ms(paused_on, 14) if paused_on else _epoch_ms(first_day, 0)
    return {
        "account": f"{ACCOUNT_URN}{campaign.customer_id}",
        "campaignGroup": f"urn:li:sponsoredCampaignGroup:{group_id}",
        "changeAuditStamps": {"created": {"time": _epoch_ms(first_day, 0)}, "lastModified": {"time": modified}},
        "costType": "CPC",
        "id": int(campaign.campaign_id),
        "name": campaign.name,
        "objectiveType": objective,
        "status": "PAUSED" if paused_on else "ACTIVE",
        "type": kind,
    }


def _page_token(start: int) -> str:
    """An opaque token as LinkedIn's look: the next campaign's position, base64."""
    return base64.urlsafe_b64encode(f"offset:{start}".encode()).decode()


def _start(token: str) -> int:
    return int(base64.urlsafe_b64decode(token.encode()).decode().removeprefix("offset:"))


def _campaign_page(campaigns: list[dict[str, Any]], start: int, size: int) -> dict[str, Any]:
    """A page of campaigns from position `start`; `nextPageToken` only while more follow."""
    metadata = {"nextPageToken": _page_token(start + size)} if start + size < len(campaigns) else {}
    return {"elements": campaigns[start : start + size], "metadata": metadata}


def _element(row: AdRow) -> dict[str, Any]:
    """One campaign-day element of the Statistics finder, its day one UTC day."""
    day = {"year": row.day.year, "month": row.day.month, "day": row.day.day}
    return {
        "pivotValues": [f"{ACCOUNT_URN}{row.campaign.customer_id}", f"{CAMPAIGN_URN}{row.campaign.campaign_id}"],
        "dateRange": {"start": day, "end": day},
        "costInLocalCurrency": str(_micros_to_units(row.cost_micros)),
        "impressions": row.impressions,
        "clicks": row.clicks,
        "oneClickLeads": 0,  # the world's people convert on the landing page, not in a Lead Gen Form
        "externalWebsiteConversions": math.floor(row.conversions + 0.5),
    }


def _analytics(elements: list[dict[str, Any]]) -> dict[str, Any]:
    return {"paging": {"start": 0, "count": 10, "links": []}, "elements": elements}


# ---- the Marketing API --------------------------------------------------------------------------

_ANALYTICS = "/rest/adAnalytics"
_CAMPAIGNS = re.compile(r"/rest/adAccounts/(\d+)/adCampaigns")
_ACCOUNT = re.compile(r"/rest/adAccounts/(\d+)")
_DATE_RANGE = re.compile(r"\(start:\(year:(\d+),month:(\d+),day:(\d+)\),end:\(year:(\d+),month:(\d+),day:(\d+)\)\)")
_ACCOUNTS = re.compile(r"List\(" + re.escape(ACCOUNT_URN) + r"(\d+)\)")
_UNAUTHORIZED = 401, {"status": 401, "serviceErrorCode": 65600, "code": "INVALID_ACCESS_TOKEN",
                      "message": "Invalid access token"}  # fmt: skip


def replay(folder: Path) -> DemoPlatform:
    account_folders = {path.name: path for path in sorted(folder.iterdir()) if path.is_dir()}
    accounts = {account: next(_json_files(path, "adAccount.json")) for account, path in account_folders.items()}
    campaigns = {
        account: [campaign for page in _json_files(path, "adCampaigns_*.json") for campaign in page["elements"]]
        for account, path in account_folders.items()
    }
    elements = {
        account: [element for page in _json_files(path, "adAnalytics_*.json") for element in page["elements"]]
        for account, path in account_folders.items()
    }

    def analytics(params: dict[str, str]) -> Answer | None:
        """The account's elements of the days asked, with the fields asked."""
        days = _DATE_RANGE.fullmatch(params.get("dateRange", ""))
        account = _ACCOUNTS.fullmatch(params.get("accounts", ""))
        finder = (params.get("q"), params.get("pivots"), params.get("timeGranularity"))
        if not days or not account or finder != ("statistics", "List(ACCOUNT,CAMPAIGN)", "DAILY"):
            return None
        numbers = [int(part) for part in days.groups()]
        first, last = date(*numbers[:3]), date(*numbers[3:])
        wanted = set(params.get("fields", "").split(","))
        found = [
            {name: value for name, value in element.items() if name in wanted}
            for element in elements.get(account.group(1), [])
            if first <= date(**element["dateRange"]["start"]) <= last
        ]
        return 200, _analytics(found)

    def serve(path: str, params: dict[str, str]) -> Answer | None:
        if path == _ANALYTICS:
            return analytics(params)
        if (match := _CAMPAIGNS.fullmatch(path)) and match.group(1) in campaigns and params.get("q") == "search":
            start = _start(params["pageToken"]) if "pageToken" in params else 0
            return 200, _campaign_page(campaigns[match.group(1)], start, int(params.get("pageSize") or PAGE_SIZE))
        if (match := _ACCOUNT.fullmatch(path)) and match.group(1) in accounts:
            return 200, accounts[match.group(1)]
        return None

    def handle(method: str, target: str, _body: Any, headers: dict[str, str]) -> Answer | None:
        parts = urlsplit(target)
        if method != "GET" or not parts.path.startswith("/rest/"):
            return None
        if headers.get("authorization") != f"Bearer {DEMO_TOKEN}":
            return _UNAUTHORIZED
        return serve(parts.path, dict(parse_qsl(parts.query)))

    extra = {"api_version": API_VERSION, "page_size": PAGE_SIZE}
    connection = {"conn_type": "http", "password": DEMO_TOKEN, "extra": extra}
    return DemoPlatform(handle, connection, list(account_folders), headers=("authorization",))
