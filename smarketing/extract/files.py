"""File drops: a folder of exported API pages or CSV files, read one file at a time so memory stays flat.

A file that cannot be read at all (empty, cut off, in another encoding, a declared column gone)
fails the stream's load with SourceDataError; a bad line of a readable file is rejected alone.
"""

from __future__ import annotations

import codecs
import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import chain, zip_longest
from pathlib import Path
from typing import TextIO

from smarketing.extract.records import Page, SourceDataError, SourceRecord
from smarketing.extract.streams import Stream

DELIMITERS = (",", ";", "\t", "|")


class SourceFolderError(FileNotFoundError):
    pass


@dataclass(frozen=True)
class FileFormat:
    """How a source's text files are written: spreadsheets save CSV in the locale's encoding,
    delimiter and decimal separator. A UTF-8 byte order mark overrides `encoding`."""

    encoding: str = "utf-8"
    delimiter: str | None = None  # None: the most frequent of DELIMITERS in the header line
    decimal: str = "."


DEFAULT_FORMAT = FileFormat()


def read_pages(stream: Stream, folder: Path, file_format: FileFormat = DEFAULT_FORMAT) -> Iterator[Page]:
    """Every file of the stream below `folder`, in name order; none at all is an empty load."""
    if not folder.is_dir():
        raise SourceFolderError(f"{stream.source}: source folder {folder} does not exist")
    for path in sorted(folder.glob(stream.files)):
        encoding = _encoding(path, file_format.encoding)
        if stream.format == "csv":
            records = _csv_records(stream, path, encoding, file_format.delimiter)
            yield Page(origin=str(path), body=records, decimal=file_format.decimal)
        else:
            yield Page(origin=str(path), body=_json_body(stream, path, encoding))


def _encoding(path: Path, configured: str) -> str:
    with path.open("rb") as file:
        return "utf-8-sig" if file.read(len(codecs.BOM_UTF8)) == codecs.BOM_UTF8 else configured


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


def _csv_records(stream: Stream, path: Path, encoding: str, delimiter: str | None) -> Iterator[SourceRecord]:
    try:
        with path.open(encoding=encoding, newline="") as file:
            yield from _csv_lines(stream, str(path), file, delimiter)
    except UnicodeDecodeError:
        raise _undecodable(stream, path, encoding) from None


def _csv_lines(stream: Stream, origin: str, file: TextIO, delimiter: str | None) -> Iterator[SourceRecord]:
    """Header -> value for every non-blank record after the header, each with the line of the file
    it starts on (a quoted value may span lines). Header names and values are stripped."""
    skipped = 0  # blank lines before the header
    for first in file:
        if first.strip():
            break
        skipped += 1
    else:
        raise SourceDataError(stream, origin, "file is empty")
    reader = csv.reader(chain([first], file), delimiter=delimiter or max(DELIMITERS, key=first.count))
    try:
        header = [name.strip() for name in next(reader)]
        # Columns named by nobody at the end of the header (the ECB's trailing comma) are no columns.
        while header and not header[-1]:
            header.pop()
        missing = [column.path for column in stream.columns if column.path not in header]
        # A wide file (the ECB's) names its values in the header; its stream declares no such columns.
        if missing and stream.explode is None:
            reason = f"line {skipped + 1}: the header lacks {', '.join(missing)} (column removed upstream?)"
            raise SourceDataError(stream, origin, reason)
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
