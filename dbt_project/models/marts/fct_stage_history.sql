-- One row per person of the funnel and stage reached (lead .. customer, and the outcomes
-- disqualified and lost), with the time and where it came from: crm (a CRM record's value),
-- deal (a deal's value), high_intent, score, or backfilled (taken from a later stage, because a
-- stage's time is the earliest time the person reached it or any later stage).
-- Incremental (macros/restated_persons.sql): each build rewrites the persons whose CRM rows
-- changed, and every person when a campaign or a definition they read changed.
{{ restated_persons_config(on_schema_change='fail') }}

with lifecycle as (
    select
        lifecycle.person_id,
        lifecycle.lead_at,
        lifecycle.mql_at,
        lifecycle.sql_at,
        lifecycle.opportunity_at,
        lifecycle.customer_at,
        lifecycle.disqualified_at,
        lifecycle.lost_at,
        lifecycle.lead_source,
        lifecycle.mql_source,
        lifecycle.sql_source,
        lifecycle.opportunity_source,
        lifecycle.customer_source
    from {{ ref('int_person_lifecycle') }} as lifecycle
    {{ only_restated_persons('lifecycle.person_id') }}
),

funnel as (
    select funnel.person_id
    from {{ ref('fct_lead_funnel') }} as funnel
    {{ only_restated_persons('funnel.person_id') }}
),

stages as (
    select
        lifecycle.person_id,
        stage.stage,
        stage.reached_at,
        stage.source
    from lifecycle
    inner join funnel on lifecycle.person_id = funnel.person_id
    cross join lateral (
        values
            ('lead', lifecycle.lead_at, lifecycle.lead_source),
            ('mql', lifecycle.mql_at, lifecycle.mql_source),
            ('sql', lifecycle.sql_at, lifecycle.sql_source),
            ('opportunity', lifecycle.opportunity_at, lifecycle.opportunity_source),
            ('customer', lifecycle.customer_at, lifecycle.customer_source),
            ('disqualified', lifecycle.disqualified_at, 'crm'),
            ('lost', lifecycle.lost_at, 'deal')
    ) as stage (stage, reached_at, source)
    where stage.reached_at is not null
),

final as (
    select
        person_id::text as person_id,
        stage::text as stage,
        reached_at::timestamptz as reached_at,
        source::text as source
    from stages
)

select * from final
