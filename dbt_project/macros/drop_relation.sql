{#- dbt swaps a rebuilt model in, then drops the old copy with CASCADE, which also drops the views
    built on it. Two threads dropping the old copies of two models that feed the same view lock
    that view's rules in opposite orders and deadlock (dbt-labs/dbt-core#9246). A lock held to the
    end of the dropping transaction makes those drops take turns; each takes milliseconds. -#}
{% macro postgres__drop_relation(relation) -%}
    {% call statement('drop_relation', auto_begin=False) -%}
        select pg_advisory_xact_lock(hashtext('smarketing: drop relation cascade'));
        {{ get_drop_sql(relation) }}
    {%- endcall %}
{% endmacro %}
