"""The shared HTTP client: Retry-After, backoff, throttling hooks, errors without secrets.

Requests go to a replay server on 127.0.0.1 (fast, no sleeping: the sleeps are recorded)."""

import logging
import socket
from datetime import UTC, datetime

import httpx
import pytest

from smarketing.extract.http import (
    ApiError,
    HttpClient,
    RetryPolicy,
    api_message,
    backoff_delay,
    retry_after_seconds,
    safe_url,
)
from smarketing.extract.meta_ads_api import throttling as meta_throttling
from tests.replay import ReplayServer, Reply

NOW = datetime(2026, 3, 10, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("2", 2.0),
        (" 120 ", 120.0),
        ("Tue, 10 Mar 2026 12:00:30 GMT", 30.0),  # an HTTP-date: seconds from now
        ("Tue, 10 Mar 2026 11:59:00 GMT", 0.0),  # already past: retry now
        (None, None),
        ("", None),
        ("soon", None),
        ("-5", None),
    ],
)
def test_retry_after_is_seconds_or_an_http_date(header, seconds):
    assert retry_after_seconds(header, now=NOW) == seconds


def test_backoff_doubles_up_to_the_cap_with_jitter():
    policy = RetryPolicy(base_delay=1, max_delay=60)
    assert [backoff_delay(n, policy, jitter=lambda: 1.0) for n in range(1, 9)] == [1, 2, 4, 8, 16, 32, 60, 60]
    # The random factor only ever shortens a delay, by at most half.
    assert [backoff_delay(n, policy, jitter=lambda: 0.0) for n in (1, 3, 10)] == [0.5, 2, 30]


def test_urls_shown_mask_credentials():
    shown = safe_url("https://graph.facebook.com/v21.0/act_1/insights?access_token=EAAB123&fields=spend&api_key=k")
    assert "EAAB123" not in shown and "=k" not in shown
    assert shown == "https://graph.facebook.com/v21.0/act_1/insights?access_token=***&fields=spend&api_key=***"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"error": {"message": "Invalid parameter", "code": 100}}, "Invalid parameter"),
        ([{"error": {"message": "Bad query", "status": "INVALID_ARGUMENT"}}], "INVALID_ARGUMENT: Bad query"),
        ({"error": "invalid_grant", "error_description": "Token has been expired or revoked."}, "Token has been"),
        ({"message": "This hapikey does not exist"}, "This hapikey does not exist"),
        ("<html>Bad Gateway</html>", "<html>Bad Gateway</html>"),
    ],
)
def test_the_apis_own_message_is_found(body, message):
    response = httpx.Response(400, **({"text": body} if isinstance(body, str) else {"json": body}))
    assert api_message(response).startswith(message)


class Sleeps(list):
    def __call__(self, seconds):
        self.append(seconds)


@pytest.fixture
def replay():
    with ReplayServer() as server:
        yield server


def client(replay, sleeps, **options):
    return HttpClient("meta_ads", replay.url, headers={"Authorization": "Bearer SECRET-TOKEN"}, sleep=sleeps, **options)


def test_429_waits_as_told_then_succeeds(replay, caplog):
    replay.script("GET", "/x", Reply(429, {}, {"Retry-After": "7"}), Reply(503, "busy"), Reply(200, {"ok": True}))
    sleeps = Sleeps()
    with client(replay, sleeps) as http, caplog.at_level(logging.DEBUG):
        response = http.request("GET", "/x", stream="insights", params={"access_token": "SECRET-TOKEN"})
    assert response.json() == {"ok": True}
    assert sleeps[0] == 7.0 and 1.0 <= sleeps[1] <= 2.0  # Retry-After, then the second backoff step
    assert [r.path for r in replay.requests] == ["/x"] * 3
    assert replay.requests[0].headers["authorization"] == "Bearer SECRET-TOKEN"
    assert replay.requests[0].query == {"access_token": ["SECRET-TOKEN"]}
    assert "retry 1 in 7.0 s" in caplog.text and "access_token=***" in caplog.text
    assert "SECRET-TOKEN" not in caplog.text  # not in ours, not in httpx's own request log


def test_the_apis_own_throttling_signal_is_retried(replay):
    """Meta says "rate limited" with a 400 and code 17; the connector's hook knows, the client waits
    as long as Meta's usage header says (5 minutes)."""
    limited = {"error": {"message": "User request limit reached", "code": 17}}
    usage = {"x-business-use-case-usage": '{"1": [{"type": "ads_insights", "estimated_time_to_regain_access": 5}]}'}
    replay.script("GET", "/insights", Reply(400, limited, usage), Reply(200, {"data": []}))

    sleeps = Sleeps()
    with client(replay, sleeps, throttle=meta_throttling) as http:
        assert http.request("GET", "/insights", stream="insights").json() == {"data": []}
    assert sleeps == [300.0]


def test_a_client_error_is_not_retried_and_names_source_stream_url_and_message(replay):
    replay.script("GET", "/act_1/insights", Reply(400, {"error": {"message": "(#100) Unknown field: spendd"}}))
    sleeps = Sleeps()
    with client(replay, sleeps) as http, pytest.raises(ApiError) as error:
        http.request("GET", "/act_1/insights", stream="insights", params={"access_token": "SECRET-TOKEN"})
    assert str(error.value) == (
        f"meta_ads/insights: GET {replay.url}/act_1/insights?access_token=***: HTTP 400: (#100) Unknown field: spendd"
    )
    assert sleeps == []
    assert not error.value.gave_up  # refused: the extract task fails at once instead of retrying


def test_connection_errors_are_retried_then_fail_without_secrets(caplog):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sleeps = Sleeps()
    http = HttpClient("hubspot", f"http://127.0.0.1:{port}", headers={"Authorization": "Bearer SECRET-TOKEN"},
                      sleep=sleeps, policy=RetryPolicy(max_attempts=4))  # fmt: skip
    with (
        caplog.at_level(logging.WARNING),
        pytest.raises(ApiError, match=r"ConnectError.*\(gave up after 4 attempts\)") as error,
    ):
        http.request("GET", "/crm/v3/objects/contacts", stream="contacts", params={"hapikey": "SECRET-TOKEN"})
    assert error.value.gave_up  # temporary: left to the task's retries
    assert len(sleeps) == 3
    assert len(caplog.records) == 3
    assert "SECRET-TOKEN" not in caplog.text
