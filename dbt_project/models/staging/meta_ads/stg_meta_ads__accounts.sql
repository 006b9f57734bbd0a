with source as (
    select
        account_id,
        name,
        currency,
        timezone_name,
        timezone_offset_hours_utc
    from {{ source('meta_ads', 'accounts') }}
),

renamed as (
    select
        account_id,
        name as account_name,
        upper(currency) as currency_code,
        -- The IANA zone whose days Insights' date_start are (America/Los_Angeles, ...).
        timezone_name as account_time_zone,
        timezone_offset_hours_utc as utc_offset_hours
    from source
)

select * from renamed
