"""How every part of the project finds the warehouse.

One rule, used by the CLI, the DAG's tasks, dbt and GX alike: the Airflow connection
`smarketing_warehouse` (as `AIRFLOW_CONN_SMARKETING_WAREHOUSE` or in Airflow's store) when it
exists, else the embedded Postgres that `ensure_warehouse()` starts.
"""

from __future__ import annotations

import os
from urllib.parse import quote, urlsplit

import psycopg

from smarketing import paths
from smarketing.warehouse import embedded

CONN_ID = "smarketing_warehouse"
ENV_VAR = f"AIRFLOW_CONN_{CONN_ID.upper()}"


def ensure_warehouse() -> str:
    """Return the warehouse URL, starting the embedded server when none is configured.

    The URL is exported as the Airflow connection so that tasks, Cosmos and dbt see it too.
    """
    configured = os.environ.get(ENV_VAR)
    if configured:
        return libpq_url(configured)
    url = embedded.start(paths.home()).url
    os.environ[ENV_VAR] = url
    return url


def libpq_url(url: str) -> str:
    """Airflow URIs say `postgres://` and may carry Airflow-only extras; libpq wants neither."""
    parts = urlsplit(url)
    scheme = "postgresql" if parts.scheme in {"postgres", "postgresql"} else parts.scheme
    if scheme != "postgresql":
        raise ValueError(f"{ENV_VAR}: expected a postgresql:// URL, got scheme {parts.scheme!r}")
    return parts._replace(scheme=scheme, query=_libpq_query(parts.query)).geturl()


def _libpq_query(query: str) -> str:
    keep = ("sslmode", "sslrootcert", "sslcert", "sslkey", "connect_timeout", "options", "application_name")
    pairs = [pair for pair in query.split("&") if pair.split("=", 1)[0] in keep]
    return "&".join(pairs)


def url_from_airflow_connection(conn_id: str = CONN_ID) -> str:
    """Inside a task: the warehouse as Airflow resolves the connection (env, secrets, metadata DB)."""
    from airflow.sdk import Connection

    conn = Connection.get(conn_id)
    auth = quote(conn.login or "", safe="")
    if conn.password:
        auth += ":" + quote(conn.password, safe="")
    port = f":{conn.port}" if conn.port else ""
    return f"postgresql://{auth}@{conn.host}{port}/{conn.schema or ''}"


def connect_in_task(conn_id: str = CONN_ID) -> psycopg.Connection:
    """Inside a task: an autocommit connection to the warehouse of the Airflow connection."""
    return psycopg.connect(url_from_airflow_connection(conn_id), autocommit=True)


def relation_exists(conn: psycopg.Connection, name: str) -> bool:
    """Whether a table or view (schema-qualified name) exists yet: most of the warehouse is created
    by the first run, and readers of ops/quarantine tables run before it too."""
    return conn.execute("select to_regclass(%s)", (name,)).fetchone()[0] is not None


def sqlalchemy_url(url: str) -> str:
    """GX talks SQLAlchemy; psycopg 3 is the driver we ship."""
    return libpq_url(url).replace("postgresql://", "postgresql+psycopg://", 1)
