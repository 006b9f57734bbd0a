-- Bitrix24 deals. OPPORTUNITY is the amount in CURRENCY_ID; CATEGORY_ID is the pipeline, whose
-- stage ids differ (WON, C1:WON), so the outcome is read from STAGE_SEMANTIC_ID (S won, F lost).
-- CLOSEDATE is the planned close date; a closed deal's close time is its last modification (an
-- upper bound; the stage history dates the close exactly, see stg_bitrix24__deal_stages).
with source as (
    select
        id,
        title,
        category_id,
        stage_id,
        stage_semantic_id,
        opportunity,
        currency_id,
        closed,
        lead_id,
        contact_id,
        date_create,
        date_modify
    from {{ source('bitrix24', 'deals') }}
),

renamed as (
    select
        'bitrix24' as crm,
        id as deal_id,
        title as deal_name,
        opportunity as amount,
        currency_id as currency_code,
        category_id as pipeline,
        stage_id as deal_stage,
        stage_semantic_id as stage_semantic,
        coalesce(stage_semantic_id = 'S', false) as is_won,
        coalesce(stage_semantic_id = 'F', false) as is_lost,
        nullif(lead_id, '0') as lead_id,
        nullif(contact_id, '0') as contact_id,
        date_create as created_at,
        case when closed = 'Y' then date_modify end as closed_at,
        date_modify as updated_at
    from source
)

select * from renamed
