-- Deal-to-record associations of every CRM; each live deal's primary record is flagged.
-- A deal counts once, for one person: its earliest-created live associated record (CRMs'
-- own "primary contact" flags are not in every API), so a buying committee of three does not
-- make three customers.
{%- set contract = [
    ('deal_id', 'text'),
    ('crm_record_id', 'text'),
] %}

with unioned as (
    {{ union_crm_entity('deal_records', contract) }}
),

records as (
    select
        crm,
        crm_record_id,
        created_at
    from {{ ref('int_crm_records_unioned') }}
    where not is_archived
),

associations as (
    select distinct
        crm,
        deal_id,
        crm_record_id
    from unioned
),

ranked as (
    select
        associations.crm,
        associations.deal_id,
        associations.crm_record_id,
        records.crm_record_id is not null as is_live_record,
        row_number() over (
            partition by associations.crm, associations.deal_id
            order by records.created_at nulls last, associations.crm_record_id
        ) as association_rank
    from associations
    left join records
        on associations.crm = records.crm
        and associations.crm_record_id = records.crm_record_id
),

final as (
    select
        crm,
        deal_id,
        crm_record_id,
        (is_live_record and association_rank = 1) as is_primary
    from ranked
)

select * from final
