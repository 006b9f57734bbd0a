"""A report e-mail goes out through Airflow's SMTP connection to a real SMTP server on 127.0.0.1,
arrives as built with the same numbers in both parts, and hostile header
values are refused before anything is sent."""

from __future__ import annotations

import dataclasses
import email
import email.policy
import smtplib
import socket
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

from smarketing.mailcatcher import MailCatcher, smtp_connection_uri
from smarketing.report.edition_email import build_edition_message
from smarketing.report.edition_render import InlineImage, RenderedEdition
from smarketing.report.email import send_message

pytestmark = pytest.mark.integration

SENDER = "smarketing <reports@example.org>"
RECIPIENTS = ["cmo@example.org", "Head of Sales <sales@example.org>"]
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002"
    "0000050001e226059b0000000049454e44ae426082"
)  # 1 x 1 px
EXPECTED_FIGURES = ["EUR 125.00", "245.3%", "EUR 6,400.00", "n/a"]


@pytest.fixture
def rendered() -> RenderedEdition:
    """A small edition: what matters here is the delivery, not the layout (tests/unit has that)."""
    figures = " · ".join(EXPECTED_FIGURES)
    return RenderedEdition(
        subject="smarketing daily KPIs \u2014 10 Mar 2025",
        html=f'<!DOCTYPE html><html><body><p>{figures}</p>\n<img src="cid:chart@smarketing.report" alt="chart">'
        "</body></html>\n",
        text=f"smarketing daily KPIs\n{figures}\n",
        images=(InlineImage(cid="chart@smarketing.report", filename="chart.png", png=PNG, alt="chart"),),
        csv_name="campaigns.csv",
        csv_bytes=b"campaign_name,spend\r\nBrand,1000.00\r\n",
    )


@pytest.fixture
def catcher(tmp_path, monkeypatch):
    with MailCatcher(tmp_path / "outbox") as running:
        monkeypatch.setenv("AIRFLOW_CONN_SMTP_DEFAULT", smtp_connection_uri(running.port))
        yield running


def parse(path) -> EmailMessage:
    return email.message_from_bytes(path.read_bytes(), policy=email.policy.default)


def test_report_is_delivered_as_built(catcher, rendered):
    message = build_edition_message(rendered, sender=SENDER, recipients=RECIPIENTS)
    message_id = send_message(message)

    assert len(catcher.received) == 1
    assert catcher.received[0].parent == catcher.outbox
    received = parse(catcher.received[0])
    assert received["Message-ID"] == message_id == message["Message-ID"]
    assert message_id.endswith("@smarketing.local>")
    assert received["Subject"] == "smarketing daily KPIs \u2014 10 Mar 2025"
    assert received["From"] == SENDER
    assert [a.addr_spec for a in received["To"].addresses] == ["cmo@example.org", "sales@example.org"]
    assert received["Date"].datetime.tzinfo is not None

    assert received.get_content_type() == "multipart/mixed"
    parts = [received.get_body(("plain",)), received.get_body(("html",))]
    assert [p.get_content_charset() for p in parts] == ["utf-8", "utf-8"]
    text, html = (p.get_content().replace("\r\n", "\n") for p in parts)  # CRLF on the wire
    assert text == rendered.text
    assert html == rendered.html
    for figure in EXPECTED_FIGURES:
        assert figure in text
        assert figure in html


@pytest.mark.parametrize(
    "recipient",
    [
        "a@x.com\r\nBcc: evil@x.com",
        "a@x.com\nBcc: evil@x.com",
        "a@x.com%0d%0aBcc: evil@x.com",
        "a@x.com%250ABcc: evil@x.com",
        "=?utf-8?q?a=0D=0ABcc:_evil@x.com?= <a@x.com>",
        "=?utf-8?b?YQ0KQmNjOiBldmlsQHguY29t?= <a@x.com>",
        "a@x.com, evil@x.com",
    ],
)
def test_header_injection_in_a_recipient_is_refused_and_nothing_is_sent(catcher, rendered, recipient):
    with pytest.raises(ValueError, match=r"^To:"):
        message = build_edition_message(rendered, sender=SENDER, recipients=["cmo@example.org", recipient])
        send_message(message)
    assert catcher.received == []


def test_header_injection_in_sender_and_subject_is_refused(rendered):
    with pytest.raises(ValueError, match=r"^From:"):
        build_edition_message(rendered, sender="r@example.org\r\nBcc: evil@x.com", recipients=RECIPIENTS)
    for subject in ("KPIs\r\nBcc: evil@x.com", "KPIs%0ABcc: evil@x.com", "=?utf-8?q?KPIs=0ABcc:_evil@x.com?="):
        hostile = dataclasses.replace(rendered, subject=subject)
        with pytest.raises(ValueError, match=r"^Subject:"):
            build_edition_message(hostile, sender=SENDER, recipients=RECIPIENTS)
    with pytest.raises(ValueError, match=r"^To:"):
        build_edition_message(rendered, sender=SENDER, recipients=[])


class ScriptedHandler:
    """Answers DATA with the given replies in turn; keeps the messages it accepted."""

    def __init__(self, *replies: str) -> None:
        self.replies = list(replies)
        self.attempts = 0
        self.accepted: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):
        reply = self.replies[min(self.attempts, len(self.replies) - 1)]
        self.attempts += 1
        if reply.startswith("250"):
            self.accepted.append(envelope.original_content)
        return reply


@pytest.fixture
def scripted_server(monkeypatch):
    """Start an SMTP server with a ScriptedHandler as Airflow connection `smtp_scripted`."""
    controllers = []

    def start(*replies: str) -> ScriptedHandler:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        handler = ScriptedHandler(*replies)
        controller = Controller(handler, hostname="127.0.0.1", port=port)
        controller.start()
        controllers.append(controller)
        monkeypatch.setenv("AIRFLOW_CONN_SMTP_SCRIPTED", smtp_connection_uri(port))
        return handler

    yield start
    for controller in controllers:
        controller.stop()


@pytest.fixture
def backoff(monkeypatch) -> list[float]:
    """The delays send_message waits between attempts, recorded instead of slept."""
    delays: list[float] = []
    monkeypatch.setattr("smarketing.report.email.time.sleep", delays.append)
    return delays


def test_a_temporary_failure_is_retried_and_delivered_once(rendered, scripted_server, backoff):
    handler = scripted_server("451 4.3.0 Try again later", "250 OK")
    message = build_edition_message(rendered, sender=SENDER, recipients=RECIPIENTS)
    assert send_message(message, smtp_conn_id="smtp_scripted") == message["Message-ID"]
    assert handler.attempts == 2
    assert backoff == [1]
    assert len(handler.accepted) == 1
    received = email.message_from_bytes(handler.accepted[0], policy=email.policy.default)
    assert received["Message-ID"] == message["Message-ID"]


def test_a_permanent_failure_is_not_retried(rendered, scripted_server, backoff):
    handler = scripted_server("554 5.7.1 Rejected")
    message = build_edition_message(rendered, sender=SENDER, recipients=RECIPIENTS)
    with pytest.raises(smtplib.SMTPDataError):
        send_message(message, smtp_conn_id="smtp_scripted")
    assert handler.attempts == 1
    assert backoff == []


def test_retries_stop_at_the_connections_retry_limit(rendered, scripted_server, backoff):
    # smtp_connection_uri sets retry_limit=2: one attempt plus two retries.
    handler = scripted_server("451 4.3.0 Try again later")
    message = build_edition_message(rendered, sender=SENDER, recipients=RECIPIENTS)
    with pytest.raises(smtplib.SMTPDataError):
        send_message(message, smtp_conn_id="smtp_scripted")
    assert handler.attempts == 3
    assert backoff == [1, 2]
    assert handler.accepted == []
