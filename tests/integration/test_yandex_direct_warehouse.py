"""Yandex Direct through the warehouse, on the hand-made `yandex_small` file drop beside the tiny
Google Ads and HubSpot data: spend per day in RUB converted to EUR at the rate of its day, Moscow
days, Paid Search campaigns, a lead attributed to a Yandex campaign, and the spend reconciliation.

Every expected number is worked out by hand in tests/fixtures/yandex_small/README.md.
"""

from decimal import Decimal
from pathlib import Path

import psycopg
import pytest

from smarketing.config import load_config
from smarketing.quality import validate

pytestmark = pytest.mark.integration

FIXTURES = Path(__file__).parent.parent / "fixtures"
YANDEX = FIXTURES / "yandex_small"
BRAND = "yandex_direct:client-alpha:70001"


@pytest.fixture
def yandex_config(tmp_path) -> Path:
    path = tmp_path / "smarketing.yml"
    path.write_text(
        f"""
sources:
  google_ads: {{path: {FIXTURES / "tiny" / "google_ads"}, lookback_days: 30}}
  yandex_direct: {{path: {YANDEX / "yandex_direct"}}}
  hubspot: {{path: {YANDEX / "hubspot"}, lookback_days: 3}}
  fx_rates: {{path: {YANDEX / "fx_rates"}}}
report: {{recipients: [a@example.org], sender: b@example.org}}
definitions:
  exclude_email_domains: [example.com]
"""
    )
    return path


@pytest.fixture
def yandex_warehouse(warehouse_url, yandex_config, build_tiny):
    build_tiny(yandex_config)
    with psycopg.connect(warehouse_url) as conn:
        yield conn


def test_yandex_spend_per_day_is_in_eur_at_the_rate_of_its_day(yandex_warehouse):
    rows = yandex_warehouse.execute(
        "select ad_spend_id, spend_original, currency_original, round(spend, 4), impressions, clicks,"
        " platform_conversions from marts.fct_ad_spend_daily where ad_platform = 'yandex_direct' order by 1"
    ).fetchall()
    assert rows == [
        # Saturday: Friday's 100 RUB per EUR carried forward; 5,000 RUB = 50 EUR
        (f"{BRAND}:2026-03-07", Decimal("5000"), "RUB", Decimal("50.0000"), 2000, 100, Decimal(4)),
        # 4,000 RUB at 80 per EUR
        (f"{BRAND}:2026-03-09", Decimal("4000"), "RUB", Decimal("50.0000"), 1600, 80, Decimal(3)),
        # The ad groups add up to the campaign's 2,500 RUB / 1,000 / 50 on 03-10: ad-group grain, 125 per EUR
        (f"{BRAND}:5000101:2026-03-10", Decimal("1500"), "RUB", Decimal("12.0000"), 600, 30, Decimal(1)),
        (f"{BRAND}:5000102:2026-03-10", Decimal("1000"), "RUB", Decimal("8.0000"), 400, 20, Decimal(1)),
        # Conversions "--" in the report: none
        ("yandex_direct:client-alpha:70002:2026-03-10", Decimal("1250"), "RUB", Decimal("10.0000"), 8000, 25,
         Decimal(0)),
    ]  # fmt: skip
    assert yandex_warehouse.execute(
        "select distinct account_time_zone, currency_code from marts.fct_ad_spend_daily"
        " where ad_platform = 'yandex_direct'"
    ).fetchall() == [("Europe/Moscow", "EUR")]
    per_day = yandex_warehouse.execute(
        "select date_day::text, sum(spend) from marts.fct_ad_spend_daily where ad_platform = 'yandex_direct'"
        " group by 1 order by 1"
    ).fetchall()
    assert per_day == [("2026-03-07", Decimal("50")), ("2026-03-09", Decimal("50")), ("2026-03-10", Decimal("30"))]


def test_yandex_campaigns_are_paid_search(yandex_warehouse):
    assert yandex_warehouse.execute(
        "select campaign_key, campaign_name, campaign_type, channel from marts.dim_campaigns"
        " where campaign_key like 'yandex_direct:%' order by 1"
    ).fetchall() == [
        (BRAND, "Brand Search RU", "text_campaign", "Paid Search"),
        ("yandex_direct:client-alpha:70002", "Smart Banners", "smart_campaign", "Paid Search"),
    ]


def test_a_yandex_lead_is_attributed_to_its_campaign(yandex_warehouse):
    rows = yandex_warehouse.execute(
        "select campaign_key, channel, round(spend, 4), leads, round(cpl, 4) from marts.fct_campaign_performance"
        " where ad_platform = 'yandex_direct' and date_day = '2026-03-10' order by 1"
    ).fetchall()
    assert rows == [
        # 301 by the campaign's id (utm_source=yandex, utm_campaign=70001); 12.00 + 8.00 EUR of its ad groups
        (BRAND, "Paid Search", Decimal("20.0000"), 1, Decimal("20.0000")),
        ("yandex_direct:client-alpha:70002", "Paid Search", Decimal("10.0000"), 0, None),
    ]


def test_yandex_spend_reconciles_with_raw(yandex_warehouse, warehouse_url, yandex_config):
    report = validate("marts", warehouse_url, load_config(yandex_config))
    reconciliation = [o for o in report.outcomes if o.suite == "marts_reconciliation"]
    yandex = [o for o in reconciliation if "Yandex Direct" in (o.description or "")]
    assert len(yandex) == 2  # spend to the cent and campaign-days
    assert [o.describe() for o in reconciliation if not o.success] == []
