{#- Every KPI of the report for every day, ISO week (Monday start) and calendar month from the
    first day with data to the as-of date, in long format, with its target and red/amber/green.
    vars (both default to everything; unit tests narrow them to keep fixtures readable):
      kpi_period_types: subset of ['day', 'week', 'month']
      kpi_period_kpis: subset of the KPI names below, or none for all -#}
{%- set period_types = var('kpi_period_types', ['day', 'week', 'month']) -%}
{%- set kpi_filter = var('kpi_period_kpis', none) -%}

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
        is_paid,
        won_deal_count,
        revenue
    from {{ ref('fct_lead_funnel') }}
),

-- One row per day: every period joins its days to it, and the campaign-day rows would otherwise be
-- joined once per period type. Summed from the campaign-days, a third of the ad-group rows of
-- fct_ad_spend_daily (10M at three years of a large account: the model 11 s -> 7 s).
ad_spend as (
    select
        date_day,
        sum(spend) as spend,
        sum(impressions) as impressions,
        sum(clicks) as clicks
    from {{ ref('int_ad_spend_summed_by_campaign_day') }}
    group by date_day
),

lead_sla as (
    select
        person_id,
        mql_at,
        mql_date,
        first_sales_touch_at,
        is_within_sla,
        is_sla_pending,
        left_mql_stage_at
    from {{ ref('fct_lead_sla') }}
),

settings as (
    select
        report_timezone,
        stuck_after_days,
        typical_sales_cycle_days,
        sales_cost_per_month,
        ltv_purchase_frequency_per_year,
        ltv_customer_lifetime_years,
        ltv_min_history_days
    from {{ ref('stg_definitions__settings') }}
),

kpi_targets as (
    select
        kpi,
        target_low,
        target_high,
        higher_is_better
    from {{ ref('stg_definitions__kpi_targets') }}
),

as_of as (
    {{ kpi_as_of('lead_funnel', 'ad_spend', 'settings') }}
),

persons as (
    select
        lead_funnel.*,
        (lead_funnel.lead_at at time zone settings.report_timezone)::date as lead_date,
        (lead_funnel.mql_at at time zone settings.report_timezone)::date as mql_date,
        (lead_funnel.sql_at at time zone settings.report_timezone)::date as sql_date,
        (lead_funnel.opportunity_at at time zone settings.report_timezone)::date as opportunity_date,
        (lead_funnel.customer_at at time zone settings.report_timezone)::date as customer_date
    from lead_funnel
    cross join settings
),

-- Every day from the first day with data (a lead or ad spend) to the as-of date, with its share of
-- the monthly sales cost (sales_cost_per_month / days in that month).
days as (
    select
        spine.date_day::date as date_day,
        settings.sales_cost_per_month
        / extract(day from date_trunc('month', spine.date_day) + interval '1 month' - interval '1 day')
            as sales_cost
    from as_of
    cross join settings
    cross join lateral generate_series(
        least((select min(persons.lead_date) from persons), (select min(ad_spend.date_day) from ad_spend)),
        as_of.as_of_date,
        interval '1 day'
    ) as spine (date_day)
),

-- Each day belongs to one period of each type.
period_days as (
    {%- for period_type in period_types %}
    {%- if not loop.first %}
    union all
    {%- endif %}
    select
        '{{ period_type }}' as period_type,
        {%- if period_type == 'day' %}
        date_day as period_start,
        date_day as period_end,
        {%- elif period_type == 'week' %}
        date_trunc('week', date_day)::date as period_start,
        (date_trunc('week', date_day) + interval '6 days')::date as period_end,
        {%- elif period_type == 'month' %}
        date_trunc('month', date_day)::date as period_start,
        (date_trunc('month', date_day) + interval '1 month' - interval '1 day')::date as period_end,
        {%- else %}
        {{ exceptions.raise_compiler_error("kpi_period_types: unknown period type " ~ period_type) }}
        {%- endif %}
        date_day,
        sales_cost
    from days
    {%- endfor %}
),

periods as (
    select
        period_days.period_type,
        period_days.period_start,
        period_days.period_end,
        min(period_days.date_day) as covered_start,
        max(period_days.date_day) as covered_end,
        -- The end of the period's last covered day: the backlog is counted then.
        ((max(period_days.date_day) + 1)::timestamp at time zone settings.report_timezone) as covered_end_at,
        sum(period_days.sales_cost) as sales_cost
    from period_days
    cross join settings
    group by period_days.period_type, period_days.period_start, period_days.period_end, settings.report_timezone
),

period_spend as (
    select
        period_days.period_type,
        period_days.period_start,
        sum(ad_spend.spend) as spend,
        sum(ad_spend.impressions) as impressions,
        sum(ad_spend.clicks) as clicks
    from period_days
    inner join ad_spend on period_days.date_day = ad_spend.date_day
    group by 1, 2
),

-- Flows count each stage on the day it was reached. The stage rates are cohort rates of the
-- stage entered in the period: of the persons who reached stage X in P, the share that has
-- reached stage Y by the as-of date (each person counted once, never above 100 %).
period_leads as (
    {{ kpi_counted_per_period('period_days', 'persons', 'lead_date', [
        ('leads', 'count(*)'),
        ('paid_leads', 'count(*) filter (where is_paid)'),
        ('lead_cohort_mqls', 'count(mql_at)'),
    ]) }}
),

period_mqls as (
    {{ kpi_counted_per_period('period_days', 'persons', 'mql_date', [('mqls', 'count(*)'), ('mql_cohort_sqls', 'count(sql_at)')]) }}
),

period_sqls as (
    {{ kpi_counted_per_period('period_days', 'persons', 'sql_date', [
        ('sqls', 'count(*)'),
        ('sql_cohort_opportunities', 'count(opportunity_at)'),
        ('sql_cohort_customers', 'count(customer_at)'),
    ]) }}
),

period_opportunities as (
    {{ kpi_counted_per_period('period_days', 'persons', 'opportunity_date', [
        ('opportunities', 'count(*)'),
        ('opportunity_cohort_customers', 'count(customer_at)'),
    ]) }}
),

period_customers as (
    select
        period_days.period_type,
        period_days.period_start,
        count(*) as customers,
        sum(persons.won_deal_count) as won_deals,
        sum(persons.revenue) as revenue,
        coalesce(sum(persons.revenue) filter (where persons.is_paid), 0) as paid_revenue,
        percentile_cont(0.5) within group (
            order by extract(epoch from persons.customer_at - persons.lead_at) / 86400
        ) as sales_cycle_days
    from period_days
    inner join persons on period_days.date_day = persons.customer_date
    group by 1, 2
),

period_sla as (
    select
        period_days.period_type,
        period_days.period_start,
        -- MQLs still inside their SLA window at the as-of point are neither met nor breached yet.
        count(*) filter (where not lead_sla.is_sla_pending) as sla_mqls,
        count(*) filter (where lead_sla.is_within_sla) as sla_within,
        percentile_cont(0.5) within group (
            order by extract(epoch from lead_sla.first_sales_touch_at - lead_sla.mql_at) / 3600
        ) as sla_median_hours
    from period_days
    inner join lead_sla on period_days.date_day = lead_sla.mql_date
    group by 1, 2
),

-- The untouched backlog at the end of the period T: MQLs waiting for a first sales touch, neither
-- touched, qualified, disqualified nor lost by then. An MQL is in it while mql_at < T <= its end (the earlier of touch and leaving,
-- never before mql_at; no end: still in it), so the backlog at T = MQLs begun before T - MQLs ended
-- before T: a running sum over a timeline of +1 at each start, -1 at each end, and each period's
-- end as a marker sorted before the events at the same instant. (Joining every period to every
-- MQL was a nested loop: 1,283 periods x 1M people took a minute.)
backlog_timeline as (
    select
        mql_at as at,
        1 as sort_after_markers,
        1 as delta,
        null::text as period_type,
        null::date as period_start
    from lead_sla
    where mql_at is not null

    union all

    select
        greatest(least(first_sales_touch_at, left_mql_stage_at), mql_at) as at,
        1 as sort_after_markers,
        -1 as delta,
        null::text as period_type,
        null::date as period_start
    from lead_sla
    where mql_at is not null
        and coalesce(first_sales_touch_at, left_mql_stage_at) is not null

    union all

    select
        covered_end_at as at,
        0 as sort_after_markers,
        0 as delta,
        period_type,
        period_start
    from periods
),

backlog_running as (
    select
        period_type,
        period_start,
        sum(delta) over (order by at, sort_after_markers rows between unbounded preceding and current row)
            as untouched_mqls
    from backlog_timeline
),

period_backlog as (
    select
        period_type,
        period_start,
        untouched_mqls
    from backlog_running
    where period_type is not null
),

-- LTV's purchase frequency and customer lifetime: from settings while the customer history (days
-- from the first customer to the as-of date) is shorter than ltv_min_history_days; from history
-- afterwards, over the customers won at least 365 days before the as-of point (a full year seen):
--   frequency per year = their won deals / their customer-years (years from customer_at to as_of_at)
--   lifetime in years  = their customer-years / their number (mean tenure observed so far; a lower
--                        bound, since the data shows no churn)
-- so frequency x lifetime = won deals per such customer.
customer_history as (
    select
        as_of.as_of_date - min(persons.customer_date) as history_days,
        count(*) filter (
            where persons.customer_at <= as_of.as_of_at - interval '365 days'
        ) as seasoned_customers,
        sum(persons.won_deal_count) filter (
            where persons.customer_at <= as_of.as_of_at - interval '365 days'
        ) as seasoned_won_deals,
        sum(extract(epoch from as_of.as_of_at - persons.customer_at) / (365.25 * 86400)) filter (
            where persons.customer_at <= as_of.as_of_at - interval '365 days'
        ) as seasoned_customer_years
    from persons
    cross join as_of
    where persons.customer_at is not null
    group by as_of.as_of_date
),

ltv_inputs as (
    select
        case
            when customer_history.history_days >= settings.ltv_min_history_days
                and customer_history.seasoned_customers > 0
                then 'history'
            else 'settings'
        end as ltv_basis,
        customer_history.history_days,
        customer_history.seasoned_customers,
        customer_history.seasoned_won_deals,
        customer_history.seasoned_customer_years,
        settings.ltv_purchase_frequency_per_year,
        settings.ltv_customer_lifetime_years,
        settings.ltv_min_history_days
    from settings
    left join customer_history on true
),

ltv_parameters as (
    select
        ltv_basis,
        case
            when ltv_basis = 'history' then seasoned_won_deals / seasoned_customer_years
            else ltv_purchase_frequency_per_year
        end as purchase_frequency_per_year,
        case
            when ltv_basis = 'history' then seasoned_customer_years / seasoned_customers
            else ltv_customer_lifetime_years
        end as customer_lifetime_years,
        history_days,
        ltv_min_history_days
    from ltv_inputs
),

measures as (
    select
        periods.period_type,
        periods.period_start,
        periods.period_end,
        (periods.covered_start = periods.period_start and periods.covered_end = periods.period_end) as is_complete,
        periods.sales_cost,
        coalesce(period_spend.spend, 0) as spend,
        coalesce(period_spend.impressions, 0) as impressions,
        coalesce(period_spend.clicks, 0) as clicks,
        coalesce(period_leads.leads, 0) as leads,
        coalesce(period_leads.paid_leads, 0) as paid_leads,
        coalesce(period_leads.lead_cohort_mqls, 0) as lead_cohort_mqls,
        coalesce(period_mqls.mqls, 0) as mqls,
        coalesce(period_mqls.mql_cohort_sqls, 0) as mql_cohort_sqls,
        coalesce(period_sqls.sqls, 0) as sqls,
        coalesce(period_sqls.sql_cohort_opportunities, 0) as sql_cohort_opportunities,
        coalesce(period_sqls.sql_cohort_customers, 0) as sql_cohort_customers,
        coalesce(period_opportunities.opportunities, 0) as opportunities,
        coalesce(period_opportunities.opportunity_cohort_customers, 0) as opportunity_cohort_customers,
        coalesce(period_customers.customers, 0) as customers,
        coalesce(period_customers.won_deals, 0) as won_deals,
        coalesce(period_customers.revenue, 0) as revenue,
        coalesce(period_customers.paid_revenue, 0) as paid_revenue,
        period_customers.sales_cycle_days,
        coalesce(period_sla.sla_mqls, 0) as sla_mqls,
        coalesce(period_sla.sla_within, 0) as sla_within,
        period_sla.sla_median_hours,
        coalesce(period_backlog.untouched_mqls, 0) as untouched_mqls,
        -- Stage-cohort rates are provisional until the cohort had time to move on: one stage step
        -- takes up to stuck_after_days (after that a person counts as stuck), SQL -> customer a
        -- typical sales cycle.
        periods.period_end + settings.stuck_after_days > as_of.as_of_date as is_step_provisional,
        periods.period_end + settings.typical_sales_cycle_days > as_of.as_of_date as is_cycle_provisional,
        ltv_parameters.ltv_basis,
        ltv_parameters.purchase_frequency_per_year,
        ltv_parameters.customer_lifetime_years,
        ltv_parameters.history_days,
        ltv_parameters.ltv_min_history_days,
        as_of.as_of_date
    from periods
    cross join settings
    cross join as_of
    cross join ltv_parameters
    left join period_spend using (period_type, period_start)
    left join period_leads using (period_type, period_start)
    left join period_mqls using (period_type, period_start)
    left join period_sqls using (period_type, period_start)
    left join period_opportunities using (period_type, period_start)
    left join period_customers using (period_type, period_start)
    left join period_sla using (period_type, period_start)
    left join period_backlog using (period_type, period_start)
),

kpis as (
    select
        measures.*,
        {{ kpi_divide('revenue', 'won_deals') }} as average_deal_size,
        {{ kpi_divide('spend + sales_cost', 'customers') }} as cac
    from measures
),

ltv as (
    select
        kpis.*,
        average_deal_size * purchase_frequency_per_year * customer_lifetime_years - cac as ltv
    from kpis
),

long as (
    select
        ltv.period_type,
        ltv.period_start,
        ltv.period_end,
        ltv.is_complete,
        ltv.as_of_date,
        kpi.kpi_order,
        kpi.kpi,
        kpi.unit,
        kpi.value,
        kpi.is_provisional,
        kpi.basis
    from ltv
    cross join lateral (
        values
            (1, 'spend', 'currency', spend, false, null),
            (2, 'impressions', 'count', impressions::numeric, false, null),
            (3, 'clicks', 'count', clicks::numeric, false, null),
            (4, 'ctr', 'ratio', {{ kpi_divide('clicks', 'impressions') }}, false, null),
            (5, 'leads', 'count', leads::numeric, false, null),
            (6, 'mqls', 'count', mqls::numeric, false, null),
            (7, 'sqls', 'count', sqls::numeric, false, null),
            (8, 'opportunities', 'count', opportunities::numeric, false, null),
            (9, 'customers', 'count', customers::numeric, false, null),
            (10, 'cpl', 'currency', {{ kpi_divide('spend', 'paid_leads') }}, false, null),
            (11, 'cost_per_mql', 'currency', {{ kpi_divide('spend', 'mqls') }}, false, null),
            (12, 'lead_to_mql_rate', 'ratio', {{ kpi_divide('lead_cohort_mqls', 'leads') }}, is_step_provisional, null),
            (13, 'mql_to_sql_rate', 'ratio', {{ kpi_divide('mql_cohort_sqls', 'mqls') }}, is_step_provisional, null),
            (
                14, 'sql_to_opportunity_rate', 'ratio', {{ kpi_divide('sql_cohort_opportunities', 'sqls') }},
                is_step_provisional, null
            ),
            (
                15, 'opportunity_to_customer_rate', 'ratio',
                {{ kpi_divide('opportunity_cohort_customers', 'opportunities') }}, is_step_provisional, null
            ),
            (
                16, 'sql_to_customer_rate', 'ratio', {{ kpi_divide('sql_cohort_customers', 'sqls') }},
                is_cycle_provisional, null
            ),
            (17, 'revenue', 'currency', revenue, false, null),
            (18, 'won_deals', 'count', won_deals::numeric, false, null),
            (19, 'average_deal_size', 'currency', average_deal_size, false, null),
            (20, 'sales_cycle_days', 'days', sales_cycle_days::numeric, false, null),
            (21, 'romi_percent', 'percent', {{ kpi_divide('(paid_revenue - spend) * 100', 'spend') }}, false, null),
            (22, 'cac', 'currency', cac, false, null),
            (
                23, 'ltv', 'currency', ltv, false,
                ltv_basis || ': ' || round(purchase_frequency_per_year, 2) || ' purchases/year x '
                || round(customer_lifetime_years, 2) || ' years'
            ),
            (
                24, 'ltv_to_cac', 'ratio', {{ kpi_divide('ltv', 'cac') }}, false,
                ltv_basis || ': ' || round(purchase_frequency_per_year, 2) || ' purchases/year x '
                || round(customer_lifetime_years, 2) || ' years'
            ),
            (25, 'sla_within_share', 'ratio', {{ kpi_divide('sla_within', 'sla_mqls') }}, false, null),
            (26, 'sla_median_hours', 'hours', sla_median_hours::numeric, false, null),
            (27, 'untouched_mqls', 'count', untouched_mqls::numeric, false, null)
    ) as kpi (kpi_order, kpi, unit, value, is_provisional, basis)
    {%- if kpi_filter is not none %}
    where kpi.kpi in ({% for k in kpi_filter %}'{{ k }}'{% if not loop.last %}, {% endif %}{% endfor %})
    {%- endif %}
),

targets as (
    select
        kpi,
        target_low,
        target_high,
        higher_is_better
    from kpi_targets
),

final as (
    select
        (long.period_type || ':' || long.period_start || ':' || long.kpi)::text as kpi_period_id,
        long.period_type::text as period_type,
        long.period_start::date as period_start,
        long.period_end::date as period_end,
        long.is_complete::boolean as is_complete,
        long.kpi_order::int as kpi_order,
        long.kpi::text as kpi,
        long.unit::text as unit,
        round(long.value, 6)::numeric(20, 6) as value,
        targets.target_low::numeric(20, 6) as target_low,
        targets.target_high::numeric(20, 6) as target_high,
        targets.higher_is_better::boolean as higher_is_better,
        (case
            -- A provisional cohort rate is still filling: not judged, so not shown as a drop.
            when long.is_provisional then 'n/a'
            else {{ kpi_status('long.value', 'targets.target_low', 'targets.target_high', 'targets.higher_is_better') }}
        end)::text as status,
        long.is_provisional::boolean as is_provisional,
        long.basis::text as basis,
        long.as_of_date::date as as_of_date
    from long
    left join targets on long.kpi = targets.kpi
)

select * from final
