-- The records each Salesforce opportunity is associated with: the contacts of its contact
-- roles, and the lead it was converted from (as the record that lead counts as, its contact).
-- The deal_records entry of Salesforce in macros/crm_sources.sql.
with contact_roles as (
    select
        opportunity_id,
        contact_id
    from {{ ref('stg_salesforce__opportunity_contact_roles') }}
    where not is_deleted
),

converted_leads as (
    select
        converted_opportunity_id,
        crm_record_id
    from {{ ref('int_salesforce_leads_resolved_to_contacts') }}
    where converted_opportunity_id is not null
),

final as (
    select
        opportunity_id,
        contact_id as crm_record_id
    from contact_roles

    union

    select
        converted_opportunity_id as opportunity_id,
        crm_record_id
    from converted_leads
)

select * from final
