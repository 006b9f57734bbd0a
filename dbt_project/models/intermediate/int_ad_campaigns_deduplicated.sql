-- One row per ad-platform campaign with its latest name and its channel: names change, ids do not.
-- The channel goes through the configured channel_rules like any CRM touch, on the UTM source and
-- medium the platform and campaign type imply (macros/ad_campaign_touch.sql) and the campaign name
-- as utm_campaign; no matching rule = Other.
with latest_days as (
    -- Each campaign's latest day by aggregate, then that day's row: a distinct on over every
    -- campaign-day sorted them all (3.5M campaign-days: 6.2 s -> 3.9 s).
    select
        ad_platform,
        account_id,
        campaign_id,
        max(date_day) as date_day
    from {{ ref('int_ad_campaign_days_unioned') }}
    group by ad_platform, account_id, campaign_id
),

latest as (
    select distinct on (spend.ad_platform, spend.account_id, spend.campaign_id)
        spend.ad_platform || ':' || spend.account_id || ':' || spend.campaign_id as campaign_key,
        spend.ad_platform,
        spend.account_id,
        spend.campaign_id,
        spend.campaign_name,
        spend.campaign_type
    from {{ ref('int_ad_campaign_days_unioned') }} as spend
    inner join latest_days
        on spend.ad_platform = latest_days.ad_platform
        and spend.account_id = latest_days.account_id
        and spend.campaign_id = latest_days.campaign_id
        and spend.date_day = latest_days.date_day
    order by spend.ad_platform, spend.account_id, spend.campaign_id
),

touches as (
    -- The campaign as a touch of the CRM-record contract: only the fields an ad click implies.
    select
        campaign_key,
        null::text as email_domain,
        null::text as company_name,
        null::text as job_title,
        null::text as country,
        null::text as crm_source,
        null::numeric as crm_score,
        {{ ad_campaign_utm_source('ad_platform') }}::text as utm_source,
        {{ ad_campaign_utm_medium('ad_platform', 'campaign_type') }}::text as utm_medium,
        campaign_name as utm_campaign,
        null::text as click_id_type,
        null::text as lead_form,
        null::text as first_conversion_event
    from latest
),

channels as (
    {{ first_matching_channel_rule('touches', 'campaign_key') }}
),

final as (
    select
        latest.campaign_key,
        latest.ad_platform,
        latest.account_id,
        latest.campaign_id,
        latest.campaign_name,
        {{ normalize_campaign_name('latest.campaign_name') }} as campaign_name_normalized,
        latest.campaign_type,
        touches.utm_source,
        touches.utm_medium,
        coalesce(channels.channel, 'Other') as channel,
        channels.rule_order as channel_rule_order
    from latest
    inner join touches on latest.campaign_key = touches.campaign_key
    left join channels on latest.campaign_key = channels.campaign_key
)

select * from final
