"""Bad input on the real embedded Postgres: a bad row is quarantined with where and why, the good
rows of the same file load, and a file that cannot be read fails its stream with a clear error.

CSV cases use an ad-spend export declared here (`Campaign,Day,Cost,Currency`) and read by the real
reader and loader; JSON cases use the real Google Ads and HubSpot streams on the pages in
tests/fixtures/bad_input/. Every run is extracted at 04:00 Berlin time after the window's last day.
"""

import shutil
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from smarketing.config import load_config
from smarketing.extract import google_ads, hubspot
from smarketing.extract.currencies import CURRENCY_CODES
from smarketing.extract.files import DEFAULT_FORMAT, FileFormat, read_pages
from smarketing.extract.records import SourceDataError
from smarketing.extract.streams import Column, Stream, Window
from smarketing.load import load_stream
from smarketing.pipeline import SourceLoadError, extract_and_load

pytestmark = pytest.mark.integration

FIXTURES = Path(__file__).parent.parent / "fixtures" / "bad_input"
TINY = Path(__file__).parent.parent / "fixtures" / "tiny"
ADS = google_ads.STREAMS[0]
CONTACTS = hubspot.STREAMS[0]
WINDOW = Window(
    date(2026, 3, 1), date(2026, 3, 10), ZoneInfo("Europe/Berlin"), extracted_at=datetime(2026, 3, 11, 3, tzinfo=UTC)
)
SPEND = Stream(
    source="ad_export",
    name="spend_daily",
    files="*.csv",
    records_at="rows",
    columns=(
        Column("campaign", "text", "Campaign", required=True),
        Column("day", "date", "Day", required=True, not_future=True),
        Column("cost", "numeric", "Cost", minimum=Decimal(0)),
        Column("currency", "text", "Currency", required=True, allowed=CURRENCY_CODES),
    ),
    natural_key=("campaign", "day"),
    window_column="day",
    replace_scope=("campaign",),  # a re-read drops the campaign's days the export no longer has
    format="csv",
)
HEADER = "Campaign,Day,Cost,Currency"


def write(folder: Path, *lines: str, name: str = "export.csv", encoding: str = "utf-8", prefix: bytes = b"") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(prefix + "".join(line + "\r\n" for line in lines).encode(encoding))
    return path


def load(conn, folder: Path, stream: Stream = SPEND, file_format: FileFormat = DEFAULT_FORMAT, window: Window = WINDOW):
    return load_stream(conn, stream, read_pages(stream, folder, file_format), window)


def spend(conn) -> list[tuple]:
    return conn.execute(
        "select campaign, day::text, cost, currency from raw.ad_export__spend_daily order by 2, 1"
    ).fetchall()


def quarantined(conn) -> list[tuple]:
    """Open entries: (file name, line, field, reason)."""
    rows = conn.execute(
        "select origin, line, field, reason from quarantine.rejected_rows "
        "where released_at is null order by rejection_id"
    ).fetchall()
    return [(Path(origin).name, line, field, reason) for origin, line, field, reason in rows]


def table(conn, name: str) -> list[tuple]:
    return conn.execute(f"select * from {name} order by 1, 2, 3").fetchall()


def copy_fixture(tmp_path: Path, case: str) -> Path:
    return Path(shutil.copytree(FIXTURES / case, tmp_path / case))


def test_utf8_byte_order_mark_is_no_part_of_the_header(warehouse, tmp_path):
    # Written with a BOM; the BOM wins over the configured encoding, so "Бренд" is UTF-8, not cp1251.
    write(tmp_path, HEADER, "Бренд,2026-03-10,100.50,EUR", "Generic,2026-03-09,20,EUR", prefix=b"\xef\xbb\xbf")
    result = load(warehouse, tmp_path, file_format=FileFormat(encoding="cp1251"))
    assert (result.rows_inserted, result.rows_quarantined) == (2, 0)
    assert spend(warehouse) == [
        ("Generic", "2026-03-09", Decimal(20), "EUR"),
        ("Бренд", "2026-03-10", Decimal("100.50"), "EUR"),
    ]
    assert quarantined(warehouse) == []


def test_cp1251_export_loads_with_its_encoding_and_fails_clearly_without(warehouse, tmp_path):
    lines = ("Campaign;Day;Cost;Currency", "Бренд;2026-03-10;1 234,56;RUB", "Поиск;2026-03-09;99,90;RUB")
    good = tmp_path / "good"
    write(good, *lines[:2], "Поиск;2026-03-09;1,00;RUB", encoding="cp1251")
    load(warehouse, good, file_format=FileFormat(encoding="cp1251", decimal=","))
    before = table(warehouse, "raw.ad_export__spend_daily")

    export = tmp_path / "export"
    write(export, *lines, encoding="cp1251")
    # Default utf-8: "Б" is byte 0xc1 in cp1251, the first byte of line 2 that utf-8 cannot read.
    with pytest.raises(SourceDataError) as error:
        load(warehouse, export)
    assert str(error.value) == (
        f"ad_export/spend_daily: {export / 'export.csv'}: not valid utf-8 (byte 0xc1 at line 2); set `encoding` in "
        "the source's config to the file's (a Windows Cyrillic export needs `encoding: cp1251`)"
    )
    assert table(warehouse, "raw.ad_export__spend_daily") == before
    assert warehouse.execute("select stream, error like '%byte 0xc1 at line 2%' from ops.load_failures").fetchall() == [
        ("spend_daily", True)
    ]

    result = load(warehouse, export, file_format=FileFormat(encoding="cp1251", decimal=","))
    assert (result.rows_inserted, result.rows_updated, result.rows_quarantined) == (0, 1, 0)  # Поиск 1,00 -> 99,90
    assert spend(warehouse) == [
        ("Поиск", "2026-03-09", Decimal("99.90"), "RUB"),
        ("Бренд", "2026-03-10", Decimal("1234.56"), "RUB"),
    ]


def test_semicolons_decimal_comma_and_no_break_space_thousands(warehouse, tmp_path):
    write(
        tmp_path,
        "Campaign;Day;Cost;Currency",
        "Brand;2026-03-10;1\u00a0234,56;EUR",
        "Generic;2026-03-10;0,5;EUR",
        "Video;2026-03-09;12\u202f345,00;EUR",
        "Display;2026-03-09;1.234,5;EUR",
        "Social;2026-03-09;1,234.5;EUR",  # a decimal point in a decimal-comma file: no number
    )
    result = load(warehouse, tmp_path, file_format=FileFormat(decimal=","))  # the delimiter is detected
    assert (result.rows_inserted, result.rows_quarantined) == (4, 1)
    assert spend(warehouse) == [
        ("Display", "2026-03-09", Decimal("1234.5"), "EUR"),
        ("Video", "2026-03-09", Decimal("12345.00"), "EUR"),
        ("Brand", "2026-03-10", Decimal("1234.56"), "EUR"),
        ("Generic", "2026-03-10", Decimal("0.5"), "EUR"),
    ]
    assert quarantined(warehouse) == [("export.csv", 6, "Cost", "expected a number, got '1,234.5'")]


def test_ragged_lines_are_quarantined_whole(warehouse, tmp_path):
    write(
        tmp_path,
        HEADER,
        "Brand,2026-03-10,100,EUR",
        "Generic,2026-03-10,1,5,EUR",  # a decimal comma in a comma file: 5 values
        "Video,2026-03-10",  # cut off: 2 values
        "Display,2026-03-10,7,EUR,,",  # empty cells past the header are no values
    )
    result = load(warehouse, tmp_path)
    assert (result.rows_inserted, result.rows_quarantined) == (2, 2)
    assert spend(warehouse) == [("Brand", "2026-03-10", 100, "EUR"), ("Display", "2026-03-10", 7, "EUR")]
    assert quarantined(warehouse) == [
        ("export.csv", 3, "(line)", "5 values for 4 columns of the header"),
        ("export.csv", 4, "(line)", "2 values for 4 columns of the header"),
    ]
    record, key, day = warehouse.execute(
        "select record, natural_key, record_day from quarantine.rejected_rows where line = 3"
    ).fetchone()
    assert record == {"Campaign": "Generic", "Day": "2026-03-10", "Cost": "1", "Currency": "5", "column 5": "EUR"}
    assert (key, day) == ({"campaign": "Generic", "day": "2026-03-10"}, date(2026, 3, 10))


def test_quoted_newline_does_not_shift_the_next_records_line(warehouse, tmp_path):
    write(
        tmp_path, HEADER, '"Brand', 'Spring",2026-03-10,100,EUR', "Generic,2026-03-10,-5,EUR", "Video,2026-03-10,9,EUR"
    )
    result = load(warehouse, tmp_path)
    assert (result.rows_inserted, result.rows_quarantined) == (2, 1)
    # The file's line break inside the quotes is CRLF, kept as written.
    assert spend(warehouse) == [("Brand\r\nSpring", "2026-03-10", 100, "EUR"), ("Video", "2026-03-10", 9, "EUR")]
    assert quarantined(warehouse) == [("export.csv", 4, "Cost", "'-5' is below the minimum 0")]
    assert warehouse.execute(
        "select _source_line from raw.ad_export__spend_daily order by _source_line"
    ).fetchall() == [(2,), (5,)]


def test_negative_spend_is_quarantined_with_its_record(warehouse, tmp_path):
    folder = copy_fixture(tmp_path, "google_ads/negative_spend")
    result = load(warehouse, folder, ADS)
    assert (result.rows_inserted, result.rows_quarantined) == (2, 1)
    assert warehouse.execute(
        "select campaign_id, cost_micros from raw.google_ads__campaign_daily order by 1"
    ).fetchall() == [("501", 100000000), ("503", 30000000)]
    assert quarantined(warehouse) == [
        ("searchStream_2026-03-10.json", 2, "metrics.costMicros", "'-25000000' is below the minimum 0")
    ]
    source, stream, record, key, day = warehouse.execute(
        "select source, stream, record, natural_key, record_day from quarantine.rejected_rows"
    ).fetchone()
    assert (source, stream) == ("google_ads", "campaign_daily")
    assert (record["campaign"]["id"], record["metrics"]["costMicros"]) == ("502", "-25000000")
    assert (key, day) == ({"customer_id": "1111111111", "campaign_id": "502", "date": "2026-03-10"}, date(2026, 3, 10))


def test_null_and_missing_ids_are_quarantined(warehouse, tmp_path):
    folder = copy_fixture(tmp_path, "hubspot/null_ids")
    result = load(warehouse, folder, CONTACTS)
    assert (result.rows_inserted, result.rows_quarantined) == (2, 2)
    assert warehouse.execute("select id, email from raw.hubspot__contacts order by 1").fetchall() == [
        ("201", "a@alpha.io"),
        ("204", "d@delta.io"),
    ]
    assert quarantined(warehouse) == [
        ("page-0001.json", 2, "id", "required field is empty"),
        ("page-0001.json", 3, "id", "required field is missing"),
    ]
    assert warehouse.execute(
        "select natural_key, record_day, record->'properties'->>'email' from quarantine.rejected_rows order by line"
    ).fetchall() == [(None, date(2026, 3, 6), "nobody@beta.io"), (None, date(2026, 3, 7), "ghost@gamma.io")]


def test_duplicates_identical_collapse_conflicting_are_quarantined_and_kept_from_deletion(warehouse, tmp_path):
    write(tmp_path, HEADER, "Brand,2026-03-09,10,EUR", "Brand,2026-03-10,20,EUR")
    first = load(warehouse, tmp_path)
    write(
        tmp_path,
        HEADER,
        "Brand,2026-03-09,10,EUR",
        "Brand,2026-03-09,10,EUR",  # the same line twice: one row
        "Brand,2026-03-10,25,EUR",
        "Brand,2026-03-10,30,EUR",  # which one is right?
        "Generic,2026-03-10,5,EUR",
    )
    second = load(warehouse, tmp_path)
    # Brand is in this batch (03-09), so without its quarantined key the replace scope would drop
    # Brand 03-10; it keeps the 20 loaded before, from the first batch.
    # Read and merged: Brand 03-09 twice and Generic; the two Brand 03-10 versions are quarantined.
    assert (second.rows_read, second.rows_quarantined) == (3, 2)
    assert (second.rows_inserted, second.rows_updated, second.rows_deleted) == (1, 0, 0)
    assert spend(warehouse) == [
        ("Brand", "2026-03-09", 10, "EUR"),
        ("Brand", "2026-03-10", 20, "EUR"),
        ("Generic", "2026-03-10", 5, "EUR"),
    ]
    assert warehouse.execute(
        "select _batch_id from raw.ad_export__spend_daily where campaign = 'Brand' and day = '2026-03-10'"
    ).fetchone() == (first.batch_id,)
    reason = "duplicate key (campaign=Brand, day=2026-03-10) with different values on lines 4 and 5"
    assert quarantined(warehouse) == [("export.csv", 4, "(key)", reason), ("export.csv", 5, "(key)", reason)]
    assert [
        record["cost"] for (record,) in warehouse.execute("select record from quarantine.rejected_rows order by line")
    ] == [25, 30]


def test_unknown_currency_is_quarantined(warehouse, tmp_path):
    folder = copy_fixture(tmp_path, "google_ads/unknown_currency")
    result = load(warehouse, folder, ADS)
    assert (result.rows_inserted, result.rows_quarantined) == (2, 1)
    assert warehouse.execute(
        "select customer_id, campaign_id, currency_code from raw.google_ads__campaign_daily order by 1"
    ).fetchall() == [("1111111111", "501", "EUR"), ("3333333333", "701", "CHF")]
    # Records are counted across the page's batches: 601 is the second.
    assert quarantined(warehouse) == [
        ("searchStream_2026-03-10.json", 2, "customer.currencyCode", "'EURO' is not a known value")
    ]


def test_future_dates_are_quarantined_not_skipped_as_outside_the_window(warehouse, tmp_path):
    write(
        tmp_path,
        HEADER,
        "Brand,2026-03-10,10,EUR",
        "Brand,2026-03-12,11,EUR",  # after the window but possible (the UTC day + 1): not this run's
        "Brand,2026-03-13,12,EUR",  # cannot have happened by 03-11 03:00 UTC
        "Brand,2026-02-28,13,EUR",  # before the window: not this run's
    )
    result = load(warehouse, tmp_path)
    assert (result.rows_read, result.rows_quarantined) == (1, 1)
    assert spend(warehouse) == [("Brand", "2026-03-10", 10, "EUR")]
    assert quarantined(warehouse) == [("export.csv", 4, "Day", "'2026-03-13' is later than the extraction")]
    assert warehouse.execute("select record_day from quarantine.rejected_rows").fetchone() == (date(2026, 3, 13),)


def test_hostile_text_loads_byte_identical(warehouse, tmp_path):
    folder = copy_fixture(tmp_path, "hubspot/hostile_text")
    result = load(warehouse, folder, CONTACTS)
    assert (result.rows_inserted, result.rows_quarantined) == (3, 0)
    assert warehouse.execute(
        "select id, firstname, lastname, company from raw.hubspot__contacts order by 1"
    ).fetchall() == [
        ("301", "<script>alert('x')</script>", 'O\'Brien "Bob"', "Müller & Söhne <GmbH>"),
        ("302", "\U0001f680 Rocket", "two\nlines\r\nthree", "tab\there"),
        ("303", "C:\\new\\table", "\\N", "semi;colon,comma|pipe"),
    ]
    assert quarantined(warehouse) == []


def test_a_nul_character_quarantines_its_row_and_the_record_keeps_the_rest(warehouse, tmp_path):
    # Postgres text and jsonb cannot hold U+0000: the row is rejected, its record kept with U+FFFD.
    write(tmp_path, HEADER, "Brand\x00Search,2026-03-10,5,EUR", "Generic,2026-03-10,7,EUR")
    result = load(warehouse, tmp_path)
    assert (result.rows_inserted, result.rows_quarantined) == (1, 1)
    assert spend(warehouse) == [("Generic", "2026-03-10", Decimal(7), "EUR")]
    [(field, record)] = warehouse.execute("select field, record from quarantine.rejected_rows").fetchall()
    assert field == "Campaign"
    assert record == {"Campaign": "Brand\ufffdSearch", "Day": "2026-03-10", "Cost": "5", "Currency": "EUR"}


@pytest.mark.parametrize("content", [b"", b" \r\n\t\r\n", b"\xef\xbb\xbf"], ids=["0 bytes", "whitespace", "BOM only"])
def test_empty_file_fails_its_load(warehouse, tmp_path, content):
    write(tmp_path / "before", HEADER, "Brand,2026-03-10,10,EUR")
    load(warehouse, tmp_path / "before")
    before = table(warehouse, "raw.ad_export__spend_daily")
    (tmp_path / "drop").mkdir()
    (tmp_path / "drop" / "a.csv").write_text(f"{HEADER}\r\nBrand,2026-03-10,11,EUR\r\n")  # read first, then rolled back
    (tmp_path / "drop" / "b.csv").write_bytes(content)
    with pytest.raises(SourceDataError, match=r"^ad_export/spend_daily: .*/drop/b\.csv: file is empty$"):
        load(warehouse, tmp_path / "drop")
    assert table(warehouse, "raw.ad_export__spend_daily") == before
    assert quarantined(warehouse) == []


def test_empty_json_page_fails_its_load(warehouse, tmp_path):
    (tmp_path / "contacts").mkdir()
    (tmp_path / "contacts" / "page-0001.json").write_bytes(b"\xef\xbb\xbf\n")
    with pytest.raises(SourceDataError, match=r"page-0001\.json: file is empty$"):
        load(warehouse, tmp_path, CONTACTS)


def test_truncated_json_page_fails_its_load_naming_line_and_column(warehouse, tmp_path):
    good = copy_fixture(tmp_path, "hubspot/null_ids")
    load(warehouse, good, CONTACTS)
    before = table(warehouse, "raw.hubspot__contacts")
    quarantine_before = table(warehouse, "quarantine.rejected_rows")
    folder = copy_fixture(tmp_path, "hubspot/truncated")
    with pytest.raises(SourceDataError) as error:
        load(warehouse, folder, CONTACTS)
    # The page stops after `{"id": "402", "properties": {` (29 characters) on line 3.
    assert str(error.value) == (
        f"hubspot/contacts: {folder / 'contacts' / 'page-0001.json'}: not valid JSON at line 3, column 30 "
        "(a cut-off page?): Expecting property name enclosed in double quotes"
    )
    assert table(warehouse, "raw.hubspot__contacts") == before
    assert table(warehouse, "quarantine.rejected_rows") == quarantine_before


def test_column_added_upstream_is_kept_in_extra(warehouse, tmp_path):
    write(tmp_path, f"{HEADER},Impressions", "Brand,2026-03-10,10,EUR,1000", "Generic,2026-03-10,5,EUR,")
    result = load(warehouse, tmp_path)
    assert (result.rows_inserted, result.rows_quarantined) == (2, 0)
    assert warehouse.execute("select campaign, _extra from raw.ad_export__spend_daily order by 1").fetchall() == [
        ("Brand", {"Impressions": "1000"}),
        ("Generic", {"Impressions": ""}),
    ]


def test_column_removed_upstream_fails_naming_it(warehouse, tmp_path):
    write(tmp_path / "before", HEADER, "Brand,2026-03-10,10,EUR")
    load(warehouse, tmp_path / "before")
    before = table(warehouse, "raw.ad_export__spend_daily")
    path = write(tmp_path / "drop", "Campaign,Day,Currency", "Brand,2026-03-10,EUR")
    with pytest.raises(SourceDataError) as error:
        load(warehouse, tmp_path / "drop")
    assert (
        str(error.value) == f"ad_export/spend_daily: {path}: line 1: the header lacks Cost (column removed upstream?)"
    )
    assert table(warehouse, "raw.ad_export__spend_daily") == before


def test_fixing_the_source_and_rerunning_the_window_releases_the_entries(warehouse, tmp_path):
    # Fixed in place: the entry's file is read again and no longer rejects the record.
    folder = copy_fixture(tmp_path, "google_ads/negative_spend")
    load(warehouse, folder, ADS)
    page = folder / "1111111111" / "searchStream_2026-03-10.json"
    page.write_text(page.read_text().replace('"-25000000"', '"25000000"'))
    fixed = load(warehouse, folder, ADS)
    assert (fixed.rows_inserted, fixed.rows_quarantined) == (1, 0)
    assert warehouse.execute(
        "select cost_micros from raw.google_ads__campaign_daily where campaign_id = '502'"
    ).fetchone() == (25000000,)
    assert warehouse.execute(
        "select released_by_batch, released_at is not null from quarantine.rejected_rows"
    ).fetchall() == [(fixed.batch_id, True)]

    # Replaced by another file: the entry's day is in the re-read window. The future row's day is
    # not, and its file was not read: it stays open.
    export = tmp_path / "export"
    write(export, HEADER, "Brand,2026-03-10,-1,EUR", "Brand,2026-03-13,1,EUR", name="a.csv")
    load(warehouse, export)
    (export / "a.csv").unlink()
    write(export, HEADER, "Brand,2026-03-10,1,EUR", name="b.csv")
    second = load(warehouse, export)
    assert spend(warehouse) == [("Brand", "2026-03-10", 1, "EUR")]
    assert warehouse.execute(
        "select line, released_by_batch from quarantine.rejected_rows where stream = 'spend_daily' order by line"
    ).fetchall() == [(2, second.batch_id), (3, None)]

    # A day that could not be read: only the file read again can release the entry.
    (export / "b.csv").unlink()
    write(export, HEADER, "Video,10.03.2026,5,EUR", name="c.csv")
    load(warehouse, export)
    assert quarantined(warehouse)[-1] == ("c.csv", 2, "Day", "expected a date YYYY-MM-DD, got '10.03.2026'")
    write(export, HEADER, "Video,2026-03-10,5,EUR", name="c.csv")
    third = load(warehouse, export)
    assert warehouse.execute(
        "select record_day, released_by_batch from quarantine.rejected_rows where origin like '%c.csv'"
    ).fetchall() == [(None, third.batch_id)]


def test_an_entry_of_a_day_outside_the_window_waits_for_a_run_whose_window_holds_it(warehouse, tmp_path):
    february = Window(date(2026, 2, 1), date(2026, 2, 28), WINDOW.tz, extracted_at=WINDOW.extracted_at)  # a backfill
    write(tmp_path, HEADER, "Brand,2026-02-20,-1,EUR")
    load(warehouse, tmp_path, window=february)
    assert quarantined(warehouse) == [("export.csv", 2, "Cost", "'-1' is below the minimum 0")]

    # March's run reads the file, but not its February records: the entry stays open, even once the
    # record is fixed (it is not loaded by this run, so it must not count as settled).
    write(tmp_path, HEADER, "Brand,2026-02-20,-1,EUR", "Brand,2026-03-10,1,EUR")
    march = load(warehouse, tmp_path)
    assert (march.rows_inserted, march.rows_quarantined) == (1, 0)
    write(tmp_path, HEADER, "Brand,2026-02-20,2,EUR", "Brand,2026-03-10,1,EUR")
    load(warehouse, tmp_path)
    assert quarantined(warehouse) == [("export.csv", 2, "Cost", "'-1' is below the minimum 0")]
    assert spend(warehouse) == [("Brand", "2026-03-10", 1, "EUR")]

    # A rerun of February loads the fixed record and releases its entry.
    rerun = load(warehouse, tmp_path, window=february)
    assert spend(warehouse) == [("Brand", "2026-02-20", 2, "EUR"), ("Brand", "2026-03-10", 1, "EUR")]
    assert warehouse.execute("select released_by_batch from quarantine.rejected_rows").fetchall() == [(rerun.batch_id,)]


def test_same_bad_interval_twice_changes_neither_raw_nor_quarantine(warehouse, tmp_path):
    write(
        tmp_path,
        HEADER,
        "Brand,2026-03-10,10,EUR",
        "Generic,2026-03-10,-1,EUR",
        "Video,2026-03-10,3,XXX",
        "Display,2026-03-10",
        "Social,2026-03-10,1,EUR",
        "Social,2026-03-10,2,EUR",
        "Brand,2026-03-13,1,EUR",
    )
    first = load(warehouse, tmp_path)
    raw_before = table(warehouse, "raw.ad_export__spend_daily")
    quarantine_before = table(warehouse, "quarantine.rejected_rows")
    assert len(quarantine_before) == first.rows_quarantined == 6
    second = load(warehouse, tmp_path)
    assert (second.rows_inserted, second.rows_updated, second.rows_deleted, second.rows_quarantined) == (0, 0, 0, 6)
    assert table(warehouse, "raw.ad_export__spend_daily") == raw_before
    assert table(warehouse, "quarantine.rejected_rows") == quarantine_before  # not even batch_id or times moved
    assert warehouse.execute("select rows_quarantined from ops.load_batches order by started_at").fetchall() == [
        (6,),
        (6,),
    ]


def test_more_than_ten_thousand_rejections_fail_the_load(warehouse, tmp_path):
    write(tmp_path / "before", HEADER, "Brand,2026-03-10,10,EUR", "Brand,2026-03-09,-1,EUR")
    load(warehouse, tmp_path / "before")
    raw_before = table(warehouse, "raw.ad_export__spend_daily")
    quarantine_before = table(warehouse, "quarantine.rejected_rows")
    # One good row, then 10,001 bad ones from line 3 on.
    path = write(
        tmp_path / "drop", HEADER, "Brand,2026-03-10,11,EUR", *[f"C{n},2026-03-10,-1,EUR" for n in range(10_001)]
    )
    with pytest.raises(SourceDataError) as error:
        load(warehouse, tmp_path / "drop")
    assert str(error.value) == (
        f"ad_export/spend_daily: {path}: more than 10000 rows rejected in one batch; "
        "first: line 3, field Cost: '-1' is below the minimum 0; a changed export format?"
    )
    assert table(warehouse, "raw.ad_export__spend_daily") == raw_before
    assert table(warehouse, "quarantine.rejected_rows") == quarantine_before


def test_a_failing_stream_is_recorded_and_the_sources_other_streams_still_load(warehouse, tmp_path):
    hubspot_folder = Path(shutil.copytree(TINY / "hubspot", tmp_path / "hubspot"))
    shutil.copy(FIXTURES / "hubspot" / "truncated" / "contacts" / "page-0001.json", hubspot_folder / "contacts")
    config_file = tmp_path / "smarketing.yml"
    config_file.write_text(
        f"""
sources:
  hubspot: {{path: {hubspot_folder}, lookback_days: 3}}
report: {{recipients: [a@example.org], sender: b@example.org}}
"""
    )
    with pytest.raises(SourceLoadError) as error:
        extract_and_load(warehouse, load_config(config_file), "hubspot", date(2026, 3, 10))
    assert str(error.value).startswith("hubspot: 1 of 6 streams not loaded (the others were):\n  hubspot/contacts: ")
    assert list(error.value.failures) == ["contacts"]
    # The tiny fixture's 3 deals and 3 calls loaded; its contacts page was replaced by a cut-off one.
    counts = [
        warehouse.execute(f"select count(*) from raw.hubspot__{name}").fetchone()[0] for name in ("deals", "calls")
    ]
    assert counts == [3, 3]
    assert warehouse.execute("select to_regclass('raw.hubspot__contacts') is null").fetchone() == (True,)
    assert warehouse.execute(
        "select source, stream, last_day, error like '%not valid JSON at line 3, column 30%' from ops.load_failures"
    ).fetchall() == [("hubspot", "contacts", date(2026, 3, 10), True)]


def test_configured_file_format_reaches_the_reader(warehouse, tmp_path):
    folder = tmp_path / "fx"
    write(folder, "Date;USD;JPY;", "2026-03-10;1,0872;162,43;", name="eurofxref-hist.csv")
    config_file = tmp_path / "smarketing.yml"
    config_file.write_text(
        f"""
sources:
  fx_rates: {{path: {folder}, lookback_days: 10, encoding: cp1251, csv_delimiter: ";", decimal_separator: ","}}
report: {{recipients: [a@example.org], sender: b@example.org}}
"""
    )
    [result] = extract_and_load(warehouse, load_config(config_file), "fx_rates", date(2026, 3, 10))
    assert (result.rows_inserted, result.rows_quarantined) == (2, 0)
    assert warehouse.execute("select currency, rate from raw.fx_rates__daily order by 1").fetchall() == [
        ("JPY", Decimal("162.43")),
        ("USD", Decimal("1.0872")),
    ]
