-- Ad spend per platform, account, campaign, ad group where the platform reports one, and day (the
-- platform's own day, account time zone), in the reporting currency at the FX rate of that day; the
-- original amount and currency kept.
-- Grain: a campaign-day whose ad-group rows add up to its campaign row (spend to the micro,
-- impressions, clicks) is one row per ad group; every other campaign-day is its campaign row with a
-- null ad group (Performance Max, which has no ad groups; sources or days without an ad-group report;
-- ad-group rows that do not add up, e.g. one report restated and the other not yet). So the totals
-- per campaign and day are always the campaign report's, whichever grain a day has.
-- Incremental (macros/restated_days.sql): each build replaces the days from the earliest day an ad
-- or FX load touched since the last build (the platforms' lookback window every night, a backfill
-- as far back as it goes), and brings campaign names, channels and ad group names on the days
-- before up to date. Indexed by date_day: the restated days' delete and tests and the report's
-- periods find their rows by it.
{{ config(
    materialized='incremental',
    incremental_strategy='restated_days',
    restated_days_sources=enabled_ad_platforms() + ['fx_rates'],
    restated_days_settings=['currency'],
    on_schema_change='fail',
    indexes=[{'columns': ['date_day']}],
    post_hook=["{{ refresh_ad_spend_attributes() }}", "{{ record_restated_days() }}"],
) }}

with campaign_spend as (
    select
        ad_platform,
        account_id,
        account_time_zone,
        campaign_id,
        date_day,
        currency_code,
        spend,
        impressions,
        clicks,
        platform_conversions
    from {{ ref('int_ad_campaign_days_unioned') }}
    {%- if is_incremental() %}
    where date_day >= {{ restated_days_from() }}
    {%- endif %}
),

ad_group_spend as (
    select
        ad_platform,
        account_id,
        campaign_id,
        ad_group_id,
        ad_group_name,
        date_day,
        spend,
        impressions,
        clicks,
        platform_conversions
    from {{ ref('int_ad_group_days_unioned') }}
    {%- if is_incremental() %}
    where date_day >= {{ restated_days_from() }}
    {%- endif %}
),

campaigns as (
    select
        campaign_key,
        campaign_name,
        channel
    from {{ ref('dim_campaigns') }}
),

settings as (
    select reporting_currency from {{ ref('stg_definitions__settings') }}
),

fx as (
    select
        date_day,
        currency,
        rate_to_reporting
    from {{ ref('int_fx_rates_filled') }}
),

ad_group_names as (
    -- The latest name of each ad group: names change, ids do not. An ad group with a row among the
    -- restated days has its latest one there; refresh_ad_spend_attributes() renames its earlier rows.
    select distinct on (ad_platform, account_id, campaign_id, ad_group_id)
        ad_platform,
        account_id,
        campaign_id,
        ad_group_id,
        ad_group_name
    from ad_group_spend
    order by ad_platform, account_id, campaign_id, ad_group_id, date_day desc
),

ad_group_totals as (
    select
        ad_platform,
        account_id,
        campaign_id,
        date_day,
        sum(spend) as spend,
        sum(impressions) as impressions,
        sum(clicks) as clicks
    from ad_group_spend
    group by 1, 2, 3, 4
),

campaign_days_split as (
    -- Campaign-days shown at ad-group grain: their ad groups add up to the campaign row.
    select
        campaign_spend.ad_platform,
        campaign_spend.account_id,
        campaign_spend.account_time_zone,
        campaign_spend.campaign_id,
        campaign_spend.date_day,
        campaign_spend.currency_code
    from campaign_spend
    inner join ad_group_totals
        on campaign_spend.ad_platform = ad_group_totals.ad_platform
        and campaign_spend.account_id = ad_group_totals.account_id
        and campaign_spend.campaign_id = ad_group_totals.campaign_id
        and campaign_spend.date_day = ad_group_totals.date_day
    where campaign_spend.spend = ad_group_totals.spend
        and campaign_spend.impressions = ad_group_totals.impressions
        and campaign_spend.clicks = ad_group_totals.clicks
),

spend as (
    select
        split.ad_platform,
        split.account_id,
        split.account_time_zone,
        split.campaign_id,
        ad_group_spend.ad_group_id,
        split.date_day,
        split.currency_code,
        ad_group_spend.spend,
        ad_group_spend.impressions,
        ad_group_spend.clicks,
        ad_group_spend.platform_conversions
    from campaign_days_split as split
    inner join ad_group_spend
        on split.ad_platform = ad_group_spend.ad_platform
        and split.account_id = ad_group_spend.account_id
        and split.campaign_id = ad_group_spend.campaign_id
        and split.date_day = ad_group_spend.date_day

    union all

    select
        campaign_spend.ad_platform,
        campaign_spend.account_id,
        campaign_spend.account_time_zone,
        campaign_spend.campaign_id,
        null::text as ad_group_id,
        campaign_spend.date_day,
        campaign_spend.currency_code,
        campaign_spend.spend,
        campaign_spend.impressions,
        campaign_spend.clicks,
        campaign_spend.platform_conversions
    from campaign_spend
    where not exists (
        select 1
        from campaign_days_split as split
        where split.ad_platform = campaign_spend.ad_platform
            and split.account_id = campaign_spend.account_id
            and split.campaign_id = campaign_spend.campaign_id
            and split.date_day = campaign_spend.date_day
    )
),

final as (
    select
        (
            spend.ad_platform || ':' || spend.account_id || ':' || spend.campaign_id
            || coalesce(':' || spend.ad_group_id, '') || ':' || spend.date_day
        )::text as ad_spend_id,
        spend.date_day::date as date_day,
        spend.ad_platform::text as ad_platform,
        spend.account_id::text as account_id,
        spend.account_time_zone::text as account_time_zone,
        campaigns.campaign_key::text as campaign_key,
        campaigns.campaign_name::text as campaign_name,
        spend.ad_group_id::text as ad_group_id,
        ad_group_names.ad_group_name::text as ad_group_name,
        campaigns.channel::text as channel,
        settings.reporting_currency::text as currency_code,
        (
            case
                when upper(spend.currency_code) = settings.reporting_currency then spend.spend
                else spend.spend * fx.rate_to_reporting
            end
        )::numeric(18, 6) as spend,
        spend.spend::numeric(18, 6) as spend_original,
        upper(spend.currency_code)::text as currency_original,
        spend.impressions::bigint as impressions,
        spend.clicks::bigint as clicks,
        spend.platform_conversions::numeric(18, 4) as platform_conversions
    from spend
    inner join campaigns
        on spend.ad_platform || ':' || spend.account_id || ':' || spend.campaign_id = campaigns.campaign_key
    left join ad_group_names
        on spend.ad_platform = ad_group_names.ad_platform
        and spend.account_id = ad_group_names.account_id
        and spend.campaign_id = ad_group_names.campaign_id
        and spend.ad_group_id = ad_group_names.ad_group_id
    cross join settings
    left join fx
        on spend.date_day = fx.date_day
        and upper(spend.currency_code) = fx.currency
)

-- Written in day order: a night's restated days then sit together at the end of the table, and
-- their delete, tests and the report's periods read those pages, not every page of the table
-- (10M rows: the lookback's 280k rows were spread over all of its 210k pages).
select * from final
order by date_day
