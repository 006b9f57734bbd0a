{#- One union over every enabled source of a config macro (crm_sources(), ad_sources()), mapped
    onto a contract.

    union_sources_entity(sources, source_column, entity, columns): `columns` is the contract, a
    list of (name, SQL type); each enabled source with that entity contributes
    `select '<source>' as <source_column>, <mapped columns>` from its staging model, a contract
    column missing from its `fields` being null. With no source enabled it yields no rows (but the
    same columns), so the models downstream still build. -#}
{% macro union_sources_entity(sources, source_column, entity, columns) -%}
    {%- set branches = [] -%}
    {%- for name, source in sources.items() -%}
        {%- if source.enabled and entity in source and source[entity].get('enabled', true) -%}
            {%- set mapping = source[entity] -%}
            {%- set branch -%}
    select
        '{{ name }}'::text as {{ source_column }},
        {%- for column, data_type in columns %}
        ({{ mapping.fields.get(column, 'null') }})::{{ data_type }} as {{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ ref(mapping.model) }}
            {%- endset -%}
            {%- do branches.append(branch) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if branches -%}
        {{ branches | join('\n    union all\n') }}
    {%- else %}
    select
        null::text as {{ source_column }},
        {%- for column, data_type in columns %}
        null::{{ data_type }} as {{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    where false
    {%- endif -%}
{%- endmacro %}
