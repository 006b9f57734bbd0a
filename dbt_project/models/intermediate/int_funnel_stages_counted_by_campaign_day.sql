-- The persons who reached each stage per campaign and day (report time zone), keyed like the rows
-- of fct_campaign_performance; persons attributed to no campaign are counted per day and channel.
-- fct_funnel_daily is these rows too: the persons' stages are counted once for both.
-- A whole table every night (~0.5M rows at 1M persons): any person's stages or campaign can
-- change, and fct_campaign_performance rewrites the rows whose counts differ from these.
with lead_funnel as (
    select
        lead_at,
        mql_at,
        sql_at,
        opportunity_at,
        customer_at,
        channel,
        campaign_key,
        is_paid,
        won_deal_count,
        revenue
    from {{ ref('fct_lead_funnel') }}
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
        lead_funnel.channel,
        lead_funnel.is_paid,
        stage.stage_name,
        lead_funnel.won_deal_count,
        lead_funnel.revenue
    from lead_funnel
    cross join settings
    {{ funnel_stages_reached('lead_funnel') }}
    where stage.reached_at is not null
)

select
    {{ campaign_performance_id('date_day', 'campaign_key', 'unattributed_channel') }} as campaign_performance_id,
    date_day,
    campaign_key,
    unattributed_channel,
    -- Functions of the campaign (its persons take its channel) or, without one, of the channel
    -- (int_persons_attributed): they do not split a row.
    min(channel) as channel,
    bool_or(is_paid) as is_paid,
    (count(*) filter (where stage_name = 'lead'))::bigint as leads,
    (count(*) filter (where stage_name = 'mql'))::bigint as mqls,
    (count(*) filter (where stage_name = 'sql'))::bigint as sqls,
    (count(*) filter (where stage_name = 'opportunity'))::bigint as opportunities,
    (count(*) filter (where stage_name = 'customer'))::bigint as customers,
    coalesce(sum(won_deal_count) filter (where stage_name = 'customer'), 0)::bigint as won_deals,
    coalesce(sum(revenue) filter (where stage_name = 'customer'), 0)::numeric(18, 2) as revenue
from stage_events
group by date_day, campaign_key, unattributed_channel
