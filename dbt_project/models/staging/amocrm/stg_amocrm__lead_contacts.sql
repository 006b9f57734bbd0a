-- The contacts embedded in each lead (`with=contacts`): one row per (lead, contact).
with source as (
    select
        id,
        contacts
    from {{ source('amocrm', 'leads') }}
),

unnested as (
    select
        source.id::text as deal_id,
        contact.item ->> 'id' as crm_record_id,
        coalesce((contact.item ->> 'is_main')::boolean, false) as is_main
    from source
    cross join lateral jsonb_array_elements(coalesce(source.contacts, '[]'::jsonb)) as contact (item)
)

select distinct * from unnested
