with campaigns as (
    select
        campaign_key,
        ad_platform,
        account_id,
        campaign_id,
        campaign_name,
        campaign_type,
        channel
    from {{ ref('int_ad_campaigns_deduplicated') }}
),

final as (
    select
        campaign_key::text as campaign_key,
        ad_platform::text as ad_platform,
        account_id::text as account_id,
        campaign_id::text as campaign_id,
        campaign_name::text as campaign_name,
        campaign_type::text as campaign_type,
        channel::text as channel
    from campaigns
)

select * from final
