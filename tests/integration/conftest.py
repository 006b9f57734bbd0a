"""Building the warehouse from the hand-made `tiny` fixture, as the nightly DAG would."""

import json
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


@pytest.fixture
def night(warehouse_url, google_ads_drop, hubspot_drop, tmp_path, monkeypatch):
    """Load the exports as they are now and run dbt (`build` unless told), as one nightly run does;
    `definitions` is YAML indented under `definitions:`."""
    config_file = tmp_path / "smarketing.yml"
    monkeypatch.setenv("SMARKETING_CONFIG", str(config_file))

    def run(
        load: tuple[str, ...] = ("google_ads",),
        dbt_args: tuple[str, ...] = ("build",),
        currency: str = "EUR",
        definitions: str = "",
    ) -> None:
        config_file.write_text(
            f"""
currency: {currency}
sources:
  google_ads: {{path: {google_ads_drop}, lookback_days: 30}}
  hubspot: {{path: {hubspot_drop}, lookback_days: 3}}
report: {{recipients: [a@example.org], sender: b@example.org}}
definitions:
  exclude_email_domains: [example.com]
{definitions}
"""
        )
        config = load_config(config_file)
        with psycopg.connect(warehouse_url, autocommit=True) as conn:
            prepare_warehouse(conn, config)
            for source in load:
                extract_and_load(conn, config, source, TINY_LAST_DAY)
        assert _dbt(warehouse_url, [*dbt_args, "--quiet"]) == 0

    return run


@pytest.fixture
def edit_contact(hubspot_drop):
    """Change one HubSpot contact's properties in the export, modified on the last day as the CRM would."""

    def edit(contact_id: str, **properties) -> None:
        path = hubspot_drop / "contacts" / "page-0001.json"
        page = json.loads(path.read_text())
        for contact in page["results"]:
            if contact["id"] == contact_id:
                contact["properties"].update(properties, lastmodifieddate="2026-03-10T12:00:00.000Z")
                contact["updatedAt"] = "2026-03-10T12:00:00.000Z"
        path.write_text(json.dumps(page))

    return edit
