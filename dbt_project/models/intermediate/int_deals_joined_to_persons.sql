-- Every live deal with its person (through its primary record), its outcome by crm_stage_map
-- and its amount in the reporting currency. A deal is `won` when a value of it maps to won or
-- customer, `lost` when one maps to lost, else `open`. The amount converts at the FX rate of the
-- day (report time zone) the deal closed, an open deal's at the day it was created.
with deals as (
    select
        crm,
        deal_id,
        deal_name,
        amount,
        currency_code,
        created_at,
        closed_at,
        lost_reason
    from {{ ref('int_crm_deals_unioned') }}
    where not is_archived
),

primary_records as (
    select
        crm,
        deal_id,
        crm_record_id
    from {{ ref('int_crm_deal_records_unioned') }}
    where is_primary
),

persons as (
    select
        crm,
        crm_record_id,
        person_id
    from {{ ref('int_crm_records_merged_to_persons') }}
),

deal_events as (
    select
        crm,
        deal_id,
        min(reached_at) filter (where stage in ('won', 'customer')) as won_at,
        min(reached_at) filter (where stage = 'lost') as lost_at
    from {{ ref('int_crm_stage_events') }}
    where deal_id is not null
    group by crm, deal_id
),

settings as (
    select
        reporting_currency,
        report_timezone
    from {{ ref('stg_definitions__settings') }}
),

fx as (
    select
        date_day,
        currency,
        rate_to_reporting
    from {{ ref('int_fx_rates_filled') }}
),

joined as (
    select
        deals.crm,
        deals.deal_id,
        persons.person_id,
        primary_records.crm_record_id,
        deals.deal_name,
        case
            when deal_events.won_at is not null then 'won'
            when deal_events.lost_at is not null then 'lost'
            else 'open'
        end as deal_outcome,
        deals.created_at,
        deals.closed_at,
        deal_events.won_at,
        deal_events.lost_at,
        deals.lost_reason,
        coalesce(deals.amount, 0) as amount_original,
        coalesce(deals.currency_code, settings.reporting_currency) as currency_original,
        (coalesce(deal_events.won_at, deal_events.lost_at, deals.created_at) at time zone settings.report_timezone)::date
            as fx_date,
        settings.reporting_currency
    from deals
    inner join primary_records
        on deals.crm = primary_records.crm
        and deals.deal_id = primary_records.deal_id
    inner join persons
        on primary_records.crm = persons.crm
        and primary_records.crm_record_id = persons.crm_record_id
    left join deal_events
        on deals.crm = deal_events.crm
        and deals.deal_id = deal_events.deal_id
    cross join settings
),

final as (
    select
        joined.crm,
        joined.deal_id,
        joined.person_id,
        joined.crm_record_id,
        joined.deal_name,
        joined.deal_outcome,
        joined.created_at,
        joined.closed_at,
        joined.won_at,
        joined.lost_at,
        joined.lost_reason,
        joined.amount_original,
        joined.currency_original,
        joined.fx_date,
        (
            case
                when joined.currency_original = joined.reporting_currency then joined.amount_original
                else joined.amount_original * fx.rate_to_reporting
            end
        )::numeric(18, 2) as amount
    from joined
    left join fx
        on joined.fx_date = fx.date_day
        and joined.currency_original = fx.currency
)

select * from final
