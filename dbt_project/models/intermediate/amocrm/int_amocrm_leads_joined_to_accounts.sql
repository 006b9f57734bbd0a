-- amoCRM leads with the currency of their price: an amoCRM price carries none, it is in the
-- currency set for the account (read from /api/v4/account).
with leads as (
    select
        account_id,
        deal_id,
        deal_name,
        amount,
        pipeline_id,
        lost_reason,
        created_at,
        closed_at,
        is_archived,
        updated_at
    from {{ ref('stg_amocrm__leads') }}
),

accounts as (
    select
        account_id,
        currency_code
    from {{ ref('stg_amocrm__accounts') }}
),

final as (
    select
        leads.deal_id,
        leads.deal_name,
        leads.amount,
        accounts.currency_code,
        leads.pipeline_id,
        leads.lost_reason,
        leads.created_at,
        leads.closed_at,
        leads.is_archived,
        leads.updated_at
    from leads
    left join accounts
        on leads.account_id = accounts.account_id
)

select * from final
