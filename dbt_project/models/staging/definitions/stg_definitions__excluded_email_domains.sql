select distinct lower(trim(leading '@' from trim(domain)))::text as email_domain
from {{ source('definitions', 'excluded_email_domains') }}
where nullif(trim(domain), '') is not null
