-- HubSpot owners: the users records and engagements are assigned to (`hubspot_owner_id`), active
-- and deactivated, so an engagement of a rep who has left still names them. `owner_id` is what
-- `hubspot_owner_id` holds; `user_id` is the HubSpot login, absent once the user is deactivated.
with source as (
    select
        id,
        email,
        first_name,
        last_name,
        user_id,
        teams,
        archived,
        created_at,
        updated_at
    from {{ source('hubspot', 'owners') }}
),

renamed as (
    select
        id as owner_id,
        lower(nullif(trim(email), '')) as email,
        nullif(trim(first_name), '') as first_name,
        nullif(trim(last_name), '') as last_name,
        coalesce(
            nullif(trim(concat_ws(' ', nullif(trim(first_name), ''), nullif(trim(last_name), ''))), ''),
            lower(nullif(trim(email), ''))
        ) as owner_name,
        user_id,
        (
            select team ->> 'name'
            from jsonb_array_elements(coalesce(teams, '[]'::jsonb)) as team
            where (team ->> 'primary')::boolean
            limit 1
        ) as primary_team_name,
        coalesce(archived, false) as is_archived,
        created_at,
        updated_at
    from source
)

select * from renamed
