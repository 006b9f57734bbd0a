-- Every status a Bitrix24 lead is known to have had: each stage-history entry, dated when the lead
-- reached it, and the lead's current status, dated by its last modification (an upper bound, for a
-- lead whose history lies before the loaded window; a dated entry of the same stage wins, see
-- int_crm_stage_events).
with history as (
    select
        id,
        owner_id,
        status_id,
        created_time
    from {{ source('bitrix24', 'lead_stage_history') }}
),

leads as (
    select
        id,
        status_id,
        date_modify
    from {{ source('bitrix24', 'leads') }}
),

final as (
    select
        owner_id as crm_record_id,
        status_id as lead_status,
        created_time as reached_at,
        'stage_history' as observed_in,
        id as stage_history_id
    from history

    union all

    select
        id as crm_record_id,
        status_id as lead_status,
        date_modify as reached_at,
        'lead' as observed_in,
        null as stage_history_id
    from leads
)

select * from final
