with source as (
    select
        customer_id,
        currency_code,
        time_zone,
        campaign_id,
        ad_group_id,
        ad_group_name,
        ad_group_status,
        date,
        cost_micros,
        impressions,
        clicks,
        conversions
    from {{ source('google_ads', 'ad_group_daily') }}
),

renamed as (
    select
        'google_ads' as ad_platform,
        customer_id as account_id,
        time_zone as account_time_zone,
        campaign_id,
        ad_group_id,
        ad_group_name,
        lower(ad_group_status) as ad_group_status,
        date as date_day,
        currency_code,
        -- Google Ads reports money in micros (x 1,000,000) of the account currency.
        coalesce(cost_micros, 0)::numeric / 1000000 as spend,
        coalesce(impressions, 0) as impressions,
        coalesce(clicks, 0) as clicks,
        coalesce(conversions, 0) as platform_conversions
    from source
)

select * from renamed
