-- Salesforce leads. A converted lead lives on as its contact (ConvertedContactId): the
-- intermediate salesforce models fold the two into one record, so a person is counted once.
-- A lead in the recycle bin (IsDeleted, read through queryAll) is archived.
with source as (
    select
        "Id",
        "Email",
        "Company",
        "Title",
        "Country",
        "Phone",
        "Status",
        "LeadSource",
        "OwnerId",
        "IsConverted",
        "ConvertedContactId",
        "ConvertedOpportunityId",
        "ConvertedDate",
        "IsDeleted",
        "CreatedDate",
        "SystemModstamp"
    from {{ source('salesforce', 'leads') }}
),

renamed as (
    select
        'salesforce' as crm,
        "Id" as lead_id,
        nullif(lower(trim("Email")), '') as email_normalized,
        nullif(regexp_replace("Phone", '[^0-9]', '', 'g'), '') as phone_digits,
        nullif(trim("Company"), '') as company_name,
        nullif(trim("Title"), '') as job_title,
        nullif(trim("Country"), '') as country,
        "Status" as lead_status,
        "LeadSource" as lead_source,
        "OwnerId" as owner_id,
        coalesce("IsConverted", false) as is_converted,
        "ConvertedContactId" as converted_contact_id,
        "ConvertedOpportunityId" as converted_opportunity_id,
        "ConvertedDate" as converted_on,
        coalesce("IsDeleted", false) as is_deleted,
        "CreatedDate" as created_at,
        "SystemModstamp" as updated_at
    from source
)

select * from renamed
