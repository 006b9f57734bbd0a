with source as (
    select
        account_id,
        campaign_id,
        day,
        cost_in_local_currency,
        impressions,
        clicks,
        one_click_leads,
        external_website_conversions
    from {{ source('linkedin_ads', 'campaign_daily') }}
),

-- Analytics elements carry neither the account's currency nor the campaign's name: the ad account
-- and the campaign themselves do.
accounts as (
    select
        account_id,
        account_name,
        currency_code
    from {{ ref('stg_linkedin_ads__accounts') }}
),

campaigns as (
    select
        campaign_id,
        campaign_name,
        campaign_type,
        campaign_status
    from {{ ref('stg_linkedin_ads__campaigns') }}
),

renamed as (
    select
        'linkedin_ads' as ad_platform,
        source.account_id,
        accounts.account_name,
        -- LinkedIn reports every account's days in UTC, whatever the account or its campaigns.
        'UTC' as account_time_zone,
        source.campaign_id,
        campaigns.campaign_name,
        campaigns.campaign_type,
        campaigns.campaign_status,
        source.day as date_day,
        -- Null until the account is loaded (stream linkedin_ads/accounts).
        accounts.currency_code,
        -- A decimal amount of the account currency (no micros).
        coalesce(source.cost_in_local_currency, 0) as spend,
        coalesce(source.impressions, 0) as impressions,
        coalesce(source.clicks, 0) as clicks,
        -- Lead Gen Form leads plus conversions tracked on the advertiser's site (Insight Tag).
        coalesce(source.one_click_leads, 0) + coalesce(source.external_website_conversions, 0) as platform_conversions
    from source
    left join accounts on source.account_id = accounts.account_id
    left join campaigns on source.campaign_id = campaigns.campaign_id
)

select * from renamed
