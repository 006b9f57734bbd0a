-- Every CRM's leads / contacts on the common CRM-record contract, unioned by one macro with a
-- per-CRM field mapping (macros/crm_sources.sql). Derived columns are computed once, here.
{%- set contract = [
    ('crm_record_id', 'text'),
    ('email_normalized', 'text'),
    ('phone_digits', 'text'),
    ('company_name', 'text'),
    ('job_title', 'text'),
    ('country', 'text'),
    ('crm_score', 'numeric'),
    ('crm_source', 'text'),
    ('utm_source', 'text'),
    ('utm_medium', 'text'),
    ('utm_campaign', 'text'),
    ('gclid', 'text'),
    ('yclid', 'text'),
    ('fbclid', 'text'),
    ('lead_form', 'text'),
    ('first_conversion_event', 'text'),
    ('first_conversion_at', 'timestamptz'),
    ('recent_conversion_event', 'text'),
    ('recent_conversion_at', 'timestamptz'),
    ('created_at', 'timestamptz'),
    ('updated_at', 'timestamptz'),
    ('disqualification_reason', 'text'),
    ('is_archived', 'boolean'),
] %}

with unioned as (
    {{ union_crm_entity('records', contract) }}
),

final as (
    select
        crm,
        crm_record_id,
        email_normalized,
        case
            when position('@' in email_normalized) > 0
                then nullif(split_part(email_normalized, '@', 2), '')
        end as email_domain,
        phone_digits,
        nullif(trim(company_name), '') as company_name,
        nullif(trim(job_title), '') as job_title,
        nullif(trim(country), '') as country,
        crm_score,
        nullif(trim(crm_source), '') as crm_source,
        nullif(lower(trim(utm_source)), '') as utm_source,
        nullif(lower(trim(utm_medium)), '') as utm_medium,
        nullif(trim(utm_campaign), '') as utm_campaign,
        -- One click id per record; an ad's own click id (gclid, yclid, fbclid) names its platform.
        coalesce(nullif(trim(gclid), ''), nullif(trim(yclid), ''), nullif(trim(fbclid), '')) as click_id,
        case
            when nullif(trim(gclid), '') is not null then 'gclid'
            when nullif(trim(yclid), '') is not null then 'yclid'
            when nullif(trim(fbclid), '') is not null then 'fbclid'
        end as click_id_type,
        nullif(trim(lead_form), '') as lead_form,
        nullif(trim(first_conversion_event), '') as first_conversion_event,
        first_conversion_at,
        nullif(trim(recent_conversion_event), '') as recent_conversion_event,
        recent_conversion_at,
        created_at,
        updated_at,
        nullif(trim(disqualification_reason), '') as disqualification_reason,
        coalesce(is_archived, false) as is_archived
    from unioned
)

select * from final
