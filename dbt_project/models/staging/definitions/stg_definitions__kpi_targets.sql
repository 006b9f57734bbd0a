with source as (
    select
        kpi,
        target_low,
        target_high,
        higher_is_better
    from {{ source('definitions', 'kpi_targets') }}
),

renamed as (
    select
        kpi::text as kpi,
        target_low::numeric as target_low,
        target_high::numeric as target_high,
        coalesce(higher_is_better, true) as higher_is_better
    from source
)

select * from renamed
