"""The person models (int_leads_scored, int_person_lifecycle, int_persons_attributed, dim_persons,
fct_lead_funnel, fct_stage_history) are incremental by person: each build rewrites the persons whose
CRM rows changed since its last build (or every person, when a definition it reads changed) and
leaves the others alone, yet ends up row for row what a full rebuild makes.

The tiny fixture's HubSpot contacts (tests/fixtures/tiny/README.md) are seven persons by e-mail:
a@alpha.io (101), b@beta.io (102), c@gamma.io (103), d@delta.io (104 and 106), e@example.com (105,
excluded), f@zeta.io (107), g@eta.io (108). person_id = md5('email:' || e-mail).
"""

import hashlib
import json
from datetime import datetime

import pytest

from smarketing.cli import _dbt

PERSON_MODELS = (
    "intermediate.int_leads_scored",
    "intermediate.int_person_lifecycle",
    "intermediate.int_persons_attributed",
    "marts.dim_persons",
    "marts.fct_lead_funnel",
    "marts.fct_stage_history",
)
EMAILS = ("a@alpha.io", "b@beta.io", "c@gamma.io", "d@delta.io", "e@example.com", "f@zeta.io", "g@eta.io")


def person(email: str) -> str:
    return hashlib.md5(f"email:{email}".encode()).hexdigest()


def row_versions(conn) -> dict[str, dict[str, str]]:
    """model -> person_id -> the versions (xmin) of the person's rows: a row written again gets a new one."""
    return {
        model: dict(
            conn.execute(
                f"select person_id, string_agg(xmin::text, ',' order by xmin::text) from {model} group by person_id"
            ).fetchall()
        )
        for model in PERSON_MODELS
    }


def rewritten(before: dict[str, dict[str, str]], after: dict[str, dict[str, str]]) -> dict[str, set[str]]:
    """model -> the persons whose row is new, changed version or gone."""
    return {
        model: {
            person_id
            for person_id in before[model].keys() | after[model].keys()
            if before[model].get(person_id) != after[model].get(person_id)
        }
        for model in PERSON_MODELS
    }


def contact_created(hubspot_drop, contact_id: str) -> datetime:
    page = json.loads((hubspot_drop / "contacts" / "page-0001.json").read_text())
    (contact,) = [c for c in page["results"] if c["id"] == contact_id]
    return datetime.fromisoformat(contact["properties"]["createdate"])


def lifecycle(conn, person_id: str) -> tuple:
    return conn.execute(
        "select lead_at, mql_at, sql_at from intermediate.int_person_lifecycle where person_id = %s", [person_id]
    ).fetchone()


def test_each_night_rewrites_the_persons_whose_crm_rows_changed_and_only_those(
    night, edit_contact, hubspot_drop, warehouse
):
    night(load=("google_ads", "hubspot"))
    first = row_versions(warehouse)
    everyone = {person(email) for email in EMAILS}
    # The funnel leaves excluded persons out.
    in_funnel = everyone - {person("e@example.com")}
    assert {model: set(versions) for model, versions in first.items()} == {
        model: in_funnel if model.startswith("marts.fct_") else everyone for model in PERSON_MODELS
    }

    # Nothing changed: nothing is written.
    night(load=("hubspot",))
    assert rewritten(first, row_versions(warehouse)) == {model: set() for model in PERSON_MODELS}

    # The CRM now credits 108 to Brand Search (501).
    edit_contact("108", utm_campaign="Brand Search")
    night(load=("hubspot",))
    second = row_versions(warehouse)
    assert rewritten(first, second) == {model: {person("g@eta.io")} for model in PERSON_MODELS}
    assert warehouse.execute(
        "select campaign_key from marts.fct_lead_funnel where person_id = %s", [person("g@eta.io")]
    ).fetchone() == ("google_ads:1111111111:501",)

    # 103 turns out to be a@alpha.io: person c@gamma.io is gone, a@alpha.io has both records, so its
    # lead is 103's creation and it reached MQL and SQL when c@gamma.io did.
    gamma = lifecycle(warehouse, person("c@gamma.io"))
    edit_contact("103", email="a@alpha.io")
    night(load=("hubspot",))
    third = row_versions(warehouse)
    assert rewritten(second, third) == {model: {person("a@alpha.io"), person("c@gamma.io")} for model in PERSON_MODELS}
    assert all(person("c@gamma.io") not in third[model] for model in PERSON_MODELS)
    assert lifecycle(warehouse, person("a@alpha.io")) == (contact_created(hubspot_drop, "103"), gamma[1], gamma[2])

    def rows(model: str) -> list[tuple]:
        return warehouse.execute(f"select * from {model} order by 1, 2").fetchall()

    incremental = {model: rows(model) for model in PERSON_MODELS}
    names = [model.split(".")[1] for model in PERSON_MODELS]
    night(load=(), dbt_args=("run", "--full-refresh", "--select", *names))
    assert {model: rows(model) for model in PERSON_MODELS} == incremental
    # Each model's record holds the six persons there are now, after either build.
    assert warehouse.execute(
        "select model, count(*) from ops.dbt_restated_persons group by model order by model"
    ).fetchall() == [(name, 6) for name in sorted(names)]


@pytest.mark.parametrize(
    ("definitions", "rewrites"),
    [
        # The score threshold: the score and every model after it; dim_persons reads no definition.
        ("  lead_scoring: {mql_threshold: 30}", set(PERSON_MODELS) - {"marts.dim_persons"}),
        # High-intent actions: the lifecycle and every model after it.
        (
            "  high_intent_actions: [Demo request]",
            set(PERSON_MODELS) - {"marts.dim_persons", "intermediate.int_leads_scored"},
        ),
    ],
)
def test_a_changed_definition_rewrites_every_person_of_the_models_that_read_it(night, warehouse, definitions, rewrites):
    night(load=("google_ads", "hubspot"))
    before = row_versions(warehouse)

    night(load=("hubspot",), definitions=definitions)

    after = row_versions(warehouse)
    assert rewritten(before, after) == {
        model: set(before[model]) if model in rewrites else set() for model in PERSON_MODELS
    }
    # The models that rewrote every person wrote their record afresh: the next night rewrites nothing.
    night(load=("hubspot",), definitions=definitions)
    assert rewritten(after, row_versions(warehouse)) == {model: set() for model in PERSON_MODELS}
    assert warehouse.execute(
        "select model, count(*) from ops.dbt_restated_persons group by model order by model"
    ).fetchall() == [(name, len(EMAILS)) for name in sorted(model.split(".")[1] for model in PERSON_MODELS)]


def test_without_a_record_of_its_persons_a_model_rebuilds_every_person_in_it(night, warehouse):
    """The first build of a table that was not restated by person before (an upgrade), or one whose
    record in ops.dbt_restated_persons is gone, rebuilds every person and drops those gone since."""
    night(load=("google_ads", "hubspot"))
    warehouse.execute("delete from ops.dbt_restated_persons where model = 'dim_persons'")
    warehouse.execute(
        "insert into marts.dim_persons (person_id, is_excluded, crm_record_count) values ('gone', false, 1)"
    )
    before = row_versions(warehouse)

    night(load=("hubspot",))

    after = row_versions(warehouse)
    assert set(after["marts.dim_persons"]) == {person(email) for email in EMAILS}
    assert rewritten(before, after) == {
        model: set(before[model]) if model == "marts.dim_persons" else set() for model in PERSON_MODELS
    }


def test_a_record_from_before_the_partitions_is_replaced_and_every_person_rebuilt_once(night, warehouse):
    """An upgrade from a version whose ops.dbt_restated_persons was one plain table: the table is
    replaced by the one partitioned by model, each model rebuilds its persons once, then only the
    changed ones again."""
    night(load=("google_ads", "hubspot"))
    warehouse.execute("drop table ops.dbt_restated_persons")
    warehouse.execute(
        "create table ops.dbt_restated_persons ("
        " model text not null, person_id text not null, input_digest bigint not null,"
        " primary key (model, person_id))"
    )
    warehouse.execute("insert into ops.dbt_restated_persons select 'dim_persons', person_id, 0 from marts.dim_persons")
    before = row_versions(warehouse)

    night(load=("hubspot",))

    rebuilt = row_versions(warehouse)
    assert rewritten(before, rebuilt) == {model: set(before[model]) for model in PERSON_MODELS}
    assert warehouse.execute(
        "select relkind from pg_class where oid = 'ops.dbt_restated_persons'::regclass"
    ).fetchone() == ("p",)
    night(load=("hubspot",))
    assert rewritten(rebuilt, row_versions(warehouse)) == {model: set() for model in PERSON_MODELS}


def test_the_tests_of_a_person_model_read_the_persons_its_latest_build_wrote(
    night, edit_contact, warehouse, warehouse_url
):
    """Each night's tests of a person model check the persons that night wrote: the others were
    checked the night they were written and have not changed since."""
    night(load=("google_ads", "hubspot"))
    edit_contact("108", utm_campaign="Brand Search")
    night(load=("hubspot",))

    def score_tests_pass() -> bool:
        return _dbt(warehouse_url, ["test", "--select", "int_leads_scored", "--quiet"]) == 0

    def break_score(email: str) -> None:
        warehouse.execute(
            "update intermediate.int_leads_scored set lead_score = null where person_id = %s", [person(email)]
        )

    # a@alpha.io was written by the first night: its row is not read again.
    break_score("a@alpha.io")
    assert score_tests_pass()
    # g@eta.io was written by the latest build.
    break_score("g@eta.io")
    assert not score_tests_pass()
    # A full rebuild writes every person again, so its tests read every person.
    night(load=(), dbt_args=("run", "--full-refresh", "--select", "int_leads_scored"))
    break_score("a@alpha.io")
    assert not score_tests_pass()
