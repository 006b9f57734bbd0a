"""A local SMTP server that keeps every message it receives as an .eml file.

`make demo` and the tests send the real report through Airflow's SMTP connection to this
server instead of a mock, so what they inspect is what a mail server would have received.
"""

from __future__ import annotations

import socket
import threading
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

HOST = "127.0.0.1"


def smtp_connection_uri(port: int, host: str = HOST) -> str:
    """The Airflow connection URI (e.g. for AIRFLOW_CONN_SMTP_DEFAULT) of a plain, local server.

    Use `true` only: URI extras arrive as strings and the provider tests them with bool(), so
    `disable_tls=false` would disable TLS too.
    """
    return f"smtp://{host}:{port}?disable_ssl=true&disable_tls=true&timeout=10&retry_limit=2"


class MailCatcher:
    """`with MailCatcher(outbox) as catcher:` listens on 127.0.0.1:`catcher.port` until the block ends."""

    def __init__(self, outbox: Path, host: str = HOST) -> None:
        self.outbox = outbox
        self.host = host
        self.port = _free_port(host)
        self._received: list[Path] = []
        self._lock = threading.Lock()
        self._controller = Controller(self, hostname=host, port=self.port)

    @property
    def received(self) -> list[Path]:
        """Paths of the messages received so far, oldest first."""
        with self._lock:
            return list(self._received)

    def start(self) -> MailCatcher:
        self.outbox.mkdir(parents=True, exist_ok=True)
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def __enter__(self) -> MailCatcher:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        """aiosmtpd handler hook: store the message exactly as it came over the wire."""
        content = envelope.original_content or b""
        with self._lock:
            sequence = len(self._received) + 1
            path = self.outbox / f"{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}-{sequence:04d}.eml"
            path.write_bytes(content)
            self._received.append(path)
        return "250 Message accepted for delivery"


def _free_port(host: str) -> int:
    """A port the OS considers free now; aiosmtpd 1.4 cannot report the port it bound for port 0."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]
