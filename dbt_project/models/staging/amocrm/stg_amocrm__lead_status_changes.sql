-- When each lead reached each status: the event log's `lead_status_changed` events (a status
-- the account maps, e.g. to sql, is then dated when the lead reached it, not at its creation).
with source as (
    select
        id,
        entity_id,
        value_after,
        created_at
    from {{ source('amocrm', 'events') }}
    where type = 'lead_status_changed'
        and entity_type = 'lead'
),

renamed as (
    select
        id as event_id,
        entity_id::text as deal_id,
        value_after -> 0 -> 'lead_status' ->> 'id' as status_id,
        value_after -> 0 -> 'lead_status' ->> 'pipeline_id' as pipeline_id,
        created_at as changed_at
    from source
)

select * from renamed
