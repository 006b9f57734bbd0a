"""Building the warehouse from the hand-made `tiny` fixture, as the nightly DAG would."""

import shutil
from datetime import date
from pathlib import Path

import psycopg
import pytest

from smarketing.cli import _dbt
from smarketing.config import load_config
from smarketing.pipeline import extract_and_load, prepare_warehouse

TINY = Path(__file__).parent.parent / "fixtures" / "tiny"
TINY_LAST_DAY = date(2026, 3, 10)


def _write_tiny_config(path: Path, definitions: str = "") -> Path:
    path.write_text(
        f"""
sources:
  google_ads: {{path: {TINY / "google_ads"}, lookback_days: 30}}
  hubspot: {{path: {TINY / "hubspot"}, lookback_days: 3}}
report: {{recipients: [a@example.org], sender: b@example.org}}
definitions:
  exclude_email_domains: [example.com]
{definitions}
"""
    )
    return path


@pytest.fixture
def tiny_config(tmp_path):
    """Write a config reading the tiny fixture; `definitions` is YAML indented under `definitions:`."""
    counter = iter(range(1000))
    return lambda definitions="": _write_tiny_config(tmp_path / f"tiny-{next(counter)}.yml", definitions)


@pytest.fixture
def build_tiny(warehouse_url, monkeypatch):
    """Publish the definitions of `config_file`, load the fixture, `dbt build`: the nightly path."""

    def build(config_file: Path) -> None:
        monkeypatch.setenv("SMARKETING_CONFIG", str(config_file))
        config = load_config(config_file)
        with psycopg.connect(warehouse_url, autocommit=True) as conn:
            prepare_warehouse(conn, config)
            for source in config.sources:
                extract_and_load(conn, config, source, TINY_LAST_DAY)
        assert _dbt(warehouse_url, ["build", "--quiet"]) == 0

    return build


@pytest.fixture
def google_ads_drop(tmp_path) -> Path:
    """A copy of the tiny fixture's Google Ads export, to change as the platform would."""
    folder = tmp_path / "google_ads"
    shutil.copytree(TINY / "google_ads", folder)
    return folder


@pytest.fixture
def hubspot_drop(tmp_path) -> Path:
    """A copy of the tiny fixture's HubSpot export, to change as the CRM would."""
    return Path(shutil.copytree(TINY / "hubspot", tmp_path / "hubspot"))
