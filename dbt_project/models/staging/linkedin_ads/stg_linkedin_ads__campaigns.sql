with source as (
    select
        campaign_id,
        account_urn,
        name,
        status,
        type,
        objective_type,
        last_modified_ms
    from {{ source('linkedin_ads', 'campaigns') }}
),

renamed as (
    select
        campaign_id,
        -- urn:li:sponsoredAccount:<id>: the id is the URN's last part.
        split_part(account_urn, ':', 4) as account_id,
        name as campaign_name,
        lower(status) as campaign_status,
        -- sponsored_updates, text_ad, sponsored_inmails, dynamic
        lower(type) as campaign_type,
        lower(objective_type) as campaign_objective,
        to_timestamp(last_modified_ms / 1000.0) as last_modified_at
    from source
)

select * from renamed
