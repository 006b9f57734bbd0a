"""dbt's failed models and tests, recorded in the warehouse as the build reports them.

The nightly DAG runs the dbt project as one `dbt build` task (a task per model took 3.3x the wall
time at 1M ad rows: docs/benchmarks.md), so the failed task no longer names the model. dbt does: each node's
NodeFinished event carries its status and message, and the data team's alert reads them back from
ops.dbt_failures like everything else it says.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import psycopg

from smarketing.load import OPS_SCHEMA

# RunStatus / TestStatus values that fail a build; `warn` (a test of severity warn) does not.
FAILED_STATUSES = ("error", "fail")


def failure_recorder(connect: Callable[[], psycopg.Connection]) -> Callable[[Any], None]:
    """A dbtRunner callback that writes every failed node to ops.dbt_failures (a connection per
    failure: they are few, and the build's own connections are dbt's)."""

    def record(event: Any) -> None:
        if event.info.name != "NodeFinished":
            return
        result = event.data.run_result
        if result.status not in FAILED_STATUSES:
            return
        # The table is prepare_warehouse's (smarketing.load.ensure_ops_schema).
        with connect() as conn:
            conn.execute(
                f"insert into {OPS_SCHEMA}.dbt_failures (node, status, message) values (%s, %s, %s)",
                (event.data.node_info.unique_id, result.status, result.message),
            )

    return record


def failures_since(conn: psycopg.Connection, since: datetime) -> list[tuple[str, str]]:
    """(node, "status: message") of each node whose latest failure is at or after `since`."""
    from smarketing.warehouse.connection import relation_exists

    if not relation_exists(conn, f"{OPS_SCHEMA}.dbt_failures"):
        return []
    rows = conn.execute(
        f"""
        select distinct on (node) node, status || coalesce(': ' || message, '')
        from {OPS_SCHEMA}.dbt_failures
        where failed_at >= %s
        order by node, failed_at desc
        """,
        (since,),
    ).fetchall()
    return [(node, detail) for node, detail in rows]
