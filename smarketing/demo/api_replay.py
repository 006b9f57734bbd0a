"""The demo's data served as the platforms' own APIs, on 127.0.0.1, so `make demo API=...` runs the
API connectors end to end (token exchange, paging, associations) without an account.

Each platform answers the requests its connector sends, as the API documents them, from the demo
data files the generator wrote (the same data the file-drop demo reads): Google Ads filters the
searchStream rows by the GAQL date range; HubSpot's CRM search filters, sorts and pages records by
their last-modified time and answers the v4 association reads. Only what the connectors use is
served; anything else is a 404 that names the request, so a connector asking for more fails loudly.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import import_module
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

# (status, JSON body) of one request: (method, path with its query string, parsed JSON body, the
# body's text when it is not JSON (a form), or None). A body of bytes is sent as it is (a TSV or CSV
# report), with the answer's third element, response headers (Content-Type, Yandex's retryIn).
Answer = tuple[int, Any] | tuple[int, Any, Mapping[str, str]]
Handler = Callable[..., Answer | None]

DEMO_TOKEN = "demo-access-token"


@dataclass(frozen=True)
class DemoPlatform:
    handle: Handler
    # The Airflow connection (without host: the server's URL is added) and the accounts to read.
    connection: dict[str, Any]
    accounts: list[str]
    # Request headers the platform answers by (Yandex's Client-Login names the account): when any
    # are named, `handle` gets a fourth argument, {lower-case name: value} of those sent.
    headers: tuple[str, ...] = ()


def _token(method: str, target: str, _body: Any) -> Answer | None:
    if (method, urlsplit(target).path) == ("POST", "/token"):
        return 200, {"access_token": DEMO_TOKEN, "expires_in": 3599, "token_type": "Bearer"}
    return None


def _json_files(folder: Path, pattern: str) -> Iterator[Any]:
    for path in sorted(folder.glob(pattern)):
        yield json.loads(path.read_text(encoding="utf-8"))


# ---- Google Ads ---------------------------------------------------------------------------------

_SEARCH_STREAM = re.compile(r"/v\d+/customers/(\d+)/googleAds:searchStream")
_GAQL = re.compile(r"\bFROM (\w+) WHERE segments\.date BETWEEN '(\d{4}-\d{2}-\d{2})' AND '(\d{4}-\d{2}-\d{2})'")
_GOOGLE_ADS_FILES = {"campaign": "searchStream_*.json", "ad_group": "adGroupStream_*.json"}


def google_ads(folder: Path) -> DemoPlatform:
    def handle(method: str, target: str, body: Any) -> Answer | None:
        path = urlsplit(target).path
        match = _SEARCH_STREAM.fullmatch(path)
        if method != "POST" or not match:
            return _token(method, path, body)
        query = _GAQL.search((body or {}).get("query", ""))
        if query is None or query.group(1) not in _GOOGLE_ADS_FILES:
            return 400, {
                "error": {"code": 400, "status": "INVALID_ARGUMENT", "message": "query not served by the demo"}
            }
        table, first, last = query.groups()
        rows = [
            row
            for batches in _json_files(folder / match.group(1), _GOOGLE_ADS_FILES[table])
            for batch in batches
            for row in batch.get("results", [])
            if first <= row["segments"]["date"] <= last
        ]
        batch = {"fieldMask": "", "requestId": "demo"}
        return 200, [{"results": rows, **batch}] if rows else [batch]

    accounts = sorted(path.name for path in folder.iterdir() if path.is_dir())
    connection = {
        "conn_type": "http",
        "login": "demo-client-id",
        "password": "demo-client-secret",
        "extra": {"developer_token": "demo-developer-token", "refresh_token": "demo-refresh-token"},
    }
    return DemoPlatform(handle, connection, accounts)


# ---- HubSpot ------------------------------------------------------------------------------------

_HUBSPOT_SEARCH = re.compile(r"/crm/v3/objects/(\w+)/search")
_HUBSPOT_ASSOCIATIONS = re.compile(r"/crm/v4/associations/(\w+)/(\w+)/batch/read")
_MODIFIED = ("lastmodifieddate", "hs_lastmodifieddate")
# Search pages end at 10,000 results; past it HubSpot answers 400 and a client must narrow its filter.
_SEARCH_CAP = 10_000


def _instant(value: str) -> datetime:
    """A search filter value or a record time: epoch milliseconds or ISO 8601."""
    if value.isdigit():
        return datetime.fromtimestamp(int(value) / 1000, UTC)
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _property(record: dict, name: str) -> str | None:
    if name in _MODIFIED:
        return record["properties"].get(name) or record["updatedAt"]
    return record["properties"].get(name)


def _matches(record: dict, condition: dict) -> bool:
    value = _property(record, condition["propertyName"])
    if value is None:
        return condition["operator"] == "NOT_HAS_PROPERTY"
    operator, wanted = condition["operator"], condition.get("value")
    if operator == "HAS_PROPERTY":
        return True
    if operator == "EQ":
        return value == wanted
    left, right = _instant(value), _instant(str(wanted))
    return {"GT": left > right, "GTE": left >= right, "LT": left < right, "LTE": left <= right}[operator]


def hubspot(folder: Path) -> DemoPlatform:
    records = {
        object_type.name: [record for page in _json_files(object_type, "*.json") for record in page["results"]]
        for object_type in sorted(folder.iterdir())
        if object_type.is_dir()
    }

    def search(object_type: str, body: dict) -> Answer:
        groups = body.get("filterGroups") or [{"filters": []}]
        found = [
            record
            for record in records.get(object_type, [])
            if any(all(_matches(record, condition) for condition in group["filters"]) for group in groups)
        ]
        for sort in reversed(body.get("sorts") or []):
            found.sort(key=lambda r, s=sort: _instant(_property(r, s["propertyName"]) or "0"),
                       reverse=sort.get("direction") == "DESCENDING")  # fmt: skip
        start, limit = int(body.get("after") or 0), int(body.get("limit") or 10)
        if start + limit > _SEARCH_CAP:
            return 400, {"status": "error", "category": "VALIDATION_ERROR",
                         "message": "There was a problem with the request: paging past 10000 results"}  # fmt: skip
        wanted = set(body.get("properties") or []) | {"hs_object_id", "createdate", *_MODIFIED}
        page = [
            {**record, "properties": {k: v for k, v in record["properties"].items() if k in wanted}}
            for record in found[start : start + limit]
        ]
        answer: dict[str, Any] = {"total": len(found), "results": [_without_associations(r) for r in page]}
        if start + limit < len(found):
            answer["paging"] = {"next": {"after": str(start + limit)}}
        return 200, answer

    def associations(from_type: str, to_type: str, body: dict) -> Answer:
        by_id = {record["id"]: record for record in records.get(from_type, [])}
        results = []
        for item in body.get("inputs", []):
            linked = by_id.get(item["id"], {}).get("associations", {}).get(to_type, {}).get("results", [])
            if linked:
                to = [{"toObjectId": int(link["id"]), "associationTypes": [
                    {"category": "HUBSPOT_DEFINED", "typeId": 0, "label": None}]} for link in linked]  # fmt: skip
                results.append({"from": {"id": item["id"]}, "to": to})
        return 200, {"status": "COMPLETE", "results": results}

    def handle(method: str, target: str, body: Any) -> Answer | None:
        path = urlsplit(target).path
        if method == "POST" and (match := _HUBSPOT_SEARCH.fullmatch(path)):
            return search(match.group(1), body or {})
        if method == "POST" and (match := _HUBSPOT_ASSOCIATIONS.fullmatch(path)):
            return associations(match.group(1), match.group(2), body or {})
        if (method, path) == ("GET", "/crm/v3/owners"):
            return 200, {"results": []}  # the demo's engagements name owner ids only
        return None

    return DemoPlatform(handle, {"conn_type": "http", "password": "demo-private-app-token"}, [])


def _without_associations(record: dict) -> dict:
    """Search results carry no associations (the v4 association API gives them)."""
    return {key: value for key, value in record.items() if key != "associations"}


def _replay_of(source: str) -> Callable[[Path], DemoPlatform]:
    """The replay in `smarketing.demo.<source>`, next to the writer of that source's demo files."""
    return lambda folder: import_module(f"smarketing.demo.{source}").replay(folder)


# The platforms the demo can serve as an API, by source; each reads that source's demo folder.
PLATFORMS: dict[str, Callable[[Path], DemoPlatform]] = {
    "google_ads": google_ads,
    "hubspot": hubspot,
    **{
        source: _replay_of(source)
        for source in ("meta_ads", "linkedin_ads", "yandex_direct", "salesforce", "amocrm", "bitrix24")
    },
}


class DemoApiServer:
    """One local server for every platform asked for: a platform's paths never overlap another's."""

    def __init__(self, demo_data: Path, sources: list[str]) -> None:
        unknown = sorted(set(sources) - set(PLATFORMS))
        if unknown:
            served = ", ".join(PLATFORMS)
            raise ValueError(f"the demo cannot serve {', '.join(unknown)} as an API (it serves: {served})")
        self.platforms = {source: PLATFORMS[source](demo_data / source) for source in sources}
        self.requests = 0
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def connection(self, source: str) -> dict[str, Any]:
        """The Airflow connection of a source, pointing at this server (token URI included)."""
        connection = self.platforms[source].connection
        extra = {**connection.get("extra", {}), "token_uri": f"{self.url}/token"}
        return {**connection, "host": self.url, "extra": extra}

    def __enter__(self) -> DemoApiServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def answer(self, method: str, path: str, body: Any, headers: Mapping[str, str] | None = None) -> Answer:
        self.requests += 1
        sent = {name.lower(): value for name, value in (headers or {}).items()}
        for platform in self.platforms.values():
            if platform.headers:
                wanted = {name: sent[name] for name in platform.headers if name in sent}
                answer = platform.handle(method, path, body, wanted)
            else:
                answer = platform.handle(method, path, body)
            if answer is not None:
                return answer
        return 404, {"message": f"the demo API does not serve {method} {path}"}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                is_json = "json" in (self.headers.get("Content-Type") or "")
                body = (json.loads(raw) if is_json else raw.decode()) if raw else None
                status, answer, *more = server.answer(self.command, self.path, body, dict(self.headers.items()))
                headers = {"Content-Type": "application/json", **(more[0] if more else {})}
                payload = answer if isinstance(answer, bytes) else json.dumps(answer).encode()
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                if status != 204:  # No Content (amoCRM's end of a list) has neither body nor length
                    self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                if status != 204:
                    self.wfile.write(payload)

            do_GET = do_POST = _serve

            def log_message(self, format: str, *args: Any) -> None:  # the demo's output stays readable
                pass

        return Handler
