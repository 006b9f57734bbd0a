"""The one config file, `smarketing.yml`: sources, warehouse, report and shared definitions.

Validated up front so that a typo fails with the file, key and bad value named, not as a
KeyError deep inside a nightly task.
"""

from __future__ import annotations

import codecs
import os
from datetime import date, timedelta
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from smarketing.extract import STREAMS
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
    encoding: str = "utf-8"
    csv_delimiter: Annotated[str, Field(min_length=1, max_length=1)] | None = None
    decimal_separator: Literal[".", ","] = "."

    @field_validator("encoding")
    @classmethod
    def _known_encoding(cls, value: str) -> str:
        try:
            codecs.lookup(value)
        except LookupError:
            raise ValueError("is not an encoding Python knows (e.g. utf-8, cp1251)") from None
        return value

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
    timezone: str = "Europe/Berlin"
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")] = "EUR"
    schedule: str = "0 4 * * *"
    history_days: Annotated[int, Field(ge=1, le=3650)] = 90
    warehouse: WarehouseConfig = WarehouseConfig()
    sources: Annotated[dict[str, SourceConfig], Field(min_length=1)]
    report: ReportConfig
    # None: failures are only in Airflow's task logs and `make quality`.
    alerts: AlertsConfig | None = None
    definitions: Definitions = Definitions()

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("is not an IANA time zone (e.g. Europe/Berlin)") from None
        return value

    @field_validator("sources")
    @classmethod
    def _source_names_are_identifiers(cls, value: dict[str, SourceConfig]) -> dict[str, SourceConfig]:
        unknown = sorted(set(value) - set(SOURCE_KINDS))
        if unknown:
            raise ValueError(f"unknown source {unknown[0]!r}; known sources: {', '.join(SOURCE_KINDS)}")
        return {name: _with_defaults(name, source) for name, source in value.items()}

    @cached_property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def enabled_sources(self) -> dict[str, SourceConfig]:
        return {name: source for name, source in self.sources.items() if source.enabled}

    def history_start(self, last_day: date) -> date:
        return last_day - timedelta(days=self.history_days - 1)


def _with_defaults(name: str, source: SourceConfig) -> SourceConfig:
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
