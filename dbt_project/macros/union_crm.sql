{#- One union over every enabled CRM of crm_sources(), mapped onto a contract (macro
    union_sources_entity): `crm` names the CRM of each row. -#}
{% macro union_crm_entity(entity, columns) -%}
    {{ union_sources_entity(crm_sources(), 'crm', entity, columns) }}
{%- endmacro %}


{#- The stage-bearing field values of every enabled CRM, one row per (object, field, value):
    a record's values with the time it reached them, a deal's values with its created and closed
    times. crm_stage_map turns them into stage events (int_crm_stage_events). A CRM's
    `deal_stage_values` is one mapping or a list of them (amoCRM: the leads' current status and
    the status changes of its event log). -#}
{% macro union_crm_stage_values() -%}
    {%- set branches = [] -%}
    {%- for crm, source in crm_sources().items() if source.enabled -%}
        {%- if 'record_stage_values' in source -%}
            {%- set mapping = source.record_stage_values -%}
            {%- set branch -%}
    select
        '{{ crm }}'::text as crm,
        'record'::text as object_type,
        (source_rows.{{ mapping.id }})::text as crm_record_id,
        null::text as deal_id,
        stage_values.field,
        stage_values.value,
        stage_values.observed_at,
        null::timestamptz as closed_at
    from {{ ref(mapping.model) }} as source_rows
    cross join lateral (
        values
        {%- for value in mapping['values'] %}
            ({{ value.field }}::text, ({{ value.value }})::text, ({{ value.at }})::timestamptz){{ ',' if not loop.last }}
        {%- endfor %}
    ) as stage_values (field, value, observed_at)
    where stage_values.value is not null and stage_values.observed_at is not null
            {%- endset -%}
            {%- do branches.append(branch) -%}
        {%- endif -%}
        {%- if 'deal_stage_values' in source -%}
            {%- set mappings = source.deal_stage_values -%}
            {%- for mapping in ([mappings] if mappings is mapping else mappings) -%}
            {%- set branch -%}
    select
        '{{ crm }}'::text as crm,
        'deal'::text as object_type,
        null::text as crm_record_id,
        (source_rows.{{ mapping.id }})::text as deal_id,
        stage_values.field,
        stage_values.value,
        (source_rows.{{ mapping.created_at }})::timestamptz as observed_at,
        (source_rows.{{ mapping.closed_at }})::timestamptz as closed_at
    from {{ ref(mapping.model) }} as source_rows
    cross join lateral (
        values
        {%- for value in mapping['values'] %}
            ({{ value.field }}::text, ({{ value.value }})::text){{ ',' if not loop.last }}
        {%- endfor %}
    ) as stage_values (field, value)
    where stage_values.value is not null
            {%- endset -%}
            {%- do branches.append(branch) -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if branches -%}
        {{ branches | join('\n    union all\n') }}
    {%- else %}
    select
        null::text as crm,
        null::text as object_type,
        null::text as crm_record_id,
        null::text as deal_id,
        null::text as field,
        null::text as value,
        null::timestamptz as observed_at,
        null::timestamptz as closed_at
    where false
    {%- endif -%}
{%- endmacro %}


{#- The enabled CRMs whose sales activities (calls, e-mails, meetings) are read, as a SQL list of
    names for `crm in (...)`; `null` (matching nothing) when none are. -#}
{% macro crms_reporting_activities() -%}
    {%- set names = [] -%}
    {%- for crm, source in crm_sources().items() if source.enabled and 'activities' in source -%}
        {%- do names.append("'" ~ crm ~ "'") -%}
    {%- endfor -%}
    {{ names | join(', ') if names else 'null' }}
{%- endmacro %}
