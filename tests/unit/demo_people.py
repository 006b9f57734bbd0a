"""The hand-made people of the CRM demo writers' tests: Anna, Jonas and Lena of Nordlicht IT, each
created 2026-03-02 09:00 UTC and last changed 03-05 09:00, Jonas from a Google Ads click, the two
others from a direct visit. Each test gives them their own stages, deals and activities."""

from datetime import UTC, datetime

from smarketing.demo.generator import Contact, Quality

QUALITY = Quality(mql_rate=0.5, sql_rate=0.5, win_rate=0.5)
PAID = {
    "hs_analytics_source": "PAID_SEARCH",
    "hs_analytics_source_data_1": "DE | Search | Competitor",
    "hs_analytics_source_data_2": "pipedrive vs",
    "utm_source": "google",
    "utm_medium": "cpc",
    "utm_campaign": "DE | Search | Competitor",
    "hs_google_click_id": "Cj0KCQjw-demo",
}
DIRECT = {
    "hs_analytics_source": "DIRECT_TRAFFIC",
    "hs_analytics_source_data_1": "https://www.acme-software.com/",
    "hs_analytics_source_data_2": None,
    "utm_source": None,
    "utm_medium": None,
    "utm_campaign": None,
    "hs_google_click_id": None,
}


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


def person(contact_id: int, name: str, attribution: dict, **stages: datetime) -> Contact:
    contact = Contact(at(2, 9), name, "Müller", f"{name.lower()}@nordlicht-it.de", None, "Nordlicht IT GmbH",
                      attribution, QUALITY, contact_id=contact_id, last_modified_at=at(5, 9))  # fmt: skip
    contact.stage_dates = {"lead": at(2, 9), **stages}
    return contact
