"""The data of each report edition, assembled from the marts of the hand-made `tiny` fixture.

Every number is worked out by hand from tests/fixtures/tiny/README.md (and the KPI values of
tests/integration/test_warehouse_kpis.py). Report day 2026-03-10 (the fixture's last day, a
Tuesday), report time zone Europe/Berlin; the first day with data is 2025-12-20 (lead 108), so
the marts' history starts there. Sales cost 3,100 per month: 100 per March day, 110.714286 per
February day (3,100 / 28), so all of February carries 3,100.

Paid persons: 101 (Brand Search), 102 (Generic Search), 104 (Brand Search; 106 is the same
person), 108 (Generic Search). 103 is organic, 107 direct, 105 excluded. Calls: 102 touched 1 h
after becoming an MQL, 103 after 3 h, 107 only inbound; 104 and 108 were never touched.
"""

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest

from smarketing.config import Config, load_config
from smarketing.definitions import definitions_version
from smarketing.report.data import assemble
from smarketing.report.model import CampaignRow, EditionName, KpiCard, Period, ReportData

pytestmark = pytest.mark.integration

REPORT_DAY = date(2026, 3, 10)
# Source -> max_lag_days. fx_rates: configured here, never loaded; hubspot may lag a day.
SOURCES = {"google_ads": 0, "hubspot": 1, "fx_rates": 0}
DEFINITIONS = """
  sales_cost_per_month: 3100
"""


def d(value: str) -> Decimal:
    return Decimal(value)


def r6(value: Decimal | None) -> Decimal | None:
    """As fct_kpi_period stores values: rounded to 6 decimals."""
    return None if value is None else round(value, 6)


def card(data: ReportData, kpi: str) -> KpiCard:
    [found] = [c for c in data.cards if c.kpi == kpi]
    return found


def values(data: ReportData) -> dict[str, tuple]:
    """kpi -> (value, (comparison value, change %) per comparison, status), 6 decimals."""
    return {
        c.kpi: (r6(c.value), *((r6(x.value), r6(x.change_percent)) for x in c.comparisons), c.status)
        for c in data.cards
    }


def test_editions_of_the_tiny_fixture(warehouse_url, tiny_config, build_tiny):
    config_file = tiny_config(DEFINITIONS)
    build_tiny(config_file)
    with psycopg.connect(warehouse_url) as conn:

        def run(edition: EditionName, report_day: date = REPORT_DAY, **kwargs) -> ReportData:
            return assemble(conn, edition, report_day, sources=SOURCES, **kwargs)

        daily = run("daily", top_campaigns=1)
        weekly = run("weekly")
        monthly = run("monthly")
        check_daily(daily)
        check_weekly(weekly)
        check_monthly(monthly)
        check_common(daily, weekly, monthly, definitions_version(load_config(config_file)))
        check_freshness(conn, run)
        check_quality_warnings(conn, run, load_config(config_file), warehouse_url)


def check_daily(data: ReportData) -> None:
    assert data.edition == "daily"
    assert data.period == Period("10 Mar 2026", REPORT_DAY, REPORT_DAY)
    [comparison] = card(data, "spend").comparisons
    assert (comparison.label, comparison.period) == ("vs same day last week", Period("3 Mar 2026", date(2026, 3, 3),
                                                                                     date(2026, 3, 3)))  # fmt: skip
    # 2026-03-03 had no spend, no lead, no stage reached: counts 0, ratios undefined, changes None.
    assert values(data) == {
        "spend": (d("350.50"), (0, None), "n/a"),  # 100.00 Brand + 250.50 Generic
        "leads": (2, (0, None), "n/a"),  # 101, 102 (23:30 UTC on the 9th = 00:30 Berlin on the 10th)
        "mqls": (1, (0, None), "n/a"),  # 102
        "sqls": (0, (0, None), "n/a"),
        "customers": (1, (0, None), "n/a"),  # 104 (deal 9001 won)
        "revenue": (d("5000"), (0, None), "n/a"),
        "cpl": (d("175.25"), (None, None), "n/a"),  # 350.50 / 2 paid leads
        "cost_per_mql": (d("350.50"), (None, None), "n/a"),  # 350.50 / 1
        "romi_percent": (d("1326.533524"), (None, None), "green"),  # (5,000 - 350.50) / 350.50 x 100, above 400-600
        "cac": (d("450.50"), (None, None), "n/a"),  # (350.50 + 100 sales cost) / 1 customer
        # LTV = 5,000 x 1/year x 3 years - 450.50 = 14,549.50; / 450.50 = 32.296337 (>= 3: green)
        "ltv_to_cac": (d("32.296337"), (None, None), "green"),
        "sql_to_customer_rate": (None, (None, None), "n/a"),  # no SQL on the 10th (provisional anyway)
        "sla_within_share": (d("1"), (None, None), "green"),  # 102 touched after 1 h
        "sla_median_hours": (d("1"), (None, None), "green"),  # target <= 2 h
    }
    assert card(data, "romi_percent").target_low == d("400") and card(data, "romi_percent").target_high == d("600")
    assert card(data, "sql_to_customer_rate").is_provisional
    assert card(data, "sla_within_share").label == "MQLs touched within 2 h"
    assert {c.unit for c in data.cards if c.kpi in ("leads", "customers")} == {"count"}
    assert card(data, "leads").value == 2 and str(card(data, "leads").value) == "2"  # a count, not 2.000000

    # Funnel of the 10th; conversion = of the persons who reached the previous stage that day, the
    # share that has reached this one by the as-of date. No one was disqualified, lost or stuck
    # (stuck after 30 days without progress: the oldest open person, 103, last moved on 03-08).
    assert [(s.stage, s.persons, r6(s.conversion_rate), s.lost, s.stuck) for s in data.funnel] == [
        ("lead", 2, None, 0, 0),
        ("mql", 1, d("0.5"), 0, 0),  # of 101, 102: 102
        ("sql", 0, d("0"), 0, 0),  # 102 is not an SQL
        ("opportunity", 0, None, 0, 0),  # no SQL on the 10th
        ("customer", 1, None, 0, 0),  # no opportunity on the 10th (104's was in February)
    ]

    # Campaigns: ad spend of the day and the persons attributed to each.
    generic, brand = data.campaigns_all
    assert generic == CampaignRow(
        campaign_name="Generic Search", channel="Paid Search", spend=d("250.50"), leads=1, mqls=1, sqls=0,
        customers=0, revenue=d("0"), cpl=d("250.50"), cost_per_mql=d("250.50"), sql_rate=d("0"),
        romi_percent=d("-100"),
    )  # fmt: skip  # 102 (" generic search "): lead and MQL
    assert brand == CampaignRow(
        campaign_name="Brand Search", channel="Paid Search", spend=d("100"), leads=1, mqls=0, sqls=0,
        customers=1, revenue=d("5000"), cpl=d("100"), cost_per_mql=None, sql_rate=d("0"),
        romi_percent=d("4900"),
    )  # fmt: skip  # 101 (lead; 105 is excluded) and 104 (customer): (5,000 - 100) / 100 x 100
    assert data.campaigns == (generic,)  # top_campaigns=1: the biggest spender

    [paid_search] = data.channels
    assert (paid_search.channel, paid_search.is_paid, paid_search.spend, paid_search.leads, paid_search.revenue,
            paid_search.cpl, r6(paid_search.romi_percent)) == (
        "Paid Search", True, d("350.50"), 2, d("5000"), d("175.25"), d("1326.533524"))  # fmt: skip

    # Series: the 30 days 02-09 .. 03-10, every day present; their sums are the README's 30 days.
    assert [p.day for p in data.daily] == [date(2026, 2, 9 + i) for i in range(20)] + [
        date(2026, 3, 1 + i) for i in range(10)
    ]
    assert {p.day.isoformat(): (p.spend, p.leads) for p in data.daily if p.spend or p.leads} == {
        "2026-02-15": (0, 1),  # 104
        "2026-02-20": (d("300"), 0),
        "2026-03-05": (0, 1),  # 103
        "2026-03-07": (d("170"), 0),
        "2026-03-08": (0, 1),  # 107
        "2026-03-10": (d("350.50"), 2),
    }
    assert sum(p.spend for p in data.daily) == d("820.50") and sum(p.leads for p in data.daily) == 5

    # SLA: the day's one MQL (102) touched after 1 h; nobody waiting at the end of the 10th.
    sla = data.sla
    assert (sla.sla_hours, sla.mqls, sla.within_share, sla.median_hours, sla.backlog, sla.oldest_backlog_hours) == (
        d("2"), 1, d("1"), d("1"), 0, None,
    )  # fmt: skip

    assert data.lead_quality == ()  # nobody disqualified in the fixture


def check_weekly(data: ReportData) -> None:
    # Tuesday 03-10: the last complete ISO week is Monday 03-02 .. Sunday 03-08.
    assert data.period == Period("week 10, 2-8 Mar 2026", date(2026, 3, 2), date(2026, 3, 8))
    [comparison] = card(data, "spend").comparisons
    assert (comparison.label, comparison.period) == ("vs previous week", Period("week 9, 23 Feb-1 Mar 2026",
                                                     date(2026, 2, 23), date(2026, 3, 1)))  # fmt: skip
    # Previous week: no spend, no new lead (106 on 03-01 is 104 again), 108 became a customer on 02-25.
    assert values(data) == {
        "spend": (d("170"), (0, None), "n/a"),  # 03-07: 50.00 + 120.00
        "leads": (2, (0, None), "n/a"),  # 103 (03-05), 107 (Sunday 03-08)
        "mqls": (1, (0, None), "n/a"),  # 103; 107 became one on Monday 03-09
        "sqls": (1, (0, None), "n/a"),  # 103 (Sunday 03-08)
        "customers": (0, (1, d("-100")), "n/a"),  # (0 - 1) / 1 x 100
        "revenue": (d("0"), (d("2000"), d("-100")), "n/a"),  # deal 9003
        "cpl": (None, (None, None), "n/a"),  # no paid lead that week
        "cost_per_mql": (d("170"), (None, None), "n/a"),  # 170 / 1
        "romi_percent": (d("-100"), (None, None), "red"),  # (0 - 170) / 170 x 100; last week: no spend
        # This week no customer; last week (0 spend + 6 x 3,100 / 28 + 1 x 3,100 / 31) / 1 customer
        "cac": (None, (d("764.285714"), None), "n/a"),
        # Last week: LTV = 2,000 x 1 x 3 - 764.285714 = 5,235.714286; / 764.285714 = 6.850467
        "ltv_to_cac": (None, (d("6.850467"), None), "n/a"),
        "sql_to_customer_rate": (d("0"), (None, None), "n/a"),  # 103 is not a customer (provisional)
        "sla_within_share": (d("0"), (None, None), "red"),  # 103 touched after 3 h: late
        "sla_median_hours": (d("3"), (None, None), "red"),
    }
    assert [(s.stage, s.persons, r6(s.conversion_rate)) for s in data.funnel] == [
        ("lead", 2, None),
        ("mql", 1, d("1")),  # 103 and 107 are both MQLs by the as-of date
        ("sql", 1, d("1")),  # the week's MQL 103 is an SQL
        ("opportunity", 0, d("0")),  # 103 has no deal
        ("customer", 0, None),
    ]
    assert [(c.campaign_name, c.spend, c.leads, c.cpl, c.romi_percent) for c in data.campaigns] == [
        ("Generic Search", d("120"), 0, None, d("-100")),
        ("Brand Search", d("50"), 0, None, d("-100")),
    ]
    # Unpaid channels have no cost per lead; they have leads but no spend to return.
    assert [(c.channel, c.is_paid, c.spend, c.leads, c.cpl, c.romi_percent) for c in data.channels] == [
        ("Paid Search", True, d("170"), 0, None, d("-100")),
        ("Direct", False, d("0"), 1, None, None),  # 107
        ("Organic Search", False, d("0"), 1, None, None),  # 103
    ]
    assert (data.sla.mqls, data.sla.within_share, data.sla.median_hours, data.sla.backlog) == (1, 0, 3, 0)
    # Series: 12 weeks back is Monday 2025-12-15, but the data start on 12-20: 12-20 .. 03-08, 79 days.
    assert (data.daily[0].day, data.daily[-1].day, len(data.daily)) == (date(2025, 12, 20), date(2026, 3, 8), 79)
    assert sum(p.spend for p in data.daily) == d("1469")  # 999 + 300 + 170
    assert sum(p.leads for p in data.daily) == 4  # 108 (12-20), 104 (02-15), 103 (03-05), 107 (03-08)


def check_monthly(data: ReportData) -> None:
    # 03-10 is not the last day of March: the last complete month is February.
    assert data.period == Period("February 2026", date(2026, 2, 1), date(2026, 2, 28))
    # Only "vs previous month": the marts start on 2025-12-20, so February 2025 is not there.
    assert [(c.label, c.period) for c in card(data, "spend").comparisons] == [
        ("vs previous month", Period("January 2026", date(2026, 1, 1), date(2026, 1, 31)))
    ]
    assert values(data) == {
        "spend": (d("300"), (d("999"), d("-69.969970")), "n/a"),  # 02-20 vs 01-15: (300 - 999) / 999 x 100
        "leads": (1, (0, None), "n/a"),  # 104 (02-15)
        "mqls": (1, (0, None), "n/a"),  # 104 (02-16)
        "sqls": (1, (0, None), "n/a"),  # 104 (02-18)
        "customers": (1, (0, None), "n/a"),  # 108 (02-25)
        "revenue": (d("2000"), (0, None), "n/a"),  # deal 9003
        "cpl": (d("300"), (None, None), "n/a"),  # 300 / 1 paid lead (104)
        "cost_per_mql": (d("300"), (None, None), "n/a"),
        # (2,000 - 300) / 300 x 100 = 566.67 (inside 400-600); January: (0 - 999) / 999 x 100 = -100,
        # change (566.666667 + 100) / 100 x 100
        "romi_percent": (d("566.666667"), (d("-100"), d("666.666667")), "green"),
        "cac": (d("3400"), (None, None), "n/a"),  # (300 + 3,100) / 1; January: no customer
        # LTV = 2,000 x 1 x 3 - 3,400 = 2,600; / 3,400 = 0.764706, more than 20 % below 3: red
        "ltv_to_cac": (d("0.764706"), (None, None), "red"),
        "sql_to_customer_rate": (d("1"), (None, None), "n/a"),  # 104 won 03-10; provisional: n/a
        "sla_within_share": (d("0"), (None, None), "red"),  # 104 never touched: a breach
        "sla_median_hours": (None, (None, None), "n/a"),  # no touched MQL
    }
    assert [(s.stage, s.persons, r6(s.conversion_rate), s.lost, s.stuck) for s in data.funnel] == [
        ("lead", 1, None, 0, 0),
        ("mql", 1, d("1"), 0, 0),
        ("sql", 1, d("1"), 0, 0),
        ("opportunity", 1, d("1"), 0, 0),  # 104 (02-20)
        ("customer", 1, d("1"), 0, 0),  # 108 became the customer; 104's deal was won 03-10
    ]
    generic, brand = data.campaigns_all
    # Generic Search: 300 spend on 02-20, 108 became a customer (2,000) on 02-25.
    assert (generic.campaign_name, generic.spend, generic.leads, generic.customers, generic.revenue, generic.cpl,
            r6(generic.romi_percent)) == (
        "Generic Search", d("300"), 0, 1, d("2000"), None, d("566.666667"))  # fmt: skip
    # Brand Search: no February spend; 104 lead, MQL and SQL in February.
    assert (brand.campaign_name, brand.spend, brand.leads, brand.mqls, brand.sqls, brand.customers, brand.cpl,
            brand.sql_rate, brand.romi_percent) == (
        "Brand Search", d("0"), 1, 1, 1, 0, d("0"), d("1"), None)  # fmt: skip
    assert [(c.channel, c.spend, c.leads, c.revenue, c.cpl) for c in data.channels] == [
        ("Paid Search", d("300"), 1, d("2000"), d("300"))
    ]
    # SLA: February's MQL 104 was never touched (a breach); it left the MQL stage (SQL 02-18), so
    # it is not in the backlog.
    assert (data.sla.mqls, data.sla.within_share, data.sla.median_hours, data.sla.backlog) == (1, 0, None, 0)
    # Series: 13 months back is March 2025; the data start on 12-20: 12-20 .. 02-28 = 12 + 31 + 28 days.
    assert (data.daily[0].day, data.daily[-1].day, len(data.daily)) == (date(2025, 12, 20), date(2026, 2, 28), 71)
    assert sum(p.spend for p in data.daily) == d("1299")  # 999 + 300
    assert sum(p.leads for p in data.daily) == 2  # 108, 104
    # Cohorts: 6 months back is September, the data start in December.
    assert [(c.cohort_month, c.leads, c.mqls, c.customers, c.is_provisional) for c in data.cohorts] == [
        (date(2025, 12, 1), 1, 1, 1, True),  # 108
        (date(2026, 1, 1), 0, 0, 0, True),
        (date(2026, 2, 1), 1, 1, 1, True),  # 104
    ]


def check_common(daily: ReportData, weekly: ReportData, monthly: ReportData, version: str) -> None:
    for data in (daily, weekly, monthly):
        assert (data.currency, data.timezone, data.definitions_version) == ("EUR", "Europe/Berlin", version)
        assert data.quality_warnings == ()
        assert [term for term, _ in data.glossary][:2] == ["Lead", "MQL"]  # data.query_glossary
        assert "first touched by sales" in dict(data.glossary)["SLA"]
    # Cohorts of the daily and weekly editions end with March: 101, 102, 103, 107 became leads,
    # 102, 103, 107 MQLs, nobody a customer yet. Every cohort is younger than 90 days + its month.
    assert [(c.cohort_month, c.leads, c.mqls, c.customers, r6(c.lead_to_mql_rate), c.is_provisional)
            for c in daily.cohorts] == [
        (date(2025, 12, 1), 1, 1, 1, d("1"), True),
        (date(2026, 1, 1), 0, 0, 0, None, True),
        (date(2026, 2, 1), 1, 1, 1, d("1"), True),
        (date(2026, 3, 1), 4, 3, 0, d("0.75"), True),
    ]  # fmt: skip
    assert weekly.cohorts == daily.cohorts


def check_freshness(conn: psycopg.Connection, run: Callable[..., ReportData]) -> None:
    data = run("daily")
    fresh = {f.source: (f.rows_last_load, f.quarantined_rows, f.is_stale) for f in data.freshness}
    # google_ads: 6 campaign-day rows (2 + 2 + 1 + 1 in the 4 files), no ad-group rows;
    # hubspot: 8 contacts + 3 deals + 3 calls; fx_rates never loaded: stale.
    assert fresh == {"google_ads": (6, 0, False), "hubspot": (14, 0, False), "fx_rates": (0, 0, True)}
    assert [f.last_loaded_at is not None for f in data.freshness] == [True, True, False]
    assert [f.loaded_through for f in data.freshness] == [REPORT_DAY, REPORT_DAY, None]
    # Loaded through 03-10: google_ads (no lag allowed) is stale for report day 03-11, hubspot
    # (max_lag_days 1) only from 03-12.
    assert [f.is_stale for f in run("daily", report_day=date(2026, 3, 11)).freshness] == [True, False, True]
    assert [f.is_stale for f in run("daily", report_day=date(2026, 3, 12)).freshness] == [True, True, True]

    # Open quarantined rows count; released ones (loaded after the source was fixed) do not.
    conn.execute(
        """
        insert into quarantine.rejected_rows
            (source, stream, batch_id, origin, line, field, reason, quarantined_at, released_at)
        values
            ('hubspot', 'contacts', 'b1', 'contacts/page-1.json', 3, 'id', 'required field is empty', now(), null),
            ('hubspot', 'deals', 'b1', 'deals/page-1.json', 1, 'properties.amount', 'below 0', now(), null),
            ('google_ads', 'campaign_daily', 'b2', 'x.json', 2, 'metrics.costMicros', 'below 0', now(), null),
            ('google_ads', 'campaign_daily', 'b2', 'x.json', 5, 'metrics.costMicros', 'below 0', now(), now())
        """
    )
    conn.commit()
    quarantined = {f.source: f.quarantined_rows for f in run("daily").freshness}
    assert quarantined == {"google_ads": 1, "hubspot": 2, "fx_rates": 0}


def check_quality_warnings(
    conn: psycopg.Connection, run: Callable[..., ReportData], config: Config, warehouse_url: str
) -> None:
    """The banner lists the latest gate run's warnings, in words for leadership: rule, then finding."""
    from smarketing.quality import validate

    # fx_rates configured but never loaded: the marts gate's freshness check warns.
    never_loaded = config.sources["google_ads"].model_copy(update={"path": Path("/nonexistent")})
    validate(
        "marts", warehouse_url, config.model_copy(update={"sources": {**config.sources, "fx_rates": never_loaded}})
    )
    [warning] = run("daily").quality_warnings
    rule, finding = warning.split(" — ", 1)
    assert rule.startswith("Every enabled source loaded all its streams through the run's last day")
    assert finding.startswith("1 unexpected row(s): source=fx_rates, loaded_through=None")
    assert "streams_never_loaded=daily" in finding
