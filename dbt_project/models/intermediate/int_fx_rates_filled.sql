{{ config(materialized='table') }}
-- Every day x currency with the rate that turns an amount in that currency into the reporting
-- currency (settings.reporting_currency): amount * rate_to_reporting.
-- * The ECB quotes units of quote_currency per 1 base_currency (EUR) on working days only; a
--   day without a quote (weekend, holiday, today's not yet published) takes the last quote
--   before it (forward fill); days before a currency's first quote take its first quote (back
--   fill, e.g. a load window that starts on a weekend).
-- * Cross rates go through the base: rate_to_reporting(C) = rate(reporting) / rate(C), the base
--   itself at 1.
-- * The reporting currency is always 1, also when no rates exist at all: a warehouse that
--   reports in the currency all its amounts are in needs no FX source.
-- Days run from the first day a rate or an amount to convert exists to today (or the last
-- amount, if later). A currency with amounts but no quote at all gets no rate: the marts'
-- not_null tests on converted amounts then fail loudly instead of dropping money.
with settings as (
    select
        reporting_currency,
        report_timezone,
        -- Today, overridable for unit tests (var fx_today, a SQL date expression).
        {{ var('fx_today', 'current_date') }}::date as today
    from {{ ref('stg_definitions__settings') }}
),

rates as (
    {%- if var('fx_rates_enabled', true) %}
    select
        rate_date,
        upper(base_currency) as base_currency,
        upper(quote_currency) as quote_currency,
        rate
    from {{ ref('stg_fx__daily_rates') }}
    where rate > 0
    {%- else %}
    -- No FX source: only the reporting currency converts (at 1).
    select
        null::date as rate_date,
        null::text as base_currency,
        null::text as quote_currency,
        null::numeric as rate
    where false
    {%- endif %}
),

quotes as (
    select
        rate_date,
        base_currency,
        quote_currency as currency,
        rate
    from rates

    union

    select distinct
        rate_date,
        base_currency,
        base_currency as currency,
        1::numeric as rate
    from rates
),

quoted as (
    -- One rate per day and currency; with several bases on one day the first base alphabetically.
    select distinct on (quotes.rate_date, quotes.currency)
        quotes.rate_date as date_day,
        quotes.currency,
        reporting.rate / quotes.rate as rate_to_reporting
    from quotes
    cross join settings
    inner join quotes as reporting
        on quotes.rate_date = reporting.rate_date
        and quotes.base_currency = reporting.base_currency
        and reporting.currency = settings.reporting_currency
    order by quotes.rate_date, quotes.currency, quotes.base_currency
),

-- The currencies amounts are in, each with the first and last day of its amounts: grouped per
-- currency, not a distinct union of every day and currency (hashing millions of campaign-days took
-- seconds).
amount_currencies as (
    select
        upper(currency_code) as currency,
        min(date_day) as first_day,
        max(date_day) as last_day
    from {{ ref('int_ad_campaign_days_unioned') }}
    group by 1

    union all

    select
        deals.currency_code as currency,
        min((deal_days.moment at time zone settings.report_timezone)::date) as first_day,
        max((deal_days.moment at time zone settings.report_timezone)::date) as last_day
    from {{ ref('int_crm_deals_unioned') }} as deals
    cross join lateral (values (deals.created_at), (deals.closed_at)) as deal_days (moment)
    cross join settings
    where deal_days.moment is not null
    group by 1
),

currencies as (
    select currency from quoted
    union
    select currency from amount_currencies where currency is not null
    union
    select reporting_currency from settings
),

bounds as (
    select
        least(
            (select min(date_day) from quoted),
            (select min(first_day) from amount_currencies),
            settings.today
        ) as first_day,
        greatest(
            (select max(date_day) from quoted),
            (select max(last_day) from amount_currencies),
            settings.today
        ) as last_day
    from settings
),

days as (
    select generate_series(bounds.first_day, bounds.last_day, interval '1 day')::date as date_day
    from bounds
),

spine as (
    select
        days.date_day,
        currencies.currency,
        quoted.rate_to_reporting as quoted_rate,
        -- Groups a quoted day with the unquoted days after it.
        count(quoted.rate_to_reporting) over (
            partition by currencies.currency order by days.date_day
        ) as quote_group
    from days
    cross join currencies
    left join quoted
        on days.date_day = quoted.date_day
        and currencies.currency = quoted.currency
),

first_quotes as (
    select distinct on (currency)
        currency,
        rate_to_reporting
    from quoted
    order by currency, date_day
),

filled as (
    select
        spine.date_day,
        spine.currency,
        spine.quoted_rate,
        spine.quote_group,
        first_value(spine.quoted_rate) over (
            partition by spine.currency, spine.quote_group order by spine.date_day
        ) as forward_filled_rate
    from spine
),

final as (
    select
        filled.date_day,
        filled.currency,
        -- 12 decimals: cross rates divide; ECB quotes have at most 5 significant decimals.
        (
            case
                when filled.currency = settings.reporting_currency then 1::numeric
                when filled.quote_group = 0 then first_quotes.rate_to_reporting
                else filled.forward_filled_rate
            end
        )::numeric(28, 12) as rate_to_reporting,
        case
            when filled.currency = settings.reporting_currency then 'reporting_currency'
            when filled.quoted_rate is not null then 'quoted'
            when filled.quote_group > 0 then 'forward_filled'
            when first_quotes.rate_to_reporting is not null then 'back_filled'
        end as rate_source
    from filled
    cross join settings
    left join first_quotes on filled.currency = first_quotes.currency
)

select * from final
