-- Reaching a stage implies the earlier ones, at or before it.
select person_id
from {{ ref('fct_lead_funnel') }}
where mql_at < lead_at
    or sql_at < mql_at
    or opportunity_at < sql_at
    or customer_at < opportunity_at
    or (mql_at is null and sql_at is not null)
    or (sql_at is null and opportunity_at is not null)
    or (opportunity_at is null and customer_at is not null)
