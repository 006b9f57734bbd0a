-- Every CRM's sales activities (calls, e-mails, meetings), one row per (activity, associated record).
{%- set contract = [
    ('activity_id', 'text'),
    ('activity_type', 'text'),
    ('direction', 'text'),
    ('occurred_at', 'timestamptz'),
    ('owner_id', 'text'),
    ('crm_record_id', 'text'),
] %}

with unioned as (
    {{ union_crm_entity('activities', contract) }}
),

final as (
    select
        crm,
        activity_id,
        lower(activity_type) as activity_type,
        lower(direction) as direction,
        occurred_at,
        owner_id,
        crm_record_id
    from unioned
)

select * from final
