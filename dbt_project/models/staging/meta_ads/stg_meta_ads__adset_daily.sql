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

-- Insights rows do not carry the account's time zone; the ad account itself does.
accounts as (
    select
        account_id,
        account_time_zone
    from {{ ref('stg_meta_ads__accounts') }}
),

renamed as (
    select
        'meta_ads' as ad_platform,
        account_id,
        -- Null until the account is loaded (stream meta_ads/accounts); date_day is Meta's own day either way.
        accounts.account_time_zone,
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
    left join accounts using (account_id)
)

select * from renamed
