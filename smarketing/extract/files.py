"""File drops: a folder of exported API pages or CSV files, read one file at a time so memory stays flat."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

from smarketing.extract.records import Page, SourceDataError
from smarketing.extract.streams import Stream


class SourceFolderError(FileNotFoundError):
    pass


def read_pages(stream: Stream, folder: Path) -> Iterator[Page]:
    """Every file of the stream below `folder`, in name order; none at all is an empty load."""
    if not folder.is_dir():
        raise SourceFolderError(f"{stream.source}: source folder {folder} does not exist")
    for path in sorted(folder.glob(stream.files)):
        text = path.read_text(encoding="utf-8-sig")  # a byte order mark is not part of the data
        if stream.format == "csv":
            yield Page(origin=str(path), body=_csv_records(stream, str(path), text))
            continue
        try:
            body = json.loads(text)
        except json.JSONDecodeError as exc:
            raise SourceDataError(stream, str(path), exc.lineno, "(file)", f"not valid JSON: {exc.msg}") from None
        yield Page(origin=str(path), body=body)


def _csv_records(stream: Stream, origin: str, text: str) -> list[tuple[int, dict[str, str]]]:
    """(line in the file, header -> value) for every non-blank line after the header.

    Header names and values are stripped; a column with an empty header (the ECB's trailing
    comma) is dropped when its values are empty too, and is an error when one is not. A line
    with fewer values than named columns is an error: a cut-off line must not load as gaps.
    """
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [name.strip() for name in next(reader, [])]
        records = []
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            line = reader.line_num
            named = [position for position, name in enumerate(header) if name]
            stray = [p for p, cell in enumerate(row) if cell.strip() and (p >= len(header) or not header[p])]
            if len(row) < len(named) or (stray and len(row) != len(header)):
                reason = f"{len(row)} values for {len(header)} columns of the header"
                raise SourceDataError(stream, origin, line, "(line)", reason)
            if stray:
                reason = f"value {row[stray[0]]!r} under no header"
                raise SourceDataError(stream, origin, line, f"column {stray[0] + 1}", reason)
            records.append((line, {header[p]: row[p].strip() if p < len(row) else "" for p in named}))
    except csv.Error as exc:
        raise SourceDataError(stream, origin, reader.line_num, "(file)", f"not valid CSV: {exc}") from None
    return records
