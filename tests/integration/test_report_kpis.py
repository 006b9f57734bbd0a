"""query_kpis on the real embedded Postgres: the right days in each period, paid vs all,
and every figure checked against sums worked out by hand below."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import psycopg
import pytest

from smarketing.report.kpis import query_kpis

pytestmark = pytest.mark.integration

LAST_DAY = date(2025, 3, 10)
# Periods: Yesterday = 03-10; Last 7 days = 03-04..03-10; Last 30 days = 02-09..03-10.

SPEND_ROWS = [
    # (date_day, ad_platform, campaign, spend)
    (date(2025, 3, 11), "google_ads", "g1", "7000"),  # after last_day: in no period
    (date(2025, 3, 10), "google_ads", "g1", "100.50"),  # Y, 7, 30
    (date(2025, 3, 10), "meta_ads", "m1", "49.50"),  # Y, 7, 30
    (date(2025, 3, 5), "google_ads", "g1", "200"),  # 7, 30
    (date(2025, 3, 4), "meta_ads", "m1", "50.125"),  # 7, 30 (first day of the 7)
    (date(2025, 3, 3), "google_ads", "g1", "300"),  # 30 only
    (date(2025, 2, 9), "google_ads", "g1", "1000"),  # 30 only (first day of the 30)
    (date(2025, 2, 8), "google_ads", "g1", "5000"),  # before: in no period
]
# spend: Y = 100.50 + 49.50 = 150.00
#        7 = 150.00 + 200 + 50.125 = 400.125
#        30 = 400.125 + 300 + 1000 = 1700.125

FUNNEL_ROWS = [
    # (date_day, channel, campaign_key, is_paid, leads, mqls, sqls, opportunities, customers, revenue)
    (date(2025, 3, 11), "paid_search", "g1", True, 100, 100, 100, 100, 100, "99999"),  # no period
    (date(2025, 3, 10), "paid_search", "g1", True, 4, 2, 1, 1, 1, "900.00"),  # Y, 7, 30
    (date(2025, 3, 10), "organic", None, False, 6, 3, 1, 0, 1, "500.00"),  # Y, 7, 30
    (date(2025, 3, 6), "paid_social", "m1", True, 5, 1, 0, 0, 0, "0"),  # 7, 30
    (date(2025, 3, 4), "paid_social", "m1", True, 1, 0, 0, 0, 1, "1000.00"),  # 7, 30
    (date(2025, 3, 1), "organic", None, False, 10, 4, 2, 1, 0, "0"),  # 30
    (date(2025, 2, 9), "paid_search", "g1", True, 2, 1, 1, 1, 1, "3000.00"),  # 30
    (date(2025, 2, 8), "paid_search", "g1", True, 100, 50, 20, 10, 5, "99999"),  # no period
]
# Yesterday: leads 4+6 = 10, mqls 2+3 = 5, sqls 1+1 = 2, customers 1+1 = 2, revenue 900+500 = 1400,
#            paid leads 4, paid revenue 900
# 7 days:    leads 10+5+1 = 16, mqls 5+1+0 = 6, sqls 2, customers 2+0+1 = 3, revenue 1400+1000 = 2400,
#            paid leads 4+5+1 = 10, paid revenue 900+1000 = 1900
# 30 days:   leads 16+10+2 = 28, mqls 6+4+1 = 11, sqls 2+2+1 = 5, customers 3+0+1 = 4,
#            revenue 2400+3000 = 5400, paid leads 10+2 = 12, paid revenue 1900+3000 = 4900


def create_marts(conn: psycopg.Connection, *, settings: list[tuple[str, str, str]]) -> None:
    conn.execute("create schema marts")
    conn.execute("create schema definitions")
    conn.execute(
        """
        create table marts.fct_ad_spend_daily (
            ad_spend_id text primary key, date_day date, ad_platform text, account_id text,
            account_time_zone text, campaign_key text, campaign_name text, channel text,
            currency_code text, spend numeric(18, 6), impressions bigint, clicks bigint,
            platform_conversions numeric
        )
        """
    )
    conn.execute(
        """
        create table marts.fct_funnel_daily (
            funnel_day_id text primary key, date_day date, channel text, campaign_key text,
            is_paid boolean, leads bigint, mqls bigint, sqls bigint, opportunities bigint,
            customers bigint, revenue numeric(18, 2)
        )
        """
    )
    conn.execute(
        "create table definitions.settings (version text, timezone text, currency text, mql_threshold integer,"
        " sla_hours numeric, attribution_model text)"
    )
    conn.execute("create table definitions.scoring_rules (rule_order integer, rule_name text, points integer)")
    conn.execute("create table definitions.high_intent_actions (action text)")
    conn.execute("create table definitions.excluded_email_domains (domain text)")
    with conn.cursor() as cur:
        cur.executemany("insert into definitions.settings values (%s, %s, %s, 50, 2, 'first_touch')", settings)


def insert_spend(conn: psycopg.Connection, rows, currency: str = "EUR") -> None:
    with conn.cursor() as cur:
        for day, platform, campaign, spend in rows:
            key = f"{platform}:acct:{campaign}"
            cur.execute(
                "insert into marts.fct_ad_spend_daily values (%s, %s, %s, 'acct', 'Europe/Berlin', %s, %s, %s, %s,"
                " %s, 1000, 10, 1)",
                (f"{key}:{day}", day, platform, key, f"Campaign {campaign}", "paid", currency, Decimal(spend)),
            )


def insert_funnel(conn: psycopg.Connection, rows) -> None:
    with conn.cursor() as cur:
        for day, channel, campaign, is_paid, leads, mqls, sqls, opps, customers, revenue in rows:
            cur.execute(
                "insert into marts.fct_funnel_daily values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                (
                    f"{day}:{channel}:{campaign or '-'}",
                    day,
                    channel,
                    campaign,
                    is_paid,
                    leads,
                    mqls,
                    sqls,
                    opps,
                    customers,
                    Decimal(revenue),
                ),
            )


@pytest.fixture
def marts(warehouse: psycopg.Connection) -> psycopg.Connection:
    create_marts(warehouse, settings=[("2025.03-1", "Europe/Berlin", "EUR")])
    insert_spend(warehouse, SPEND_ROWS)
    insert_funnel(warehouse, FUNNEL_ROWS)
    return warehouse


def test_every_figure_of_every_period(marts):
    report = query_kpis(marts, LAST_DAY)

    assert report.last_day == LAST_DAY
    assert report.currency == "EUR"
    assert report.definitions_version == "2025.03-1"
    yesterday, last_7, last_30 = report.periods

    assert (yesterday.label, yesterday.first_day, yesterday.last_day) == ("Yesterday", LAST_DAY, LAST_DAY)
    assert yesterday.spend == Decimal("150.00")
    assert (yesterday.leads, yesterday.mqls, yesterday.sqls, yesterday.customers) == (10, 5, 2, 2)
    assert yesterday.revenue == Decimal("1400.00")
    assert yesterday.paid_leads == 4
    assert yesterday.paid_revenue == Decimal("900.00")
    assert yesterday.cpl == Decimal("37.5")  # 150 / 4
    assert yesterday.romi_percent == Decimal("500")  # (900 - 150) / 150 * 100

    assert (last_7.label, last_7.first_day, last_7.last_day) == ("Last 7 days", date(2025, 3, 4), LAST_DAY)
    assert last_7.spend == Decimal("400.125")
    assert (last_7.leads, last_7.mqls, last_7.sqls, last_7.customers) == (16, 6, 2, 3)
    assert last_7.revenue == Decimal("2400.00")
    assert last_7.paid_leads == 10
    assert last_7.paid_revenue == Decimal("1900.00")
    assert last_7.cpl == Decimal("40.0125")  # 400.125 / 10
    # (1900 - 400.125) / 400.125 * 100 = 1499.875 / 400.125 * 100 = 374.8516...
    assert last_7.romi_percent.quantize(Decimal("0.01")) == Decimal("374.85")

    assert (last_30.label, last_30.first_day, last_30.last_day) == ("Last 30 days", date(2025, 2, 9), LAST_DAY)
    assert last_30.spend == Decimal("1700.125")
    assert (last_30.leads, last_30.mqls, last_30.sqls, last_30.customers) == (28, 11, 5, 4)
    assert last_30.revenue == Decimal("5400.00")
    assert last_30.paid_leads == 12
    assert last_30.paid_revenue == Decimal("4900.00")
    # 1700.125 / 12 = 141.677083...
    assert last_30.cpl.quantize(Decimal("0.01")) == Decimal("141.68")
    # (4900 - 1700.125) / 1700.125 * 100 = 3199.875 / 1700.125 * 100 = 188.2141...
    assert last_30.romi_percent.quantize(Decimal("0.01")) == Decimal("188.21")

    for period in report.periods:
        assert isinstance(period.leads, int)
        assert isinstance(period.spend, Decimal)


def test_empty_marts_give_zeros_and_undefined_ratios(warehouse):
    create_marts(warehouse, settings=[("v0", "UTC", "USD")])
    report = query_kpis(warehouse, LAST_DAY)
    assert report.currency == "USD"
    assert [p.label for p in report.periods] == ["Yesterday", "Last 7 days", "Last 30 days"]
    for period in report.periods:
        assert period.spend == 0
        assert (period.leads, period.mqls, period.sqls, period.customers, period.paid_leads) == (0, 0, 0, 0, 0)
        assert period.revenue == 0
        assert period.cpl is None
        assert period.romi_percent is None


def test_spend_in_another_currency_is_refused_not_summed(marts):
    insert_spend(marts, [(date(2025, 3, 9), "google_ads", "usd1", "10")], currency="USD")
    with pytest.raises(ValueError, match=r"spend in USD .* reporting currency is EUR"):
        query_kpis(marts, LAST_DAY)


def test_missing_settings_row_is_an_error(warehouse):
    create_marts(warehouse, settings=[])
    with pytest.raises(ValueError, match=r"definitions\.settings"):
        query_kpis(warehouse, LAST_DAY)
