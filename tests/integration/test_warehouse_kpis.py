"""Every KPI of the warehouse on the hand-made `tiny` fixture, against numbers worked out by hand.

See tests/fixtures/tiny/README.md for the fixture. As-of date: 2026-03-10 (the latest day with
data), report time zone Europe/Berlin. Sales cost 3,100 per month: March has 31 days, of which
10 are covered up to the as-of date, so March carries 1,000 of sales cost.
"""

from decimal import Decimal
from pathlib import Path

import psycopg
import pytest

from smarketing.warehouse.access import ANALYST_ROLE

pytestmark = pytest.mark.integration

DEFINITIONS = """
  sales_cost_per_month: 3100
"""

# March 2026 (03-01 .. 03-10 covered). kpi -> (value, status)
MARCH = {
    "spend": ("520.5", "n/a"),  # 03-10: 100.00 + 250.50; 03-07: 50.00 + 120.00
    "impressions": ("4000", "n/a"),  # 4 ad rows x 1,000
    "clicks": ("160", "n/a"),  # 4 x 40
    "ctr": ("0.04", "n/a"),  # 160 / 4,000
    "leads": ("4", "n/a"),  # 101, 102 (00:30 Berlin on the 10th), 103, 107; 104 (+106) and 108 are older
    "mqls": ("3", "n/a"),  # 102 (03-10), 103 (03-06), 107 (03-09, back-filled from its opportunity)
    "sqls": ("2", "n/a"),  # 103 (03-08), 107 (03-09)
    "opportunities": ("1", "n/a"),  # 107 (03-09); 104's was in February
    "customers": ("1", "n/a"),  # 104 (03-10)
    "cpl": ("260.25", "n/a"),  # 520.50 / 2 paid leads (101, 102)
    "cost_per_mql": ("173.5", "n/a"),  # 520.50 / 3
    "lead_to_mql_rate": ("0.75", "n/a"),  # of March's 4 leads, 102, 103, 107 are MQLs (provisional: n/a)
    "mql_to_sql_rate": ("0.666667", "n/a"),  # of 3 March MQLs, 103 and 107 are SQLs
    "sql_to_opportunity_rate": ("0.5", "n/a"),  # of 103 and 107, 107 has a deal
    "opportunity_to_customer_rate": ("0", "n/a"),  # 107's deal is open
    "sql_to_customer_rate": ("0", "n/a"),  # neither 103 nor 107 is a customer
    "revenue": ("5000", "n/a"),  # deal 9001
    "won_deals": ("1", "n/a"),
    "average_deal_size": ("5000", "n/a"),  # 5,000 / 1
    "sales_cycle_days": ("23.25", "n/a"),  # 104: lead 02-15 08:00Z -> customer 03-10 14:00Z = 23 d 6 h
    "romi_percent": ("860.614793", "green"),  # (5,000 - 520.50) / 520.50 x 100; above 400-600 is green
    "cac": ("1520.5", "n/a"),  # (520.50 + 1,000 sales cost) / 1 customer
    "ltv": ("13479.5", "n/a"),  # 5,000 x 1/year x 3 years (settings: history < 365 days) - 1,520.50
    "ltv_to_cac": ("8.865176", "green"),  # 13,479.50 / 1,520.50 >= 3
    "sla_within_share": ("0.333333", "red"),  # 102 in 1 h; 103 in 3 h (late); 107 never (inbound only)
    "sla_median_hours": ("2", "green"),  # median of 1 h and 3 h; target <= 2 h
    "untouched_mqls": ("0", "n/a"),  # 102 touched; 103, 107 moved on to SQL
}

# ISO week 2026-03-02 .. 03-08. kpi -> value
WEEK_10 = {
    "spend": "170",  # 03-07: 50.00 + 120.00
    "leads": "2",  # 103 (03-05), 107 (Sunday 03-08)
    "mqls": "1",  # 103; 107 became one on Monday 03-09
    "sqls": "1",  # 103 (Sunday 03-08)
    "customers": "0",
    "cpl": None,  # no paid leads that week
    "romi_percent": "-100",  # (0 - 170) / 170 x 100
}


def kpis(url: str, period_type: str, period_start: str) -> dict[str, tuple[Decimal | None, str]]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "select kpi, round(value, 6), status from marts.fct_kpi_period"
            " where period_type = %s and period_start = %s",
            (period_type, period_start),
        ).fetchall()
    return {kpi: (value, status) for kpi, value, status in rows}


def test_every_kpi_of_march_matches_the_hand_computed_values(warehouse_url, tiny_config, build_tiny):
    build_tiny(tiny_config(DEFINITIONS))
    march = kpis(warehouse_url, "month", "2026-03-01")
    assert {kpi: (f"{value.normalize():f}" if value is not None else None, status)
            for kpi, (value, status) in march.items()} == MARCH  # fmt: skip

    week = kpis(warehouse_url, "week", "2026-03-02")
    assert {kpi: (f"{week[kpi][0].normalize():f}" if week[kpi][0] is not None else None) for kpi in WEEK_10} == WEEK_10

    with psycopg.connect(warehouse_url) as conn:
        sla = conn.execute(
            "select round(hours_to_first_touch, 2), is_within_sla, is_untouched from marts.fct_lead_sla "
            "where mql_at >= '2026-03-01' order by mql_at"
        ).fetchall()
        excluded = conn.execute("select count(*) from marts.dim_persons where is_excluded").fetchone()[0]
        persons = conn.execute("select count(*) from marts.dim_persons").fetchone()[0]
    # 103 (MQL 03-06): 3 h, late; 107 (03-09): untouched; 102 (03-10): 1 h, in time.
    assert sla == [(Decimal("3.00"), False, False), (None, False, True), (Decimal("1.00"), True, False)]
    # 8 CRM records: 104 and 106 are one person; 105 (example.com) is excluded, counted, not dropped.
    assert (persons, excluded) == (7, 1)


EXAMPLE_QUERIES = Path(__file__).parent.parent.parent / "docs" / "example_queries.sql"


def test_documented_example_queries_run_as_the_analyst(warehouse, warehouse_url, tiny_config, build_tiny):
    build_tiny(tiny_config())
    name = f"reader_{warehouse.info.dbname}"
    warehouse.execute(f"create role {name} login password 'reader' in role {ANALYST_ROLE}")
    analyst_url = warehouse_url.replace(warehouse_url.split("//")[1].split("@")[0], f"{name}:reader")
    blocks = EXAMPLE_QUERIES.read_text().split("-- name: ")[1:]
    assert len(blocks) == 12  # one per mart
    try:
        with psycopg.connect(analyst_url) as conn:
            for block in blocks:
                mart = block.split("\n", 1)[0].strip()
                assert f"marts.{mart}" in block
                conn.execute(block.split("\n", 1)[1]).fetchall()
    finally:
        warehouse.execute(f"drop owned by {name}")
        warehouse.execute(f"drop role {name}")
