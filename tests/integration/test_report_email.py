"""The report goes out through Airflow's SMTP connection to a real SMTP server on 127.0.0.1,
arrives as multipart/alternative with the same numbers in both parts, and hostile header
values are refused before anything is sent."""

from __future__ import annotations

import email
import email.policy
import smtplib
import socket
from datetime import UTC, date, datetime
from decimal import Decimal
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

from smarketing.mailcatcher import MailCatcher, smtp_connection_uri
from smarketing.report.email import archive_report, build_message, send_message
from smarketing.report.kpis import KpiReport, PeriodKpis
from smarketing.report.render import RenderedReport, render_report

pytestmark = pytest.mark.integration

LAST_DAY = date(2025, 3, 10)
SENDER = "smarketing <reports@example.org>"
RECIPIENTS = ["cmo@example.org", "Head of Sales <sales@example.org>"]


def period(label: str, first_day: date, spend: str, paid_leads: int, paid_revenue: str) -> PeriodKpis:
    return PeriodKpis(
        label=label,
        first_day=first_day,
        last_day=LAST_DAY,
        spend=Decimal(spend),
        leads=20,
        mqls=9,
        sqls=4,
        customers=2,
        revenue=Decimal("5000.00"),
        paid_leads=paid_leads,
        paid_revenue=Decimal(paid_revenue),
    )


REPORT = KpiReport(
    last_day=LAST_DAY,
    currency="EUR",
    definitions_version="2025.03-1",
    periods=(
        period("Yesterday", LAST_DAY, "1000.00", 8, "3453.00"),
        period("Last 7 days", date(2025, 3, 4), "6400.00", 16, "4800.00"),
        period("Last 30 days", date(2025, 2, 9), "0", 0, "0"),
    ),
)
# Hand-computed: Yesterday CPL 1000/8 = EUR 125.00, ROMI (3453-1000)/1000*100 = 245.3%;
# Last 7 days CPL 6400/16 = EUR 400.00, ROMI (4800-6400)/6400*100 = -25.0%; Last 30 days n/a, n/a.
EXPECTED_FIGURES = ["EUR 125.00", "245.3%", "EUR 400.00", "-25.0%", "EUR 6,400.00", "EUR 5,000.00", "n/a"]


@pytest.fixture
def rendered() -> RenderedReport:
    return render_report(REPORT, generated_at=datetime(2025, 3, 11, 6, 0, tzinfo=UTC))


@pytest.fixture
def catcher(tmp_path, monkeypatch):
    with MailCatcher(tmp_path / "outbox") as running:
        monkeypatch.setenv("AIRFLOW_CONN_SMTP_DEFAULT", smtp_connection_uri(running.port))
        yield running


def parse(path) -> EmailMessage:
    return email.message_from_bytes(path.read_bytes(), policy=email.policy.default)


def test_report_is_delivered_as_built(catcher, rendered):
    message = build_message(rendered, sender=SENDER, recipients=RECIPIENTS)
    message_id = send_message(message)

    assert len(catcher.received) == 1
    assert catcher.received[0].parent == catcher.outbox
    received = parse(catcher.received[0])
    assert received["Message-ID"] == message_id == message["Message-ID"]
    assert message_id.endswith("@smarketing.local>")
    assert received["Subject"] == "smarketing daily KPIs — 2025-03-10"
    assert received["From"] == SENDER
    assert [a.addr_spec for a in received["To"].addresses] == ["cmo@example.org", "sales@example.org"]
    assert received["Date"].datetime.tzinfo is not None

    assert received.get_content_type() == "multipart/alternative"
    parts = list(received.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
    assert [p.get_content_charset() for p in parts] == ["utf-8", "utf-8"]
    text, html = (p.get_content().replace("\r\n", "\n") for p in parts)  # CRLF on the wire
    assert text == rendered.text
    assert html == rendered.html
    for figure in EXPECTED_FIGURES:
        assert figure in text
        assert figure in html


def test_archive_holds_what_was_sent(catcher, rendered, tmp_path):
    message = build_message(rendered, sender=SENDER, recipients=RECIPIENTS)
    send_message(message)
    html_path, eml_path = archive_report(rendered, message, tmp_path / "archive" / "2025-03-10")

    assert html_path.name == "report.html"
    assert html_path.read_text(encoding="utf-8") == rendered.html
    archived, received = parse(eml_path), parse(catcher.received[0])
    assert archived["Message-ID"] == received["Message-ID"]
    assert archived.get_body(("plain",)).get_content() == received.get_body(("plain",)).get_content()
    assert archived.get_body(("html",)).get_content() == received.get_body(("html",)).get_content()


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
        message = build_message(rendered, sender=SENDER, recipients=["cmo@example.org", recipient])
        send_message(message)
    assert catcher.received == []


def test_header_injection_in_sender_and_subject_is_refused(rendered):
    with pytest.raises(ValueError, match=r"^From:"):
        build_message(rendered, sender="r@example.org\r\nBcc: evil@x.com", recipients=RECIPIENTS)
    for subject in ("KPIs\r\nBcc: evil@x.com", "KPIs%0ABcc: evil@x.com", "=?utf-8?q?KPIs=0ABcc:_evil@x.com?="):
        hostile = RenderedReport(subject=subject, html=rendered.html, text=rendered.text)
        with pytest.raises(ValueError, match=r"^Subject:"):
            build_message(hostile, sender=SENDER, recipients=RECIPIENTS)
    with pytest.raises(ValueError, match=r"^To:"):
        build_message(rendered, sender=SENDER, recipients=[])


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
    message = build_message(rendered, sender=SENDER, recipients=RECIPIENTS)
    assert send_message(message, smtp_conn_id="smtp_scripted") == message["Message-ID"]
    assert handler.attempts == 2
    assert backoff == [1]
    assert len(handler.accepted) == 1
    received = email.message_from_bytes(handler.accepted[0], policy=email.policy.default)
    assert received["Message-ID"] == message["Message-ID"]


def test_a_permanent_failure_is_not_retried(rendered, scripted_server, backoff):
    handler = scripted_server("554 5.7.1 Rejected")
    message = build_message(rendered, sender=SENDER, recipients=RECIPIENTS)
    with pytest.raises(smtplib.SMTPDataError):
        send_message(message, smtp_conn_id="smtp_scripted")
    assert handler.attempts == 1
    assert backoff == []


def test_retries_stop_at_the_connections_retry_limit(rendered, scripted_server, backoff):
    # smtp_connection_uri sets retry_limit=2: one attempt plus two retries.
    handler = scripted_server("451 4.3.0 Try again later")
    message = build_message(rendered, sender=SENDER, recipients=RECIPIENTS)
    with pytest.raises(smtplib.SMTPDataError):
        send_message(message, smtp_conn_id="smtp_scripted")
    assert handler.attempts == 3
    assert backoff == [1, 2]
    assert handler.accepted == []
