"""An end-to-end run's surroundings: the tiny fixture's config, the test warehouse, a real SMTP server."""

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from smarketing.mailcatcher import MailCatcher, smtp_connection_uri

TINY = Path(__file__).parent.parent / "fixtures" / "tiny"


@pytest.fixture
def tiny_run(tmp_path, monkeypatch, warehouse_url, airflow_db) -> Iterator[Callable[..., MailCatcher]]:
    """configure(sources, recipients, extra="") writes the config of a run on the tiny fixture's
    sources (found in the folder `sources`) and returns the SMTP server the run delivers to."""
    with MailCatcher(tmp_path / "outbox") as catcher:

        def configure(sources: Path, recipients: str, extra: str = "") -> MailCatcher:
            config = tmp_path / "smarketing.yml"
            config.write_text(
                f"""
timezone: Europe/Berlin
currency: EUR
sources:
  google_ads: {{path: {sources / "google_ads"}, lookback_days: 30}}
  hubspot: {{path: {sources / "hubspot"}, lookback_days: 3}}
report:
  recipients: [{recipients}]
  sender: smarketing@example.org
definitions:
  exclude_email_domains: [example.com]
{extra}"""
            )
            monkeypatch.setenv("SMARKETING_CONFIG", str(config))
            monkeypatch.setenv("AIRFLOW_CONN_SMARKETING_WAREHOUSE", warehouse_url)
            monkeypatch.setenv("AIRFLOW_CONN_SMTP_DEFAULT", smtp_connection_uri(catcher.port))
            return catcher

        yield configure
