{#- The listed columns together identify a row (dbt_utils' test of the same name, which the
    package hub would give us if these machines could reach it). -#}
{% test unique_combination_of_columns(model, columns) %}
select
    {{ columns | join(', ') }},
    count(*) as rows_with_this_key
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}
