"""Google Ads API pieces that need no server: the connection's fields, the quota signal, messages."""

import json
import re

import httpx
import pytest

from smarketing.extract.google_ads_api import (
    DEFAULT_API_VERSION,
    DEFAULT_BASE_URL,
    DEFAULT_TOKEN_URI,
    Credentials,
    describe,
    throttling,
)
from smarketing.extract.http import Throttled


def quota_error(retry_delay=None):
    details = {"quotaErrorDetails": {"rateScope": "ACCOUNT"} | ({"retryDelay": retry_delay} if retry_delay else {})}
    error = {"code": 429, "message": "Resource has been exhausted.", "status": "RESOURCE_EXHAUSTED",
             "details": [{"errors": [{"message": "Too many requests.", "details": details}]}]}  # fmt: skip
    return httpx.Response(429, json=[{"error": error}])


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        (quota_error("30s"), Throttled(30.0)),
        (quota_error("1.5s"), Throttled(1.5)),
        (quota_error(), Throttled(None)),  # throttled, but no delay named: the client backs off
        (httpx.Response(400, json=[{"error": {"code": 400, "status": "INVALID_ARGUMENT"}}]), None),
        (httpx.Response(503, text="Service Unavailable"), None),
    ],
)
def test_quota_errors_are_recognised_with_their_delay(response, expected):
    assert throttling(response) == expected


def test_errors_are_described_with_the_failures_own_messages():
    assert describe(quota_error("30s")) == "RESOURCE_EXHAUSTED: Resource has been exhausted.; Too many requests."


def test_credentials_from_a_uri_connection_with_defaults(monkeypatch):
    secrets = {"developer_token": "dev-secret", "refresh_token": "refresh-secret"}
    extra = json.dumps(secrets | {"login_customer_id": "123-456-7890"})
    monkeypatch.setenv("AIRFLOW_CONN_GADS", f"http://client%40id:se%2Fcret@googleads.googleapis.com/?__extra__={extra}")
    credentials = Credentials.from_airflow("gads")
    assert credentials.base_url == DEFAULT_BASE_URL
    assert (credentials.client_id, credentials.client_secret) == ("client@id", "se/cret")
    assert credentials.login_customer_id == "1234567890"
    assert (credentials.api_version, credentials.token_uri) == (DEFAULT_API_VERSION, DEFAULT_TOKEN_URI)
    assert not {"se/cret", "dev-secret", "refresh-secret"} & set(re.findall(r"'([^']*)'", repr(credentials)))


def test_a_connection_without_credentials_is_named(monkeypatch):
    monkeypatch.setenv("AIRFLOW_CONN_GADS", json.dumps({"conn_type": "http", "host": "https://proxy.local"}))
    with pytest.raises(ValueError, match=r"'gads' lacks extra\.developer_token, extra\.refresh_token, login, password"):
        Credentials.from_airflow("gads")
