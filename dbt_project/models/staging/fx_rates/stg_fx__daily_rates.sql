-- ECB euro foreign exchange reference rates: units of quote_currency per 1 EUR, one row per
-- TARGET working day and currency the ECB published (no weekend or holiday rows; N/A cells
-- were never loaded).
with source as (
    select
        date,
        currency,
        rate
    from {{ source('fx_rates', 'daily') }}
),

renamed as (
    select
        date as rate_date,
        'EUR' as base_currency,
        upper(trim(currency)) as quote_currency,
        rate
    from source
)

select * from renamed
