{#- Channel of a CRM record from its UTM medium and the CRM's own source classification.
    Paid media first: a UTM medium set by an ad's tracking template outranks the CRM's guess. -#}
{% macro channel_grouping(utm_medium, crm_source) -%}
    case
        when {{ utm_medium }} in ('cpc', 'ppc', 'paid', 'paidsearch', 'paid_search') then 'Paid Search'
        when {{ utm_medium }} in ('display', 'video', 'banner', 'cpm') then 'Paid Display & Video'
        when {{ utm_medium }} in ('paid_social', 'paidsocial') or {{ crm_source }} = 'PAID_SOCIAL' then 'Paid Social'
        when {{ utm_medium }} = 'email' or {{ crm_source }} = 'EMAIL_MARKETING' then 'Email'
        when {{ crm_source }} = 'PAID_SEARCH' then 'Paid Search'
        when {{ crm_source }} = 'ORGANIC_SEARCH' then 'Organic Search'
        when {{ crm_source }} = 'SOCIAL_MEDIA' then 'Organic Social'
        when {{ crm_source }} = 'REFERRALS' then 'Referral'
        when {{ crm_source }} = 'DIRECT_TRAFFIC' then 'Direct'
        when {{ crm_source }} = 'OFFLINE' then 'Offline'
        else 'Other'
    end
{%- endmacro %}

{#- Channel of an ad-platform campaign from its type. -#}
{% macro campaign_channel(campaign_type) -%}
    case
        when {{ campaign_type }} in ('display', 'video', 'demand_gen', 'discovery') then 'Paid Display & Video'
        else 'Paid Search'
    end
{%- endmacro %}
