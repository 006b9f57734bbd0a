{#- Per-ad-platform field mappings onto the common ad-spend contracts (Fivetran style): adding
    LinkedIn or Yandex Direct is a new entry here plus its staging models, never a copy of the
    intermediate or mart SQL. Each platform is switched on and off by a var (`<platform>_enabled`);
    left on, a platform that is not configured reads its raw tables, which prepare_warehouse
    creates empty for every declared stream, and adds no rows.

    Entities, each unioned by one intermediate model (macro union_sources_entity):
      campaign_days -> int_ad_campaign_days_unioned  (a campaign's day: spend as billed, metrics)
      ad_group_days -> int_ad_group_days_unioned     (the same per ad group / ad set, where reported;
                                                      a campaign-day's rows add up to its campaign row)
    A contract column missing from `fields` is null for that platform. -#}
{% macro ad_sources() %}
    {%- set day_metrics = {
        'date_day': 'date_day',
        'currency_code': 'currency_code',
        'spend': 'spend',
        'impressions': 'impressions',
        'clicks': 'clicks',
        'platform_conversions': 'platform_conversions',
    } -%}
    {{ return({
        'google_ads': {
            'enabled': var('google_ads_enabled', true),
            'campaign_days': {
                'model': 'stg_google_ads__campaign_daily',
                'fields': dict(day_metrics,
                    account_id='account_id',
                    account_name='account_name',
                    account_time_zone='account_time_zone',
                    campaign_id='campaign_id',
                    campaign_name='campaign_name',
                    campaign_type='campaign_type',
                    campaign_status='campaign_status',
                ),
            },
            'ad_group_days': {
                'model': 'stg_google_ads__ad_group_daily',
                'fields': dict(day_metrics,
                    account_id='account_id',
                    account_time_zone='account_time_zone',
                    campaign_id='campaign_id',
                    ad_group_id='ad_group_id',
                    ad_group_name='ad_group_name',
                    ad_group_status='ad_group_status',
                ),
            },
        },
        'meta_ads': {
            'enabled': var('meta_ads_enabled', true),
            'campaign_days': {
                'model': 'stg_meta_ads__campaign_daily',
                'fields': dict(day_metrics,
                    account_id='account_id',
                    account_name='account_name',
                    account_time_zone='account_time_zone',
                    campaign_id='campaign_id',
                    campaign_name='campaign_name',
                    campaign_type='campaign_objective',
                ),
            },
            'ad_group_days': {
                'model': 'stg_meta_ads__adset_daily',
                'fields': dict(day_metrics,
                    account_id='account_id',
                    account_time_zone='account_time_zone',
                    campaign_id='campaign_id',
                    ad_group_id='adset_id',
                    ad_group_name='adset_name',
                ),
            },
        },
        'linkedin_ads': {
            'enabled': var('linkedin_ads_enabled', true),
            'campaign_days': {
                'model': 'stg_linkedin_ads__campaign_daily',
                'fields': dict(day_metrics,
                    account_id='account_id',
                    account_name='account_name',
                    account_time_zone='account_time_zone',
                    campaign_id='campaign_id',
                    campaign_name='campaign_name',
                    campaign_type='campaign_type',
                    campaign_status='campaign_status',
                ),
            },
        },
        'yandex_direct': {
            'enabled': var('yandex_direct_enabled', true),
            'campaign_days': {
                'model': 'stg_yandex_direct__campaign_daily',
                'fields': dict(day_metrics,
                    account_id='account_id',
                    account_name='account_name',
                    account_time_zone='account_time_zone',
                    campaign_id='campaign_id',
                    campaign_name='campaign_name',
                    campaign_type='campaign_type',
                ),
            },
            'ad_group_days': {
                'model': 'stg_yandex_direct__ad_group_daily',
                'fields': dict(day_metrics,
                    account_id='account_id',
                    account_time_zone='account_time_zone',
                    campaign_id='campaign_id',
                    ad_group_id='ad_group_id',
                    ad_group_name='ad_group_name',
                ),
            },
        },
    }) }}
{% endmacro %}


{#- One union over every enabled ad platform of ad_sources(), mapped onto a contract;
    `ad_platform` names the platform of each row. -#}
{% macro union_ad_entity(entity, columns) -%}
    {{ union_sources_entity(ad_sources(), 'ad_platform', entity, columns) }}
{%- endmacro %}


{% macro enabled_ad_platforms() -%}
    {{ return(ad_sources().items() | selectattr('1.enabled') | map(attribute='0') | list) }}
{%- endmacro %}
