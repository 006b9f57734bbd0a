-- amoCRM leads are its deals. Status 142 (won) and 143 (lost) are the same in every pipeline;
-- the other statuses are the account's own (names in stg_amocrm__pipeline_statuses). The UTM tags
-- and click ids a web form captured are the lead's tracking-data custom fields, by field code.
with source as (
    select
        account_id,
        id,
        name,
        price,
        status_id,
        pipeline_id,
        loss_reason,
        custom_fields_values,
        is_deleted,
        created_at,
        closed_at,
        updated_at
    from {{ source('amocrm', 'leads') }}
),

renamed as (
    select
        'amocrm' as crm,
        account_id,
        id::text as deal_id,
        name as deal_name,
        -- In the account's currency (stg_amocrm__accounts).
        price as amount,
        status_id,
        pipeline_id::text as pipeline_id,
        status_id = '142' as is_won,
        status_id = '143' as is_lost,
        nullif(trim(loss_reason -> 0 ->> 'name'), '') as lost_reason,
        {{ amocrm_custom_field('UTM_SOURCE') }} as utm_source,
        {{ amocrm_custom_field('UTM_MEDIUM') }} as utm_medium,
        {{ amocrm_custom_field('UTM_CAMPAIGN') }} as utm_campaign,
        {{ amocrm_custom_field('GCLID') }} as gclid,
        {{ amocrm_custom_field('YCLID') }} as yclid,
        {{ amocrm_custom_field('FBCLID') }} as fbclid,
        created_at,
        closed_at,
        coalesce(is_deleted, false) as is_archived,
        updated_at
    from source
)

select * from renamed
