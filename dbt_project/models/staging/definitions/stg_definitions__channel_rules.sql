with source as (
    select
        rule_order,
        channel,
        field,
        operator,
        rule_values,
        is_paid
    from {{ source('definitions', 'channel_rules') }}
),

renamed as (
    select
        rule_order::integer as rule_order,
        channel::text as channel,
        field::text as field,
        operator::text as operator,
        coalesce(rule_values, '{}')::text[] as rule_values,
        coalesce(is_paid, false) as is_paid
    from source
)

select * from renamed
