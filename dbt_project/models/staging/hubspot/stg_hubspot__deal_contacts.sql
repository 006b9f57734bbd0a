with source as (
    select
        id,
        contact_ids
    from {{ source('hubspot', 'deals') }}
),

unnested as (
    select
        source.id as deal_id,
        contact.contact_id as crm_record_id
    from source
    cross join lateral jsonb_array_elements_text(coalesce(source.contact_ids, '[]'::jsonb)) as contact (contact_id)
)

select distinct * from unnested
