"""The workbook reader of file drops: a sheet is read like a CSV file of the source's locale, row
by row, each record with its row number; and export mappings applied to its rows."""

from dataclasses import replace
from datetime import date, datetime, time
from pathlib import Path

import pytest
from openpyxl import Workbook

from smarketing.config import ExportConfig
from smarketing.extract.files import DEFAULT_FORMAT, FileFormat, _cell_text, read_pages
from smarketing.extract.records import SourceDataError, SourceRecord, page_records
from smarketing.extract.streams import Column, Stream

SPEND = Stream(
    source="ad_export",
    name="spend_daily",
    files="*.xlsx",
    records_at="rows",
    columns=(
        Column("campaign", "text", "Campaign", required=True),
        Column("day", "date", "Day", required=True),
        Column("cost", "numeric", "Cost"),
    ),
    natural_key=("campaign", "day"),
    window_column="day",
    format="csv",
)
WITH_MICROS = replace(SPEND, columns=(*SPEND.columns, Column("cost_micros", "bigint", "CostMicros")))


def workbook(path: Path, *sheets: tuple[str, list[tuple]]) -> Path:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def records(folder: Path, stream: Stream = SPEND, file_format: FileFormat = DEFAULT_FORMAT, exports=()) -> list:
    return [
        (page.origin, record)
        for page in read_pages(stream, folder, file_format, exports)
        for record in page_records(stream, page)
    ]


@pytest.mark.parametrize(
    ("value", "decimal", "text"),
    [
        (1234.56, ".", "1234.56"),  # Excel's money float: its shortest repr, not 1234.5599999999999
        (1234.56, ",", "1234,56"),
        (0.1 + 0.2, ".", "0.30000000000000004"),  # what the cell really holds
        (1e-7, ".", "0.0000001"),  # never an exponent
        (100.0, ",", "100"),  # a whole float reads as an integer
        (12345678901234, ".", "12345678901234"),
        (True, ".", "true"),
        (datetime(2026, 3, 10), ".", "2026-03-10"),  # a date cell
        (datetime(2026, 3, 10, 8, 30), ".", "2026-03-10T08:30:00"),
        (date(2026, 3, 10), ".", "2026-03-10"),
        (time(8, 30), ".", "08:30:00"),
        (None, ".", ""),
        ("1 234,56", ".", "1 234,56"),  # text stays text: the decimal rules read it later
    ],
)
def test_cells_read_as_the_locales_csv_would_write_them(value, decimal, text):
    assert _cell_text(value, decimal) == text


def test_first_sheet_row_by_row_with_row_numbers(tmp_path):
    path = workbook(
        tmp_path / "spend.xlsx",
        ("Spend", [
            (),
            ("Campaign", "Day", "Cost", None),
            ("Brand", datetime(2026, 3, 10), 12.5),
            (),
            ("Video", "2026-03-09", "1 234,5", None, "x"),
        ]),
        ("Other", [("Campaign",)]),
    )  # fmt: skip
    origin = f"{path}, sheet Spend"
    assert records(tmp_path, file_format=FileFormat(decimal=",")) == [
        (origin, SourceRecord(3, {"Campaign": "Brand", "Day": "2026-03-10", "Cost": "12,5"})),
        # A value past the headings is kept under its column number (it lands in `_extra`).
        (origin, SourceRecord(5, {"Campaign": "Video", "Day": "2026-03-09", "Cost": "1 234,5", "column 5": "x"})),
    ]


def test_missing_column_sheet_or_workbook_fails_the_file(tmp_path):
    path = workbook(tmp_path / "spend.xlsx", ("Spend", [("Campaign", "Cost")]))
    with pytest.raises(SourceDataError, match=r"spend\.xlsx, sheet Spend: line 1: the header lacks Day"):
        records(tmp_path)
    export = ExportConfig(stream="spend_daily", files="*.xlsx", sheet="Kampagnen", columns={"campaign": "Campaign"})
    with pytest.raises(SourceDataError, match=r"spend\.xlsx: has no sheet 'Kampagnen' \(sheets: 'Spend'\)$"):
        records(tmp_path, exports=[export])
    path.write_bytes(b"Campaign,Day\n")
    with pytest.raises(SourceDataError, match=r"spend\.xlsx: not an \.xlsx workbook: "):
        records(tmp_path)
    workbook(path, ("Empty", []))
    with pytest.raises(SourceDataError, match=r"spend\.xlsx, sheet Empty: sheet is empty$"):
        records(tmp_path)


def row(campaign: str, day: str, cost: str, micros: str) -> dict[str, str]:
    return {"Campaign": campaign, "Day": day, "Cost": cost, "CostMicros": micros}


def test_export_rows_mapped_onto_the_streams_paths(tmp_path):
    workbook(
        tmp_path / "report.xlsx",
        ("Summary", [("Total", 3)]),
        ("Report", [
            ("Campaign report",),
            ("Kampagne", "Tag", "Kosten (EUR)", "Klicks"),
            ("Brand", "10.03.2026", 1234.5678915, 4),
            ("Video", datetime(2026, 3, 9), "1.234,56", 5),
            ("Display", "2026-13-01", "--", 6),
            ("Gesamt", None, 1234.86, 15),
        ]),
    )  # fmt: skip
    export = ExportConfig(
        stream="spend_daily",
        files="*.xlsx",
        sheet="Report",
        skip_rows=1,
        ignore_rows_starting_with=["Gesamt"],
        empty_values=["--"],
        columns={
            "campaign": "Kampagne",
            "day": {"header": "Tag", "format": "%d.%m.%Y"},
            "cost": "Kosten (*)",
            "cost_micros": {"header": "Kosten (*)", "multiply": 1000000},
        },
    )
    rows = [
        record for _, record in records(tmp_path, WITH_MICROS, file_format=FileFormat(decimal=","), exports=[export])
    ]
    assert rows == [
        # 1234.5678915 EUR is 1234567891.5 micros: a product for an integer column is rounded (half to even).
        SourceRecord(3, {**row("Brand", "2026-03-10", "1234,5678915", "1234567892"), "Klicks": "4"}),
        SourceRecord(4, {**row("Video", "2026-03-09", "1.234,56", "1234560000"), "Klicks": "5"}),
        SourceRecord(5, {**row("Display", "2026-13-01", "", ""), "Klicks": "6"},
                     ("Tag", "expected a date like '%d.%m.%Y' (or ISO), got '2026-13-01'")),
    ]  # fmt: skip


def test_a_file_an_export_claims_is_not_read_as_the_streams_own(tmp_path):
    (tmp_path / "spend.csv").write_text("Campaign,Day,Cost\nBrand,2026-03-10,1\n")
    (tmp_path / "export.csv").write_text("Kampagne,Tag\nVideo,2026-03-09\n")
    export = ExportConfig(stream="spend_daily", files="export*.csv", columns={"campaign": "Kampagne", "day": "Tag"})
    stream = replace(SPEND, files="*.csv")
    assert [(Path(origin).name, record.record) for origin, record in records(tmp_path, stream, exports=[export])] == [
        ("spend.csv", {"Campaign": "Brand", "Day": "2026-03-10", "Cost": "1"}),
        ("export.csv", {"Campaign": "Video", "Day": "2026-03-09"}),
    ]
