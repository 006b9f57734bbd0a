-- Where the funnel leaks: persons who left it (disqualified by sales, deal lost) with the reason
-- sales gave, and persons stuck in their stage (no progress for stuck_after_days as of the as-of
-- date), per stage, campaign, channel and the day they leaked. Every person counts at most once.
with lead_funnel as (
    select
        person_id,
        lead_at,
        mql_at,
        sql_at,
        opportunity_at,
        customer_at,
        disqualified_at,
        disqualification_reason,
        lost_at,
        lost_reason,
        current_stage,
        first_sales_touch_at,
        last_progress_at,
        channel,
        campaign_key
    from {{ ref('fct_lead_funnel') }}
),

ad_spend as (
    select date_day from {{ ref('fct_ad_spend_daily') }}
),

settings as (
    select
        report_timezone,
        stuck_after_days
    from {{ ref('stg_definitions__settings') }}
),

as_of as (
    {{ kpi_as_of('lead_funnel', 'ad_spend', 'settings') }}
),

persons as (
    select
        lead_funnel.*,
        -- The last funnel stage the person reached before leaving it.
        case
            when lead_funnel.opportunity_at is not null then 'opportunity'
            when lead_funnel.sql_at is not null then 'sql'
            when lead_funnel.mql_at is not null then 'mql'
            else 'lead'
        end as stage_reached,
        (
            coalesce(
                lead_funnel.last_progress_at,
                greatest(
                    lead_funnel.lead_at, lead_funnel.mql_at, lead_funnel.sql_at, lead_funnel.opportunity_at,
                    lead_funnel.customer_at, lead_funnel.disqualified_at, lead_funnel.lost_at
                )
            ) at time zone settings.report_timezone
        )::date as last_progress_date,
        settings.report_timezone,
        settings.stuck_after_days,
        as_of.as_of_date
    from lead_funnel
    cross join settings
    cross join as_of
),

left_funnel as (
    select
        person_id,
        stage_reached as stage,
        channel,
        campaign_key,
        'disqualified' as leakage_type,
        coalesce(nullif(trim(disqualification_reason), ''), 'unspecified') as reason,
        (coalesce(disqualified_at, last_progress_at) at time zone report_timezone)::date as leakage_date
    from persons
    where current_stage = 'disqualified'

    union all

    select
        person_id,
        stage_reached as stage,
        channel,
        campaign_key,
        'lost' as leakage_type,
        coalesce(nullif(trim(lost_reason), ''), 'unspecified') as reason,
        (coalesce(lost_at, last_progress_at) at time zone report_timezone)::date as leakage_date
    from persons
    where current_stage = 'lost'
),

stuck as (
    -- Still open in a stage and no progress on or after as_of_date - stuck_after_days; counted on
    -- the first day they were stuck.
    select
        person_id,
        current_stage as stage,
        channel,
        campaign_key,
        'stuck' as leakage_type,
        'stuck' as reason,
        (last_progress_date + stuck_after_days)::date as leakage_date
    from persons
    where current_stage in ('lead', 'mql', 'sql', 'opportunity')
        and last_progress_date + stuck_after_days <= as_of_date
),

leaked as (
    select
        leakage_date,
        stage,
        channel,
        campaign_key,
        leakage_type,
        reason,
        count(*) as persons
    from (
        select * from left_funnel
        union all
        select * from stuck
    ) as leaked_persons
    group by 1, 2, 3, 4, 5, 6
),

final as (
    select
        md5(json_build_array(leakage_date, stage, channel, campaign_key, leakage_type, reason)::text)::text
            as leakage_id,
        leakage_date::date as leakage_date,
        stage::text as stage,
        (case stage when 'lead' then 1 when 'mql' then 2 when 'sql' then 3 when 'opportunity' then 4 end)::int
            as stage_order,
        channel::text as channel,
        campaign_key::text as campaign_key,
        coalesce(campaign_key, '(none)')::text as campaign_key_or_none,
        leakage_type::text as leakage_type,
        reason::text as reason,
        persons::bigint as persons
    from leaked
)

select * from final
