"""The demo world as Yandex Direct: Reports service TSV per client login, and the API that serves it.

`write` puts each account's campaign and ad-group days in the file drop the connector reads
(smarketing.extract.yandex_direct): `<login>/campaign_performance_<first>_<last>.tsv` and
`<login>/adgroup_performance_<first>_<last>.tsv`, a report of the window as the API returns it
(skipReportHeader, skipReportSummary) with the `ClientLogin` and `Currency` columns the connector
adds in front, `Cost` in micros of the account's own currency (EUR or CHF); beside them
`clients.json`, the Clients.get answer that names the currency. Campaign and ad-group ids and
names are the world's, so people's utm_campaign finds its campaign; the days are the world's days,
which Yandex would call Moscow days (staging says so).

`replay` serves that folder as the API the connector calls: `POST /json/v5/clients` (method get)
and `POST /json/v5/reports`, both for the client login in the `Client-Login` header. A report is
offline at first: its first request is answered 201 with `retryIn: 1`, so the connector's polling
runs (1 s is the shortest wait it takes from Yandex: a 0 would make it wait its 10 s default), and
the same request again gets the TSV of the asked fields and days. The demo's four reports (two
logins, two streams) wait 4 s in all.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from smarketing.demo.api_replay import DEMO_TOKEN, Answer, DemoPlatform, _json_files
from smarketing.demo.generator import ACCOUNTS, AdGroupRow, AdRow, DemoWorld

CLIENTS_PATH = "/json/v5/clients"
REPORTS_PATH = "/json/v5/reports"
# Yandex client logins are lowercase Latin letters, digits and hyphens: each account's name as one.
LOGINS = {customer_id: re.sub(r"[^a-z0-9]+", "-", account.name.lower()) for customer_id, account in ACCOUNTS.items()}
# The Yandex Direct type of each of the world's campaign types. Performance Max is Yandex's unified
# performance campaign; display and video ads both run in media (CPM banner) campaigns, which
# staging calls `display`: Yandex has no campaign type that says video.
CAMPAIGN_TYPES = {
    "SEARCH": "TEXT_CAMPAIGN",
    "PERFORMANCE_MAX": "UNIFIED_CAMPAIGN",
    "DISPLAY": "CPM_BANNER_CAMPAIGN",
    "VIDEO": "CPM_BANNER_CAMPAIGN",
}
ADDED = ("ClientLogin", "Currency")  # the connector's columns; a report has neither
CAMPAIGN_FIELDS = ("Date", "CampaignId", "CampaignName", "CampaignType", "Impressions", "Clicks", "Cost", "Conversions")
AD_GROUP_FIELDS = ("Date", "CampaignId", "CampaignName", "AdGroupId", "AdGroupName", "Impressions", "Clicks", "Cost",
                   "Conversions")  # fmt: skip
REPORT_FILES = {
    "CAMPAIGN_PERFORMANCE_REPORT": "campaign_performance_*.tsv",
    "ADGROUP_PERFORMANCE_REPORT": "adgroup_performance_*.tsv",
}
RETRY_IN = "1"  # seconds; keeps the demo fast


def write(world: DemoWorld, folder: Path, _rng: random.Random) -> None:
    """Every account's reports of the window (nothing random: the world decided everything)."""
    days = f"{world.window.first_day}_{world.window.last_day}"
    for customer_id, account in ACCOUNTS.items():
        login = LOGINS[customer_id]
        shared = (login, account.currency)
        campaigns = sorted(
            (row for row in world.ad_rows if row.campaign.customer_id == customer_id),
            key=lambda row: (row.day, row.campaign.campaign_id),
        )
        ad_groups = sorted(
            (row for row in world.ad_group_rows if row.campaign.customer_id == customer_id),
            key=lambda row: (row.day, row.campaign.campaign_id, row.ad_group.ad_group_id),
        )
        _write_tsv(folder / login / f"campaign_performance_{days}.tsv", (*ADDED, *CAMPAIGN_FIELDS),
                   [(*shared, *_campaign_cells(row)) for row in campaigns])  # fmt: skip
        _write_tsv(folder / login / f"adgroup_performance_{days}.tsv", (*ADDED, *AD_GROUP_FIELDS),
                   [(*shared, *_ad_group_cells(row)) for row in ad_groups])  # fmt: skip
        clients = {"result": {"Clients": [{"Login": login, "Currency": account.currency}]}}
        (folder / login / "clients.json").write_text(json.dumps(clients) + "\n", encoding="utf-8")


def _campaign_cells(row: AdRow) -> tuple[str, ...]:
    campaign = row.campaign
    type_ = CAMPAIGN_TYPES[campaign.channel_type]
    return (str(row.day), campaign.campaign_id, campaign.name, type_, *_metrics(row))


def _ad_group_cells(row: AdGroupRow) -> tuple[str, ...]:
    campaign, group = row.campaign, row.ad_group
    return (str(row.day), campaign.campaign_id, campaign.name, group.ad_group_id, group.name, *_metrics(row))


def _metrics(row: AdRow | AdGroupRow) -> tuple[str, ...]:
    # The world's attributed conversions are fractional; written as its numbers, without trailing zeros.
    conversions = f"{Decimal(str(row.conversions)).normalize():f}"
    return str(row.impressions), str(row.clicks), str(row.cost_micros), conversions


def _write_tsv(path: Path, header: tuple[str, ...], rows: Iterable[tuple[str, ...]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join("\t".join(cells) + "\n" for cells in (header, *rows)), encoding="utf-8")


def replay(folder: Path) -> DemoPlatform:
    """Clients.get and the two reports of each login folder; a report's first request is queued."""
    queued: set[tuple[str, str]] = set()  # (login, ReportName) already answered 201

    def report(login: str, params: Mapping[str, Any], headers: Mapping[str, str]) -> Answer:
        pattern = REPORT_FILES.get(params.get("ReportType", ""))
        asked = (params.get("Format"), params.get("DateRangeType"), *(headers.get(name) for name in _AS_ASKED))
        if pattern is None or asked != ("TSV", "CUSTOM_DATE", "true", "true", "true"):
            return _error(8000, "Invalid request", "the demo serves its two reports as TSV of days, money in micros")
        if (login, params["ReportName"]) not in queued:
            queued.add((login, params["ReportName"]))
            return 201, b"", {"retryIn": RETRY_IN, "reportsInQueue": "1"}
        lines = [line.split("\t") for path in sorted((folder / login).glob(pattern))
                 for line in path.read_text(encoding="utf-8").splitlines()]  # fmt: skip
        header = lines[0]
        rows = [line for line in lines if line != header]  # each file starts with the header row
        fields = params["FieldNames"]
        if not set(fields) <= set(header) - set(ADDED):
            return _error(4000, "Invalid request parameters", f"FieldNames not served: {fields}")
        columns = [header.index(field) for field in fields]
        first, last = params["SelectionCriteria"]["DateFrom"], params["SelectionCriteria"]["DateTo"]
        day = header.index("Date")
        table = [fields, *([row[c] for c in columns] for row in rows if first <= row[day] <= last)]
        return 200, "".join("\t".join(cells) + "\n" for cells in table).encode(), {"Content-Type": _TSV}

    def handle(method: str, target: str, body: Any, headers: Mapping[str, str]) -> Answer | None:
        path, login = urlsplit(target).path, headers.get("client-login", "")
        if method != "POST" or path not in (CLIENTS_PATH, REPORTS_PATH) or not (login and (folder / login).is_dir()):
            return None
        if headers.get("authorization") != f"Bearer {DEMO_TOKEN}":
            return _error(53, "Authorization error", "the demo's OAuth token is the connection's password")
        if path == CLIENTS_PATH and (body or {}).get("method") != "get":
            return _error(8000, "Invalid request", "the demo serves Clients.get only")
        if path == CLIENTS_PATH:
            return 200, next(_json_files(folder / login, "clients.json"))
        return report(login, (body or {}).get("params", {}), headers)

    logins = sorted(path.name for path in folder.iterdir() if path.is_dir())
    connection = {"conn_type": "http", "password": DEMO_TOKEN}
    return DemoPlatform(handle, connection, logins, headers=("authorization", "client-login", *_AS_ASKED))


# The request headers a report is asked for with: money in micros, no title line, no totals line.
_AS_ASKED = ("returnmoneyinmicros", "skipreportheader", "skipreportsummary")
_TSV = "text/tab-separated-values; charset=utf-8"


def _error(code: int, text: str, detail: str) -> Answer:
    """Yandex's error JSON, as its services send it with HTTP 400."""
    return 400, {"error": {"request_id": "demo", "error_code": code, "error_string": text, "error_detail": detail}}
