"""The nightly DAG, then the report DAG, with dag.test() on the hand-built `tiny` fixture, e-mail
to a real SMTP server.

Expected numbers are worked out by hand in tests/fixtures/tiny/README.md (and
tests/integration/test_report_data.py); the report day is 2026-03-10 in Europe/Berlin. This
config has no sales cost, which changes only CAC and LTV:CAC, not the cards checked here.
"""

import email
import email.policy
import re
from datetime import date
from email.message import EmailMessage
from pathlib import Path

import psycopg
import pytest

from smarketing.cli import run_nightly, run_report

pytestmark = pytest.mark.e2e

TINY = Path(__file__).parent.parent / "fixtures" / "tiny"

REPORT_DAY = date(2026, 3, 10)
# Card label -> value on 2026-03-10, as the report formats it.
EXPECTED = {
    "Spend": "EUR 350.50",  # 100.00 Brand + 250.50 Generic Search
    "Leads": "2",  # 101, 102
    "MQLs": "1",  # 102
    "SQLs": "0",
    "New customers": "1",  # 104 (deal 9001 won)
    "Revenue": "EUR 5,000.00",
    "Cost per lead": "EUR 175.25",  # 350.50 / 2 paid leads
    "ROMI": "1,326.5%",  # (5,000 - 350.50) / 350.50 x 100
}
HTML_BUDGET = 100 * 1024


@pytest.fixture
def configured(tiny_run):
    return tiny_run(TINY, "ceo@example.org, head.of.sales@example.org")


def text_cards(text: str) -> dict[str, str]:
    """`Label: value  [STATUS]` lines of the plain-text part."""
    cards = {}
    for line in text.splitlines():
        found = re.fullmatch(r"(.+?): (.+?)  \[[A-Z /]+\]", line)
        if found and found[1] in EXPECTED:
            cards[found[1]] = found[2]
    return cards


def html_cards(html: str) -> dict[str, str]:
    """A card is a label cell followed by its value cell; cards come before any other table."""
    cells = [re.sub(r"\s+", " ", cell).strip() for cell in re.findall(r"<td[^>]*>([^<]*)</td>", html)]
    cards = {}
    for index, cell in enumerate(cells[:-1]):
        if cell in EXPECTED and cell not in cards:
            cards[cell] = cells[index + 1]
    return cards


def warehouse_tables(url: str) -> dict[str, list]:
    """Every row of the raw, quarantine and mart tables (raw rows with their batch and load time)."""
    with psycopg.connect(url) as conn:
        tables = conn.execute(
            """
            select table_schema || '.' || table_name from information_schema.tables
            where table_schema in ('raw', 'quarantine', 'marts') and table_type = 'BASE TABLE'
            order by 1
            """
        ).fetchall()
        return {table: sorted(conn.execute(f"select * from {table}").fetchall(), key=repr) for (table,) in tables}


def parse(eml: Path) -> EmailMessage:
    return email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)


def tree(part: EmailMessage) -> object:
    if part.is_multipart():
        return (part.get_content_type(), [tree(child) for child in part.iter_parts()])
    return part.get_content_type()


def test_nightly_then_report_delivers_hand_checked_numbers(configured, warehouse_url):
    run_nightly(REPORT_DAY)
    assert configured.received == []  # the nightly DAG only builds and validates the marts
    run_report(["daily"], REPORT_DAY)

    [eml] = configured.received
    message = parse(eml)
    assert tree(message) == (
        "multipart/mixed",
        [
            (
                "multipart/alternative",
                ["text/plain", ("multipart/related", ["text/html", "image/png", "image/png", "image/png"])],
            ),
            "text/csv",
        ],
    )
    assert message["To"] == "ceo@example.org, head.of.sales@example.org"
    assert message["Subject"] == "smarketing daily KPIs \u2014 10 Mar 2026"
    text = message.get_body(("plain",)).get_content()
    html_part = message.get_body(("html",))
    html = html_part.get_content()
    assert len(html.encode("utf-8")) < HTML_BUDGET
    related = next(p for p in message.walk() if p.get_content_type() == "multipart/related")
    image_ids = {p["Content-ID"].strip("<>") for p in related.iter_parts() if p.get_content_type() == "image/png"}
    referenced = set(re.findall(r'src="cid:([^"]+)"', html))
    assert referenced and referenced == image_ids
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename().endswith(".csv") and "Generic Search" in attachment.get_content()
    assert text_cards(text) == EXPECTED
    assert html_cards(html) == EXPECTED

    with psycopg.connect(warehouse_url) as conn:
        raw_counts = [
            conn.execute(f"select count(*) from raw.{t}").fetchone()[0]
            for t in ("google_ads__campaign_daily", "hubspot__contacts", "hubspot__deals")
        ]
        version = conn.execute("select version from definitions.settings").fetchone()[0]
        sends = conn.execute(
            """select send_id, edition, period_start, period_end, recipients, subject, message_id,
                      definitions_version, status, error, sent_at is not null, html_bytes, html_path, eml_path
               from ops.report_sends order by send_id"""
        ).fetchall()
    assert raw_counts == [6, 8, 3]
    assert f"Definitions version {version}" in text
    [(*row, html_bytes, html_path, eml_path)] = sends
    assert tuple(row) == (
        "daily:2026-03-10:2026-03-10",
        "daily",
        REPORT_DAY,
        REPORT_DAY,
        ["ceo@example.org", "head.of.sales@example.org"],
        message["Subject"],
        message["Message-ID"],
        version,
        "sent",
        None,
        True,
    )
    assert html_bytes == Path(html_path).stat().st_size < HTML_BUDGET
    archived = Path(eml_path)
    assert parse(archived)["Message-ID"] == message["Message-ID"]  # what was archived is what was sent
    assert (archived.parent / "preview" / "report.html").is_file()

    # The same night again: identical raw, quarantine and mart tables; the nightly DAG sends nothing.
    before = warehouse_tables(warehouse_url)
    assert len([table for table in before if table.startswith("marts.")]) == 12
    run_nightly(REPORT_DAY)
    assert warehouse_tables(warehouse_url) == before
    assert len(configured.received) == 1

    # Past editions re-rendered from the marts, no ETL: the report DAG with params.
    run_report(["weekly", "monthly"], REPORT_DAY)
    subjects = sorted(parse(eml)["Subject"] for eml in configured.received[1:])
    assert subjects == [
        "smarketing monthly KPIs \u2014 February 2026",
        "smarketing weekly KPIs \u2014 week 10, 2-8 Mar 2026",
    ]
    with psycopg.connect(warehouse_url) as conn:
        statuses = conn.execute("select send_id, status from ops.report_sends order by send_id").fetchall()
    assert statuses == [
        ("daily:2026-03-10:2026-03-10", "sent"),
        ("monthly:2026-02-01:2026-02-28", "sent"),
        ("weekly:2026-03-02:2026-03-08", "sent"),
    ]
