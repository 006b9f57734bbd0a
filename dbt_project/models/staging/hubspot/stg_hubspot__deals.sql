with source as (
    select
        id,
        dealname,
        amount,
        deal_currency_code,
        dealstage,
        pipeline,
        createdate,
        closedate,
        closed_lost_reason,
        hs_is_closed_won,
        archived,
        updated_at
    from {{ source('hubspot', 'deals') }}
),

renamed as (
    select
        'hubspot' as crm,
        id as deal_id,
        dealname as deal_name,
        amount,
        deal_currency_code as currency_code,
        dealstage as deal_stage,
        pipeline,
        createdate as created_at,
        closedate as closed_at,
        coalesce(hs_is_closed_won, dealstage = 'closedwon') as is_won,
        dealstage = 'closedlost' as is_lost,
        closed_lost_reason as lost_reason,
        coalesce(archived, false) as is_archived,
        updated_at
    from source
)

select * from renamed
