"""E-mail headers validated against injection, sending through Airflow's SMTP connection, and
atomic file writes for the archive (`report.publish`).

Sending is separate from rendering so that the report can be previewed and archived without a
mail server, and so that what is archived is byte for byte what was sent.
"""

from __future__ import annotations

import binascii
import logging
import os
import re
import time
from datetime import UTC, datetime
from email.errors import HeaderParseError
from email.header import decode_header
from email.message import EmailMessage
from email.policy import default as default_policy
from email.utils import format_datetime, make_msgid
from pathlib import Path
from urllib.parse import unquote

log = logging.getLogger(__name__)

# Line breaks (including the Unicode ones some parsers honour) and other control characters.
_CONTROL = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]")
_ENCODED_WORD = re.compile(r"=\?[^?\s]*\?[^?\s]*\?[^?\s]*\?=")
_ADDR_SPEC = re.compile(r"[^\s@<>()\[\],;:\"\\]+@[^\s@<>()\[\],;:\"\\]+")
_DOMAIN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?")


def new_message(
    *, subject: str, sender: str, recipients: list[str], message_id_domain: str = "smarketing.local"
) -> EmailMessage:
    """An empty message with validated headers (Subject, From, To, Date, Message-ID): every
    report e-mail starts here, so none can skip the header-injection checks."""
    _check_header_value("Subject", subject)
    _check_address("From", sender)
    if not recipients:
        raise ValueError("To: at least one recipient is required")
    for recipient in recipients:
        _check_address("To", recipient)
    if not _DOMAIN.fullmatch(message_id_domain):
        raise ValueError(f"Message-ID: {message_id_domain!r} is not a domain name")

    message = EmailMessage(policy=default_policy)
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = make_msgid(domain=message_id_domain)
    return message


def send_message(message: EmailMessage, *, smtp_conn_id: str = "smtp_default") -> str:
    """Send the message as built, through the Airflow SMTP connection; return its Message-ID.

    The hook's own `send_email_smtp` builds a new MIME message from an HTML string, so we use
    the connected client it opens (host, port, TLS, login from the connection) and send ours.
    Temporary failures (connection lost, 4xx replies) are retried on a fresh connection up to
    the connection's `retry_limit`; permanent ones (5xx) are not, since retrying cannot help.
    """
    import smtplib

    from airflow.providers.smtp.hooks.smtp import SmtpHook

    message_id = message["Message-ID"]
    if not message_id:
        raise ValueError("Message-ID: missing; build the message with new_message()")

    attempt = 0
    while True:
        hook = SmtpHook(smtp_conn_id=smtp_conn_id)
        try:
            with hook:
                client = hook._smtp_client  # the hook offers no public accessor for its client
                refused = client.send_message(message)
        except (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, ConnectionError, TimeoutError) as error:
            reason = error
        except smtplib.SMTPResponseException as error:
            if not 400 <= error.smtp_code < 500:
                raise
            reason = error
        else:
            if refused:
                log.warning("%s: refused by the server for %s", message_id, ", ".join(sorted(refused)))
            return message_id
        retry_limit = hook.smtp_retry_limit
        if attempt >= retry_limit:
            raise reason
        attempt += 1
        delay = min(2 ** (attempt - 1), 30)
        log.warning(
            "%s: attempt %d of %d failed (%s); retrying in %ds", message_id, attempt, retry_limit + 1, reason, delay
        )
        time.sleep(delay)


def _write_atomically(path: Path, data: bytes) -> Path:
    """A killed run leaves the previous file, never half a file."""
    partial = path.with_name(f".{path.name}.partial")
    partial.write_bytes(data)
    os.replace(partial, path)
    return path


def _check_header_value(field: str, value: str) -> None:
    """Reject anything that could end a header line and start a new one (header injection),
    including the percent-encoded and RFC 2047 encoded-word forms of CR and LF."""
    if _CONTROL.search(value):
        raise ValueError(f"{field}: contains a line break or control character: {value!r}")
    decoded = value
    for _ in range(3):  # catches %0d, %250d, %25250d
        decoded = unquote(decoded)
        if _CONTROL.search(decoded):
            raise ValueError(f"{field}: contains a percent-encoded line break or control character: {value!r}")
    for word in _ENCODED_WORD.findall(value):
        try:
            parts = decode_header(word)
        except (HeaderParseError, binascii.Error, UnicodeError, LookupError) as error:
            raise ValueError(f"{field}: contains an undecodable encoded word {word!r}") from error
        for text, _charset in parts:
            raw = text if isinstance(text, bytes) else text.encode("utf-8", "surrogateescape")
            if re.search(rb"[\x00-\x1f\x7f]", raw):
                raise ValueError(f"{field}: contains an encoded line break or control character: {value!r}")


def _check_address(field: str, value: str) -> None:
    """One mailbox per entry (`a@example.com` or `Name <a@example.com>`), nothing else."""
    _check_header_value(field, value)
    header = default_policy.header_factory(field, value)
    addresses = header.addresses
    if header.defects or len(addresses) != 1 or not _ADDR_SPEC.fullmatch(addresses[0].addr_spec):
        raise ValueError(f"{field}: {value!r} is not a single e-mail address")
