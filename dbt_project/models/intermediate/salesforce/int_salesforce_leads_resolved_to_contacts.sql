-- Every Salesforce lead with the record it counts as: the contact it was converted into when
-- that contact is loaded, else the lead itself. Salesforce keeps a converted lead beside its new
-- contact; both are one person, and a lead converted into an existing contact joins that
-- contact. So a converted lead's status (Closed - Converted) becomes a stage of its contact.
with leads as (
    select
        lead_id,
        email_normalized,
        phone_digits,
        company_name,
        job_title,
        country,
        lead_status,
        lead_source,
        converted_contact_id,
        converted_opportunity_id,
        is_deleted,
        created_at,
        updated_at
    from {{ ref('stg_salesforce__leads') }}
),

contacts as (
    select contact_id
    from {{ ref('stg_salesforce__contacts') }}
),

final as (
    select
        leads.lead_id,
        coalesce(contacts.contact_id, leads.lead_id) as crm_record_id,
        contacts.contact_id is not null as is_converted_to_contact,
        leads.email_normalized,
        leads.phone_digits,
        leads.company_name,
        leads.job_title,
        leads.country,
        leads.lead_status,
        leads.lead_source,
        leads.converted_opportunity_id,
        leads.is_deleted,
        leads.created_at,
        leads.updated_at
    from leads
    left join contacts
        on leads.converted_contact_id = contacts.contact_id
)

select * from final
