select
    version as definitions_version,
    timezone as report_timezone,
    currency as reporting_currency
from {{ source('definitions', 'settings') }}
