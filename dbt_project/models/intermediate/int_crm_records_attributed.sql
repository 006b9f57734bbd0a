-- Every CRM record with its person key, exclusion flag and the campaign its UTM tags point to.
with contacts as (
    select
        crm,
        crm_record_id,
        email_normalized,
        phone_digits,
        created_at,
        crm_source,
        utm_medium,
        utm_campaign,
        gclid,
        crm_mql_at,
        crm_sql_at,
        crm_opportunity_at,
        crm_customer_at,
        is_disqualified,
        is_archived
    from {{ ref('stg_hubspot__contacts') }}
),

excluded_domains as (
    select email_domain from {{ ref('stg_definitions__excluded_email_domains') }}
),

campaigns as (
    select
        campaign_key,
        campaign_id,
        campaign_name,
        channel
    from {{ ref('int_ad_campaigns_deduplicated') }}
),

keyed as (
    select
        contacts.*,
        -- Person identity: normalized e-mail, else phone digits, else the CRM's own id.
        coalesce(
            'email:' || email_normalized,
            'phone:' || phone_digits,
            crm || ':' || crm_record_id
        ) as person_key,
        is_archived or exists (
            select 1 from excluded_domains
            where split_part(contacts.email_normalized, '@', 2) = excluded_domains.email_domain
        ) as is_excluded
    from contacts
),

attributed as (
    select
        keyed.*,
        -- A UTM campaign names an ad campaign by id or by (case- and space-insensitive) name.
        (
            select campaigns.campaign_key
            from campaigns
            where campaigns.campaign_id = keyed.utm_campaign
                or lower(trim(campaigns.campaign_name)) = lower(keyed.utm_campaign)
            order by campaigns.campaign_id = keyed.utm_campaign desc, campaigns.campaign_key
            limit 1
        ) as campaign_key
    from keyed
),

final as (
    select
        attributed.crm,
        attributed.crm_record_id,
        attributed.person_key,
        attributed.is_excluded,
        attributed.created_at,
        attributed.crm_mql_at,
        attributed.crm_sql_at,
        attributed.crm_opportunity_at,
        attributed.crm_customer_at,
        attributed.is_disqualified,
        attributed.campaign_key,
        coalesce(campaigns.channel, {{ channel_grouping('attributed.utm_medium', 'attributed.crm_source') }}) as channel
    from attributed
    left join campaigns on attributed.campaign_key = campaigns.campaign_key
)

select * from final
