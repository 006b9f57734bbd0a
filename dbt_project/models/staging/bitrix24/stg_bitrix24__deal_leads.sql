-- The lead each Bitrix24 deal was converted from: the record the deal counts for. A deal's
-- CONTACT_ID names a contact, which smarketing does not read, so it links no record.
with deals as (
    select
        deal_id,
        lead_id
    from {{ ref('stg_bitrix24__deals') }}
),

final as (
    select
        deal_id,
        lead_id as crm_record_id
    from deals
    where lead_id is not null
)

select * from final
