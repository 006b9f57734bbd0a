-- Stage events: the CRM field values crm_stage_map gives a stage, one row per (record, deal,
-- stage), the earliest time it was reached.
-- * record values (HubSpot lifecyclestage dates, hs_lead_status; Salesforce Lead.Status; ...) are
--   events of the record, source `crm`;
-- * deal values (HubSpot dealstage; Salesforce Opportunity.StageName / IsWon; amoCRM status_id;
--   Bitrix24 STAGE_SEMANTIC_ID) are events of the deal's primary record, source `deal`: an outcome
--   (won, customer, lost) at the deal's close, any other stage at its creation; a deal that closed
--   was an opportunity since its creation, so a closed deal also yields `opportunity` then.
-- Archived records and deals say nothing; values crm_stage_map does not list (or maps to `none`)
-- say nothing either.
-- Not materialized: read twice (records, deals), a materialized CTE of 4M values spilled to disk
-- and hid the table's statistics from the joins (10M ad rows / 1M people: 11.9 s -> 9.0 s).
with stage_values as not materialized (
    select
        crm,
        object_type,
        crm_record_id,
        deal_id,
        field,
        value,
        observed_at,
        closed_at
    from {{ ref('int_crm_stage_values_unioned') }}
),

stage_map as (
    select
        crm,
        field,
        value,
        stage
    from {{ ref('stg_definitions__crm_stage_map') }}
    -- Known values that mean no stage are listed only so the quality gate knows them.
    where stage != 'none'
),

live_records as (
    select
        crm,
        crm_record_id
    from {{ ref('int_crm_records_unioned') }}
    where not is_archived
),

live_deals as (
    select
        crm,
        deal_id
    from {{ ref('int_crm_deals_unioned') }}
    where not is_archived
),

primary_records as (
    select
        crm,
        deal_id,
        crm_record_id
    from {{ ref('int_crm_deal_records_unioned') }}
    where is_primary
),

record_events as (
    select
        stage_values.crm,
        stage_values.crm_record_id,
        null::text as deal_id,
        stage_map.stage,
        stage_values.observed_at as reached_at,
        'crm' as event_source,
        stage_values.field as source_field,
        stage_values.value as source_value
    from stage_values
    inner join stage_map
        on stage_values.crm = stage_map.crm
        and stage_values.field = stage_map.field
        and stage_values.value = stage_map.value
    inner join live_records
        on stage_values.crm = live_records.crm
        and stage_values.crm_record_id = live_records.crm_record_id
    where stage_values.object_type = 'record'
),

deal_values as (
    select
        stage_values.crm,
        primary_records.crm_record_id,
        stage_values.deal_id,
        stage_map.stage,
        stage_values.observed_at as created_at,
        coalesce(stage_values.closed_at, stage_values.observed_at) as closed_at,
        stage_values.field,
        stage_values.value
    from stage_values
    inner join stage_map
        on stage_values.crm = stage_map.crm
        and stage_values.field = stage_map.field
        and stage_values.value = stage_map.value
    inner join live_deals
        on stage_values.crm = live_deals.crm
        and stage_values.deal_id = live_deals.deal_id
    inner join primary_records
        on stage_values.crm = primary_records.crm
        and stage_values.deal_id = primary_records.deal_id
    where stage_values.object_type = 'deal'
),

deal_events as (
    select
        crm,
        crm_record_id,
        deal_id,
        stage,
        case when stage in ('won', 'customer', 'lost') then closed_at else created_at end as reached_at,
        'deal' as event_source,
        field as source_field,
        value as source_value
    from deal_values

    union all

    select
        crm,
        crm_record_id,
        deal_id,
        'opportunity' as stage,
        created_at as reached_at,
        'deal' as event_source,
        field as source_field,
        value as source_value
    from deal_values
    where stage in ('won', 'customer', 'lost')
),

all_events as (
    select * from record_events
    union all
    select * from deal_events
),

final as (
    select distinct on (crm, crm_record_id, deal_id, stage)
        crm,
        crm_record_id,
        deal_id,
        stage,
        reached_at,
        event_source,
        source_field,
        source_value
    from all_events
    where reached_at is not null
    order by crm, crm_record_id, deal_id, stage, reached_at, source_field, source_value
)

select * from final
