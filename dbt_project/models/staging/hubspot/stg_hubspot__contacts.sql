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
        hs_facebook_click_id,
        jobtitle,
        country,
        first_conversion_event_name,
        first_conversion_date,
        recent_conversion_event_name,
        recent_conversion_date,
        disqualification_reason,
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
        nullif(trim(jobtitle), '') as job_title,
        nullif(trim(country), '') as country,
        createdate as created_at,
        lifecyclestage as crm_stage,
        hs_lead_status as crm_lead_status,
        hubspotscore as lead_score,
        hs_analytics_source as crm_source,
        nullif(lower(trim(utm_source)), '') as utm_source,
        nullif(lower(trim(utm_medium)), '') as utm_medium,
        nullif(trim(utm_campaign), '') as utm_campaign,
        hs_google_click_id as gclid,
        hs_facebook_click_id as fbclid,
        -- The form (conversion event) that created the lead, and the most recent one; with one
        -- conversion HubSpot sets both to it.
        nullif(trim(first_conversion_event_name), '') as first_conversion_event,
        first_conversion_date as first_conversion_at,
        nullif(trim(recent_conversion_event_name), '') as recent_conversion_event,
        recent_conversion_date as recent_conversion_at,
        hs_lifecyclestage_lead_date as crm_lead_at,
        hs_lifecyclestage_marketingqualifiedlead_date as crm_mql_at,
        hs_lifecyclestage_salesqualifiedlead_date as crm_sql_at,
        hs_lifecyclestage_opportunity_date as crm_opportunity_at,
        hs_lifecyclestage_customer_date as crm_customer_at,
        -- HubSpot marks disqualified leads with lead status, keeping lifecyclestage `other` or `lead`.
        coalesce(hs_lead_status = 'UNQUALIFIED', false) as is_disqualified,
        -- A custom property sales fill in when they disqualify a lead.
        nullif(trim(disqualification_reason), '') as disqualification_reason,
        coalesce(archived, false) as is_archived,
        updated_at
    from source
)

select * from renamed
