-- Spend and funnel per campaign and day, for the report's channel and campaign table.
-- Additive measures: ad spend, impressions, clicks, platform conversions by the platform's day
-- (fct_ad_spend_daily, summed per campaign in int_ad_spend_summed_by_campaign_day); leads ..
-- customers and revenue by the report-time-zone day each stage was reached, of the persons
-- attributed to the campaign (int_funnel_stages_counted_by_campaign_day). Persons with no campaign
-- get one row per day and channel (campaign_key null), so every lead is in exactly one row.
-- The ratios are of the row itself: for a period, recompute them from the summed measures.
-- Incremental (macros/restated_days.sql): each build rewrites the days ad spend was restated on,
-- and on earlier days the rows whose funnel counts changed (a person's stage, campaign or deal can
-- change on any day); campaign names and channels on the days before follow dim_campaigns.
{{ config(
    materialized='incremental',
    incremental_strategy='restated_days',
    unique_key='campaign_performance_id',
    restated_days_sources=enabled_ad_platforms() + ['fx_rates'],
    restated_days_settings=['currency'],
    on_schema_change='fail',
    indexes=[{'columns': ['date_day']}],
    post_hook=[
        "{{ refresh_campaign_attributes() }}",
        "{{ delete_campaign_days_gone() }}",
        "{{ record_restated_days() }}",
    ],
) }}

-- Not materialized: each is read more than once, and the restated days should reach the tables' date index.
with spend as not materialized (
    select
        campaign_performance_id,
        date_day,
        campaign_key,
        spend,
        impressions,
        clicks,
        platform_conversions
    from {{ ref('int_ad_spend_summed_by_campaign_day') }}
),

funnel as not materialized (
    select
        campaign_performance_id,
        date_day,
        campaign_key,
        unattributed_channel,
        {{ campaign_day_funnel_columns() }}
    from {{ ref('int_funnel_stages_counted_by_campaign_day') }}
),
{%- if is_incremental() %}

built_funnel as (
    select campaign_performance_id, {{ campaign_day_funnel_columns() }}
    from {{ this }} as built
    where {{ campaign_day_has_funnel('built') }}
),

funnel_changed as (
    -- Rows whose funnel counts differ from the ones built before: new, changed or gone.
    select coalesce(funnel.campaign_performance_id, built_funnel.campaign_performance_id) as campaign_performance_id
    from funnel
    full outer join built_funnel on funnel.campaign_performance_id = built_funnel.campaign_performance_id
    where ({{ campaign_day_funnel_columns('funnel') }})
        is distinct from ({{ campaign_day_funnel_columns('built_funnel') }})
),
{%- endif %}

restated_spend as (
    select * from spend
    {%- if is_incremental() %}
    where date_day >= {{ restated_days_from() }}

    union all

    -- Not one select with OR: an OR keeps Postgres from joining to funnel_changed.
    select * from spend
    where date_day < {{ restated_days_from() }}
        and campaign_performance_id in (select campaign_performance_id from funnel_changed)
    {%- endif %}
),

restated_funnel as (
    select * from funnel
    {%- if is_incremental() %}
    where date_day >= {{ restated_days_from() }}

    union all

    select * from funnel
    where date_day < {{ restated_days_from() }}
        and campaign_performance_id in (select campaign_performance_id from funnel_changed)
    {%- endif %}
),

campaigns as (
    select
        campaign_key,
        campaign_name,
        ad_platform,
        channel
    from {{ ref('dim_campaigns') }}
),

combined as (
    select
        coalesce(spend.campaign_performance_id, funnel.campaign_performance_id) as campaign_performance_id,
        coalesce(spend.date_day, funnel.date_day) as date_day,
        coalesce(spend.campaign_key, funnel.campaign_key) as campaign_key,
        funnel.unattributed_channel,
        coalesce(spend.spend, 0) as spend,
        coalesce(spend.impressions, 0) as impressions,
        coalesce(spend.clicks, 0) as clicks,
        coalesce(spend.platform_conversions, 0) as platform_conversions,
        coalesce(funnel.leads, 0) as leads,
        coalesce(funnel.mqls, 0) as mqls,
        coalesce(funnel.sqls, 0) as sqls,
        coalesce(funnel.opportunities, 0) as opportunities,
        coalesce(funnel.customers, 0) as customers,
        coalesce(funnel.won_deals, 0) as won_deals,
        coalesce(funnel.revenue, 0) as revenue
    from restated_spend as spend
    full outer join restated_funnel as funnel on spend.campaign_performance_id = funnel.campaign_performance_id
),

final as (
    select
        combined.campaign_performance_id,
        combined.date_day::date as date_day,
        combined.campaign_key::text as campaign_key,
        campaigns.campaign_name::text as campaign_name,
        campaigns.ad_platform::text as ad_platform,
        coalesce(campaigns.channel, combined.unattributed_channel)::text as channel,
        combined.spend::numeric(18, 6) as spend,
        combined.impressions::bigint as impressions,
        combined.clicks::bigint as clicks,
        combined.platform_conversions::numeric(18, 4) as platform_conversions,
        combined.leads::bigint as leads,
        combined.mqls::bigint as mqls,
        combined.sqls::bigint as sqls,
        combined.opportunities::bigint as opportunities,
        combined.customers::bigint as customers,
        combined.won_deals::bigint as won_deals,
        combined.revenue::numeric(18, 2) as revenue,
        {{ kpi_divide('combined.clicks', 'combined.impressions') }}::numeric(12, 6) as ctr,
        -- Money ratios only where the row is a campaign: unattributed persons have no spend to divide.
        (case when combined.campaign_key is not null then {{ kpi_divide('combined.spend', 'combined.leads') }} end)
            ::numeric(18, 6) as cpl,
        (case when combined.campaign_key is not null then {{ kpi_divide('combined.spend', 'combined.mqls') }} end)
            ::numeric(18, 6) as cost_per_mql,
        {{ kpi_divide('(combined.revenue - combined.spend) * 100', 'combined.spend') }}::numeric(18, 4)
            as romi_percent,
        (case when combined.campaign_key is not null then {{ kpi_divide('combined.spend', 'combined.customers') }} end)
            ::numeric(18, 6) as cac
    from combined
    left join campaigns on combined.campaign_key = campaigns.campaign_key
)

-- In day order, like fct_ad_spend_daily (which says why).
select * from final
order by date_day
