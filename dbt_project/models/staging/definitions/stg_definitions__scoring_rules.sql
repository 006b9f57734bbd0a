with source as (
    select
        rule_order,
        rule_name,
        field,
        operator,
        rule_values,
        points
    from {{ source('definitions', 'scoring_rules') }}
),

renamed as (
    select
        rule_order::integer as rule_order,
        rule_name::text as rule_name,
        field::text as field,
        operator::text as operator,
        coalesce(rule_values, '{}')::text[] as rule_values,
        points::integer as points
    from source
)

select * from renamed
