{#- The UTM source and medium an ad-platform campaign's clicks carry, implied by the platform and
    the campaign type. A platform fact, not a business rule: which channel a medium belongs to is
    decided by the configured channel_rules, exactly as for CRM records (int_ad_campaigns_deduplicated),
    so a campaign's spend and the leads it brings land in the same channel. -#}
{% macro ad_campaign_utm_source(ad_platform) -%}
    case {{ ad_platform }}
        when 'google_ads' then 'google'
        when 'meta_ads' then 'facebook'
        when 'linkedin_ads' then 'linkedin'
        when 'yandex_direct' then 'yandex'
    end
{%- endmacro %}

{% macro ad_campaign_utm_medium(ad_platform, campaign_type) -%}
    case
        when {{ ad_platform }} in ('meta_ads', 'linkedin_ads') then 'paid_social'
        when {{ campaign_type }} in ('display', 'demand_gen', 'discovery') then 'display'
        when {{ campaign_type }} = 'video' then 'video'
        else 'cpc'
    end
{%- endmacro %}
