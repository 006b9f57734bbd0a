-- Matched case- and space-insensitively: form names are typed by people.
select distinct
    action::text as action,
    lower(trim(action))::text as action_normalized
from {{ source('definitions', 'high_intent_actions') }}
where nullif(trim(action), '') is not null
