-- Every ad platform's campaign daily report on one contract, unioned by one macro with a
-- per-platform field mapping (macros/ad_sources.sql): spend as billed, in the account currency.
-- A view: fct_ad_spend_daily reads only the days it restates, which Postgres pushes down to the
-- raw tables; a table would copy every day of every platform again on every run.
{{ config(materialized='view') }}
{%- set contract = [
    ('account_id', 'text'),
    ('account_name', 'text'),
    ('account_time_zone', 'text'),
    ('campaign_id', 'text'),
    ('campaign_name', 'text'),
    ('campaign_type', 'text'),
    ('campaign_status', 'text'),
    ('date_day', 'date'),
    ('currency_code', 'text'),
    ('spend', 'numeric'),
    ('impressions', 'bigint'),
    ('clicks', 'bigint'),
    ('platform_conversions', 'numeric'),
] %}

with unioned as (
    {{ union_ad_entity('campaign_days', contract) }}
)

select * from unioned
