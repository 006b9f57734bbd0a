"""The demo company's people in Salesforce: a Lead per person, converted into a Contact (and its
Account) once sales accept it, an Opportunity with its contact role per deal, and the campaigns
people came from with their members, written as a file drop of SOQL query responses and served as
the REST API, so `make demo API=salesforce` runs the Salesforce connector end to end.

Written (`write`) as smarketing.extract.salesforce reads it, one queryAll response a page file,
records in ascending SystemModstamp, 2,000 a response (Salesforce's default batch):
  leads/                       every person of the world (test and duplicate records too), with the
                               Lead.Status the person reached last: Open - Not Contacted, Working -
                               Contacted (MQL), Closed - Converted (sales accepted, or a deal was
                               opened: converted into a contact) or Closed - Not Converted
                               (disqualified); SystemModstamp is when it got that status, which is
                               when staging dates it. LeadSource is the picklist value of the first
                               visit's source (Advertisement, Web, Email, External Referral, ...).
  contacts/                    the contact of each converted lead, created at the conversion
  opportunities/               one per world deal, with Salesforce's standard stages; CloseDate is
                               the day it closed (expected close while open); the primary campaign
  opportunity_contact_roles/   the converted contact as the deal's primary Decision Maker
  campaigns/                   a campaign per ad campaign or newsletter named in a first visit's
                               utm_campaign (Type Advertisement or Email), named as it is
  campaign_members/            each lead that came from one, responded when it was created (its
                               ContactId filled in at conversion, as Salesforce does)
Ids are 18-character Salesforce ids with their key prefixes (00Q lead, 003 contact, 006
opportunity, ...); the org is multi-currency, every amount in EUR. Salesforce's activities (Task,
Event) are not read by the connector, so the demo's calls, e-mails and meetings are not written.

Served (`replay`) as the connector asks (smarketing.extract.salesforce_api): the OAuth refresh-token
grant at `/services/oauth2/token` (the instance URL is the server's own), the Opportunity describe,
and `GET /services/data/vNN.N/queryAll?q=SELECT ... FROM <object> WHERE SystemModstamp >= ... AND
SystemModstamp < ... ORDER BY SystemModstamp`, answering the selected fields 2,000 records a batch
with a `nextRecordsUrl` for the rest, as Salesforce pages a query.
"""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime, timedelta
from itertools import count
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from smarketing.demo.api_replay import Answer, DemoPlatform, _json_files
from smarketing.demo.generator import CURRENCY, SALES_OWNERS, Contact, Deal, DemoWorld, _edition, _write_json
from smarketing.extract.salesforce import OBJECTS, STREAMS, WINDOW_FIELD

API_VERSION = "62.0"
BATCH_SIZE = 2_000
# Salesforce's key prefixes, by object.
PREFIXES = {
    "Lead": "00Q",
    "Contact": "003",
    "Account": "001",
    "Opportunity": "006",
    "OpportunityContactRole": "00K",
    "Campaign": "701",
    "CampaignMember": "00v",
    "User": "005",
}
ORG_POD = "7R0000"  # the instance and reserved characters that follow the prefix in the org's ids
ID_CHECKSUM_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
# The world's first-visit sources (HubSpot's) as the org's Lead Source picklist values.
LEAD_SOURCES = {
    "PAID_SEARCH": "Advertisement",
    "PAID_SOCIAL": "Advertisement",
    "OTHER_CAMPAIGNS": "Advertisement",
    "ORGANIC_SEARCH": "Web",
    "DIRECT_TRAFFIC": "Web",
    "SOCIAL_MEDIA": "Web",
    "REFERRALS": "External Referral",
    "EMAIL_MARKETING": "Email",
}
OFFLINE_LEAD_SOURCES = {"IMPORT": "Trade Show", "CRM_UI": "Phone Inquiry"}  # by HubSpot's source data 1
# The world's HubSpot deal stages as Salesforce's standard opportunity stages, with their probability.
STAGES = {
    "appointmentscheduled": ("Qualification", 10),
    "qualifiedtobuy": ("Needs Analysis", 20),
    "presentationscheduled": ("Value Proposition", 50),
    "decisionmakerboughtin": ("Proposal/Price Quote", 75),
    "contractsent": ("Negotiation/Review", 90),
    "closedwon": ("Closed Won", 100),
    "closedlost": ("Closed Lost", 0),
}
EXPECTED_DAYS_TO_CLOSE = 30  # an open opportunity's CloseDate, from its creation
NOT_PROVIDED = "[not provided]"  # what Web-to-Lead writes into required fields a form left empty


def write(world: DemoWorld, folder: Path, _rng: random.Random) -> None:
    """Leads, contacts, opportunities and their contact roles, campaigns and members."""
    deals = {deal.contact.contact_id: deal for deal in world.deals}
    accounts = _account_ids(world.contacts)
    campaigns = _campaigns(world.contacts)
    streams: dict[str, list[dict[str, Any]]] = {name: [] for name in OBJECTS}
    member_numbers = count(1)
    for contact in world.contacts:
        deal = deals.get(contact.contact_id)
        converted_at = _conversion(contact, deal)
        contact_id = _id("Contact", contact.contact_id) if converted_at else None
        account_id = accounts[_account_key(contact)] if converted_at else None
        streams["leads"].append(_lead(contact, converted_at, contact_id, account_id))
        if converted_at is not None:
            streams["contacts"].append(_contact(contact, converted_at, account_id))
        campaign = campaigns.get(contact.attribution.get("utm_campaign") or "")
        if campaign is not None:
            streams["campaign_members"].append(_member(next(member_numbers), campaign, contact, converted_at))
        if deal is not None:
            streams["opportunities"].append(_opportunity(deal, account_id, campaign))
            streams["opportunity_contact_roles"].append(_contact_role(deal))
    streams["campaigns"] = [_campaign(*entry) for entry in campaigns.items()]
    for stream, records in streams.items():
        records.sort(key=lambda record: (record[WINDOW_FIELD], record["Id"]))
        locator = f"01gRO00000{list(OBJECTS).index(stream) + 1:06d}"  # a full run's queries, in stream order
        for number, start in enumerate(range(0, len(records), BATCH_SIZE), start=1):
            body = _response(records[start : start + BATCH_SIZE], len(records), locator, start)
            _write_json(folder / stream / f"page-{number:04d}.json", body)


def _conversion(contact: Contact, deal: Deal | None) -> datetime | None:
    """When sales converted the lead: when they accepted it, or opened a deal for it if sooner."""
    moments = [contact.stage_dates.get("salesqualifiedlead"), deal.created_at if deal else None]
    return min((moment for moment in moments if moment is not None), default=None)


def _status(contact: Contact, converted_at: datetime | None) -> tuple[str, datetime]:
    """The lead's last status and when it got it."""
    if converted_at is not None:
        return "Closed - Converted", converted_at
    if contact.lead_status in ("UNQUALIFIED", "BAD_TIMING"):
        return "Closed - Not Converted", contact.disqualified_at or contact.last_modified_at or contact.created_at
    if "marketingqualifiedlead" in contact.stage_dates:
        return "Working - Contacted", contact.stage_dates["marketingqualifiedlead"]
    return "Open - Not Contacted", contact.created_at


def _lead(contact: Contact, converted_at: datetime | None, contact_id: str | None, account_id: str | None) -> dict:
    status, status_at = _status(contact, converted_at)
    return _record("Lead", _id("Lead", contact.contact_id), contact.created_at, status_at) | {
        "Email": contact.email,
        "FirstName": contact.firstname,
        "LastName": contact.lastname or NOT_PROVIDED,
        "Company": contact.company or NOT_PROVIDED,
        "Title": contact.jobtitle,
        "Country": contact.country,
        "Phone": contact.phone,
        "Status": status,
        "LeadSource": _lead_source(contact.attribution),
        "OwnerId": _owner(contact),
        "IsConverted": converted_at is not None,
        "ConvertedContactId": contact_id,
        "ConvertedAccountId": account_id,
        "ConvertedOpportunityId": None,  # opportunities are opened from the contact later
        "ConvertedDate": None if converted_at is None else _date(converted_at),
    }


def _contact(contact: Contact, converted_at: datetime, account_id: str | None) -> dict:
    return _record("Contact", _id("Contact", contact.contact_id), converted_at, converted_at) | {
        "Email": contact.email,
        "FirstName": contact.firstname,
        "LastName": contact.lastname or NOT_PROVIDED,
        "AccountId": account_id,
        "Title": contact.jobtitle,
        "MailingCountry": contact.country,
        "Phone": contact.phone,
        "MobilePhone": None,
        "LeadSource": _lead_source(contact.attribution),
        "OwnerId": _owner(contact),
    }


def _opportunity(deal: Deal, account_id: str | None, campaign: tuple[int, datetime] | None) -> dict:
    stage, probability = STAGES[deal.stage]
    closed = deal.stage in ("closedwon", "closedlost")
    close_day = deal.closed_at if closed and deal.closed_at else deal.created_at + timedelta(EXPECTED_DAYS_TO_CLOSE)
    buyer = deal.contact.company or " ".join(part for part in (deal.contact.firstname, deal.contact.lastname) if part)
    return _record("Opportunity", _id("Opportunity", deal.deal_id), deal.created_at, deal.last_modified_at) | {
        "Name": f"{buyer} - Acme CRM {_edition(deal.amount)}",
        "AccountId": account_id,
        "Amount": deal.amount,
        "CurrencyIsoCode": CURRENCY,
        "StageName": stage,
        "IsWon": deal.stage == "closedwon",
        "IsClosed": closed,
        "CloseDate": _date(close_day),
        "Probability": probability,
        "LeadSource": _lead_source(deal.contact.attribution),
        "CampaignId": None if campaign is None else _id("Campaign", campaign[0]),
        "OwnerId": _owner(deal.contact),
    }


def _contact_role(deal: Deal) -> dict:
    role_id = _id("OpportunityContactRole", deal.deal_id)
    return _record("OpportunityContactRole", role_id, deal.created_at, deal.created_at) | {
        "OpportunityId": _id("Opportunity", deal.deal_id),
        "ContactId": _id("Contact", deal.contact.contact_id),
        "Role": "Decision Maker",
        "IsPrimary": True,
    }


def _campaigns(contacts: list[Contact]) -> dict[str, tuple[int, datetime]]:
    """Each campaign named in a first visit, numbered in order of its first lead, and that lead's time."""
    campaigns: dict[str, tuple[int, datetime]] = {}
    for contact in sorted(contacts, key=lambda contact: (contact.created_at, contact.contact_id)):
        name = contact.attribution.get("utm_campaign")
        if name and name not in campaigns:
            campaigns[name] = (len(campaigns) + 1, contact.created_at)
    return campaigns


def _campaign(name: str, numbered: tuple[int, datetime]) -> dict:
    number, first_lead_at = numbered
    is_email = name.startswith("newsletter_")
    return _record("Campaign", _id("Campaign", number), first_lead_at, first_lead_at) | {
        "Name": name,
        "Type": "Email" if is_email else "Advertisement",
        "Status": "Completed" if is_email else "In Progress",
        "StartDate": _date(first_lead_at),
        "EndDate": None,
        "IsActive": not is_email,
        "ParentId": None,
    }


def _member(number: int, campaign: tuple[int, datetime], contact: Contact, converted_at: datetime | None) -> dict:
    changed_at = converted_at or contact.created_at
    return _record("CampaignMember", _id("CampaignMember", number), contact.created_at, changed_at) | {
        "CampaignId": _id("Campaign", campaign[0]),
        "LeadId": _id("Lead", contact.contact_id),
        "ContactId": None if converted_at is None else _id("Contact", contact.contact_id),
        "Status": "Responded",
        "HasResponded": True,
        "FirstRespondedDate": _date(contact.created_at),
    }


def _record(sobject: str, record_id: str, created_at: datetime, modified_at: datetime) -> dict[str, Any]:
    return {
        "attributes": {"type": sobject, "url": f"/services/data/v{API_VERSION}/sobjects/{sobject}/{record_id}"},
        "Id": record_id,
        "IsDeleted": False,
        "CreatedDate": _timestamp(created_at),
        WINDOW_FIELD: _timestamp(max(created_at, modified_at)),
    }


def _lead_source(attribution: dict[str, str | None]) -> str:
    source = attribution["hs_analytics_source"] or ""
    if source == "OFFLINE":
        return OFFLINE_LEAD_SOURCES.get(attribution["hs_analytics_source_data_1"] or "", "Other")
    return LEAD_SOURCES.get(source, "Other")


def _owner(contact: Contact) -> str:
    """The sales rep who owns the person, by turns (Salesforce user ids)."""
    return _id("User", contact.contact_id % len(SALES_OWNERS) + 1)


def _account_ids(contacts: list[Contact]) -> dict[str, str]:
    """An Account per company, numbered in order of its first person."""
    keys = dict.fromkeys(_account_key(contact) for contact in contacts)
    return {key: _id("Account", number) for number, key in enumerate(keys, start=1)}


def _account_key(contact: Contact) -> str:
    """The company; a person without one is an account of their own, as a person account is."""
    return contact.company or f"person {contact.contact_id}"


def _id(sobject: str, number: int) -> str:
    """An 18-character Salesforce id: key prefix, pod, the number in base 62, and the checksum
    that makes it case-insensitive (a bit per upper-case letter of each five characters)."""
    digits = ""
    while number or not digits:
        number, digit = divmod(number, 62)
        digits = BASE62[digit] + digits
    short = PREFIXES[sobject] + ORG_POD + digits.rjust(15 - len(PREFIXES[sobject]) - len(ORG_POD), "0")
    chunks = (short[start : start + 5] for start in range(0, 15, 5))
    return short + "".join(
        ID_CHECKSUM_ALPHABET[sum(1 << bit for bit, char in enumerate(chunk) if char.isupper())] for chunk in chunks
    )


def _timestamp(moment: datetime) -> str:
    """Salesforce's dateTime as the REST API sends it: 2026-03-09T10:00:00.000+0000."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000+0000")


def _date(moment: datetime) -> str:
    return moment.astimezone(UTC).date().isoformat()


def _response(records: list[dict[str, Any]], total: int, locator: str, offset: int) -> dict[str, Any]:
    """The query response of the batch at `offset`; `nextRecordsUrl` while more batches follow."""
    body: dict[str, Any] = {"totalSize": total, "done": offset + len(records) >= total, "records": records}
    if not body["done"]:
        body["nextRecordsUrl"] = f"/services/data/v{API_VERSION}/query/{locator}-{offset + len(records)}"
    return body


# ---- the API ------------------------------------------------------------------------------------

_QUERY_ALL = re.compile(r"/services/data/v[\d.]+/queryAll")
_MORE = re.compile(r"/services/data/v[\d.]+/query/(\w+)-(\d+)")
_DESCRIBE = re.compile(r"/services/data/v[\d.]+/sobjects/(\w+)/describe")
_SOQL = re.compile(
    rf"SELECT (?P<fields>.+) FROM (?P<object>\w+) WHERE {WINDOW_FIELD} >= (?P<start>\S+)"
    rf" AND {WINDOW_FIELD} < (?P<end>\S+) ORDER BY {WINDOW_FIELD}"
)
FIELDS = {OBJECTS[stream.name]: [column.path for column in stream.columns] for stream in STREAMS}
CONNECTION = {
    "conn_type": "http",
    "login": "demo-consumer-key",
    "password": "demo-consumer-secret",
    "extra": {"refresh_token": "demo-refresh-token"},
}


def replay(folder: Path) -> DemoPlatform:
    records = {
        OBJECTS[stream]: [record for page in _json_files(folder / stream, "*.json") for record in page["records"]]
        for stream in OBJECTS
    }
    cursors: dict[str, list[dict[str, Any]]] = {}  # a query's locator: the records it found

    def batch(locator: str, offset: int) -> Answer:
        found = cursors.get(locator)
        if found is None or offset > len(found):
            return 400, [{"errorCode": "INVALID_QUERY_LOCATOR", "message": "invalid query locator"}]
        return 200, _response(found[offset : offset + BATCH_SIZE], len(found), locator, offset)

    def query(soql: str) -> Answer:
        match = _SOQL.fullmatch(soql.strip())
        if match is None or match["object"] not in records:
            return 400, [{"errorCode": "MALFORMED_QUERY", "message": f"the demo does not serve: {soql}"}]
        fields = [name.strip() for name in match["fields"].split(",")]
        unknown = [name for name in fields if name not in FIELDS[match["object"]]]
        if unknown:
            message = f"No such column '{unknown[0]}' on entity '{match['object']}'."
            return 400, [{"errorCode": "INVALID_FIELD", "message": message}]
        start, end = (datetime.fromisoformat(match[bound].replace("Z", "+00:00")) for bound in ("start", "end"))
        found = [
            {"attributes": record["attributes"], **{name: record.get(name) for name in fields}}
            for record in records[match["object"]]
            if start <= datetime.fromisoformat(record[WINDOW_FIELD]) < end
        ]
        locator = f"01gRO00000{len(cursors) + 1:06d}"
        cursors[locator] = found
        return batch(locator, 0)

    def handle(method: str, target: str, _body: Any, headers: dict[str, str]) -> Answer | None:
        parts = urlsplit(target)
        if (method, parts.path) == ("POST", "/services/oauth2/token"):
            return 200, _token(f"http://{headers['host']}")
        if method != "GET":
            return None
        if _QUERY_ALL.fullmatch(parts.path):
            return query(parse_qs(parts.query).get("q", [""])[-1])
        if match := _MORE.fullmatch(parts.path):
            return batch(match[1], int(match[2]))
        if (match := _DESCRIBE.fullmatch(parts.path)) and match[1] in FIELDS:
            return 200, {"name": match[1], "fields": [{"name": name} for name in FIELDS[match[1]]]}
        return None

    return DemoPlatform(handle, CONNECTION, [], headers=("host",))


def _token(instance_url: str) -> dict[str, str]:
    """The refresh-token grant's answer: no new refresh token, the org's instance URL."""
    issued = int(datetime.now(UTC).timestamp() * 1000)
    return {
        "access_token": "00DRO0000008demo!demo-access-token",
        "instance_url": instance_url,
        "id": f"https://login.salesforce.com/id/00DRO0000008demo/{_id('User', 1)}",
        "token_type": "Bearer",
        "issued_at": str(issued),
        "signature": "demo-signature",
    }
