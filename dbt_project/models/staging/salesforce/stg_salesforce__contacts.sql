-- Salesforce contacts: converted leads and contacts entered directly. Phone, else mobile, is
-- the phone person merging uses. A contact in the recycle bin (IsDeleted) is archived.
with source as (
    select
        "Id",
        "Email",
        "AccountId",
        "Title",
        "MailingCountry",
        "Phone",
        "MobilePhone",
        "LeadSource",
        "OwnerId",
        "IsDeleted",
        "CreatedDate",
        "SystemModstamp"
    from {{ source('salesforce', 'contacts') }}
),

renamed as (
    select
        'salesforce' as crm,
        "Id" as contact_id,
        nullif(lower(trim("Email")), '') as email_normalized,
        coalesce(
            nullif(regexp_replace("Phone", '[^0-9]', '', 'g'), ''),
            nullif(regexp_replace("MobilePhone", '[^0-9]', '', 'g'), '')
        ) as phone_digits,
        "AccountId" as account_id,
        nullif(trim("Title"), '') as job_title,
        nullif(trim("MailingCountry"), '') as country,
        "LeadSource" as lead_source,
        "OwnerId" as owner_id,
        coalesce("IsDeleted", false) as is_deleted,
        "CreatedDate" as created_at,
        "SystemModstamp" as updated_at
    from source
)

select * from renamed
