"""The demo company's people in amoCRM: contacts, one lead card each in a sales pipeline whose
statuses are the funnel's stages, the status changes and calls of the event log, the pipeline and
the account, written as a file drop and served as API v4, so `make demo API=amocrm` runs the
amoCRM connector end to end.

Written (`write`) as smarketing.extract.amocrm reads it, API v4 list responses one page a file:
  contacts/page-NNNN.json   every person of the world (test and duplicate records too), keeping
                            its id; e-mail, phone and job title are custom fields (EMAIL, PHONE,
                            POSITION), as amoCRM keeps them
  leads/page-NNNN.json      one lead (amoCRM's deal card) per person, created with the person in
                            "New inquiry" and moved along the pipeline as the world's person
                            progressed: MQL, SQL, the opportunity statuses of the world's deal, won
                            (142, price and closed_at) or lost (143, with its loss reason), or
                            "Disqualified"; the UTM tags and click ids of the person's first visit
                            are the lead's tracking_data fields, where amoCRM's web forms put them
  events/page-NNNN.json     a `lead_status_changed` event for every move, dated when the world's
                            person reached that stage (staging dates the stages by them), and an
                            `incoming_call` / `outgoing_call` event for each of the world's calls,
                            on the contact, dated when the call was logged (its note added)
  pipelines/pipelines.json  the pipeline and its statuses; CRM_MAPPING_FIELDS maps the account's
                            own status ids to stages (142 won and 143 lost are mapped already)
  account/account.json      the account: its currency (EUR) is that of every lead's price
Leads and contacts are ordered by updated_at, as the connector asks; times are Unix seconds.
amoCRM's event log has no e-mails or meetings of the kind the connector reads: the world's
e-mails and meetings are not written, so only calls are sales touches.

Served (`replay`) as the connector asks (smarketing.extract.amocrm_api), with a long-lived token:
`GET /api/v4/contacts` and `/api/v4/leads` filtered by `filter[updated_at][from|to]`, `/api/v4/events`
by `filter[created_at][from|to]` and `filter[type]`, each `limit` records a page by `page` number,
linking the next page while there is one, and 204 (no content) for a page with nothing on it, as
amoCRM answers; `/api/v4/leads/pipelines` and `/api/v4/account` whole.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from smarketing.demo.api_replay import Answer, DemoPlatform, _json_files
from smarketing.demo.generator import (
    CLOSED_LOST_REASONS,
    CURRENCY,
    SALES_OWNERS,
    Contact,
    Deal,
    DemoWorld,
    Engagement,
    _edition,
    _write_json,
)

ACCOUNT_ID = 31_508_207
SUBDOMAIN = "acmesoftware"
BASE_URL = f"https://{SUBDOMAIN}.amocrm.ru"
PIPELINE_ID = 8_104_501
# The pipeline's own statuses (ids as amoCRM numbers them, per account) and the stage each means.
NEW, MQL, SQL = 67_120_010, 67_120_020, 67_120_030
DEMO, PROPOSAL, CONTRACT = 67_120_040, 67_120_050, 67_120_060
DISQUALIFIED = 67_120_090
WON, LOST = 142, 143  # the same in every amoCRM pipeline
STATUSES = (
    (NEW, "New inquiry", "lead"),
    (MQL, "Marketing qualified", "mql"),
    (SQL, "Sales accepted", "sql"),
    (DEMO, "Demo scheduled", "opportunity"),
    (PROPOSAL, "Proposal sent", "opportunity"),
    (CONTRACT, "Contract sent", "opportunity"),
    (DISQUALIFIED, "Disqualified", "disqualified"),
    (WON, "Closed - won", "won"),
    (LOST, "Closed - lost", "lost"),
)
# Merged into definitions.crm_mappings.amocrm.fields by the demo (smarketing.cli).
CRM_MAPPING_FIELDS = {"status_id": {str(status): stage for status, _, stage in STATUSES if status not in (WON, LOST)}}
# The world's HubSpot deal stages as this pipeline's statuses.
DEAL_STATUSES = {
    "appointmentscheduled": DEMO,
    "qualifiedtobuy": DEMO,
    "presentationscheduled": PROPOSAL,
    "decisionmakerboughtin": PROPOSAL,
    "contractsent": CONTRACT,
    "closedwon": WON,
    "closedlost": LOST,
}
LOSS_REASON_IDS = {reason: 11_020 + number for number, reason in enumerate(CLOSED_LOST_REASONS, start=1)}
# The world's owners (HubSpot owner ids, all digits) keep their numbers as amoCRM user ids.
USER_IDS = [int(owner) for owner in SALES_OWNERS]
# Custom field ids of the account: the contact's fields and the lead's tracking data.
CONTACT_FIELDS = {"PHONE": 1_203_001, "EMAIL": 1_203_003, "POSITION": 1_203_005}
# The lead's tracking_data fields a web form fills from the landing page's URL and referrer.
TRACKING_FIELDS = ("UTM_SOURCE", "UTM_MEDIUM", "UTM_CAMPAIGN", "UTM_TERM", "GCLID", "FBCLID", "REFERRER")
TRACKING_FIELD_IDS = {code: 1_204_001 + number for number, code in enumerate(TRACKING_FIELDS)}
# Page sizes of a full run's pull (the connector's `limit`), hence of the file drop's pages.
PAGE_LIMITS = {"contacts": 250, "leads": 250, "events": 100}
FIRST_LEAD_ID = 24_300_000
FIRST_NOTE_ID = 52_000_001
ULID_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"  # Crockford's base32, lowercase as amoCRM's event ids


def write(world: DemoWorld, folder: Path, rng: random.Random) -> None:
    """Contacts, leads, events, the pipeline and the account; `rng` draws only the event ids."""
    deals = {deal.contact.contact_id: deal for deal in world.deals}
    engagements: dict[int, list[Engagement]] = {}
    for engagement in world.engagements:
        engagements.setdefault(engagement.contact.contact_id, []).append(engagement)
    contacts, leads, events = [], [], []
    for contact in world.contacts:
        owner = _owner(contact, engagements.get(contact.contact_id, []))
        moves = _moves(contact, deals.get(contact.contact_id))
        contacts.append(_contact(contact, owner))
        leads.append(_lead(contact, deals.get(contact.contact_id), moves, owner))
        statuses = [NEW, *(status for _, status in moves)]
        events += [_status_event(_lead_id(contact), before, after, at, owner)
                   for before, (at, after) in zip(statuses[:-1], moves, strict=True)]  # fmt: skip
    calls = [engagement for engagement in world.engagements if engagement.object_type == "calls"]
    events += [_call_event(call, note_id) for note_id, call in enumerate(calls, start=FIRST_NOTE_ID)]
    events.sort(key=lambda event: (event["created_at"], event["entity_type"], event["entity_id"]))
    for event in events:
        event["id"] = _event_id(rng, event["created_at"])
    for entity, records in (("contacts", contacts), ("leads", leads), ("events", events)):
        records.sort(key=lambda record: (record.get("updated_at", record["created_at"]), record["id"]))
        for number, body in enumerate(_pages(entity, records), start=1):
            _write_json(folder / entity / f"page-{number:04d}.json", body)
    _write_json(folder / "pipelines" / "pipelines.json", _pipelines())
    _write_json(folder / "account" / "account.json", _account())


def _owner(contact: Contact, engagements: list[Engagement]) -> int:
    """The sales rep who follows the person up; one of them by turns for people nobody contacted."""
    if engagements:
        return int(engagements[0].owner_id)
    return USER_IDS[contact.contact_id % len(USER_IDS)]


def _moves(contact: Contact, deal: Deal | None) -> list[tuple[datetime, int]]:
    """The lead's moves along the pipeline from "New inquiry", when the person reached each stage."""
    stages = contact.stage_dates
    moves = [(stages[stage], status) for stage, status in
             (("marketingqualifiedlead", MQL), ("salesqualifiedlead", SQL)) if stage in stages]  # fmt: skip
    if deal is not None:
        moves.append((deal.created_at, DEMO))  # the world's deal is created when it becomes an opportunity
        status = DEAL_STATUSES[deal.stage]
        if status != DEMO:
            moves.append((deal.closed_at or deal.last_modified_at, status))
    elif contact.lead_status in ("UNQUALIFIED", "BAD_TIMING"):
        moves.append((contact.disqualified_at or contact.last_modified_at or contact.created_at, DISQUALIFIED))
    return moves


def _contact(contact: Contact, owner: int) -> dict[str, Any]:
    values = (("PHONE", contact.phone, "WORK"), ("EMAIL", contact.email, "WORK"), ("POSITION", contact.jobtitle, None))
    fields = [
        {
            "field_id": CONTACT_FIELDS[code],
            "field_name": code.title(),
            "field_code": code,
            "field_type": "multitext" if enum_code else "text",
            "values": [{"value": value, **({"enum_code": enum_code} if enum_code else {})}],
        }
        for code, value, enum_code in values
        if value is not None
    ]
    name = " ".join(part for part in (contact.firstname, contact.lastname) if part)
    return {
        "id": contact.contact_id,
        "name": name,
        "first_name": contact.firstname or "",
        "last_name": contact.lastname or "",
        "responsible_user_id": owner,
        "created_by": owner,
        "updated_by": owner,
        "created_at": _unix(contact.created_at),
        "updated_at": _unix(contact.last_modified_at or contact.created_at),
        "is_deleted": False,
        "custom_fields_values": fields or None,
        "account_id": ACCOUNT_ID,
        "_links": {"self": {"href": f"{BASE_URL}/api/v4/contacts/{contact.contact_id}"}},
    }


def _lead(contact: Contact, deal: Deal | None, moves: list[tuple[datetime, int]], owner: int) -> dict[str, Any]:
    """The person's lead card, its status the last move's."""
    status = moves[-1][1] if moves else NEW
    closed_at = deal.closed_at if deal is not None and status in (WON, LOST) else None
    changed = [contact.created_at, *(at for at, _ in moves), *([deal.last_modified_at] if deal else [])]
    buyer = contact.company or " ".join(part for part in (contact.firstname, contact.lastname) if part)
    inquiry = contact.first_conversion[0] if contact.first_conversion else "Inquiry"
    lost_reason = deal.lost_reason if deal is not None and status == LOST else None
    tracking = [
        {
            "field_id": TRACKING_FIELD_IDS[code],
            "field_name": code.lower(),
            "field_code": code,
            "field_type": "tracking_data",
            "values": [{"value": value}],
        }
        for code, value in _tracking(contact.attribution).items()
        if value
    ]
    embedded: dict[str, Any] = {
        "contacts": [{"id": contact.contact_id, "is_main": True,
                      "_links": {"self": {"href": f"{BASE_URL}/api/v4/contacts/{contact.contact_id}"}}}],
    }  # fmt: skip
    if lost_reason is not None:
        embedded["loss_reason"] = [{"id": LOSS_REASON_IDS[lost_reason], "name": lost_reason}]
    return {
        "id": _lead_id(contact),
        "name": f"{buyer} - Acme CRM {_edition(deal.amount)}" if deal is not None else f"{buyer} - {inquiry}",
        # amoCRM's budget is an integer, 0 when sales have not entered one.
        "price": (deal.amount or 0) if deal is not None else 0,
        "responsible_user_id": owner,
        "status_id": status,
        "pipeline_id": PIPELINE_ID,
        "loss_reason_id": None if lost_reason is None else LOSS_REASON_IDS[lost_reason],
        "created_by": owner,
        "updated_by": owner,
        "created_at": _unix(contact.created_at),
        "updated_at": _unix(max(changed)),
        "closed_at": None if closed_at is None else _unix(closed_at),
        "is_deleted": False,
        "custom_fields_values": tracking or None,
        "account_id": ACCOUNT_ID,
        "_links": {"self": {"href": f"{BASE_URL}/api/v4/leads/{_lead_id(contact)}"}},
        "_embedded": embedded,
    }


def _tracking(attribution: dict[str, str | None]) -> dict[str, str | None]:
    """The world's first visit as tracking data: UTM tags (the search keyword as utm_term), click
    ids, and the referring page of a referral (HubSpot's source data 2 of REFERRALS)."""
    data_2 = attribution["hs_analytics_source_data_2"]
    tagged = attribution.get("utm_source") is not None
    return {
        "UTM_SOURCE": attribution.get("utm_source"),
        "UTM_MEDIUM": attribution.get("utm_medium"),
        "UTM_CAMPAIGN": attribution.get("utm_campaign"),
        "UTM_TERM": data_2 if tagged else None,
        "GCLID": attribution.get("hs_google_click_id"),
        "FBCLID": attribution.get("hs_facebook_click_id"),
        "REFERRER": data_2 if attribution["hs_analytics_source"] == "REFERRALS" else None,
    }


def _lead_id(contact: Contact) -> int:
    """One card per person, numbered in the order the people came (amoCRM counts leads apart)."""
    return FIRST_LEAD_ID + contact.contact_id


def _status_event(lead_id: int, before: int, after: int, at: datetime, owner: int) -> dict[str, Any]:
    return _event("lead_status_changed", "lead", lead_id, owner, at,
                  [{"lead_status": {"id": after, "pipeline_id": PIPELINE_ID}}],
                  [{"lead_status": {"id": before, "pipeline_id": PIPELINE_ID}}])  # fmt: skip


def _call_event(call: Engagement, note_id: int) -> dict[str, Any]:
    kind = "outgoing_call" if call.properties["hs_call_direction"] == "OUTBOUND" else "incoming_call"
    return _event(kind, "contact", call.contact.contact_id, int(call.owner_id), call.created_at,
                  [{"note": {"id": note_id}}], [])  # fmt: skip


def _event(kind: str, entity: str, entity_id: int, by: int, at: datetime, after: list, before: list) -> dict:
    return {
        "id": "",  # drawn once the log is in order (_event_id)
        "type": kind,
        "entity_id": entity_id,
        "entity_type": entity,
        "created_by": by,
        "created_at": _unix(at),
        "value_after": after,
        "value_before": before,
        "account_id": ACCOUNT_ID,
    }


def _event_id(rng: random.Random, created_at: int) -> str:
    """A ULID, as amoCRM's event ids are: 48 bits of milliseconds, then 80 random bits."""
    number = (created_at * 1000) << 80 | rng.getrandbits(80)
    return "".join(ULID_ALPHABET[(number >> shift) & 31] for shift in range(125, -1, -5))


def _pipelines() -> dict[str, Any]:
    href = f"{BASE_URL}/api/v4/leads/pipelines"
    statuses = [
        {"id": status, "name": name, "sort": 10 * number if status not in (WON, LOST) else 10_000 + status - WON,
         "is_editable": status not in (WON, LOST), "pipeline_id": PIPELINE_ID, "type": 0, "account_id": ACCOUNT_ID}
        for number, (status, name, _) in enumerate(STATUSES, start=1)
    ]  # fmt: skip
    pipeline = {
        "id": PIPELINE_ID,
        "name": "Acme Sales",
        "sort": 1,
        "is_main": True,
        "is_unsorted_on": False,
        "is_archive": False,
        "account_id": ACCOUNT_ID,
        "_links": {"self": {"href": f"{href}/{PIPELINE_ID}"}},
        "_embedded": {"statuses": statuses},
    }
    return {"_total_items": 1, "_links": {"self": {"href": href}}, "_embedded": {"pipelines": [pipeline]}}


def _account() -> dict[str, Any]:
    return {
        "id": ACCOUNT_ID,
        "name": "Acme Software GmbH",
        "subdomain": SUBDOMAIN,
        "country": "DE",
        "currency": CURRENCY,
        "_links": {"self": {"href": f"{BASE_URL}/api/v4/account"}},
    }


def _pages(entity: str, records: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """The list responses of a full run's pull of `records`, PAGE_LIMITS[entity] a page."""
    limit = PAGE_LIMITS[entity]
    for start in range(0, len(records), limit):
        page, more = records[start : start + limit], start + limit < len(records)
        yield _page(entity, page, start // limit + 1, more, {"limit": str(limit)})


def _page(entity: str, records: list[dict[str, Any]], number: int, more: bool, query: dict[str, str]) -> dict:
    def href(page: int) -> str:
        return f"{BASE_URL}/api/v4/{entity}?{urlencode({**query, 'page': page})}"

    links = {"self": {"href": href(number)}, **({"next": {"href": href(number + 1)}} if more else {})}
    return {"_page": number, "_links": links, "_embedded": {entity: records}}


def _unix(moment: datetime) -> int:
    return int(moment.timestamp())


# ---- the API ------------------------------------------------------------------------------------

# The list endpoints: the stream, and the field its window filter is on.
LISTS = {"/api/v4/contacts": ("contacts", "updated_at"), "/api/v4/leads": ("leads", "updated_at"),
         "/api/v4/events": ("events", "created_at")}  # fmt: skip
WHOLE = {"/api/v4/leads/pipelines": "pipelines/*.json", "/api/v4/account": "account/*.json"}
DEMO_TOKEN = "demo-long-lived-token"


def replay(folder: Path) -> DemoPlatform:
    records = {
        entity: [record for page in _json_files(folder / entity, "*.json") for record in page["_embedded"][entity]]
        for entity, _ in LISTS.values()
    }

    def listing(entity: str, window_field: str, query: dict[str, str]) -> Answer:
        kept = [record for record in records[entity] if _passes(record, window_field, query)]
        number, limit = int(query.get("page") or 1), int(query.get("limit") or PAGE_LIMITS[entity])
        page = kept[(number - 1) * limit : number * limit]
        if not page:
            return 204, None  # amoCRM: nothing (more) to list
        shown = {key: value for key, value in query.items() if key != "page"} | {"limit": str(limit)}
        return 200, _page(entity, page, number, number * limit < len(kept), shown)

    def handle(method: str, target: str, _body: Any) -> Answer | None:
        parts = urlsplit(target)
        query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        if method != "GET":
            return None
        if parts.path in LISTS:
            return listing(*LISTS[parts.path], query)
        if parts.path in WHOLE:
            return 200, next(_json_files(folder, WHOLE[parts.path]))
        return None

    return DemoPlatform(handle, {"conn_type": "http", "password": DEMO_TOKEN}, [])


def _passes(record: dict[str, Any], window_field: str, query: dict[str, str]) -> bool:
    """amoCRM's filters: the window's field from `from` to `to` (both inclusive), and the types."""
    low, high = (query.get(f"filter[{window_field}][{bound}]") for bound in ("from", "to"))
    if (low is not None and record[window_field] < int(low)) or (high is not None and record[window_field] > int(high)):
        return False
    types = query.get("filter[type]")
    return types is None or record["type"] in types.split(",")
