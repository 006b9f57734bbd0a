with source as (
    select
        client_login,
        currency_code,
        campaign_id,
        campaign_name,
        campaign_type,
        date,
        cost_micros,
        impressions,
        clicks,
        conversions
    from {{ source('yandex_direct', 'campaign_daily') }}
),

renamed as (
    select
        'yandex_direct' as ad_platform,
        client_login as account_id,
        client_login as account_name,
        -- Yandex Direct reports every account's days in Moscow time, whatever a campaign's own
        -- time-targeting zone; the report names no zone, so it is this constant.
        'Europe/Moscow' as account_time_zone,
        campaign_id,
        campaign_name,
        -- Lowercased (text_campaign, unified_campaign, smart_campaign, ...); CPM banners are display
        -- only, named as ad_campaign_utm_medium knows display.
        case when campaign_type = 'CPM_BANNER_CAMPAIGN' then 'display' else lower(campaign_type) end as campaign_type,
        date as date_day,
        upper(currency_code) as currency_code,
        -- Cost in micros (x 1,000,000) of the account currency (returnMoneyInMicros; raw is micros either way).
        coalesce(cost_micros, 0)::numeric / 1000000 as spend,
        coalesce(impressions, 0) as impressions,
        coalesce(clicks, 0) as clicks,
        coalesce(conversions, 0) as platform_conversions
    from source
)

select * from renamed
