with source as (
    select
        version,
        timezone,
        currency,
        mql_threshold,
        sla_hours,
        attribution_model,
        stuck_after_days,
        typical_sales_cycle_days,
        sales_cost_per_month,
        ltv_purchase_frequency_per_year,
        ltv_customer_lifetime_years,
        ltv_min_history_days
    from {{ source('definitions', 'settings') }}
),

renamed as (
    select
        version::text as definitions_version,
        timezone::text as report_timezone,
        currency::text as reporting_currency,
        mql_threshold::integer as mql_threshold,
        sla_hours::numeric as sla_hours,
        attribution_model::text as attribution_model,
        stuck_after_days::integer as stuck_after_days,
        typical_sales_cycle_days::integer as typical_sales_cycle_days,
        sales_cost_per_month::numeric as sales_cost_per_month,
        ltv_purchase_frequency_per_year::numeric as ltv_purchase_frequency_per_year,
        ltv_customer_lifetime_years::numeric as ltv_customer_lifetime_years,
        ltv_min_history_days::integer as ltv_min_history_days
    from source
)

select * from renamed
