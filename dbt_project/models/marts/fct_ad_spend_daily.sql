with spend as (
    select
        ad_platform,
        account_id,
        account_time_zone,
        campaign_id,
        date_day,
        currency_code,
        spend,
        impressions,
        clicks,
        platform_conversions
    from {{ ref('stg_google_ads__campaign_daily') }}
),

campaigns as (
    select
        campaign_key,
        campaign_name,
        channel
    from {{ ref('dim_campaigns') }}
),

final as (
    select
        (spend.ad_platform || ':' || spend.account_id || ':' || spend.campaign_id || ':' || spend.date_day)::text
            as ad_spend_id,
        spend.date_day::date as date_day,
        spend.ad_platform::text as ad_platform,
        spend.account_id::text as account_id,
        spend.account_time_zone::text as account_time_zone,
        campaigns.campaign_key::text as campaign_key,
        campaigns.campaign_name::text as campaign_name,
        campaigns.channel::text as channel,
        spend.currency_code::text as currency_code,
        spend.spend::numeric(18, 6) as spend,
        spend.impressions::bigint as impressions,
        spend.clicks::bigint as clicks,
        spend.platform_conversions::numeric(18, 4) as platform_conversions
    from spend
    inner join campaigns
        on spend.ad_platform || ':' || spend.account_id || ':' || spend.campaign_id = campaigns.campaign_key
)

select * from final
