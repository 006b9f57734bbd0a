"""`smarketing demo --api ...`: which world the demo writes and the config it runs with."""

import pytest

from smarketing.cli import _demo_world, _use_demo_sources
from smarketing.config import REPO_ROOT


def test_the_demo_world_is_google_ads_and_hubspot_unless_the_api_names_others():
    assert _demo_world([]) == ("google_ads", "hubspot")
    assert _demo_world(["hubspot"]) == ("google_ads", "hubspot")
    assert _demo_world(["meta_ads", "amocrm"]) == ("meta_ads", "amocrm")
    assert _demo_world(["amocrm"]) == ("google_ads", "amocrm")


def test_the_demo_company_uses_one_ad_platform():
    with pytest.raises(SystemExit, match="one ad platform: pick one of google_ads, yandex_direct"):
        _demo_world(["google_ads", "yandex_direct"])


@pytest.fixture
def demo_home(tmp_path, monkeypatch):
    monkeypatch.setenv("SMARKETING_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("SMARKETING_CONFIG", str(REPO_ROOT / "smarketing.yml"))
    return tmp_path


def test_the_demo_config_reads_only_the_worlds_sources_from_the_demo_data(demo_home):
    folder = demo_home / "demo-data"
    config = _use_demo_sources(folder, "meta_ads", "hubspot")

    assert list(config.sources) == ["meta_ads", "hubspot", "fx_rates"]
    assert config.sources["meta_ads"].path == folder / "meta_ads"
    assert config.sources["meta_ads"].lookback_days == 28  # Meta's default: smarketing.yml has no meta_ads
    assert config.sources["hubspot"].lookback_days == 3  # as smarketing.yml sets it
    assert all(source.conn_id is None for source in config.sources.values())


def test_a_crm_with_account_specific_statuses_gets_the_demo_pipelines_mapping(demo_home):
    from smarketing.demo.amocrm import CRM_MAPPING_FIELDS

    config = _use_demo_sources(demo_home / "demo-data", "google_ads", "amocrm")

    fields = config.definitions.crm_mappings["amocrm"].fields
    for field, values in CRM_MAPPING_FIELDS.items():
        assert {value: fields[field][value] for value in values} == values
    assert fields["status_id"]["142"] == "won"  # smarketing.yml's own mapping stays
