{#- Helpers of the KPI marts (fct_cohort_conversion, fct_campaign_performance, fct_lead_sla,
    fct_leakage, fct_kpi_period). -#}

{#- numerator / denominator as numeric; null when the denominator is 0 or null (a rate of nothing
    is unknown, not zero). -#}
{% macro kpi_divide(numerator, denominator) -%}
    (({{ numerator }})::numeric / nullif(({{ denominator }})::numeric, 0))
{%- endmacro %}


{#- The as-of point of the KPI marts: the latest day with data, not current_date, so a re-run of
    the same data gives the same numbers (and the hand-made fixtures do not age).
    as_of_date = the latest day with data: the latest report-time-zone day a funnel stage (lead ..
    customer) was reached, i.e. max(date_day) of fct_funnel_daily, or the latest ad-spend day,
    whichever is later. Sales touches are left out on purpose: a meeting can be booked for a day
    still to come. as_of_at = the end of that day (midnight after it, report time zone).
    Arguments are CTE names: an fct_lead_funnel import with lead_at .. customer_at, an
    fct_ad_spend_daily import with date_day, a settings import with report_timezone. -#}
{% macro kpi_as_of(lead_funnel, ad_spend, settings) -%}
    {#- Each latest day is an aggregate in FROM: as scalar subqueries they were planned once per
        output column that reads them, a scan of a million persons each. The latest instant is
        converted to its day once, not every person's: clocks that fall back do so within a day,
        so a later instant is never on an earlier day. -#}
    select
        latest.as_of_date,
        ((latest.as_of_date + 1)::timestamp at time zone {{ settings }}.report_timezone) as as_of_at
    from (
        select greatest(funnel_latest.date_day, spend_latest.date_day) as as_of_date
        from (
            select
                (
                    max(greatest(lf.lead_at, lf.mql_at, lf.sql_at, lf.opportunity_at, lf.customer_at))
                    at time zone min(st.report_timezone)
                )::date as date_day
            from {{ lead_funnel }} as lf
            cross join {{ settings }} as st
        ) as funnel_latest
        cross join (select max(sp.date_day) as date_day from {{ ad_spend }} as sp) as spend_latest
    ) as latest
    cross join {{ settings }}
{%- endmacro %}


{#- Red / amber / green of a value against its target (definitions.kpi_targets):
    - no value, or no bound: 'n/a';
    - two-sided [low, high]: green inside (bounds included); outside on either side amber when
      within 20 % of the bound crossed (|value - bound| <= 0.2 * |bound|), red beyond;
    - one-sided (only low or only high): the bound is a threshold and higher_is_better says which
      side of it is good: green on the good side (bound included), amber within 20 % of the bound
      on the bad side, red beyond. -#}
{% macro kpi_status(value, target_low, target_high, higher_is_better) -%}
    {#- Only the bad side of a target is judged: a range's far side is where plans stop, not a
        problem (ROMI above 600 % is green). Amber within 20 % of the bound, red beyond. -#}
    {%- set good_bound = 'coalesce(' ~ target_low ~ ', ' ~ target_high ~ ')' -%}
    {%- set good_ceiling = 'coalesce(' ~ target_high ~ ', ' ~ target_low ~ ')' -%}
    case
        when {{ value }} is null or ({{ target_low }} is null and {{ target_high }} is null) then 'n/a'
        when coalesce({{ higher_is_better }}, true) then
            case
                when {{ value }} >= {{ good_bound }} then 'green'
                when {{ good_bound }} - {{ value }} <= 0.2 * abs({{ good_bound }}) then 'amber'
                else 'red'
            end
        else
            case
                when {{ value }} <= {{ good_ceiling }} then 'green'
                when {{ value }} - {{ good_ceiling }} <= 0.2 * abs({{ good_ceiling }}) then 'amber'
                else 'red'
            end
    end
{%- endmacro %}


{#- One row per funnel stage a person of `funnel` (a fct_lead_funnel row) reached: joined as
    `stage (stage_name, reached_at)`; the stages not reached are filtered out by the caller's
    `where stage.reached_at is not null`. -#}
{% macro funnel_stages_reached(funnel) -%}
    cross join lateral (
        values
            ('lead', {{ funnel }}.lead_at),
            ('mql', {{ funnel }}.mql_at),
            ('sql', {{ funnel }}.sql_at),
            ('opportunity', {{ funnel }}.opportunity_at),
            ('customer', {{ funnel }}.customer_at)
    ) as stage (stage_name, reached_at)
{%- endmacro %}


{#- Rows of `persons` counted per day on `day_column`, then the days summed per period of
    `period_days` (period_type, period_start, date_day); counts are (name, aggregate) pairs. Per day
    first: joined to the three periods of its day, a million persons were three million rows to
    group. -#}
{% macro kpi_counted_per_period(period_days, persons, day_column, counts) -%}
    select
        {{ period_days }}.period_type,
        {{ period_days }}.period_start
        {%- for name, _ in counts %},
        sum(per_day.{{ name }})::bigint as {{ name }}
        {%- endfor %}
    from {{ period_days }}
    inner join (
        select
            {{ day_column }} as date_day
            {%- for name, aggregate in counts %},
            {{ aggregate }} as {{ name }}
            {%- endfor %}
        from {{ persons }}
        group by {{ day_column }}
    ) as per_day on {{ period_days }}.date_day = per_day.date_day
    group by 1, 2
{%- endmacro %}
