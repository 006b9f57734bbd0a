-- Every stage semantic (P in progress, S won, F lost) a Bitrix24 deal is known to have had, with
-- the created and closed times crm_stage_map's deal outcomes are dated by: a stage-history entry
-- is both at the time the deal reached it; the deal's current semantic is at its creation and, when
-- closed, its last modification (an upper bound: the dated history entry wins, see
-- int_crm_stage_events).
with history as (
    select
        owner_id,
        stage_semantic_id,
        created_time
    from {{ source('bitrix24', 'deal_stage_history') }}
),

deals as (
    select
        deal_id,
        stage_semantic,
        created_at,
        closed_at
    from {{ ref('stg_bitrix24__deals') }}
),

final as (
    select
        owner_id as deal_id,
        stage_semantic_id as stage_semantic,
        created_time as created_at,
        created_time as closed_at,
        'stage_history' as observed_in
    from history

    union all

    select
        deal_id,
        stage_semantic,
        created_at,
        closed_at,
        'deal' as observed_in
    from deals
)

select * from final
