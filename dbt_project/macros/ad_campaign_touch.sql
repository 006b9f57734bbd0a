{#- What a click on each ad platform's ads carries: the UTM sources people tag it with (the first
    is the one the platform's own auto-tagging or templates use) and the platform's own click id.
    A platform fact, not a business rule: which channel a medium belongs to is decided by the
    configured channel_rules, exactly as for CRM records (int_ad_campaigns_deduplicated), so a
    campaign's spend and the leads it brings land in the same channel. -#}
{% macro ad_platform_clicks() -%}
    {{ return({
        'google_ads': {'utm_sources': ['google', 'adwords'], 'click_id_type': 'gclid'},
        'meta_ads': {'utm_sources': ['facebook', 'fb', 'instagram', 'ig', 'meta'], 'click_id_type': 'fbclid'},
        'linkedin_ads': {'utm_sources': ['linkedin'], 'click_id_type': none},
        'yandex_direct': {'utm_sources': ['yandex'], 'click_id_type': 'yclid'},
    }) }}
{%- endmacro %}

{#- The UTM source an ad-platform campaign's clicks carry. -#}
{% macro ad_campaign_utm_source(ad_platform) -%}
    case {{ ad_platform }}
    {%- for platform, clicks in ad_platform_clicks().items() %}
        when '{{ platform }}' then '{{ clicks.utm_sources[0] }}'
    {%- endfor %}
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

{#- The ad platform a CRM touch came from, or null when it does not say: its click id names the
    platform (an fbclid is Meta's, whatever the tags), else its utm_source (lowercased in staging).
    A touch's utm_campaign then only matches that platform's campaigns, so a campaign name used on
    two platforms credits the one the person clicked on. -#}
{% macro touch_ad_platform(utm_source, click_id_type) -%}
    case
    {%- for platform, clicks in ad_platform_clicks().items() if clicks.click_id_type %}
        when {{ click_id_type }} = '{{ clicks.click_id_type }}' then '{{ platform }}'
    {%- endfor %}
    {%- for platform, clicks in ad_platform_clicks().items() %}
        when {{ utm_source }} in ('{{ clicks.utm_sources | join("', '") }}') then '{{ platform }}'
    {%- endfor %}
    end
{%- endmacro %}
