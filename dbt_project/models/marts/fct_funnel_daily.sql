-- Stage counts by the day (report time zone) each stage was reached, by channel and campaign;
-- revenue is the won revenue of the persons who became customers that day. The rows of
-- int_funnel_stages_counted_by_campaign_day, which counts the persons' stages once for this table
-- and fct_campaign_performance.
with counted as (
    select
        date_day,
        channel,
        campaign_key,
        is_paid,
        leads,
        mqls,
        sqls,
        opportunities,
        customers,
        revenue
    from {{ ref('int_funnel_stages_counted_by_campaign_day') }}
),

final as (
    select
        (date_day || ':' || channel || ':' || coalesce(campaign_key, '-'))::text as funnel_day_id,
        date_day::date as date_day,
        channel::text as channel,
        campaign_key::text as campaign_key,
        is_paid::boolean as is_paid,
        leads::bigint as leads,
        mqls::bigint as mqls,
        sqls::bigint as sqls,
        opportunities::bigint as opportunities,
        customers::bigint as customers,
        revenue::numeric(18, 2) as revenue
    from counted
)

select * from final
