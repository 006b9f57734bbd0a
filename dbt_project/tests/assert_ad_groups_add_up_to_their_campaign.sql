{{ config(severity='warn') }}
-- An ad platform's ad-group rows of a campaign-day (Google Ads ad groups, Meta ad sets) add up to
-- its campaign row. Where they do not (one report restated and the other not yet, a partial pull)
-- or have no campaign row at all, fct_ad_spend_daily keeps the campaign row and loses that day's
-- ad-group detail: a warning, since spend stays right, but worth a look. Checked on the days
-- fct_ad_spend_daily restates (macros/restated_days.sql); the others have not changed.
with ad_group_totals as (
    select
        ad_platform,
        account_id,
        campaign_id,
        date_day,
        sum(spend) as spend,
        sum(impressions) as impressions,
        sum(clicks) as clicks
    from {{ ref('int_ad_group_days_unioned') }}
    where {{ restated_days_test_filter('fct_ad_spend_daily') }}
    group by 1, 2, 3, 4
),

campaign_report as (
    select
        ad_platform,
        account_id,
        campaign_id,
        date_day,
        spend,
        impressions,
        clicks
    from {{ ref('int_ad_campaign_days_unioned') }}
    where {{ restated_days_test_filter('fct_ad_spend_daily') }}
)

select
    ad_group_totals.ad_platform,
    ad_group_totals.account_id,
    ad_group_totals.campaign_id,
    ad_group_totals.date_day,
    ad_group_totals.spend as ad_group_spend,
    campaign_report.spend as campaign_spend,
    ad_group_totals.impressions as ad_group_impressions,
    campaign_report.impressions as campaign_impressions,
    ad_group_totals.clicks as ad_group_clicks,
    campaign_report.clicks as campaign_clicks
from ad_group_totals
left join campaign_report
    on ad_group_totals.ad_platform = campaign_report.ad_platform
    and ad_group_totals.account_id = campaign_report.account_id
    and ad_group_totals.campaign_id = campaign_report.campaign_id
    and ad_group_totals.date_day = campaign_report.date_day
where campaign_report.account_id is null
    or ad_group_totals.spend <> campaign_report.spend
    or ad_group_totals.impressions <> campaign_report.impressions
    or ad_group_totals.clicks <> campaign_report.clicks
