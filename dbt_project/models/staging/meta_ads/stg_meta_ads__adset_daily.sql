with source as (
    select
        account_id,
        account_currency,
        campaign_id,
        adset_id,
        adset_name,
        date_start,
        spend,
        impressions,
        clicks,
        actions
    from {{ source('meta_ads', 'adset_daily') }}
),

renamed as (
    select
        'meta_ads' as ad_platform,
        account_id,
        -- Not on Insights rows (smarketing/extract/meta_ads.py); date_day is still Meta's own day.
        null::text as account_time_zone,
        campaign_id,
        adset_id,
        adset_name,
        date_start as date_day,
        upper(account_currency) as currency_code,
        -- Meta sends spend as a decimal string in units of the account currency (no micros).
        coalesce(spend, 0) as spend,
        coalesce(impressions, 0) as impressions,
        coalesce(clicks, 0) as clicks,
        {{ meta_ads_leads('actions') }} as platform_conversions
    from source
)

select * from renamed
