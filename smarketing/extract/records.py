"""Turning one page of source records into typed rows for COPY, and rejections that say where.

Values are checked here rather than left to COPY, because COPY's error names a line of its own
input; ours names the source, the file or page, the record and the field. A record that breaks a
rule is rejected on its own (smarketing.load quarantines it) and the rest of the page loads; only
a page that cannot be read at all raises SourceDataError.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import cache
from itertools import chain
from typing import TYPE_CHECKING, Any, NamedTuple

from smarketing.extract.streams import Column, Stream, Window

if TYPE_CHECKING:
    from smarketing.extract.cursors import Cursors


class SourceDataError(ValueError):
    """A file or page that cannot be read at all (empty, cut off, undecodable, not of the expected
    shape): the stream's load fails and rolls back. The message names source, stream and origin."""

    def __init__(self, stream: Stream, origin: str, reason: str) -> None:
        super().__init__(f"{stream.source}/{stream.name}: {origin}: {reason}")
        self.origin, self.reason = origin, reason


@dataclass(frozen=True)
class Page:
    origin: str  # file path or page URL: kept on every row it yields
    body: Any
    # CSV text writes numbers with this decimal separator ("." or ","); None: JSON numbers.
    decimal: str | None = None
    # The body is SourceRecords a table reader already made (a CSV or spreadsheet export mapped
    # onto a JSON stream's paths), not a JSON document.
    records: bool = False
    # The file's field behind a column path when the reader renamed fields (an export's headings):
    # a rejection names the field of the file.
    fields: Mapping[str, str] = field(default_factory=dict)
    # Called once every record of the page was read: the latest day of its records (the window
    # column's, in or out of the window) and whether any record had no readable day.
    on_read: Callable[[date | None, bool], None] | None = None


# A stream's pages for a run's window, from wherever the source is read; an API connector resumes
# from the stream's cursors and advances them as it reads (see smarketing.extract.cursors).
PageReader = Callable[[Stream, Window, "Cursors"], Iterable[Page]]


class SourceRecord(NamedTuple):
    line: int  # CSV: the line of the file the record starts on; JSON: its number within the page
    record: Any
    # (field, reason) when the reader already found the record unusable (a ragged CSV line).
    fault: tuple[str, str] | None = None


class Row(NamedTuple):
    line: int
    values: list[str | None]  # COPY text of every column, then `_extra`


@dataclass(frozen=True)
class Rejection:
    """A record that cannot be loaded, with what the quarantine needs to find and release it."""

    origin: str
    line: int
    field: str  # the source's field name, "(line)" or "(record)" when the whole record is wrong
    reason: str
    record: Any  # the source record (a CSV line as header -> value)
    natural_key: dict[str, str] | None  # COPY text of the key columns, when all could be typed
    record_day: date | None  # the day of the window column, when it could be typed


def line_unit(stream: Stream) -> str:
    """What a rejection's `line` counts: lines of a CSV file, records of a JSON page."""
    return "line" if stream.format == "csv" else "record"


_INTEGER = re.compile(r"[+-]?\d+")
_BIGINT_MIN, _BIGINT_MAX = -(2**63), 2**63 - 1
# A thousands separator is recognised only in this exact shape, so "1.5" is never read as 15.
_THOUSANDS = {",": re.compile(r"-?\d{1,3}(\.\d{3})+(,\d+)?"), ".": re.compile(r"-?\d{1,3}(,\d{3})+(\.\d+)?")}
_MISSING = object()


def csv_number(text: str, decimal: str) -> str:
    """A number as a spreadsheet export writes it ("1 234,56"), in the notation COPY reads."""
    text = "".join(text.split())  # every Unicode space, the no-break spaces U+00A0 and U+202F too
    if _THOUSANDS[decimal].fullmatch(text):
        text = text.replace("." if decimal == "," else ",", "")
    return text.replace(",", ".") if decimal == "," else text


# One encoder for every record: json.dumps with options builds a new encoder on each call.
compact_json = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


# Each takes a present value (an object or a list only for jsonb) and returns (COPY text, Python
# value for the rules), or raises a ValueError naming what is wrong.


def _typed_jsonb(column: Column, value: Any, decimal: str | None) -> tuple[str, Any]:
    return compact_json(value), value


def _typed_text(column: Column, value: Any, decimal: str | None) -> tuple[str, Any]:
    if type(value) is not str:
        value = str(value)
    if "\x00" in value:
        raise ValueError(f"contains a NUL character, which Postgres text cannot hold: {value!r}")
    return value, value


def _typed_boolean(column: Column, value: Any, decimal: str | None) -> tuple[str, Any]:
    text = str(value).lower()
    if text not in {"true", "false"}:
        raise ValueError(f"expected true/false, got {value!r}")
    return text, text == "true"


def _number_text(value: Any, decimal: str | None) -> str:
    return csv_number(value, decimal) if decimal and isinstance(value, str) else str(value)


def _typed_bigint(column: Column, value: Any, decimal: str | None) -> tuple[str, Any]:
    text = _number_text(value, decimal)
    if isinstance(value, bool) or not _INTEGER.fullmatch(text):
        raise ValueError(f"expected an integer, got {value!r}")
    number = int(text)
    if not _BIGINT_MIN <= number <= _BIGINT_MAX:
        raise ValueError(f"{value!r} is outside the 64-bit integer range")
    return text, number


def _typed_numeric(column: Column, value: Any, decimal: str | None) -> tuple[str, Any]:
    text = _number_text(value, decimal)
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"expected a number, got {value!r}") from None
    if not number.is_finite():
        raise ValueError(f"expected a finite number, got {value!r}")
    return text, number


def _typed_date(column: Column, value: Any, decimal: str | None) -> tuple[str, Any]:
    try:
        day = date.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"expected a date YYYY-MM-DD, got {value!r}") from None
    return day.isoformat(), day


def _typed_timestamptz(column: Column, value: Any, decimal: str | None) -> tuple[str, Any]:
    if column.unix_seconds:
        if isinstance(value, bool) or not _INTEGER.fullmatch(str(value)):
            raise ValueError(f"expected Unix seconds, got {value!r}")
        try:
            moment = datetime.fromtimestamp(int(value), UTC)
        except (OverflowError, OSError, ValueError):
            raise ValueError(f"Unix seconds {value!r} are outside the years a timestamp can hold") from None
        return moment.isoformat(), moment
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"expected an ISO-8601 timestamp, got {value!r}") from None
    if moment.tzinfo is None:
        raise ValueError(f"timestamp without time zone: {value!r}")
    return moment.isoformat(), moment


_TYPED_BY_PG_TYPE = {
    "jsonb": _typed_jsonb,
    "text": _typed_text,
    "boolean": _typed_boolean,
    "bigint": _typed_bigint,
    "numeric": _typed_numeric,
    "date": _typed_date,
    "timestamptz": _typed_timestamptz,
}


class _Latest(NamedTuple):
    """The latest day and moment a `not_future` value may have, from when the source was read. A
    day of a source's own time zone may be a day ahead of UTC; a clock may run a little fast."""

    day: date
    moment: datetime

    @classmethod
    def of(cls, window: Window) -> _Latest:
        return cls(window.extracted_at.astimezone(UTC).date() + timedelta(days=1),
                   window.extracted_at + timedelta(hours=1))  # fmt: skip


def first_day_that_may_be_future(window: Window) -> date:
    """The earliest record day (of the window's time zone) a value later than the extraction can
    fall on, whatever the zone: records of these days outside the window are still checked whole."""
    return window.extracted_at.astimezone(UTC).date() - timedelta(days=1)


def _broken_rule(column: Column, value: Any, typed: Any, latest: _Latest) -> str | None:
    """Why a well-typed value is still impossible, or None. The words never name the extraction
    time, so a rerun rejects the row with the same reason and the quarantine keeps one entry."""
    if column.minimum is not None and typed < column.minimum:
        return f"{value!r} is below the minimum {column.minimum}"
    if column.positive and typed <= 0:
        return f"{value!r} is not greater than 0"
    if column.allowed is not None and typed not in column.allowed:
        return f"{value!r} is not a known value"
    if column.not_future and typed > (latest.moment if isinstance(typed, datetime) else latest.day):
        return f"{value!r} is later than the extraction"
    return None


class _ColumnReader(NamedTuple):
    column: Column
    keys: tuple[str, ...] | None  # the dotted path's keys; None for a path that collects a list
    typed: Callable[[Column, Any, str | None], tuple[str, Any]]
    has_rule: bool


@cache
def _column_readers(stream: Stream) -> tuple[_ColumnReader, ...]:
    """How each column is read and typed, worked out once per stream: every record of every page
    is read the same way, and the loader spends most of its time here."""
    readers = []
    for column in stream.columns:
        if column.pg_type not in _TYPED_BY_PG_TYPE:
            raise AssertionError(f"unhandled column type {column.pg_type}")
        has_rule = column.minimum is not None or column.positive or column.allowed is not None or column.not_future
        keys = None if "[*]" in column.path else _keys(column.path)
        readers.append(_ColumnReader(column, keys, _TYPED_BY_PG_TYPE[column.pg_type], has_rule))
    return tuple(readers)


def _get(record: Any, path: str) -> Any:
    if "[*]" in path:
        head, tail = path.split("[*]", 1)
        items = _get(record, head)
        if items is _MISSING or items is None:
            return _MISSING
        return [_get(item, tail.lstrip(".")) if tail else item for item in items]
    node = record
    for key in _keys(path):
        if not isinstance(node, dict) or key not in node:
            return _MISSING
        node = node[key]
    return node


@cache
def _keys(path: str) -> tuple[str, ...]:
    """A dotted path's keys, split once (every record of every page reads the same paths)."""
    return tuple(path.split("."))


def _leaves(record: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(record, dict) and record:
        for key, value in record.items():
            yield from _leaves(value, f"{prefix}.{key}" if prefix else key)
    else:
        yield prefix, record


class _KnownFields(NamedTuple):
    """The fields of one level of a stream's records that its columns read: None where a column
    takes the whole value, else the fields below it that they read."""

    fields: dict[str, _KnownFields | None]
    branches: tuple[tuple[str, _KnownFields], ...]  # the fields with known fields below them


@cache
def _known_fields(stream: Stream) -> _KnownFields:
    tree: dict = {}
    for column in stream.columns:
        *parents, last = column.path.split("[*]")[0].split(".")
        node = tree
        for key in parents:
            child = node.setdefault(key, {})
            if child is None:
                break
            node = child
        else:
            node[last] = None
    return _frozen_fields(tree)


def _frozen_fields(tree: dict) -> _KnownFields:
    fields = {key: None if below is None else _frozen_fields(below) for key, below in tree.items()}
    return _KnownFields(fields, tuple((key, below) for key, below in fields.items() if below is not None))


def _unknown_fields(known: _KnownFields, record: dict) -> dict[str, Any]:
    """Fields no column takes (`known`: the stream's _known_fields), kept in `_extra` so an upstream
    addition is never lost. Only the branches the columns leave open are walked."""
    unknown: dict[str, Any] = {}
    _collect_unknown(record, known, "", unknown)
    return unknown


def _collect_unknown(node: dict, known: _KnownFields, prefix: str, unknown: dict[str, Any]) -> None:
    fields = known.fields
    # Most levels of most records have no field the columns do not know: a set comparison says so.
    if not node.keys() <= fields.keys():
        for key, value in node.items():
            if key not in fields and value is not None:
                path = f"{prefix}.{key}" if prefix else key
                if isinstance(value, dict):
                    unknown.update((leaf, item) for leaf, item in _leaves(value, path) if item is not None)
                else:
                    unknown[path] = value
    for key, branch in known.branches:
        value = node.get(key)
        if value is None:
            continue
        path = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict) and value:
            _collect_unknown(value, branch, path, unknown)
        else:
            unknown[path] = value  # a value where the columns read fields below it


def page_records(stream: Stream, page: Page) -> Iterator[SourceRecord]:
    """The page's records; for a CSV file or an export the reader already paired each with its line."""
    body = page.body
    if stream.format == "csv" or page.records:
        yield from body
        return
    if stream.records_at == "":
        if not isinstance(body, dict):
            raise SourceDataError(stream, page.origin, "expected a JSON object (the record itself)")
        yield SourceRecord(1, body)
        return
    if stream.records_at.startswith("[*]."):
        key = stream.records_at[4:]
        if not isinstance(body, list) or not all(isinstance(batch, dict) for batch in body):
            raise SourceDataError(stream, page.origin, f"expected a JSON array of objects with {key!r}")
        lists = [batch.get(key) or [] for batch in body]
    else:
        key = stream.records_at
        if not isinstance(body, dict):
            raise SourceDataError(stream, page.origin, f"expected a JSON object with {key!r}")
        found = _get(body, key)
        lists = [[] if found is _MISSING else found or []]
    if not all(isinstance(records, list) for records in lists):
        raise SourceDataError(stream, page.origin, f"expected a list of records under {key!r}")
    for number, record in enumerate(chain.from_iterable(lists), start=1):
        yield SourceRecord(number, record)


def page_rows(stream: Stream, page: Page, window: Window) -> Iterator[Row | Rejection]:
    """The page's rows inside the window (every row, for a stream without a window column), and a
    Rejection for every record of the window that cannot be loaded.

    A record's day is typed first: a record of a sound, past day outside the window is not this
    run's and is not typed further (a monthly file holds a month; a night loads a few days of it).
    A record whose day cannot be read, or may lie in the future, is checked whole: it must not slip
    away as "outside this run's window". The quarantine keeps the entries of the records passed over
    open (load._quarantine): a run whose window holds their day checks them again.
    """
    known = _known_fields(stream)
    latest_allowed = _Latest.of(window)
    readers = _column_readers(stream)
    day_filter = _day_filter(stream, window, readers)
    latest: date | None = None
    undated = day_filter is None
    for line, source_record, fault in page_records(stream, page):
        if fault is None and not isinstance(source_record, dict):
            fault = ("(record)", "expected a JSON object")
        if fault is not None:
            typed = _typed_record(readers, stream, page, source_record, {}, latest_allowed)
            undated = True
            yield _rejection(stream, window, page, line, source_record, typed._replace(fault=fault))
            continue
        parts = stream.explode(source_record) if stream.explode else ((source_record, page.fields),)
        faults = set()  # a bad field shared by a record's parts (an ECB line's date) is one rejection
        for record, fields in parts:
            in_window = True
            typed = None
            if day_filter is not None:
                typed_day = _typed_record(day_filter.reader, stream, page, record, fields, latest_allowed)
                day = record_day(typed_day.values[0], window)
                if day is None:
                    undated = True
                elif latest is None or day > latest:
                    latest = day
                if typed_day.fault is None and day is not None:
                    in_window = day_filter.in_window(typed_day.values[0])
                    if not in_window and day < day_filter.may_be_future:
                        continue  # a sound, past day outside the window: not this run's
                    # The other columns, the day put back in its place: not typed twice.
                    typed = _typed_record(day_filter.other_readers, stream, page, record, fields, latest_allowed)
                    typed.texts.insert(day_filter.index, typed_day.texts[0])
                    typed.values.insert(day_filter.index, typed_day.values[0])
            if typed is None:
                typed = _typed_record(readers, stream, page, record, fields, latest_allowed)
            if typed.fault is not None:
                if typed.fault not in faults:
                    faults.add(typed.fault)
                    yield _rejection(stream, window, page, line, source_record, typed)
            elif in_window:
                extra = _unknown_fields(known, record)
                typed.texts.append(compact_json(extra) if extra else None)
                yield Row(line, typed.texts)
    if page.on_read is not None:
        page.on_read(latest, undated)


class _Typed(NamedTuple):
    texts: list[str | None]  # COPY text of every column
    values: list[Any]  # the same as Python values, None where typing failed
    fault: tuple[str, str] | None  # the first (field, reason) that rejects the record


def _typed_record(
    readers: tuple[_ColumnReader, ...],
    stream: Stream,
    page: Page,
    record: Any,
    fields: Mapping[str, str],
    latest: _Latest,
) -> _Typed:
    """Every column is typed even after a fault, so a rejection still knows its key and day;
    `fields` maps exploded paths back to the source field, so a reason names the field of the file."""
    texts: list[str | None] = []
    values: list[Any] = []
    fault = None
    empty_values, decimal = stream.empty_values, page.decimal
    for column, keys, typed, has_rule in readers:
        if keys is None:
            raw = _get(record, column.path)
        else:
            raw = record
            for key in keys:
                raw = raw.get(key, _MISSING) if isinstance(raw, dict) else _MISSING
        text = value = problem = None
        if (
            raw is _MISSING
            or raw is None
            or raw == ""
            or (empty_values and isinstance(raw, str) and raw in empty_values)
        ):
            if column.required:
                problem = "required field is missing" if raw is _MISSING else "required field is empty"
        elif typed is not _typed_jsonb and isinstance(raw, (dict, list)):
            problem = f"expected a {column.pg_type} value, got a JSON {type(raw).__name__}"
        else:
            try:
                text, value = typed(column, raw, decimal)
                if has_rule:
                    problem = _broken_rule(column, raw, value, latest)
            except ValueError as exc:
                problem = str(exc)
        if problem and fault is None:
            fault = (fields.get(column.path, column.path), problem)
        texts.append(text)
        values.append(value)
    return _Typed(texts, values, fault)


def _rejection(stream: Stream, window: Window, page: Page, line: int, source_record: Any, typed: _Typed) -> Rejection:
    names = [column.name for column in stream.columns]
    key = {name: typed.texts[names.index(name)] for name in stream.natural_key}
    field, reason = typed.fault
    day = typed.values[names.index(stream.window_column)] if stream.window_column else None
    return Rejection(
        origin=page.origin,
        line=line,
        field=field,
        reason=reason,
        record=source_record,
        natural_key=key if None not in key.values() else None,
        record_day=record_day(day, window),
    )


def record_day(value: date | datetime | None, window: Window) -> date | None:
    """The day a window-column value falls on, as the window counts days."""
    return value.astimezone(window.tz).date() if isinstance(value, datetime) else value


class _DayFilter(NamedTuple):
    index: int  # the window column's
    reader: tuple[_ColumnReader]  # the window column's reader alone, to type a record's day first
    other_readers: tuple[_ColumnReader, ...]  # the readers of the other columns, in order
    in_window: Callable[[date | datetime], bool]  # of a typed day, the window's reach back included
    # Records outside the window of a day before this are not typed further (first_day_that_may_be_future).
    may_be_future: date


def _day_filter(stream: Stream, window: Window, readers: tuple[_ColumnReader, ...]) -> _DayFilter | None:
    """None for a stream without a window column: every record read is this run's."""
    if stream.window_column is None:
        return None
    index = [column.name for column in stream.columns].index(stream.window_column)
    reader = readers[index]
    reach_back = timedelta(days=stream.reach_back_days)
    if reader.column.pg_type == "date":
        low, high = window.first_day - reach_back, window.last_day + timedelta(days=1)
    else:
        low, high = window.start_utc - reach_back, window.end_utc
    return _DayFilter(
        index,
        (reader,),
        readers[:index] + readers[index + 1 :],
        lambda value: low <= value < high,
        first_day_that_may_be_future(window),
    )
