-- Example questions answered from the marts (run by tests/integration against the tiny fixture).
-- Each block is one query; `-- name:` names it.

-- name: dim_persons
-- How many people are in the CRM, and how many are test/internal records left out of every stage?
select count(*) filter (where not is_excluded) as persons, count(*) filter (where is_excluded) as excluded
from marts.dim_persons;

-- name: dim_campaigns
-- Which campaigns run on which channel?
select channel, campaign_name, campaign_type from marts.dim_campaigns order by channel, campaign_name;

-- name: dim_channels
-- Which channels count as paid media?
select channel, is_paid from marts.dim_channels order by channel;

-- name: fct_ad_spend_daily
-- Spend per channel last month, in the reporting currency (and what was billed in other currencies).
select channel, sum(spend) as spend, string_agg(distinct currency_original, ', ') as billed_in
from marts.fct_ad_spend_daily
where date_day >= date_trunc('month', current_date) - interval '1 month' and date_day < date_trunc('month', current_date)
group by channel order by spend desc;

-- name: fct_lead_funnel
-- Lead -> customer conversion and revenue by first-touch channel.
select channel, count(*) as leads, count(customer_at) as customers,
       round(count(customer_at)::numeric / count(*), 3) as lead_to_customer, sum(revenue) as revenue
from marts.fct_lead_funnel group by channel order by leads desc;

-- name: fct_funnel_daily
-- MQLs per week, paid vs not paid.
select date_trunc('week', date_day)::date as week, is_paid, sum(mqls) as mqls
from marts.fct_funnel_daily group by 1, 2 order by 1, 2;

-- name: fct_stage_history
-- How were people's stages reached: in the CRM, by score, by a high-intent action, or back-filled?
select stage, source, count(*) as persons from marts.fct_stage_history group by 1, 2 order by 1, 2;

-- name: fct_cohort_conversion
-- Lead -> customer rate by lead month (young cohorts are provisional, not a drop).
select cohort_month, sum(leads) as leads, sum(customers) as customers,
       round(sum(customers)::numeric / nullif(sum(leads), 0), 3) as lead_to_customer, bool_or(is_provisional) as provisional
from marts.fct_cohort_conversion group by cohort_month order by cohort_month;

-- name: fct_campaign_performance
-- CPL and ROMI per campaign over the last 30 days (ratios recomputed from the sums).
select campaign_name, sum(spend) as spend, sum(leads) as leads,
       round(sum(spend) / nullif(sum(leads), 0), 2) as cpl,
       round((sum(revenue) - sum(spend)) / nullif(sum(spend), 0) * 100, 1) as romi_percent
from marts.fct_campaign_performance
where campaign_key is not null and date_day > current_date - 30
group by campaign_name order by spend desc;

-- name: fct_lead_sla
-- Share of MQLs touched by sales within the SLA, per week, and the untouched backlog now.
select date_trunc('week', mql_date)::date as week,
       round(avg(is_within_sla::int) filter (where not is_sla_pending), 3) as within_sla,
       count(*) filter (where is_in_backlog) as untouched_backlog
from marts.fct_lead_sla group by 1 order by 1;

-- name: fct_leakage
-- Where leads leak: per stage, why people were lost or are stuck, by campaign.
select stage, leakage_type, reason, campaign_key_or_none, sum(persons) as persons
from marts.fct_leakage group by 1, 2, 3, 4 order by persons desc limit 20;

-- name: fct_kpi_period
-- Every KPI of last month against its target.
select kpi, round(value, 2) as value, target_low, target_high, status
from marts.fct_kpi_period
where period_type = 'month' and period_start = date_trunc('month', current_date - interval '1 month')::date
order by kpi_order;
