-- The stage-bearing field values of every CRM (macros/crm_sources.sql): a record's values with
-- the time it reached them, a deal's values with its creation and close times.
-- HubSpot: each lifecycle-stage date property is the time the contact reached that stage; the
-- current lifecyclestage and hs_lead_status carry no date of their own and are dated by the
-- record's last modification (an upper bound; a dated value of the same stage wins, see
-- int_crm_stage_events).
with unioned as (
    {{ union_crm_stage_values() }}
),

final as (
    select
        crm,
        object_type,
        crm_record_id,
        deal_id,
        field,
        value,
        observed_at,
        closed_at
    from unioned
)

select * from final
