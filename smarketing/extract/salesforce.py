"""Salesforce REST API: SOQL query responses (`records`, `done`, `nextRecordsUrl`) of Lead,
Contact, Opportunity, OpportunityContactRole, Campaign and CampaignMember, one response per page
file.

Columns keep Salesforce's field names (`Status`, `StageName`): they are what the shared
definitions' crm_mappings name (`Lead.Status`, `Opportunity.StageName`) and what a user finds in
Salesforce's object reference. Timestamps arrive as `2026-03-09T10:00:00.000+0000`, dates as
`2026-03-09`, money as JSON numbers in the record's CurrencyIsoCode (multi-currency orgs) or the
org's one currency. Every object is windowed on SystemModstamp, the last change by a user or by
the system (a conversion, a roll-up), which is what an incremental read must follow.

Each record carries `attributes` ({type, url}); IsDeleted marks a record in the recycle bin
(read through queryAll), which staging treats as archived, so a deleted lead does not live on.
"""

from decimal import Decimal
from typing import Any

from smarketing.extract.currencies import CURRENCY_CODES
from smarketing.extract.streams import Column, Stream


def _field(name: str, pg_type: str = "text", **rules: Any) -> Column:
    """A column named as the Salesforce field it reads."""
    return Column(name, pg_type, name, **rules)


# Every object's id, its record attributes, its deletion flag and when it was created and changed.
_ID = _field("Id", required=True)
_SYSTEM = (
    Column("attributes", "jsonb", "attributes"),
    _field("IsDeleted", "boolean"),
    _field("CreatedDate", "timestamptz", required=True, not_future=True),
    _field("SystemModstamp", "timestamptz", required=True, not_future=True),
)
# The SOQL object each stream queries.
OBJECTS = {
    "leads": "Lead",
    "contacts": "Contact",
    "opportunities": "Opportunity",
    "opportunity_contact_roles": "OpportunityContactRole",
    "campaigns": "Campaign",
    "campaign_members": "CampaignMember",
}
WINDOW_FIELD = "SystemModstamp"
# Exists in multi-currency orgs only: a query naming it in a single-currency org fails.
CURRENCY_FIELD = "CurrencyIsoCode"


def _stream(name: str, *columns: Column) -> Stream:
    return Stream(
        source="salesforce",
        name=name,
        files=f"{name}/*.json",
        records_at="records",
        columns=(_ID, *columns, *_SYSTEM),
        natural_key=("Id",),
        window_column=WINDOW_FIELD,
    )


STREAMS = (
    _stream(
        "leads",
        _field("Email"),
        _field("FirstName"),
        _field("LastName"),
        _field("Company"),
        _field("Title"),
        _field("Country"),
        _field("Phone"),
        # Open - Not Contacted, Working - Contacted, Closed - Converted, Closed - Not Converted or the org's own.
        _field("Status", required=True, maps_stage="Lead.Status"),
        _field("LeadSource"),
        _field("OwnerId"),
        _field("IsConverted", "boolean"),
        # A converted lead becomes this contact (and account, and optionally opportunity).
        _field("ConvertedContactId"),
        _field("ConvertedAccountId"),
        _field("ConvertedOpportunityId"),
        _field("ConvertedDate", "date"),
    ),
    _stream(
        "contacts",
        _field("Email"),
        _field("FirstName"),
        _field("LastName"),
        _field("AccountId"),
        _field("Title"),
        _field("MailingCountry"),
        _field("Phone"),
        _field("MobilePhone"),
        _field("LeadSource"),
        _field("OwnerId"),
    ),
    _stream(
        "opportunities",
        _field("Name"),
        _field("AccountId"),
        _field("Amount", "numeric", minimum=Decimal(0)),
        _field(CURRENCY_FIELD, allowed=CURRENCY_CODES),
        # Prospecting ... Closed Won / Closed Lost, or the org's own stages.
        _field("StageName", required=True, maps_stage="Opportunity.StageName"),
        _field("IsWon", "boolean"),
        _field("IsClosed", "boolean"),
        _field("CloseDate", "date"),  # expected while open, actual once closed
        _field("Probability", "numeric"),
        _field("LeadSource"),
        _field("CampaignId"),  # the primary campaign source
        _field("OwnerId"),
    ),
    _stream(
        "opportunity_contact_roles",
        _field("OpportunityId", required=True),
        _field("ContactId", required=True),
        _field("Role"),
        _field("IsPrimary", "boolean"),
    ),
    _stream(
        "campaigns",
        _field("Name", required=True),
        _field("Type"),  # Email, Webinar, Advertisement, ... or the org's own
        _field("Status"),
        _field("StartDate", "date"),
        _field("EndDate", "date"),
        _field("IsActive", "boolean"),
        _field("ParentId"),
    ),
    _stream(
        "campaign_members",
        _field("CampaignId", required=True),
        # A member is a lead or a contact: one of the two is set.
        _field("LeadId"),
        _field("ContactId"),
        _field("Status"),  # Sent, Responded or the campaign's own member statuses
        _field("HasResponded", "boolean"),
        _field("FirstRespondedDate", "date"),
    ),
)
