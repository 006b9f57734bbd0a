-- The one lead model every mart and the report count from: one row per person, excluded persons
-- (test / internal / junk, see dim_persons) left out. Stage times follow the shared definitions
-- (int_person_lifecycle), attribution int_persons_attributed, revenue the person's won deals.
-- A table rebuilt on every run: a deal closed or a stage changed after the fact shows up on the
-- next build.
with lifecycle as (
    select
        person_id,
        is_excluded,
        lead_at,
        mql_at,
        sql_at,
        opportunity_at,
        customer_at,
        disqualified_at,
        disqualification_reason,
        lost_at,
        lost_reason,
        current_stage,
        mql_reason,
        first_sales_touch_at,
        last_progress_at
    from {{ ref('int_person_lifecycle') }}
),

scores as (
    select
        person_id,
        lead_score
    from {{ ref('int_leads_scored') }}
),

attribution as (
    select
        person_id,
        channel,
        campaign_key,
        is_paid
    from {{ ref('int_persons_attributed') }}
),

settings as (
    select reporting_currency from {{ ref('stg_definitions__settings') }}
),

won_deals as (
    select
        person_id,
        count(*) as won_deal_count,
        sum(amount) as revenue,
        sum(amount_original) as revenue_original,
        min(currency_original) as first_currency,
        count(distinct currency_original) as currency_count
    from {{ ref('int_deals_joined_to_persons') }}
    where deal_outcome = 'won'
    group by person_id
),

final as (
    select
        lifecycle.person_id::text as person_id,
        lifecycle.lead_at::timestamptz as lead_at,
        lifecycle.mql_at::timestamptz as mql_at,
        lifecycle.sql_at::timestamptz as sql_at,
        lifecycle.opportunity_at::timestamptz as opportunity_at,
        lifecycle.customer_at::timestamptz as customer_at,
        lifecycle.disqualified_at::timestamptz as disqualified_at,
        lifecycle.disqualification_reason::text as disqualification_reason,
        lifecycle.lost_at::timestamptz as lost_at,
        lifecycle.lost_reason::text as lost_reason,
        lifecycle.current_stage::text as current_stage,
        lifecycle.mql_reason::text as mql_reason,
        coalesce(scores.lead_score, 0)::integer as lead_score,
        attribution.channel::text as channel,
        attribution.campaign_key::text as campaign_key,
        attribution.is_paid::boolean as is_paid,
        lifecycle.first_sales_touch_at::timestamptz as first_sales_touch_at,
        lifecycle.last_progress_at::timestamptz as last_progress_at,
        coalesce(won_deals.won_deal_count, 0)::integer as won_deal_count,
        coalesce(won_deals.revenue, 0)::numeric(18, 2) as revenue,
        -- In one currency only: won deals in several currencies have no meaningful original sum.
        (
            case
                when won_deals.person_id is null then 0
                when won_deals.currency_count = 1 then won_deals.revenue_original
            end
        )::numeric(18, 2) as revenue_original,
        (
            case
                when won_deals.person_id is null then settings.reporting_currency
                when won_deals.currency_count = 1 then won_deals.first_currency
            end
        )::text as revenue_currency
    from lifecycle
    inner join attribution on lifecycle.person_id = attribution.person_id
    left join scores on lifecycle.person_id = scores.person_id
    left join won_deals on lifecycle.person_id = won_deals.person_id
    cross join settings
    where not lifecycle.is_excluded
)

select * from final
