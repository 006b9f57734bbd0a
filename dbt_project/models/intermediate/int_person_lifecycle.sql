-- One row per person (excluded ones too) with the time each funnel stage was reached, where it
-- came from, and the outcomes (disqualified, lost) with their reasons.
-- * lead: the earliest creation of the person's live records (or a CRM lead stage before it);
-- * MQL: the earliest of a CRM value mapped to mql, a high-intent action (definitions
--   high_intent_actions: the first or most recent conversion event, or the lead form, at the
--   time of that conversion / the record's creation), and the lead score reaching the threshold
--   (int_leads_scored.score_mql_at: the creation of the record that completed the score);
-- * SQL / opportunity / customer: CRM values mapped to them (records and deals, see
--   int_crm_stage_events; won counts as customer).
-- Back fill: a stage's time is the earliest time the person reached it or any later stage, so
-- times never run backwards and reaching a stage implies the earlier ones (source `backfilled`).
-- Equal times are credited to the most specific source: high_intent, score, deal, crm (a CRM that
-- sets MQL on a demo request at that very moment did so because of the demo request).
-- Outcomes: disqualified_at = the earliest CRM value mapped to disqualified (reason: the record's
-- disqualification reason, else that value); lost_at = when the last of the person's deals was
-- lost, when every deal was lost (reason: that deal's lost reason).
-- current_stage: customer, else lost, else opportunity, else disqualified, else sql, mql, lead.
-- first_sales_touch_at: the first sales touch at or after mql_at: an outbound call, e-mail or
-- meeting (direction as staging maps it) on any of the person's live records.
-- Incremental (macros/restated_persons.sql): each build rebuilds the persons whose CRM rows changed.
{{ restated_persons_config(definitions=['high_intent_actions']) }}

with persons as (
    select
        persons.person_id,
        bool_or(is_excluded) as is_excluded,
        min(exclusion_reason) as exclusion_reason,
        min(created_at) as first_seen_at
    from {{ ref('int_crm_records_merged_to_persons') }} as persons
    {{ only_restated_persons('persons.person_id') }}
    group by persons.person_id
),

live_records as (
    select
        persons.person_id,
        records.crm,
        records.crm_record_id,
        records.created_at,
        records.lead_form,
        records.first_conversion_event,
        records.first_conversion_at,
        records.recent_conversion_event,
        records.recent_conversion_at,
        records.disqualification_reason
    from {{ ref('int_crm_records_unioned') }} as records
    inner join {{ ref('int_crm_records_merged_to_persons') }} as persons
        on records.crm = persons.crm
        and records.crm_record_id = persons.crm_record_id
    {{ only_restated_persons('persons.person_id') }}
    where not records.is_archived
),

high_intent_actions as (
    select action_normalized from {{ ref('stg_definitions__high_intent_actions') }}
),

stage_events as (
    select
        live_records.person_id,
        live_records.disqualification_reason,
        events.stage,
        events.reached_at,
        events.event_source,
        events.source_value
    from {{ ref('int_crm_stage_events') }} as events
    inner join live_records
        on events.crm = live_records.crm
        and events.crm_record_id = live_records.crm_record_id
),

scores as (
    select
        scores.person_id,
        lead_score,
        score_mql_at
    from {{ ref('int_leads_scored') }} as scores
    {{ only_restated_persons('scores.person_id') }}
),

deals as (
    select
        deals.person_id,
        deal_outcome,
        lost_at,
        lost_reason
    from {{ ref('int_deals_joined_to_persons') }} as deals
    {{ only_restated_persons('deals.person_id') }}
),

activities as (
    select
        live_records.person_id,
        activities.occurred_at
    from {{ ref('int_crm_activities_unioned') }} as activities
    inner join live_records
        on activities.crm = live_records.crm
        and activities.crm_record_id = live_records.crm_record_id
    where activities.activity_type in ('call', 'email', 'meeting')
        and activities.direction = 'outbound'
),

high_intent as (
    select
        live_records.person_id,
        min(conversions.converted_at) as high_intent_at
    from live_records
    cross join lateral (
        values
            (live_records.first_conversion_event, coalesce(live_records.first_conversion_at, live_records.created_at)),
            (live_records.recent_conversion_event, coalesce(live_records.recent_conversion_at, live_records.created_at)),
            (live_records.lead_form, live_records.created_at)
    ) as conversions (action, converted_at)
    inner join high_intent_actions
        on lower(trim(conversions.action)) = high_intent_actions.action_normalized
    group by live_records.person_id
),

candidates as (
    -- Every way a person reached a stage: (stage, time, source).
    select person_id, 'lead' as stage, created_at as reached_at, 'crm' as reached_by
    from live_records

    union all

    select
        person_id,
        case when stage in ('won', 'customer') then 'customer' else stage end as stage,
        reached_at,
        event_source as reached_by
    from stage_events
    where stage in ('lead', 'mql', 'sql', 'opportunity', 'customer', 'won')

    union all

    select person_id, 'mql', high_intent_at, 'high_intent'
    from high_intent

    union all

    select person_id, 'mql', score_mql_at, 'score'
    from scores
    where score_mql_at is not null
),

earliest as (
    select distinct on (person_id, stage)
        person_id,
        stage,
        reached_at,
        reached_by
    from candidates
    where reached_at is not null
    order by
        person_id,
        stage,
        reached_at,
        case reached_by when 'high_intent' then 1 when 'score' then 2 when 'deal' then 3 else 4 end
),

reached as (
    select
        person_id,
        min(reached_at) filter (where stage = 'lead') as raw_lead_at,
        min(reached_by) filter (where stage = 'lead') as raw_lead_by,
        min(reached_at) filter (where stage = 'mql') as raw_mql_at,
        min(reached_by) filter (where stage = 'mql') as raw_mql_by,
        min(reached_at) filter (where stage = 'sql') as raw_sql_at,
        min(reached_by) filter (where stage = 'sql') as raw_sql_by,
        min(reached_at) filter (where stage = 'opportunity') as raw_opportunity_at,
        min(reached_by) filter (where stage = 'opportunity') as raw_opportunity_by,
        min(reached_at) filter (where stage = 'customer') as raw_customer_at,
        min(reached_by) filter (where stage = 'customer') as raw_customer_by
    from earliest
    group by person_id
),

disqualified as (
    select distinct on (person_id)
        person_id,
        reached_at as disqualified_at,
        coalesce(disqualification_reason, source_value) as disqualification_reason
    from stage_events
    where stage = 'disqualified'
    order by person_id, reached_at, source_value
),

lost as (
    select distinct on (person_id)
        person_id,
        lost_at,
        lost_reason
    from deals
    where person_id not in (select person_id from deals where deal_outcome <> 'lost')
    order by person_id, lost_at desc, lost_reason
),

backfilled as (
    select
        persons.person_id,
        persons.is_excluded,
        persons.exclusion_reason,
        persons.first_seen_at,
        reached.raw_lead_at,
        reached.raw_lead_by,
        reached.raw_mql_at,
        reached.raw_mql_by,
        reached.raw_sql_at,
        reached.raw_sql_by,
        reached.raw_opportunity_at,
        reached.raw_opportunity_by,
        reached.raw_customer_at,
        reached.raw_customer_by,
        reached.raw_customer_at as customer_at,
        least(reached.raw_opportunity_at, reached.raw_customer_at) as opportunity_at,
        least(reached.raw_sql_at, reached.raw_opportunity_at, reached.raw_customer_at) as sql_at,
        least(reached.raw_mql_at, reached.raw_sql_at, reached.raw_opportunity_at, reached.raw_customer_at) as mql_at,
        least(
            coalesce(reached.raw_lead_at, persons.first_seen_at),
            reached.raw_mql_at,
            reached.raw_sql_at,
            reached.raw_opportunity_at,
            reached.raw_customer_at
        ) as lead_at
    from persons
    left join reached on persons.person_id = reached.person_id
),

first_touches as (
    select
        backfilled.person_id,
        min(activities.occurred_at) as first_sales_touch_at
    from backfilled
    inner join activities
        on backfilled.person_id = activities.person_id
        and activities.occurred_at >= backfilled.mql_at
    group by backfilled.person_id
),

final as (
    select
        backfilled.person_id,
        backfilled.is_excluded,
        backfilled.exclusion_reason,
        backfilled.first_seen_at,
        backfilled.lead_at,
        backfilled.mql_at,
        backfilled.sql_at,
        backfilled.opportunity_at,
        backfilled.customer_at,
        disqualified.disqualified_at,
        disqualified.disqualification_reason,
        lost.lost_at,
        lost.lost_reason,
        case
            when backfilled.customer_at is not null then 'customer'
            when lost.lost_at is not null then 'lost'
            when backfilled.opportunity_at is not null then 'opportunity'
            when disqualified.disqualified_at is not null then 'disqualified'
            when backfilled.sql_at is not null then 'sql'
            when backfilled.mql_at is not null then 'mql'
            else 'lead'
        end as current_stage,
        case
            when backfilled.mql_at is null then null
            when backfilled.mql_at = backfilled.raw_mql_at and backfilled.raw_mql_by = 'high_intent' then 'high_intent'
            when backfilled.mql_at = backfilled.raw_mql_at and backfilled.raw_mql_by = 'score' then 'score'
            else 'crm_stage'
        end as mql_reason,
        {%- for stage in ['lead', 'mql', 'sql', 'opportunity', 'customer'] %}
        case
            when backfilled.{{ stage }}_at is null then null
            when backfilled.{{ stage }}_at = backfilled.raw_{{ stage }}_at then backfilled.raw_{{ stage }}_by
            else 'backfilled'
        end as {{ stage }}_source,
        {%- endfor %}
        greatest(
            backfilled.lead_at,
            backfilled.mql_at,
            backfilled.sql_at,
            backfilled.opportunity_at,
            backfilled.customer_at,
            disqualified.disqualified_at,
            lost.lost_at
        ) as last_progress_at,
        first_touches.first_sales_touch_at
    from backfilled
    left join disqualified on backfilled.person_id = disqualified.person_id
    left join lost on backfilled.person_id = lost.person_id
    left join first_touches on backfilled.person_id = first_touches.person_id
)

select * from final
