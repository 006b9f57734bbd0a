-- Every CRM's deals (opportunities) on one contract, unioned by one macro with a field mapping.
{%- set contract = [
    ('deal_id', 'text'),
    ('deal_name', 'text'),
    ('amount', 'numeric'),
    ('currency_code', 'text'),
    ('pipeline', 'text'),
    ('created_at', 'timestamptz'),
    ('closed_at', 'timestamptz'),
    ('lost_reason', 'text'),
    ('is_archived', 'boolean'),
    ('updated_at', 'timestamptz'),
] %}

with unioned as (
    {{ union_crm_entity('deals', contract) }}
),

final as (
    select
        crm,
        deal_id,
        deal_name,
        amount,
        upper(currency_code) as currency_code,
        pipeline,
        created_at,
        closed_at,
        nullif(trim(lost_reason), '') as lost_reason,
        coalesce(is_archived, false) as is_archived,
        updated_at
    from unioned
)

select * from final
