-- One digest per person of every CRM row the person models read: the person's records, the mapping
-- of each to the person (with its exclusion), their stage events and activities, and the person's
-- deals. The restated_persons strategy (macros/restated_persons.sql) rebuilds a person's rows of a
-- person model only when this digest changed. A sum of row hashes, as a digest that needs no order:
-- no sort of millions of rows, and a row added, changed or gone changes it. Postgres hashes the rows
-- as they are (hash_record_extended): printing them as text first took a third longer. A row's hash
-- is a weighted sum of its columns' hashes, so each is hashed once more before the sum: summed as
-- they are, two rows of a person swapping a value (the won outcome moving from one deal to the other)
-- would cancel out. The hashes may differ in another major version of Postgres: after an upgrade
-- every person is rebuilt once.
with merged as (
    select * from {{ ref('int_crm_records_merged_to_persons') }}
),

row_hashes as (
    select
        merged.person_id,
        hashint8extended(hash_record_extended(records, 0) # hash_record_extended(merged, 0), 0) as row_hash
    from {{ ref('int_crm_records_unioned') }} as records
    inner join merged
        on records.crm = merged.crm
        and records.crm_record_id = merged.crm_record_id
    union all
    select
        merged.person_id,
        hashint8extended(hash_record_extended(events, 0), 0)
    from {{ ref('int_crm_stage_events') }} as events
    inner join merged
        on events.crm = merged.crm
        and events.crm_record_id = merged.crm_record_id
    union all
    select
        merged.person_id,
        hashint8extended(hash_record_extended(activities, 0), 0)
    from {{ ref('int_crm_activities_unioned') }} as activities
    inner join merged
        on activities.crm = merged.crm
        and activities.crm_record_id = merged.crm_record_id
    union all
    select
        deals.person_id,
        hashint8extended(hash_record_extended(deals, 0), 0)
    from {{ ref('int_deals_joined_to_persons') }} as deals
    where deals.person_id is not null
)

select
    person_id,
    sum(row_hash) as input_digest
from row_hashes
group by person_id
