{#- Incremental day tables restated from the earliest day any load touched since their last build.

    Ad platforms re-report a lookback window every night and a backfill can reach back years, so
    neither "the last N days" nor "after max(date_day)" is the right window: the loads say which
    days changed (ops.load_batches: source, first_day, finished_at). A model opts in with

        materialized='incremental', incremental_strategy='restated_days',
        restated_days_sources=[<load sources whose batches restate its days>],
        restated_days_settings=[<columns of definitions.settings it reads, if any>]

    has a `date_day` column, filters its inputs with `date_day >= {{ restated_days_from() }}` inside
    `is_incremental()`, and records its build with the post-hook `{{ record_restated_days() }}`.
    With a unique_key it may also return rows of earlier days: they replace the rows of that key.

    plan_restated_days() (on-run-start) writes each such model's window into ops.dbt_restated_days
    before anything builds, so the model, its delete and the tests of its inputs all read one window.
    The window is every day (-infinity) when the model has no record yet or its fingerprint changed:
    the code of the model and of everything upstream of it (models, seeds, this project's macros),
    its sources (a platform switched on or off), the dbt version and the definition settings it
    reads (the reporting currency converts every row). It is empty (infinity) when no load of its
    sources finished since the last build. The record is updated in the model's own transaction, so
    a failed build restates the same days again on the next run. Batches are taken by finished_at:
    the nightly DAG runs loads and dbt one after the other, and a load that finishes while dbt runs
    is taken on the next run. -#}

{% macro restated_days_table() -%}
    ops.dbt_restated_days
{%- endmacro %}


{% macro plan_restated_days() %}
    {%- set statements = [
        "create schema if not exists ops",
        "create table if not exists " ~ restated_days_table() ~ " (
            model text primary key,
            fingerprint text,
            restated_from date,
            built_through timestamptz,
            built_at timestamptz,
            planned_fingerprint text,
            planned_from date,
            planned_through timestamptz
        )",
    ] -%}
    {%- if execute -%}
        {%- for node in graph.nodes.values()
              if node.resource_type == 'model' and node.config.incremental_strategy == 'restated_days' -%}
            {%- do statements.append(_plan_restated_days_of(node)) -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(statements | join(';\n')) }}
{% endmacro %}


{% macro _plan_restated_days_of(node) -%}
    {%- set sources = node.config.get('restated_days_sources') or [] -%}
    {%- if not sources -%}
        {{ exceptions.raise_compiler_error(node.name ~ ": an incremental_strategy='restated_days' model needs restated_days_sources") }}
    {%- endif -%}
    insert into {{ restated_days_table() }} as state (model, planned_fingerprint, planned_from, planned_through)
    select
        '{{ node.name }}',
        fingerprint.value,
        case
            when {{ 'true' if flags.FULL_REFRESH else 'false' }}
                or state.model is null
                or state.fingerprint is distinct from fingerprint.value then '-infinity'::date
            else coalesce(batches.first_day, 'infinity'::date)
        end,
        coalesce(batches.finished_through, state.built_through)
    from (
        select md5(
            '{{ _code_fingerprint(node.unique_id, ['sources ' ~ sources | sort | join(',')]) }}'
            {%- for setting in node.config.get('restated_days_settings') or [] %}
            || coalesce((select string_agg({{ setting }}::text, ',') from definitions.settings), '')
            {%- endfor %}
        ) as value
    ) as fingerprint
    left join {{ restated_days_table() }} as state on state.model = '{{ node.name }}'
    cross join lateral (
        select
            min(first_day) as first_day,
            max(finished_at) as finished_through
        from ops.load_batches
        where source in ('{{ sources | join("', '") }}')
            and finished_at > coalesce(state.built_through, '-infinity'::timestamptz)
    ) as batches
    on conflict (model) do update set
        planned_fingerprint = excluded.planned_fingerprint,
        planned_from = excluded.planned_from,
        planned_through = excluded.planned_through
{%- endmacro %}


{#- The code a build of `unique_id` runs: its own, everything upstream of it and the dbt version,
    with `extra_parts` (what else decides its rows). -#}
{% macro _code_fingerprint(unique_id, extra_parts=[]) -%}
    {%- set parts = ['dbt ' ~ dbt_version] + extra_parts -%}
    {%- do _collect_code(unique_id, [], parts) -%}
    {{- local_md5(parts | sort | join('\n')) -}}
{%- endmacro %}


{#- Appends the checksum of a node and of everything upstream of it, and the text of this
    project's macros they call, to `parts`. Sources have no code: their data is what loads change. -#}
{% macro _collect_code(unique_id, seen, parts) %}
    {%- if unique_id in seen -%}{{ return(none) }}{%- endif -%}
    {%- do seen.append(unique_id) -%}
    {%- if unique_id.startswith('macro.') -%}
        {%- if unique_id.startswith('macro.' ~ project_name ~ '.') -%}
            {%- set macro = context.get(unique_id.split('.')[-1]) -%}
            {%- if macro is not none and macro.macro is not none -%}
                {%- do parts.append(unique_id ~ ' ' ~ local_md5(macro.macro.macro_sql)) -%}
                {%- for called in macro.macro.depends_on.macros -%}
                    {%- do _collect_code(called, seen, parts) -%}
                {%- endfor -%}
            {%- endif -%}
        {%- endif -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set node = graph.nodes.get(unique_id) -%}
    {%- if node is none -%}{{ return(none) }}{%- endif -%}
    {%- do parts.append(unique_id ~ ' ' ~ node.checksum.checksum) -%}
    {%- for upstream in node.depends_on.nodes + node.depends_on.macros -%}
        {%- do _collect_code(upstream, seen, parts) -%}
    {%- endfor -%}
{% endmacro %}


{#- The first day the current build of the model restates. -#}
{% macro restated_days_from() -%}
    {{ _restated_day('planned_from', this.identifier) }}
{%- endmacro %}


{#- Whether the current build of the model restates every day (first build, changed fingerprint,
    --full-refresh) or none (no load since its last build); only at execution time. -#}
{% macro restates_every_day() -%}
    {{ return(_restated_day_text('planned_from', this.identifier) == '-infinity') }}
{%- endmacro %}


{% macro restates_no_day() -%}
    {{ return(_restated_day_text('planned_from', this.identifier) == 'infinity') }}
{%- endmacro %}


{#- The rows a test of a restated model or of its inputs checks: the days the current build
    restates, or when it restates none (a plain `dbt test`, a night without loads) the days the
    last build did; every day before the model's first build. -#}
{% macro restated_days_test_filter(model) -%}
    date_day >= {{ _restated_day("case when planned_from = 'infinity' then restated_from else planned_from end", model) }}
{%- endmacro %}


{#- A day of `model`'s row in the window table, every day (-infinity) without one. At execution
    it is a date literal: behind a subquery the planner cannot see the date, assumes a third of the
    table and scans all of it rather than its day index (10M rows: a not_null test 5.6 s -> 0.1 s).
    Before the window table exists (dbt compile, docs) it is that subquery. -#}
{% macro _restated_day(expression, model) -%}
    {%- if execute and _restated_days_table_exists() -%}
        '{{ _restated_day_text(expression, model) }}'::date
    {%- else -%}
        ({{ _restated_day_query(expression, model) }})
    {%- endif -%}
{%- endmacro %}


{% macro _restated_day_text(expression, model) -%}
    {{ return(run_query(_restated_day_query(expression, model) ~ '::text').columns[0].values()[0]) }}
{%- endmacro %}


{% macro _restated_day_query(expression, model) -%}
    select coalesce(
        (select {{ expression }} from {{ restated_days_table() }} where model = '{{ model }}'),
        '-infinity'::date
    )
{%- endmacro %}


{% macro _restated_days_table_exists() -%}
    {{ return(adapter.get_relation(database=target.database, schema='ops', identifier='dbt_restated_days') is not none) }}
{%- endmacro %}


{% macro record_restated_days() -%}
    update {{ restated_days_table() }} set
        fingerprint = planned_fingerprint,
        restated_from = planned_from,
        built_through = planned_through,
        built_at = now()
    where model = '{{ this.identifier }}'
{%- endmacro %}


{#- Delete the restated days, insert their new rows: days the sources no longer report go too. A
    model with a unique_key may also return rows of earlier days, which replace the rows they key:
    a second delete joined to them, not an `or key in (...)` on the first, which Postgres hashes
    only while the keys fit in work_mem and otherwise re-scans per row. -#}
{% macro get_incremental_restated_days_sql(arg_dict) %}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    {%- set unique_key = arg_dict['unique_key'] -%}
    {%- set key_columns = [unique_key] if unique_key is string else (unique_key or []) -%}
    delete from {{ target }}
    where date_day >= {{ restated_days_from() }};

    {% if key_columns -%}
    delete from {{ target }} as replaced
    using {{ arg_dict['temp_relation'] }} as replacement
    where {% for column in key_columns %}replaced.{{ column }} = replacement.{{ column }}{{ ' and ' if not loop.last }}{% endfor %};
    {%- endif %}

    insert into {{ target }} ({{ columns }})
    select {{ columns }} from {{ arg_dict['temp_relation'] }}
{% endmacro %}


{#- Generic tests filter their model through this (dbt's own macro, overridden): a model whose
    meta names `restated_days_of` is tested on the restated days of that model only, a
    restated-persons model on the persons it restated (restated_persons_test_filter). The other rows
    were tested when they were built and have not changed since. -#}
{% macro get_where_subquery(relation) -%}
    {%- set filters = [] -%}
    {%- if config.get('where') -%}
        {%- do filters.append('(' ~ config.get('where') ~ ')') -%}
    {%- endif -%}
    {%- set tested = graph.nodes.get(model.attached_node) if execute and model.attached_node else none -%}
    {%- if tested is not none and tested.config.meta.get('restated_days_of') -%}
        {%- do filters.append(restated_days_test_filter(tested.config.meta['restated_days_of'])) -%}
    {%- endif -%}
    {%- if tested is not none and tested.config.incremental_strategy == 'restated_persons' -%}
        {%- do filters.append(restated_persons_test_filter(tested.alias)) -%}
    {%- endif -%}
    {%- if filters -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ filters | join(' and ') }}) dbt_subquery
        {%- endset -%}
        {{ return(filtered) }}
    {%- else -%}
        {{ return(relation) }}
    {%- endif -%}
{%- endmacro %}
