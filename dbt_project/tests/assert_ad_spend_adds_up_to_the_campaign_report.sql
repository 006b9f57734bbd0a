-- fct_ad_spend_daily, whichever grain each campaign-day has (its ad groups or its campaign row), adds
-- up per platform, account and day to the platform's campaign report: spend in the account currency
-- to the cent, impressions and clicks exactly; no account-day missing on either side. A campaign-day
-- counted at both grains, or ad groups that do not add up taken anyway, would show here. Checked on
-- the days fct_ad_spend_daily restates (macros/restated_days.sql); the others have not changed.
with mart as (
    select
        ad_platform,
        account_id,
        date_day,
        sum(spend_original) as spend,
        sum(impressions) as impressions,
        sum(clicks) as clicks
    from {{ ref('fct_ad_spend_daily') }}
    where {{ restated_days_test_filter('fct_ad_spend_daily') }}
    group by 1, 2, 3
),

campaign_report as (
    select
        ad_platform,
        account_id,
        date_day,
        sum(spend) as spend,
        sum(impressions) as impressions,
        sum(clicks) as clicks
    from {{ ref('int_ad_campaign_days_unioned') }}
    where {{ restated_days_test_filter('fct_ad_spend_daily') }}
    group by 1, 2, 3
)

select
    coalesce(mart.ad_platform, campaign_report.ad_platform) as ad_platform,
    coalesce(mart.account_id, campaign_report.account_id) as account_id,
    coalesce(mart.date_day, campaign_report.date_day) as date_day,
    mart.spend as mart_spend,
    campaign_report.spend as campaign_report_spend,
    mart.impressions as mart_impressions,
    campaign_report.impressions as campaign_report_impressions,
    mart.clicks as mart_clicks,
    campaign_report.clicks as campaign_report_clicks
from mart
full outer join campaign_report
    on mart.ad_platform = campaign_report.ad_platform
    and mart.account_id = campaign_report.account_id
    and mart.date_day = campaign_report.date_day
where mart.account_id is null
    or campaign_report.account_id is null
    or abs(mart.spend - campaign_report.spend) >= 0.005
    or mart.impressions <> campaign_report.impressions
    or mart.clicks <> campaign_report.clicks
