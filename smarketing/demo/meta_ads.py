"""The demo company's ads on Meta: Insights pages and ad account objects, written as a file drop
and served as the Marketing API, so `make demo API=meta_ads` runs the Meta connector end to end.

Written (`write`), one folder per ad account, `act_<id>/`, as smarketing.extract.meta_ads reads it:
  account.json                  the ad account (`GET /act_<id>?fields=...`): name, currency, time zone
  campaign_insights_<day>.json  that day's Insights page at level=campaign (time_increment=1)
  adset_insights_<day>.json     the same at level=adset: the world's ad groups as ad sets, whose rows
                                add up to their campaign's row (Performance Max has none)
Accounts, campaigns and ad groups keep the world's ids and names (people's utm_campaign is the
campaign name); spend is the world's cost in the account's own currency (the Swiss account's in
CHF), a decimal string of units. Meta counts whole leads: a campaign-day's leads are the world's
platform conversions rounded half up, shared among its ad sets by their own conversions (largest
remainder, so they add up), and reported as website (pixel) leads: `lead` and its detail
`offsite_conversion.fb_pixel_lead`, each that count. A row without leads has no `actions`.

Served (`replay`) as smarketing.extract.meta_ads_api asks, the token in `access_token`:
`GET /{version}/act_<id>/insights` answers the rows of the `level` and `time_range` asked, `limit`
a page, with Meta's cursors and a `paging.next` URL; a longer window (the first run's 90 days)
comes as a report job: `POST` of the same parameters as a form, `GET /{version}/<run id>` (done at
once, so the connector never waits) and `GET /{version}/<run id>/insights`, paged alike;
`GET /{version}/act_<id>` answers the ad account.
"""

from __future__ import annotations

import base64
import itertools
import json
import math
import random
import re
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit
from zoneinfo import ZoneInfo

from smarketing.demo.api_replay import DEMO_TOKEN, Answer, DemoPlatform, _json_files
from smarketing.demo.generator import ACCOUNTS, AdGroupRow, AdRow, DemoWorld, _apportion, _micros_to_units, _write_json

# Meta has no search, display or video campaigns: the objective nearest each world campaign type.
OBJECTIVES = {
    "SEARCH": "OUTCOME_LEADS",
    "PERFORMANCE_MAX": "OUTCOME_SALES",
    "DISPLAY": "OUTCOME_TRAFFIC",
    "VIDEO": "OUTCOME_AWARENESS",
}
LEAD_ACTIONS = ("lead", "offsite_conversion.fb_pixel_lead")
LEVEL_FILES = {"campaign": "campaign_insights_*.json", "adset": "adset_insights_*.json"}
# `paging.next` points at Meta itself, as Meta writes it; the connector asks its own base URL.
GRAPH_URL = "https://graph.facebook.com"
DEFAULT_LIMIT = 25  # Meta's page size when a request names none
FIRST_REPORT_RUN_ID = 6_200_000_000_001

CampaignDay = tuple[date, str]


def write(world: DemoWorld, folder: Path, _rng: random.Random) -> None:
    """Each account's object and, per day, its campaign and ad-set pages (empty ones too, as a
    nightly pull stores them). Nothing is random: Meta's pages carry no request ids."""
    leads = {(row.day, row.campaign.campaign_id): _leads(row.conversions) for row in world.ad_rows}
    ad_set_leads = _ad_set_leads(world.ad_group_rows, leads)
    campaigns: dict[tuple[str, date], list[dict]] = defaultdict(list)
    for row in sorted(world.ad_rows, key=lambda r: r.campaign.campaign_id):
        campaigns[row.campaign.customer_id, row.day].append(_record(row, leads[row.day, row.campaign.campaign_id]))
    ad_sets: dict[tuple[str, date], list[dict]] = defaultdict(list)
    for row in sorted(world.ad_group_rows, key=lambda r: (r.campaign.campaign_id, r.ad_group.ad_group_id)):
        ad_sets[row.campaign.customer_id, row.day].append(_record(row, ad_set_leads[_ad_set_key(row)]))
    for customer_id, account in ACCOUNTS.items():
        account_folder = folder / f"act_{customer_id}"
        # Meta gives the zone's offset of today: the demo's last day.
        noon = datetime.combine(world.window.last_day, time(12), ZoneInfo(account.time_zone))
        offset = noon.utcoffset() / timedelta(hours=1)
        account_object = {
            "account_id": customer_id,
            "name": account.name,
            "currency": account.currency,
            "timezone_name": account.time_zone,
            "timezone_offset_hours_utc": int(offset) if offset.is_integer() else offset,
            "id": f"act_{customer_id}",
        }
        _write_json(account_folder / "account.json", account_object)
        for day in world.window.days():
            _write_json(account_folder / f"campaign_insights_{day}.json", _page(campaigns[customer_id, day], 0))
            _write_json(account_folder / f"adset_insights_{day}.json", _page(ad_sets[customer_id, day], 0))


def _leads(conversions: float) -> int:
    """Whole leads from the world's fractional conversions, rounded half up."""
    return math.floor(conversions + 0.5)


def _ad_set_key(row: AdGroupRow) -> tuple[date, str, str]:
    return row.day, row.campaign.campaign_id, row.ad_group.ad_group_id


def _ad_set_leads(rows: list[AdGroupRow], leads: dict[CampaignDay, int]) -> dict[tuple[date, str, str], int]:
    """A campaign-day's leads shared among its ad sets by their conversions, adding up exactly."""
    by_campaign_day: dict[CampaignDay, list[AdGroupRow]] = defaultdict(list)
    for row in rows:
        by_campaign_day[row.day, row.campaign.campaign_id].append(row)
    shares = {}
    for campaign_day, ad_sets in by_campaign_day.items():
        parts = _apportion(leads[campaign_day], [row.conversions for row in ad_sets])
        shares.update({_ad_set_key(row): part for row, part in zip(ad_sets, parts, strict=True)})
    return shares


def _record(row: AdRow | AdGroupRow, leads: int) -> dict[str, Any]:
    """One Insights record, fields in the stream's order, every number a string as Meta sends it."""
    campaign, account = row.campaign, ACCOUNTS[row.campaign.customer_id]
    record: dict[str, Any] = {
        "campaign_id": campaign.campaign_id,
        "campaign_name": campaign.name,
        "objective": OBJECTIVES[campaign.channel_type],
    }
    if isinstance(row, AdGroupRow):
        record |= {"adset_id": row.ad_group.ad_group_id, "adset_name": row.ad_group.name}
    record |= {
        "account_id": campaign.customer_id,
        "account_name": account.name,
        "account_currency": account.currency,
        "date_start": row.day.isoformat(),
        "date_stop": row.day.isoformat(),
        "spend": str(_micros_to_units(row.cost_micros)),
        "impressions": str(row.impressions),
        "clicks": str(row.clicks),
    }
    if leads:  # Meta leaves out an action type that did not happen, and `actions` when none did
        record["actions"] = [{"action_type": action, "value": str(leads)} for action in LEAD_ACTIONS]
    return record


def _cursor(position: int) -> str:
    """A cursor as Meta's look: the row's position in base64 with its padding as `ZD` (0: MAZDZD)."""
    return base64.b64encode(str(position).encode()).decode().replace("=", "ZD")


def _position(cursor: str) -> int:
    return int(base64.b64decode(cursor.replace("ZD", "=")))


def _page(rows: list[dict[str, Any]], start: int, next_url: str | None = None) -> dict[str, Any]:
    """A page of the rows from position `start`: cursors only with rows, `next` only with more."""
    body: dict[str, Any] = {"data": rows}
    if rows:
        body["paging"] = {"cursors": {"before": _cursor(start), "after": _cursor(start + len(rows) - 1)}}
        if next_url:
            body["paging"]["next"] = next_url
    return body


# ---- the Marketing API --------------------------------------------------------------------------

_GRAPH_PATH = re.compile(r"/v\d+\.\d+/.*")
_INSIGHTS = re.compile(r"/v\d+\.\d+/act_(\d+)/insights")
_ACCOUNT = re.compile(r"/v\d+\.\d+/act_(\d+)")
_REPORT_RUN = re.compile(r"/v\d+\.\d+/(\d+)(/insights)?")
_INVALID_TOKEN = 400, {"error": {"message": "Invalid OAuth access token - Cannot parse access token",
                                 "type": "OAuthException", "code": 190}}  # fmt: skip


def replay(folder: Path) -> DemoPlatform:
    account_folders = {path.name.removeprefix("act_"): path for path in sorted(folder.iterdir()) if path.is_dir()}
    objects = {account: next(_json_files(path, "account.json")) for account, path in account_folders.items()}
    rows = {
        (account, level): [record for page in _json_files(path, files) for record in page["data"]]
        for account, path in account_folders.items()
        for level, files in LEVEL_FILES.items()
    }
    jobs: dict[str, tuple[str, dict[str, str], list]] = {}  # report run id -> account, days, rows
    run_ids = itertools.count(FIRST_REPORT_RUN_ID)

    def insights(account: str, params: dict[str, str]) -> list[dict[str, Any]] | None:
        """The level's rows of the days asked, with the fields asked (Meta adds the days)."""
        level_rows = rows.get((account, params.get("level", "")))
        if level_rows is None or params.get("time_increment") != "1" or "time_range" not in params:
            return None
        days = json.loads(params["time_range"])
        wanted = {*params.get("fields", "").split(","), "date_start", "date_stop"}
        return [
            {name: value for name, value in row.items() if name in wanted}
            for row in level_rows
            if days["since"] <= row["date_start"] <= days["until"]
        ]

    def paged(found: list[dict[str, Any]], path: str, query: dict[str, str]) -> Answer:
        start = _position(query["after"]) + 1 if "after" in query else 0
        end = start + int(query.get("limit") or DEFAULT_LIMIT)
        following = urlencode({**query, "after": _cursor(end - 1)})
        return 200, _page(found[start:end], start, f"{GRAPH_URL}{path}?{following}" if end < len(found) else None)

    def serve(method: str, path: str, params: dict[str, str]) -> Answer | None:
        if match := _INSIGHTS.fullmatch(path):
            found = insights(match.group(1), params)
            if found is None:
                return None
            if method == "GET":
                return paged(found, path, params)
            run_id = str(next(run_ids))
            jobs[run_id] = (match.group(1), json.loads(params["time_range"]), found)
            return 200, {"report_run_id": run_id}
        if method != "GET":
            return None
        if (match := _ACCOUNT.fullmatch(path)) and match.group(1) in objects:
            wanted = {*params.get("fields", "").split(","), "id"}
            return 200, {name: value for name, value in objects[match.group(1)].items() if name in wanted}
        if (match := _REPORT_RUN.fullmatch(path)) and match.group(1) in jobs:
            account, days, found = jobs[match.group(1)]
            if match.group(2):
                return paged(found, path, params)
            status = {"async_status": "Job Completed", "async_percent_completion": 100}
            return 200, {"id": match.group(1), "account_id": account, **status,
                         "date_start": days["since"], "date_stop": days["until"]}  # fmt: skip
        return None

    def handle(method: str, target: str, body: Any) -> Answer | None:
        parts = urlsplit(target)
        if not _GRAPH_PATH.fullmatch(parts.path):
            return None
        params = dict(parse_qsl(parts.query))
        if method == "POST" and isinstance(body, str):  # a report job's parameters come as a form
            params |= dict(parse_qsl(body))
        if params.get("access_token") != DEMO_TOKEN:
            return _INVALID_TOKEN
        return serve(method, parts.path, params)

    connection = {"conn_type": "http", "password": DEMO_TOKEN}
    return DemoPlatform(handle, connection, [f"act_{account}" for account in account_folders])
