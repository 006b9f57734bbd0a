-- Every channel a person or a campaign can fall in: those the channel rules name, `Other` (no
-- rule matched) and any a campaign got.
with rules as (
    select
        channel,
        bool_or(is_paid) as is_paid,
        array_agg(rule_order order by rule_order) as rule_orders
    from {{ ref('stg_definitions__channel_rules') }}
    group by channel
),

other_channels as (
    select 'Other' as channel
    union
    select channel from {{ ref('int_ad_campaigns_deduplicated') }}
),

channels as (
    select channel from rules
    union
    select channel from other_channels
),

final as (
    select
        channels.channel::text as channel,
        coalesce(rules.is_paid, false)::boolean as is_paid,
        coalesce(rules.rule_orders, '{}')::integer[] as rule_orders
    from channels
    left join rules on channels.channel = rules.channel
)

select * from final
