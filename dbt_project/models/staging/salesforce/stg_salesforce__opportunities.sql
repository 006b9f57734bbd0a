-- Salesforce opportunities (the deals). Amount is in CurrencyIsoCode (a single-currency org's
-- currency is written in by the connector from the connection; a file drop without it leaves it
-- null, read as the reporting currency downstream). CloseDate is a date, expected while open
-- and the close once closed: a closed opportunity closes at the start of that day (UTC), never
-- before its creation.
with source as (
    select
        "Id",
        "Name",
        "AccountId",
        "Amount",
        "CurrencyIsoCode",
        "StageName",
        "IsWon",
        "IsClosed",
        "CloseDate",
        "LeadSource",
        "CampaignId",
        "OwnerId",
        "IsDeleted",
        "CreatedDate",
        "SystemModstamp"
    from {{ source('salesforce', 'opportunities') }}
),

renamed as (
    select
        'salesforce' as crm,
        "Id" as opportunity_id,
        "Name" as opportunity_name,
        "AccountId" as account_id,
        "Amount" as amount,
        "CurrencyIsoCode" as currency_code,
        "StageName" as stage_name,
        coalesce("IsWon", false) as is_won,
        coalesce("IsClosed", false) as is_closed,
        "CloseDate" as close_date,
        case
            when "IsClosed" then greatest("CloseDate"::timestamp at time zone 'UTC', "CreatedDate")
        end as closed_at,
        "LeadSource" as lead_source,
        "CampaignId" as campaign_id,
        "OwnerId" as owner_id,
        coalesce("IsDeleted", false) as is_deleted,
        "CreatedDate" as created_at,
        "SystemModstamp" as updated_at
    from source
)

select * from renamed
