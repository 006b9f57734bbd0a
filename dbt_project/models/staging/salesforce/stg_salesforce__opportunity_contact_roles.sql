-- The contacts of each Salesforce opportunity (its buying committee), one row per role.
with source as (
    select
        "Id",
        "OpportunityId",
        "ContactId",
        "Role",
        "IsPrimary",
        "IsDeleted",
        "CreatedDate",
        "SystemModstamp"
    from {{ source('salesforce', 'opportunity_contact_roles') }}
),

renamed as (
    select
        "Id" as opportunity_contact_role_id,
        "OpportunityId" as opportunity_id,
        "ContactId" as contact_id,
        "Role" as contact_role,
        coalesce("IsPrimary", false) as is_primary,
        coalesce("IsDeleted", false) as is_deleted,
        "CreatedDate" as created_at,
        "SystemModstamp" as updated_at
    from source
)

select * from renamed
