"""Least privilege: analysts read the marts and the shared definitions, never raw or staging.

Raw tables hold PII (e-mails, phones); the marts carry hashed e-mails only. Grants are given
as default privileges too, because dbt recreates mart tables on every build.
"""

from __future__ import annotations

import psycopg
from psycopg import sql

ANALYST_ROLE = "smarketing_analyst"
READABLE_SCHEMAS = ("marts", "definitions")
PRIVATE_SCHEMAS = ("raw", "staging", "intermediate", "ops", "quarantine")


def grant_analyst_access(conn: psycopg.Connection) -> None:
    """Create the analyst role if missing and (re)apply its grants; safe to run every night."""
    role = sql.Identifier(ANALYST_ROLE)
    with conn.transaction():
        exists = conn.execute("select 1 from pg_roles where rolname = %s", (ANALYST_ROLE,)).fetchone()
        if not exists:
            conn.execute(sql.SQL("create role {} nologin").format(role))
        for schema in (*READABLE_SCHEMAS, *PRIVATE_SCHEMAS):
            conn.execute(sql.SQL("create schema if not exists {}").format(sql.Identifier(schema)))
        for schema in PRIVATE_SCHEMAS:
            conn.execute(sql.SQL("revoke all on schema {} from public, {}").format(sql.Identifier(schema), role))
        for schema in READABLE_SCHEMAS:
            name = sql.Identifier(schema)
            conn.execute(sql.SQL("grant usage on schema {} to {}").format(name, role))
            conn.execute(sql.SQL("grant select on all tables in schema {} to {}").format(name, role))
            conn.execute(
                sql.SQL("alter default privileges in schema {} grant select on tables to {}").format(name, role)
            )
