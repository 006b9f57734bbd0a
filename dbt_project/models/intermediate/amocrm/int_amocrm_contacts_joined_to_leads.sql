-- One row per amoCRM contact, with the UTM tags and click ids of the lead it came with: amoCRM's
-- web forms write them into the lead card, not the contact. That lead is the earliest created of
-- those the contact is the main contact of, else of any it is linked to (first touch). The records
-- entry of amoCRM in macros/crm_sources.sql.
with contacts as (
    select
        crm_record_id,
        email_normalized,
        phone_digits,
        created_at,
        updated_at,
        is_archived
    from {{ ref('stg_amocrm__contacts') }}
),

lead_contacts as (
    select
        deal_id,
        crm_record_id,
        is_main
    from {{ ref('stg_amocrm__lead_contacts') }}
),

leads as (
    select
        deal_id,
        utm_source,
        utm_medium,
        utm_campaign,
        gclid,
        yclid,
        fbclid,
        created_at
    from {{ ref('stg_amocrm__leads') }}
),

first_leads as (
    select distinct on (lead_contacts.crm_record_id)
        lead_contacts.crm_record_id,
        leads.utm_source,
        leads.utm_medium,
        leads.utm_campaign,
        leads.gclid,
        leads.yclid,
        leads.fbclid
    from lead_contacts
    inner join leads
        on lead_contacts.deal_id = leads.deal_id
    order by lead_contacts.crm_record_id, lead_contacts.is_main desc, leads.created_at, leads.deal_id
),

final as (
    select
        contacts.crm_record_id,
        contacts.email_normalized,
        contacts.phone_digits,
        first_leads.utm_source,
        first_leads.utm_medium,
        first_leads.utm_campaign,
        first_leads.gclid,
        first_leads.yclid,
        first_leads.fbclid,
        contacts.created_at,
        contacts.updated_at,
        contacts.is_archived
    from contacts
    left join first_leads
        on contacts.crm_record_id = first_leads.crm_record_id
)

select * from final
