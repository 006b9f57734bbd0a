"""LinkedIn Ads through the warehouse, on the hand-made `linkedin_small` fixture beside the tiny
Google Ads and HubSpot data: spend per day converted to EUR at the rate of its day, campaign names
from the campaigns stream, and the spend reconciliation.

Every expected number is worked out by hand in tests/fixtures/linkedin_small/README.md.
"""

from decimal import Decimal
from pathlib import Path

import psycopg
import pytest

from smarketing.config import load_config
from smarketing.quality import validate

pytestmark = pytest.mark.integration

FIXTURES = Path(__file__).parent.parent / "fixtures"
LINKEDIN = FIXTURES / "linkedin_small"
WEBINAR = "linkedin_ads:505000001:620000001"
BRAND = "linkedin_ads:505000001:620000002"


@pytest.fixture
def linkedin_config(tmp_path) -> Path:
    path = tmp_path / "smarketing.yml"
    path.write_text(
        f"""
sources:
  google_ads: {{path: {FIXTURES / "tiny" / "google_ads"}, lookback_days: 30}}
  linkedin_ads: {{path: {LINKEDIN / "linkedin_ads"}}}
  hubspot: {{path: {FIXTURES / "tiny" / "hubspot"}, lookback_days: 3}}
  fx_rates: {{path: {FIXTURES / "meta_small" / "fx_rates"}}}
report: {{recipients: [a@example.org], sender: b@example.org}}
definitions:
  exclude_email_domains: [example.com]
  sales_cost_per_month: 3100
"""
    )
    return path


@pytest.fixture
def linkedin_warehouse(warehouse_url, linkedin_config, build_tiny):
    build_tiny(linkedin_config)
    with psycopg.connect(warehouse_url) as conn:
        yield conn


def test_linkedin_spend_per_day_is_in_eur_at_the_rate_of_its_day(linkedin_warehouse):
    rows = linkedin_warehouse.execute(
        "select ad_spend_id, spend_original, currency_original, round(spend, 4), impressions, clicks,"
        " platform_conversions, account_time_zone from marts.fct_ad_spend_daily where ad_platform = 'linkedin_ads'"
        " order by 1"
    ).fetchall()
    assert rows == [
        # Saturday: Friday's 1.60 carried forward
        (f"{WEBINAR}:2026-03-07", Decimal("50"), "USD", Decimal("31.2500"), 4000, 40, Decimal(2), "UTC"),
        # 3 form leads + 1 website conversion
        (f"{WEBINAR}:2026-03-10", Decimal("75"), "USD", Decimal("60.0000"), 6000, 60, Decimal(4), "UTC"),
        (f"{BRAND}:2026-03-09", Decimal("12.5"), "USD", Decimal("10.0000"), 1000, 5, Decimal(0), "UTC"),
        (f"{BRAND}:2026-03-10", Decimal("20"), "USD", Decimal("16.0000"), 1500, 8, Decimal(0), "UTC"),
    ]
    per_day = linkedin_warehouse.execute(
        "select date_day::text, sum(spend) from marts.fct_ad_spend_daily where ad_platform = 'linkedin_ads'"
        " group by 1 order by 1"
    ).fetchall()
    assert per_day == [("2026-03-07", Decimal("31.25")), ("2026-03-09", Decimal("10")), ("2026-03-10", Decimal("76"))]
    per_platform = linkedin_warehouse.execute(
        "select ad_platform, sum(spend) from marts.fct_ad_spend_daily"
        " where date_day between '2026-03-01' and '2026-03-10' group by 1 order by 1"
    ).fetchall()
    assert per_platform == [("google_ads", Decimal("520.5")), ("linkedin_ads", Decimal("117.25"))]


def test_linkedin_campaigns_are_named_and_paid_social(linkedin_warehouse):
    assert linkedin_warehouse.execute(
        "select campaign_key, campaign_name, campaign_type, channel from marts.dim_campaigns"
        " where campaign_key like 'linkedin_ads:%' order by 1"
    ).fetchall() == [
        (WEBINAR, "Webinar Leads", "sponsored_updates", "Paid Social"),
        (BRAND, "Brand B2B", "text_ad", "Paid Social"),
    ]


def test_linkedin_spend_reconciles_with_raw(linkedin_warehouse, warehouse_url, linkedin_config):
    report = validate("marts", warehouse_url, load_config(linkedin_config))
    reconciliation = [o for o in report.outcomes if o.suite == "marts_reconciliation"]
    linkedin = [o for o in reconciliation if "LinkedIn Ads" in (o.description or "")]
    assert len(linkedin) == 2  # spend to the cent and campaign-days
    assert [o.describe() for o in reconciliation if not o.success] == []
