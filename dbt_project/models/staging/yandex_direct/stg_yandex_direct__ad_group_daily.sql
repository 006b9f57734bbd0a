with source as (
    select
        client_login,
        currency_code,
        campaign_id,
        ad_group_id,
        ad_group_name,
        date,
        cost_micros,
        impressions,
        clicks,
        conversions
    from {{ source('yandex_direct', 'ad_group_daily') }}
),

renamed as (
    select
        'yandex_direct' as ad_platform,
        client_login as account_id,
        -- Moscow time: see stg_yandex_direct__campaign_daily.
        'Europe/Moscow' as account_time_zone,
        campaign_id,
        ad_group_id,
        ad_group_name,
        date as date_day,
        upper(currency_code) as currency_code,
        coalesce(cost_micros, 0)::numeric / 1000000 as spend,
        coalesce(impressions, 0) as impressions,
        coalesce(clicks, 0) as clicks,
        coalesce(conversions, 0) as platform_conversions
    from source
)

select * from renamed
