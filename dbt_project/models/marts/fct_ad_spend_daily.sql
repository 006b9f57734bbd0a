-- Ad spend per platform, account, campaign and day (the platform's own day, account time zone),
-- in the reporting currency at the FX rate of that day; the original amount and currency kept.
-- A table rebuilt on every run: days the platform restated (re-read in the lookback window and
-- replaced in raw) show their new values on the next build.
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

settings as (
    select reporting_currency from {{ ref('stg_definitions__settings') }}
),

fx as (
    select
        date_day,
        currency,
        rate_to_reporting
    from {{ ref('int_fx_rates_filled') }}
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
        settings.reporting_currency::text as currency_code,
        (
            case
                when upper(spend.currency_code) = settings.reporting_currency then spend.spend
                else spend.spend * fx.rate_to_reporting
            end
        )::numeric(18, 6) as spend,
        spend.spend::numeric(18, 6) as spend_original,
        upper(spend.currency_code)::text as currency_original,
        spend.impressions::bigint as impressions,
        spend.clicks::bigint as clicks,
        spend.platform_conversions::numeric(18, 4) as platform_conversions
    from spend
    inner join campaigns
        on spend.ad_platform || ':' || spend.account_id || ':' || spend.campaign_id = campaigns.campaign_key
    cross join settings
    left join fx
        on spend.date_day = fx.date_day
        and upper(spend.currency_code) = fx.currency
)

select * from final
