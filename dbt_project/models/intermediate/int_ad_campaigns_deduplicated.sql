-- One row per ad-platform campaign with its latest name: names change, ids do not.
with spend as (
    select
        ad_platform,
        account_id,
        campaign_id,
        campaign_name,
        campaign_type,
        date_day
    from {{ ref('stg_google_ads__campaign_daily') }}
),

latest as (
    select distinct on (ad_platform, account_id, campaign_id)
        ad_platform || ':' || account_id || ':' || campaign_id as campaign_key,
        ad_platform,
        account_id,
        campaign_id,
        campaign_name,
        campaign_type
    from spend
    order by ad_platform, account_id, campaign_id, date_day desc
),

final as (
    select
        campaign_key,
        ad_platform,
        account_id,
        campaign_id,
        campaign_name,
        campaign_type,
        {{ campaign_channel('campaign_type') }} as channel
    from latest
)

select * from final
