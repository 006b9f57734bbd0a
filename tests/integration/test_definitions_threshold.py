"""Changing the MQL threshold in the definitions file changes the marts and the report glossary.

The tiny fixture's contacts all have business e-mail domains and nothing else the scoring rules
below reward, so each scores exactly 20: below a threshold of 50, at a threshold of 20.
"""

import psycopg
import pytest

from smarketing.report.data import query_glossary

pytestmark = pytest.mark.integration

SCORING = """
  lead_scoring:
    mql_threshold: {threshold}
    rules:
      - {{name: Business e-mail, field: email_domain, operator: not_in, value: [gmail.com], points: 20}}
      - {{name: Company given, field: company_name, operator: is_set, points: 10}}
"""


def mqls_and_glossary(url: str) -> tuple[int, dict[str, str]]:
    with psycopg.connect(url) as conn:
        mqls = conn.execute("select count(*) from marts.fct_lead_funnel where mql_at is not null").fetchone()[0]
        return mqls, dict(query_glossary(conn))


def test_threshold_change_moves_mql_counts_and_glossary(warehouse_url, tiny_config, build_tiny):
    # Threshold 50: MQLs only from CRM stages: 102, 103, 104 (+106 merged), 107, 108 = 5 persons.
    build_tiny(tiny_config(SCORING.format(threshold=50)))
    mqls, glossary = mqls_and_glossary(warehouse_url)
    assert mqls == 5
    assert glossary["MQL"].startswith("lead score of 50 or more (Business e-mail +20; Company given +10)")

    # Threshold 20: every non-excluded person scores 20 and is an MQL: all 6 persons.
    build_tiny(tiny_config(SCORING.format(threshold=20)))
    mqls, glossary = mqls_and_glossary(warehouse_url)
    assert mqls == 6
    assert glossary["MQL"].startswith("lead score of 20 or more")
