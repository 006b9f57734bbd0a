{#- Whether a field's value meets a rule's condition: the one condition language of the scoring
    rules and the channel rules (smarketing/funnel_definitions.py, `Condition`).

    field_value_sql  text expression: the field's value (null when the record has none)
    operator_sql     text expression: equals | in | not_in | is_set | is_not_set | at_least | contains
    rule_values_sql  text[] expression: the rule's values (empty for is_set / is_not_set)

    Never null: a condition on a missing value is false, except `is_not_set`. Comparisons are exact
    (staging already lowercases UTM values and e-mail domains); `contains` is a case-insensitive
    substring test (no wildcards); `at_least` is false for a value that is not a number. An unknown
    operator matches nothing. -#}
{% macro matches_condition(field_value_sql, operator_sql, rule_values_sql) -%}
    coalesce(
        case {{ operator_sql }}
            when 'equals' then {{ field_value_sql }} = ({{ rule_values_sql }})[1]
            when 'in' then {{ field_value_sql }} = any({{ rule_values_sql }})
            when 'not_in' then {{ field_value_sql }} is not null and {{ field_value_sql }} <> all({{ rule_values_sql }})
            when 'is_set' then {{ field_value_sql }} is not null and {{ field_value_sql }} <> ''
            when 'is_not_set' then {{ field_value_sql }} is null or {{ field_value_sql }} = ''
            when 'at_least' then
                case
                    when {{ field_value_sql }} ~ '^\s*[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)\s*$'
                        then trim({{ field_value_sql }})::numeric >= ({{ rule_values_sql }})[1]::numeric
                end
            when 'contains' then strpos(lower({{ field_value_sql }}), lower(({{ rule_values_sql }})[1])) > 0
            else false
        end,
        false
    )
{%- endmacro %}
