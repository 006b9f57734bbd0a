"""Publishing the shared definitions into the warehouse.

dbt reads them from tables, not from Airflow variables, so an analyst running `dbt build` by
hand gets exactly the numbers the nightly DAG got; the version hash is stamped on reports.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence

import psycopg
from psycopg import sql

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


def definition_tables(config: Config) -> dict[str, tuple[Sequence[tuple[str, str]], list[tuple]]]:
    """Every definitions table: name -> (columns with types, rows)."""
    d = config.definitions
    settings = (
        ("version", "text"),
        ("timezone", "text"),
        ("currency", "text"),
        ("mql_threshold", "integer"),
        ("sla_hours", "numeric"),
        ("attribution_model", "text"),
        ("stuck_after_days", "integer"),
        ("typical_sales_cycle_days", "integer"),
        ("sales_cost_per_month", "numeric"),
        ("ltv_purchase_frequency_per_year", "numeric"),
        ("ltv_customer_lifetime_years", "numeric"),
        ("ltv_min_history_days", "integer"),
    )
    settings_row = (
        definitions_version(config), config.timezone, config.currency, d.lead_scoring.mql_threshold, d.sla_hours,
        d.attribution_model, d.stuck_after_days, d.typical_sales_cycle_days, d.sales_cost_per_month,
        d.ltv.purchase_frequency_per_year, d.ltv.customer_lifetime_years, d.ltv.min_history_days,
    )  # fmt: skip
    condition = (("field", "text"), ("operator", "text"), ("rule_values", "text[]"))
    return {
        "settings": (settings, [settings_row]),
        "scoring_rules": (
            (("rule_order", "integer"), ("rule_name", "text"), *condition, ("points", "integer")),
            [(i, r.name, r.field, r.operator, r.values, r.points) for i, r in enumerate(d.lead_scoring.rules, 1)],
        ),
        "high_intent_actions": ((("action", "text"),), [(action,) for action in d.high_intent_actions]),
        "crm_stage_map": (
            (("crm", "text"), ("field", "text"), ("value", "text"), ("stage", "text")),
            [
                (crm, field, value, stage)
                for crm, mapping in d.crm_mappings.items()
                for field, values in mapping.fields.items()
                for value, stage in values.items()
            ],
        ),
        "excluded_email_domains": ((("domain", "text"),), [(domain,) for domain in d.exclude_email_domains]),
        "channel_rules": (
            (("rule_order", "integer"), ("channel", "text"), *condition, ("is_paid", "boolean")),
            [(i, r.channel, r.field, r.operator, r.values, r.is_paid) for i, r in enumerate(d.channel_rules, 1)],
        ),
        "kpi_targets": (
            (("kpi", "text"), ("target_low", "numeric"), ("target_high", "numeric"), ("higher_is_better", "boolean")),
            [(kpi, t.low, t.high, t.higher_is_better) for kpi, t in sorted(d.kpi_targets.items())],
        ),
    }


def publish_definitions(conn: psycopg.Connection, config: Config) -> str:
    """Replace every definitions table in one transaction; returns the version published.

    Tables are emptied and refilled rather than dropped: dbt's staging views depend on them.
    """
    with conn.transaction():
        conn.execute(sql.SQL("create schema if not exists {}").format(sql.Identifier(SCHEMA)))
        for table, (columns, rows) in definition_tables(config).items():
            _replace(conn, table, columns, rows)
    return definitions_version(config)


def _replace(conn: psycopg.Connection, table: str, columns: Sequence[tuple[str, str]], rows: Iterable[tuple]) -> None:
    name = sql.Identifier(SCHEMA, table)
    column_defs = sql.SQL(", ").join(sql.SQL("{} {}").format(sql.Identifier(c), sql.SQL(t)) for c, t in columns)
    conn.execute(sql.SQL("create table if not exists {} ({})").format(name, column_defs))
    add_column = sql.SQL("alter table {} add column if not exists {} {}")
    for column, pg_type in columns:
        conn.execute(add_column.format(name, sql.Identifier(column), sql.SQL(pg_type)))
    conn.execute(sql.SQL("delete from {}").format(name))
    column_names = sql.SQL(", ").join(sql.Identifier(c) for c, _ in columns)
    with conn.cursor().copy(sql.SQL("copy {} ({}) from stdin").format(name, column_names)) as copy:
        for row in rows:
            copy.write_row(row)
    # Autovacuum never analyzes a table this small, and without statistics the planner guesses
    # hundreds of rows: int_crm_stage_events then joined every person to every stage value of
    # their CRM first (1M people: 22 s -> 10 s analyzed).
    conn.execute(sql.SQL("analyze {}").format(name))
