"""Meta Ads through the warehouse, on the hand-made `meta_small` fixture beside the tiny Google Ads
and HubSpot data: spend per platform in EUR at the rate of its day, the campaigns, their leads and
CPL, the spend reconciliation; and a bad Insights page quarantined row by row.

Every expected number is worked out by hand in tests/fixtures/meta_small/README.md.
"""

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg
import pytest

from smarketing.config import load_config
from smarketing.extract import meta_ads
from smarketing.extract.files import read_pages
from smarketing.extract.streams import Window
from smarketing.load import load_stream
from smarketing.quality import validate
from smarketing.quality_rules import AD_SPEND_SOURCES

pytestmark = pytest.mark.integration

FIXTURES = Path(__file__).parent.parent / "fixtures"
META = FIXTURES / "meta_small"
CAMPAIGN_DAILY = meta_ads.STREAMS[0]
LEAD_FORMS = "meta_ads:2222222222:120001"
RETARGETING = "meta_ads:2222222222:120002"


@pytest.fixture
def meta_config(tmp_path) -> Path:
    path = tmp_path / "smarketing.yml"
    path.write_text(
        f"""
sources:
  google_ads: {{path: {FIXTURES / "tiny" / "google_ads"}, lookback_days: 30}}
  meta_ads: {{path: {META / "meta_ads"}}}
  hubspot: {{path: {META / "hubspot"}, lookback_days: 3}}
  fx_rates: {{path: {META / "fx_rates"}}}
report: {{recipients: [a@example.org], sender: b@example.org}}
definitions:
  exclude_email_domains: [example.com]
  sales_cost_per_month: 3100
"""
    )
    return path


@pytest.fixture
def meta_warehouse(warehouse_url, meta_config, build_tiny):
    build_tiny(meta_config)
    with psycopg.connect(warehouse_url) as conn:
        yield conn


def test_spend_per_platform_is_in_eur_at_the_rate_of_its_day(meta_warehouse):
    rows = meta_warehouse.execute(
        "select ad_spend_id, spend_original, currency_original, round(spend, 4), impressions, clicks,"
        " platform_conversions from marts.fct_ad_spend_daily where ad_platform = 'meta_ads' order by 1"
    ).fetchall()
    assert rows == [
        # 500.00 USD at 1 / 1.25
        (f"{LEAD_FORMS}:2026-01-20", Decimal("500"), "USD", Decimal("400.0000"), 40000, 800, Decimal(12)),
        # Saturday: Friday's 1.60 carried forward; the lead-form and pixel leads add up (no `lead` roll-up)
        (f"{LEAD_FORMS}:2026-03-07", Decimal("37.5"), "USD", Decimal("23.4375"), 3000, 60, Decimal(2)),
        # The ad sets add up to the campaign's 62.50 / 5,000 / 100: ad-set grain
        (f"{LEAD_FORMS}:230001:2026-03-10", Decimal("40"), "USD", Decimal("32.0000"), 3000, 60, Decimal(2)),
        (f"{LEAD_FORMS}:230002:2026-03-10", Decimal("22.5"), "USD", Decimal("18.0000"), 2000, 40, Decimal(1)),
        (f"{RETARGETING}:2026-03-10", Decimal("25"), "USD", Decimal("20.0000"), 2000, 30, Decimal(0)),
    ]
    # Insights rows lack the time zone; the ad account (account.json) has it, for every Meta row.
    assert meta_warehouse.execute(
        "select distinct account_time_zone from marts.fct_ad_spend_daily where ad_platform = 'meta_ads'"
    ).fetchall() == [("America/Los_Angeles",)]
    per_platform = meta_warehouse.execute(
        "select ad_platform, sum(spend) from marts.fct_ad_spend_daily"
        " where date_day between '2026-03-01' and '2026-03-10' group by 1 order by 1"
    ).fetchall()
    assert per_platform == [("google_ads", Decimal("520.5")), ("meta_ads", Decimal("93.4375"))]


def test_meta_campaigns_are_paid_social(meta_warehouse):
    assert meta_warehouse.execute(
        "select campaign_key, campaign_name, campaign_type, channel from marts.dim_campaigns order by 1"
    ).fetchall() == [
        ("google_ads:1111111111:501", "Brand Search", "search", "Paid Search"),
        ("google_ads:1111111111:502", "Generic Search", "search", "Paid Search"),
        (LEAD_FORMS, "Lead Forms DE", "outcome_leads", "Paid Social"),
        (RETARGETING, "Retargeting", "outcome_traffic", "Paid Social"),
    ]


def test_meta_leads_are_attributed_to_their_campaigns(meta_warehouse):
    rows = meta_warehouse.execute(
        "select campaign_key, channel, round(spend, 4), leads, mqls, round(cpl, 4)"
        " from marts.fct_campaign_performance where ad_platform = 'meta_ads' and date_day = '2026-03-10' order by 1"
    ).fetchall()
    assert rows == [
        # 201 by the campaign's name (utm_source=facebook); 32.00 + 18.00 EUR spend
        (LEAD_FORMS, "Paid Social", Decimal("50.0000"), 1, 0, Decimal("50.0000")),
        # 202 by the campaign's id (fbclid, utm_source=fb), an MQL the same day
        (RETARGETING, "Paid Social", Decimal("20.0000"), 1, 1, Decimal("20.0000")),
    ]


def test_cpl_counts_meta_spend_and_meta_leads(meta_warehouse):
    kpis = dict(
        meta_warehouse.execute(
            "select period_type || ' ' || period_start || ' ' || kpi, round(value, 6) from marts.fct_kpi_period"
            " where kpi in ('spend', 'leads', 'cpl') and (period_type, period_start)"
            " in (('month', '2026-03-01'), ('day', '2026-03-10'), ('week', '2026-03-02'))"
        ).fetchall()
    )
    assert kpis == {
        "month 2026-03-01 spend": Decimal("613.937500"),  # Google 520.50 + Meta 23.4375 + 50 + 20
        "month 2026-03-01 leads": Decimal("6"),  # tiny's 4 + 201, 202
        "month 2026-03-01 cpl": Decimal("153.484375"),  # 613.9375 / 4 paid leads (101, 102, 201, 202)
        "day 2026-03-10 spend": Decimal("420.500000"),  # 350.50 + 70.00
        "day 2026-03-10 leads": Decimal("4"),
        "day 2026-03-10 cpl": Decimal("105.125000"),  # 420.50 / 4
        "week 2026-03-02 spend": Decimal("193.437500"),  # 170.00 + 23.4375
        "week 2026-03-02 leads": Decimal("2"),  # 103, 107: neither paid
        "week 2026-03-02 cpl": None,
    }


def test_meta_spend_reconciles_with_raw(meta_warehouse, warehouse_url, meta_config):
    report = validate("marts", warehouse_url, load_config(meta_config))
    reconciliation = [o for o in report.outcomes if o.suite == "marts_reconciliation"]
    meta = [o for o in reconciliation if "Meta Ads" in (o.description or "")]
    # Spend to the cent and campaign-days, per platform.
    assert (len(reconciliation), len(meta)) == (2 * len(AD_SPEND_SOURCES), 2)
    assert [o.describe() for o in reconciliation if not o.success] == []


def test_negative_spend_and_unknown_currency_are_quarantined(warehouse, tmp_path):
    good = {
        "account_id": "2222222222",
        "account_currency": "USD",
        "campaign_id": "120001",
        "date_start": "2026-03-10",
        "date_stop": "2026-03-10",
        "spend": "62.50",
        "impressions": "5000",
        "clicks": "100",
    }
    page = {
        "data": [
            good,
            {**good, "campaign_id": "120002", "spend": "-5.00"},
            {**good, "campaign_id": "120003", "account_currency": "XYZ"},
        ],
        "paging": {"cursors": {"before": "A", "after": "B"}},
    }
    folder = tmp_path / "act_2222222222"
    folder.mkdir()
    (folder / "campaign_insights_2026-03-10.json").write_text(json.dumps(page))
    window = Window(
        date(2026, 3, 1), date(2026, 3, 10), ZoneInfo("Europe/Berlin"), datetime(2026, 3, 11, 3, tzinfo=UTC)
    )

    result = load_stream(warehouse, CAMPAIGN_DAILY, read_pages(CAMPAIGN_DAILY, tmp_path), window)

    assert (result.rows_inserted, result.rows_quarantined) == (1, 2)
    assert warehouse.execute("select campaign_id, spend from raw.meta_ads__campaign_daily").fetchall() == [
        ("120001", Decimal("62.50"))
    ]
    assert warehouse.execute(
        "select line, field from quarantine.rejected_rows where source = 'meta_ads' order by line"
    ).fetchall() == [(2, "spend"), (3, "account_currency")]
