"""Shared fixtures: one real embedded Postgres for the session, a fresh database per test."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

_SESSION_HOME = Path(os.environ.get("SMARKETING_TEST_HOME", "/tmp")) / f"smarketing-tests-{os.getpid()}"


def pytest_configure(config: pytest.Config) -> None:
    # Before anything imports Airflow: its home, metadata DB and telemetry settings are read once.
    from smarketing.runtime import apply_environment

    os.environ["SMARKETING_HOME"] = str(_SESSION_HOME)
    apply_environment(_SESSION_HOME, override=True)


@pytest.fixture(scope="session")
def pg_server():
    from smarketing.warehouse import embedded

    root = _SESSION_HOME / "warehouse"
    server = embedded.start(root)
    yield server
    embedded.stop(root)


@pytest.fixture
def warehouse_url(pg_server) -> Iterator[str]:
    """A new, empty database on the session's server; dropped afterwards."""
    name = f"test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_server.url_of("postgres"), autocommit=True) as admin:
        admin.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
    yield pg_server.url_of(name)
    with psycopg.connect(pg_server.url_of("postgres"), autocommit=True) as admin:
        admin.execute(sql.SQL("drop database {} with (force)").format(sql.Identifier(name)))


@pytest.fixture
def warehouse(warehouse_url) -> Iterator[psycopg.Connection]:
    with psycopg.connect(warehouse_url, autocommit=True) as conn:
        yield conn


@pytest.fixture(scope="session")
def airflow_db() -> None:
    """Airflow's metadata DB (SQLite in the session home): DAG runs and Cosmos' dbt-ls cache live there."""
    from airflow.utils.db import initdb

    initdb()


def pytest_unconfigure(config: pytest.Config) -> None:
    import shutil

    shutil.rmtree(_SESSION_HOME, ignore_errors=True)
