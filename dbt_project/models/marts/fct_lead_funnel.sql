-- The one lead model every mart and the report count from: one row per person (not excluded).
with persons as (
    select
        person_id,
        person_key,
        is_excluded,
        created_at,
        crm_mql_at,
        crm_sql_at,
        crm_opportunity_at,
        crm_customer_at,
        is_disqualified,
        campaign_key,
        channel
    from {{ ref('int_crm_records_merged_to_persons') }}
),

deals as (
    select
        person_key,
        first_deal_at,
        first_won_at,
        won_revenue,
        currency_code
    from {{ ref('int_person_deals_joined') }}
),

settings as (
    select reporting_currency from {{ ref('stg_definitions__settings') }}
),

reached as (
    select
        persons.person_id,
        persons.created_at,
        persons.crm_mql_at,
        persons.crm_sql_at,
        least(persons.crm_opportunity_at, deals.first_deal_at) as opportunity_at,
        least(persons.crm_customer_at, deals.first_won_at) as customer_at,
        persons.is_disqualified,
        persons.campaign_key,
        persons.channel,
        coalesce(deals.won_revenue, 0) as revenue,
        coalesce(deals.currency_code, settings.reporting_currency) as currency_code
    from persons
    left join deals on persons.person_key = deals.person_key
    cross join settings
    where not persons.is_excluded
),

-- A stage's time is the earliest time the person reached it or any later stage, so reaching a
-- stage implies the earlier ones and times never run backwards along the funnel.
backfilled as (
    select
        *,
        least(crm_sql_at, opportunity_at, customer_at) as sql_at,
        least(crm_mql_at, crm_sql_at, opportunity_at, customer_at) as mql_at,
        least(created_at, crm_mql_at, crm_sql_at, opportunity_at, customer_at) as lead_at,
        least(opportunity_at, customer_at) as opportunity_at_backfilled
    from reached
),

final as (
    select
        person_id::text as person_id,
        lead_at::timestamptz as lead_at,
        mql_at::timestamptz as mql_at,
        sql_at::timestamptz as sql_at,
        opportunity_at_backfilled::timestamptz as opportunity_at,
        customer_at::timestamptz as customer_at,
        is_disqualified::boolean as is_disqualified,
        channel::text as channel,
        campaign_key::text as campaign_key,
        (campaign_key is not null or channel like 'Paid %')::boolean as is_paid,
        revenue::numeric(18, 2) as revenue,
        currency_code::text as currency_code
    from backfilled
)

select * from final
