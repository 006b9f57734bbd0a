"""`make demo API=...`: the demo data served as the platforms' APIs loads exactly what the file drop
of the same data loads, through the real API connectors and the one loader."""

import json
from datetime import date
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from smarketing.config import load_config
from smarketing.demo.api_replay import DemoApiServer
from smarketing.demo.generator import AD_PLATFORMS, CRMS, generate
from smarketing.pipeline import extract_and_load, prepare_warehouse

pytestmark = pytest.mark.integration

LAST_DAY = date(2026, 3, 10)
# Columns that say where and when a row was loaded from, not what it holds; and `_extra`: an API
# answers the properties asked for, a file drop holds whatever the export had.
LOAD_COLUMNS = ("_batch_id", "_loaded_at", "_source_origin", "_source_line", "_extra")


@pytest.fixture(scope="module")
def demo_data(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("demo-data")
    generate(folder, end_date=LAST_DAY, days=21)
    return folder


def _demo_data_of(source: str, default: Path, tmp_path: Path) -> Path:
    """The default demo world for Google Ads and HubSpot; else the same world written for `source`."""
    if source in ("google_ads", "hubspot"):
        return default
    world = {"ad_platform": source} if source in AD_PLATFORMS else {"crm": source}
    generate(tmp_path / "demo-data", end_date=LAST_DAY, days=21, **world)
    return tmp_path / "demo-data"


@pytest.fixture
def second_warehouse(pg_server):
    with psycopg.connect(pg_server.url_of("postgres"), autocommit=True) as admin:
        admin.execute("drop database if exists demo_api_files with (force)")
        admin.execute("create database demo_api_files")
    with psycopg.connect(pg_server.url_of("demo_api_files"), autocommit=True) as conn:
        yield conn
    with psycopg.connect(pg_server.url_of("postgres"), autocommit=True) as admin:
        admin.execute("drop database demo_api_files with (force)")


def _config(tmp_path: Path, name: str, sources: dict) -> object:
    path = tmp_path / f"{name}.yml"
    path.write_text(
        json.dumps({"sources": sources, "report": {"recipients": ["a@example.org"], "sender": "b@example.org"}})
    )
    return load_config(path)


def _raw_rows(conn: psycopg.Connection, table: str) -> list[tuple]:
    columns = [
        name
        for (name,) in conn.execute(
            "select column_name from information_schema.columns where table_schema = 'raw' and table_name = %s"
            " order by ordinal_position",
            (table,),
        )
        if name not in LOAD_COLUMNS
    ]
    listed = sql.SQL(", ").join(map(sql.Identifier, columns))
    query = sql.SQL("select {} from {}").format(listed, sql.Identifier("raw", table))
    return sorted(conn.execute(query).fetchall(), key=repr)


@pytest.mark.parametrize("source", [*AD_PLATFORMS, *CRMS])
def test_the_api_replay_loads_what_the_file_drop_loads(
    source, demo_data, warehouse, second_warehouse, tmp_path, monkeypatch
):
    demo_data = _demo_data_of(source, demo_data, tmp_path)
    with DemoApiServer(demo_data, [source]) as server:
        monkeypatch.setenv(f"AIRFLOW_CONN_DEMO_{source.upper()}", json.dumps(server.connection(source)))
        api_source = {"conn_id": f"demo_{source}", "accounts": server.platforms[source].accounts}
        via_api = _config(tmp_path, "api", {source: api_source})
        prepare_warehouse(warehouse, via_api)
        api_results = extract_and_load(warehouse, via_api, source, LAST_DAY)
        assert server.requests > 0

    via_files = _config(tmp_path, "files", {source: {"path": str(demo_data / source)}})
    prepare_warehouse(second_warehouse, via_files)
    file_results = extract_and_load(second_warehouse, via_files, source, LAST_DAY)

    assert [r.rows_inserted for r in api_results] == [r.rows_inserted for r in file_results]
    assert sum(r.rows_inserted for r in api_results) > 0
    assert all(r.rows_quarantined == 0 for r in api_results)
    for result in api_results:
        table = f"{result.source}__{result.stream}"
        assert _raw_rows(warehouse, table) == _raw_rows(second_warehouse, table), table


def test_a_source_the_demo_cannot_serve_is_named(demo_data):
    with pytest.raises(ValueError, match="cannot serve tiktok_ads as an API"):
        DemoApiServer(demo_data, ["tiktok_ads"])


def test_a_demo_of_another_world_forgets_the_last_ones_sources(demo_data, warehouse, warehouse_url, tmp_path):
    from smarketing.cli import _forget_other_demo_worlds
    from smarketing.extract.cursors import CURSORS_TABLE, ensure_cursors_table

    files = {source: {"path": str(demo_data / source)} for source in ("google_ads", "hubspot")}
    config = _config(tmp_path, "files", files)
    prepare_warehouse(warehouse, config)
    for source in files:
        extract_and_load(warehouse, config, source, LAST_DAY)
    ensure_cursors_table(warehouse)
    warehouse.execute(
        f"insert into {CURSORS_TABLE} values ('google_ads', 'campaign_daily', '', 'x', now()),"
        " ('hubspot', 'contacts', '', 'y', now())"
    )

    _forget_other_demo_worlds(warehouse_url, {"meta_ads", "hubspot"})

    count = "select count(*) from raw.{}"
    assert warehouse.execute(count.format("google_ads__campaign_daily")).fetchone()[0] == 0
    assert warehouse.execute(count.format("hubspot__contacts")).fetchone()[0] > 0
    # Kept: HubSpot's API cursor and the ledger of the HubSpot files its load read.
    assert warehouse.execute(f"select distinct source from {CURSORS_TABLE}").fetchall() == [("hubspot",)]
