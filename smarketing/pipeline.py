"""The nightly steps as plain functions: the DAG wires them, tests and the CLI call them too."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import date, datetime, timedelta
from importlib import import_module

import psycopg

from smarketing.config import Config, SourceConfig
from smarketing.definitions import publish_definitions
from smarketing.extract import API_CONNECTORS, STREAMS, streams_of
from smarketing.extract.cursors import Cursors, load_with_cursors
from smarketing.extract.files import FileFormat, read_pages
from smarketing.extract.records import PageReader
from smarketing.extract.streams import Stream, Window
from smarketing.load import (
    OPS_SCHEMA,
    LoadResult,
    ensure_ops_schema,
    ensure_quarantine_schema,
    ensure_raw_table,
)
from smarketing.warehouse.access import grant_analyst_access
from smarketing.warehouse.connection import relation_exists


def prepare_warehouse(conn: psycopg.Connection, config: Config) -> str:
    """What every later step relies on: the published definitions (returns their version), every
    connector's raw table (empty when not configured, so dbt's sources always exist), grants."""
    version = publish_definitions(conn, config)
    with conn.transaction():
        ensure_ops_schema(conn)
        ensure_quarantine_schema(conn)
        for streams in STREAMS.values():
            for stream in streams:
                ensure_raw_table(conn, stream)
    grant_analyst_access(conn)
    return version


def last_day_of_run(data_interval_end: datetime, config: Config) -> date:
    """The last whole day a run covers: the day before its interval ends, in the report time zone.

    A run at 04:00 on the 24th reports through the 23rd, whatever time zone Airflow uses.
    """
    return data_interval_end.astimezone(config.tz).date() - timedelta(days=1)


def extract_window(conn: psycopg.Connection, config: Config, stream: Stream, last_day: date) -> Window:
    """The first run loads the history window; later runs their day plus the source's lookback,
    reaching back further when nights were missed so no day is ever skipped."""
    history_start = config.history_start(last_day)
    previous = _last_loaded_day(conn, stream)
    if previous is None:
        first_day = history_start
    else:
        lookback_start = last_day - timedelta(days=config.sources[stream.source].lookback_days)
        first_day = max(history_start, min(lookback_start, previous + timedelta(days=1)))
    return Window(first_day=first_day, last_day=last_day, tz=config.tz)


def _last_loaded_day(conn: psycopg.Connection, stream: Stream) -> date | None:
    if not relation_exists(conn, f"{OPS_SCHEMA}.load_batches"):
        return None
    return conn.execute(
        f"select max(last_day) from {OPS_SCHEMA}.load_batches where source = %s and stream = %s",
        (stream.source, stream.name),
    ).fetchone()[0]


class SourceLoadError(RuntimeError):
    """Streams of one source that could not be loaded; the source's other streams were."""

    def __init__(self, source: str, failures: dict[str, Exception], streams: int) -> None:
        named = {stream: f"{source}/{stream}" for stream in failures}
        # A SourceDataError already starts with its source/stream; other errors get it.
        listed = "\n".join(
            f"  {error}" if str(error).startswith(named[stream]) else f"  {named[stream]}: {error}"
            for stream, error in failures.items()
        )
        super().__init__(f"{source}: {len(failures)} of {streams} streams not loaded (the others were):\n{listed}")
        self.failures = failures


@contextmanager
def page_reader(source: str, settings: SourceConfig) -> Iterator[PageReader]:
    """The source's file drop or API, open for one run (an API's token is fetched once for all streams)."""
    if not settings.is_api:
        file_format = FileFormat(settings.encoding, settings.csv_delimiter, settings.decimal_separator)
        yield lambda stream, window, cursors: read_pages(
            stream, settings.path, file_format, settings.exports, window, cursors
        )
        return
    if source not in API_CONNECTORS:
        raise ValueError(f"sources.{source}.conn_id: {source} has no API connector yet; give a file drop `path`")
    with closing(import_module(f"smarketing.extract.{source}_api").connect(settings)) as api:
        yield api.pages


def extract_and_load(conn: psycopg.Connection, config: Config, source: str, last_day: date) -> list[LoadResult]:
    """Every stream of one source, each in its own transaction. A stream that fails (recorded in
    ops.load_failures) does not keep the others from loading; then one error names every failure."""
    streams = streams_of(source)
    results = []
    failures: dict[str, Exception] = {}
    with page_reader(source, config.sources[source]) as pages:
        for stream in streams:
            window = extract_window(conn, config, stream, last_day)
            cursors = Cursors.read(conn, stream)
            try:
                results.append(load_with_cursors(conn, stream, pages(stream, window, cursors), window, cursors))
            except Exception as error:
                failures[stream.name] = error
    if failures:
        raise SourceLoadError(source, failures, len(streams)) from next(iter(failures.values()))
    return results
