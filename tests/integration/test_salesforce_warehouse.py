"""Salesforce through the warehouse, on the hand-made `salesforce_small` file drop: leads and
contacts become persons (a converted lead and its contact are one), Lead.Status and the
opportunities become funnel stages, the won opportunity is revenue, and a deleted lead (queryAll's
IsDeleted) excludes its person.

Every expected number is worked out by hand in tests/fixtures/salesforce_small/README.md.
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

SMALL = Path(__file__).parent.parent / "fixtures" / "salesforce_small"


def person(key: str) -> str:
    return md5(key.encode()).hexdigest()


ANNA, EVE, BEN, CARL, DORA, FRANK = (
    person("email:anna@alpha.io"),
    person("email:eve@delta.io"),
    person("email:ben.bauer@beta.io"),
    person("email:carl@gamma.io"),
    person("phone:49301234567"),
    person("email:frank@epsilon.io"),
)


def utc(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


@pytest.fixture(scope="module")
def small_config(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("salesforce") / "smarketing.yml"
    path.write_text(
        f"""
timezone: UTC
currency: EUR
sources:
  salesforce: {{path: {SMALL / "salesforce"}}}
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


def test_salesforce_leads_and_contacts_become_persons_stages_and_revenue(small_warehouse):
    db = small_warehouse
    # Both pages of the leads query load; a field no column reads lands in _extra.
    assert db.execute("select count(*) from raw.salesforce__leads").fetchone() == (5,)
    assert db.execute(
        'select _extra from raw.salesforce__leads where "Id" = %s', ("00Q5g00000Lead2AAA",)
    ).fetchone() == ({"Rating": "Hot"},)

    assert db.execute(
        "select person_id, crms, crm_record_count, is_excluded, exclusion_reason, first_seen_at"
        " from marts.dim_persons order by first_seen_at"
    ).fetchall() == [
        (ANNA, "salesforce", 1, False, None, utc(2, 9)),  # lead 1 and its contact: one record, the lead's creation
        (EVE, "salesforce", 1, True, "archived", utc(3, 10)),  # lead 5, in the recycle bin
        (BEN, "salesforce", 1, False, None, utc(5, 8)),
        (CARL, "salesforce", 1, False, None, utc(6, 7)),
        (DORA, "salesforce", 1, False, None, utc(7, 12)),  # no e-mail: the phone's digits
        (FRANK, "salesforce", 1, False, None, utc(8, 9)),  # a contact entered directly
    ]

    funnel = db.execute(
        "select person_id, lead_at, mql_at, sql_at, opportunity_at, customer_at, disqualified_at, current_stage,"
        " won_deal_count, revenue from marts.fct_lead_funnel order by lead_at"
    ).fetchall()
    assert funnel == [
        # Closed - Converted 03-04 10:00 (sql, mql back-filled); opportunity 1 created then, won 03-09
        (ANNA, utc(2, 9), utc(4, 10), utc(4, 10), utc(4, 10), utc(9, 0), None, "customer", 1, Decimal("12000.00")),
        (BEN, utc(5, 8), utc(5, 11), None, None, None, None, "mql", 0, Decimal(0)),  # Working - Contacted
        (CARL, utc(6, 7), None, None, None, None, utc(6, 9), "disqualified", 0, Decimal(0)),  # Closed - Not Converted
        (DORA, utc(7, 12), None, None, None, None, None, "lead", 0, Decimal(0)),
        # opportunity 2 created 03-08 09:30 (back-filling mql and sql), lost 03-09
        (FRANK, utc(8, 9), utc(8, 9, 30), utc(8, 9, 30), utc(8, 9, 30), None, None, "lost", 0, Decimal(0)),
    ]  # fmt: skip

    # Three MQLs (Anna, Ben, Frank), but Salesforce's activities are not read: no SLA rows rather
    # than three false "never touched" breaches.
    assert db.execute("select count(*) from marts.fct_lead_sla").fetchone() == (0,)

    # Anna's first campaign, the webinar her lead responded to, reaches her record.
    assert db.execute(
        "select crm_record_id, crm_source, utm_campaign from intermediate.int_crm_records_unioned"
        " where crm = 'salesforce' and utm_campaign is not null"
    ).fetchall() == [("0035g00000Cont1AAA", "Web", "Spring Webinar 2026")]


def test_the_raw_suites_read_salesforces_mixed_case_columns(small_warehouse, warehouse_url, small_config):
    report = validate("raw", warehouse_url, load_config(small_config))
    salesforce = [o for o in report.outcomes if o.suite.startswith("raw_salesforce__")]
    streams = ("leads", "contacts", "opportunities", "opportunity_contact_roles", "campaigns", "campaign_members")
    assert {o.suite for o in salesforce} == {f"raw_salesforce__{name}" for name in streams}
    # Campaign "Name" is checked as the column it is, and every Lead.Status and
    # Opportunity.StageName of the fixture is in the default stage map (named by object and field).
    assert [o.describe() for o in salesforce if not o.success] == []
