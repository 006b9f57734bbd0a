-- One row per person: records of one human merged; first touch decides channel and campaign.
with records as (
    select
        person_key,
        crm,
        crm_record_id,
        is_excluded,
        created_at,
        crm_mql_at,
        crm_sql_at,
        crm_opportunity_at,
        crm_customer_at,
        is_disqualified,
        campaign_key,
        channel
    from {{ ref('int_crm_records_attributed') }}
),

first_touch as (
    select distinct on (person_key)
        person_key,
        campaign_key,
        channel
    from records
    order by person_key, created_at, crm_record_id
),

merged as (
    select
        person_key,
        md5(person_key) as person_id,
        count(*) as crm_record_count,
        bool_or(is_excluded) as is_excluded,
        min(created_at) as created_at,
        min(crm_mql_at) as crm_mql_at,
        min(crm_sql_at) as crm_sql_at,
        min(crm_opportunity_at) as crm_opportunity_at,
        min(crm_customer_at) as crm_customer_at,
        bool_and(is_disqualified) as is_disqualified
    from records
    group by person_key
),

final as (
    select
        merged.person_id,
        merged.person_key,
        merged.crm_record_count,
        merged.is_excluded,
        merged.created_at,
        merged.crm_mql_at,
        merged.crm_sql_at,
        merged.crm_opportunity_at,
        merged.crm_customer_at,
        merged.is_disqualified,
        first_touch.campaign_key,
        first_touch.channel
    from merged
    inner join first_touch on merged.person_key = first_touch.person_key
)

select * from final
