"""Incremental cursors of API streams (a CRM's last `updatedAt`, a page token), kept in the warehouse.

A connector reads its cursors before extracting and advances them as it reads pages; they are
saved in the same transaction as the load, so a load that fails leaves them where they were and
the next run reads those records again instead of skipping them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import psycopg

from smarketing.extract.records import Page
from smarketing.extract.streams import Stream, Window
from smarketing.load import OPS_SCHEMA, LoadResult, load_stream
from smarketing.warehouse.connection import relation_exists

CURSORS_TABLE = f"{OPS_SCHEMA}.source_cursors"


def ensure_cursors_table(conn: psycopg.Connection) -> None:
    conn.execute(f"create schema if not exists {OPS_SCHEMA}")
    conn.execute(
        f"""
        create table if not exists {CURSORS_TABLE} (
            source text not null,
            stream text not null,
            account text not null,
            cursor text not null,
            updated_at timestamptz not null,
            primary key (source, stream, account)
        )
        """
    )


class Cursors:
    """One stream's cursors, one per account ("" for a source without accounts); a file drop keeps
    one per file it read (smarketing.extract.files)."""

    def __init__(self, stream: Stream, saved: dict[str, str]) -> None:
        self.stream = stream
        self._saved = saved
        self._advanced: dict[str, str] = {}

    @classmethod
    def read(cls, conn: psycopg.Connection, stream: Stream) -> Cursors:
        if not relation_exists(conn, CURSORS_TABLE):
            return cls(stream, {})
        rows = conn.execute(
            f"select account, cursor from {CURSORS_TABLE} where source = %s and stream = %s",
            (stream.source, stream.name),
        )
        return cls(stream, dict(rows.fetchall()))

    def get(self, account: str = "") -> str | None:
        """Where the next extraction of the account starts: as advanced in this run, else as saved."""
        return self._advanced.get(account, self._saved.get(account))

    def advance(self, account: str, cursor: str) -> None:
        """Takes effect in the warehouse only when the load that read the pages commits (`save`)."""
        self._advanced[account] = cursor

    def advance_to_latest(self, account: str, moments: Iterable[datetime]) -> None:
        """Advance to the latest of `moments` (aware times of records read), if past where it is."""
        latest = max(moments, default=None)
        current = self.get(account)
        if latest is not None and (current is None or datetime.fromisoformat(current) < latest):
            self.advance(account, latest.isoformat())

    def discard(self) -> None:
        """Forget this run's advances (their load failed): the next extraction starts from the saved ones."""
        self._advanced.clear()

    def save(self, conn: psycopg.Connection) -> None:
        """Write the advanced cursors, in the caller's transaction."""
        ensure_cursors_table(conn)
        conn.cursor().executemany(
            f"""insert into {CURSORS_TABLE} (source, stream, account, cursor, updated_at)
                values (%s, %s, %s, %s, now())
                on conflict (source, stream, account)
                do update set cursor = excluded.cursor, updated_at = excluded.updated_at""",
            [(self.stream.source, self.stream.name, account, cursor) for account, cursor in self._advanced.items()],
        )
        self._saved.update(self._advanced)
        self._advanced.clear()


def load_with_cursors(
    conn: psycopg.Connection, stream: Stream, pages: Iterable[Page], window: Window, cursors: Cursors
) -> LoadResult:
    """load_stream, and the cursors the pages advanced, committed together or not at all; a failed
    load is recorded in ops.load_failures like any other and its advances are forgotten."""
    try:
        return load_stream(conn, stream, pages, window, before_commit=cursors.save)
    except BaseException:
        cursors.discard()
        raise
