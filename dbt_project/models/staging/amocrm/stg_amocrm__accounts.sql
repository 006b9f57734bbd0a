with source as (
    select
        id,
        name,
        subdomain,
        currency
    from {{ source('amocrm', 'account') }}
),

renamed as (
    select
        id as account_id,
        name as account_name,
        subdomain,
        upper(currency) as currency_code
    from source
)

select * from renamed
