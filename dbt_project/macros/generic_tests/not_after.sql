{#- Per row, `column_name` is not later than `other_column` (both may be null): timestamps that
    must never run backwards along the funnel. -#}
{% test not_after(model, column_name, other_column) %}
select *
from {{ model }}
where {{ column_name }} > {{ other_column }}
{% endtest %}
