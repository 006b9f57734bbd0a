-- Ad spend per campaign and day (fct_ad_spend_daily summed over its ad groups), keyed like the
-- campaign rows of fct_campaign_performance. Incremental on the same restated days as
-- fct_ad_spend_daily (macros/restated_days.sql), so fct_campaign_performance reads the days that
-- changed instead of summing every ad-group row again (10M rows: 19 s a night).
{{ config(
    materialized='incremental',
    incremental_strategy='restated_days',
    restated_days_sources=enabled_ad_platforms() + ['fx_rates'],
    restated_days_settings=['currency'],
    on_schema_change='fail',
    indexes=[{'columns': ['date_day', 'campaign_key']}],
    post_hook=["{{ record_restated_days() }}"],
) }}

select
    {{ campaign_performance_id('date_day', 'campaign_key') }} as campaign_performance_id,
    date_day,
    campaign_key,
    sum(spend)::numeric(18, 6) as spend,
    sum(impressions)::bigint as impressions,
    sum(clicks)::bigint as clicks,
    sum(platform_conversions)::numeric(18, 4) as platform_conversions
from {{ ref('fct_ad_spend_daily') }}
{%- if is_incremental() %}
where date_day >= {{ restated_days_from() }}
{%- endif %}
group by date_day, campaign_key
-- In day order, like fct_ad_spend_daily (which says why).
order by date_day
