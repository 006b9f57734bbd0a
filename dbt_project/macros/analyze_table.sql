{#- The post-hook of every table dbt builds (dbt_project.yml says why); views have no statistics. -#}
{% macro analyze_table() -%}
    {%- if config.get('materialized') != 'view' -%}
        analyze {{ this }}
    {%- endif -%}
{%- endmacro %}
