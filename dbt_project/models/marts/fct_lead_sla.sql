-- One row per MQL: when sales first touched them (outbound call, e-mail or meeting at or after
-- mql_at), whether that was within the SLA, and the untouched backlog as of the as-of point.
-- Only MQLs known to a CRM whose sales activities are read: one known only to a CRM without them
-- (Salesforce: Tasks and Events are not extracted) would look never touched, a false breach.
with measured_persons as (
    select distinct person_id
    from {{ ref('int_crm_records_merged_to_persons') }}
    where crm in ({{ crms_reporting_activities() }})
),

lead_funnel as (
    select
        person_id,
        lead_at,
        mql_at,
        sql_at,
        opportunity_at,
        customer_at,
        disqualified_at,
        lost_at,
        first_sales_touch_at,
        channel,
        campaign_key,
        is_paid
    from {{ ref('fct_lead_funnel') }}
),

ad_spend as (
    select date_day from {{ ref('fct_ad_spend_daily') }}
),

settings as (
    select
        report_timezone,
        sla_hours
    from {{ ref('stg_definitions__settings') }}
),

as_of as (
    {{ kpi_as_of('lead_funnel', 'ad_spend', 'settings') }}
),

mqls as (
    select
        lead_funnel.person_id,
        lead_funnel.mql_at,
        (lead_funnel.mql_at at time zone settings.report_timezone)::date as mql_date,
        lead_funnel.first_sales_touch_at,
        extract(epoch from lead_funnel.first_sales_touch_at - lead_funnel.mql_at) / 3600 as hours_to_first_touch,
        extract(epoch from as_of.as_of_at - lead_funnel.mql_at) / 3600 as hours_since_mql,
        -- The person moved on from waiting for sales: qualified, disqualified or lost.
        least(lead_funnel.sql_at, lead_funnel.disqualified_at, lead_funnel.lost_at) as left_mql_stage_at,
        settings.sla_hours,
        lead_funnel.channel,
        lead_funnel.campaign_key,
        lead_funnel.is_paid,
        as_of.as_of_at
    from lead_funnel
    cross join settings
    cross join as_of
    where lead_funnel.mql_at is not null
        and lead_funnel.person_id in (select measured_persons.person_id from measured_persons)
),

final as (
    select
        person_id::text as person_id,
        mql_at::timestamptz as mql_at,
        mql_date::date as mql_date,
        first_sales_touch_at::timestamptz as first_sales_touch_at,
        round(hours_to_first_touch, 2)::numeric(12, 2) as hours_to_first_touch,
        sla_hours::numeric(12, 4) as sla_hours,
        -- Never touched is a breach: only a touch within sla_hours counts.
        coalesce(hours_to_first_touch <= sla_hours, false)::boolean as is_within_sla,
        (first_sales_touch_at is null)::boolean as is_untouched,
        -- Untouched but younger than the SLA at the as-of point: not (yet) a breach.
        (first_sales_touch_at is null and hours_since_mql < sla_hours)::boolean as is_sla_pending,
        (case when first_sales_touch_at is null then round(hours_since_mql, 2) end)::numeric(12, 2)
            as untouched_age_hours,
        left_mql_stage_at::timestamptz as left_mql_stage_at,
        (first_sales_touch_at is null and left_mql_stage_at is null)::boolean as is_in_backlog,
        channel::text as channel,
        campaign_key::text as campaign_key,
        is_paid::boolean as is_paid,
        as_of_at::timestamptz as as_of_at
    from mqls
)

select * from final
