"""The whole nightly DAG with dag.test() on the hand-built `tiny` fixture, e-mail to a real SMTP server.

Expected numbers are worked out by hand in tests/fixtures/tiny/README.md; the last day is
2026-03-10 in Europe/Berlin, so the periods are 03-10, 03-04..03-10 and 02-09..03-10.
"""

import email
import email.policy
import re
from datetime import date
from pathlib import Path

import psycopg
import pytest

from smarketing.cli import run_nightly
from smarketing.mailcatcher import MailCatcher, smtp_connection_uri

pytestmark = pytest.mark.e2e

TINY = Path(__file__).parent.parent / "fixtures" / "tiny"

# label -> (yesterday, last 7 days, last 30 days), as the report formats them.
EXPECTED = {
    "Spend": ("EUR 350.50", "EUR 520.50", "EUR 820.50"),
    "Leads": ("2", "4", "5"),
    "MQLs": ("1", "3", "4"),
    "SQLs": ("0", "2", "3"),
    "Customers": ("1", "1", "2"),
    "Revenue": ("EUR 5,000.00", "EUR 5,000.00", "EUR 7,000.00"),
    "CPL": ("EUR 175.25", "EUR 260.25", "EUR 273.50"),
    "ROMI": ("1,326.5%", "860.6%", "753.1%"),
}


@pytest.fixture
def configured(tmp_path, monkeypatch, warehouse_url, airflow_db):
    config = tmp_path / "smarketing.yml"
    config.write_text(
        f"""
timezone: Europe/Berlin
currency: EUR
sources:
  google_ads: {{path: {TINY / "google_ads"}, lookback_days: 30}}
  hubspot: {{path: {TINY / "hubspot"}, lookback_days: 3}}
report:
  recipients: [ceo@example.org, head.of.sales@example.org]
  sender: smarketing@example.org
definitions:
  exclude_email_domains: [example.com]
"""
    )
    monkeypatch.setenv("SMARKETING_CONFIG", str(config))
    monkeypatch.setenv("AIRFLOW_CONN_SMARKETING_WAREHOUSE", warehouse_url)
    with MailCatcher(tmp_path / "outbox") as catcher:
        monkeypatch.setenv("AIRFLOW_CONN_SMTP_DEFAULT", smtp_connection_uri(catcher.port))
        yield catcher


def text_table(text: str) -> dict[str, tuple[str, ...]]:
    rows = {}
    for line in text.splitlines():
        cells = re.split(r"\s{2,}", line.strip())
        if cells[0] in EXPECTED and len(cells) == 4:
            rows[cells[0]] = tuple(cells[1:])
    return rows


def html_table(html: str) -> dict[str, tuple[str, ...]]:
    rows = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", html, flags=re.S):
        cells = [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)]
        if cells and cells[0] in EXPECTED:
            rows[cells[0]] = tuple(cells[1:4])
    return rows


def marts(url: str) -> dict[str, list]:
    with psycopg.connect(url) as conn:
        return {
            table: conn.execute(f"select * from marts.{table} order by 1").fetchall()
            for table in ("fct_ad_spend_daily", "fct_lead_funnel", "fct_funnel_daily", "dim_campaigns")
        }


def test_nightly_run_delivers_hand_checked_numbers(configured, warehouse_url):
    run_nightly(date(2026, 3, 10))

    [eml] = configured.received
    message = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    assert message.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in message.iter_parts()] == ["text/plain", "text/html"]
    assert message["To"] == "ceo@example.org, head.of.sales@example.org"
    assert "2026-03-10" in message["Subject"]
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert text_table(text) == EXPECTED
    assert html_table(html) == EXPECTED

    with psycopg.connect(warehouse_url) as conn:
        raw_counts = [
            conn.execute(f"select count(*) from raw.{t}").fetchone()[0]
            for t in ("google_ads__campaign_daily", "hubspot__contacts", "hubspot__deals")
        ]
        version = conn.execute("select version from definitions.settings").fetchone()[0]
    assert raw_counts == [6, 8, 3]
    assert f"Definitions version {version}" in text

    # The same night again: identical warehouse, the same numbers in a second e-mail.
    before = marts(warehouse_url)
    run_nightly(date(2026, 3, 10))
    assert marts(warehouse_url) == before
    second = email.message_from_bytes(configured.received[1].read_bytes(), policy=email.policy.default)
    assert text_table(second.get_body(("plain",)).get_content()) == EXPECTED
