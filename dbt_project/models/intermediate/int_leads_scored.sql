-- The transparent lead score of every person: the sum of the points of the scoring rules
-- (definitions.scoring_rules) the person matches, with the rules that matched.
-- A rule matches a person when it matches any of the person's live (not archived) CRM records,
-- and counts once. Score time: a CRM record carries its fields' current values without the time
-- each was set, so a rule is taken to hold from the creation of the earliest record that matches
-- it; score_mql_at is the first moment the points of the rules holding by then reach the
-- threshold (settings.mql_threshold). For a person with one record that is the record's creation.
-- Incremental (macros/restated_persons.sql): each build rescores the persons whose CRM rows changed.
{{ restated_persons_config(settings=['mql_threshold'], definitions=['scoring_rules']) }}

with records as (
    select
        records.*,
        persons.person_id
    from {{ ref('int_crm_records_unioned') }} as records
    inner join {{ ref('int_crm_records_merged_to_persons') }} as persons
        on records.crm = persons.crm
        and records.crm_record_id = persons.crm_record_id
    {{ only_restated_persons('persons.person_id') }}
    where not records.is_archived
),

persons as (
    select distinct persons.person_id
    from {{ ref('int_crm_records_merged_to_persons') }} as persons
    {{ only_restated_persons('persons.person_id') }}
),

rules as (
    select
        rule_order,
        rule_name,
        field,
        operator,
        rule_values,
        points
    from {{ ref('stg_definitions__scoring_rules') }}
),

settings as (
    select mql_threshold from {{ ref('stg_definitions__settings') }}
),

matches as (
    select
        records.person_id,
        rules.rule_order,
        rules.rule_name,
        rules.points,
        min(records.created_at) as matched_at
    from records
    cross join lateral {{ rule_field_values('records') }}
    inner join rules on rule_field_values.field = rules.field
    where {{ matches_condition('rule_field_values.field_value', 'rules.operator', 'rules.rule_values') }}
    group by records.person_id, rules.rule_order, rules.rule_name, rules.points
),

points_by_moment as (
    select
        person_id,
        matched_at,
        sum(points) as points
    from matches
    group by person_id, matched_at
),

running as (
    select
        person_id,
        matched_at,
        sum(points) over (partition by person_id order by matched_at) as score_so_far
    from points_by_moment
),

threshold_reached as (
    select
        running.person_id,
        min(running.matched_at) as score_mql_at
    from running
    cross join settings
    where running.score_so_far >= settings.mql_threshold
    group by running.person_id
),

scored as (
    select
        person_id,
        sum(points)::integer as lead_score,
        array_agg(rule_order order by rule_order) as matched_rule_orders,
        string_agg(rule_name || ' (' || points || ')', '; ' order by rule_order) as matched_rules
    from matches
    group by person_id
),

final as (
    select
        persons.person_id,
        coalesce(scored.lead_score, 0) as lead_score,
        coalesce(scored.matched_rule_orders, '{}'::integer[]) as matched_rule_orders,
        scored.matched_rules,
        threshold_reached.score_mql_at
    from persons
    left join scored on persons.person_id = scored.person_id
    left join threshold_reached on persons.person_id = threshold_reached.person_id
)

select * from final
