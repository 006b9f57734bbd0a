select lower(domain) as email_domain
from {{ source('definitions', 'excluded_email_domains') }}
