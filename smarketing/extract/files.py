"""File drops: a folder of exported API pages, CSV files or workbooks, read one file at a time so
memory stays flat.

A file that cannot be read at all (empty, cut off, in another encoding, a declared column gone)
fails the stream's load with SourceDataError; a bad line of a readable file is rejected alone.

A platform's or CRM's own export (CSV or .xlsx, see smarketing.config.ExportConfig) is read
through a mapping of its headings onto the stream's columns: each row becomes a record of the
stream's own shape, so the stream's types, rules and quarantine apply unchanged, and the headings
nobody maps land in `_extra` like any field the stream does not know.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from fnmatch import fnmatchcase
from itertools import chain, zip_longest
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, TextIO
from zoneinfo import ZoneInfo

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException

from smarketing.extract.records import Page, SourceDataError, SourceRecord, csv_number
from smarketing.extract.streams import Column, Stream, Window

if TYPE_CHECKING:
    from smarketing.config import ExportColumn, ExportConfig
    from smarketing.extract.cursors import Cursors

DELIMITERS = (",", ";", "\t", "|")


class SourceFolderError(FileNotFoundError):
    pass


@dataclass(frozen=True)
class FileFormat:
    """How a source's text files are written: spreadsheets save CSV in the locale's encoding,
    delimiter and decimal separator. A byte order mark (UTF-8, UTF-16) overrides `encoding`."""

    encoding: str = "utf-8"
    delimiter: str | None = None  # None: the most frequent of DELIMITERS in the header line
    decimal: str = "."


DEFAULT_FORMAT = FileFormat()


def read_pages(
    stream: Stream,
    folder: Path,
    file_format: FileFormat = DEFAULT_FORMAT,
    exports: Sequence[ExportConfig] = (),
    window: Window | None = None,
    cursors: Cursors | None = None,
) -> Iterator[Page]:
    """Every file of the stream below `folder`, in name order, then the files of each export mapped
    onto it; a file some export claims is read by that export only. None at all is an empty load.

    With `window` and `cursors`, each file of a stream read by day is remembered (its size,
    modification time and latest day), and a file unchanged since whose records all lie before the
    window is not read again: it has nothing for the window (a drop of three years of monthly
    files reads two months a night, not 36)."""
    if not folder.is_dir():
        raise SourceFolderError(f"{stream.source}: source folder {folder} does not exist")
    claimed = {path for export in exports for path in folder.glob(export.files)}
    for path in sorted(set(folder.glob(stream.files)) - claimed):
        on_read = None
        if window is not None and cursors is not None and stream.window_column:
            ledger = _FileLedger(stream, cursors, str(path.relative_to(folder)), path.stat())
            if ledger.nothing_for(window):
                continue
            on_read = ledger.record
        if stream.format == "csv":
            head, rows = _opened_table(stream, path, file_format)
            yield replace(_table_page(stream, head, rows, file_format.decimal), on_read=on_read)
        else:
            encoding = _encoding(path, file_format.encoding)
            yield Page(origin=str(path), body=_json_body(stream, path, encoding), on_read=on_read)
    for export in exports:
        if export.stream == stream.name:
            export_format = FileFormat(
                export.encoding or file_format.encoding,
                export.csv_delimiter or file_format.delimiter,
                export.decimal_separator or file_format.decimal,
            )
            for path in sorted(folder.glob(export.files)):
                head, rows = _opened_table(stream, path, export_format, export.sheet, export.skip_rows)
                mapping = _ExportMapping(stream, export, head, export_format.decimal)
                body = mapping.records(rows)
                yield Page(head.origin, body, decimal=export_format.decimal, records=True, fields=mapping.fields)


def csv_text_page(
    stream: Stream, origin: str, text: str, shared: Mapping[str, str], file_format: FileFormat = DEFAULT_FORMAT
) -> Page:
    """A CSV or TSV document already in memory (an API's report), read exactly as a file of the drop
    is. `shared`: fields the document does not carry but every record of it has (the account the
    report was asked for), added to the header and to each record."""
    table = _csv_lines(stream, origin, io.StringIO(text, newline=""), file_format.delimiter, 0)
    head = next(table)
    assert isinstance(head, _Head)
    # Every item after the header is a SourceRecord.
    rows = (SourceRecord(line, {**shared, **record}, fault) for line, record, fault in table)  # type: ignore[misc]
    return _table_page(stream, head._replace(names=[*shared, *head.names]), rows, file_format.decimal)


def _table_page(stream: Stream, head: _Head, rows: Iterator[SourceRecord], decimal: str) -> Page:
    """The page of a table whose header holds every column the stream declares."""
    missing = [column.path for column in stream.columns if column.path not in head.names]
    # A wide file (the ECB's) names its values in the header; its stream declares no such columns.
    if missing and stream.explode is None:
        reason = f"line {head.line}: the header lacks {', '.join(missing)} (column removed upstream?)"
        raise SourceDataError(stream, head.origin, reason)
    return Page(origin=head.origin, body=rows, decimal=decimal)


class _FileLedger:
    """What the last load that read a file saw, kept as the stream's cursor of that file."""

    def __init__(self, stream: Stream, cursors: Cursors, name: str, stat: os.stat_result) -> None:
        self.stream, self.cursors, self.name = stream, cursors, name
        self.version = {"size": stat.st_size, "modified_ns": stat.st_mtime_ns}

    def nothing_for(self, window: Window) -> bool:
        saved = self.cursors.get(self.name)
        if saved is None:
            return False
        seen = json.loads(saved)
        if seen["version"] != self.version or seen["undated"] or seen["latest_day"] is None:
            return False
        # A day of margin: a datetime's day depends on the time zone the window counts in.
        before = window.first_day - timedelta(days=self.stream.reach_back_days + 1)
        return date.fromisoformat(seen["latest_day"]) < before

    def record(self, latest_day: date | None, undated: bool) -> None:
        seen = {"version": self.version, "latest_day": latest_day and latest_day.isoformat(), "undated": undated}
        self.cursors.advance(self.name, json.dumps(seen))


class _Head(NamedTuple):
    origin: str  # the file, and for a workbook its sheet
    line: int  # the heading row's line (a workbook's row number)
    names: list[str]


def _opened_table(
    stream: Stream, path: Path, file_format: FileFormat, sheet: str | None = None, skip_rows: int = 0
) -> tuple[_Head, Iterator[SourceRecord]]:
    """A CSV file or a workbook's sheet, opened as far as its headings; then its rows, read lazily."""
    if path.suffix.lower() == ".xlsx":
        table = _sheet_rows(stream, path, file_format.decimal, sheet, skip_rows)
    else:
        table = _csv_records(stream, path, _encoding(path, file_format.encoding), file_format.delimiter, skip_rows)
    head = next(table)
    assert isinstance(head, _Head)
    return head, table  # type: ignore[return-value]  # every later item is a SourceRecord


def _encoding(path: Path, configured: str) -> str:
    """A byte order mark names the encoding: UTF-8, or UTF-16 (Google Ads' "Excel CSV" download)."""
    with path.open("rb") as file:
        start = file.read(len(codecs.BOM_UTF8))
    if start.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return configured


def _json_body(stream: Stream, path: Path, encoding: str) -> object:
    try:
        text = path.read_text(encoding=encoding)
    except UnicodeDecodeError:
        raise _undecodable(stream, path, encoding) from None
    if not text.strip():
        raise SourceDataError(stream, str(path), "file is empty")
    try:
        # NaN and Infinity are not JSON; as text they reach the typing, which rejects their row.
        return json.loads(text, parse_constant=str)
    except json.JSONDecodeError as exc:
        reason = f"not valid JSON at line {exc.lineno}, column {exc.colno} (a cut-off page?): {exc.msg}"
        raise SourceDataError(stream, str(path), reason) from None


def _undecodable(stream: Stream, path: Path, encoding: str) -> SourceDataError:
    """Names the line and the first byte the encoding cannot read, found by decoding line by line."""
    where = ""
    with path.open("rb") as file:
        for number, line in enumerate(file, start=1):
            try:
                line.decode(encoding)
            except UnicodeDecodeError as exc:
                where = f" (byte 0x{exc.object[exc.start]:02x} at line {number})"
                break
    reason = (
        f"not valid {codecs.lookup(encoding).name.removesuffix('-sig')}{where}; set `encoding` in the source's "
        "config to the file's (a Windows Cyrillic export needs `encoding: cp1251`)"
    )
    return SourceDataError(stream, str(path), reason)


def _csv_records(
    stream: Stream, path: Path, encoding: str, delimiter: str | None, skip_rows: int
) -> Iterator[_Head | SourceRecord]:
    try:
        with path.open(encoding=encoding, newline="") as file:
            yield from _csv_lines(stream, str(path), file, delimiter, skip_rows)
    except UnicodeDecodeError:
        raise _undecodable(stream, path, encoding) from None


def _csv_lines(
    stream: Stream, origin: str, file: TextIO, delimiter: str | None, skip_rows: int
) -> Iterator[_Head | SourceRecord]:
    """The header's _Head, then header -> value for every non-blank record after the header, each
    with the line of the file it starts on (a quoted value may span lines). Header names and values
    are stripped. `skip_rows` title lines come before the header."""
    skipped = sum(1 for _ in zip(range(skip_rows), file, strict=False))
    for first in file:  # blank lines before the header
        if first.strip():
            break
        skipped += 1
    else:
        raise SourceDataError(
            stream, origin, f"no header after {skip_rows} title lines" if skip_rows else "file is empty"
        )
    reader = csv.reader(chain([first], file), delimiter=delimiter or max(DELIMITERS, key=first.count))
    try:
        header = [name.strip() for name in next(reader)]
        # Columns named by nobody at the end of the header (the ECB's trailing comma) are no columns.
        while header and not header[-1]:
            header.pop()
        yield _Head(origin, skipped + 1, header)
        start = skipped + reader.line_num + 1
        for row in reader:
            line, start = start, skipped + reader.line_num + 1
            if any(cell.strip() for cell in row):
                yield _csv_record(header, row, line)
    except csv.Error as exc:
        raise SourceDataError(stream, origin, f"line {skipped + reader.line_num}: not valid CSV: {exc}") from None


def _csv_record(header: list[str], row: list[str], line: int) -> SourceRecord:
    """A line with more or fewer values than the header is rejected whole (a cut-off or shifted
    line must not load as gaps); empty cells past the header are no values. A value under an empty
    header name is kept as `column <n>` (in `_extra`), never dropped."""
    while len(row) > len(header) and not row[-1].strip():
        row = row[:-1]
    record = {
        name or f"column {number}": value.strip()
        for number, (name, value) in enumerate(zip_longest(header, row), start=1)
        if value is not None and (name or value.strip())
    }
    if len(row) != len(header):
        return SourceRecord(line, record, ("(line)", f"{len(row)} values for {len(header)} columns of the header"))
    return SourceRecord(line, record)


def _sheet_rows(
    stream: Stream, path: Path, decimal: str, sheet: str | None, skip_rows: int
) -> Iterator[_Head | SourceRecord]:
    """A workbook's sheet as _csv_lines reads a CSV file: its cells as the text a spreadsheet
    would save (see _cell_text), each record's line its row number, streamed row by row."""
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError) as exc:
        raise SourceDataError(stream, str(path), f"not an .xlsx workbook: {exc}") from None
    try:
        if sheet is not None and sheet not in workbook.sheetnames:
            sheets = ", ".join(repr(name) for name in workbook.sheetnames)
            raise SourceDataError(stream, str(path), f"has no sheet {sheet!r} (sheets: {sheets})")
        worksheet = workbook[sheet] if sheet is not None else workbook.worksheets[0]
        origin = f"{path}, sheet {worksheet.title}"
        header = None
        for number, cells in enumerate(worksheet.iter_rows(values_only=True), start=1):
            texts = [_cell_text(cell, decimal).strip() for cell in cells]
            if number <= skip_rows or not any(texts):
                continue
            if header is None:
                header = texts
                while header and not header[-1]:
                    header.pop()
                yield _Head(origin, number, header)
            else:
                yield SourceRecord(number, _sheet_record(header, texts))
        if header is None:
            raise SourceDataError(
                stream, origin, f"no header after {skip_rows} title rows" if skip_rows else "sheet is empty"
            )
    finally:
        workbook.close()


def _sheet_record(header: list[str], texts: list[str]) -> dict[str, str]:
    """Like a CSV line, but a row shorter or longer than the header is no fault: a workbook leaves
    out empty cells at the end. A value under no heading is kept as `column <n>`."""
    return {
        name or f"column {number}": text
        for number, (name, text) in enumerate(zip_longest(header, texts, fillvalue=""), start=1)
        if name or text
    }


def _cell_text(value: Any, decimal: str) -> str:
    """A cell as the spreadsheet's own CSV export writes it in the source's locale, so a workbook
    reads like a CSV file: numbers exactly as stored (a float by its shortest repr, which is the
    number Excel saved: 1234.56, not 1234.559999...) with the locale's decimal separator and no
    thousands separators; dates and times ISO, a date cell at midnight as the day alone; empty as
    no value."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        number = Decimal(repr(value))
        if not number.is_finite():
            return repr(value)
        if number == number.to_integral_value():
            return str(int(number))
        return format(number, "f").replace(".", decimal)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() and value.tzinfo is None else value.isoformat()
    if isinstance(value, (date, time)):
        return value.isoformat()
    return str(value)


class _Mapped(NamedTuple):
    column: Column
    source: ExportColumn
    header: str | None  # the file's heading; None for a fixed value


class _ExportMapping:
    """One export file's headings resolved against its configured mapping; turns its rows into
    records of the stream's shape. A mapped heading the file lacks fails the file."""

    def __init__(self, stream: Stream, export: ExportConfig, head: _Head, decimal: str) -> None:
        self.stream, self.export, self.decimal = stream, export, decimal
        self.mapped: list[_Mapped] = []
        missing = []
        for name, source in export.columns.items():
            header = None if source.header is None else _heading(stream, head, source.header)
            if source.header is not None and header is None:
                if not source.optional:
                    missing.append(source.header)
                continue
            self.mapped.append(_Mapped(stream.column(name), source, header))
        if missing:
            lacks = ", ".join(repr(header) for header in missing)
            reason = f"line {head.line}: the header lacks {lacks} (mapped in the source's `exports`; renamed upstream?)"
            raise SourceDataError(stream, head.origin, reason)
        self.taken = {mapped.header for mapped in self.mapped}
        # An unmapped heading lands in `_extra` under its own name, which must not be a field of the stream.
        roots = {column.path.split(".")[0] for column in stream.columns}
        clashing = [name for name in head.names if name in roots and name not in self.taken]
        if clashing:
            reason = f"line {head.line}: heading {clashing[0]!r} is also a field of the stream: map it to a column"
            raise SourceDataError(stream, head.origin, reason)
        self.fields = {
            mapped.column.path: mapped.header or f"{mapped.column.name} (fixed value)" for mapped in self.mapped
        }
        self.timezone = ZoneInfo(export.timezone) if export.timezone else None

    def records(self, rows: Iterator[SourceRecord]) -> Iterator[SourceRecord]:
        for line, row, fault in rows:
            first = next(iter(row.values()), "")
            if any(first.startswith(prefix) for prefix in self.export.ignore_rows_starting_with):
                continue
            record: dict[str, Any] = {}
            for column, source, header in self.mapped:
                if header is None:
                    value = source.value
                else:
                    value = row.get(header, "")
                    value = "" if value in self.export.empty_values else source.values.get(value, value)
                    if value:
                        value, problem = self._read(column, source, value)
                        if problem and fault is None:
                            fault = (header, problem)
                _put(record, column.path, value)
            record.update((name, value) for name, value in row.items() if name not in self.taken)
            yield SourceRecord(line, record, fault)

    def _read(self, column: Column, source: ExportColumn, text: str) -> tuple[str, str | None]:
        """The text in the notation the stream's typing reads, or the text and why it cannot be."""
        if source.multiply is not None:
            try:
                product = Decimal(csv_number(text, self.decimal)) * source.multiply
            except InvalidOperation:
                return text, f"expected a number, got {text!r}"
            if column.pg_type == "bigint" and product.is_finite():
                return str(product.to_integral_value(ROUND_HALF_EVEN)), None
            # Written as the file writes numbers, so the typing reads it back with the file's separator.
            return format(product, "f").replace(".", self.decimal), None
        if column.pg_type not in ("date", "timestamptz"):
            return text, None
        try:
            moment = _moment(text, source.format)
        except ValueError:
            if source.format is None:
                return text, None  # the typing names what an ISO date or timestamp should look like
            return text, f"expected a {column.pg_type} like {source.format!r} (or ISO), got {text!r}"
        if column.pg_type == "date":
            return moment.date().isoformat(), None
        if moment.tzinfo is None and self.timezone is not None:
            moment = moment.replace(tzinfo=self.timezone)
        return moment.isoformat(), None


def _moment(text: str, pattern: str | None) -> datetime:
    if pattern is not None:
        try:
            return datetime.strptime(text, pattern)
        except ValueError:
            pass
    return datetime.fromisoformat(text)


def _heading(stream: Stream, head: _Head, pattern: str) -> str | None:
    """The file's heading a mapping names: the same text, else the one heading the glob matches."""
    if pattern in head.names:
        return pattern
    matches = [name for name in head.names if fnmatchcase(name, pattern)]
    if len(matches) > 1:
        reason = f"line {head.line}: {pattern!r} matches several headings: {', '.join(map(repr, matches))}"
        raise SourceDataError(stream, head.origin, reason)
    return matches[0] if matches else None


def _put(record: dict[str, Any], path: str, value: Any) -> None:
    *parents, key = path.split(".")
    for parent in parents:
        record = record.setdefault(parent, {})
    record[key] = value
