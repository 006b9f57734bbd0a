-- Bitrix24 leads on the common CRM-record contract. E-mail and phone are multifields (lists of
-- {VALUE, VALUE_TYPE}); the first non-empty value of each is the one person merging uses. Deleted
-- leads are gone from the API, so none is archived.
with source as (
    select
        id,
        title,
        company_title,
        post,
        address_country,
        status_id,
        status_semantic_id,
        source_id,
        assigned_by_id,
        utm_source,
        utm_medium,
        utm_campaign,
        email,
        phone,
        date_create,
        date_modify
    from {{ source('bitrix24', 'leads') }}
),

renamed as (
    select
        'bitrix24' as crm,
        id as crm_record_id,
        title as lead_title,
        nullif(lower(trim(jsonb_path_query_first(email, '$[*] ? (@.VALUE != "").VALUE') #>> '{}')), '')
            as email_normalized,
        nullif(
            regexp_replace(jsonb_path_query_first(phone, '$[*] ? (@.VALUE != "").VALUE') #>> '{}', '[^0-9]', '', 'g'),
            ''
        ) as phone_digits,
        nullif(trim(company_title), '') as company_name,
        nullif(trim(post), '') as job_title,
        nullif(trim(address_country), '') as country,
        status_id as lead_status,
        -- JUNK and a portal's own failure statuses share the semantic F.
        coalesce(status_semantic_id = 'F', false) as is_disqualified,
        source_id as crm_source,
        nullif(lower(trim(utm_source)), '') as utm_source,
        nullif(lower(trim(utm_medium)), '') as utm_medium,
        nullif(trim(utm_campaign), '') as utm_campaign,
        assigned_by_id as owner_id,
        date_create as created_at,
        date_modify as updated_at
    from source
)

select * from renamed
