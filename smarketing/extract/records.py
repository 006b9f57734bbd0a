"""Turning one page of API records into typed rows for COPY, with errors that say where.

Values are checked here rather than left to COPY, because COPY's error names a line of its own
input; ours names the source, the file or page, the record and the field.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from smarketing.extract.streams import Column, Stream, Window


class SourceDataError(ValueError):
    """A record that cannot be loaded; the message names source, stream, origin, record and field."""

    def __init__(self, stream: Stream, origin: str, line: int, field: str, reason: str) -> None:
        # JSON pages count records within the page; CSV files count lines of the file.
        unit = "line" if stream.format == "csv" else "record"
        super().__init__(f"{stream.source}/{stream.name}: {origin}, {unit} {line}, field {field}: {reason}")
        self.origin, self.line, self.field, self.reason = origin, line, field, reason


@dataclass(frozen=True)
class Page:
    origin: str  # file path or page URL: kept on every row it yields
    body: Any


_INTEGER = re.compile(r"[+-]?\d+")
_MISSING = object()


def _text_for_copy(column: Column, value: Any) -> str | None:
    """The value as COPY text for `column`, or ValueError naming what is wrong."""
    if value is None or value == "":
        return None
    kind = column.pg_type
    if kind == "jsonb":
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if isinstance(value, (dict, list)):
        raise ValueError(f"expected a {kind} value, got a JSON {type(value).__name__}")
    if kind == "text":
        return str(value)
    if kind == "boolean":
        text = str(value).lower()
        if text not in {"true", "false"}:
            raise ValueError(f"expected true/false, got {value!r}")
        return text
    if kind == "bigint":
        text = str(value)
        if isinstance(value, bool) or not _INTEGER.fullmatch(text):
            raise ValueError(f"expected an integer, got {value!r}")
        return text
    if kind == "numeric":
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            raise ValueError(f"expected a number, got {value!r}") from None
        if not number.is_finite():
            raise ValueError(f"expected a finite number, got {value!r}")
        return str(value)
    if kind == "date":
        try:
            return date.fromisoformat(str(value)).isoformat()
        except ValueError:
            raise ValueError(f"expected a date YYYY-MM-DD, got {value!r}") from None
    if kind == "timestamptz":
        try:
            moment = datetime.fromisoformat(str(value))
        except ValueError:
            raise ValueError(f"expected an ISO-8601 timestamp, got {value!r}") from None
        if moment.tzinfo is None:
            raise ValueError(f"timestamp without time zone: {value!r}")
        return moment.isoformat()
    raise AssertionError(f"unhandled column type {kind}")


def _get(record: Any, path: str) -> Any:
    if "[*]" in path:
        head, tail = path.split("[*]", 1)
        items = _get(record, head)
        if items is _MISSING or items is None:
            return _MISSING
        return [_get(item, tail.lstrip(".")) if tail else item for item in items]
    node = record
    for key in path.split("."):
        if not isinstance(node, dict) or key not in node:
            return _MISSING
        node = node[key]
    return node


def _leaves(record: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(record, dict) and record:
        for key, value in record.items():
            yield from _leaves(value, f"{prefix}.{key}" if prefix else key)
    else:
        yield prefix, record


def _unknown_fields(stream: Stream, record: dict) -> dict[str, Any]:
    """Fields no column takes, kept in `_extra` so an upstream addition is never lost."""
    known = tuple(column.path.split("[*]")[0] for column in stream.columns)
    return {
        path: value
        for path, value in _leaves(record)
        if value is not None and not any(path == k or path.startswith(k + ".") for k in known)
    }


def page_records(stream: Stream, page: Page) -> Iterator[tuple[int, dict]]:
    """(record number within the page, record), the number counting from 1; for a CSV file
    the reader already paired each record with its line in the file."""
    body = page.body
    if stream.format == "csv":
        if not isinstance(body, list):
            raise SourceDataError(stream, page.origin, 0, "(file)", "expected the lines of a CSV file")
        yield from body
        return
    if stream.records_at.startswith("[*]."):
        if not isinstance(body, list):
            raise SourceDataError(stream, page.origin, 0, stream.records_at, "expected a JSON array of batches")
        key = stream.records_at[4:]
        records = [record for batch in body for record in (batch.get(key) or [])]
    else:
        if not isinstance(body, dict):
            raise SourceDataError(stream, page.origin, 0, stream.records_at, "expected a JSON object")
        records = body.get(stream.records_at) or []
    yield from enumerate(records, start=1)


def page_rows(stream: Stream, page: Page, window: Window) -> Iterator[tuple[int, list[str | None]]]:
    """Rows of the page that fall inside the window: (record number, COPY values + _extra)."""
    window_index = [column.name for column in stream.columns].index(stream.window_column)
    low, high = _window_bounds(stream, window)
    for line, source_record in page_records(stream, page):
        if not isinstance(source_record, dict):
            raise SourceDataError(stream, page.origin, line, "(record)", "expected a JSON object")
        parts = stream.explode(source_record) if stream.explode else ((source_record, {}),)
        for record, fields in parts:
            values = _typed_values(stream, page, line, record, fields)
            moment = values[window_index]
            if not (low <= _comparable(stream, moment) < high):
                continue
            extra = _unknown_fields(stream, record)
            values.append(json.dumps(extra, ensure_ascii=False, separators=(",", ":")) if extra else None)
            yield line, values


def _typed_values(stream: Stream, page: Page, line: int, record: dict, fields: Mapping[str, str]) -> list[str | None]:
    """COPY text of every column; an error names the source field (`fields` maps exploded paths back)."""
    values: list[str | None] = []
    for column in stream.columns:
        field = fields.get(column.path, column.path)
        raw = _get(record, column.path)
        if raw is _MISSING or raw is None or raw == "":
            if column.required:
                reason = "required field is missing" if raw is _MISSING else "required field is empty"
                raise SourceDataError(stream, page.origin, line, field, reason)
            values.append(None)
            continue
        try:
            values.append(_text_for_copy(column, raw))
        except ValueError as exc:
            raise SourceDataError(stream, page.origin, line, field, str(exc)) from None
    return values


def _window_bounds(stream: Stream, window: Window) -> tuple[Any, Any]:
    reach_back = timedelta(days=stream.reach_back_days)
    if stream.column(stream.window_column).pg_type == "date":
        return window.first_day - reach_back, window.last_day + timedelta(days=1)
    return window.start_utc - reach_back, window.end_utc


def _comparable(stream: Stream, text: str | None) -> Any:
    if stream.column(stream.window_column).pg_type == "date":
        return date.fromisoformat(text)
    return datetime.fromisoformat(text)
