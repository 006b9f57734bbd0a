-- The one lead model every mart and the report count from: one row per person, excluded persons
-- (test / internal / junk, see dim_persons) left out. Stage times follow the shared definitions
-- (int_person_lifecycle), attribution int_persons_attributed, revenue the person's won deals.
-- Incremental (macros/restated_persons.sql): each build rewrites the persons whose CRM rows changed
-- (a deal closed or a stage changed after the fact shows up on the next build), and every person
-- when a campaign or a definition they read changed.
{{ restated_persons_config(settings=['reporting_currency'], on_schema_change='fail') }}

with lifecycle as (
    select
        lifecycle.person_id,
        lifecycle.is_excluded,
        lifecycle.lead_at,
        lifecycle.mql_at,
        lifecycle.sql_at,
        lifecycle.opportunity_at,
        lifecycle.customer_at,
        lifecycle.disqualified_at,
        lifecycle.disqualification_reason,
        lifecycle.lost_at,
        lifecycle.lost_reason,
        lifecycle.current_stage,
        lifecycle.mql_reason,
        lifecycle.first_sales_touch_at,
        lifecycle.last_progress_at
    from {{ ref('int_person_lifecycle') }} as lifecycle
    {{ only_restated_persons('lifecycle.person_id') }}
),

scores as (
    select
        scores.person_id,
        scores.lead_score
    from {{ ref('int_leads_scored') }} as scores
    {{ only_restated_persons('scores.person_id') }}
),

attribution as (
    select
        attribution.person_id,
        attribution.channel,
        attribution.campaign_key,
        attribution.is_paid
    from {{ ref('int_persons_attributed') }} as attribution
    {{ only_restated_persons('attribution.person_id') }}
),

settings as (
    select reporting_currency from {{ ref('stg_definitions__settings') }}
),

won_deals as (
    select
        deals.person_id,
        count(*) as won_deal_count,
        sum(amount) as revenue,
        sum(amount_original) as revenue_original,
        min(currency_original) as first_currency,
        count(distinct currency_original) as currency_count
    from {{ ref('int_deals_joined_to_persons') }} as deals
    {{ only_restated_persons('deals.person_id') }}
    where deals.deal_outcome = 'won'
    group by deals.person_id
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
