{#- The leads Meta claims on an Insights row, from its `actions` list ([{action_type, value}],
    values as strings). `lead` is Meta's roll-up of every lead: lead-form submissions on Facebook
    and Instagram (`onsite_conversion.lead_grouped`) and website leads of the pixel or the
    Conversions API (`offsite_conversion.fb_pixel_lead`). The API also returns those parts (and
    more variants of the same events), so summing every lead-like type would count a lead two or
    three times: the roll-up counts, and only a row without it adds up its two parts. -#}
{% macro meta_ads_leads(actions) -%}
    coalesce(
        (
            select sum(action.value)
            from {{ _meta_ads_actions(actions) }}
            where action.action_type = 'lead'
        ),
        (
            select sum(action.value)
            from {{ _meta_ads_actions(actions) }}
            where action.action_type in ('onsite_conversion.lead_grouped', 'offsite_conversion.fb_pixel_lead')
        ),
        0
    )
{%- endmacro %}

{% macro _meta_ads_actions(actions) -%}
    jsonb_to_recordset(
        case when jsonb_typeof({{ actions }}) = 'array' then {{ actions }} else '[]'::jsonb end
    ) as action (action_type text, value numeric)
{%- endmacro %}
