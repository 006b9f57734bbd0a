"""Platform and CRM exports in a file drop (CSV and .xlsx), mapped onto the real streams through
`sources.<source>.exports` and loaded by `extract_and_load` into the real embedded Postgres.

Fixtures are under tests/fixtures/exports/<source>/; the workbook is written by
tests/fixtures/exports/make_workbooks.py into the test's tmp folder. Every expected number below
is read off the fixture by hand (money x 1,000,000 for micros).
"""

import csv
import runpy
import shutil
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from smarketing.config import ConfigError, load_config
from smarketing.pipeline import SourceLoadError, extract_and_load

pytestmark = pytest.mark.integration

FIXTURES = Path(__file__).parent.parent / "fixtures" / "exports"
LAST_DAY = date(2026, 3, 10)
REPORT = "report: {recipients: [a@example.org], sender: b@example.org}"
# The Russian export's headings (Cyrillic; some letters look like Latin ones, which ruff warns about).
COST, AVERAGE_CPC = "Расход (руб.)", "Ср. цена клика (руб.)"  # noqa: RUF001
GOOGLE_ADS_ACCOUNT = """
        customer_id: {value: "1234567890"}
        time_zone: {value: Europe/Berlin}"""


def configure(tmp_path: Path, source: str, exports: str, **source_keys: str) -> Path:
    """A config whose only source reads a copy of the fixture folder with these `exports` (YAML)."""
    folder = tmp_path / source
    if not folder.exists():
        shutil.copytree(FIXTURES / source, folder)
    keys = "".join(f"\n    {key}: {value}" for key, value in source_keys.items())
    config_file = tmp_path / "smarketing.yml"
    config_file.write_text(f"sources:\n  {source}:\n    path: {folder}{keys}\n    exports:{exports}\n{REPORT}\n")
    return config_file


def run(warehouse, config_file: Path, source: str) -> list:
    return extract_and_load(warehouse, load_config(config_file), source, LAST_DAY)


def quarantined(conn) -> list[tuple]:
    """Open entries: (origin below the source folder, line, field, reason)."""
    rows = conn.execute(
        "select origin, line, field, reason from quarantine.rejected_rows order by rejection_id"
    ).fetchall()
    return [(origin.split("/")[-1], line, field, reason) for origin, line, field, reason in rows]


def campaign_days(conn) -> list[tuple]:
    return conn.execute(
        "select customer_id, time_zone, currency_code, campaign_id, date::text, cost_micros, impressions, clicks, "
        "conversions, _extra from raw.google_ads__campaign_daily order by campaign_id, date"
    ).fetchall()


def test_google_ads_ui_campaign_report_through_its_preset(warehouse, tmp_path):
    config_file = configure(
        tmp_path, "google_ads", f"\n    - preset: google_ads_campaign_report\n      columns:{GOOGLE_ADS_ACCOUNT}"
    )
    [result] = [r for r in run(warehouse, config_file, "google_ads") if r.stream == "campaign_daily"]
    # Lines 4-7 are campaign days (1-3: title, date range, headings); the two totals lines are no records.
    assert (result.rows_inserted, result.rows_quarantined) == (3, 1)
    assert campaign_days(warehouse) == [
        # Cost "1,234.56" EUR -> 1234560000 micros; Impr. "12,345" -> 12345.
        ("1234567890", "Europe/Berlin", "EUR", "111", "2026-03-09", 1234560000, 12345, 321, Decimal("12.50"),
         {"Avg. CPC": "3.85"}),
        ("1234567890", "Europe/Berlin", "EUR", "111", "2026-03-10", 20000000, 1000, 50, Decimal("1.00"),
         {"Avg. CPC": "0.40"}),
        # "--" conversions: no value.
        ("1234567890", "Europe/Berlin", "EUR", "222", "2026-03-09", 990000, 100, 0, None, {"Avg. CPC": "--"}),
    ]  # fmt: skip
    # 1234.56 + 20.00 + 0.99 EUR spent on the loaded days.
    assert warehouse.execute("select sum(cost_micros) from raw.google_ads__campaign_daily").fetchone() == (1255550000,)
    assert quarantined(warehouse) == [
        ("Campaign_report_2026-03-09_2026-03-10.csv", 7, "Currency code", "'EURO' is not a known value")
    ]


def test_google_ads_excel_csv_download_utf16_with_tabs(warehouse, tmp_path):
    # The UI's "Excel CSV" is the same report as UTF-16 with a byte order mark, tab-separated.
    folder = tmp_path / "google_ads" / "google_ads_ui"
    shutil.copytree(FIXTURES / "google_ads", tmp_path / "google_ads")
    report = folder / "Campaign_report_2026-03-09_2026-03-10.csv"
    lines = list(csv.reader(report.read_text(encoding="utf-8").splitlines()))
    report.write_bytes("".join("\t".join(line) + "\r\n" for line in lines).encode("utf-16"))
    config_file = configure(
        tmp_path, "google_ads", f"\n    - preset: google_ads_campaign_report\n      columns:{GOOGLE_ADS_ACCOUNT}"
    )
    run(warehouse, config_file, "google_ads")
    assert [row[3:6] for row in campaign_days(warehouse)] == [
        ("111", "2026-03-09", 1234560000),
        ("111", "2026-03-10", 20000000),
        ("222", "2026-03-09", 990000),
    ]


def direct_days(conn) -> list[tuple]:
    return conn.execute(
        "select client_login, currency_code, campaign_id, campaign_name, date::text, cost_micros, impressions, "
        "clicks, conversions, _extra from raw.yandex_direct__campaign_daily order by campaign_id, date"
    ).fetchall()


# A Yandex Direct report wizard export mapped by hand: the Russian headings onto the stream's columns.
DIRECT_COLUMNS = """
        client_login: {value: acme-direct}
        date: {header: Дата, format: "%d.%m.%Y"}
        campaign_id: № Кампании
        campaign_name: Кампания
        cost_micros: {header: Расход (*), multiply: 1000000}
        impressions: Показы
        clicks: Клики
        conversions: Конверсии"""


def test_russian_locale_cp1251_export_with_a_generic_mapping(warehouse, tmp_path):
    exports = f"""
    - stream: campaign_daily
      files: "wizard/*.csv"
      skip_rows: 3
      ignore_rows_starting_with: [Итого]
      empty_values: ["-"]
      columns:
        currency_code: {{value: RUB}}{DIRECT_COLUMNS}"""
    config_file = configure(
        tmp_path, "yandex_direct", exports, encoding="cp1251", csv_delimiter='";"', decimal_separator='","'
    )
    run(warehouse, config_file, "yandex_direct")
    assert direct_days(warehouse) == [
        # "1 234,56" roubles -> 1234560000 micros; "2 000" -> 2000; "3,5" -> 3.5.
        ("acme-direct", "RUB", "555", "Бренд", "2026-03-09", 1234560000, 2000, 150, Decimal("3.5"),
         {AVERAGE_CPC: "8,23"}),
        ("acme-direct", "RUB", "555", "Бренд", "2026-03-10", 100000000, 1000, 10, Decimal(0),
         {AVERAGE_CPC: "10,00"}),
        # "12,3" roubles -> 12300000; "-" conversions: no value.
        ("acme-direct", "RUB", "556", "Поиск", "2026-03-10", 12300000, 500, 5, None, {AVERAGE_CPC: "2,46"}),
    ]  # fmt: skip
    assert quarantined(warehouse) == []


def test_russian_locale_workbook_sheet_with_cells_typed_and_typed_as_text(warehouse, tmp_path):
    workbook = runpy.run_path(str(FIXTURES / "make_workbooks.py"))["direct_campaigns"]
    path = workbook(tmp_path / "yandex_direct" / "wizard_xlsx" / "campaigns.xlsx")
    exports = f"""
    - stream: campaign_daily
      files: "wizard_xlsx/*.xlsx"
      sheet: Кампании
      decimal_separator: ","
      skip_rows: 2
      ignore_rows_starting_with: [Итого]
      columns:
        currency_code: Валюта{DIRECT_COLUMNS}"""
    [result] = [
        r for r in run(warehouse, configure(tmp_path, "yandex_direct", exports), "yandex_direct") if r.rows_read
    ]
    assert (result.rows_inserted, result.rows_quarantined) == (2, 1)
    assert direct_days(warehouse) == [
        # Row 4, real cells: date cell 2026-03-09, 1234.56 (a float) -> 1234560000 micros, 2.5.
        ("acme-direct", "RUB", "777", "Медийная", "2026-03-09", 1234560000, 3000, 40, Decimal("2.5"),
         {AVERAGE_CPC: "30,86"}),
        # Row 6, typed as text: "10.03.2026", "1 234,56" -> 1234560000, "1 500" -> 1500, "0,5" -> 0.5.
        ("acme-direct", "RUB", "777", "Медийная", "2026-03-10", 1234560000, 1500, 20, Decimal("0.5"),
         {AVERAGE_CPC: ""}),
    ]  # fmt: skip
    reason = "expected a number, got 'н/д'"
    assert quarantined(warehouse) == [("campaigns.xlsx, sheet Кампании", 7, COST, reason)]
    assert warehouse.execute("select origin from quarantine.rejected_rows").fetchone() == (f"{path}, sheet Кампании",)


def test_meta_ads_manager_export_through_its_preset(warehouse, tmp_path):
    run(warehouse, configure(tmp_path, "meta_ads", "\n    - preset: meta_ads_manager_export"), "meta_ads")
    rows = warehouse.execute(
        "select account_id, account_currency, campaign_id, date_start::text, date_stop::text, spend, impressions, "
        "clicks, _extra from raw.meta_ads__campaign_daily order by date_start"
    ).fetchall()
    extra = {"Reach": "8000", "Results": "5", "Result indicator": "actions:lead"}
    assert rows == [
        ("1234567", "EUR", "23850000000001", "2026-03-09", "2026-03-09", Decimal("150.25"), 10000, 200, extra),
        ("1234567", "EUR", "23850000000001", "2026-03-10", "2026-03-10", Decimal("99.75"), 5000, 120,
         {**extra, "Reach": "4100", "Results": "2"}),
    ]  # fmt: skip
    # "Amount spent (EUR)" matched "Amount spent (*)": 150.25 + 99.75.
    assert warehouse.execute("select sum(spend) from raw.meta_ads__campaign_daily").fetchone() == (Decimal("250.00"),)


def test_hubspot_contacts_export_through_its_preset(warehouse, tmp_path):
    config_file = configure(
        tmp_path, "hubspot", "\n    - preset: hubspot_contacts_export\n      timezone: Europe/Berlin"
    )
    run(warehouse, config_file, "hubspot")
    rows = warehouse.execute(
        "select id, email, createdate, updated_at, lifecyclestage, hs_lead_status, hs_analytics_source, company, "
        "_extra from raw.hubspot__contacts order by id"
    ).fetchall()
    berlin = 1  # Berlin is UTC+1 in early March: "2026-03-05 10:15" is 09:15 UTC
    assert rows == [
        ("901", "anna@alpha.io", datetime(2026, 3, 5, 10 - berlin, 15, tzinfo=UTC),
         datetime(2026, 3, 9, 8 - berlin, tzinfo=UTC), "marketingqualifiedlead", "OPEN", "PAID_SEARCH", "Alpha GmbH",
         {"Contact owner": "Jane Rep"}),
        ("902", "boris@beta.io", datetime(2026, 3, 6, 9 - berlin, tzinfo=UTC),
         datetime(2026, 3, 10, 12 - berlin, 30, tzinfo=UTC), "lead", "NEW", "ORGANIC_SEARCH", "Beta AG",
         {"Contact owner": ""}),
    ]  # fmt: skip
    reason = "expected a timestamptz like '%Y-%m-%d %H:%M' (or ISO), got '03/07/2026 11:00'"
    assert quarantined(warehouse) == [("hubspot-crm-exports-all-contacts-2026-03-10.csv", 4, "Create Date", reason)]


def test_a_mapped_heading_missing_from_the_file_fails_the_file(warehouse, tmp_path):
    config_file = configure(tmp_path, "meta_ads", "\n    - preset: meta_ads_manager_export")
    path = tmp_path / "meta_ads" / "ads_manager" / "Acme-Campaigns-Mar-9-2026-Mar-10-2026.csv"
    path.write_text(path.read_text().replace("Amount spent (EUR)", "Spend"))
    with pytest.raises(SourceLoadError) as error:
        run(warehouse, config_file, "meta_ads")
    assert str(error.value.failures["campaign_daily"]) == (
        f"meta_ads/campaign_daily: {path}: line 1: the header lacks 'Amount spent (*)' "
        "(mapped in the source's `exports`; renamed upstream?)"
    )
    assert warehouse.execute("select to_regclass('raw.meta_ads__campaign_daily') is null").fetchone() == (True,)


@pytest.mark.parametrize(
    ("source", "exports", "message"),
    [
        (
            "google_ads",
            "\n    - preset: meta_ads_manager_export",
            "key sources.google_ads.exports.0.preset: value 'meta_ads_manager_export': "
            "is not a preset of google_ads exports (known: google_ads_campaign_report)",
        ),
        (
            "google_ads",
            "\n    - preset: google_ads_campaign_report",
            "key sources.google_ads.exports.0.columns.customer_id: missing: google_ads/campaign_daily needs "
            "customer_id: map it to a heading of the export, or give it a fixed `value` when the export does not "
            "carry it",
        ),
        (
            "hubspot",
            "\n    - preset: hubspot_contacts_export",
            "key sources.hubspot.exports.0.timezone: missing: createdate, updated_at: timestamps; give the time "
            "zone the export's times are in",
        ),
        (
            "meta_ads",
            "\n    - {stream: spend, files: '*.csv', columns: {spend: Spend}}",
            "key sources.meta_ads.exports.0.stream: value 'spend': is not a stream of meta_ads "
            "(streams: campaign_daily, adset_daily",
        ),
        (
            "meta_ads",
            "\n    - preset: meta_ads_manager_export\n      columns: {cost: Cost}",
            "key sources.meta_ads.exports.0.columns.cost: value 'Cost': meta_ads/campaign_daily has no column 'cost'",
        ),
        (
            "meta_ads",
            "\n    - preset: meta_ads_manager_export\n      columns: {campaign_name: {header: Campaign, multiply: 2}}",
            "key sources.meta_ads.exports.0.columns.campaign_name.multiply: value 2: is for bigint or numeric columns",
        ),
        (
            "meta_ads",
            "\n    - preset: meta_ads_manager_export\n      columns: {account_id: {header: Account, value: '1'}}",
            "key sources.meta_ads.exports.0.columns.account_id: value {'header': 'Account', 'value': '1'}: give "
            "either `header` (the export's column heading) or `value` (a fixed value)",
        ),
        (
            "meta_ads",
            "\n    - preset: meta_ads_manager_export\n      encoding: cp9999",
            "key sources.meta_ads.exports.0.encoding: value 'cp9999': is not an encoding Python knows",
        ),
    ],
    ids=["preset of another source", "required column", "timezone", "stream", "column", "multiply", "header+value",
         "encoding"],
)  # fmt: skip
def test_export_config_errors_name_the_key(tmp_path, source, exports, message):
    with pytest.raises(ConfigError) as error:
        load_config(configure(tmp_path, source, exports))
    assert message in str(error.value)


def test_exports_need_a_file_drop(tmp_path):
    config_file = tmp_path / "smarketing.yml"
    config_file.write_text(
        "sources:\n  meta_ads: {conn_id: meta, exports: [{preset: meta_ads_manager_export}]}\n" + REPORT
    )
    with pytest.raises(ConfigError, match=r"key sources\.meta_ads: .*`exports` are files of a file drop: give `path`"):
        load_config(config_file)
