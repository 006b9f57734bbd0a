"""Publishing the shared definitions into the warehouse.

dbt reads them from tables, not from Airflow variables, so an analyst running `dbt build` by
hand gets exactly the numbers the nightly DAG got; the version hash is stamped on reports.
"""

from __future__ import annotations

import hashlib
import json

import psycopg

from smarketing.config import Config

SCHEMA = "definitions"


def definitions_payload(config: Config) -> dict:
    return {
        "timezone": config.timezone,
        "currency": config.currency,
        **config.definitions.model_dump(mode="json"),
    }


def definitions_version(config: Config) -> str:
    canonical = json.dumps(definitions_payload(config), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:12]


def publish_definitions(conn: psycopg.Connection, config: Config) -> str:
    """Replace the definitions tables in one transaction; returns the version published."""
    version = definitions_version(config)
    with conn.transaction():
        conn.execute(f"create schema if not exists {SCHEMA}")
        conn.execute(
            f"create table if not exists {SCHEMA}.settings "
            "(version text not null, timezone text not null, currency text not null)"
        )
        conn.execute(f"create table if not exists {SCHEMA}.excluded_email_domains (domain text primary key)")
        conn.execute(f"delete from {SCHEMA}.settings")
        conn.execute(f"insert into {SCHEMA}.settings values (%s, %s, %s)", (version, config.timezone, config.currency))
        conn.execute(f"delete from {SCHEMA}.excluded_email_domains")
        with conn.cursor().copy(f"copy {SCHEMA}.excluded_email_domains (domain) from stdin") as copy:
            for domain in config.definitions.exclude_email_domains:
                copy.write_row((domain,))
    return version
