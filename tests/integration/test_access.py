"""The analyst role reads marts and definitions, and is refused raw, staging and intermediate."""

import psycopg
import pytest
from psycopg import errors

from smarketing.warehouse.access import ANALYST_ROLE, grant_analyst_access

pytestmark = pytest.mark.integration


@pytest.fixture
def analyst_url(warehouse, warehouse_url):
    for schema in ("raw", "staging", "intermediate", "marts", "definitions"):
        warehouse.execute(f"create schema if not exists {schema}")
    warehouse.execute("create table raw.hubspot__contacts (id text, email text)")
    warehouse.execute("insert into raw.hubspot__contacts values ('1', 'ceo@client.io')")
    warehouse.execute("create view staging.stg_contacts as select * from raw.hubspot__contacts")
    warehouse.execute("create table intermediate.int_people as select * from raw.hubspot__contacts")
    warehouse.execute("create table definitions.settings (version text)")
    warehouse.execute("insert into definitions.settings values ('abc')")
    grant_analyst_access(warehouse)
    grant_analyst_access(warehouse)  # nightly re-runs are harmless
    # A mart created after the grants (as dbt does on every build) is readable too.
    warehouse.execute(
        "create table marts.fct_lead_funnel as select md5(email) as email_hash from raw.hubspot__contacts"
    )
    name = f"analyst_{warehouse.info.dbname}"
    warehouse.execute(f"create role {name} login password 'analyst' in role {ANALYST_ROLE}")
    yield warehouse_url.replace(warehouse_url.split("//")[1].split("@")[0], f"{name}:analyst")
    warehouse.execute(f"drop owned by {name}")
    warehouse.execute(f"drop role {name}")


def test_analyst_reads_marts_and_definitions(analyst_url):
    with psycopg.connect(analyst_url) as conn:
        assert conn.execute("select count(*) from marts.fct_lead_funnel").fetchone() == (1,)
        assert conn.execute("select version from definitions.settings").fetchone() == ("abc",)


@pytest.mark.parametrize("relation", ["raw.hubspot__contacts", "staging.stg_contacts", "intermediate.int_people"])
def test_analyst_cannot_read_raw_staging_or_intermediate(analyst_url, relation):
    with psycopg.connect(analyst_url) as conn, pytest.raises(errors.InsufficientPrivilege):
        conn.execute(f"select * from {relation}")
