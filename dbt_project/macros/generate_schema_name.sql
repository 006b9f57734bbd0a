{#- Layers live in fixed schemas (staging, intermediate, marts) so grants and analysts' queries
    do not depend on who ran dbt. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {{ (custom_schema_name or target.schema) | trim }}
{%- endmacro %}
