{#- fct_campaign_performance and its two inputs, one row per campaign and day. -#}

{#- The row key: "date_day:campaign_key", or "date_day:(none):channel" for persons attributed to
    no campaign. Both inputs compute it, so the mart joins and compares them on one text column. -#}
{% macro campaign_performance_id(date_day, campaign_key, unattributed_channel='null') -%}
    (
        {{ date_day }} || ':'
        || coalesce({{ campaign_key }}, '(none):' || coalesce({{ unattributed_channel }}, '(none)'))
    )::text
{%- endmacro %}


{#- The funnel counts of a fct_campaign_performance row; a row has some only when persons reached a
    stage that day (every funnel row counts at least one person). -#}
{% macro campaign_day_funnel_columns(relation='') -%}
    {%- set prefix = relation ~ '.' if relation else '' -%}
    {%- for column in ['leads', 'mqls', 'sqls', 'opportunities', 'customers', 'won_deals', 'revenue'] -%}
        {{ prefix }}{{ column }}{{ ', ' if not loop.last }}
    {%- endfor -%}
{%- endmacro %}


{% macro campaign_day_has_funnel(relation) -%}
    ({{ relation }}.leads + {{ relation }}.mqls + {{ relation }}.sqls + {{ relation }}.opportunities + {{ relation }}.customers > 0)
{%- endmacro %}


{#- fct_campaign_performance's post-hook: a row whose persons all moved to another day or campaign
    and that has no spend has no input left, and no new row replaced it. Spend is looked up by its
    (date_day, campaign_key) index: the few rows left after the funnel check need no hash of it. -#}
{% macro delete_campaign_days_gone() %}
    {%- if not execute or restates_every_day() -%}{{ return('') }}{%- endif -%}
    delete from {{ this }} as performance
    where {{ campaign_day_has_funnel('performance') }}
        and not exists (
            select 1
            from {{ ref('int_funnel_stages_counted_by_campaign_day') }} as funnel
            where funnel.campaign_performance_id = performance.campaign_performance_id
        )
        and not exists (
            select 1
            from {{ ref('int_ad_spend_summed_by_campaign_day') }} as spend
            where spend.date_day = performance.date_day
                and spend.campaign_key = performance.campaign_key
        )
{% endmacro %}
