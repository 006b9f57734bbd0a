with source as (
    select
        crm,
        field,
        value,
        stage
    from {{ source('definitions', 'crm_stage_map') }}
),

renamed as (
    select
        lower(crm)::text as crm,
        field::text as field,
        value::text as value,
        stage::text as stage,
        -- Funnel order of the stage a value maps to; outcomes (disqualified, lost, excluded) have none.
        case stage
            when 'lead' then 1
            when 'mql' then 2
            when 'sql' then 3
            when 'opportunity' then 4
            when 'customer' then 5
            when 'won' then 5
        end as stage_rank
    from source
)

select * from renamed
