-- Stage conversion by lead cohort (month of lead_at, report time zone) and channel: of the persons
-- who became leads that month, how many have reached each later stage by the as-of date.
-- Cohorts younger than the typical sales cycle are provisional: their later stages are still filling.
with lead_funnel as (
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
        revenue
    from {{ ref('fct_lead_funnel') }}
),

ad_spend as (
    select date_day from {{ ref('fct_ad_spend_daily') }}
),

settings as (
    select
        report_timezone,
        typical_sales_cycle_days
    from {{ ref('stg_definitions__settings') }}
),

as_of as (
    {{ kpi_as_of('lead_funnel', 'ad_spend', 'settings') }}
),

cohorts as (
    select
        date_trunc('month', lead_funnel.lead_at at time zone settings.report_timezone)::date as cohort_month,
        lead_funnel.channel,
        count(*) as leads,
        count(lead_funnel.mql_at) as mqls,
        count(lead_funnel.sql_at) as sqls,
        count(lead_funnel.opportunity_at) as opportunities,
        count(lead_funnel.customer_at) as customers,
        coalesce(sum(lead_funnel.revenue) filter (where lead_funnel.customer_at is not null), 0) as revenue
    from lead_funnel
    cross join settings
    group by 1, 2
),

final as (
    select
        (to_char(cohorts.cohort_month, 'YYYY-MM') || ':' || coalesce(cohorts.channel, '(none)'))::text
            as cohort_conversion_id,
        cohorts.cohort_month::date as cohort_month,
        (cohorts.cohort_month + interval '1 month' - interval '1 day')::date as cohort_month_end,
        cohorts.channel::text as channel,
        cohorts.leads::bigint as leads,
        cohorts.mqls::bigint as mqls,
        cohorts.sqls::bigint as sqls,
        cohorts.opportunities::bigint as opportunities,
        cohorts.customers::bigint as customers,
        cohorts.revenue::numeric(18, 2) as revenue,
        {{ kpi_divide('cohorts.mqls', 'cohorts.leads') }}::numeric(12, 6) as lead_to_mql_rate,
        {{ kpi_divide('cohorts.sqls', 'cohorts.mqls') }}::numeric(12, 6) as mql_to_sql_rate,
        {{ kpi_divide('cohorts.opportunities', 'cohorts.sqls') }}::numeric(12, 6) as sql_to_opportunity_rate,
        {{ kpi_divide('cohorts.customers', 'cohorts.opportunities') }}::numeric(12, 6)
            as opportunity_to_customer_rate,
        {{ kpi_divide('cohorts.customers', 'cohorts.leads') }}::numeric(12, 6) as lead_to_customer_rate,
        -- A cohort is mature once its last lead has had a full typical sales cycle by the as-of date.
        (
            (cohorts.cohort_month + interval '1 month' - interval '1 day')::date
            + settings.typical_sales_cycle_days > as_of.as_of_date
        )::boolean as is_provisional,
        as_of.as_of_date::date as as_of_date
    from cohorts
    cross join settings
    cross join as_of
)

select * from final
