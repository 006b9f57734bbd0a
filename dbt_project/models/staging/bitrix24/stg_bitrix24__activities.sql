-- Bitrix24 calls, e-mails and meetings of leads (OWNER_TYPE_ID 1), the sales touches the lead
-- follow-up SLA counts. TYPE_ID 2 call, 4 e-mail, 1 meeting; other types (tasks, open-line chats)
-- are left out. Direction from the rep's side: DIRECTION 2 outgoing -> outbound, 1 incoming ->
-- inbound; a meeting is outbound (a rep meets the lead). Only completed activities: a planned
-- call is not a touch yet. It happened at START_TIME (its creation when Bitrix24 has none).
with source as (
    select
        id,
        owner_type_id,
        owner_id,
        type_id,
        direction,
        completed,
        subject,
        start_time,
        created,
        responsible_id,
        last_updated
    from {{ source('bitrix24', 'activities') }}
),

renamed as (
    select
        id as activity_id,
        case type_id when '1' then 'meeting' when '2' then 'call' when '4' then 'email' end as activity_type,
        case
            when type_id = '1' then 'outbound'
            when direction = '2' then 'outbound'
            when direction = '1' then 'inbound'
        end as direction,
        coalesce(start_time, created) as occurred_at,
        nullif(trim(responsible_id), '') as owner_id,
        owner_id as crm_record_id,
        subject,
        last_updated as updated_at
    from source
    where owner_type_id = '1'
        and type_id in ('1', '2', '4')
        and completed = 'Y'
)

select * from renamed
