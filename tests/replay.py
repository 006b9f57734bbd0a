"""A real HTTP server on 127.0.0.1 that replays scripted API responses and records every request.

Each route (method, path, optional matcher on the request) answers with its scripted replies in
order; a request no route expects, or one past the end of its route's script, is answered 404 (a
client retries a 5xx) and recorded as unscripted, and `assert_done()` fails the test on it.
Leaving `with ReplayServer()` checks it, so a test's fixture is `with ReplayServer() as s: yield s`.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # names in lower case
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    def form(self) -> dict[str, str]:
        return {name: values[0] for name, values in parse_qs(self.body.decode()).items()}


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: Any = None  # bytes or str as is; anything else is sent as JSON
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def file(cls, path: Path, status: int = 200) -> Reply:
        return cls(status, path.read_bytes())

    def encoded(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        if isinstance(self.body, str):
            return self.body.encode()
        return json.dumps(self.body).encode()


@dataclass
class Route:
    method: str
    path: str
    replies: list[Reply]
    match: Callable[[Request], bool] | None = None

    def wants(self, request: Request) -> bool:
        return (
            self.method == request.method
            and self.path == request.path
            and bool(self.replies)
            and (self.match is None or self.match(request))
        )


class ReplayServer:
    def __init__(self) -> None:
        self.routes: list[Route] = []
        self.requests: list[Request] = []
        self.unscripted: list[Request] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def script(self, method: str, path: str, *replies: Reply, match: Callable[[Request], bool] | None = None) -> None:
        self.routes.append(Route(method, path, list(replies), match))

    def assert_done(self) -> None:
        """Every request was scripted (and every scripted reply was asked for)."""
        assert not self.unscripted, f"unscripted requests: {[(r.method, r.path, r.body) for r in self.unscripted]}"
        left = [(route.method, route.path, len(route.replies)) for route in self.routes if route.replies]
        assert not left, f"scripted replies never requested: {left}"

    def __enter__(self) -> ReplayServer:
        self._thread.start()
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        if exc_type is None:
            self.assert_done()

    def _reply(self, request: Request) -> Reply:
        with self._lock:
            self.requests.append(request)
            route = next((route for route in self.routes if route.wants(request)), None)
            if route is None:
                self.unscripted.append(request)
                return Reply(404, {"error": {"message": "unscripted request"}})
            return route.replies.pop(0)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                parts = urlsplit(self.path)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {name.lower(): value for name, value in self.headers.items()}
                reply = server._reply(Request(self.command, parts.path, parse_qs(parts.query), headers, body))
                payload = reply.encoded()
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.headers.get("Content-Type", "application/json"))
                self.send_header("Content-Length", str(len(payload)))
                for name, value in reply.headers.items():
                    if name != "Content-Type":
                        self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = _serve

            def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
                pass

        return Handler
