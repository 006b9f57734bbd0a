"""HubSpot CRM v3: list responses of contacts, deals and the call, e-mail and meeting
engagements (`results` + `paging.next.after`, requested with `associations=contacts`).

Every property value arrives as a string; the window is on `updatedAt`, the field HubSpot's
incremental sync is keyed on.

Calls, e-mails and meetings are three streams (three raw tables), not one `engagements`
stream: they are three CRM v3 object types with their own endpoint, id space and properties
(`hs_call_direction`, `hs_email_direction`, `hs_meeting_outcome`), and each keeps its own load
state. The record does not say which type it is, so one stream would have to take the type from
the folder name; staging unions them into one engagement model instead.

Owners (`/crm/v3/owners`) are the users records and engagements are assigned to.
"""

from decimal import Decimal

from smarketing.extract.currencies import CURRENCY_CODES
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
            Column("createdate", "timestamptz", "properties.createdate", required=True, not_future=True),
            Column("lifecyclestage", "text", "properties.lifecyclestage", maps_stage=True),
            Column("hs_lead_status", "text", "properties.hs_lead_status"),
            Column("hubspotscore", "numeric", "properties.hubspotscore"),
            Column("hs_analytics_source", "text", "properties.hs_analytics_source"),
            Column("utm_source", "text", "properties.utm_source"),
            Column("utm_medium", "text", "properties.utm_medium"),
            Column("utm_campaign", "text", "properties.utm_campaign"),
            Column("hs_google_click_id", "text", "properties.hs_google_click_id"),
            Column("hs_facebook_click_id", "text", "properties.hs_facebook_click_id"),
            Column("jobtitle", "text", "properties.jobtitle"),
            Column("country", "text", "properties.country"),
            Column("first_conversion_event_name", "text", "properties.first_conversion_event_name"),
            Column("first_conversion_date", "timestamptz", "properties.first_conversion_date"),
            Column("recent_conversion_event_name", "text", "properties.recent_conversion_event_name"),
            Column("recent_conversion_date", "timestamptz", "properties.recent_conversion_date"),
            # A custom property: why sales set hs_lead_status UNQUALIFIED.
            Column("disqualification_reason", "text", "properties.disqualification_reason"),
            *_LIFECYCLE_DATES,
            Column("archived", "boolean", "archived"),
            Column("updated_at", "timestamptz", "updatedAt", required=True, not_future=True),
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
            Column("amount", "numeric", "properties.amount", minimum=Decimal(0)),
            Column("deal_currency_code", "text", "properties.deal_currency_code", allowed=CURRENCY_CODES),
            Column("dealstage", "text", "properties.dealstage", required=True, maps_stage=True),
            Column("pipeline", "text", "properties.pipeline"),
            Column("createdate", "timestamptz", "properties.createdate", required=True, not_future=True),
            Column("closedate", "timestamptz", "properties.closedate"),
            Column("closed_lost_reason", "text", "properties.closed_lost_reason"),
            Column("hs_is_closed_won", "boolean", "properties.hs_is_closed_won"),
            Column("contact_ids", "jsonb", "associations.contacts.results[*].id"),
            Column("archived", "boolean", "archived"),
            Column("updated_at", "timestamptz", "updatedAt", required=True, not_future=True),
        ),
        natural_key=("id",),
        window_column="updated_at",
    ),
    *(
        Stream(
            source="hubspot",
            name=object_type,
            files=f"{object_type}/*.json",
            records_at="results",
            columns=(
                Column("id", "text", "id", required=True),
                Column("hs_timestamp", "timestamptz", "properties.hs_timestamp", required=True),
                *type_columns,
                Column("hubspot_owner_id", "text", "properties.hubspot_owner_id"),
                Column("contact_ids", "jsonb", "associations.contacts.results[*].id"),
                Column("archived", "boolean", "archived"),
                Column("created_at", "timestamptz", "createdAt", not_future=True),
                Column("updated_at", "timestamptz", "updatedAt", required=True, not_future=True),
            ),
            natural_key=("id",),
            window_column="updated_at",
        )
        for object_type, type_columns in (
            (
                "calls",
                (
                    # OUTBOUND or INBOUND, from the rep's side.
                    Column("hs_call_direction", "text", "properties.hs_call_direction"),
                    Column("hs_call_status", "text", "properties.hs_call_status"),
                ),
            ),
            (
                "emails",
                (
                    # EMAIL (sent by a rep), INCOMING_EMAIL (a reply), FORWARDED_EMAIL.
                    Column("hs_email_direction", "text", "properties.hs_email_direction"),
                    Column("hs_email_status", "text", "properties.hs_email_status"),
                ),
            ),
            (
                "meetings",
                (
                    # SCHEDULED, COMPLETED, RESCHEDULED, NO_SHOW, CANCELED.
                    Column("hs_meeting_outcome", "text", "properties.hs_meeting_outcome"),
                ),
            ),
        )
    ),
    # The users a record or engagement belongs to (`hubspot_owner_id`), so a rep can be named. A
    # handful of rows read whole every run: the owners endpoint has no modified-since filter.
    Stream(
        source="hubspot",
        name="owners",
        files="owners/*.json",
        records_at="results",
        columns=(
            Column("id", "text", "id", required=True),
            Column("email", "text", "email"),
            Column("first_name", "text", "firstName"),
            Column("last_name", "text", "lastName"),
            Column("user_id", "bigint", "userId"),
            Column("teams", "jsonb", "teams"),
            Column("archived", "boolean", "archived"),
            Column("created_at", "timestamptz", "createdAt", not_future=True),
            Column("updated_at", "timestamptz", "updatedAt", not_future=True),
        ),
        natural_key=("id",),
        window_column=None,
    ),
)
