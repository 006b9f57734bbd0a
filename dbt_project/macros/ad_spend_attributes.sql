{#- The post-hook of the campaign-day tables (fct_ad_spend_daily, fct_campaign_performance): the days
    before the restated ones keep their numbers but take the current campaign name and channel (a
    renamed campaign, changed channel rules), as a full rebuild would show them. Only rows that
    differ are written. -#}
{% macro refresh_campaign_attributes() %}
    {%- if not execute or restates_every_day() -%}{{ return('') }}{%- endif -%}
    update {{ this }} as campaign_day
    set
        campaign_name = campaigns.campaign_name,
        channel = campaigns.channel
    from {{ ref('dim_campaigns') }} as campaigns
    where campaign_day.campaign_key = campaigns.campaign_key
        and campaign_day.date_day < {{ restated_days_from() }}
        and (campaign_day.campaign_name, campaign_day.channel)
            is distinct from (campaigns.campaign_name, campaigns.channel)
{% endmacro %}


{#- fct_ad_spend_daily's post-hook: campaign attributes as above, and the latest ad group name. -#}
{% macro refresh_ad_spend_attributes() %}
    {%- if not execute or restates_every_day() -%}{{ return('') }}{%- endif -%}
    {{ refresh_campaign_attributes() }}
    {%- if not restates_no_day() %};

    -- An ad group's latest name is on its latest day, so ad groups with no restated day keep theirs.
    -- A temp table with statistics: the planner then hashes the few thousand ad groups instead of
    -- sorting the whole table for a merge join (10M rows: 20 s -> 5 s).
    create temp table ad_group_latest_names on commit drop as
    select distinct on (ad_platform, account_id, campaign_id, ad_group_id)
        ad_platform || ':' || account_id || ':' || campaign_id as campaign_key,
        ad_group_id,
        ad_group_name
    from {{ ref('int_ad_group_days_unioned') }}
    where date_day >= {{ restated_days_from() }}
    order by ad_platform, account_id, campaign_id, ad_group_id, date_day desc;

    analyze ad_group_latest_names;

    update {{ this }} as spend
    set ad_group_name = renamed.ad_group_name
    from ad_group_latest_names as renamed
    where spend.campaign_key = renamed.campaign_key
        and spend.ad_group_id = renamed.ad_group_id
        and spend.date_day < {{ restated_days_from() }}
        and spend.ad_group_name is distinct from renamed.ad_group_name
    {%- endif %}
{% endmacro %}
