from pathlib import Path

import pytest

from smarketing.config import DEFAULT_CONFIG_PATH, ConfigError, load_config

VALID = """
timezone: Europe/Berlin
sources:
  google_ads: {path: ads, lookback_days: 30}
  hubspot: {path: crm}
report: {recipients: [ceo@example.org], sender: bot@example.org}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "smarketing.yml"
    path.write_text(text)
    return path


def test_committed_config_is_valid():
    config = load_config(DEFAULT_CONFIG_PATH)
    assert set(config.sources) == {"google_ads", "hubspot", "fx_rates"}
    assert config.sources["google_ads"].lookback_days == 30


def test_defaults_and_relative_paths(tmp_path):
    config = load_config(write(tmp_path, VALID))
    assert config.sources["google_ads"].path == tmp_path / "ads"
    assert config.sources["hubspot"].lookback_days == 3
    assert config.history_days == 90
    assert config.currency == "EUR"
    assert config.warehouse.dbt_threads == 2


@pytest.mark.parametrize(
    ("replace", "by", "message"),
    [
        ("timezone: Europe/Berlin", "timezone: Mars/Olympus", "key timezone: value 'Mars/Olympus': is not an IANA"),
        ("lookback_days: 30", "lookback_days: -2", "key sources.google_ads.lookback_days: value -2"),
        ("hubspot: {path: crm}", "hubsport: {path: crm}", "unknown source 'hubsport'"),
        ("[ceo@example.org]", "[not-an-address]", "key report.recipients.0: value 'not-an-address'"),
        ("sender: bot@example.org}", "sender: bot@example.org, colour: red}", "key report.colour"),
        (
            "timezone: Europe/Berlin",
            "timezone: Europe/Berlin\nwarehouse: {dbt_threads: 0}",
            "key warehouse.dbt_threads",
        ),
    ],
)
def test_errors_name_file_key_and_value(tmp_path, replace, by, message):
    path = write(tmp_path, VALID.replace(replace, by))
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert str(path) in str(error.value)
    assert message in str(error.value)


def test_missing_key_is_named(tmp_path):
    path = write(tmp_path, VALID.replace("report: {recipients: [ceo@example.org], sender: bot@example.org}", ""))
    with pytest.raises(ConfigError, match="key report: missing"):
        load_config(path)


def test_subject_with_newline_is_rejected(tmp_path):
    text = VALID.replace("sender: bot@example.org}", 'sender: bot@example.org, subject: "KPIs\\nBcc: x@evil.org"}')
    with pytest.raises(ConfigError, match=r"key report\.subject"):
        load_config(write(tmp_path, text))


def test_not_yaml(tmp_path):
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(write(tmp_path, "sources: [unclosed"))


def test_api_sources_name_a_connection_and_accounts(tmp_path):
    config = load_config(
        write(
            tmp_path,
            VALID.replace(
                "{path: ads, lookback_days: 30}", "{conn_id: gads, accounts: [' 123-456-7890', '0987654321']}"
            ),
        )
    )
    google_ads = config.sources["google_ads"]
    assert (google_ads.conn_id, google_ads.path, google_ads.is_api) == ("gads", None, True)
    assert google_ads.accounts == ["1234567890", "0987654321"]  # as the API wants them
    assert config.sources["hubspot"].accounts == []


@pytest.mark.parametrize(
    ("crm", "reads"),
    [
        ("hubspot", "one HubSpot portal (its access token's)"),
        ("salesforce", "one Salesforce org"),
        ("amocrm", "one amoCRM account (the connection's host)"),
        ("bitrix24", "one Bitrix24 portal (its webhook's)"),
    ],
)
def test_a_crm_connection_reads_one_portal_without_accounts(tmp_path, crm, reads):
    path = write(tmp_path, VALID.replace("hubspot: {path: crm}", f"{crm}: {{conn_id: crm, accounts: ['123']}}"))
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert f"sources.{crm}.accounts: the connection reads {reads}; remove `accounts`" in str(error.value)


def test_lookback_defaults_per_source_kind(tmp_path):
    config = load_config(
        write(
            tmp_path,
            VALID.replace("lookback_days: 30", "max_lag_days: 1").replace(
                "{path: crm}", "{path: crm, lookback_days: 5}"
            ),
        )
    )
    assert config.sources["google_ads"].lookback_days == 30  # Google restates conversions for 30 days
    assert config.sources["hubspot"].lookback_days == 5  # given: kept


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("{path: ads, conn_id: gads}", "key sources.google_ads: value {'path': 'ads', 'conn_id': 'gads'}: give either"),
        ("{lookback_days: 30}", "key sources.google_ads: value {'lookback_days': 30}: give either `path`"),
        (
            "{conn_id: gads, accounts: [123-45]}",
            "sources.google_ads.accounts: '123-45' is not a Google Ads customer id",
        ),
        ("{conn_id: gads}", "sources.google_ads.accounts: list the customer ids to read"),
    ],
)
def test_a_source_is_read_one_way_with_valid_accounts(tmp_path, source, message):
    path = write(tmp_path, VALID.replace("{path: ads, lookback_days: 30}", source))
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert message in str(error.value)
