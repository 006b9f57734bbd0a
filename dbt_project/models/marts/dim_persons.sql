-- Every person, excluded ones too (test and internal records are counted here, never in the
-- funnel). No PII: the e-mail only as md5 of its normalized form.
-- Incremental (macros/restated_persons.sql): each build rewrites the persons whose CRM records changed.
{{ restated_persons_config(on_schema_change='fail') }}

with records as (
    select
        persons.person_id,
        persons.crm,
        persons.email_normalized,
        persons.created_at,
        persons.is_excluded,
        persons.exclusion_reason
    from {{ ref('int_crm_records_merged_to_persons') }} as persons
    {{ only_restated_persons('persons.person_id') }}
),

final as (
    select
        person_id::text as person_id,
        md5(min(email_normalized))::text as email_hash,
        bool_or(is_excluded)::boolean as is_excluded,
        min(exclusion_reason)::text as exclusion_reason,
        count(*)::integer as crm_record_count,
        string_agg(distinct crm, ',' order by crm)::text as crms,
        min(created_at)::timestamptz as first_seen_at
    from records
    group by person_id
)

select * from final
