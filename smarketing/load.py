"""Loading a stream into `raw`: COPY into a staging table, then one transaction merges it.

The merge is by natural key and writes a row only when its data changed, so loading the same
interval twice changes nothing at all (not even `_batch_id`). For streams with a replace scope
(ad platforms), rows of the re-read window that the source no longer reports are deleted.

Records that cannot be loaded (a bad value, a ragged line, two versions of one key that disagree)
go to quarantine.rejected_rows in the same transaction and the rest of the batch loads. An entry
stays open while the source keeps sending the record; the first run that covers it and no longer
rejects it releases it. A failure anywhere rolls the whole batch back, raw and quarantine alike,
and is recorded in ops.load_failures.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from smarketing.extract.records import (
    Page,
    Rejection,
    SourceDataError,
    compact_json,
    first_day_that_may_be_future,
    line_unit,
    page_rows,
    record_day,
)
from smarketing.extract.streams import Stream, Window
from smarketing.warehouse.connection import relation_exists

RAW_SCHEMA = "raw"
OPS_SCHEMA = "ops"
QUARANTINE_SCHEMA = "quarantine"
META_COLUMNS = (
    ("_extra", "jsonb"),
    ("_batch_id", "text not null"),
    ("_loaded_at", "timestamptz not null"),
    ("_source_origin", "text not null"),
    ("_source_line", "integer not null"),
)
# More rejections than this in one batch is a systemic problem (a changed export format): the
# load fails loudly instead of quarantining the whole source, and memory stays bounded.
MAX_REJECTIONS = 10_000


@dataclass(frozen=True)
class LoadResult:
    source: str
    stream: str
    batch_id: str
    window: str
    rows_read: int  # rows of the window read from the source and merged (quarantined ones not counted)
    rows_inserted: int
    rows_updated: int
    rows_deleted: int
    rows_quarantined: int  # records this batch rejected, whether or not an earlier batch already had


def ensure_ops_schema(conn: psycopg.Connection) -> None:
    conn.execute(f"create schema if not exists {OPS_SCHEMA}")
    conn.execute(
        f"""
        create table if not exists {OPS_SCHEMA}.load_batches (
            batch_id text primary key,
            source text not null,
            stream text not null,
            first_day date not null,
            last_day date not null,
            rows_read bigint not null,
            rows_inserted bigint not null,
            rows_updated bigint not null,
            rows_deleted bigint not null,
            pages_read integer not null,
            started_at timestamptz not null,
            finished_at timestamptz not null,
            rows_quarantined bigint not null default 0
        )
        """
    )
    # A warehouse from before quarantine lacks the column. Looked up first: ALTER TABLE locks the
    # table until commit even when there is nothing to add, which would queue the parallel loads.
    has_column = conn.execute(
        "select 1 from information_schema.columns "
        "where table_schema = %s and table_name = 'load_batches' and column_name = 'rows_quarantined'",
        (OPS_SCHEMA,),
    ).fetchone()
    if not has_column:
        conn.execute(
            f"alter table {OPS_SCHEMA}.load_batches add column if not exists rows_quarantined bigint not null default 0"
        )
    conn.execute(
        f"""
        create table if not exists {OPS_SCHEMA}.load_failures (
            source text,
            stream text,
            first_day date,
            last_day date,
            error text,
            failed_at timestamptz
        )
        """
    )
    # Written by smarketing.dbt_failures as dbt reports each failed model or test.
    conn.execute(
        f"""
        create table if not exists {OPS_SCHEMA}.dbt_failures (
            node text not null,
            status text not null,
            message text,
            failed_at timestamptz not null default now()
        )
        """
    )


def ensure_quarantine_schema(conn: psycopg.Connection) -> None:
    """Rejected records; an entry is open while `released_at` is null."""
    conn.execute(f"create schema if not exists {QUARANTINE_SCHEMA}")
    conn.execute(
        f"""
        create table if not exists {QUARANTINE_SCHEMA}.rejected_rows (
            rejection_id bigserial primary key,
            source text not null,
            stream text not null,
            batch_id text not null,
            origin text not null,
            line integer,
            field text not null,
            reason text not null,
            record jsonb,
            natural_key jsonb,
            record_day date,
            quarantined_at timestamptz not null,
            released_at timestamptz,
            released_by_batch text
        )
        """
    )
    # Looked up first, as CREATE INDEX locks out the inserts of loads running in parallel even
    # when the index exists.
    if not relation_exists(conn, f"{QUARANTINE_SCHEMA}.rejected_rows_open"):
        conn.execute(
            f"create index rejected_rows_open on {QUARANTINE_SCHEMA}.rejected_rows (source, stream, origin) "
            "where released_at is null"
        )


def ensure_raw_table(conn: psycopg.Connection, stream: Stream) -> None:
    """Create the raw table, and add columns a newer stream declaration has (never drops)."""
    conn.execute(sql.SQL("create schema if not exists {}").format(sql.Identifier(RAW_SCHEMA)))
    table = sql.Identifier(RAW_SCHEMA, stream.table)
    columns = [(c.name, c.pg_type + (" not null" if c.name in stream.natural_key else "")) for c in stream.columns]
    columns += list(META_COLUMNS)
    conn.execute(
        sql.SQL("create table if not exists {} ({}, primary key ({}))").format(
            table,
            sql.SQL(", ").join(sql.SQL("{} {}").format(sql.Identifier(n), sql.SQL(t)) for n, t in columns),
            sql.SQL(", ").join(map(sql.Identifier, stream.natural_key)),
        )
    )
    for name, pg_type in columns:
        nullable_type = pg_type.replace(" not null", "")
        conn.execute(
            sql.SQL("alter table {} add column if not exists {} {}").format(
                table, sql.Identifier(name), sql.SQL(nullable_type)
            )
        )
    # A stream whose days are re-read and replaced (ad platforms, FX) is read by day: this load's
    # delete of the days the source no longer reports, and the nightly dbt build restating them.
    index = f"{stream.table}_by_day"
    if stream.replace_scope and not relation_exists(conn, f"{RAW_SCHEMA}.{index}"):
        conn.execute(
            sql.SQL("create index {} on {} ({})").format(
                sql.Identifier(index), table, sql.Identifier(stream.window_column)
            )
        )


# Work committed with the load or not at all (an API stream's cursors), run in its transaction.
BeforeCommit = Callable[[psycopg.Connection], None]


def load_stream(
    conn: psycopg.Connection,
    stream: Stream,
    pages: Iterable[Page],
    window: Window,
    before_commit: BeforeCommit | None = None,
) -> LoadResult:
    """Load every row of `pages` inside `window` into raw.<source>__<stream> and every rejected
    record into quarantine, atomically. A failure is recorded in ops.load_failures and raised."""
    try:
        return _load(conn, stream, pages, window, before_commit)
    except Exception as error:
        _record_failure(conn, stream, window, error)
        raise


def _record_failure(conn: psycopg.Connection, stream: Stream, window: Window, error: Exception) -> None:
    """In a transaction of its own, the load's being rolled back: committed at once on an
    autocommit or idle connection, with the caller's transaction when one is open."""
    try:
        with conn.transaction():
            ensure_ops_schema(conn)
            conn.execute(
                f"insert into {OPS_SCHEMA}.load_failures values (%s, %s, %s, %s, %s, clock_timestamp())",
                (stream.source, stream.name, window.first_day, window.last_day, f"{type(error).__name__}: {error}"),
            )
    except psycopg.Error as unrecorded:  # e.g. the connection itself broke: the load's error matters more
        error.add_note(f"not recorded in {OPS_SCHEMA}.load_failures: {unrecorded}")


def _load(
    conn: psycopg.Connection, stream: Stream, pages: Iterable[Page], window: Window, before_commit: BeforeCommit | None
) -> LoadResult:
    started_at = datetime.now(UTC)
    batch_id = uuid.uuid4().hex
    data_columns = [column.name for column in stream.columns]
    with conn.transaction():
        ensure_ops_schema(conn)
        ensure_quarantine_schema(conn)
        ensure_raw_table(conn, stream)
        conn.execute(
            sql.SQL(
                "create temp table _stage on commit drop as select *, 0::bigint as _seq from {} with no data"
            ).format(sql.Identifier(RAW_SCHEMA, stream.table))
        )
        copy_columns = [*data_columns, "_extra", "_source_origin", "_source_line", "_seq"]
        rejections: list[Rejection] = []
        origins: list[str] = []
        rows_read = 0
        copy_sql = sql.SQL("copy _stage ({}) from stdin").format(_columns(copy_columns))
        with conn.cursor().copy(copy_sql) as copy:
            for page in pages:
                origins.append(page.origin)
                for item in page_rows(stream, page, window):
                    if isinstance(item, Rejection):
                        _keep(stream, rejections, item)
                    else:
                        rows_read += 1
                        copy.write_row([*item.values, page.origin, item.line, rows_read])
        conflicts = []
        if _stage_repeated_keys(conn, stream):
            conflicts = _take_conflicts(conn, stream, window, MAX_REJECTIONS + 1 - len(rejections))
            _drop_superseded_versions(conn, stream)
        for conflict in conflicts:
            _keep(stream, rejections, conflict)
        rows_read -= len(conflicts)
        _stage_rejections(conn, rejections)
        deleted = _delete_unreported(conn, stream, window) if stream.replace_scope else 0
        inserted, updated = _upsert(conn, stream, batch_id)
        _quarantine(conn, stream, batch_id, origins, window)
        conn.execute(
            f"""insert into {OPS_SCHEMA}.load_batches (batch_id, source, stream, first_day, last_day, rows_read,
                    rows_inserted, rows_updated, rows_deleted, rows_quarantined, pages_read, started_at, finished_at)
                values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, clock_timestamp())""",
            (batch_id, stream.source, stream.name, window.first_day, window.last_day, rows_read,
             inserted, updated, deleted, len(rejections), len(origins), started_at),
        )  # fmt: skip
        if before_commit is not None:
            before_commit(conn)
    return LoadResult(
        stream.source, stream.name, batch_id, str(window), rows_read, inserted, updated, deleted, len(rejections)
    )


def _keep(stream: Stream, rejections: list[Rejection], rejection: Rejection) -> None:
    if len(rejections) == MAX_REJECTIONS:
        first = rejections[0]
        reason = (
            f"more than {MAX_REJECTIONS} rows rejected in one batch; first: {line_unit(stream)} {first.line}, "
            f"field {first.field}: {first.reason}; a changed export format?"
        )
        raise SourceDataError(stream, first.origin, reason)
    rejections.append(rejection)


def _columns(names: Iterable[str], prefix: str | None = None) -> sql.Composable:
    return sql.SQL(", ").join(sql.Identifier(*([prefix] if prefix else []), name) for name in names)


def _key_match(stream: Stream, left: str, right: str, columns: Iterable[str] | None = None) -> sql.Composable:
    return sql.SQL(" and ").join(
        sql.SQL("{}.{} = {}.{}").format(
            sql.Identifier(left), sql.Identifier(k), sql.Identifier(right), sql.Identifier(k)
        )
        for k in columns or stream.natural_key
    )


def _stage_repeated_keys(conn: psycopg.Connection, stream: Stream) -> int:
    """The keys read more than once (a record on two pages, a CRM record updated between them),
    into _repeated; their count. Most batches have none, and then nothing sorts the stage."""
    key = _columns(stream.natural_key)
    return conn.execute(
        sql.SQL(
            "create temp table _repeated on commit drop as select {key} from _stage group by {key} having count(*) > 1"
        ).format(key=key)
    ).rowcount


def _take_conflicts(conn: psycopg.Connection, stream: Stream, window: Window, limit: int) -> list[Rejection]:
    """Versions of one key that disagree at its latest window value leave the stage: which one is
    right is unknown, so the target keeps what it had and all of them go to quarantine. Identical
    versions collapse in the merge; an older window value (a CRM record updated between two
    pages) loses to the newer. At most `limit` rejections are returned, all are taken."""
    key_and_window = list(dict.fromkeys([*stream.natural_key, *filter(None, [stream.window_column])]))
    data = [column.name for column in stream.columns] + ["_extra"]
    query = sql.SQL(
        """
        with latest as (
            select distinct on ({key}) {key_and_window} from _stage join _repeated using ({key})
            order by {key}{newest_first}
        ), conflicting as (
            select {key_and_window} from _stage join latest using ({key_and_window})
            group by {key_and_window} having count(distinct ({data})) > 1
        ), taken as (
            delete from _stage as s using conflicting as c where {match} returning s.*
        )
        select _source_origin, _source_line, {window_value}, array[{key_texts}],
               to_jsonb(taken) - array['_seq', '_batch_id', '_loaded_at', '_source_origin', '_source_line'],
               jsonb_agg(jsonb_build_array(_seq, _source_origin, _source_line)) over same_key
        from taken window same_key as (partition by {key})
        order by _seq
        limit %s
        """
    ).format(
        key=_columns(stream.natural_key),
        key_and_window=_columns(key_and_window),
        newest_first=_newest_first(stream),
        window_value=sql.Identifier(stream.window_column) if stream.window_column else sql.SQL("null::date"),
        data=_columns(data),
        match=_key_match(stream, "s", "c", key_and_window),
        key_texts=sql.SQL(", ").join(sql.SQL("{}::text").format(sql.Identifier(k)) for k in stream.natural_key),
    )
    conflicts = []
    for origin, line, moment, key_texts, record, versions in conn.execute(query, (limit,)):
        key = dict(zip(stream.natural_key, key_texts, strict=True))
        named_key = ", ".join(f"{name}={value}" for name, value in key.items())
        reason = f"duplicate key ({named_key}) with different values {_places(stream, sorted(versions))}"
        conflicts.append(Rejection(origin, line, "(key)", reason, record, key, record_day(moment, window)))
    return conflicts


def _drop_superseded_versions(conn: psycopg.Connection, stream: Stream) -> None:
    """Of a repeated key's versions the latest window value stays, then the last read; identical
    versions are one. The stage then holds one row per key, as the upsert needs."""
    conn.execute(
        sql.SQL(
            """
            delete from _stage as s using (
                select distinct on ({key}) {key}, _seq from _stage join _repeated using ({key})
                order by {key}{newest_first}, _seq desc
            ) as kept
            where {match} and s._seq <> kept._seq
            """
        ).format(
            key=_columns(stream.natural_key),
            newest_first=_newest_first(stream),
            match=_key_match(stream, "s", "kept"),
        )
    )


def _newest_first(stream: Stream) -> sql.Composable:
    """Orders one key's versions by their window value, newest first; without a window column the
    order of reading decides alone."""
    if stream.window_column is None:
        return sql.SQL("")
    return sql.SQL(", {} desc").format(sql.Identifier(stream.window_column))


def _places(stream: Stream, versions: list[list[Any]]) -> str:
    """'on lines 4 and 9' of one file, 'at a.csv line 4 and b.csv line 9' of several."""
    unit = line_unit(stream)
    if len({origin for _, origin, _ in versions}) == 1:
        places, prefix = [str(line) for _, _, line in versions], f"on {unit}s "
    else:
        places, prefix = [f"{Path(origin).name} {unit} {line}" for _, origin, line in versions], "at "
    return prefix + ", ".join(places[:-1]) + " and " + places[-1]


def _json(value: Any) -> str:
    return compact_json(_without_nul(value))


def _without_nul(value: Any) -> Any:
    """jsonb cannot hold U+0000: a quarantined record keeps the rest, the NUL shown as U+FFFD."""
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, dict):
        return {_without_nul(key): _without_nul(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_without_nul(item) for item in value]
    return value


def _stage_rejections(conn: psycopg.Connection, rejections: list[Rejection]) -> None:
    conn.execute(
        """create temp table _rejected (seq bigint, origin text, line integer, field text, reason text,
               record jsonb, natural_key jsonb, record_day date) on commit drop"""
    )
    with conn.cursor().copy("copy _rejected from stdin") as copy:
        for seq, r in enumerate(rejections, start=1):
            key = _json(r.natural_key) if r.natural_key else None
            copy.write_row([seq, r.origin, r.line, r.field, r.reason, _json(r.record), key, r.record_day])


def _delete_unreported(conn: psycopg.Connection, stream: Stream, window: Window) -> int:
    """Restatement: in the window, for the accounts this batch covers, keep only what was re-read.
    A key this batch rejected was reported, just not loadable: its row stays."""
    low, high = (
        (window.first_day, window.last_day)
        if stream.column(stream.window_column).pg_type == "date"
        else (window.start_utc, window.end_utc)
    )
    table = sql.Identifier(RAW_SCHEMA, stream.table)
    upper = sql.SQL("<=") if stream.column(stream.window_column).pg_type == "date" else sql.SQL("<")
    query = sql.SQL(
        """
        delete from {table} as t
        where t.{window_column} >= %s and t.{window_column} {upper} %s
          and ({scope}) in (select distinct {scope_stage} from _stage)
          and not exists (select 1 from _stage as s where {match})
          and not exists (
              select 1 from _rejected as r cross join lateral jsonb_populate_record(null::{table}, r.natural_key) as k
              where {rejected_match}
          )
        """
    ).format(
        table=table,
        window_column=sql.Identifier(stream.window_column),
        upper=upper,
        scope=_columns(stream.replace_scope, "t"),
        scope_stage=_columns(stream.replace_scope),
        match=_key_match(stream, "s", "t"),
        rejected_match=_key_match(stream, "k", "t"),
    )
    return conn.execute(query, (low, high)).rowcount


def _upsert(conn: psycopg.Connection, stream: Stream, batch_id: str) -> tuple[int, int]:
    """Insert new keys, update changed rows, leave identical rows untouched."""
    data = [column.name for column in stream.columns] + ["_extra"]
    meta = ["_batch_id", "_loaded_at", "_source_origin", "_source_line"]
    key = _columns(stream.natural_key)
    select_columns = sql.SQL(", ").join(
        [*map(sql.Identifier, data), sql.Literal(batch_id), sql.SQL("now()"), sql.Identifier("_source_origin"),
         sql.Identifier("_source_line")]
    )  # fmt: skip
    updates = sql.SQL(", ").join(sql.SQL("{0} = excluded.{0}").format(sql.Identifier(c)) for c in data + meta)
    changed = sql.SQL("({}) is distinct from ({})").format(_columns(data, "t"), _columns(data, "excluded"))
    query = sql.SQL(
        """
        with upserted as (
            insert into {table} as t ({target_columns})
            select {select_columns} from _stage
            on conflict ({key}) do update set {updates} where {changed}
            returning (xmax = 0) as inserted
        )
        select count(*) filter (where inserted), count(*) filter (where not inserted) from upserted
        """
    ).format(
        table=sql.Identifier(RAW_SCHEMA, stream.table),
        target_columns=_columns(data + meta),
        key=key,
        select_columns=select_columns,
        updates=updates,
        changed=changed,
    )
    inserted, updated = conn.execute(query).fetchone()
    return inserted, updated


# An open entry and a rejection of this batch are the same problem of the same record.
_SAME_REJECTION = """q.origin = r.origin and q.line is not distinct from r.line and q.field = r.field
    and q.reason = r.reason and q.record is not distinct from r.record"""


def _quarantine(conn: psycopg.Connection, stream: Stream, batch_id: str, origins: list[str], window: Window) -> None:
    """Release the open entries this batch checked again but no longer rejects; file this batch's
    rejections, except those already open, so a rerun of the same interval leaves the table as it was.

    A batch checks again the entries of its window's days, and of the files it read those without a
    day or of a day that may be in the future: it does not type the other records outside its window
    (records.page_rows), so their entries stay open for a run whose window holds their day."""
    scope = {"source": stream.source, "stream": stream.name, "batch_id": batch_id}
    conn.execute(
        f"""
        update {QUARANTINE_SCHEMA}.rejected_rows as q set released_at = now(), released_by_batch = %(batch_id)s
        where q.released_at is null and q.source = %(source)s and q.stream = %(stream)s
          and (q.record_day between %(first_day)s and %(last_day)s
               or (q.origin = any(%(origins)s::text[]) and (q.record_day is null or q.record_day >= %(may_be_future)s)))
          and not exists (select 1 from _rejected as r where {_SAME_REJECTION})
        """,
        {
            **scope,
            "origins": origins,
            "first_day": window.first_day - timedelta(days=stream.reach_back_days),
            "last_day": window.last_day,
            "may_be_future": first_day_that_may_be_future(window),
        },
    )
    conn.execute(
        f"""
        insert into {QUARANTINE_SCHEMA}.rejected_rows (source, stream, batch_id, origin, line, field, reason,
            record, natural_key, record_day, quarantined_at)
        select %(source)s, %(stream)s, %(batch_id)s, r.origin, r.line, r.field, r.reason,
            r.record, r.natural_key, r.record_day, now()
        from _rejected as r
        where not exists (
            select 1 from {QUARANTINE_SCHEMA}.rejected_rows as q
            where q.released_at is null and q.source = %(source)s and q.stream = %(stream)s and {_SAME_REJECTION}
        )
        order by r.seq
        """,
        scope,
    )
