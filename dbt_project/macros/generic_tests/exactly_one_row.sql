{#- A one-row table (the settings): none or several rows would silently empty or multiply every join. -#}
{% test exactly_one_row(model) %}
select row_count
from (select count(*) as row_count from {{ model }}) as counted
where row_count <> 1
{% endtest %}
