-- Spend and funnel per campaign and day, for the report's channel and campaign table.
-- Additive measures: ad spend, impressions, clicks, platform conversions by the platform's day
-- (fct_ad_spend_daily); leads .. customers and revenue by the report-time-zone day each stage was
-- reached, of the persons attributed to the campaign (fct_lead_funnel.campaign_key). Persons with no
-- campaign get one row per day and channel (campaign_key null), so every lead is in exactly one row.
-- The ratios are of the row itself: for a period, recompute them from the summed measures.
with lead_funnel as (
    select
        person_id,
        lead_at,
        mql_at,
        sql_at,
        opportunity_at,
        customer_at,
        channel,
        campaign_key,
        won_deal_count,
        revenue
    from {{ ref('fct_lead_funnel') }}
),

ad_spend as (
    select
        date_day,
        campaign_key,
        channel,
        spend,
        impressions,
        clicks,
        platform_conversions
    from {{ ref('fct_ad_spend_daily') }}
),

campaigns as (
    select
        campaign_key,
        campaign_name,
        ad_platform,
        channel
    from {{ ref('dim_campaigns') }}
),

settings as (
    select report_timezone from {{ ref('stg_definitions__settings') }}
),

stage_events as (
    select
        (stage.reached_at at time zone settings.report_timezone)::date as date_day,
        lead_funnel.campaign_key,
        -- A campaign's rows take the campaign's channel; only unattributed persons group by their own.
        case when lead_funnel.campaign_key is null then lead_funnel.channel end as unattributed_channel,
        stage.stage_name,
        lead_funnel.won_deal_count,
        lead_funnel.revenue
    from lead_funnel
    cross join settings
    cross join lateral (
        values
            ('lead', lead_funnel.lead_at),
            ('mql', lead_funnel.mql_at),
            ('sql', lead_funnel.sql_at),
            ('opportunity', lead_funnel.opportunity_at),
            ('customer', lead_funnel.customer_at)
    ) as stage (stage_name, reached_at)
    where stage.reached_at is not null
),

funnel_measures as (
    select
        date_day,
        campaign_key,
        unattributed_channel,
        0::numeric as spend,
        0::bigint as impressions,
        0::bigint as clicks,
        0::numeric as platform_conversions,
        count(*) filter (where stage_name = 'lead') as leads,
        count(*) filter (where stage_name = 'mql') as mqls,
        count(*) filter (where stage_name = 'sql') as sqls,
        count(*) filter (where stage_name = 'opportunity') as opportunities,
        count(*) filter (where stage_name = 'customer') as customers,
        coalesce(sum(won_deal_count) filter (where stage_name = 'customer'), 0) as won_deals,
        coalesce(sum(revenue) filter (where stage_name = 'customer'), 0) as revenue
    from stage_events
    group by 1, 2, 3
),

spend_measures as (
    select
        date_day,
        campaign_key,
        case when campaign_key is null then channel end as unattributed_channel,
        coalesce(sum(spend), 0) as spend,
        coalesce(sum(impressions), 0) as impressions,
        coalesce(sum(clicks), 0) as clicks,
        coalesce(sum(platform_conversions), 0) as platform_conversions,
        0 as leads,
        0 as mqls,
        0 as sqls,
        0 as opportunities,
        0 as customers,
        0 as won_deals,
        0 as revenue
    from ad_spend
    group by 1, 2, 3
),

combined as (
    select
        date_day,
        campaign_key,
        unattributed_channel,
        sum(spend) as spend,
        sum(impressions) as impressions,
        sum(clicks) as clicks,
        sum(platform_conversions) as platform_conversions,
        sum(leads) as leads,
        sum(mqls) as mqls,
        sum(sqls) as sqls,
        sum(opportunities) as opportunities,
        sum(customers) as customers,
        sum(won_deals) as won_deals,
        sum(revenue) as revenue
    from (
        select * from funnel_measures
        union all
        select * from spend_measures
    ) as measures
    group by 1, 2, 3
),

final as (
    select
        (
            combined.date_day || ':'
            || coalesce(combined.campaign_key, '(none):' || coalesce(combined.unattributed_channel, '(none)'))
        )::text as campaign_performance_id,
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

select * from final
