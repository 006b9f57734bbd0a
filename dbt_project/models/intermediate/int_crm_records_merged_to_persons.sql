-- Every CRM record with the person it belongs to: records of one human merged across CRMs by
-- normalized e-mail, then phone digits, then the CRM's own id.
-- * a record with an e-mail belongs to the person of that e-mail (person key `email:<e-mail>`);
-- * a record without an e-mail but with a phone (7+ digits) joins the person of the earliest
--   record that has an e-mail and the same phone, else the person `phone:<digits>`;
-- * anything else is its own person, `<crm>:<record id>`.
-- person_id = md5(person key). Exclusion is kept, not dropped: a record on an excluded e-mail
-- domain (or a subdomain) or with a CRM value mapped to `excluded` (junk, spam) excludes its
-- person; archived records are ignored by every stage, and a person with only archived records
-- is excluded as `archived`. Excluded persons are counted in dim_persons, never in the funnel.
with records as (
    -- Normalized again here, so a CRM mapping that forgets it cannot split a person.
    select
        crm,
        crm_record_id,
        nullif(lower(trim(email_normalized)), '') as email_normalized,
        lower(email_domain) as email_domain,
        case
            when length(regexp_replace(phone_digits, '[^0-9]', '', 'g')) >= 7
                then regexp_replace(phone_digits, '[^0-9]', '', 'g')
        end as phone_digits,
        created_at,
        is_archived
    from {{ ref('int_crm_records_unioned') }}
),

excluded_domains as (
    select email_domain from {{ ref('stg_definitions__excluded_email_domains') }}
),

-- Each e-mail domain is checked once, not once per record: hundreds of domains, a million records
-- (a per-record check re-read the definitions view for every record: 1M records, 6 of 11 s).
domains_excluded as (
    select domains.email_domain
    from (select distinct email_domain from records where email_domain is not null) as domains
    where exists (
        select 1
        from excluded_domains
        where domains.email_domain = excluded_domains.email_domain
            or domains.email_domain like '%.' || excluded_domains.email_domain
    )
),

excluded_by_crm as (
    select distinct
        crm,
        crm_record_id
    from {{ ref('int_crm_stage_events') }}
    where stage = 'excluded'
),

phone_owners as (
    -- The person a phone number belongs to: that of the earliest record with an e-mail and this phone.
    select distinct on (phone_digits)
        phone_digits,
        'email:' || email_normalized as person_key
    from records
    where email_normalized is not null
        and phone_digits is not null
    order by phone_digits, created_at, crm, crm_record_id
),

keyed as (
    select
        records.crm,
        records.crm_record_id,
        records.email_normalized,
        records.created_at,
        records.is_archived,
        case
            when records.email_normalized is not null then 'email:' || records.email_normalized
            when records.phone_digits is not null then coalesce(phone_owners.person_key, 'phone:' || records.phone_digits)
            else records.crm || ':' || records.crm_record_id
        end as person_key,
        case
            when records.email_normalized is not null then 'email'
            when records.phone_digits is not null then 'phone'
            else 'crm_id'
        end as merged_by,
        domains_excluded.email_domain is not null as is_excluded_domain,
        excluded_by_crm.crm_record_id is not null as is_excluded_by_crm
    from records
    left join phone_owners on records.phone_digits = phone_owners.phone_digits
    left join domains_excluded on records.email_domain = domains_excluded.email_domain
    left join excluded_by_crm
        on records.crm = excluded_by_crm.crm
        and records.crm_record_id = excluded_by_crm.crm_record_id
),

flagged as (
    select
        *,
        case
            when is_excluded_domain then 'excluded_email_domain'
            when is_excluded_by_crm then 'excluded_crm_status'
            when is_archived then 'archived'
        end as record_exclusion_reason,
        bool_or(is_excluded_domain) over (partition by person_key) as person_has_excluded_domain,
        bool_or(is_excluded_by_crm) over (partition by person_key) as person_has_excluded_status,
        bool_and(is_archived) over (partition by person_key) as person_is_archived
    from keyed
),

final as (
    select
        crm,
        crm_record_id,
        md5(person_key) as person_id,
        person_key,
        merged_by,
        email_normalized,
        created_at,
        is_archived,
        record_exclusion_reason,
        (person_has_excluded_domain or person_has_excluded_status or person_is_archived) as is_excluded,
        case
            when person_has_excluded_domain then 'excluded_email_domain'
            when person_has_excluded_status then 'excluded_crm_status'
            when person_is_archived then 'archived'
        end as exclusion_reason
    from flagged
)

select * from final
