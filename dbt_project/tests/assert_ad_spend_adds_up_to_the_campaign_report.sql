-- fct_ad_spend_daily, whichever grain each campaign-day has (its ad groups or its campaign row), adds
-- up per account and day to Google Ads' campaign report: spend in the account currency to the cent,
-- impressions and clicks exactly; no account-day missing on either side. A campaign-day counted at
-- both grains, or ad groups that do not add up taken anyway, would show here.
with mart as (
    select
        account_id,
        date_day,
        sum(spend_original) as spend,
        sum(impressions) as impressions,
        sum(clicks) as clicks
    from {{ ref('fct_ad_spend_daily') }}
    where ad_platform = 'google_ads'
    group by 1, 2
),

campaign_report as (
    select
        account_id,
        date_day,
        sum(spend) as spend,
        sum(impressions) as impressions,
        sum(clicks) as clicks
    from {{ ref('stg_google_ads__campaign_daily') }}
    group by 1, 2
)

select
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
    on mart.account_id = campaign_report.account_id
    and mart.date_day = campaign_report.date_day
where mart.account_id is null
    or campaign_report.account_id is null
    or abs(mart.spend - campaign_report.spend) >= 0.005
    or mart.impressions <> campaign_report.impressions
    or mart.clicks <> campaign_report.clicks
