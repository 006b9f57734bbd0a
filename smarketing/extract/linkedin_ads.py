"""LinkedIn Ads: Marketing API (versioned `/rest/`) responses for the campaign daily report, the
campaigns and the ad account, one JSON response per file as the API returns it.

`campaign_daily` pages are adAnalytics responses of the Statistics finder pivoted by account and
campaign (`q=statistics&pivots=List(ACCOUNT,CAMPAIGN)&timeGranularity=DAILY`), so every element
names its own account: `{"elements": [{"dateRange": {"start": {"year", "month", "day"}, "end":
...}, "pivotValues": ["urn:li:sponsoredAccount:…", "urn:li:sponsoredCampaign:…"],
"costInLocalCurrency": "12.34", "impressions": 1000, ...}]}`. An element's day and ids are read
from those structures (`analytics_element`); `costInLocalCurrency` is a decimal string of the
account currency (not micros). LinkedIn reports days in UTC, whatever the account. It restates
recent days (late conversions, invalid-click credits), so a re-read replaces the window's days of
the accounts it covers.

The elements carry neither campaign names nor the currency: `campaigns` holds the account's
campaigns (`/rest/adAccounts/{id}/adCampaigns?q=search`, `{"elements": [...], "metadata":
{"nextPageToken": ...}}`) and `accounts` the ad account itself (`/rest/adAccounts/{id}`, its
`currency`). Neither is a series of days: every run reads them whole and merges them by id.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from smarketing.extract.currencies import CURRENCY_CODES
from smarketing.extract.streams import Column, Stream

ACCOUNT_URN = "urn:li:sponsoredAccount:"
CAMPAIGN_URN = "urn:li:sponsoredCampaign:"
# What the analytics finder is asked for besides the metrics, and read into the derived fields.
PIVOT_FIELDS = ("dateRange", "pivotValues")
# Derived field -> the element's field it is read from, so a rejection names LinkedIn's field.
DERIVED_FROM = {"day": "dateRange.start", "accountId": "pivotValues", "campaignId": "pivotValues"}


def analytics_element(element: dict) -> Iterator[tuple[dict, Mapping[str, str]]]:
    """An adAnalytics element as one record: its day (`dateRange.start`, one day with DAILY
    granularity) as ISO text, its account and campaign ids from the pivot URNs, its metrics as sent.
    A part that cannot be read is left out, so the required column rejects the element."""
    record: dict[str, Any] = {key: value for key, value in element.items() if key not in PIVOT_FIELDS}
    day = _day(element.get("dateRange"))
    if day is not None:
        record["day"] = day
    pivots = element.get("pivotValues")
    for urn in pivots if isinstance(pivots, list) else ():
        for prefix, key in ((ACCOUNT_URN, "accountId"), (CAMPAIGN_URN, "campaignId")):
            if isinstance(urn, str) and urn.startswith(prefix):
                record[key] = urn.removeprefix(prefix)
    yield record, DERIVED_FROM


def _day(date_range: Any) -> str | None:
    start = date_range.get("start") if isinstance(date_range, dict) else None
    try:
        return date(start["year"], start["month"], start["day"]).isoformat()
    except (TypeError, KeyError, ValueError):
        return None


STREAMS = (
    Stream(
        source="linkedin_ads",
        name="campaign_daily",
        files="*/adAnalytics_*.json",
        records_at="elements",
        columns=(
            Column("account_id", "text", "accountId", required=True),
            Column("campaign_id", "text", "campaignId", required=True),
            Column("day", "date", "day", required=True, not_future=True),
            Column("cost_in_local_currency", "numeric", "costInLocalCurrency", minimum=Decimal(0)),
            Column("impressions", "bigint", "impressions", minimum=Decimal(0)),
            Column("clicks", "bigint", "clicks", minimum=Decimal(0)),
            Column("one_click_leads", "bigint", "oneClickLeads", minimum=Decimal(0)),
            Column("external_website_conversions", "bigint", "externalWebsiteConversions", minimum=Decimal(0)),
        ),
        natural_key=("account_id", "campaign_id", "day"),
        window_column="day",
        replace_scope=("account_id",),
        explode=analytics_element,
    ),
    Stream(
        source="linkedin_ads",
        name="campaigns",
        files="*/adCampaigns_*.json",
        records_at="elements",
        columns=(
            Column("campaign_id", "text", "id", required=True),
            Column("account_urn", "text", "account", required=True),
            Column("campaign_group_urn", "text", "campaignGroup"),
            Column("name", "text", "name"),
            Column("status", "text", "status"),
            Column("type", "text", "type"),
            Column("objective_type", "text", "objectiveType"),
            # Epoch milliseconds, as every LinkedIn audit stamp.
            Column("last_modified_ms", "bigint", "changeAuditStamps.lastModified.time"),
        ),
        natural_key=("campaign_id",),
        window_column=None,
    ),
    Stream(
        source="linkedin_ads",
        name="accounts",
        files="*/adAccount.json",
        records_at="",
        columns=(
            Column("account_id", "text", "id", required=True),
            Column("name", "text", "name"),
            Column("currency", "text", "currency", required=True, allowed=CURRENCY_CODES),
            Column("status", "text", "status"),
            Column("type", "text", "type"),
        ),
        natural_key=("account_id",),
        window_column=None,
    ),
)
