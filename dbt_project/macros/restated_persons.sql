{#- Incremental person tables rebuilt only for the persons whose inputs changed since their last build.

    A million persons take minutes to rebuild, yet a night changes a few thousand. Which ones is
    int_person_input_digests: one digest per person of every CRM row the person models read (records,
    the person each maps to with its exclusion, stage events, deals, activities). A model opts in with

        {{ restated_persons_config(
            settings=[<columns of definitions.settings it reads>],
            definitions=[<definitions it reads: 'scoring_rules' for stg_definitions__scoring_rules>],
            inputs=[<other models it reads that are not per person>],
        ) }}

    has a `person_id` column and in its from clauses keeps only the restated persons (macro
    only_restated_persons).

    The pre-hook writes the temp table restated_persons(): the persons whose digest, combined with a
    fingerprint, differs from the one recorded at the model's last build, plus the persons recorded
    then who are gone now (merged into another person). The fingerprint is the model's code and that
    of everything upstream of it, and the contents of what it and the person models upstream of it
    declare they read (so that a model restates whatever the models it reads did). A changed
    definition or code thus rebuilds every person; a first build and --full-refresh take every
    person. The strategy deletes the restated persons' rows and inserts their new ones; the post-hook
    records their digests in ops.dbt_restated_persons (a partition per model, written afresh when the
    build restated every person), all in the model's transaction, so a failed build retries the same
    persons. -#}

{% macro restated_persons_config(settings=[], definitions=[], inputs=[], on_schema_change='sync_all_columns') -%}
    {#- The pre-hook reads the digests: a ref while parsing makes the model depend on them. -#}
    {%- do ref('int_person_input_digests') -%}
    {{ config(
        materialized='incremental',
        incremental_strategy='restated_persons',
        on_schema_change=on_schema_change,
        restated_persons_settings=settings,
        restated_persons_definitions=definitions,
        restated_persons_inputs=inputs,
        pre_hook="{{ plan_restated_persons() }}",
        post_hook="{{ record_restated_persons() }}",
    ) }}
{%- endmacro %}


{% macro restated_persons_table() -%}
    ops.dbt_restated_persons
{%- endmacro %}


{#- The record, partitioned by model: a build that restates every person of a model (its code or a
    definition it reads changed) empties the model's partition and writes it afresh, in person order,
    instead of deleting and inserting a million rows among the other models' millions (1M persons:
    the six person models 263 s -> 178 s). A record from before the partitions is dropped: each model
    then rebuilds every person once, as when its record is lost. A partition per restated-persons
    model of the project, made before anything builds, so that no build creates one while another
    reads the record. -#}
{% macro create_restated_persons_table() -%}
    create schema if not exists ops;
    do $$
    begin
        if exists (
            select from pg_class
            where oid = to_regclass('{{ restated_persons_table() }}') and relkind = 'r'
        ) then
            drop table {{ restated_persons_table() }};
        end if;
    end
    $$;
    create table if not exists {{ restated_persons_table() }} (
        model text not null,
        person_id text not null,
        input_digest bigint not null,
        -- The build that last restated the person: the tests of a model check its latest build's persons.
        recorded_at timestamptz not null default now(),
        primary key (model, person_id)
    ) partition by list (model);
    create index if not exists dbt_restated_persons_recorded_at on {{ restated_persons_table() }} (model, recorded_at)
    {%- if execute -%}
        {%- for node in graph.nodes.values()
              if node.resource_type == 'model' and node.config.incremental_strategy == 'restated_persons' %};
    create table if not exists {{ restated_persons_partition(node.alias) }}
        partition of {{ restated_persons_table() }} for values in ('{{ node.alias }}')
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}


{% macro restated_persons_partition(model) -%}
    {%- set name = 'dbt_restated_persons__' ~ model -%}
    {%- if name | length > 63 -%}
        {{ exceptions.raise_compiler_error(model ~ ": a restated_persons model's name may have at most 41 characters (its record's partition is " ~ name ~ ")") }}
    {%- endif -%}
    ops.{{ name }}
{%- endmacro %}


{#- The temp table of the persons the current build restates: person_id, and the digest to record
    (null for a person who is gone). -#}
{% macro restated_persons() -%}
    pg_temp.restated_persons
{%- endmacro %}


{% macro plan_restated_persons() -%}
    {%- set global_inputs = [] -%}
    {%- if execute -%}
        {%- set declared = {'settings': [], 'definitions': [], 'inputs': []} -%}
        {%- do _collect_restated_persons_inputs(model.unique_id, [], declared) -%}
        {%- if declared.settings -%}
            {%- do global_inputs.append(
                'select ' ~ declared.settings | unique | sort | join(', ')
                ~ ' from ' ~ _relation_of_model('stg_definitions__settings')) -%}
        {%- endif -%}
        {%- for name in declared.definitions | unique | sort -%}
            {%- do global_inputs.append('select * from ' ~ _relation_of_model('stg_definitions__' ~ name)) -%}
        {%- endfor -%}
        {%- for name in declared.inputs | unique | sort -%}
            {%- do global_inputs.append('select * from ' ~ _relation_of_model(name)) -%}
        {%- endfor -%}
    {%- endif -%}
    create temp table {{ restated_persons() }} on commit drop as
    -- Materialized: inlined, the md5 of every definition and campaign would run once per person.
    with fingerprint as materialized (
        select md5(
            '{{ _code_fingerprint(model.unique_id) if execute }}'
            {%- for global_input in global_inputs %}
            || coalesce((
                select string_agg(global_input::text, '|' order by global_input::text)
                from ({{ global_input }}) as global_input
            ), '')
            {%- endfor %}
        ) as value
    ),

    current_digests as (
        select
            digests.person_id,
            hashtextextended(digests.input_digest::text || fingerprint.value, 0) as input_digest
        from {{ ref('int_person_input_digests') }} as digests
        cross join fingerprint
    )

    {% if is_incremental() -%}
    select
        coalesce(current_digests.person_id, built.person_id) as person_id,
        current_digests.input_digest
    from current_digests
    full join (
        select person_id, input_digest from {{ restated_persons_table() }} where model = '{{ this.identifier }}'
        -- No record of the table's persons (its first build as restated_persons, the record lost):
        -- every person in it is rebuilt, and dropped if gone.
        union all
        select distinct person_id, null::bigint
        from {{ this }}
        where not exists (select from {{ restated_persons_table() }} where model = '{{ this.identifier }}')
    ) as built
        on current_digests.person_id = built.person_id
    where current_digests.person_id is null
        or current_digests.input_digest is distinct from built.input_digest;
    {%- else -%}
    select person_id, input_digest from current_digests;
    {%- endif %}
    create index on {{ restated_persons() }} (person_id);
    analyze {{ restated_persons() }}
{%- endmacro %}


{#- Appends what `unique_id` and every restated-persons model upstream of it declare they read. -#}
{% macro _collect_restated_persons_inputs(unique_id, seen, declared) %}
    {%- if unique_id in seen -%}{{ return(none) }}{%- endif -%}
    {%- do seen.append(unique_id) -%}
    {%- set node = graph.nodes.get(unique_id) -%}
    {%- if node is none -%}{{ return(none) }}{%- endif -%}
    {%- if node.config.incremental_strategy == 'restated_persons' -%}
        {%- for kind in ['settings', 'definitions', 'inputs'] -%}
            {%- do declared[kind].extend(node.config.get('restated_persons_' ~ kind) or []) -%}
        {%- endfor -%}
    {%- endif -%}
    {%- for upstream in node.depends_on.nodes -%}
        {%- do _collect_restated_persons_inputs(upstream, seen, declared) -%}
    {%- endfor -%}
{% endmacro %}


{#- A model's relation by its name, without ref(): the inputs a model declares include those of the
    models upstream of it, which it does not read itself. -#}
{% macro _relation_of_model(name) -%}
    {%- set node = graph.nodes.get('model.' ~ project_name ~ '.' ~ name) -%}
    {%- if node is none -%}
        {{ exceptions.raise_compiler_error(this.identifier ~ ": restated_persons input " ~ name ~ " is no model of this project") }}
    {%- endif -%}
    {{- api.Relation.create(database=node.database, schema=node.schema, identifier=node.alias) -}}
{%- endmacro %}


{#- Records the restated persons' digests. A build that restated every person the model has (its
    first build, a full refresh, a changed fingerprint) rewrites the model's partition whole. -#}
{% macro record_restated_persons() -%}
    {%- set every_person = _restates_every_person() -%}
    {%- if every_person -%}
    truncate {{ restated_persons_partition(this.identifier) }};
    {%- else -%}
    delete from {{ restated_persons_table() }} as recorded
    using {{ restated_persons() }} as restated
    where recorded.model = '{{ this.identifier }}'
        and recorded.person_id = restated.person_id;
    {%- endif %}

    insert into {{ restated_persons_table() }} (model, person_id, input_digest)
    select '{{ this.identifier }}', person_id, input_digest
    from {{ restated_persons() }}
    where input_digest is not null
    order by person_id
    {%- if every_person %};

    -- The tests read the build's persons from the record next, before autovacuum analyzes it: planned
    -- blind they took 169 s at 1M persons, 77 s with statistics.
    analyze {{ restated_persons_partition(this.identifier) }}
    {%- endif %}
{%- endmacro %}


{#- Whether the current build restates every person there is (and so every person recorded: a
    recorded person who is gone is restated too). Only at execution, in the model's transaction. -#}
{% macro _restates_every_person() -%}
    {%- if not execute -%}{{ return(false) }}{%- endif -%}
    {%- set counts = run_query(
        "select (select count(*) from " ~ restated_persons() ~ " where input_digest is not null)"
        ~ " = (select count(*) from " ~ ref('int_person_input_digests') ~ ")"
    ) -%}
    {{ return(counts.columns[0].values()[0]) }}
{%- endmacro %}


{% macro get_incremental_restated_persons_sql(arg_dict) %}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    delete from {{ target }} as built
    using {{ restated_persons() }} as restated
    where built.person_id = restated.person_id;

    insert into {{ target }} ({{ columns }})
    select {{ columns }} from {{ arg_dict['temp_relation'] }}
{% endmacro %}


{#- In a from clause, after the relation that has `person_id_column`: keeps the rows of the persons the
    current build restates, all rows in a full build. A join, not `in (select ...)`: the planner
    estimates it from the restated table's statistics (an IN next to a CTE was taken for one row,
    and a million persons were then joined in a nested loop). -#}
{% macro only_restated_persons(person_id_column) -%}
    {%- if is_incremental() %}
    inner join {{ restated_persons() }} as restated on {{ person_id_column }} = restated.person_id
    {%- endif %}
{%- endmacro %}


{#- The rows a test of a restated-persons model checks: the persons its latest build rewrote (every
    person after a full build). A build that rewrote none, or a plain `dbt test`, checks those of the
    last build that rewrote any. The other persons were checked when they were written and have not
    changed since; every row is checked while the model has no record yet. The build's time is a
    literal, as in _restated_day: the planner estimates the persons from the record's statistics. -#}
{% macro restated_persons_test_filter(model) -%}
    {%- set latest = _latest_restated_persons_build(model) -%}
    {%- if latest is none -%}
        true
    {%- else -%}
        person_id in (
            select person_id from {{ restated_persons_table() }}
            where model = '{{ model }}' and recorded_at = '{{ latest }}'::timestamptz
        )
    {%- endif -%}
{%- endmacro %}


{% macro _latest_restated_persons_build(model) -%}
    {%- if not execute or adapter.get_relation(database=target.database, schema='ops', identifier='dbt_restated_persons') is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set latest = run_query(
        "select max(recorded_at)::text from " ~ restated_persons_table() ~ " where model = '" ~ model ~ "'"
    ).columns[0].values()[0] -%}
    {{ return(latest) }}
{%- endmacro %}
