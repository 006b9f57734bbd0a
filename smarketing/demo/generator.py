"""Deterministic demo data written as Google Ads REST and HubSpot CRM v3 response bodies,
plus the ECB's euro reference rates as `eurofxref-hist.csv`.

Why: connectors, dbt models and the report need realistic input that a local replay
server can serve without credentials, and the same bytes on every run so tests can pin
their numbers. Only `random.Random(seed)` drives the data; nothing reads the clock.

One Google Ads account bills in CHF (Europe/Zurich), so spend needs the FX rates; HubSpot
has contacts, deals and the calls, e-mails and meetings with which sales follows up MQLs.
Google Ads comes at two grains: a campaign report per account and day, and an ad-group report
for the campaigns that have ad groups (not Performance Max), whose rows add up exactly to the
campaign's row of the day, as Google Ads' own numbers do.

The same simulated company can advertise on another ad platform and keep its people in another
CRM (`ad_platform=`, `crm=`): the campaigns, people, deals and sales activities stay the same and
are written in that platform's format by `smarketing.demo.<source>.write`, with the UTM tags and
click ids a click on that platform's ads carries (CLICK_TAGS).

    python -m smarketing.demo.generator --out DIR --end-date 2026-11-22 [--days 90]
        [--ad-platform meta_ads] [--crm salesforce]
    python -m smarketing.demo.generator --out DIR --end-date 2026-11-22 --scale 1m   (smarketing.demo.scale)
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import random
import shutil
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from importlib import import_module
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

BERLIN = ZoneInfo("Europe/Berlin")
CURRENCY = "EUR"
OWN_DOMAIN = "acme-software.com"
HUBSPOT_OBJECTS_URL = "https://api.hubapi.com/crm/v3/objects"
PAGE_SIZE = 100
FIRST_CONTACT_ID = 101
FIRST_DEAL_ID = 9_000_001
# HubSpot's engagement types share no id space we rely on; each gets its own range.
FIRST_ENGAGEMENT_IDS = {"calls": 31_000_000_001, "emails": 32_000_000_001, "meetings": 33_000_000_001}
MICROS_PER_CENT = 10_000
AD_PLATFORMS = ("google_ads", "meta_ads", "linkedin_ads", "yandex_direct")
# The CRMs the demo world can be written for.
CRMS = ("hubspot", "salesforce", "amocrm", "bitrix24")


@dataclass(frozen=True)
class Account:
    name: str
    currency: str
    time_zone: str


ACCOUNTS = {
    "1234567890": Account("Acme Software DE", "EUR", "Europe/Berlin"),
    # The Swiss brand account bills in CHF: its spend reaches the reporting currency via FX.
    "2345678901": Account("Acme Software DACH Brand", "CHF", "Europe/Zurich"),
}
GOOGLE_ADS_FIELD_MASK = (
    "customer.id,customer.descriptiveName,customer.currencyCode,customer.timeZone,"
    "campaign.id,campaign.name,campaign.advertisingChannelType,campaign.status,"
    "segments.date,"
    "metrics.costMicros,metrics.impressions,metrics.clicks,metrics.conversions"
)
# SELECT customer.id, customer.currency_code, customer.time_zone, campaign.id, ad_group.id,
# ad_group.name, ad_group.status, segments.date, metrics.cost_micros, metrics.impressions,
# metrics.clicks, metrics.conversions FROM ad_group WHERE segments.date = '<day>'
GOOGLE_ADS_AD_GROUP_FIELD_MASK = (
    "customer.id,customer.currencyCode,customer.timeZone,"
    "campaign.id,adGroup.id,adGroup.name,adGroup.status,"
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
# Sales follow-up: MQLs nobody ever calls or writes to, and how fast the others hear from sales.
UNTOUCHED_MQL_RATE = 0.14
FIRST_TOUCH_MEDIAN_HOURS = 1.0
FIRST_TOUCH_HOURS = (0.2, 30.0)

# Weight of each local hour 0-23: visitors fill in forms, sales works office hours.
VISITOR_HOUR_WEIGHTS = (0,) * 6 + (1, 3, 6, 9, 10, 10, 8, 9, 10, 9, 8, 6, 5, 5, 4, 3, 2, 1)
SALES_HOUR_WEIGHTS = (0,) * 8 + (6, 10, 10, 9, 6, 8, 10, 10, 8, 5, 2) + (0,) * 5


@dataclass(frozen=True)
class DemoSummary:
    """What was written, so a caller can check the pipeline's totals against it.

    `contacts` counts every record written, test and duplicate records included. `spend_eur`
    is all ad spend in EUR, the CHF account's converted at the ECB rate of its day (the last
    one published on or before it); `spend_chf` is that account's spend as billed.
    """

    ad_rows: int
    spend_eur: Decimal
    spend_chf: Decimal
    contacts: int
    deals: int
    won_deals: int
    won_revenue_eur: Decimal
    calls: int
    emails: int
    meetings: int
    fx_days: int
    ad_group_rows: int


@dataclass(frozen=True)
class Quality:
    """Eventual conversion chances of a lead source: lead->MQL, MQL->SQL, deal->won."""

    mql_rate: float
    sql_rate: float
    win_rate: float


@dataclass(frozen=True)
class AdGroup:
    """An ad group of a campaign; `weight` is its usual share of the campaign's clicks."""

    ad_group_id: str
    name: str
    weight: float


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
    # Search, Display and Video campaigns have ad groups; Performance Max has asset groups instead.
    ad_groups: tuple[AdGroup, ...] = ()


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
        ad_groups=(
            AdGroup("158120010011", "Brand | Exact", 6),
            AdGroup("158120010012", "Brand | Phrase", 3),
            AdGroup("158120010013", "Brand | Login", 1),
        ),
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
        ad_groups=(
            AdGroup("158130010011", "CRM Software", 5),
            AdGroup("158130010012", "CRM für KMU", 3),
            AdGroup("158130010013", "Kundenverwaltung Software", 2),
            AdGroup("158130010014", "CRM Vergleich", 2),
        ),
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
        ad_groups=(
            AdGroup("158130020011", "Salesforce Alternative", 4),
            AdGroup("158130020012", "HubSpot Alternative", 3),
            AdGroup("158130020013", "Pipedrive vs", 2),
        ),
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
        ad_groups=(
            AdGroup("158130030011", "Kostenlos testen", 3),
            AdGroup("158130030012", "Testversion", 2),
        ),
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
        ad_groups=(
            AdGroup("158150010011", "Remarketing | Website Visitors 30d", 5),
            AdGroup("158150010012", "Remarketing | Pricing Page 14d", 3),
        ),
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
        ad_groups=(
            AdGroup("158160010011", "In-Stream | Product Demo", 5),
            AdGroup("158160010012", "In-Feed | CRM Interest", 3),
            AdGroup("158160010013", "Bumper | Brand Recall", 2),
        ),
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
COUNTRY_NAMES = {"de": "Germany", "at": "Austria", "ch": "Switzerland"}  # HubSpot `country` is free text
FOREIGN_COUNTRIES = ("India", "United States", "Brazil", "Nigeria", "United Kingdom", "Poland")
# fmt: off
JOB_TITLES = (
    ("Geschäftsführer", 10), ("CEO", 4), ("Head of Sales", 8), ("Vertriebsleiter", 8), ("Sales Manager", 10),
    ("Account Manager", 6), ("Marketing Manager", 8), ("Head of Marketing", 5), ("IT-Leiter", 6),
    ("Office Manager", 6), ("Assistenz der Geschäftsführung", 4), ("Projektmanager", 5), (None, 12),
)
# fmt: on
# Conversion events (HubSpot form names). High-intent ones make an MQL at once.
HIGH_INTENT_EVENTS = ("Demo request", "Contact sales")
CONTENT_EVENTS = ("Whitepaper download", "Webinar registration", "Free trial signup", "Newsletter signup")
# Weights of CONTENT_EVENTS by hs_analytics_source of the contact's first visit.
CONTENT_EVENT_WEIGHTS = {
    "PAID_SEARCH": (25, 10, 35, 5),
    "OTHER_CAMPAIGNS": (40, 25, 15, 20),
    "ORGANIC_SEARCH": (35, 15, 25, 25),
    "DIRECT_TRAFFIC": (20, 15, 40, 25),
    "REFERRALS": (25, 15, 45, 15),
    "EMAIL_MARKETING": (35, 45, 20, 0),
    "SOCIAL_MEDIA": (35, 35, 10, 20),
}
HIGH_INTENT_AT_CREATION_RATE = 0.6  # else a returning lead's later (recent) conversion
RECENT_CONVERSION_RATE = 0.25
# Why sales set a lead UNQUALIFIED (the custom property `disqualification_reason`).
DISQUALIFICATION_REASONS = {
    "company": (("No budget", 32), ("No need", 28), ("Wrong country", 20), ("Competitor", 20)),
    "free_mail": (("Student / job seeker", 50), ("No budget", 20), ("No need", 20), ("Wrong country", 10)),
}
SALES_OWNERS = ("71830412", "71830457", "71830499", "72114301", "72114388")  # hubspot_owner_id
CALL_STATUS_WEIGHTS = (("COMPLETED", 50), ("NO_ANSWER", 35), ("BUSY", 10), ("FAILED", 5))
EMAIL_SUBJECTS = {
    "first": "Ihre Anfrage bei Acme Software",
    "follow_up": "Kurze Rückfrage zu Acme CRM",
    "deal": "Ihr Angebot für Acme CRM",
    "nurture": "Wie läuft es mit Acme CRM?",
    "question": "Frage zu Acme CRM",
}
# ECB reference rates: the columns of eurofxref-hist.csv in their order; value = (units per EUR
# at the start of the walk, decimals the ECB publishes, daily volatility) or None for currencies
# the ECB no longer publishes (euro adopters, suspended) -- their cells read N/A.
# fmt: off
ECB_CURRENCIES: dict[str, tuple[float, int, float] | None] = {
    "USD": (1.16, 4, 0.0045), "JPY": (178.0, 2, 0.006), "BGN": (1.9558, 4, 0.0), "CYP": None,
    "CZK": (24.25, 3, 0.002), "DKK": (7.4640, 4, 0.0001), "EEK": None, "GBP": (0.8720, 5, 0.003),
    "HUF": (388.0, 2, 0.004), "LTL": None, "LVL": None, "MTL": None, "PLN": (4.24, 4, 0.002),
    "ROL": None, "RON": (5.08, 4, 0.001), "SEK": (10.95, 4, 0.004), "SIT": None, "SKK": None,
    "CHF": (0.9350, 4, 0.0020), "ISK": (146.0, 1, 0.003), "NOK": (11.70, 4, 0.004), "HRK": None,
    "RUB": None, "TRL": None, "TRY": (48.5, 4, 0.003), "AUD": (1.77, 4, 0.005), "BRL": (6.25, 4, 0.007),
    "CAD": (1.62, 4, 0.004), "CNY": (8.28, 4, 0.004), "HKD": (9.05, 4, 0.0045), "IDR": (19350.0, 2, 0.005),
    "ILS": (3.85, 4, 0.006), "INR": (102.5, 4, 0.005), "KRW": (1690.0, 2, 0.006), "MXN": (21.4, 4, 0.006),
    "MYR": (4.90, 4, 0.004), "NZD": (2.02, 4, 0.005), "PHP": (67.5, 3, 0.005), "SGD": (1.51, 4, 0.003),
    "THB": (37.6, 3, 0.004), "ZAR": (20.3, 4, 0.007),
}
# fmt: on
# Pegged currencies that became the euro: N/A from that day on.
EURO_ADOPTED = {"BGN": date(2026, 1, 1)}
FX_DAYS_BEFORE_WINDOW = 10
FX_MEAN_REVERSION = 0.03  # share of the distance to the start level closed per day


@dataclass(frozen=True)
class AdRow:
    day: date
    campaign: Campaign
    status: str
    cost_micros: int  # in the account's currency
    impressions: int
    clicks: int
    conversions: float
    cost_eur: Decimal  # the same cost in EUR (ECB rate of the day), which drives the leads


@dataclass(frozen=True)
class AdGroupRow:
    """One ad group's share of a campaign row: every metric adds up to the campaign's exactly."""

    day: date
    campaign: Campaign
    ad_group: AdGroup
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
    country: str | None = None
    jobtitle: str | None = None
    free_mail: bool = False
    # A high-intent form (Demo request, Contact sales) that made the contact an MQL at once:
    # at creation (its first conversion) or on a later visit (its recent conversion).
    high_intent_event: str | None = None
    high_intent_at_creation: bool = False
    disqualified_at: datetime | None = None
    disqualification_reason: str | None = None
    first_conversion: tuple[str, datetime] | None = None
    recent_conversion: tuple[str, datetime] | None = None
    is_test_or_duplicate: bool = False


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


@dataclass
class Engagement:
    """One call, e-mail or meeting with one contact, as HubSpot stores it."""

    object_type: str  # calls, emails, meetings
    contact: Contact
    owner_id: str
    occurred_at: datetime  # hs_timestamp
    created_at: datetime
    updated_at: datetime
    properties: dict[str, str | None]
    engagement_id: int = 0


@dataclass(frozen=True)
class ClickTags:
    """What a click on one ad platform's ads brings to the landing page, hence to the CRM."""

    utm_source: str
    utm_medium: str | None  # None: by campaign type, as Google Ads auto-tagging does
    crm_source: str | None  # HubSpot's original source; None: PAID_SEARCH or OTHER_CAMPAIGNS by type
    click_id_property: str | None  # the HubSpot contact property that keeps the click id
    # Yandex Direct runs video ads in media (CPM banner) campaigns: their clicks are tagged display.
    video_medium: str = "video"


CLICK_TAGS = {
    "google_ads": ClickTags("google", None, None, "hs_google_click_id"),
    "meta_ads": ClickTags("facebook", "paid_social", "PAID_SOCIAL", "hs_facebook_click_id"),
    "linkedin_ads": ClickTags("linkedin", "paid_social", "PAID_SOCIAL", None),
    "yandex_direct": ClickTags("yandex", None, None, None, video_medium="display"),
}


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


@dataclass
class DemoWorld:
    """Everything simulated, before it is written in any platform's format.

    `contacts` and `deals` carry their ids and HubSpot's stage names (lifecyclestage, lead status,
    dealstage); `contacts` includes the test and duplicate records, sorted by creation.
    """

    window: Window
    ad_rows: list[AdRow]
    ad_group_rows: list[AdGroupRow]
    contacts: list[Contact]
    deals: list[Deal]
    engagements: list[Engagement]


def generate(
    out_dir: Path,
    end_date: date,
    days: int = 90,
    seed: int = 7,
    ad_platform: str = "google_ads",
    crm: str = "hubspot",
) -> DemoSummary:
    """Write the ad platform's, the CRM's and ECB FX files for `days` days ending on `end_date`."""
    if days < 1:
        raise ValueError(f"days must be at least 1, got {days}")
    if ad_platform not in AD_PLATFORMS or crm not in CRMS:
        raise ValueError(
            f"the demo advertises on one of {', '.join(AD_PLATFORMS)} and keeps people in one of "
            f"{', '.join(CRMS)}; got {ad_platform} and {crm}"
        )
    window = Window(end_date - timedelta(days=days - 1), end_date)
    # Independent streams, so a change in one part does not reshuffle the others.
    root = random.Random(seed)
    ads_rng, people_rng, funnel_rng, wire_rng = (random.Random(root.getrandbits(64)) for _ in range(4))
    fx_rng, profile_rng, sales_rng = (random.Random(root.getrandbits(64)) for _ in range(3))
    # Drawn after the others, so adding it left every stream above (and its bytes) as it was.
    ad_group_rng = random.Random(root.getrandbits(64))
    writer_rng = random.Random(root.getrandbits(64))

    fx = _simulate_fx(fx_rng, window.first_day - timedelta(days=FX_DAYS_BEFORE_WINDOW), window.last_day)
    ad_rows = _simulate_ad_rows(ads_rng, window, fx)
    ad_group_rows = _split_into_ad_groups(ad_group_rng, ad_rows)
    contacts = _simulate_contacts(people_rng, window, ad_rows, CLICK_TAGS[ad_platform])
    deals = [deal for contact in contacts if (deal := _run_funnel(funnel_rng, contact, window.cutoff)) is not None]
    contacts += _test_and_duplicate_records(people_rng, funnel_rng, window, contacts)

    contacts.sort(key=lambda contact: contact.created_at)
    for offset, contact in enumerate(contacts):
        contact.contact_id = FIRST_CONTACT_ID + offset
    deals.sort(key=lambda deal: (deal.created_at, deal.contact.contact_id))
    for offset, deal in enumerate(deals):
        deal.deal_id = FIRST_DEAL_ID + offset
    for contact in contacts:
        _profile(profile_rng, contact)
    engagements = _simulate_engagements(sales_rng, contacts, deals, window.cutoff)

    world = DemoWorld(window, ad_rows, ad_group_rows, contacts, deals, engagements)
    for folder in (*AD_PLATFORMS, *CRMS, "fx_rates"):
        shutil.rmtree(out_dir / folder, ignore_errors=True)
    if ad_platform == "google_ads":
        _write_google_ads(wire_rng, out_dir / "google_ads", window, ad_rows)
        _write_google_ads_ad_groups(ad_group_rng, out_dir / "google_ads", window, ad_group_rows)
    else:
        import_module(f"smarketing.demo.{ad_platform}").write(world, out_dir / ad_platform, writer_rng)
    if crm == "hubspot":
        _write_hubspot(out_dir / "hubspot", world)
    else:
        import_module(f"smarketing.demo.{crm}").write(world, out_dir / crm, writer_rng)
    _write_ecb_csv(out_dir / "fx_rates" / "eurofxref-hist.csv", fx)

    won = [deal for deal in deals if deal.stage == "closedwon"]
    chf_micros = sum(row.cost_micros for row in ad_rows if ACCOUNTS[row.campaign.customer_id].currency == "CHF")
    count = Counter(engagement.object_type for engagement in engagements)
    return DemoSummary(
        ad_rows=len(ad_rows),
        spend_eur=sum((row.cost_eur for row in ad_rows), Decimal(0)).quantize(Decimal("0.01")),
        spend_chf=_micros_to_units(chf_micros),
        contacts=len(contacts),
        deals=len(deals),
        won_deals=len(won),
        won_revenue_eur=Decimal(sum(deal.amount or 0 for deal in won)) + Decimal("0.00"),
        calls=count["calls"],
        emails=count["emails"],
        meetings=count["meetings"],
        fx_days=len(fx),
        ad_group_rows=len(ad_group_rows),
    )


# --- FX: ECB euro reference rates ------------------------------------------------------


def _simulate_fx(rng: random.Random, first_day: date, last_day: date) -> dict[date, dict[str, Decimal | None]]:
    """A published rate per TARGET working day and currency (None = N/A), oldest first.

    Each rate is a random walk in logs from its start value, pulled gently back towards it (so a
    long window stays plausible), rounded as the ECB publishes it.
    """
    start = {code: math.log(spec[0]) for code, spec in ECB_CURRENCIES.items() if spec is not None}
    level = dict(start)
    rates: dict[date, dict[str, Decimal | None]] = {}
    day = first_day
    while day <= last_day:
        if _is_target_working_day(day):
            row: dict[str, Decimal | None] = {}
            for code, spec in ECB_CURRENCIES.items():
                if spec is None or (code in EURO_ADOPTED and day >= EURO_ADOPTED[code]):
                    row[code] = None
                    continue
                _, decimals, volatility = spec
                level[code] += FX_MEAN_REVERSION * (start[code] - level[code]) + rng.gauss(0.0, volatility)
                row[code] = Decimal(math.exp(level[code])).quantize(Decimal(1).scaleb(-decimals))
            rates[day] = row
        day += timedelta(days=1)
    return rates


def _is_target_working_day(day: date) -> bool:
    """TARGET2 closes on weekends, New Year, Good Friday, Easter Monday, 1 May, 25 and 26 December."""
    easter = _easter_sunday(day.year)
    closed = {
        date(day.year, 1, 1),
        easter - timedelta(days=2),
        easter + timedelta(days=1),
        date(day.year, 5, 1),
        date(day.year, 12, 25),
        date(day.year, 12, 26),
    }
    return day.weekday() < 5 and day not in closed


def _easter_sunday(year: int) -> date:
    """Anonymous Gregorian algorithm (Meeus/Jones/Butcher)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 19 * l_) // 433
    month = (h + l_ - 7 * m + 90) // 25
    return date(year, month, (h + l_ - 7 * m + 33 * month + 19) % 32)


def _rate_on(fx: dict[date, dict[str, Decimal | None]], currency: str, day: date) -> Decimal:
    """The last rate published on or before `day` (how a day without a fixing is converted)."""
    for offset in range(FX_DAYS_BEFORE_WINDOW + 1):
        rate = fx.get(day - timedelta(days=offset), {}).get(currency)
        if rate is not None:
            return rate
    raise ValueError(f"no {currency} rate on or up to {FX_DAYS_BEFORE_WINDOW} days before {day}")


def _write_ecb_csv(path: Path, fx: dict[date, dict[str, Decimal | None]]) -> None:
    """eurofxref-hist.csv: newest first, a trailing comma on every line, N/A where nothing was published."""
    lines = ["Date," + "".join(f"{code}," for code in ECB_CURRENCIES)]
    for day in sorted(fx, reverse=True):
        cells = ["N/A" if rate is None else _ecb_number(rate) for rate in fx[day].values()]
        lines.append(f"{day.isoformat()}," + "".join(f"{cell}," for cell in cells))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(("\n".join(lines) + "\n").encode("ascii"))


def _ecb_number(rate: Decimal) -> str:
    """As the ECB writes it: no trailing zeros (0.9350 -> 0.935), never an exponent."""
    text = f"{rate:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


# --- Google Ads ------------------------------------------------------------------------


def _simulate_ad_rows(rng: random.Random, window: Window, fx: dict[date, dict[str, Decimal | None]]) -> list[AdRow]:
    """Daily campaign metrics; the promo campaign is paused halfway, then has no rows.

    Budgets are planned in EUR; a CHF account bids and bills in CHF at the day's ECB rate.
    """
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
            currency = ACCOUNTS[campaign.customer_id].currency
            rate = Decimal(1) if currency == CURRENCY else _rate_on(fx, currency, day)
            cost_micros = round(clicks * cpc * float(rate) * 100) * MICROS_PER_CENT
            rows.append(
                AdRow(
                    day=day,
                    campaign=campaign,
                    status=status,
                    cost_micros=cost_micros,
                    impressions=impressions,
                    clicks=clicks,
                    conversions=round(conversions, 2),
                    cost_eur=_micros_to_units(cost_micros, quantize=False) / rate,
                )
            )
    return rows


def _write_google_ads(rng: random.Random, folder: Path, window: Window, ad_rows: list[AdRow]) -> None:
    """One searchStream response per account and day, as the nightly pull stores it."""
    rows_by_file: dict[tuple[str, date], list[AdRow]] = {}
    for row in ad_rows:
        rows_by_file.setdefault((row.campaign.customer_id, row.day), []).append(row)
    for customer_id, account in ACCOUNTS.items():
        for day in window.days():
            rows = sorted(
                rows_by_file.get((customer_id, day), []),
                key=lambda row: row.campaign.campaign_id,
            )
            batch: dict[str, Any] = {}
            if rows:  # proto3 JSON leaves out an empty repeated field
                batch["results"] = [_google_ads_row(row, account) for row in rows]
            batch["fieldMask"] = GOOGLE_ADS_FIELD_MASK
            batch["requestId"] = "".join(rng.choices(TOKEN_ALPHABET, k=22))
            batch["queryResourceConsumption"] = str(rng.randint(180, 260) + 40 * len(rows))
            path = folder / customer_id / f"searchStream_{day.isoformat()}.json"
            _write_json(path, [batch])


def _google_ads_row(row: AdRow, account: Account) -> dict[str, Any]:
    campaign = row.campaign
    customer_resource = f"customers/{campaign.customer_id}"
    return {
        "customer": {
            "resourceName": customer_resource,
            "id": campaign.customer_id,
            "descriptiveName": account.name,
            "currencyCode": account.currency,
            "timeZone": account.time_zone,
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


def _split_into_ad_groups(rng: random.Random, ad_rows: list[AdRow]) -> list[AdGroupRow]:
    """Each campaign row with ad groups, split among them so every metric adds up exactly.

    Clicks follow each ad group's usual share with daily noise; impressions are at least the
    clicks (the rest split with their own noise: CTRs differ); cost and conversions follow the
    clicks, with noise for CPC and conversion rate. A row with no impressions is left out, as
    Google Ads leaves out rows whose metrics are all zero.
    """
    split = []
    for row in ad_rows:
        groups = row.campaign.ad_groups
        if not groups:
            continue
        shares = [group.weight * rng.uniform(0.75, 1.25) for group in groups]
        clicks = _apportion(row.clicks, shares)
        # Campaign rows have far more impressions than clicks (CTR well below 1).
        unclicked = _apportion(row.impressions - row.clicks, [share * rng.uniform(0.8, 1.2) for share in shares])
        impressions = [c + u for c, u in zip(clicks, unclicked, strict=True)]
        drivers = clicks if row.clicks > 0 else impressions
        cents = _apportion(row.cost_micros // MICROS_PER_CENT, [d * rng.uniform(0.85, 1.15) for d in drivers])
        hundredths = _apportion(round(row.conversions * 100), [d * rng.uniform(0.6, 1.4) for d in drivers])
        for index, group in enumerate(groups):
            if impressions[index] == 0:
                continue
            split.append(
                AdGroupRow(
                    day=row.day,
                    campaign=row.campaign,
                    ad_group=group,
                    cost_micros=cents[index] * MICROS_PER_CENT,
                    impressions=impressions[index],
                    clicks=clicks[index],
                    conversions=hundredths[index] / 100,
                )
            )
    return split


def _apportion(total: int, weights: Sequence[float]) -> list[int]:
    """Whole parts of `total` in proportion to `weights` that add up to it exactly (largest remainder)."""
    weight_sum = sum(weights)
    if weight_sum <= 0:
        weights, weight_sum = [1.0] * len(weights), float(len(weights))
    exact = [total * weight / weight_sum for weight in weights]
    parts = [math.floor(value) for value in exact]
    by_remainder = sorted(range(len(weights)), key=lambda index: (parts[index] - exact[index], index))
    for index in by_remainder[: total - sum(parts)]:
        parts[index] += 1
    return parts


def _write_google_ads_ad_groups(
    rng: random.Random, folder: Path, window: Window, ad_group_rows: list[AdGroupRow]
) -> None:
    """One ad-group searchStream response per account and day, beside the campaign one."""
    rows_by_file: dict[tuple[str, date], list[AdGroupRow]] = {}
    for row in ad_group_rows:
        rows_by_file.setdefault((row.campaign.customer_id, row.day), []).append(row)
    for customer_id, account in ACCOUNTS.items():
        for day in window.days():
            rows = sorted(
                rows_by_file.get((customer_id, day), []),
                key=lambda row: (row.campaign.campaign_id, row.ad_group.ad_group_id),
            )
            batch: dict[str, Any] = {}
            if rows:  # proto3 JSON leaves out an empty repeated field
                batch["results"] = [_google_ads_ad_group_row(row, account) for row in rows]
            batch["fieldMask"] = GOOGLE_ADS_AD_GROUP_FIELD_MASK
            batch["requestId"] = "".join(rng.choices(TOKEN_ALPHABET, k=22))
            batch["queryResourceConsumption"] = str(rng.randint(180, 260) + 30 * len(rows))
            path = folder / customer_id / f"adGroupStream_{day.isoformat()}.json"
            _write_json(path, [batch])


def _google_ads_ad_group_row(row: AdGroupRow, account: Account) -> dict[str, Any]:
    campaign, ad_group = row.campaign, row.ad_group
    customer_resource = f"customers/{campaign.customer_id}"
    return {
        "customer": {
            "resourceName": customer_resource,
            "id": campaign.customer_id,
            "currencyCode": account.currency,
            "timeZone": account.time_zone,
        },
        "campaign": {
            "resourceName": f"{customer_resource}/campaigns/{campaign.campaign_id}",
            "id": campaign.campaign_id,
        },
        "adGroup": {
            "resourceName": f"{customer_resource}/adGroups/{ad_group.ad_group_id}",
            "id": ad_group.ad_group_id,
            "name": ad_group.name,
            # Pausing a campaign leaves its ad groups enabled.
            "status": "ENABLED",
        },
        "segments": {"date": row.day.isoformat()},
        "metrics": {
            "costMicros": str(row.cost_micros),
            "impressions": str(row.impressions),
            "clicks": str(row.clicks),
            "conversions": int(row.conversions) if row.conversions.is_integer() else row.conversions,
        },
    }


# --- HubSpot: who arrives --------------------------------------------------------------


def _simulate_contacts(rng: random.Random, window: Window, ad_rows: list[AdRow], tags: ClickTags) -> list[Contact]:
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
            expected = float(row.cost_eur) / campaign.cost_per_lead_eur
            for _ in range(_poisson(rng, expected)):
                created_at = _moment_on(rng, day, VISITOR_HOUR_WEIGHTS)
                arrive(created_at, _paid_attribution(rng, campaign, tags), campaign.quality)
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


def _paid_attribution(rng: random.Random, campaign: Campaign, tags: ClickTags) -> dict[str, str | None]:
    is_search = campaign.channel_type in ("SEARCH", "PERFORMANCE_MAX")
    medium = {"DISPLAY": "display", "VIDEO": tags.video_medium}.get(campaign.channel_type, "cpc")
    # Without cookie consent the landing page keeps its UTM tags but loses the click id.
    consent_denied = rng.random() < CONSENT_DENIED_RATE
    keyword = rng.choice(campaign.keywords) if is_search else None
    # Drawn on every platform, so the people simulated after it are the same on each.
    click_id = None if consent_denied else _gclid(rng)
    attribution = {
        "hs_analytics_source": tags.crm_source or ("PAID_SEARCH" if is_search else "OTHER_CAMPAIGNS"),
        "hs_analytics_source_data_1": campaign.name,
        "hs_analytics_source_data_2": None if tags.crm_source else keyword,
        "utm_source": tags.utm_source,
        "utm_medium": tags.utm_medium or medium,
        "utm_campaign": campaign.name,
        "hs_google_click_id": None,
    }
    if tags.click_id_property is not None:
        attribution[tags.click_id_property] = click_id
    return attribution


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
        country=COUNTRY_NAMES[company.country],
        free_mail=uses_free_mail,
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
            contact.disqualified_at = disqualified_at
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
    if skips_mql or contact.score < 50:
        # A high-intent form made the MQL: on the visit that created the contact, or a later one.
        contact.high_intent_event = "Contact sales" if skips_mql else "Demo request"
        contact.high_intent_at_creation = rng.random() < HIGH_INTENT_AT_CREATION_RATE
        if contact.high_intent_at_creation:
            mql_at = lead_at
    sql_at = mql_at if skips_mql else _later(rng, mql_at, 1, 14)
    if not accepted_by_sales or sql_at > cutoff:
        _reach(contact, "marketingqualifiedlead", mql_at)
        rejected = ("ATTEMPTED_TO_CONTACT", "CONNECTED", "BAD_TIMING", "UNQUALIFIED")
        pending = ("OPEN", "ATTEMPTED_TO_CONTACT", "IN_PROGRESS")
        contact.lead_status = rng.choice(pending if accepted_by_sales else rejected)
        _touch(rng, contact, mql_at, cutoff)
        if contact.lead_status in ("UNQUALIFIED", "BAD_TIMING"):
            contact.disqualified_at = contact.last_modified_at
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
                country=original.country,
                free_mail=original.free_mail,
                is_test_or_duplicate=True,
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
        is_test_or_duplicate=True,
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


# --- HubSpot: who they are and what they filled in ------------------------------------


def _profile(rng: random.Random, contact: Contact) -> None:
    """Job title, conversions and disqualification reason, consistent with the funnel run."""
    contact.jobtitle = _weighted(rng, JOB_TITLES)
    if contact.lead_status in ("UNQUALIFIED", "BAD_TIMING") and not contact.is_test_or_duplicate:
        _disqualify(rng, contact)
    source = contact.attribution["hs_analytics_source"]
    if source not in CONTENT_EVENT_WEIGHTS:
        return  # imported or typed in by hand: no form conversion
    created_at = contact.created_at
    content_event = rng.choices(CONTENT_EVENTS, weights=CONTENT_EVENT_WEIGHTS[source])[0]
    mql_at = contact.stage_dates.get("marketingqualifiedlead")
    if contact.high_intent_event and contact.high_intent_at_creation:
        contact.first_conversion = (contact.high_intent_event, created_at)
    elif contact.high_intent_event and mql_at is not None:
        contact.first_conversion = (content_event, created_at)
        contact.recent_conversion = (contact.high_intent_event, mql_at)
        return
    else:
        contact.first_conversion = (content_event, created_at)
    # Some come back for more content before the last change to their record.
    last_change = contact.last_modified_at or created_at
    if rng.random() < RECENT_CONVERSION_RATE and last_change - created_at > timedelta(hours=2):
        seconds = rng.randint(3600, int((last_change - created_at).total_seconds()))
        later_event = rng.choice([event for event in CONTENT_EVENTS if event != "Newsletter signup"])
        contact.recent_conversion = (later_event, created_at + timedelta(seconds=seconds))


def _disqualify(rng: random.Random, contact: Contact) -> None:
    if contact.lead_status == "BAD_TIMING":
        contact.disqualification_reason = "Bad timing"
        return
    reason = _weighted(rng, DISQUALIFICATION_REASONS["free_mail" if contact.free_mail else "company"])
    contact.disqualification_reason = reason
    if reason == "Wrong country":
        contact.country = rng.choice(FOREIGN_COUNTRIES)
    elif reason == "Student / job seeker":
        contact.jobtitle = rng.choice(("Student", "Werkstudent", None))
        contact.company = None
    elif reason == "Competitor":
        contact.jobtitle = rng.choice(("Product Manager", "Business Development", "Sales Manager"))


def _weighted(rng: random.Random, options: Sequence[tuple[Any, int]]) -> Any:
    return rng.choices([value for value, _ in options], weights=[weight for _, weight in options])[0]


# --- HubSpot: how sales follows up -----------------------------------------------------


def _simulate_engagements(
    rng: random.Random, contacts: list[Contact], deals: list[Deal], cutoff: datetime
) -> list[Engagement]:
    """Calls, e-mails and meetings per contact; anything that would happen after `cutoff` has not."""
    deals_by_contact = {deal.contact.contact_id: deal for deal in deals}
    engagements: list[Engagement] = []
    for contact in contacts:
        if contact.is_test_or_duplicate or (contact.email is None and contact.phone is None):
            continue
        owner = rng.choice(SALES_OWNERS)
        log = _SalesLog(rng, contact, owner, cutoff)
        if contact.stage_dates.get("marketingqualifiedlead") is None:
            _follow_up_lead(rng, contact, log)
        else:
            _follow_up_mql(rng, contact, deals_by_contact.get(contact.contact_id), log)
        engagements += log.engagements
    engagements.sort(key=lambda e: (e.created_at, e.contact.contact_id, e.occurred_at))
    next_id = dict(FIRST_ENGAGEMENT_IDS)
    for engagement in engagements:
        engagement.engagement_id = next_id[engagement.object_type]
        next_id[engagement.object_type] += 1
    return engagements


class _SalesLog:
    """Logs one contact's engagements with its owner, dropping what falls after the cutoff."""

    def __init__(self, rng: random.Random, contact: Contact, owner: str, cutoff: datetime) -> None:
        self.rng, self.contact, self.owner, self.cutoff = rng, contact, owner, cutoff
        self.engagements: list[Engagement] = []

    def _add(self, object_type: str, at: datetime, created_at: datetime, properties: dict) -> bool:
        if at > self.cutoff or created_at > self.cutoff:
            return False
        edited_at = created_at + timedelta(minutes=self.rng.choice((0, 0, 0, 2, 15, 60 * 24)))
        updated_at = min(max(edited_at, at), self.cutoff)
        engagement = Engagement(object_type, self.contact, self.owner, at, created_at, updated_at, properties)
        self.engagements.append(engagement)
        return True

    def call(self, at: datetime, direction: str = "OUTBOUND", status: str | None = None) -> str | None:
        status = status or _weighted(self.rng, CALL_STATUS_WEIGHTS)
        duration_ms = self.rng.randint(120, 1800) * 1000 if status == "COMPLETED" else 0
        properties = {"hs_call_direction": direction, "hs_call_status": status, "hs_call_duration": str(duration_ms)}
        logged_at = at + timedelta(milliseconds=duration_ms + self.rng.randint(5_000, 90_000))
        return status if self._add("calls", at, logged_at, properties) else None

    def email(self, at: datetime, direction: str, subject: str) -> bool:
        outgoing = direction == "EMAIL"
        properties = {
            "hs_email_direction": direction,
            "hs_email_status": "SENT" if outgoing else None,
            "hs_email_subject": subject if outgoing else f"Re: {subject}",
        }
        return self._add("emails", at, at + timedelta(seconds=self.rng.randint(1, 20)), properties)

    def meeting(self, at: datetime, booked_at: datetime, outcome: str) -> bool:
        properties = {
            "hs_meeting_outcome": outcome,
            "hs_meeting_title": "Acme CRM Demo",
            "hs_meeting_start_time": _hubspot_time(at),
            "hs_meeting_end_time": _hubspot_time(at + timedelta(minutes=45)),
        }
        return self._add("meetings", at, booked_at, properties)

    def reply(self, to: datetime, subject: str, chance: float) -> None:
        if self.rng.random() < chance:
            self.email(to + timedelta(minutes=self.rng.randint(20, 48 * 60)), "INCOMING_EMAIL", subject)


def _follow_up_lead(rng: random.Random, contact: Contact, log: _SalesLog) -> None:
    """Leads below MQL: a qualifying call before a disqualification, now and then a nurture
    e-mail, and a few write in themselves."""
    if contact.disqualified_at is not None and rng.random() < 0.7:
        log.call(max(contact.created_at, contact.disqualified_at - timedelta(minutes=rng.randint(5, 45))))
    if rng.random() < 0.15:
        sent_at = _business_time(rng, contact.created_at + timedelta(days=rng.randint(2, 20)))
        log.email(sent_at, "EMAIL", EMAIL_SUBJECTS["nurture"])
        log.reply(sent_at, EMAIL_SUBJECTS["nurture"], 0.15)
    if rng.random() < 0.04:
        direction = "FORWARDED_EMAIL" if rng.random() < 0.3 else "INCOMING_EMAIL"
        log.email(contact.created_at + timedelta(hours=rng.uniform(1, 24 * 10)), direction, EMAIL_SUBJECTS["question"])


def _follow_up_mql(rng: random.Random, contact: Contact, deal: Deal | None, log: _SalesLog) -> None:
    """MQLs: a first outbound call or e-mail soon after the MQL (or never), more touches while
    they progress: a qualifying call at SQL, the demo meeting at opportunity, deal e-mails."""
    stages = contact.stage_dates
    mql_at, sql_at, opportunity_at = (stages.get(s) for s in LIFECYCLE_STAGES[1:4])
    first_at = None if rng.random() < UNTOUCHED_MQL_RATE else _first_touch_time(rng, mql_at)
    if first_at is not None and sql_at is not None and sql_at > mql_at and first_at >= sql_at:
        first_at = None  # the qualifying call below is the first touch
    if rng.random() < 0.05:  # the MQL calls in before sales gets to them
        log.call(mql_at + timedelta(minutes=rng.randint(10, 240)), "INBOUND", "COMPLETED")
    if first_at is not None:
        if rng.random() < 0.6:
            status = log.call(first_at)
            if status not in (None, "COMPLETED") and rng.random() < 0.6:
                sent_at = first_at + timedelta(minutes=rng.randint(3, 30))
                log.email(sent_at, "EMAIL", EMAIL_SUBJECTS["first"])
                log.reply(sent_at, EMAIL_SUBJECTS["first"], 0.3)
        else:
            log.email(first_at, "EMAIL", EMAIL_SUBJECTS["first"])
            log.reply(first_at, EMAIL_SUBJECTS["first"], 0.3)
        if sql_at is None:  # still working on them: more attempts over the next days
            for _ in range(rng.randint(0, 2)):
                at = _business_time(rng, first_at + timedelta(days=rng.uniform(1, 10)))
                if rng.random() < 0.5:
                    log.call(at)
                else:
                    log.email(at, "EMAIL", EMAIL_SUBJECTS["follow_up"])
    if sql_at is not None and sql_at > mql_at:
        log.call(sql_at, status="COMPLETED")
    if opportunity_at is not None:
        booked_at = (sql_at or mql_at) + (opportunity_at - (sql_at or mql_at)) * rng.uniform(0.1, 0.6)
        if rng.random() < 0.12:  # a first date that did not happen
            outcome = rng.choice(("NO_SHOW", "CANCELED", "RESCHEDULED"))
            log.meeting(booked_at + (opportunity_at - booked_at) / 2, booked_at, outcome)
        log.meeting(opportunity_at, booked_at, "COMPLETED")
    if deal is not None:
        end = deal.closed_at or log.cutoff
        for _ in range(rng.randint(1, 4)):
            sent_at = _business_time(rng, deal.created_at + (end - deal.created_at) * rng.uniform(0.05, 0.95))
            if sent_at < end:
                log.email(sent_at, "EMAIL", EMAIL_SUBJECTS["deal"])
                log.reply(sent_at, EMAIL_SUBJECTS["deal"], 0.4)
        if deal.closed_at is not None:
            log.call(deal.closed_at - timedelta(minutes=rng.randint(10, 120)), status="COMPLETED")


def _first_touch_time(rng: random.Random, mql_at: datetime) -> datetime:
    """Log-normal delay (median FIRST_TOUCH_MEDIAN_HOURS) within FIRST_TOUCH_HOURS, moved into
    office hours: an evening MQL hears from sales the next working morning."""
    low, high = FIRST_TOUCH_HOURS
    hours = min(high, max(low, math.exp(rng.gauss(math.log(FIRST_TOUCH_MEDIAN_HOURS), 1.0))))
    return _business_time(rng, mql_at + timedelta(hours=hours))


def _business_time(rng: random.Random, moment: datetime) -> datetime:
    """`moment` if it is in office hours (Mon-Fri 08-18 Berlin), else soon after the next opening."""
    local = moment.astimezone(BERLIN)
    if local.weekday() < 5 and 8 <= local.hour < 18:
        return moment
    day = local.date() if local.hour < 8 else local.date() + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    opening = datetime.combine(day, time(8), BERLIN) + timedelta(seconds=rng.randint(5 * 60, 90 * 60))
    return opening.astimezone(UTC)


# --- HubSpot: wire format --------------------------------------------------------------


def _write_hubspot(folder: Path, world: DemoWorld) -> None:
    _write_pages(folder / "contacts", "contacts", [_contact_body(c) for c in world.contacts])
    _write_pages(folder / "deals", "deals", [_deal_body(d) for d in world.deals])
    for object_type in FIRST_ENGAGEMENT_IDS:
        of_type = [_engagement_body(e) for e in world.engagements if e.object_type == object_type]
        _write_pages(folder / object_type, object_type, of_type)


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
        "jobtitle": contact.jobtitle,
        "country": contact.country,
        "disqualification_reason": contact.disqualification_reason,
        **_conversion_properties(contact),
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


def _conversion_properties(contact: Contact) -> dict[str, str | None]:
    """HubSpot keeps the first and the most recent form conversion; with one, both are it."""
    first = contact.first_conversion
    recent = contact.recent_conversion or first
    return {
        "first_conversion_event_name": None if first is None else first[0],
        "first_conversion_date": None if first is None else _hubspot_time(first[1]),
        "recent_conversion_event_name": None if recent is None else recent[0],
        "recent_conversion_date": None if recent is None else _hubspot_time(recent[1]),
    }


def _engagement_body(engagement: Engagement) -> dict[str, Any]:
    engagement_id = str(engagement.engagement_id)
    properties: dict[str, str | None] = {
        "hs_object_id": engagement_id,
        "hs_timestamp": _hubspot_time(engagement.occurred_at),
        "hs_createdate": _hubspot_time(engagement.created_at),
        "hs_lastmodifieddate": _hubspot_time(engagement.updated_at),
        "hubspot_owner_id": engagement.owner_id,
        **engagement.properties,
    }
    association_type = {"calls": "call", "emails": "email", "meetings": "meeting_event"}[engagement.object_type]
    contact_link = {"id": str(engagement.contact.contact_id), "type": f"{association_type}_to_contact"}
    return {
        "id": engagement_id,
        "properties": dict(sorted(properties.items())),
        "createdAt": _hubspot_time(engagement.created_at),
        "updatedAt": _hubspot_time(engagement.updated_at),
        "archived": False,
        "associations": {"contacts": {"results": [contact_link]}},
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


def _micros_to_units(micros: int, quantize: bool = True) -> Decimal:
    units = Decimal(micros).scaleb(-6)
    return units.quantize(Decimal("0.01")) if quantize else units


def _write_json(path: Path, body: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(body, indent=1, ensure_ascii=False) + "\n"
    path.write_bytes(text.encode("utf-8"))


def main(argv: Sequence[str] | None = None) -> None:
    """Command line entry: write the demo data and print what was written."""
    parser = argparse.ArgumentParser(
        prog="python -m smarketing.demo.generator",
        description="Write deterministic demo data: ad platform, CRM and ECB rates.",
    )
    parser.add_argument("--out", type=Path, required=True, help="output directory")
    parser.add_argument("--end-date", type=date.fromisoformat, required=True, help="last day, YYYY-MM-DD")
    parser.add_argument("--days", type=int, default=90, help="days covered (default 90)")
    parser.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    parser.add_argument("--ad-platform", choices=AD_PLATFORMS, default="google_ads", help="where the ads run")
    parser.add_argument("--crm", choices=CRMS, default="hubspot", help="the CRM that keeps people and deals")
    parser.add_argument(
        "--scale",
        help="10k, 1m or 10m: Google Ads ad-group rows over up to 3 years and HubSpot people, for `make bench`",
    )
    args = parser.parse_args(argv)
    if args.scale:
        from smarketing.demo.scale import write_scaled

        summary = write_scaled(args.out, args.scale, args.end_date, args.seed)
    else:
        summary = generate(args.out, args.end_date, args.days, args.seed, args.ad_platform, args.crm)
    for name, value in dataclasses.asdict(summary).items():
        print(f"{name}: {value}")


if __name__ == "__main__":
    main()
