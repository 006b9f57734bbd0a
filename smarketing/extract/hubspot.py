"""HubSpot CRM v3: list responses of contacts and deals (`results` + `paging.next.after`).

Every property value arrives as a string; the window is on `updatedAt`, the field HubSpot's
incremental sync is keyed on.
"""

from smarketing.extract.streams import Column, Stream

_LIFECYCLE_DATES = tuple(
    Column(f"hs_lifecyclestage_{stage}_date", "timestamptz", f"properties.hs_lifecyclestage_{stage}_date")
    for stage in ("lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity", "customer")
)

STREAMS = (
    Stream(
        source="hubspot",
        name="contacts",
        files="contacts/*.json",
        records_at="results",
        columns=(
            Column("id", "text", "id", required=True),
            Column("email", "text", "properties.email"),
            Column("firstname", "text", "properties.firstname"),
            Column("lastname", "text", "properties.lastname"),
            Column("phone", "text", "properties.phone"),
            Column("company", "text", "properties.company"),
            Column("createdate", "timestamptz", "properties.createdate", required=True),
            Column("lifecyclestage", "text", "properties.lifecyclestage"),
            Column("hs_lead_status", "text", "properties.hs_lead_status"),
            Column("hubspotscore", "numeric", "properties.hubspotscore"),
            Column("hs_analytics_source", "text", "properties.hs_analytics_source"),
            Column("utm_source", "text", "properties.utm_source"),
            Column("utm_medium", "text", "properties.utm_medium"),
            Column("utm_campaign", "text", "properties.utm_campaign"),
            Column("hs_google_click_id", "text", "properties.hs_google_click_id"),
            *_LIFECYCLE_DATES,
            Column("archived", "boolean", "archived"),
            Column("updated_at", "timestamptz", "updatedAt", required=True),
        ),
        natural_key=("id",),
        window_column="updated_at",
    ),
    Stream(
        source="hubspot",
        name="deals",
        files="deals/*.json",
        records_at="results",
        columns=(
            Column("id", "text", "id", required=True),
            Column("dealname", "text", "properties.dealname"),
            Column("amount", "numeric", "properties.amount"),
            Column("deal_currency_code", "text", "properties.deal_currency_code"),
            Column("dealstage", "text", "properties.dealstage", required=True),
            Column("pipeline", "text", "properties.pipeline"),
            Column("createdate", "timestamptz", "properties.createdate", required=True),
            Column("closedate", "timestamptz", "properties.closedate"),
            Column("closed_lost_reason", "text", "properties.closed_lost_reason"),
            Column("hs_is_closed_won", "boolean", "properties.hs_is_closed_won"),
            Column("contact_ids", "jsonb", "associations.contacts.results[*].id"),
            Column("archived", "boolean", "archived"),
            Column("updated_at", "timestamptz", "updatedAt", required=True),
        ),
        natural_key=("id",),
        window_column="updated_at",
    ),
)
