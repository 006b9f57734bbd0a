"""The one HTTP client every API connector uses: base URL, default headers, retries that honour
the API's own throttling signal, and errors that name source, stream, URL and the API's message.

Rate limits are part of every API's normal day (HubSpot's 5 req/s, Bitrix24's leaky bucket, Meta's
error 17 mid-pagination), so a throttled or failing request is retried here, once per request, and
a connector never sees it. Tokens live in headers and are never logged or put in an error.
"""

from __future__ import annotations

import logging
import random
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx

if TYPE_CHECKING:
    from airflow.sdk import Connection

log = logging.getLogger(__name__)
# httpx logs every request's full URL at INFO, and some APIs (Meta) take the token in the query:
# this module logs its own requests, with the URL masked.
logging.getLogger("httpx").setLevel(logging.WARNING)

# Query parameters that carry credentials (Meta's access_token, API keys): masked in URLs we show.
_SECRET_PARAM = re.compile(r"token|secret|key|password|auth|signature", re.IGNORECASE)
# A Bitrix24 inbound webhook carries its secret in the path: /rest/<user id>/<secret>/<method>.
_WEBHOOK_SECRET = re.compile(r"(/rest/\d+/)[^/]+")


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 6
    # Exponential backoff when the API names no delay: base, 2 x base, 4 x base ... capped.
    base_delay: float = 1.0
    max_delay: float = 60.0


DEFAULT_RETRY = RetryPolicy()


@dataclass(frozen=True)
class Throttled:
    """An API's own throttling signal found in a response; `delay` in seconds when it names one."""

    delay: float | None = None


# A connector's hook: its throttling signal in a response (which may be a 400 or a 503), or None.
ThrottleHook = Callable[[httpx.Response], Throttled | None]
# A connector's hook: the API's own words for a failed response, for the error a user reads.
DescribeHook = Callable[[httpx.Response], str]


class ApiError(RuntimeError):
    """A request that failed for good: not retryable, or still failing after every attempt."""

    def __init__(self, source: str, stream: str, method: str, url: str, reason: str, *, gave_up: bool = False) -> None:
        super().__init__(f"{source}/{stream}: {method} {url}: {reason}")
        self.source, self.stream, self.url, self.reason = source, stream, url, reason
        # True: the API kept failing temporarily (a later retry may pass); False: it refused the request.
        self.gave_up = gave_up


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """A Retry-After header in seconds (it is either a number of seconds or an HTTP-date); None when
    absent or unreadable. A date in the past means: retry now."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:  # HTTP-dates are GMT
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - (now or datetime.now(UTC))).total_seconds())


def backoff_delay(attempt: int, policy: RetryPolicy, jitter: Callable[[], float] = random.random) -> float:
    """Delay before retry number `attempt` (1-based): base x 2^(attempt-1), capped, then scaled by a
    random factor in [0.5, 1] so that parallel tasks throttled together do not retry together."""
    delay = min(policy.max_delay, policy.base_delay * 2 ** (attempt - 1))
    return delay * (0.5 + jitter() / 2)


def connection_base_url(host: str | None, port: int | None, default: str) -> str:
    """An Airflow connection's API base URL: `default` when it names no host. A URI-form connection
    keeps the scheme out of `host`; the APIs speak HTTPS."""
    if not host:
        return default
    url = host if "://" in host else f"https://{host}"
    return f"{url.rstrip('/')}:{port}" if port and "://" not in host else url.rstrip("/")


def airflow_connection(source: str, conn_id: str, required: Sequence[str]) -> Connection:
    """The source's connection as Airflow resolves it: AIRFLOW_CONN_<ID> (URI or JSON), a secrets
    backend, its DB. Every `required` field ("host", "login", "password", "extra.<key>") must be
    set, else one error names them all and where the source's fields are described."""
    from airflow.sdk import Connection

    conn = Connection.get(conn_id)
    extra = conn.extra_dejson
    missing = [
        name
        for name in required
        if not (extra.get(name.removeprefix("extra.")) if name.startswith("extra.") else getattr(conn, name))
    ]
    if missing:
        lacking = ", ".join(missing)
        raise ValueError(f"Airflow connection {conn_id!r} lacks {lacking} (see docs/sources/{source}.md)")
    return conn


def safe_url(url: str | httpx.URL) -> str:
    """The URL with credential-like query values and webhook secrets masked, fit for logs and errors."""
    parts = urlsplit(str(url))
    query = [(k, "***" if _SECRET_PARAM.search(k) else v) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    path = _WEBHOOK_SECRET.sub(r"\1***", parts.path)
    return parts._replace(path=path, query=urlencode(query, safe="*")).geturl()


def api_message(response: httpx.Response) -> str:
    """The API's own words for an error: `error.message` (Google, Meta; Google's searchStream wraps it
    in a list), OAuth's `error_description`, a top-level `message` or `error`, else the start of the body."""
    try:
        body: Any = response.json()
    except ValueError:
        return response.text[:500] or response.reason_phrase
    if isinstance(body, list) and body and isinstance(body[0], dict):
        body = body[0]
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict) and error.get("message"):
            status = error.get("status")
            return f"{status}: {error['message']}" if status else str(error["message"])
        for key in ("error_description", "message", "error"):
            if isinstance(body.get(key), str):
                return body[key]
    return response.text[:500]


class HttpClient:
    """Requests to one API on behalf of one source. `sleep` is injectable so tests record the delays."""

    def __init__(
        self,
        source: str,
        base_url: str,
        *,
        headers: Mapping[str, str] | None = None,
        throttle: ThrottleHook | None = None,
        describe: DescribeHook = api_message,
        policy: RetryPolicy = DEFAULT_RETRY,
        sleep: Callable[[float], None] = time.sleep,
        timeout: float = 120.0,
    ) -> None:
        self.source = source
        self.headers = dict(headers or {})  # a connector adds its auth header once it has a token
        self._throttle = throttle
        self._describe = describe
        self._policy = policy
        self._sleep = sleep
        self._client = httpx.Client(base_url=base_url, timeout=timeout)

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def request(
        self,
        method: str,
        url: str,
        *,
        stream: str,
        json: Any = None,
        data: Mapping[str, str] | None = None,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """The response of the first attempt that succeeds (2xx). Throttling (429, the API's own
        signal), 5xx and connection errors are retried after the delay the API asks for, else after
        a backoff; anything else raises ApiError at once, as does the last failed attempt."""
        request = self._client.build_request(
            method, url, json=json, data=data, params=params, headers={**self.headers, **(headers or {})}
        )
        shown = safe_url(request.url)
        for attempt in range(1, self._policy.max_attempts + 1):
            try:
                response = self._client.send(request)
            except httpx.TransportError as error:
                reason, delay = f"{type(error).__name__}: {error}", None
            else:
                if response.is_success:
                    return response
                throttled = self._throttle(response) if self._throttle else None
                reason = f"HTTP {response.status_code}: {self._describe(response)}"
                if throttled is None and response.status_code != 429 and response.status_code < 500:
                    raise ApiError(self.source, stream, method, shown, reason)
                delay = throttled.delay if throttled and throttled.delay is not None else None
                if delay is None:
                    delay = retry_after_seconds(response.headers.get("Retry-After"))
            if attempt == self._policy.max_attempts:
                break
            if delay is None:
                delay = backoff_delay(attempt, self._policy)
            log.warning("%s/%s: %s %s: %s; retry %d in %.1f s", self.source, stream, method, shown, reason, attempt,
                        delay)  # fmt: skip
            self._sleep(delay)
        raise ApiError(self.source, stream, method, shown, f"{reason} (gave up after {attempt} attempts)", gave_up=True)


def refresh_token_grant(
    source: str,
    stream: str,
    token_url: str,
    credentials: Mapping[str, str],
    *,
    policy: RetryPolicy = DEFAULT_RETRY,
    sleep: Callable[[float], None] = time.sleep,
) -> dict[str, Any]:
    """The token response of an OAuth2 refresh-token grant (`credentials`: client_id, client_secret,
    refresh_token), holding at least an `access_token`. A client of its own, so an API's own
    headers (Google's developer token) never reach the token endpoint."""
    with HttpClient(source, token_url, policy=policy, sleep=sleep) as oauth:
        response = oauth.request("POST", token_url, stream=stream, data={"grant_type": "refresh_token", **credentials})
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict) or not body.get("access_token"):
        raise ApiError(source, stream, "POST", safe_url(token_url), "the token response holds no access_token")
    return body
