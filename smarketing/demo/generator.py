"""Deterministic demo data written as Google Ads REST and HubSpot CRM v3 response bodies.

Why: connectors, dbt models and the report need realistic input that a local replay
server can serve without credentials, and the same bytes on every run so tests can pin
their numbers. Only `random.Random(seed)` drives the data; nothing reads the clock.

    python -m smarketing.demo.generator --out DIR --end-date 2026-11-22 [--days 90]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import random
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ACCOUNT_TIME_ZONE = "Europe/Berlin"
BERLIN = ZoneInfo(ACCOUNT_TIME_ZONE)
CURRENCY = "EUR"
OWN_DOMAIN = "acme-software.com"
HUBSPOT_OBJECTS_URL = "https://api.hubapi.com/crm/v3/objects"
PAGE_SIZE = 100
FIRST_CONTACT_ID = 101
FIRST_DEAL_ID = 9_000_001
MICROS_PER_CENT = 10_000

ACCOUNTS = {"1234567890": "Acme Software DE", "2345678901": "Acme Software DACH Brand"}
GOOGLE_ADS_FIELD_MASK = (
    "customer.id,customer.descriptiveName,customer.currencyCode,customer.timeZone,"
    "campaign.id,campaign.name,campaign.advertisingChannelType,campaign.status,"
    "segments.date,"
    "metrics.costMicros,metrics.impressions,metrics.clicks,metrics.conversions"
)

LIFECYCLE_STAGES = (
    "lead",
    "marketingqualifiedlead",
    "salesqualifiedlead",
    "opportunity",
    "customer",
)
OPEN_DEAL_STAGES = (
    "appointmentscheduled",
    "qualifiedtobuy",
    "presentationscheduled",
    "decisionmakerboughtin",
    "contractsent",
)
CLOSED_LOST_REASONS = ("No budget", "Chose competitor", "No decision", "Bad timing")

# Shares of the step's population, drawn once per contact or deal.
OPPORTUNITY_RATE = 0.70
CLOSED_LOST_RATE = 0.30
SKIPPED_MQL_RATE = 0.12
DISQUALIFIED_RATE = 0.15
CONSENT_DENIED_RATE = 0.08
TEST_RECORD_RATE = 0.02
DUPLICATE_RATE = 0.01
WEEKEND_FACTOR = 0.6

# Weight of each local hour 0-23: visitors fill in forms, sales works office hours.
VISITOR_HOUR_WEIGHTS = (0,) * 6 + (1, 3, 6, 9, 10, 10, 8, 9, 10, 9, 8, 6, 5, 5, 4, 3, 2, 1)
SALES_HOUR_WEIGHTS = (0,) * 8 + (6, 10, 10, 9, 6, 8, 10, 10, 8, 5, 2) + (0,) * 5


@dataclass(frozen=True)
class DemoSummary:
    """What was written, so a caller can check the pipeline's totals against it.

    `contacts` counts every record written, test and duplicate records included.
    """

    ad_rows: int
    spend_eur: Decimal
    contacts: int
    deals: int
    won_deals: int
    won_revenue_eur: Decimal


@dataclass(frozen=True)
class Quality:
    """Eventual conversion chances of a lead source: lead->MQL, MQL->SQL, deal->won."""

    mql_rate: float
    sql_rate: float
    win_rate: float


@dataclass(frozen=True)
class Campaign:
    customer_id: str
    campaign_id: str
    name: str
    channel_type: str
    weekday_spend_eur: float
    cpc_eur: float
    ctr: float
    conversion_rate: float
    cost_per_lead_eur: float
    quality: Quality
    keywords: tuple[str, ...] = ()
    pauses_mid_window: bool = False


@dataclass(frozen=True)
class Channel:
    """An unpaid way in, with its expected new contacts per weekday and weekend day."""

    key: str
    weekday_leads: float
    weekend_leads: float
    quality: Quality


# Spend about EUR 1,850 per weekday; CPL (spend / CRM leads) from ~40 (brand) to ~450.
CAMPAIGNS = (
    Campaign(
        customer_id="2345678901",
        campaign_id="21480012001",
        name="DACH | Search | Brand",
        channel_type="SEARCH",
        weekday_spend_eur=120,
        cpc_eur=0.55,
        ctr=0.075,
        conversion_rate=0.11,
        cost_per_lead_eur=40,
        quality=Quality(mql_rate=0.60, sql_rate=0.60, win_rate=0.36),
        keywords=("acme software", "acme crm", "acme crm login"),
    ),
    Campaign(
        customer_id="1234567890",
        campaign_id="21480013001",
        name="DE | Search | Generic | CRM Software",
        channel_type="SEARCH",
        weekday_spend_eur=520,
        cpc_eur=3.40,
        ctr=0.045,
        conversion_rate=0.045,
        cost_per_lead_eur=160,
        quality=Quality(mql_rate=0.42, sql_rate=0.45, win_rate=0.27),
        keywords=("crm software", "crm für kmu", "kundenverwaltung software"),
    ),
    Campaign(
        customer_id="1234567890",
        campaign_id="21480013002",
        name="DE | Search | Competitor",
        channel_type="SEARCH",
        weekday_spend_eur=220,
        cpc_eur=4.60,
        ctr=0.028,
        conversion_rate=0.03,
        cost_per_lead_eur=220,
        quality=Quality(mql_rate=0.40, sql_rate=0.42, win_rate=0.24),
        keywords=("salesforce alternative", "hubspot alternative", "pipedrive vs"),
    ),
    Campaign(
        customer_id="1234567890",
        campaign_id="21480013003",
        name="DE | Search | Promo | Trial Offer",
        channel_type="SEARCH",
        weekday_spend_eur=200,
        cpc_eur=2.90,
        ctr=0.038,
        conversion_rate=0.05,
        cost_per_lead_eur=150,
        quality=Quality(mql_rate=0.38, sql_rate=0.40, win_rate=0.22),
        keywords=("crm kostenlos testen", "crm testversion"),
        pauses_mid_window=True,
    ),
    Campaign(
        customer_id="1234567890",
        campaign_id="21480014001",
        name="DE | PMax | Free Trial",
        channel_type="PERFORMANCE_MAX",
        weekday_spend_eur=380,
        cpc_eur=1.90,
        ctr=0.030,
        conversion_rate=0.06,
        cost_per_lead_eur=130,
        quality=Quality(mql_rate=0.36, sql_rate=0.42, win_rate=0.24),
        keywords=("crm tool", "sales software", "crm software"),
    ),
    Campaign(
        customer_id="1234567890",
        campaign_id="21480015001",
        name="DE | Display | Remarketing",
        channel_type="DISPLAY",
        weekday_spend_eur=200,
        cpc_eur=0.70,
        ctr=0.011,
        conversion_rate=0.008,
        cost_per_lead_eur=400,
        quality=Quality(mql_rate=0.15, sql_rate=0.30, win_rate=0.16),
    ),
    Campaign(
        customer_id="1234567890",
        campaign_id="21480016001",
        name="DE | YouTube | Product Demo",
        channel_type="VIDEO",
        weekday_spend_eur=210,
        cpc_eur=0.95,
        ctr=0.012,
        conversion_rate=0.004,
        cost_per_lead_eur=450,
        quality=Quality(mql_rate=0.18, sql_rate=0.30, win_rate=0.18),
    ),
)
CHANNELS = (
    Channel("organic", 8.5, 3.0, Quality(mql_rate=0.42, sql_rate=0.45, win_rate=0.27)),
    Channel("direct", 4.5, 2.0, Quality(mql_rate=0.45, sql_rate=0.50, win_rate=0.30)),
    Channel("referral", 2.5, 0.8, Quality(mql_rate=0.55, sql_rate=0.55, win_rate=0.32)),
    Channel("email", 1.5, 0.5, Quality(mql_rate=0.35, sql_rate=0.40, win_rate=0.22)),
    Channel("social", 1.2, 0.6, Quality(mql_rate=0.30, sql_rate=0.35, win_rate=0.20)),
)
EVENT_QUALITY = Quality(mql_rate=0.45, sql_rate=0.40, win_rate=0.25)
NEWSLETTER_DAY_LEADS = 14.0
NEWSLETTER_NEXT_DAY_LEADS = 5.0

# Diacritics, apostrophes and a dotless i on purpose: names must survive every layer.
# fmt: off
FIRST_NAMES = (
    "Anna", "Lena", "Jonas", "Lukas", "Sophie", "Marie", "Felix", "Leon", "Paul", "Emma", "Mia",
    "Hannah", "Julia", "Laura", "Lisa", "Sarah", "Katharina", "Tobias", "Florian", "Matthias",
    "Sebastian", "Stefan", "Thomas", "Michael", "Andreas", "Christian", "Daniel", "Jan", "Tim",
    "Niklas", "Jürgen", "Jörg", "Björn", "Sören", "Zoë", "Chloé", "Ayşe", "Mehmet", "Katrin", "Ursula",
)
LAST_NAMES = (
    "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz",
    "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder", "Neumann",
    "Schwarz", "Zimmermann", "Braun", "Krüger", "Hartmann", "Lange", "Werner", "Krause", "Lehmann",
    "Huber", "Gruber", "Steiner", "Moser", "Keller", "Brunner", "Frei", "O'Connor", "D'Angelo",
    "Yılmaz", "Kowalski", "Nguyen", "Weiß",  # noqa: RUF001
)
COMPANY_PREFIXES = (
    "Nordlicht", "Alpenblick", "Rheintal", "Hanse", "Isar", "Elbe", "Spree", "Donau", "Bodensee",
    "Schwarzwald", "Mainfranken", "Weser", "Ostsee", "Harz", "Taunus", "Eifel", "Allgäu", "Ruhr",
    "Zürisee", "Wachau",
)
COMPANY_INDUSTRIES = (
    "Logistik", "Software", "Maschinenbau", "Consulting", "Digital", "Medien", "Analytics", "Handel",
    "Treuhand", "Systems", "Präzision", "Bau", "Energie", "Reisen", "IT", "Finanz", "Solar", "Foods",
)
# fmt: on
LEGAL_FORMS = {
    "de": ("GmbH", "GmbH", "GmbH", "AG", "GmbH & Co. KG", "KG", "UG (haftungsbeschränkt)"),
    "at": ("GmbH", "GmbH", "AG", "OG"),
    "ch": ("AG", "AG", "GmbH", "Sàrl"),
}
COUNTRY_WEIGHTS = {"de": 75, "at": 15, "ch": 10}
PHONE_PREFIXES = {"de": "+49", "at": "+43", "ch": "+41"}
# Names that must survive quoting in SQL, HTML and e-mail headers downstream.
AWKWARD_COMPANIES = (
    ('Gasthof "Zur Post" GmbH', "gasthof-zur-post.de", "de"),
    ("D'Amico Feinkost GmbH", "damico-feinkost.de", "de"),
    ("Kraus & Co. <Bauservice> KG", "kraus-bauservice.de", "de"),
)
FREE_MAIL_DOMAINS = ("gmail.com", "gmx.de", "web.de", "t-online.de", "outlook.com")
REFERRERS = (
    ("capterra.com.de", "https://www.capterra.com.de/software/crm"),
    ("g2.com", "https://www.g2.com/categories/crm"),
    ("omr.com", "https://omr.com/de/reviews/category/crm"),
    ("t3n.de", "https://t3n.de/news/crm-vergleich"),
)
LANDING_PAGES = (
    f"https://www.{OWN_DOMAIN}/",
    f"https://www.{OWN_DOMAIN}/pricing",
    f"https://www.{OWN_DOMAIN}/demo",
)
TOKEN_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
ASCII_FOR_EMAIL = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "é": "e", "ë": "e", "ş": "s", "ı": "i"}  # noqa: RUF001
)


@dataclass(frozen=True)
class AdRow:
    day: date
    campaign: Campaign
    status: str
    cost_micros: int
    impressions: int
    clicks: int
    conversions: float


@dataclass(frozen=True)
class Company:
    name: str
    domain: str
    country: str


@dataclass
class Contact:
    created_at: datetime
    firstname: str | None
    lastname: str | None
    email: str | None
    phone: str | None
    company: str | None
    attribution: dict[str, str | None]
    quality: Quality
    stage_dates: dict[str, datetime] = field(default_factory=dict)
    lifecyclestage: str = "lead"
    lead_status: str = "NEW"
    score: int = 0
    last_modified_at: datetime | None = None
    contact_id: int = 0


@dataclass
class Deal:
    contact: Contact
    created_at: datetime
    amount: int | None
    stage: str
    closed_at: datetime | None
    last_modified_at: datetime
    lost_reason: str | None = None
    deal_id: int = 0


@dataclass(frozen=True)
class Window:
    """The covered days and the last moment anything may be dated."""

    first_day: date
    last_day: date

    @property
    def cutoff(self) -> datetime:
        end_of_day = datetime.combine(self.last_day, time(23, 59, 59), BERLIN)
        return end_of_day.astimezone(UTC)

    def days(self) -> list[date]:
        count = (self.last_day - self.first_day).days + 1
        return [self.first_day + timedelta(days=offset) for offset in range(count)]


def generate(out_dir: Path, end_date: date, days: int = 90, seed: int = 7) -> DemoSummary:
    """Write Google Ads and HubSpot response bodies for `days` days ending on `end_date`."""
    if days < 1:
        raise ValueError(f"days must be at least 1, got {days}")
    window = Window(end_date - timedelta(days=days - 1), end_date)
    # Independent streams, so a change in one part does not reshuffle the others.
    root = random.Random(seed)
    ads_rng, people_rng, funnel_rng, wire_rng = (random.Random(root.getrandbits(64)) for _ in range(4))

    ad_rows = _simulate_ad_rows(ads_rng, window)
    contacts = _simulate_contacts(people_rng, window, ad_rows)
    deals = [deal for contact in contacts if (deal := _run_funnel(funnel_rng, contact, window.cutoff)) is not None]
    contacts += _test_and_duplicate_records(people_rng, funnel_rng, window, contacts)

    contacts.sort(key=lambda contact: contact.created_at)
    for offset, contact in enumerate(contacts):
        contact.contact_id = FIRST_CONTACT_ID + offset
    deals.sort(key=lambda deal: (deal.created_at, deal.contact.contact_id))
    for offset, deal in enumerate(deals):
        deal.deal_id = FIRST_DEAL_ID + offset

    for folder in ("google_ads", "hubspot"):
        shutil.rmtree(out_dir / folder, ignore_errors=True)
    _write_google_ads(wire_rng, out_dir / "google_ads", window, ad_rows)
    hubspot = out_dir / "hubspot"
    _write_pages(hubspot / "contacts", "contacts", [_contact_body(c) for c in contacts])
    _write_pages(hubspot / "deals", "deals", [_deal_body(d) for d in deals])

    won = [deal for deal in deals if deal.stage == "closedwon"]
    return DemoSummary(
        ad_rows=len(ad_rows),
        spend_eur=_micros_to_eur(sum(row.cost_micros for row in ad_rows)),
        contacts=len(contacts),
        deals=len(deals),
        won_deals=len(won),
        won_revenue_eur=Decimal(sum(deal.amount or 0 for deal in won)) + Decimal("0.00"),
    )


# --- Google Ads ------------------------------------------------------------------------


def _simulate_ad_rows(rng: random.Random, window: Window) -> list[AdRow]:
    """Daily campaign metrics; the promo campaign is paused halfway, then has no rows."""
    all_days = window.days()
    pause_day = all_days[len(all_days) // 2]
    rows = []
    for day in all_days:
        day_factor = WEEKEND_FACTOR if day.weekday() >= 5 else 1.0
        for campaign in CAMPAIGNS:
            status, share_of_day = "ENABLED", 1.0
            if campaign.pauses_mid_window and day > pause_day:
                continue
            if campaign.pauses_mid_window and day == pause_day:
                # Paused in the afternoon: the next morning's pull already sees PAUSED.
                status, share_of_day = "PAUSED", rng.uniform(0.3, 0.6)
            noise = rng.uniform(0.85, 1.15)
            budget = campaign.weekday_spend_eur * day_factor * share_of_day * noise
            cpc = campaign.cpc_eur * rng.uniform(0.9, 1.1)
            clicks = round(budget / cpc)
            impressions = round(clicks / (campaign.ctr * rng.uniform(0.85, 1.15)))
            if impressions == 0:
                continue
            # Data-driven attribution makes platform conversions fractional.
            conversions = clicks * campaign.conversion_rate * rng.uniform(0.7, 1.3)
            rows.append(
                AdRow(
                    day=day,
                    campaign=campaign,
                    status=status,
                    cost_micros=round(clicks * cpc * 100) * MICROS_PER_CENT,
                    impressions=impressions,
                    clicks=clicks,
                    conversions=round(conversions, 2),
                )
            )
    return rows


def _write_google_ads(rng: random.Random, folder: Path, window: Window, ad_rows: list[AdRow]) -> None:
    """One searchStream response per account and day, as the nightly pull stores it."""
    rows_by_file: dict[tuple[str, date], list[AdRow]] = {}
    for row in ad_rows:
        rows_by_file.setdefault((row.campaign.customer_id, row.day), []).append(row)
    for customer_id, descriptive_name in ACCOUNTS.items():
        for day in window.days():
            rows = sorted(
                rows_by_file.get((customer_id, day), []),
                key=lambda row: row.campaign.campaign_id,
            )
            batch: dict[str, Any] = {}
            if rows:  # proto3 JSON leaves out an empty repeated field
                batch["results"] = [_google_ads_row(row, descriptive_name) for row in rows]
            batch["fieldMask"] = GOOGLE_ADS_FIELD_MASK
            batch["requestId"] = "".join(rng.choices(TOKEN_ALPHABET, k=22))
            batch["queryResourceConsumption"] = str(rng.randint(180, 260) + 40 * len(rows))
            path = folder / customer_id / f"searchStream_{day.isoformat()}.json"
            _write_json(path, [batch])


def _google_ads_row(row: AdRow, descriptive_name: str) -> dict[str, Any]:
    campaign = row.campaign
    customer_resource = f"customers/{campaign.customer_id}"
    return {
        "customer": {
            "resourceName": customer_resource,
            "id": campaign.customer_id,
            "descriptiveName": descriptive_name,
            "currencyCode": CURRENCY,
            "timeZone": ACCOUNT_TIME_ZONE,
        },
        "campaign": {
            "resourceName": f"{customer_resource}/campaigns/{campaign.campaign_id}",
            "id": campaign.campaign_id,
            "name": campaign.name,
            "advertisingChannelType": campaign.channel_type,
            "status": row.status,
        },
        "segments": {"date": row.day.isoformat()},
        "metrics": {
            # REST JSON carries int64 as strings, doubles as numbers ("3", not "3.0").
            "costMicros": str(row.cost_micros),
            "impressions": str(row.impressions),
            "clicks": str(row.clicks),
            "conversions": int(row.conversions) if row.conversions.is_integer() else row.conversions,
        },
    }


# --- HubSpot: who arrives --------------------------------------------------------------


def _simulate_contacts(rng: random.Random, window: Window, ad_rows: list[AdRow]) -> list[Contact]:
    """New contacts per day; paid ones in proportion to that day's spend / campaign CPL."""
    companies = _companies(rng)
    used_emails: set[str] = set()
    rows_by_day: dict[date, list[AdRow]] = {}
    for row in ad_rows:
        rows_by_day.setdefault(row.day, []).append(row)

    contacts = []

    def arrive(created_at: datetime, attribution: dict[str, str | None], quality: Quality) -> None:
        contacts.append(_person(rng, companies, used_emails, created_at, attribution, quality))

    for day in window.days():
        for row in rows_by_day.get(day, []):
            campaign = row.campaign
            expected = row.cost_micros / 1_000_000 / campaign.cost_per_lead_eur
            for _ in range(_poisson(rng, expected)):
                created_at = _moment_on(rng, day, VISITOR_HOUR_WEIGHTS)
                arrive(created_at, _paid_attribution(rng, campaign), campaign.quality)
        for channel in CHANNELS:
            for _ in range(_poisson(rng, _expected_channel_leads(channel, day))):
                created_at = _moment_on(rng, day, VISITOR_HOUR_WEIGHTS)
                attribution = _channel_attribution(rng, channel, day)
                arrive(created_at, attribution, channel.quality)

    for event_day, imported_at in _event_imports(rng, window):
        file_name = f"event-leads-{event_day.isoformat()}.csv"
        for position in range(rng.randint(15, 30)):
            created_at = imported_at + timedelta(milliseconds=137 * position)
            arrive(created_at, _unpaid_attribution("OFFLINE", "IMPORT", file_name), EVENT_QUALITY)
            if rng.random() < 0.1:  # a business card without an e-mail address
                contacts[-1].email = None
    return contacts


def _expected_channel_leads(channel: Channel, day: date) -> float:
    if day.weekday() >= 5:
        return channel.weekend_leads
    if channel.key == "email" and _is_newsletter_day(day):
        return channel.weekday_leads + NEWSLETTER_DAY_LEADS
    if channel.key == "email" and _is_newsletter_day(day - timedelta(days=1)):
        return channel.weekday_leads + NEWSLETTER_NEXT_DAY_LEADS
    return channel.weekday_leads


def _is_newsletter_day(day: date) -> bool:
    """The newsletter goes out every second Tuesday."""
    return day.weekday() == 1 and (day.toordinal() // 7) % 2 == 0


def _event_imports(rng: random.Random, window: Window) -> list[tuple[date, datetime]]:
    """A trade fair every 30 days; its leads are imported the next working day at once."""
    imports = []
    for event_day in window.days()[10::30]:
        import_day = event_day + timedelta(days=1)
        while import_day.weekday() >= 5:
            import_day += timedelta(days=1)
        if import_day <= window.last_day:
            imports.append((event_day, _moment_on(rng, import_day, SALES_HOUR_WEIGHTS)))
    return imports


def _paid_attribution(rng: random.Random, campaign: Campaign) -> dict[str, str | None]:
    is_search = campaign.channel_type in ("SEARCH", "PERFORMANCE_MAX")
    medium = {"DISPLAY": "display", "VIDEO": "video"}.get(campaign.channel_type, "cpc")
    # Without cookie consent the landing page keeps its UTM tags but loses the click id.
    consent_denied = rng.random() < CONSENT_DENIED_RATE
    return {
        "hs_analytics_source": "PAID_SEARCH" if is_search else "OTHER_CAMPAIGNS",
        "hs_analytics_source_data_1": campaign.name,
        "hs_analytics_source_data_2": rng.choice(campaign.keywords) if is_search else None,
        "utm_source": "google",
        "utm_medium": medium,
        "utm_campaign": campaign.name,
        "hs_google_click_id": None if consent_denied else _gclid(rng),
    }


def _channel_attribution(rng: random.Random, channel: Channel, day: date) -> dict[str, str | None]:
    if channel.key == "organic":
        engine = rng.choices(("google", "bing", "duckduckgo"), weights=(90, 7, 3))[0]
        return _unpaid_attribution("ORGANIC_SEARCH", engine, "unknown keywords (SSL)")
    if channel.key == "direct":
        return _unpaid_attribution("DIRECT_TRAFFIC", rng.choice(LANDING_PAGES), None)
    if channel.key == "referral":
        return _unpaid_attribution("REFERRALS", *rng.choice(REFERRERS))
    if channel.key == "social":
        attribution = _unpaid_attribution("SOCIAL_MEDIA", "LinkedIn", None)
        return attribution | {"utm_source": "linkedin", "utm_medium": "social"}
    newsletter_day = day - timedelta(days=(day.weekday() - 1) % 7)
    while not _is_newsletter_day(newsletter_day):
        newsletter_day -= timedelta(days=7)
    attribution = _unpaid_attribution("EMAIL_MARKETING", f"Newsletter {newsletter_day.isoformat()}", None)
    return attribution | {
        "utm_source": "newsletter",
        "utm_medium": "email",
        "utm_campaign": f"newsletter_{newsletter_day.strftime('%Y_%m_%d')}",
    }


def _unpaid_attribution(source: str, data_1: str, data_2: str | None) -> dict[str, str | None]:
    return {
        "hs_analytics_source": source,
        "hs_analytics_source_data_1": data_1,
        "hs_analytics_source_data_2": data_2,
        "utm_source": None,
        "utm_medium": None,
        "utm_campaign": None,
        "hs_google_click_id": None,
    }


def _gclid(rng: random.Random) -> str:
    return "Cj0KCQjw" + "".join(rng.choices(TOKEN_ALPHABET, k=78)) + "_BwE"


def _companies(rng: random.Random) -> list[Company]:
    pairs = [(prefix, industry) for prefix in COMPANY_PREFIXES for industry in COMPANY_INDUSTRIES]
    rng.shuffle(pairs)
    companies = [Company(*awkward) for awkward in AWKWARD_COMPANIES]
    for prefix, industry in pairs[:300]:
        country = rng.choices(list(COUNTRY_WEIGHTS), weights=COUNTRY_WEIGHTS.values())[0]
        legal_form = rng.choice(LEGAL_FORMS[country])
        domain = f"{_ascii(prefix)}-{_ascii(industry)}.{country}"
        companies.append(Company(f"{prefix} {industry} {legal_form}", domain, country))
    return companies


def _person(
    rng: random.Random,
    companies: list[Company],
    used_emails: set[str],
    created_at: datetime,
    attribution: dict[str, str | None],
    quality: Quality,
) -> Contact:
    firstname, lastname = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    company = rng.choice(companies)
    uses_free_mail = rng.random() < 0.15
    domain = rng.choice(FREE_MAIL_DOMAINS) if uses_free_mail else company.domain
    local_part = f"{_ascii(firstname)}.{_ascii(lastname)}"
    email, suffix = f"{local_part}@{domain}", 1
    while email in used_emails:
        suffix += 1
        email = f"{local_part}{suffix}@{domain}"
    used_emails.add(email)
    phone = None
    if rng.random() < 0.6:
        number = f"{rng.randint(30, 899)} {rng.randint(100_000, 9_999_999)}"
        phone = f"{PHONE_PREFIXES[company.country]} {number}"
    return Contact(
        created_at=created_at,
        firstname=firstname,
        lastname=lastname,
        email=email,
        phone=phone,
        company=None if uses_free_mail and rng.random() < 0.5 else company.name,
        attribution=attribution,
        quality=quality,
    )


def _ascii(text: str) -> str:
    ascii_text = text.lower().translate(ASCII_FOR_EMAIL)
    return "".join(c for c in ascii_text if c.isalnum() or c == "-")


# --- HubSpot: how far they get ---------------------------------------------------------


def _run_funnel(rng: random.Random, contact: Contact, cutoff: datetime) -> Deal | None:
    """Walk one contact down the funnel; a stage counts only if reached by `cutoff`."""
    quality = contact.quality
    lead_at = contact.created_at
    contact.stage_dates = {"lead": lead_at}

    mql_at = _later(rng, lead_at, 0, 10)
    if rng.random() >= quality.mql_rate:
        disqualified_at = _later(rng, lead_at, 1, 15)
        contact.score = rng.randint(0, 45)
        if rng.random() < DISQUALIFIED_RATE and disqualified_at <= cutoff:
            contact.lifecyclestage, contact.lead_status = "other", "UNQUALIFIED"
            _touch(rng, contact, disqualified_at, cutoff)
        else:
            contact.lead_status = _early_status(rng, lead_at, cutoff)
            _touch(rng, contact, lead_at, cutoff)
        return None
    if mql_at > cutoff:
        contact.score = rng.randint(20, 49)
        contact.lead_status = _early_status(rng, lead_at, cutoff)
        _touch(rng, contact, lead_at, cutoff)
        return None

    # Most MQLs passed the score threshold; the rest asked for a demo.
    contact.score = rng.randint(50, 98) if rng.random() < 0.88 else rng.randint(25, 49)
    accepted_by_sales = rng.random() < quality.sql_rate
    # A "contact sales" form goes straight to SQL; HubSpot back-fills the MQL date with it.
    skips_mql = rng.random() < SKIPPED_MQL_RATE
    sql_at = mql_at if skips_mql else _later(rng, mql_at, 1, 14)
    if not accepted_by_sales or sql_at > cutoff:
        _reach(contact, "marketingqualifiedlead", mql_at)
        rejected = ("ATTEMPTED_TO_CONTACT", "CONNECTED", "BAD_TIMING", "UNQUALIFIED")
        pending = ("OPEN", "ATTEMPTED_TO_CONTACT", "IN_PROGRESS")
        contact.lead_status = rng.choice(pending if accepted_by_sales else rejected)
        _touch(rng, contact, mql_at, cutoff)
        return None
    _reach(contact, "marketingqualifiedlead", mql_at)
    _reach(contact, "salesqualifiedlead", sql_at)

    opportunity_at = _later(rng, sql_at, 0, 7)
    if rng.random() >= OPPORTUNITY_RATE or opportunity_at > cutoff:
        contact.lead_status = rng.choice(("IN_PROGRESS", "CONNECTED"))
        _touch(rng, contact, sql_at, cutoff)
        return None
    _reach(contact, "opportunity", opportunity_at)
    contact.lead_status = "OPEN_DEAL"
    deal = _deal(rng, contact, opportunity_at, cutoff)
    if deal.stage == "closedwon" and deal.closed_at is not None:
        _reach(contact, "customer", deal.closed_at)
    _touch(rng, contact, max(contact.stage_dates.values()), cutoff)
    return deal


def _deal(rng: random.Random, contact: Contact, created_at: datetime, cutoff: datetime) -> Deal:
    """Won, lost, or open: still on its way (planned close after the cutoff) or stalled."""
    win_rate = contact.quality.win_rate
    outcome_draw = rng.random()
    close_at = _later(rng, created_at, 14, 60)
    amount = _deal_amount(rng)
    if close_at <= cutoff and outcome_draw < win_rate:
        return Deal(contact, created_at, amount, "closedwon", close_at, close_at)
    if close_at <= cutoff and outcome_draw < win_rate + CLOSED_LOST_RATE:
        reason = rng.choice(CLOSED_LOST_REASONS)
        return Deal(contact, created_at, amount, "closedlost", close_at, close_at, reason)
    if close_at <= cutoff:
        stage = rng.choice(OPEN_DEAL_STAGES[1:])
    else:
        progress = (cutoff - created_at) / (close_at - created_at)
        stage = OPEN_DEAL_STAGES[int(progress * len(OPEN_DEAL_STAGES))]
    elapsed_ms = (cutoff - created_at) // timedelta(milliseconds=1)
    last_modified_at = created_at + timedelta(milliseconds=round(elapsed_ms * rng.uniform(0.3, 1.0)))
    # Sales often leave the amount empty until the proposal; open deals get no close date
    # so that nothing is dated after the cutoff.
    return Deal(
        contact,
        created_at,
        None if rng.random() < 0.1 else amount,
        stage,
        None,
        last_modified_at,
    )


def _deal_amount(rng: random.Random) -> int:
    """Log-normal around EUR 11,000, clipped to 3,000-40,000, in hundreds."""
    raw = math.exp(rng.gauss(math.log(11_000), 0.6))
    return round(min(40_000, max(3_000, raw)) / 100) * 100


def _reach(contact: Contact, stage: str, reached_at: datetime) -> None:
    contact.stage_dates[stage] = reached_at
    contact.lifecyclestage = stage


def _touch(rng: random.Random, contact: Contact, last_event_at: datetime, cutoff: datetime) -> None:
    """Set the last change: the last event plus later edits, never after the cutoff."""
    edited_at = last_event_at + timedelta(minutes=rng.randint(0, 3 * 24 * 60))
    contact.last_modified_at = max(last_event_at, min(edited_at, cutoff))


def _early_status(rng: random.Random, lead_at: datetime, cutoff: datetime) -> str:
    if cutoff - lead_at < timedelta(days=2):
        return "NEW"
    return rng.choice(("NEW", "OPEN", "OPEN", "ATTEMPTED_TO_CONTACT", "IN_PROGRESS"))


def _test_and_duplicate_records(
    people_rng: random.Random,
    funnel_rng: random.Random,
    window: Window,
    contacts: list[Contact],
) -> list[Contact]:
    """The records the shared definitions must exclude or merge: tests and duplicates."""
    extra = []
    all_days = window.days()
    for number in range(1, round(len(contacts) * TEST_RECORD_RATE) + 1):
        created_at = _moment_on(people_rng, people_rng.choice(all_days), SALES_HOUR_WEIGHTS)
        extra.append(_test_record(people_rng, funnel_rng, number, created_at, window.cutoff))

    candidates = [
        contact
        for contact in contacts
        if contact.email is not None and contact.created_at + timedelta(days=3) <= window.cutoff
    ]
    duplicate_count = min(len(candidates), round(len(contacts) * DUPLICATE_RATE))
    for original in people_rng.sample(candidates, duplicate_count):
        latest = min(window.cutoff - original.created_at, timedelta(days=45))
        created_at = original.created_at + timedelta(
            seconds=people_rng.randint(3 * 86_400, int(latest.total_seconds()))
        )
        extra.append(
            Contact(
                created_at=created_at,
                firstname=original.firstname,
                lastname=original.lastname,
                email=_respelled(people_rng, original.email or ""),
                phone=original.phone,
                company=original.company,
                attribution=_unpaid_attribution("DIRECT_TRAFFIC", LANDING_PAGES[2], None),
                quality=original.quality,
                stage_dates={"lead": created_at},
                score=people_rng.randint(0, 30),
                last_modified_at=created_at,
            )
        )
    return extra


def _test_record(
    people_rng: random.Random,
    funnel_rng: random.Random,
    number: int,
    created_at: datetime,
    cutoff: datetime,
) -> Contact:
    firstname, lastname, email = (
        ("Test", "Test", f"test{number}@example.com"),
        ("Max", "Mustermann", f"qa+{number}@test.com"),
        ("Erika", "Musterfrau", f"erika.musterfrau{number}@{OWN_DOMAIN}"),
        ("Test", f"Lead {number}", f"demo{number}@example.com"),
    )[number % 4]
    record = Contact(
        created_at=created_at,
        firstname=firstname,
        lastname=lastname,
        email=email,
        phone=None,
        company="Acme Software GmbH" if email.endswith(OWN_DOMAIN) else "Test GmbH",
        attribution=_unpaid_attribution("OFFLINE", "CRM_UI", None),
        quality=EVENT_QUALITY,
        stage_dates={"lead": created_at},
        score=people_rng.randint(0, 100),
        last_modified_at=created_at,
    )
    # Someone trying out the MQL workflow pushes the record up a stage.
    mql_at = created_at + timedelta(minutes=funnel_rng.randint(2, 90))
    if funnel_rng.random() < 0.3 and mql_at <= cutoff:
        _reach(record, "marketingqualifiedlead", mql_at)
        record.score = 100
        record.last_modified_at = mql_at
    return record


def _respelled(rng: random.Random, email: str) -> str:
    """The same address as a person retypes it: other case, stray whitespace."""
    local_part, domain = email.split("@")
    return rng.choice(
        (
            email.upper(),
            f" {email}",
            f"{local_part.title()}@{domain}",
            f"{local_part.capitalize()}@{domain.upper()} ",
        )
    )


# --- HubSpot: wire format --------------------------------------------------------------


def _contact_body(contact: Contact) -> dict[str, Any]:
    contact_id = str(contact.contact_id)
    last_modified_at = contact.last_modified_at or contact.created_at
    properties: dict[str, str | None] = {
        "hs_object_id": contact_id,
        "email": contact.email,
        "firstname": contact.firstname,
        "lastname": contact.lastname,
        "phone": contact.phone,
        "company": contact.company,
        "createdate": _hubspot_time(contact.created_at),
        "lastmodifieddate": _hubspot_time(last_modified_at),
        "lifecyclestage": contact.lifecyclestage,
        "hs_lead_status": contact.lead_status,
        "hubspotscore": str(contact.score),
        **contact.attribution,
    }
    for stage in LIFECYCLE_STAGES:
        reached_at = contact.stage_dates.get(stage)
        properties[f"hs_lifecyclestage_{stage}_date"] = None if reached_at is None else _hubspot_time(reached_at)
    return {
        "id": contact_id,
        "properties": dict(sorted(properties.items())),
        "createdAt": _hubspot_time(contact.created_at),
        "updatedAt": _hubspot_time(last_modified_at),
        "archived": False,
    }


def _deal_body(deal: Deal) -> dict[str, Any]:
    deal_id = str(deal.deal_id)
    contact = deal.contact
    buyer = contact.company or f"{contact.firstname} {contact.lastname}"
    properties: dict[str, str | None] = {
        "hs_object_id": deal_id,
        "dealname": f"{buyer} - Acme CRM {_edition(deal.amount)}",
        "amount": None if deal.amount is None else str(deal.amount),
        "deal_currency_code": CURRENCY,
        "dealstage": deal.stage,
        "pipeline": "default",
        "createdate": _hubspot_time(deal.created_at),
        "closedate": None if deal.closed_at is None else _hubspot_time(deal.closed_at),
        "hs_lastmodifieddate": _hubspot_time(deal.last_modified_at),
        "closed_lost_reason": deal.lost_reason,
        "hs_is_closed_won": "true" if deal.stage == "closedwon" else "false",
    }
    contact_link = {"id": str(contact.contact_id), "type": "deal_to_contact"}
    return {
        "id": deal_id,
        "properties": dict(sorted(properties.items())),
        "createdAt": _hubspot_time(deal.created_at),
        "updatedAt": _hubspot_time(deal.last_modified_at),
        "archived": False,
        "associations": {"contacts": {"results": [contact_link]}},
    }


def _edition(amount: int | None) -> str:
    if amount is not None and amount >= 20_000:
        return "Enterprise"
    if amount is not None and amount >= 8_000:
        return "Professional"
    return "Starter"


def _write_pages(folder: Path, object_type: str, results: list[dict[str, Any]]) -> None:
    """Split results into the pages of a `limit=100` cursor walk; the last has no paging."""
    pages = [results[start : start + PAGE_SIZE] for start in range(0, len(results), PAGE_SIZE)]
    for number, page in enumerate(pages or [[]], start=1):
        body: dict[str, Any] = {"results": page}
        if number < len(pages):
            after = pages[number][0]["id"]
            link = f"{HUBSPOT_OBJECTS_URL}/{object_type}?after={after}"
            body["paging"] = {"next": {"after": after, "link": link}}
        _write_json(folder / f"page-{number:04d}.json", body)


# --- shared helpers --------------------------------------------------------------------


def _moment_on(rng: random.Random, day: date, hour_weights: Sequence[int]) -> datetime:
    """A UTC instant on the Berlin calendar day `day`, at a plausible local hour."""
    hour = rng.choices(range(24), weights=hour_weights)[0]
    minute, second, millisecond = rng.randint(0, 59), rng.randint(0, 59), rng.randint(0, 999)
    local = datetime.combine(day, time(hour, minute, second, millisecond * 1000), BERLIN)
    return local.astimezone(UTC)


def _later(rng: random.Random, moment: datetime, min_days: int, max_days: int) -> datetime:
    """An office-hours instant `min_days`-`max_days` Berlin days after `moment`."""
    day = moment.astimezone(BERLIN).date() + timedelta(days=rng.randint(min_days, max_days))
    candidate = _moment_on(rng, day, SALES_HOUR_WEIGHTS)
    if candidate <= moment:
        candidate = moment + timedelta(minutes=rng.randint(5, 180))
    return candidate


def _poisson(rng: random.Random, expected: float) -> int:
    """Knuth's method; fine for the small daily means used here."""
    threshold = math.exp(-expected)
    count, product = 0, rng.random()
    while product > threshold:
        count += 1
        product *= rng.random()
    return count


def _hubspot_time(moment: datetime) -> str:
    utc = moment.astimezone(UTC)
    return f"{utc:%Y-%m-%dT%H:%M:%S}.{utc.microsecond // 1000:03d}Z"


def _micros_to_eur(micros: int) -> Decimal:
    return Decimal(micros).scaleb(-6).quantize(Decimal("0.01"))


def _write_json(path: Path, body: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(body, indent=1, ensure_ascii=False) + "\n"
    path.write_bytes(text.encode("utf-8"))


def main(argv: Sequence[str] | None = None) -> None:
    """Command line entry: write the demo data and print what was written."""
    parser = argparse.ArgumentParser(
        prog="python -m smarketing.demo.generator",
        description="Write deterministic Google Ads and HubSpot demo API responses.",
    )
    parser.add_argument("--out", type=Path, required=True, help="output directory")
    parser.add_argument("--end-date", type=date.fromisoformat, required=True, help="last day, YYYY-MM-DD")
    parser.add_argument("--days", type=int, default=90, help="days covered (default 90)")
    parser.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    args = parser.parse_args(argv)
    summary = generate(args.out, args.end_date, args.days, args.seed)
    for name, value in dataclasses.asdict(summary).items():
        print(f"{name}: {value}")


if __name__ == "__main__":
    main()
