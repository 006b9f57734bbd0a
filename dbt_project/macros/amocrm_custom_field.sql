{#- The first value of an amoCRM custom field, found by its field code ignoring case (accounts
    write UTM_SOURCE or utm_source), trimmed; null when absent or blank. -#}
{% macro amocrm_custom_field(field_code, column='custom_fields_values') -%}
    nullif(trim(
        jsonb_path_query_first(
            {{ column }}, '$[*] ? (@.field_code like_regex "^{{ field_code }}$" flag "i").values[0].value'
        ) #>> '{}'
    ), '')
{%- endmacro %}
