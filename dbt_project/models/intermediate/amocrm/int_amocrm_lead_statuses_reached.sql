-- When each amoCRM lead reached each open status of its pipeline, from the event log's status
-- changes; a lead's current open status that no change brought it to (it was created in it, or
-- the move is older than the events read) is dated at the lead's creation. Won and lost (142,
-- 143) are not here: they come from the lead's current status only (crm_sources), so a lead
-- reopened after being lost is not lost.
with leads as (
    select
        deal_id,
        status_id,
        created_at
    from {{ ref('stg_amocrm__leads') }}
),

status_changes as (
    select
        deal_id,
        status_id,
        changed_at
    from {{ ref('stg_amocrm__lead_status_changes') }}
),

changes_to_open_statuses as (
    select
        deal_id,
        status_id,
        changed_at as reached_at
    from status_changes
    where status_id not in ('142', '143')
),

current_statuses_never_changed_to as (
    select
        leads.deal_id,
        leads.status_id,
        leads.created_at as reached_at
    from leads
    where leads.status_id not in ('142', '143')
        and not exists (
            select 1
            from status_changes
            where status_changes.deal_id = leads.deal_id
                and status_changes.status_id = leads.status_id
        )
),

final as (
    select * from changes_to_open_statuses
    union all
    select * from current_statuses_never_changed_to
)

select * from final
