"""ECB reference rates: one wide CSV line per day becomes one row per currency, errors say where."""

from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from smarketing.extract import fx_rates
from smarketing.extract.files import read_pages
from smarketing.extract.records import SourceDataError, page_rows
from smarketing.extract.streams import Window

FX = fx_rates.STREAMS[0]
WINDOW = Window(date(2026, 3, 1), date(2026, 3, 10), ZoneInfo("Europe/Berlin"))
HEADER = "Date,USD,JPY,BGN,CYP,GBP,CHF,"


def write(folder: Path, *lines: str, name: str = "eurofxref-hist.csv", bom: bool = False) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(("\ufeff" if bom else "").encode() + "\r\n".join(lines).encode() + b"\r\n")
    return path


def rows(folder: Path, window: Window = WINDOW) -> list[tuple[str, int, dict]]:
    names = [column.name for column in FX.columns] + ["_extra"]
    return [
        (Path(page.origin).name, line, dict(zip(names, values, strict=True)))
        for page in read_pages(FX, folder)
        for line, values in page_rows(FX, page, window)
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
    assert [(line, row["date"], row["currency"], row["rate"]) for _, line, row in loaded] == [
        (2, "2026-03-10", "USD", "1.0872"),
        (2, "2026-03-10", "JPY", "162.43"),
        (2, "2026-03-10", "GBP", "0.85445"),
        (2, "2026-03-10", "CHF", "0.9655"),
        (3, "2026-03-09", "USD", "1.089"),
        (3, "2026-03-09", "JPY", "161.69"),
        (3, "2026-03-09", "GBP", "0.85458"),
        (3, "2026-03-09", "CHF", "0.9614"),
    ]
    assert all(row["_extra"] is None for _, _, row in loaded)


def test_window_reaches_ten_days_back_for_the_rate_to_carry_forward(tmp_path):
    write(tmp_path, HEADER, "2026-03-11,1,1,N/A,N/A,1,1,", "2026-02-19,2,2,N/A,N/A,2,2,", "2026-02-18,3,3,N/A,N/A,3,3,")
    assert {row["date"] for _, _, row in rows(tmp_path)} == {"2026-02-19"}


def test_bad_number_names_file_line_and_currency(tmp_path):
    write(
        tmp_path,
        HEADER,
        "2026-03-10,1.0872,162.43,N/A,N/A,0.85445,0.9655,",
        "2026-03-09,1.089,161.69,N/A,N/A,0.85458,0,96,",
    )
    with pytest.raises(SourceDataError) as error:
        rows(tmp_path)
    assert str(error.value) == (
        f"fx_rates/daily: {tmp_path / 'eurofxref-hist.csv'}, line 3, field (line): 9 values for 8 columns of the header"
    )
    write(
        tmp_path, HEADER, "2026-03-10,1.0872,162.43,N/A,N/A,0.85445,0.9655,", "2026-03-09,1.089,n.a.,N/A,N/A,0.8,0.9,"
    )
    with pytest.raises(SourceDataError, match=r"eurofxref-hist.csv, line 3, field JPY: expected a number, got 'n.a.'"):
        rows(tmp_path)


def test_bad_date_and_cut_off_line_are_named(tmp_path):
    write(tmp_path, HEADER, "10.03.2026,1.0872,162.43,N/A,N/A,0.85445,0.9655,")
    with pytest.raises(SourceDataError, match=r"line 2, field Date: expected a date YYYY-MM-DD, got '10.03.2026'"):
        rows(tmp_path)
    write(tmp_path, HEADER, "2026-03-10,1.0872,162.43")
    with pytest.raises(SourceDataError, match=r"line 2, field \(line\): 3 values for 8 columns"):
        rows(tmp_path)
    write(tmp_path, "Date,USD,", "2026-03-10,1.0872,7")
    with pytest.raises(SourceDataError, match=r"line 2, field column 3: value '7' under no header"):
        rows(tmp_path)


def test_blank_lines_and_all_na_days_load_nothing_and_no_files_is_an_empty_load(tmp_path):
    assert rows(tmp_path) == []  # a configured folder without files: nothing to load, no error
    write(tmp_path, HEADER, "", "2026-03-10,N/A,N/A,N/A,N/A,N/A,N/A,", "")
    assert rows(tmp_path) == []
