-- Salesforce campaign members: a lead or a contact in a campaign, and whether it responded.
with source as (
    select
        "Id",
        "CampaignId",
        "LeadId",
        "ContactId",
        "Status",
        "HasResponded",
        "FirstRespondedDate",
        "IsDeleted",
        "CreatedDate",
        "SystemModstamp"
    from {{ source('salesforce', 'campaign_members') }}
),

renamed as (
    select
        "Id" as campaign_member_id,
        "CampaignId" as campaign_id,
        "LeadId" as lead_id,
        "ContactId" as contact_id,
        "Status" as member_status,
        coalesce("HasResponded", false) as has_responded,
        "FirstRespondedDate" as first_responded_on,
        coalesce("IsDeleted", false) as is_deleted,
        "CreatedDate" as created_at,
        "SystemModstamp" as updated_at
    from source
)

select * from renamed
