-- HubSpot's sales activities (CRM v3 calls, e-mails and meetings), one row per (engagement,
-- associated contact). Deleted (archived) engagements are left out, as HubSpot's own lists do.
-- Direction is from the rep's side, what the first-touch SLA counts:
--   calls:    hs_call_direction INBOUND -> inbound; OUTBOUND or not set (a call a rep logged) -> outbound
--   e-mails:  hs_email_direction EMAIL (sent by a rep) -> outbound; INCOMING_EMAIL (a reply) and
--             FORWARDED_EMAIL (forwarded into the CRM) -> inbound
--   meetings: always outbound (a rep meets the contact); whether it took place is engagement_status.
with calls as (
    select
        id,
        'call' as engagement_type,
        case when upper(trim(hs_call_direction)) = 'INBOUND' then 'inbound' else 'outbound' end as direction,
        hs_timestamp,
        hs_call_status as status,
        hubspot_owner_id,
        contact_ids,
        archived,
        updated_at
    from {{ source('hubspot', 'calls') }}
),

emails as (
    select
        id,
        'email' as engagement_type,
        case when upper(trim(hs_email_direction)) = 'EMAIL' then 'outbound' else 'inbound' end as direction,
        hs_timestamp,
        hs_email_status as status,
        hubspot_owner_id,
        contact_ids,
        archived,
        updated_at
    from {{ source('hubspot', 'emails') }}
),

meetings as (
    select
        id,
        'meeting' as engagement_type,
        'outbound' as direction,
        hs_timestamp,
        hs_meeting_outcome as status,
        hubspot_owner_id,
        contact_ids,
        archived,
        updated_at
    from {{ source('hubspot', 'meetings') }}
),

engagements as (
    select * from calls
    union all
    select * from emails
    union all
    select * from meetings
),

unnested as (
    select distinct
        engagements.id as engagement_id,
        engagements.engagement_type,
        engagements.direction,
        engagements.hs_timestamp as occurred_at,
        nullif(trim(engagements.hubspot_owner_id), '') as owner_id,
        contact.contact_id as crm_record_id,
        lower(nullif(trim(engagements.status), '')) as engagement_status,
        engagements.updated_at
    from engagements
    cross join lateral jsonb_array_elements_text(coalesce(engagements.contact_ids, '[]'::jsonb)) as contact (contact_id)
    where not coalesce(engagements.archived, false)
)

select * from unnested
