-- Salesforce campaigns: what a campaign member joined.
with source as (
    select
        "Id",
        "Name",
        "Type",
        "Status",
        "StartDate",
        "EndDate",
        "IsActive",
        "ParentId",
        "IsDeleted",
        "CreatedDate",
        "SystemModstamp"
    from {{ source('salesforce', 'campaigns') }}
),

renamed as (
    select
        "Id" as campaign_id,
        "Name" as campaign_name,
        "Type" as campaign_type,
        "Status" as campaign_status,
        "StartDate" as start_date,
        "EndDate" as end_date,
        coalesce("IsActive", false) as is_active,
        "ParentId" as parent_campaign_id,
        coalesce("IsDeleted", false) as is_deleted,
        "CreatedDate" as created_at,
        "SystemModstamp" as updated_at
    from source
)

select * from renamed
