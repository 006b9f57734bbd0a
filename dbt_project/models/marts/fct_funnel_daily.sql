-- Stage counts by the day (report time zone) each stage was reached, by channel and campaign;
-- revenue is the won revenue of the persons who became customers that day.
with funnel as (
    select
        person_id,
        lead_at,
        mql_at,
        sql_at,
        opportunity_at,
        customer_at,
        channel,
        campaign_key,
        is_paid,
        revenue
    from {{ ref('fct_lead_funnel') }}
),

settings as (
    select report_timezone from {{ ref('stg_definitions__settings') }}
),

stage_events as (
    select
        funnel.channel,
        funnel.campaign_key,
        funnel.is_paid,
        funnel.revenue,
        stage.stage_name,
        stage.reached_at
    from funnel
    {{ funnel_stages_reached('funnel') }}
    where stage.reached_at is not null
),

daily as (
    select
        (stage_events.reached_at at time zone settings.report_timezone)::date as date_day,
        stage_events.channel,
        stage_events.campaign_key,
        -- A function of channel and campaign (int_persons_attributed), so it does not split a row.
        bool_or(stage_events.is_paid) as is_paid,
        count(*) filter (where stage_events.stage_name = 'lead') as leads,
        count(*) filter (where stage_events.stage_name = 'mql') as mqls,
        count(*) filter (where stage_events.stage_name = 'sql') as sqls,
        count(*) filter (where stage_events.stage_name = 'opportunity') as opportunities,
        count(*) filter (where stage_events.stage_name = 'customer') as customers,
        coalesce(sum(stage_events.revenue) filter (where stage_events.stage_name = 'customer'), 0) as revenue
    from stage_events
    cross join settings
    group by 1, 2, 3
),

final as (
    select
        (date_day || ':' || channel || ':' || coalesce(campaign_key, '-'))::text as funnel_day_id,
        date_day::date as date_day,
        channel::text as channel,
        campaign_key::text as campaign_key,
        is_paid::boolean as is_paid,
        leads::bigint as leads,
        mqls::bigint as mqls,
        sqls::bigint as sqls,
        opportunities::bigint as opportunities,
        customers::bigint as customers,
        revenue::numeric(18, 2) as revenue
    from daily
)

select * from final
