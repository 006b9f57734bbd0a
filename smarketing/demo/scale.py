"""The demo company at the sizes a data team reaches after years (`--scale`), for `make bench`.

The same shapes as the 90-day demo (smarketing.demo.generator): Google Ads campaign and ad-group
daily reports of the demo's Search, Display and Video campaigns in a EUR and a CHF account, HubSpot
contacts whose first visit names those campaigns, deals for the opportunities, and the ECB rates.
It grows by markets: each market runs a copy of the demo's accounts, campaigns and ad groups
(ids and names of their own), over up to three years of days; people arrive over the same days.

Everything is streamed: one account-month of ad rows, or one page of contacts, is in memory at a
time, so writing 10M rows needs no more memory than 10k. Each market draws from a random generator
of its own, so a scale's files are the same on every run.

Files (what smarketing.extract.google_ads / hubspot read; month files instead of day files keep
the count down):
  google_ads/<customer id>/adGroupStream_<YYYY-MM>.json  one searchStream response per account-month
  google_ads/<customer id>/searchStream_<YYYY-MM>.json   the campaign rows: each the exact sum of
                                                          its ad groups' rows of the day
  hubspot/contacts/page-NNNNNN.json, hubspot/deals/...    100 records a page, as the API pages them
  fx_rates/eurofxref-hist.csv
Performance Max campaigns have no ad groups and are left out, so ad-group rows add up to campaign rows.
"""

from __future__ import annotations

import dataclasses
import json
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from smarketing.demo.generator import (
    ACCOUNTS,
    BERLIN,
    CAMPAIGNS,
    CHANNELS,
    CLICK_TAGS,
    CLOSED_LOST_REASONS,
    FIRST_NAMES,
    FX_DAYS_BEFORE_WINDOW,
    GOOGLE_ADS_AD_GROUP_FIELD_MASK,
    GOOGLE_ADS_FIELD_MASK,
    HUBSPOT_OBJECTS_URL,
    JOB_TITLES,
    LAST_NAMES,
    MICROS_PER_CENT,
    PAGE_SIZE,
    Account,
    Campaign,
    Contact,
    Deal,
    Quality,
    _ascii,
    _channel_attribution,
    _companies,
    _contact_body,
    _deal_amount,
    _deal_body,
    _paid_attribution,
    _simulate_fx,
    _weighted,
    _write_ecb_csv,
)


@dataclass(frozen=True)
class Scale:
    ad_group_rows: int
    persons: int


SCALES = {
    "10k": Scale(ad_group_rows=10_000, persons=10_000),
    "1m": Scale(ad_group_rows=1_000_000, persons=100_000),
    "10m": Scale(ad_group_rows=10_000_000, persons=1_000_000),
}
MAX_DAYS = 3 * 365
PAID_SHARE = 0.4  # of people, who arrive from an ad click
# Conversion down the funnel, and how many days each step takes.
MQL_RATE, SQL_RATE, OPPORTUNITY_RATE, WIN_RATE, DISQUALIFIED_RATE = 0.45, 0.40, 0.65, 0.30, 0.35
STEP_DAYS = {
    "marketingqualifiedlead": (0, 3),
    "salesqualifiedlead": (1, 7),
    "opportunity": (2, 10),
    "customer": (10, 40),
}
CHF_PER_EUR = Decimal("0.95")
FIRST_CUSTOMER_ID = 7_000_000_000
FIRST_CONTACT_ID, FIRST_DEAL_ID = 10_000_001, 50_000_001
WEEKEND_FACTOR = 0.55
QUALITY = Quality(mql_rate=MQL_RATE, sql_rate=SQL_RATE, win_rate=WIN_RATE)


@dataclass(frozen=True)
class ScaleSummary:
    ad_group_rows: int
    campaign_rows: int
    persons: int
    deals: int
    days: int
    markets: int
    files: int


@dataclass(frozen=True)
class _Market:
    number: int
    accounts: dict[str, tuple[str, Account]]  # the market's customer id: (the demo account's id, its settings)
    campaigns: tuple[Campaign, ...]  # the demo's campaigns with ad groups, renamed for the market


def write_scaled(out_dir: Path, scale: str | Scale, end_date: date, seed: int = 7) -> ScaleSummary:
    """Write the scale's Google Ads, HubSpot and ECB files under `out_dir`."""
    size = SCALES[scale] if isinstance(scale, str) else scale
    with_ad_groups = [campaign for campaign in CAMPAIGNS if campaign.ad_groups]
    groups_per_market = sum(len(campaign.ad_groups) for campaign in with_ad_groups)
    markets = max(1, math.ceil(size.ad_group_rows / (MAX_DAYS * groups_per_market)))
    days = max(1, math.ceil(size.ad_group_rows / (markets * groups_per_market)))
    first_day = end_date - timedelta(days=days - 1)
    # Rows beyond the exact count are the first ones: the first account started a few days later.
    skip = markets * groups_per_market * days - size.ad_group_rows
    ad_group_rows = campaign_rows = files = 0
    all_markets = [_market(number, with_ad_groups) for number in range(markets)]
    for market in all_markets:
        rng = random.Random(f"{seed}:ads:{market.number}")
        for customer_id, (base_id, account) in market.accounts.items():
            campaigns = [c for c in market.campaigns if c.customer_id == base_id]
            for month_days in _months(first_day, end_date):
                day_rows = []
                for day in month_days:
                    for campaign in campaigns:
                        groups = _ad_group_day(rng, campaign, day, account)
                        if skip >= len(groups):
                            skip -= len(groups)
                            continue
                        groups, skip = groups[skip:], 0
                        day_rows.append((campaign, day, groups))
                if not day_rows:
                    continue
                month = month_days[0].strftime("%Y-%m")
                folder = out_dir / "google_ads" / customer_id
                group_results = [_ad_group_row(customer_id, account, c, d, g) for c, d, gs in day_rows for g in gs]
                campaign_results = [_campaign_row(customer_id, account, c, d, gs) for c, d, gs in day_rows]
                group_response = _stream_response(group_results, GOOGLE_ADS_AD_GROUP_FIELD_MASK)
                _write(folder / f"adGroupStream_{month}.json", group_response)
                _write(folder / f"searchStream_{month}.json", _stream_response(campaign_results, GOOGLE_ADS_FIELD_MASK))
                ad_group_rows += len(group_results)
                campaign_rows += len(campaign_results)
                files += 2
    hubspot = out_dir / "hubspot"
    persons, deals, people_files = _write_people(hubspot, size.persons, all_markets, first_day, end_date, seed)
    fx = _simulate_fx(random.Random(f"{seed}:fx"), first_day - timedelta(days=FX_DAYS_BEFORE_WINDOW), end_date)
    _write_ecb_csv(out_dir / "fx_rates" / "eurofxref-hist.csv", fx)
    return ScaleSummary(ad_group_rows, campaign_rows, persons, deals, days, markets, files + people_files + 1)


def _market(number: int, campaigns: list[Campaign]) -> _Market:
    """The demo's accounts and campaigns for market `number`: new ids, names ending in the market."""
    accounts = {
        str(FIRST_CUSTOMER_ID + number * 10 + index): (base_id, _renamed(account, number))
        for index, (base_id, account) in enumerate(ACCOUNTS.items())
    }
    renamed = tuple(
        dataclasses.replace(
            campaign,
            campaign_id=f"{campaign.campaign_id}{number:03d}",
            name=f"{campaign.name} | M{number:03d}",
            ad_groups=tuple(
                dataclasses.replace(group, ad_group_id=f"{group.ad_group_id}{number:03d}")
                for group in campaign.ad_groups
            ),
        )
        for campaign in campaigns
    )
    return _Market(number, accounts, renamed)


def _renamed(account: Account, market: int) -> Account:
    return dataclasses.replace(account, name=f"{account.name} M{market:03d}")


def _months(first_day: date, last_day: date) -> Iterator[list[date]]:
    day = first_day
    while day <= last_day:
        month = []
        while day <= last_day and (not month or day.month == month[0].month):
            month.append(day)
            day += timedelta(days=1)
        yield month


def _ad_group_day(rng: random.Random, campaign: Campaign, day: date, account: Account) -> list[tuple[Any, ...]]:
    """(ad group, cost in micros of the account's currency, impressions, clicks, conversions) of each
    ad group: the campaign's usual spend for the weekday, shared by the groups' weights, with noise."""
    weight_sum = sum(group.weight for group in campaign.ad_groups)
    spend_eur = campaign.weekday_spend_eur * (WEEKEND_FACTOR if day.weekday() >= 5 else 1.0)
    rows = []
    for group in campaign.ad_groups:
        clicks = max(0, round(spend_eur * group.weight / weight_sum / campaign.cpc_eur * rng.uniform(0.7, 1.3)))
        impressions = max(clicks, round(clicks / campaign.ctr * rng.uniform(0.8, 1.2))) or rng.randint(1, 40)
        cost_eur = Decimal(clicks) * Decimal(str(campaign.cpc_eur)) * Decimal(str(round(rng.uniform(0.85, 1.15), 3)))
        cost = cost_eur * CHF_PER_EUR if account.currency == "CHF" else cost_eur
        cents = int(cost * 100)
        conversions = round(clicks * campaign.conversion_rate * rng.uniform(0.5, 1.5), 2)
        rows.append((group, cents * MICROS_PER_CENT, impressions, clicks, conversions))
    return rows


def _metrics(cost_micros: int, impressions: int, clicks: int, conversions: float) -> dict[str, Any]:
    # REST JSON carries int64 as strings, doubles as numbers.
    return {
        "costMicros": str(cost_micros),
        "impressions": str(impressions),
        "clicks": str(clicks),
        "conversions": int(conversions) if float(conversions).is_integer() else conversions,
    }


def _customer(customer_id: str, account: Account, *, named: bool) -> dict[str, Any]:
    customer = {"resourceName": f"customers/{customer_id}", "id": customer_id}
    if named:
        customer["descriptiveName"] = account.name
    return customer | {"currencyCode": account.currency, "timeZone": account.time_zone}


def _ad_group_row(customer_id: str, account: Account, campaign: Campaign, day: date, group: tuple) -> dict[str, Any]:
    ad_group, cost_micros, impressions, clicks, conversions = group
    resource = f"customers/{customer_id}"
    return {
        "customer": _customer(customer_id, account, named=False),
        "campaign": {"resourceName": f"{resource}/campaigns/{campaign.campaign_id}", "id": campaign.campaign_id},
        "adGroup": {
            "resourceName": f"{resource}/adGroups/{ad_group.ad_group_id}",
            "id": ad_group.ad_group_id,
            "name": ad_group.name,
            "status": "ENABLED",
        },
        "segments": {"date": day.isoformat()},
        "metrics": _metrics(cost_micros, impressions, clicks, conversions),
    }


def _campaign_row(customer_id: str, account: Account, campaign: Campaign, day: date, groups: list) -> dict[str, Any]:
    conversions = round(sum(group[4] for group in groups), 2)
    return {
        "customer": _customer(customer_id, account, named=True),
        "campaign": {
            "resourceName": f"customers/{customer_id}/campaigns/{campaign.campaign_id}",
            "id": campaign.campaign_id,
            "name": campaign.name,
            "advertisingChannelType": campaign.channel_type,
            "status": "ENABLED",
        },
        "segments": {"date": day.isoformat()},
        "metrics": _metrics(*(sum(group[index] for group in groups) for index in (1, 2, 3)), conversions),
    }


def _stream_response(results: list[dict[str, Any]], field_mask: str) -> list[dict[str, Any]]:
    return [{"results": results, "fieldMask": field_mask, "requestId": "scaled-demo"}]


# ---- people --------------------------------------------------------------------------------------


def _write_people(
    folder: Path, persons: int, markets: list[_Market], first_day: date, last_day: date, seed: int
) -> tuple[int, int, int]:
    """`persons` HubSpot contacts arriving evenly over the days, in pages of 100, and their deals."""
    rng = random.Random(f"{seed}:people")
    companies = _companies(rng)
    campaigns = [campaign for market in markets for campaign in market.campaigns]
    cutoff = datetime.combine(last_day, time(23, 59, 59), BERLIN).astimezone(UTC)
    day_count = (last_day - first_day).days + 1
    contact_pages = _Pages(folder / "contacts", "contacts")
    deal_pages = _Pages(folder / "deals", "deals")
    for number in range(persons):
        day = first_day + timedelta(days=number * day_count // persons)
        created_at = datetime.combine(day, time(rng.randint(7, 20), rng.randint(0, 59)), BERLIN).astimezone(UTC)
        if rng.random() < PAID_SHARE:
            attribution = _paid_attribution(rng, rng.choice(campaigns), CLICK_TAGS["google_ads"])
        else:
            attribution = _channel_attribution(rng, rng.choice(CHANNELS), day)
        contact = _person(rng, FIRST_CONTACT_ID + number, created_at, attribution, companies, cutoff)
        contact_pages.add(_contact_body(contact))
        if "opportunity" in contact.stage_dates:
            deal_pages.add(_deal_body(_deal(rng, contact, FIRST_DEAL_ID + deal_pages.count, cutoff)))
    return contact_pages.close(), deal_pages.close(), contact_pages.files + deal_pages.files


def _person(
    rng: random.Random, contact_id: int, created_at: datetime, attribution: dict, companies: list, cutoff: datetime
) -> Contact:
    company = rng.choice(companies)
    firstname, lastname = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    email = f"{_ascii(firstname)}.{_ascii(lastname)}.{contact_id}@{company.domain}".lower()
    contact = Contact(created_at, firstname, lastname, email, None, company.name, attribution, QUALITY,
                      contact_id=contact_id, country=company.country, jobtitle=_weighted(rng, JOB_TITLES))  # fmt: skip
    contact.stage_dates = {"lead": created_at}
    reached = created_at
    for stage, rate in (("marketingqualifiedlead", MQL_RATE), ("salesqualifiedlead", SQL_RATE),
                        ("opportunity", OPPORTUNITY_RATE), ("customer", WIN_RATE)):  # fmt: skip
        if rng.random() >= rate:
            break
        low, high = STEP_DAYS[stage]
        reached = reached + timedelta(days=rng.randint(low, high), minutes=rng.randint(5, 600))
        if reached > cutoff:
            break
        contact.stage_dates[stage] = reached
        contact.lifecyclestage = stage
    is_mql = "marketingqualifiedlead" in contact.stage_dates
    contact.score = rng.randint(55, 95) if is_mql else rng.randint(0, 40)
    contact.lead_status = "OPEN" if contact.lifecyclestage == "lead" else "IN_PROGRESS"
    if is_mql and "salesqualifiedlead" not in contact.stage_dates and rng.random() < DISQUALIFIED_RATE:
        disqualified_at = reached + timedelta(days=rng.randint(1, 5))
        if disqualified_at <= cutoff:
            contact.lead_status, contact.disqualified_at = "UNQUALIFIED", disqualified_at
            contact.disqualification_reason = rng.choice(CLOSED_LOST_REASONS)
    contact.last_modified_at = max([*contact.stage_dates.values(), contact.disqualified_at or created_at])
    return contact


def _deal(rng: random.Random, contact: Contact, deal_id: int, cutoff: datetime) -> Deal:
    created_at = contact.stage_dates["opportunity"]
    won_at = contact.stage_dates.get("customer")
    if won_at is not None:
        return Deal(contact, created_at, _deal_amount(rng), "closedwon", won_at, won_at, deal_id=deal_id)
    lost_at = created_at + timedelta(days=rng.randint(10, 60))
    if lost_at <= cutoff and rng.random() < 0.5:
        reason = rng.choice(CLOSED_LOST_REASONS)
        return Deal(contact, created_at, _deal_amount(rng), "closedlost", lost_at, lost_at, reason, deal_id)
    return Deal(contact, created_at, _deal_amount(rng), "presentationscheduled", None, created_at, deal_id=deal_id)


class _Pages:
    """HubSpot list pages of 100 written as records come: a full page waits for the next page's
    first id, which its `paging.next` names, as the API's cursor does."""

    def __init__(self, folder: Path, object_type: str) -> None:
        self.folder, self.object_type = folder, object_type
        self.count = self.files = 0
        self._page: list[dict[str, Any]] = []
        self._full: list[dict[str, Any]] | None = None

    def add(self, record: dict[str, Any]) -> None:
        self.count += 1
        if self._full is not None:
            self._write(self._full, after=record["id"])
            self._full = None
        self._page.append(record)
        if len(self._page) == PAGE_SIZE:
            self._full, self._page = self._page, []

    def close(self) -> int:
        """Write what is left (an empty first page when nothing came); the number of records."""
        last = self._full if self._full is not None else self._page
        if last or not self.files:
            self._write(last, after=None)
        return self.count

    def _write(self, records: list[dict[str, Any]], after: str | None) -> None:
        body: dict[str, Any] = {"results": records}
        if after is not None:
            link = f"{HUBSPOT_OBJECTS_URL}/{self.object_type}?after={after}"
            body["paging"] = {"next": {"after": after, "link": link}}
        self.files += 1
        _write(self.folder / f"page-{self.files:06d}.json", body)


def _write(path: Path, body: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(body, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
