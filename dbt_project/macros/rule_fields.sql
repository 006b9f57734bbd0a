{#- The fields of the common CRM-record contract that scoring and channel rules may test
    (smarketing/funnel_definitions.py, RULE_FIELDS), as (field, value) rows of one record.

    Use in a from clause: `from records cross join lateral {{ rule_field_values('records') }}`;
    it yields columns `field` and `field_value` (text). -#}
{% macro rule_fields() -%}
    {{ return([
        'email_domain', 'company_name', 'job_title', 'country', 'crm_source', 'crm_score',
        'utm_source', 'utm_medium', 'utm_campaign', 'click_id_type', 'lead_form', 'first_conversion_event',
    ]) }}
{%- endmacro %}

{% macro rule_field_values(relation_alias) -%}
    (
        values
        {%- for field in rule_fields() %}
            ('{{ field }}', {{ relation_alias }}.{{ field }}::text){{ ',' if not loop.last }}
        {%- endfor %}
    ) as rule_field_values (field, field_value)
{%- endmacro %}
