"""Loading a stream into `raw`: COPY into a staging table, then one transaction merges it.

The merge is by natural key and writes a row only when its data changed, so loading the same
interval twice changes nothing at all (not even `_batch_id`). For streams with a replace scope
(ad platforms), rows of the re-read window that the source no longer reports are deleted. A
failure anywhere rolls the whole batch back: the target is as it was.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

import psycopg
from psycopg import sql

from smarketing.extract.records import Page, page_rows
from smarketing.extract.streams import Stream, Window

RAW_SCHEMA = "raw"
OPS_SCHEMA = "ops"
META_COLUMNS = (
    ("_extra", "jsonb"),
    ("_batch_id", "text not null"),
    ("_loaded_at", "timestamptz not null"),
    ("_source_origin", "text not null"),
    ("_source_line", "integer not null"),
)


@dataclass(frozen=True)
class LoadResult:
    source: str
    stream: str
    batch_id: str
    window: str
    rows_read: int
    rows_inserted: int
    rows_updated: int
    rows_deleted: int


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
            finished_at timestamptz not null
        )
        """
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


def load_stream(conn: psycopg.Connection, stream: Stream, pages: Iterable[Page], window: Window) -> LoadResult:
    """Load every row of `pages` inside `window` into raw.<source>__<stream>, atomically."""
    started_at = datetime.now(UTC)
    batch_id = uuid.uuid4().hex
    data_columns = [column.name for column in stream.columns]
    with conn.transaction():
        ensure_ops_schema(conn)
        ensure_raw_table(conn, stream)
        conn.execute(
            sql.SQL(
                "create temp table _stage on commit drop as select *, 0::bigint as _seq from {} with no data"
            ).format(sql.Identifier(RAW_SCHEMA, stream.table))
        )
        copy_columns = [*data_columns, "_extra", "_source_origin", "_source_line", "_seq"]
        rows_read = pages_read = 0
        copy_sql = sql.SQL("copy _stage ({}) from stdin").format(sql.SQL(", ").join(map(sql.Identifier, copy_columns)))
        with conn.cursor().copy(copy_sql) as copy:
            for page in pages:
                pages_read += 1
                for line, values in page_rows(stream, page, window):
                    rows_read += 1
                    copy.write_row([*values, page.origin, line, rows_read])
        deleted = _delete_unreported(conn, stream, window) if stream.replace_scope else 0
        inserted, updated = _upsert(conn, stream, batch_id)
        conn.execute(
            f"""insert into {OPS_SCHEMA}.load_batches values
                (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, clock_timestamp())""",
            (batch_id, stream.source, stream.name, window.first_day, window.last_day, rows_read,
             inserted, updated, deleted, pages_read, started_at),
        )  # fmt: skip
    return LoadResult(stream.source, stream.name, batch_id, str(window), rows_read, inserted, updated, deleted)


def _key_match(stream: Stream, left: str, right: str) -> sql.Composable:
    return sql.SQL(" and ").join(
        sql.SQL("{}.{} = {}.{}").format(
            sql.Identifier(left), sql.Identifier(k), sql.Identifier(right), sql.Identifier(k)
        )
        for k in stream.natural_key
    )


def _delete_unreported(conn: psycopg.Connection, stream: Stream, window: Window) -> int:
    """Restatement: in the window, for the accounts this batch covers, keep only what was re-read."""
    low, high = (
        (window.first_day, window.last_day)
        if stream.column(stream.window_column).pg_type == "date"
        else (window.start_utc, window.end_utc)
    )
    scope = sql.SQL(", ").join(sql.SQL("t.{}").format(sql.Identifier(c)) for c in stream.replace_scope)
    scope_stage = sql.SQL(", ").join(map(sql.Identifier, stream.replace_scope))
    upper = sql.SQL("<=") if stream.column(stream.window_column).pg_type == "date" else sql.SQL("<")
    query = sql.SQL(
        """
        delete from {table} as t
        where t.{window_column} >= %s and t.{window_column} {upper} %s
          and ({scope}) in (select distinct {scope_stage} from _stage)
          and not exists (select 1 from _stage as s where {match})
        """
    ).format(
        table=sql.Identifier(RAW_SCHEMA, stream.table),
        window_column=sql.Identifier(stream.window_column),
        upper=upper,
        scope=scope,
        scope_stage=scope_stage,
        match=_key_match(stream, "s", "t"),
    )
    return conn.execute(query, (low, high)).rowcount


def _upsert(conn: psycopg.Connection, stream: Stream, batch_id: str) -> tuple[int, int]:
    """Insert new keys, update changed rows, leave identical rows untouched; the last duplicate wins."""
    data = [column.name for column in stream.columns] + ["_extra"]
    meta = ["_batch_id", "_loaded_at", "_source_origin", "_source_line"]
    key = sql.SQL(", ").join(map(sql.Identifier, stream.natural_key))
    target_columns = sql.SQL(", ").join(map(sql.Identifier, data + meta))
    select_columns = sql.SQL(", ").join(
        [*map(sql.Identifier, data), sql.Literal(batch_id), sql.SQL("now()"), sql.Identifier("_source_origin"),
         sql.Identifier("_source_line")]
    )  # fmt: skip
    updates = sql.SQL(", ").join(sql.SQL("{0} = excluded.{0}").format(sql.Identifier(c)) for c in data + meta)
    changed = sql.SQL("({}) is distinct from ({})").format(
        sql.SQL(", ").join(sql.SQL("t.{}").format(sql.Identifier(c)) for c in data),
        sql.SQL(", ").join(sql.SQL("excluded.{}").format(sql.Identifier(c)) for c in data),
    )
    query = sql.SQL(
        """
        with upserted as (
            insert into {table} as t ({target_columns})
            select distinct on ({key}) {select_columns} from _stage order by {key}, _seq desc
            on conflict ({key}) do update set {updates} where {changed}
            returning (xmax = 0) as inserted
        )
        select count(*) filter (where inserted), count(*) filter (where not inserted) from upserted
        """
    ).format(
        table=sql.Identifier(RAW_SCHEMA, stream.table),
        target_columns=target_columns,
        key=key,
        select_columns=select_columns,
        updates=updates,
        changed=changed,
    )
    inserted, updated = conn.execute(query).fetchone()
    return inserted, updated
