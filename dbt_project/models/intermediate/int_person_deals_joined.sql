-- Each person's deals: the first deal makes an opportunity, the first won deal a customer.
with deals as (
    select
        deal_id,
        amount,
        currency_code,
        created_at,
        closed_at,
        is_won
    from {{ ref('stg_hubspot__deals') }}
    where not is_archived
),

deal_contacts as (
    select
        deal_id,
        crm_record_id
    from {{ ref('stg_hubspot__deal_contacts') }}
),

records as (
    select
        crm,
        crm_record_id,
        person_key
    from {{ ref('int_crm_records_attributed') }}
),

person_deals as (
    -- A deal linked to two records of one person counts once.
    select distinct
        records.person_key,
        deals.deal_id,
        deals.amount,
        deals.currency_code,
        deals.created_at,
        deals.closed_at,
        deals.is_won
    from deals
    inner join deal_contacts on deals.deal_id = deal_contacts.deal_id
    inner join records on records.crm = 'hubspot' and deal_contacts.crm_record_id = records.crm_record_id
),

final as (
    select
        person_key,
        count(*) as deal_count,
        count(*) filter (where is_won) as won_deal_count,
        min(created_at) as first_deal_at,
        min(closed_at) filter (where is_won) as first_won_at,
        coalesce(sum(amount) filter (where is_won), 0) as won_revenue,
        min(currency_code) as currency_code
    from person_deals
    group by person_key
)

select * from final
