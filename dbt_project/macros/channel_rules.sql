{#- The first configured channel rule (definitions.channel_rules, by rule_order) each touch
    matches. `touches` is a CTE with `key_column` and every rule field (macro rule_fields);
    yields key_column, channel, is_paid, rule_order, and no row for a touch no rule matches
    (its channel is `Other`, not paid). Used for CRM touches and for ad campaigns alike. -#}
{% macro first_matching_channel_rule(touches, key_column) -%}
    select distinct on (touches.{{ key_column }})
        touches.{{ key_column }},
        channel_rules.channel,
        channel_rules.is_paid,
        channel_rules.rule_order
    from {{ touches }} as touches
    cross join lateral {{ rule_field_values('touches') }}
    inner join {{ ref('stg_definitions__channel_rules') }} as channel_rules
        on rule_field_values.field = channel_rules.field
    where {{ matches_condition('rule_field_values.field_value', 'channel_rules.operator', 'channel_rules.rule_values') }}
    order by touches.{{ key_column }}, channel_rules.rule_order
{%- endmacro %}

{#- A campaign name as people retype it in UTM tags: case, outer and repeated spaces ignored. -#}
{% macro normalize_campaign_name(name_sql) -%}
    nullif(lower(regexp_replace(trim({{ name_sql }}), '\s+', ' ', 'g')), '')
{%- endmacro %}
