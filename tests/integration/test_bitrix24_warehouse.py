"""Bitrix24 through the warehouse, on the hand-made `bitrix24_small` file drop: its leads become
persons, lead statuses and deal semantics become funnel stages dated by the stage history, the won
deal is revenue, and the lead-follow-up SLA is measured from the activities.

Every expected number is worked out by hand in tests/fixtures/bitrix24_small/README.md.
"""

from datetime import UTC, datetime
from decimal import Decimal
from hashlib import md5
from pathlib import Path

import psycopg
import pytest

from smarketing.config import load_config
from smarketing.quality import validate

pytestmark = pytest.mark.integration

SMALL = Path(__file__).parent.parent / "fixtures" / "bitrix24_small"


def person(key: str) -> str:
    return md5(key.encode()).hexdigest()


IVAN, MARIA, SPAM, OLEG = (
    person("email:ivan.petrov@alpha.ru"),
    person("email:maria@beta.ru"),
    person("email:spam@gamma.ru"),
    person("phone:89120001122"),
)


def utc(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


@pytest.fixture(scope="module")
def small_config(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("bitrix24") / "smarketing.yml"
    path.write_text(
        f"""
timezone: Europe/Moscow
currency: RUB
sources:
  bitrix24: {{path: {SMALL / "bitrix24"}}}
report: {{recipients: [a@example.org], sender: b@example.org}}
definitions:
  exclude_email_domains: [example.com]
"""
    )
    return path


@pytest.fixture
def small_warehouse(warehouse_url, small_config, build_tiny):
    build_tiny(small_config)
    with psycopg.connect(warehouse_url) as conn:
        yield conn


def test_bitrix24_leads_become_persons_stages_revenue_and_sla(small_warehouse):
    db = small_warehouse
    # Cyrillic round-trips from the file to the raw table; the custom field lands in _extra.
    assert db.execute("select title, _extra from raw.bitrix24__leads where id = '1'").fetchone() == (
        "Заявка с сайта: Иван Петров",  # noqa: RUF001 - Cyrillic, as the lead was written
        {"UF_CRM_1700000001": "Выставка"},
    )

    assert db.execute(
        "select person_id, crms, crm_record_count, is_excluded, first_seen_at"
        " from marts.dim_persons order by first_seen_at"
    ).fetchall() == [
        (IVAN, "bitrix24", 1, False, utc(2, 7)),  # the second, non-empty EMAIL value
        (MARIA, "bitrix24", 1, False, utc(6, 6)),
        (SPAM, "bitrix24", 1, False, utc(7, 5)),
        (OLEG, "bitrix24", 1, False, utc(8, 8)),  # no e-mail: the phone's digits
    ]

    funnel = db.execute(
        "select person_id, lead_at, mql_at, sql_at, opportunity_at, customer_at, disqualified_at, current_stage,"
        " first_sales_touch_at, won_deal_count, revenue from marts.fct_lead_funnel order by lead_at"
    ).fetchall()
    assert funnel == [
        # IN_PROCESS, CONVERTED from the stage history; deal 101 created with the conversion, won 03-09 15:00 MSK
        (IVAN, utc(2, 7), utc(3, 6), utc(5, 9), utc(5, 9), utc(9, 12), None, "customer", utc(3, 7, 30), 1,
         Decimal("150000.00")),
        # the planned call (COMPLETED N) is no touch; the e-mail at 15:00 MSK is
        (MARIA, utc(6, 6), utc(6, 7), None, None, None, None, "mql", utc(6, 12), 0, Decimal(0)),
        (SPAM, utc(7, 5), None, None, None, None, utc(7, 6), "disqualified", None, 0, Decimal(0)),
        # no history entry: the current NEW status, and the lead's creation
        (OLEG, utc(8, 8), None, None, None, None, None, "lead", None, 0, Decimal(0)),
    ]  # fmt: skip

    assert db.execute(
        "select person_id, hours_to_first_touch, is_within_sla from marts.fct_lead_sla order by mql_at"
    ).fetchall() == [
        (IVAN, Decimal("1.50"), True),  # MQL 09:00, outgoing call 10:30 MSK
        (MARIA, Decimal("5.00"), False),  # MQL 10:00, outgoing e-mail 15:00 MSK
    ]


def test_the_raw_suites_read_bitrix24s_upper_case_columns(small_warehouse, warehouse_url, small_config):
    report = validate("raw", warehouse_url, load_config(small_config))
    bitrix = [o for o in report.outcomes if o.suite.startswith("raw_bitrix24__")]
    streams = ("leads", "deals", "activities", "lead_stage_history", "deal_stage_history")
    assert {o.suite for o in bitrix} == {f"raw_bitrix24__{name}" for name in streams}
    # Every STATUS_ID and STAGE_SEMANTIC_ID of the fixture is in the default stage map.
    assert [o.describe() for o in bitrix if not o.success] == []
