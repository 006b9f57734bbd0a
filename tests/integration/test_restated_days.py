"""fct_ad_spend_daily and fct_campaign_performance are incremental: each build replaces the days the
loads since the last build touched (and, in fct_campaign_performance, the rows whose funnel counts
changed) and leaves the rest alone, yet ends up row for row what a full rebuild makes.

The tiny fixture's Google Ads account (tests/fixtures/tiny/README.md) spends on 501 Brand Search and
502 Generic Search; the loader re-reads the 30 days before the last day 03-10 (02-08..03-10), so
the 2026-01-15 row (501, 999.00) is outside every window after the first build.
"""

import json
from pathlib import Path

ACCOUNT = "1111111111"


def edit_day(folder: Path, day: str, edit) -> None:
    """Rewrite one day's searchStream file: `edit` gets and returns its list of result rows."""
    path = folder / ACCOUNT / f"searchStream_{day}.json"
    pages = json.loads(path.read_text())
    pages[0]["results"] = edit(pages[0]["results"])
    path.write_text(json.dumps(pages))


def edit_campaign(folder: Path, day: str, campaign_id: str, change) -> None:
    """Change one campaign's row of one day's file in place: `change` gets the row."""

    def edit(rows):
        for row in rows:
            if row["campaign"]["id"] == campaign_id:
                change(row)
        return rows

    edit_day(folder, day, edit)


def spend_rows(conn) -> dict[tuple[str, str], tuple]:
    """(campaign id, day) -> (campaign name, spend, the row version xmin)."""
    rows = conn.execute(
        "select split_part(campaign_key, ':', 3), date_day::text, campaign_name, spend, xmin::text "
        "from marts.fct_ad_spend_daily"
    ).fetchall()
    return {(campaign, day): (name, spend, xmin) for campaign, day, name, spend, xmin in rows}


def restated_from(conn) -> str:
    return conn.execute(
        "select restated_from::text from ops.dbt_restated_days where model = 'fct_ad_spend_daily'"
    ).fetchone()[0]


def test_each_night_replaces_the_days_the_loads_touched_and_only_those(night, google_ads_drop, warehouse):
    night()
    first = spend_rows(warehouse)
    assert len(first) == 6
    assert restated_from(warehouse) == "-infinity"  # the first build is all of it

    # The platform restates 502 on 03-07 (120.00 -> 130.00) and no longer reports 501 on 03-10.
    edit_campaign(google_ads_drop, "2026-03-07", "502", lambda row: row["metrics"].update(costMicros="130000000"))
    edit_day(google_ads_drop, "2026-03-10", lambda rows: [r for r in rows if r["campaign"]["id"] != "501"])
    night()

    second = spend_rows(warehouse)
    assert {key: (name, float(spend)) for key, (name, spend, _) in second.items()} == {
        ("501", "2026-01-15"): ("Brand Search", 999.00),
        ("501", "2026-03-07"): ("Brand Search", 50.00),
        ("502", "2026-02-20"): ("Generic Search", 300.00),
        ("502", "2026-03-07"): ("Generic Search", 130.00),
        ("502", "2026-03-10"): ("Generic Search", 250.50),
    }
    assert restated_from(warehouse) == "2026-02-08"  # the load's window
    # The day before the window was not written again.
    assert second[("501", "2026-01-15")][2] == first[("501", "2026-01-15")][2]

    # Nothing loaded since: the build restates no day and writes no row.
    night(load=())
    assert restated_from(warehouse) == "infinity"
    assert spend_rows(warehouse) == second


def test_a_renamed_campaign_is_renamed_on_the_days_before_the_window(night, google_ads_drop, warehouse):
    night()

    # 501's latest day in the export is 03-10: the name it has there is its name now.
    edit_campaign(google_ads_drop, "2026-03-10", "501", lambda row: row["campaign"].update(name="Brand Search 2026"))
    night()

    names = {key: name for key, (name, _, _) in spend_rows(warehouse).items() if key[0] == "501"}
    assert names == {
        ("501", "2026-01-15"): "Brand Search 2026",
        ("501", "2026-03-07"): "Brand Search 2026",
        ("501", "2026-03-10"): "Brand Search 2026",
    }
    assert restated_from(warehouse) == "2026-02-08"


def test_incremental_builds_end_where_a_full_rebuild_does(night, google_ads_drop, warehouse):
    night()

    def only_501_one_click_more(rows):
        return [dict(rows[0], metrics=dict(rows[0]["metrics"], clicks="41"))]

    # 502's 02-20 is no longer reported; on 03-07 only 501 is, with one click more.
    edit_day(google_ads_drop, "2026-02-20", lambda rows: [])
    edit_day(google_ads_drop, "2026-03-07", only_501_one_click_more)
    night()
    incremental = warehouse.execute("select * from marts.fct_ad_spend_daily order by ad_spend_id").fetchall()

    night(load=(), dbt_args=("build", "--full-refresh", "--select", "fct_ad_spend_daily"))

    assert restated_from(warehouse) == "-infinity"
    assert warehouse.execute("select * from marts.fct_ad_spend_daily order by ad_spend_id").fetchall() == incremental
    assert len(incremental) == 4  # 02-20 gone, 502 gone from 03-07


def test_a_new_reporting_currency_restates_every_day(night, warehouse):
    night()
    # Only the model, not its tests: without FX rates to USD its spend is null, which a test rejects.
    night(load=(), dbt_args=("run", "--select", "fct_ad_spend_daily"), currency="USD")

    assert restated_from(warehouse) == "-infinity"
    currencies = warehouse.execute("select currency_code, count(*) from marts.fct_ad_spend_daily group by 1").fetchall()
    assert currencies == [("USD", 6)]


def campaign_days(conn) -> dict[tuple[str, str], tuple]:
    """(campaign id, day) -> (spend, leads, MQLs, SQLs, opportunities, customers, revenue, xmin)."""
    rows = conn.execute(
        "select split_part(campaign_key, ':', 3), date_day::text, spend::float, leads, mqls, sqls, opportunities,"
        " customers, revenue::float, xmin::text from marts.fct_campaign_performance where campaign_key is not null"
    ).fetchall()
    return {(campaign, day): tuple(measures) for campaign, day, *measures in rows}


def test_campaign_performance_rewrites_the_rows_whose_persons_moved(night, edit_contact, warehouse):
    night(load=("google_ads", "hubspot"))
    before = campaign_days(warehouse)
    # 108 (tiny README): lead 2025-12-20, MQL 12-22, SQL 12-28, opportunity 01-05, customer 02-25
    # (deal 9003, 2,000), all on Generic Search (502), which spent nothing on those days.
    assert {key: row[:-1] for key, row in before.items() if key[0] == "502"} == {
        ("502", "2025-12-20"): (0.0, 1, 0, 0, 0, 0, 0.0),
        ("502", "2025-12-22"): (0.0, 0, 1, 0, 0, 0, 0.0),
        ("502", "2025-12-28"): (0.0, 0, 0, 1, 0, 0, 0.0),
        ("502", "2026-01-05"): (0.0, 0, 0, 0, 1, 0, 0.0),
        ("502", "2026-02-20"): (300.0, 0, 0, 0, 0, 0, 0.0),
        ("502", "2026-02-25"): (0.0, 0, 0, 0, 0, 1, 2000.0),
        ("502", "2026-03-07"): (120.0, 0, 0, 0, 0, 0, 0.0),
        ("502", "2026-03-10"): (250.5, 1, 1, 0, 0, 0, 0.0),  # 102
    }

    # The CRM now credits 108 to Brand Search (501); no ad data is loaded that night.
    edit_contact("108", utm_campaign="Brand Search")
    night(load=("hubspot",))

    after = campaign_days(warehouse)
    # 502 keeps its spend days and 102; 108's five days, with no spend, are gone.
    assert {key: row[:-1] for key, row in after.items() if key[0] == "502"} == {
        ("502", "2026-02-20"): (300.0, 0, 0, 0, 0, 0, 0.0),
        ("502", "2026-03-07"): (120.0, 0, 0, 0, 0, 0, 0.0),
        ("502", "2026-03-10"): (250.5, 1, 1, 0, 0, 0, 0.0),
    }
    # 501 gains them beside its own spend and 104 (lead 02-15 .. opportunity 02-20, customer 03-10
    # with 5,000) and 101 (lead 03-10).
    assert {key: row[:-1] for key, row in after.items() if key[0] == "501"} == {
        ("501", "2025-12-20"): (0.0, 1, 0, 0, 0, 0, 0.0),
        ("501", "2025-12-22"): (0.0, 0, 1, 0, 0, 0, 0.0),
        ("501", "2025-12-28"): (0.0, 0, 0, 1, 0, 0, 0.0),
        ("501", "2026-01-05"): (0.0, 0, 0, 0, 1, 0, 0.0),
        ("501", "2026-01-15"): (999.0, 0, 0, 0, 0, 0, 0.0),
        ("501", "2026-02-15"): (0.0, 1, 0, 0, 0, 0, 0.0),
        ("501", "2026-02-16"): (0.0, 0, 1, 0, 0, 0, 0.0),
        ("501", "2026-02-18"): (0.0, 0, 0, 1, 0, 0, 0.0),
        ("501", "2026-02-20"): (0.0, 0, 0, 0, 1, 0, 0.0),
        ("501", "2026-02-25"): (0.0, 0, 0, 0, 0, 1, 2000.0),
        ("501", "2026-03-07"): (50.0, 0, 0, 0, 0, 0, 0.0),
        ("501", "2026-03-10"): (100.0, 1, 0, 0, 0, 1, 5000.0),
    }
    # No ad load: no day was restated, and the rows no person moved to or from were not written.
    assert warehouse.execute(
        "select restated_from::text from ops.dbt_restated_days where model = 'fct_campaign_performance'"
    ).fetchone() == ("infinity",)
    for key in [("501", "2026-01-15"), ("501", "2026-02-15"), ("502", "2026-03-10")]:
        assert after[key][-1] == before[key][-1]

    incremental = warehouse.execute("select * from marts.fct_campaign_performance order by 1").fetchall()
    night(load=(), dbt_args=("build", "--full-refresh", "--select", "fct_campaign_performance"))
    assert warehouse.execute("select * from marts.fct_campaign_performance order by 1").fetchall() == incremental
