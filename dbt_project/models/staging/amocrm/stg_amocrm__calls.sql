-- Calls from the event log, on the common activity contract: a call logged on a contact is an
-- activity of that contact (one logged on a lead names no person and is left out).
with source as (
    select
        id,
        type,
        entity_id,
        created_by,
        created_at
    from {{ source('amocrm', 'events') }}
    where type in ('incoming_call', 'outgoing_call')
        and entity_type = 'contact'
),

renamed as (
    select
        id as activity_id,
        'call' as activity_type,
        case when type = 'incoming_call' then 'inbound' else 'outbound' end as direction,
        created_at as occurred_at,
        created_by::text as owner_id,
        entity_id::text as crm_record_id
    from source
)

select * from renamed
