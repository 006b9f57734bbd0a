"""ECB reference rates: one wide CSV line per day becomes one row per currency, rejections say where."""

from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from smarketing.extract import fx_rates
from smarketing.extract.files import read_pages
from smarketing.extract.records import Rejection, page_rows
from smarketing.extract.streams import Window

FX = fx_rates.STREAMS[0]
WINDOW = Window(
    date(2026, 3, 1), date(2026, 3, 10), ZoneInfo("Europe/Berlin"), extracted_at=datetime(2026, 3, 11, 3, tzinfo=UTC)
)
HEADER = "Date,USD,JPY,BGN,CYP,GBP,CHF,"


def write(folder: Path, *lines: str, name: str = "eurofxref-hist.csv", bom: bool = False) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(("\ufeff" if bom else "").encode() + "\r\n".join(lines).encode() + b"\r\n")
    return path


def read(folder: Path, window: Window = WINDOW) -> list:
    return [item for page in read_pages(FX, folder) for item in page_rows(FX, page, window)]


def rows(folder: Path, window: Window = WINDOW) -> list[tuple[int, dict]]:
    names = [column.name for column in FX.columns] + ["_extra"]
    return [
        (item.line, dict(zip(names, item.values, strict=True)))
        for item in read(folder, window)
        if not isinstance(item, Rejection)
    ]


def rejected(folder: Path) -> list[tuple[str, int, str, str]]:
    return [
        (Path(item.origin).name, item.line, item.field, item.reason)
        for item in read(folder)
        if isinstance(item, Rejection)
    ]


def test_wide_line_becomes_one_row_per_published_currency(tmp_path):
    write(
        tmp_path,
        HEADER,
        "2026-03-10,1.0872,162.43,N/A,N/A,0.85445,0.9655,",
        "2026-03-09,1.089,161.69,N/A,N/A,0.85458,0.9614,",
        bom=True,  # a byte order mark must not end up in the `Date` header
    )
    loaded = rows(tmp_path)
    assert [(line, row["date"], row["currency"], row["rate"]) for line, row in loaded] == [
        (2, "2026-03-10", "USD", "1.0872"),
        (2, "2026-03-10", "JPY", "162.43"),
        (2, "2026-03-10", "GBP", "0.85445"),
        (2, "2026-03-10", "CHF", "0.9655"),
        (3, "2026-03-09", "USD", "1.089"),
        (3, "2026-03-09", "JPY", "161.69"),
        (3, "2026-03-09", "GBP", "0.85458"),
        (3, "2026-03-09", "CHF", "0.9614"),
    ]
    assert all(row["_extra"] is None for _, row in loaded)


def test_window_reaches_ten_days_back_for_the_rate_to_carry_forward(tmp_path):
    write(tmp_path, HEADER, "2026-03-11,1,1,N/A,N/A,1,1,", "2026-02-19,2,2,N/A,N/A,2,2,", "2026-02-18,3,3,N/A,N/A,3,3,")
    assert {row["date"] for _, row in rows(tmp_path)} == {"2026-02-19"}


def test_bad_cell_rejects_that_currency_of_that_day_only(tmp_path):
    write(
        tmp_path,
        HEADER,
        "2026-03-10,1.0872,n.a.,N/A,N/A,0.85445,-0.9655,",
        "2026-03-09,1.089,161.69,N/A,N/A,0.85458,0.9614,",
    )
    assert rejected(tmp_path) == [
        ("eurofxref-hist.csv", 2, "JPY", "expected a number, got 'n.a.'"),
        ("eurofxref-hist.csv", 2, "CHF", "'-0.9655' is not greater than 0"),
    ]
    assert [(line, row["currency"]) for line, row in rows(tmp_path)] == [
        (2, "USD"),
        (2, "GBP"),
        *[(3, currency) for currency in ("USD", "JPY", "GBP", "CHF")],
    ]


def test_bad_date_rejects_its_line_once_and_ragged_lines_are_rejected_whole(tmp_path):
    write(
        tmp_path,
        HEADER,
        "10.03.2026,1.0872,162.43,N/A,N/A,0.85445,0.9655,",
        "2026-03-09,1.089,161.69,N/A,N/A,0.85458,0,96,",  # a decimal comma shifted the last cell
        "2026-03-06,1.0872,162.43",  # cut off
        "2026-03-05,1.08,160.1,N/A,N/A,0.85,0.96",  # no trailing comma: still the header's columns
        "2026-03-13,1.08,160.1,N/A,N/A,0.85,0.96,",  # not published yet
    )
    assert rejected(tmp_path) == [
        ("eurofxref-hist.csv", 2, "Date", "expected a date YYYY-MM-DD, got '10.03.2026'"),
        ("eurofxref-hist.csv", 3, "(line)", "8 values for 7 columns of the header"),
        ("eurofxref-hist.csv", 4, "(line)", "3 values for 7 columns of the header"),
        ("eurofxref-hist.csv", 6, "Date", "'2026-03-13' is later than the extraction"),
    ]
    assert {(line, row["date"]) for line, row in rows(tmp_path)} == {(5, "2026-03-05")}
    [ragged] = [item for item in read(tmp_path) if isinstance(item, Rejection) and item.line == 3]
    # The source line as the header names it; the value past the header is kept too.
    assert ragged.record == {
        "Date": "2026-03-09",
        "USD": "1.089",
        "JPY": "161.69",
        "BGN": "N/A",
        "CYP": "N/A",
        "GBP": "0.85458",
        "CHF": "0",
        "column 8": "96",
    }
    assert (ragged.natural_key, ragged.record_day) == (None, None)  # the wide line is no one row


def test_value_under_no_header_is_a_ragged_line(tmp_path):
    write(tmp_path, "Date,USD,", "2026-03-10,1.0872,7")
    assert rejected(tmp_path) == [("eurofxref-hist.csv", 2, "(line)", "3 values for 2 columns of the header")]


def test_blank_lines_and_all_na_days_load_nothing_and_no_files_is_an_empty_load(tmp_path):
    assert rows(tmp_path) == []  # a configured folder without files: nothing to load, no error
    write(tmp_path, HEADER, "", "2026-03-10,N/A,N/A,N/A,N/A,N/A,N/A,", "")
    assert rows(tmp_path) == []
