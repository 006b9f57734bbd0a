with source as (
    select
        account_id,
        name,
        currency,
        status
    from {{ source('linkedin_ads', 'accounts') }}
),

renamed as (
    select
        account_id,
        name as account_name,
        upper(currency) as currency_code,
        lower(status) as account_status
    from source
)

select * from renamed
