-- One row per Salesforce person record: every contact, completed by the earliest lead converted
-- into it (its company, its lead source, its creation: the person was first seen as that lead),
-- and every lead not converted into a loaded contact. The records entry of Salesforce in
-- macros/crm_sources.sql. utm_campaign is the name of the record's first campaign: the earliest
-- one it responded to, else the earliest it was added to.
with leads as (
    select
        lead_id,
        crm_record_id,
        is_converted_to_contact,
        email_normalized,
        phone_digits,
        company_name,
        job_title,
        country,
        lead_source,
        is_deleted,
        created_at,
        updated_at
    from {{ ref('int_salesforce_leads_resolved_to_contacts') }}
),

contacts as (
    select
        contact_id,
        email_normalized,
        phone_digits,
        job_title,
        country,
        lead_source,
        is_deleted,
        created_at,
        updated_at
    from {{ ref('stg_salesforce__contacts') }}
),

campaign_members as (
    select
        campaign_id,
        lead_id,
        contact_id,
        has_responded,
        first_responded_on,
        created_at
    from {{ ref('stg_salesforce__campaign_members') }}
    where not is_deleted
),

campaigns as (
    select
        campaign_id,
        campaign_name
    from {{ ref('stg_salesforce__campaigns') }}
),

first_converted_leads as (
    select distinct on (crm_record_id)
        crm_record_id,
        email_normalized,
        phone_digits,
        company_name,
        job_title,
        country,
        lead_source,
        created_at,
        updated_at
    from leads
    where is_converted_to_contact
    order by crm_record_id, created_at, lead_id
),

memberships as (
    -- A lead member counts as the record of that lead (its contact once converted).
    select
        coalesce(leads.crm_record_id, campaign_members.contact_id) as crm_record_id,
        campaigns.campaign_name,
        campaign_members.has_responded,
        campaign_members.first_responded_on,
        campaign_members.created_at
    from campaign_members
    inner join campaigns
        on campaign_members.campaign_id = campaigns.campaign_id
    left join leads
        on campaign_members.lead_id = leads.lead_id
),

first_campaigns as (
    select distinct on (crm_record_id)
        crm_record_id,
        campaign_name
    from memberships
    where crm_record_id is not null
    order by crm_record_id, has_responded desc, first_responded_on nulls last, created_at
),

records as (
    select
        contacts.contact_id as crm_record_id,
        coalesce(contacts.email_normalized, first_converted_leads.email_normalized) as email_normalized,
        coalesce(contacts.phone_digits, first_converted_leads.phone_digits) as phone_digits,
        first_converted_leads.company_name,
        coalesce(contacts.job_title, first_converted_leads.job_title) as job_title,
        coalesce(contacts.country, first_converted_leads.country) as country,
        coalesce(first_converted_leads.lead_source, contacts.lead_source) as crm_source,
        least(contacts.created_at, first_converted_leads.created_at) as created_at,
        greatest(contacts.updated_at, first_converted_leads.updated_at) as updated_at,
        contacts.is_deleted as is_archived
    from contacts
    left join first_converted_leads
        on contacts.contact_id = first_converted_leads.crm_record_id

    union all

    select
        crm_record_id,
        email_normalized,
        phone_digits,
        company_name,
        job_title,
        country,
        lead_source as crm_source,
        created_at,
        updated_at,
        is_deleted as is_archived
    from leads
    where not is_converted_to_contact
),

final as (
    select
        records.crm_record_id,
        records.email_normalized,
        records.phone_digits,
        records.company_name,
        records.job_title,
        records.country,
        records.crm_source,
        first_campaigns.campaign_name as utm_campaign,
        records.created_at,
        records.updated_at,
        records.is_archived
    from records
    left join first_campaigns
        on records.crm_record_id = first_campaigns.crm_record_id
)

select * from final
