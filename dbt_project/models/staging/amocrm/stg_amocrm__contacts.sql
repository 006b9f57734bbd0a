-- amoCRM contacts on the common CRM-record contract. E-mail and phone are multi-value custom
-- fields identified by their field code; the first value of each is the contact's.
with source as (
    select
        id,
        name,
        custom_fields_values,
        is_deleted,
        created_at,
        updated_at
    from {{ source('amocrm', 'contacts') }}
),

renamed as (
    select
        'amocrm' as crm,
        id::text as crm_record_id,
        nullif(trim(name), '') as contact_name,
        lower({{ amocrm_custom_field('EMAIL') }}) as email_normalized,
        nullif(regexp_replace({{ amocrm_custom_field('PHONE') }}, '[^0-9]', '', 'g'), '') as phone_digits,
        created_at,
        coalesce(is_deleted, false) as is_archived,
        updated_at
    from source
)

select * from renamed
