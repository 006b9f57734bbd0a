"""A stream is declared as data: where its pages are, which fields become typed columns, its
natural key and how a re-read window replaces earlier rows. One reader and one loader serve
every stream, so adding a source means declaring streams, not writing another loader."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Column:
    name: str
    pg_type: str  # text, bigint, numeric, date, timestamptz, boolean, jsonb
    path: str  # dotted path in the record; `a.b[*].c` collects a list
    required: bool = False
    # Row-level rules: a value breaking one quarantines its row (see smarketing.load).
    minimum: Decimal | None = None  # numbers: the smallest value allowed (spend, counts: 0)
    positive: bool = False  # numbers: must be > 0 (an exchange rate)
    allowed: frozenset[str] | None = None  # text: the only values allowed (e.g. CURRENCY_CODES)
    # Dates and timestamps of something that already happened (a spend day, a record's creation),
    # unlike a deal's expected close date: a value later than the extraction is impossible.
    not_future: bool = False
    # The CRM field's values must be listed in the shared definitions' crm_stage_map for this CRM
    # (checked by the raw quality suite: an unmapped value is a warning, not a rejected row): True
    # where crm_mappings names the field as the column is named, else the name it uses there
    # (Salesforce's `Lead.Status`, as Status is also a field of other objects).
    maps_stage: bool | str = False
    # A timestamptz sent as Unix seconds (amoCRM's created_at, updated_at, closed_at), not ISO-8601 text.
    unix_seconds: bool = False

    @property
    def stage_field(self) -> str | None:
        """The field's name in crm_mappings, if its values are funnel stages."""
        return self.name if self.maps_stage is True else self.maps_stage or None


@dataclass(frozen=True)
class Stream:
    source: str
    name: str
    files: str  # glob below the source folder
    # Where the records are in one page: "results" (dotted for a nested list: "_embedded.leads"),
    # "[*].results" for a list of batches, or "" when the page is itself the one record (an
    # object's own endpoint, e.g. an ad account's settings).
    records_at: str
    columns: tuple[Column, ...]
    natural_key: tuple[str, ...]
    # A date or timestamp column: rows outside the extract window are not this run's. None for a
    # stream that is not a series of days (an account's settings): every row read is this run's.
    window_column: str | None
    # Ad platforms restate recent days: a re-read replaces the window's rows of the accounts it
    # covers, so a row the platform no longer reports disappears. CRMs only merge by key.
    replace_scope: tuple[str, ...] | None = None
    # How a page file is read: "json" (one JSON document) or "csv" (a header row, then one
    # record per line, each a dict of header -> text; its number is the line in the file).
    format: str = "json"
    # Turns one source record into several (e.g. a wide row of rates into one per currency):
    # yields (record, fields), `fields` naming for each column path the source field it came
    # from, so an error still names the field of the file.
    explode: Callable[[dict], Iterable[tuple[dict, Mapping[str, str]]]] | None = None
    # A series that is carried forward (FX rates: a day's rate is the last one published on or
    # before it) needs its last value before the window too: rows this many days before the
    # window's first day are loaded as well (merged by key, never deleted by a replace scope).
    reach_back_days: int = 0
    # Text that means "no value" in this source's records ("--" in Yandex Direct reports): read
    # as an empty field, so a number column is null rather than a rejected row.
    empty_values: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if self.format not in ("json", "csv"):
            raise ValueError(f"{self.source}/{self.name}: unknown page format {self.format!r}")
        if self.window_column is None and (self.replace_scope or self.reach_back_days):
            raise ValueError(f"{self.source}/{self.name}: a replace scope or reach back needs a window column")
        if self.window_column is not None and not self.column(self.window_column).required:
            raise ValueError(f"{self.source}/{self.name}: the window column {self.window_column} must be required")

    @property
    def table(self) -> str:
        return f"{self.source}__{self.name}"

    def column(self, name: str) -> Column:
        return next(column for column in self.columns if column.name == name)


@dataclass(frozen=True)
class Window:
    """The days one run extracts, inclusive, as days of the configured time zone."""

    first_day: date
    last_day: date
    tz: ZoneInfo
    # When the source was read: a `not_future` value later than this is impossible.
    extracted_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def start_utc(self) -> datetime:
        return datetime.combine(self.first_day, time(), self.tz).astimezone(ZoneInfo("UTC"))

    @property
    def end_utc(self) -> datetime:
        return datetime.combine(self.last_day + timedelta(days=1), time(), self.tz).astimezone(ZoneInfo("UTC"))

    def __str__(self) -> str:
        return f"{self.first_day}..{self.last_day}"
