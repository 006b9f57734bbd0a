with source as (
    select
        id,
        email,
        phone,
        company,
        createdate,
        lifecyclestage,
        hs_lead_status,
        hubspotscore,
        hs_analytics_source,
        utm_source,
        utm_medium,
        utm_campaign,
        hs_google_click_id,
        hs_lifecyclestage_lead_date,
        hs_lifecyclestage_marketingqualifiedlead_date,
        hs_lifecyclestage_salesqualifiedlead_date,
        hs_lifecyclestage_opportunity_date,
        hs_lifecyclestage_customer_date,
        archived,
        updated_at
    from {{ source('hubspot', 'contacts') }}
),

renamed as (
    select
        'hubspot' as crm,
        id as crm_record_id,
        nullif(lower(trim(email)), '') as email_normalized,
        nullif(regexp_replace(phone, '[^0-9]', '', 'g'), '') as phone_digits,
        company as company_name,
        createdate as created_at,
        lifecyclestage as crm_stage,
        hs_lead_status as crm_lead_status,
        hubspotscore as lead_score,
        hs_analytics_source as crm_source,
        nullif(lower(trim(utm_source)), '') as utm_source,
        nullif(lower(trim(utm_medium)), '') as utm_medium,
        nullif(trim(utm_campaign), '') as utm_campaign,
        hs_google_click_id as gclid,
        hs_lifecyclestage_lead_date as crm_lead_at,
        hs_lifecyclestage_marketingqualifiedlead_date as crm_mql_at,
        hs_lifecyclestage_salesqualifiedlead_date as crm_sql_at,
        hs_lifecyclestage_opportunity_date as crm_opportunity_at,
        hs_lifecyclestage_customer_date as crm_customer_at,
        -- HubSpot marks disqualified leads with lead status, keeping lifecyclestage `other` or `lead`.
        coalesce(hs_lead_status = 'UNQUALIFIED', false) as is_disqualified,
        coalesce(archived, false) as is_archived,
        updated_at
    from source
)

select * from renamed
