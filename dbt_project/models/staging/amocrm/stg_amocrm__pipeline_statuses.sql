-- Every status of every pipeline, with the names the account gave them (the ids leads carry).
with source as (
    select
        id,
        name,
        is_main,
        is_archive,
        statuses
    from {{ source('amocrm', 'pipelines') }}
),

unnested as (
    select
        source.id::text as pipeline_id,
        source.name as pipeline_name,
        coalesce(source.is_main, false) as is_main_pipeline,
        coalesce(source.is_archive, false) as is_archived,
        status.item ->> 'id' as status_id,
        status.item ->> 'name' as status_name,
        (status.item ->> 'sort')::integer as status_sort
    from source
    cross join lateral jsonb_array_elements(coalesce(source.statuses, '[]'::jsonb)) as status (item)
)

select * from unnested
