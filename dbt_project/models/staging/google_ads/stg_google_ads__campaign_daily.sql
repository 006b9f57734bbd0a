with source as (
    select
        customer_id,
        customer_name,
        currency_code,
        time_zone,
        campaign_id,
        campaign_name,
        channel_type,
        campaign_status,
        date,
        cost_micros,
        impressions,
        clicks,
        conversions
    from {{ source('google_ads', 'campaign_daily') }}
),

renamed as (
    select
        'google_ads' as ad_platform,
        customer_id as account_id,
        customer_name as account_name,
        time_zone as account_time_zone,
        campaign_id,
        campaign_name,
        lower(channel_type) as campaign_type,
        lower(campaign_status) as campaign_status,
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
