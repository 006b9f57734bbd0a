"""The one config file, `smarketing.yml`: sources, warehouse, report and shared definitions.

Validated up front so that a typo fails with the file, key and bad value named, not as a
KeyError deep inside a nightly task.
"""

from __future__ import annotations

import codecs
import os
import re
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from smarketing.extract import STREAMS, streams_of
from smarketing.funnel_definitions import Definitions

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG_PATH = REPO_ROOT / "smarketing.yml"
# The connectors that exist (those declaring streams); a source's key in `sources` names one of them.
SOURCE_KINDS = tuple(STREAMS)


class ConfigError(ValueError):
    """A config file that cannot be used; the message names file, key and value."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# Days re-read every night when a source gives no `lookback_days`: how far back each platform
# still revises its numbers (Google Ads conversions 30+ days, Meta's attribution 28 days); CRMs
# only need to catch records changed while a run was late; ECB rates are never revised.
DEFAULT_LOOKBACK_DAYS = {
    "google_ads": 30,
    "meta_ads": 28,
    "yandex_direct": 30,
    "linkedin_ads": 7,
    "hubspot": 3,
    "salesforce": 3,
    "amocrm": 3,
    "bitrix24": 3,
    "fx_rates": 10,
}
FALLBACK_LOOKBACK_DAYS = 3

# What an API source's `accounts` lists: an ad platform's connection reaches many accounts and
# reads those listed; a CRM's connection is one portal, org or account, so it takes none.
ACCOUNTS_LISTED = {
    "google_ads": "customer ids",
    "meta_ads": "ad account ids",
    "linkedin_ads": "ad account ids",
    "yandex_direct": "client logins",
}
ONE_ACCOUNT_PER_CONNECTION = {
    "hubspot": "one HubSpot portal (its access token's)",
    "salesforce": "one Salesforce org",
    "amocrm": "one amoCRM account (the connection's host)",
    "bitrix24": "one Bitrix24 portal (its webhook's)",
}


def _known_zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError("is not an IANA time zone (e.g. Europe/Berlin)") from None
    return value


def _known_encoding(value: str) -> str:
    try:
        codecs.lookup(value)
    except LookupError:
        raise ValueError("is not an encoding Python knows (e.g. utf-8, cp1251)") from None
    return value


ZoneName = Annotated[str, AfterValidator(_known_zone)]
EncodingName = Annotated[str, AfterValidator(_known_encoding)]


class ExportColumn(_Strict):
    """Where one column of the stream comes from in an export: a heading of the file, or a fixed
    value for what the export does not carry (the account's id or time zone)."""

    # The export's heading; `*` and `?` match any text ("Amount spent (*)" takes the currency's).
    header: Annotated[str, Field(min_length=1)] | None = None
    value: str | None = None
    # Numbers: multiplied after reading (money in currency units -> micros: 1000000); a product
    # for an integer column is rounded to the nearest integer (sub-micro float noise).
    multiply: Decimal | None = None
    # Dates and timestamps: the strptime format the export writes them in ("%d.%m.%Y"); ISO
    # dates and real spreadsheet date cells are read as well.
    format: Annotated[str, Field(min_length=2)] | None = None
    # The export's labels -> the stream's values ("Marketing Qualified Lead": marketingqualifiedlead);
    # values not listed load as written.
    values: dict[str, str] = {}
    # The export may leave this heading out (a preset's optional columns); its column then has no
    # value. Otherwise a file without the heading fails.
    optional: bool = False

    @model_validator(mode="before")
    @classmethod
    def _heading_alone(cls, data: object) -> object:
        return {"header": data} if isinstance(data, str) else data

    @model_validator(mode="after")
    def _one_origin(self) -> ExportColumn:
        if (self.header is None) == (self.value is None):
            raise ValueError("give either `header` (the export's column heading) or `value` (a fixed value)")
        if self.value is not None and (self.multiply or self.format or self.values or self.optional):
            raise ValueError("a fixed `value` takes no `multiply`, `format`, `values` or `optional`")
        return self


class ExportConfig(_Strict):
    """One kind of export file in a file drop, loaded into one of the source's streams by mapping
    its headings onto the stream's columns. Headings nobody maps land in `_extra`."""

    # A preset of export_presets.yml: its keys are the defaults of the ones given here.
    preset: str | None = None
    stream: Annotated[str, Field(min_length=1)]
    # Glob below the source folder; .xlsx files are read as workbooks, any other as CSV.
    files: Annotated[str, Field(min_length=1)]
    # Workbooks: the sheet to read (default: the first).
    sheet: Annotated[str, Field(min_length=1)] | None = None
    # Title lines (rows) above the heading row, e.g. the report name and its date range.
    skip_rows: Annotated[int, Field(ge=0, le=100)] = 0
    # Rows whose first cell starts with one of these are no records (totals: "Total: Account").
    ignore_rows_starting_with: list[Annotated[str, Field(min_length=1)]] = []
    # Cells that mean "no value" ("--" in Google Ads reports).
    empty_values: list[str] = []
    # Timestamps without a UTC offset are times of this zone (the CRM account's).
    timezone: ZoneName | None = None
    # Default: the source's `encoding`, `csv_delimiter` and `decimal_separator`.
    encoding: EncodingName | None = None
    csv_delimiter: Annotated[str, Field(min_length=1, max_length=1)] | None = None
    decimal_separator: Literal[".", ","] | None = None
    # Stream column name -> the export's heading, or an ExportColumn.
    columns: Annotated[dict[str, ExportColumn], Field(min_length=1)]


def _presets() -> dict[str, dict]:
    return yaml.safe_load((Path(__file__).parent / "extract" / "export_presets.yml").read_text(encoding="utf-8"))


class SourceConfig(_Strict):
    """One configured source; its name in `sources` picks the connector. It is read either from a
    file drop (`path`) or from the platform's API (`conn_id`), never both."""

    # A file drop folder holding the source's exports or API pages.
    path: Path | None = None
    # The Airflow connection holding the API's base URL and credentials (secrets never go here).
    conn_id: Annotated[str, Field(min_length=1)] | None = None
    # The platform's accounts to read (Google Ads customer ids, ...); an API source reads each.
    accounts: list[Annotated[str, Field(min_length=1)]] = []
    # None in the file: DEFAULT_LOOKBACK_DAYS of the source; after validation always a number.
    lookback_days: Annotated[int, Field(ge=0, le=365)] | None = None
    enabled: bool = True
    # How many days the loaded data may end before the run's last day before the source counts
    # as stale (a quality warning and the report's banner). 0: every night must load yesterday.
    max_lag_days: Annotated[int, Field(ge=0, le=365)] = 0
    # Text files of the drop (CSV exports): their encoding when they carry no UTF-8 byte order
    # mark (Russian-locale Excel saves cp1251), the field delimiter (None: detected from the
    # header line among , ; tab |) and the decimal separator of numbers ("," in most of Europe;
    # thousands separators - spaces, no-break spaces and the other mark - are then dropped).
    encoding: EncodingName = "utf-8"
    csv_delimiter: Annotated[str, Field(min_length=1, max_length=1)] | None = None
    decimal_separator: Literal[".", ","] = "."
    # Platform and CRM exports (CSV or .xlsx) in the file drop, each mapped onto a stream; see
    # docs/sources/exports.md.
    exports: list[ExportConfig] = []

    @field_validator("accounts")
    @classmethod
    def _stripped(cls, value: list[str]) -> list[str]:
        return [account.strip() for account in value]

    @model_validator(mode="after")
    def _one_way_in(self) -> SourceConfig:
        if (self.path is None) == (self.conn_id is None):
            raise ValueError(
                "give either `path` (a file drop folder) or `conn_id` (the Airflow connection of the API), "
                + ("not both" if self.path is not None else "neither is set")
            )
        return self

    @model_validator(mode="after")
    def _exports_are_files(self) -> SourceConfig:
        if self.exports and self.path is None:
            raise ValueError("`exports` are files of a file drop: give `path`")
        return self

    @property
    def is_api(self) -> bool:
        return self.conn_id is not None


class AlertsConfig(_Strict):
    """Who hears about a failed run: a critical quality check, a source that could not be loaded."""

    recipients: Annotated[list[EmailStr], Field(min_length=1)]
    # Default: report.sender and report.smtp_conn_id.
    sender: EmailStr | None = None
    smtp_conn_id: str | None = None


class WarehouseConfig(_Strict):
    # The Airflow connection that names the warehouse; when it is not defined anywhere the
    # project starts its own embedded PostgreSQL.
    conn_id: str = "smarketing_warehouse"
    # Models dbt builds at once (dbt's `threads`), in the nightly DAG and by hand. dbt's own default
    # is 1: the nightly's dbt step on the 2-core embedded warehouse at 1M ad rows took 61.5 s with 1,
    # 47.2 s with 2.
    dbt_threads: Annotated[int, Field(ge=1)] = 2


# Each edition's default schedule: cron in the report time zone, after the nightly run (04:00).
EDITION_SCHEDULES = {"daily": "30 6 * * *", "weekly": "0 7 * * 1", "monthly": "0 7 1 * *"}


class Edition(_Strict):
    """One edition of the report (daily, weekly, monthly): when it goes out and to whom."""

    enabled: bool = True
    # Cron expression (5 fields) in the report time zone.
    schedule: str
    # None in the file means report.recipients; after validation always the resolved list.
    recipients: Annotated[list[EmailStr], Field(min_length=1)] | None = None
    top_campaigns: Annotated[int, Field(ge=1, le=100)] = 10

    @field_validator("schedule")
    @classmethod
    def _cron(cls, value: str) -> str:
        from croniter import croniter  # Airflow's own cron parser

        if len(value.split()) != 5 or not croniter.is_valid(value):
            raise ValueError("is not a 5-field cron expression (minute hour day month weekday), e.g. '30 6 * * *'")
        return value


class ReportEditions(_Strict):
    daily: Edition = Edition(schedule=EDITION_SCHEDULES["daily"])
    weekly: Edition = Edition(schedule=EDITION_SCHEDULES["weekly"])
    monthly: Edition = Edition(schedule=EDITION_SCHEDULES["monthly"])

    @model_validator(mode="before")
    @classmethod
    def _default_schedules(cls, data: object) -> object:
        """An edition given without `schedule` keeps its own default, not one shared by all."""
        if not isinstance(data, dict):
            return data
        data = dict(data)
        for name, schedule in EDITION_SCHEDULES.items():
            if name in data and data[name] is None:
                data[name] = {}
            if isinstance(data.get(name), dict) and "schedule" not in data[name]:
                data[name] = {"schedule": schedule, **data[name]}
        return data

    def items(self) -> list[tuple[str, Edition]]:
        return [(name, getattr(self, name)) for name in EDITION_SCHEDULES]


class ReportConfig(_Strict):
    # Declared before `editions`: an edition without recipients inherits these.
    recipients: Annotated[list[EmailStr], Field(min_length=1)]
    sender: EmailStr
    subject: str = "smarketing: joint marketing & sales KPIs"
    smtp_conn_id: str = "smtp_default"
    editions: ReportEditions = Field(default_factory=ReportEditions, validate_default=True)

    @field_validator("subject")
    @classmethod
    def _no_header_injection(cls, value: str) -> str:
        if "\r" in value or "\n" in value:
            raise ValueError("must be one line (no CR/LF)")
        return value

    @field_validator("editions")
    @classmethod
    def _inherit_recipients(cls, editions: ReportEditions, info: ValidationInfo) -> ReportEditions:
        recipients = info.data.get("recipients")
        if recipients is None:  # invalid or missing: reported under report.recipients
            return editions
        return editions.model_copy(
            update={
                name: edition.model_copy(update={"recipients": list(recipients)})
                for name, edition in editions.items()
                if edition.recipients is None
            }
        )


class Config(_Strict):
    timezone: ZoneName = "Europe/Berlin"
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")] = "EUR"
    schedule: str = "0 4 * * *"
    history_days: Annotated[int, Field(ge=1, le=3650)] = 90
    warehouse: WarehouseConfig = WarehouseConfig()
    sources: Annotated[dict[str, SourceConfig], Field(min_length=1)]
    report: ReportConfig
    # None: failures are only in Airflow's task logs and `make quality`.
    alerts: AlertsConfig | None = None
    definitions: Definitions = Definitions()

    @model_validator(mode="before")
    @classmethod
    def _apply_presets(cls, data: object) -> object:
        """An export naming a preset gets the preset's keys where it gives none (its columns merged)."""
        if not isinstance(data, dict) or not isinstance(data.get("sources"), dict):
            return data
        presets, errors = _presets(), []
        sources = dict(data["sources"])
        for name, source in sources.items():
            if not isinstance(source, dict) or not isinstance(source.get("exports"), list):
                continue
            exports = []
            for number, export in enumerate(source["exports"]):
                preset = presets.get(export.get("preset")) if isinstance(export, dict) else None
                if isinstance(export, dict) and "preset" in export and (preset is None or preset["source"] != name):
                    known = ", ".join(key for key, value in presets.items() if value["source"] == name) or "none"
                    message = f"is not a preset of {name} exports (known: {known})"
                    errors.append(_error(("sources", name, "exports", number, "preset"), export["preset"], message))
                elif preset is not None:
                    columns = {**preset.get("columns", {}), **(export.get("columns") or {})}
                    fields = {key: value for key, value in preset.items() if key != "source"}
                    export = {**fields, **export, "columns": columns}
                exports.append(export)
            sources[name] = {**source, "exports": exports}
        if errors:
            raise ValidationError.from_exception_data("Config", errors)
        return {**data, "sources": sources}

    @field_validator("sources")
    @classmethod
    def _source_names_are_identifiers(cls, value: dict[str, SourceConfig]) -> dict[str, SourceConfig]:
        unknown = sorted(set(value) - set(SOURCE_KINDS))
        if unknown:
            raise ValueError(f"unknown source {unknown[0]!r}; known sources: {', '.join(SOURCE_KINDS)}")
        return {name: _with_defaults(name, source) for name, source in value.items()}

    @model_validator(mode="after")
    def _exports_fit_their_streams(self) -> Config:
        errors = [
            _error(("sources", name, "exports", number, *key), value, message)
            for name, source in self.sources.items()
            for number, export in enumerate(source.exports)
            for key, value, message in _export_misfits(name, export)
        ]
        if errors:
            raise ValidationError.from_exception_data("Config", errors)
        return self

    @cached_property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def enabled_sources(self) -> dict[str, SourceConfig]:
        return {name: source for name, source in self.sources.items() if source.enabled}

    def history_start(self, last_day: date) -> date:
        return last_day - timedelta(days=self.history_days - 1)


def _with_defaults(name: str, source: SourceConfig) -> SourceConfig:
    if source.is_api and name in ACCOUNTS_LISTED and not source.accounts:
        raise ValueError(f"sources.{name}.accounts: list the {ACCOUNTS_LISTED[name]} to read")
    if source.is_api and name in ONE_ACCOUNT_PER_CONNECTION and source.accounts:
        raise ValueError(
            f"sources.{name}.accounts: the connection reads {ONE_ACCOUNT_PER_CONNECTION[name]}; remove `accounts`"
        )
    update: dict[str, object] = {}
    if source.lookback_days is None:
        update["lookback_days"] = DEFAULT_LOOKBACK_DAYS.get(name, FALLBACK_LOOKBACK_DAYS)
    if name == "google_ads":
        update["accounts"] = [_google_ads_customer_id(account) for account in source.accounts]
    return source.model_copy(update=update)


def _google_ads_customer_id(account: str) -> str:
    """The UI writes customer ids as 123-456-7890; the API wants the 10 digits alone."""
    digits = account.replace("-", "")
    if not (digits.isascii() and digits.isdigit() and len(digits) == 10):
        raise ValueError(f"sources.google_ads.accounts: {account!r} is not a Google Ads customer id (10 digits)")
    return digits


def _error(loc: tuple, value: object, message: str) -> InitErrorDetails:
    # The message goes in as context: a brace in it is no template placeholder.
    return InitErrorDetails(
        type=PydanticCustomError("value_error", "{message}", {"message": message}), loc=loc, input=value
    )


_TYPED_BY_READING = {"multiply": ("bigint", "numeric"), "format": ("date", "timestamptz")}


def _export_misfits(source: str, export: ExportConfig) -> Iterator[tuple[tuple, object, str]]:
    """(key below the export, value, why) for every way the export cannot fill its stream."""
    streams = {stream.name: stream for stream in streams_of(source)}
    stream = streams.get(export.stream)
    if stream is None:
        yield ("stream",), export.stream, f"is not a stream of {source} (streams: {', '.join(streams)})"
        return
    columns = {column.name: column for column in stream.columns}
    for name, mapped in export.columns.items():
        column = columns.get(name)
        if column is None:
            yield ("columns", name), None, f"{source}/{stream.name} has no column {name!r}"
        elif "[*]" in column.path:
            yield ("columns", name), None, f"{name} collects a list; an export cannot fill it"
        else:
            for option, kinds in _TYPED_BY_READING.items():
                if getattr(mapped, option) is not None and column.pg_type not in kinds:
                    yield ("columns", name, option), getattr(mapped, option), f"is for {' or '.join(kinds)} columns"
            if mapped.format is not None and not re.search(r"%[dj]", mapped.format):
                yield ("columns", name, "format"), mapped.format, "names no day (%d)"
    timestamps = [name for name in export.columns if name in columns and columns[name].pg_type == "timestamptz"]
    if timestamps and export.timezone is None:
        yield ("timezone",), None, f"{', '.join(timestamps)}: timestamps; give the time zone the export's times are in"
    for column in stream.columns:
        if column.required and column.name not in export.columns:
            reason = (
                f"{source}/{stream.name} needs {column.name}: map it to a heading of the export, "
                "or give it a fixed `value` when the export does not carry it"
            )
            yield ("columns", column.name), None, reason


def _format_errors(path: Path, error: ValidationError, raw: dict) -> str:
    lines = [f"{path}: invalid configuration"]
    for item in error.errors():
        key = ".".join(str(part) for part in item["loc"])
        value = _lookup(raw, item["loc"])
        shown = "missing" if value is _MISSING else f"value {value!r}"
        lines.append(f"  key {key}: {shown}: {item['msg'].removeprefix('Value error, ')}")
    return "\n".join(lines)


_MISSING = object()


def _lookup(raw: object, loc: tuple) -> object:
    node = raw
    for part in loc:
        if (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and part < len(node)
        ):
            node = node[part]
        else:
            return _MISSING
    return node


def config_path() -> Path:
    return Path(os.environ.get("SMARKETING_CONFIG", DEFAULT_CONFIG_PATH)).resolve()


def load_config(path: Path | None = None) -> Config:
    """Read and validate the config; relative source paths are resolved against its folder."""
    path = (path or config_path()).resolve()
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found (set SMARKETING_CONFIG)") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: top level must be a mapping of keys")
    try:
        config = Config.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(_format_errors(path, exc, raw)) from None
    sources = {
        name: source.model_copy(update={"path": (path.parent / source.path).resolve()}) if source.path else source
        for name, source in config.sources.items()
    }
    return config.model_copy(update={"sources": sources})
