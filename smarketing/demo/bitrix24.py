"""The demo company's people in Bitrix24: a lead each, whose status and stage history follow the
person down the funnel, a deal for each of the world's deals converted from its lead, and the calls,
e-mails and meetings of sales as the leads' activities, written as a file drop and served as the
REST API of an inbound webhook, so `make demo API=bitrix24` runs the Bitrix24 connector end to end.

Written (`write`) as smarketing.extract.bitrix24 reads it, list responses of 50 records a page, by
ascending ID as the connector asks, one page a file (`{"result": [...], "next": 50, "total": N,
"time": {...}}`; the stage history's records are under `result.items`):
  leads/crm.lead.list-NNNN.json         every person of the world (test and duplicate records too),
                                        keeping its id; STATUS_ID by the default mapping: NEW, then
                                        IN_PROCESS (MQL), PROCESSED (SQL), CONVERTED (S) when the
                                        world's deal was created from it, or JUNK (F) when the person
                                        was disqualified (UNQUALIFIED, BAD_TIMING); SOURCE_ID the
                                        HubSpot source as a standard Bitrix24 source (LEAD_SOURCES);
                                        the UTM tags of the person's first visit (the search keyword
                                        as UTM_TERM); e-mail and phone as multifields
  deals/crm.deal.list-NNNN.json         one deal per world deal in the default pipeline (CATEGORY_ID
                                        0), its lead as LEAD_ID, the world's stage as a standard stage
                                        (DEAL_STAGES) with its semantic P, S (won) or F (lost), the
                                        amount as OPPORTUNITY in EUR (0.00 when sales left it empty);
                                        a closed deal's DATE_MODIFY is its close
  activities/crm.activity.list-NNNN.json  each of the world's calls (TYPE_ID 2), e-mails (4) and
                                        meetings (1), owned by the person's lead (OWNER_TYPE_ID 1),
                                        DIRECTION 2 out / 1 in (0 for meetings), completed, starting
                                        when the world has it happen and created when it was logged
  lead_stage_history/crm.stagehistory.list-NNNN.json  an entry for every status the lead reached,
                                        dated when the world's person reached that stage (staging
                                        dates the funnel by them): TYPE_ID 1 created, 2 moved, 3 final
  deal_stage_history/crm.stagehistory.list-NNNN.json  the deal created in NEW, and its move to the
                                        world's stage: at the close, or (an open deal) its last change
Times are ISO with the offset of the portal's time zone (Europe/Berlin, the company's); ids are
strings except the stage history's, which the API sends as numbers. The standard status, source and
stage ids are the default mapping's, so the demo needs no CRM_MAPPING_FIELDS.

Served (`replay`) as the connector asks (smarketing.extract.bitrix24_api), through the webhook
`/rest/<user id>/<secret>/`: `POST crm.lead.list`, `crm.deal.list`, `crm.activity.list` and
`crm.stagehistory.list` (`entityTypeId` 1 leads, 2 deals) with a JSON body: `filter` (`>=`, `>`,
`<=`, `<`, `=`, `!` on any field: ids as numbers, times as instants), `order`, `select` (`*` is
every field but the multifields, which come when named), and `start`: an offset answers 50 records
with `next` and `total`; `-1`, the connector's way, the first 50 and no count. A wrong webhook
secret is answered 401 INVALID_CREDENTIALS, as Bitrix24 does.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from smarketing.demo.api_replay import Answer, DemoPlatform, _json_files
from smarketing.demo.generator import (
    BERLIN,
    CURRENCY,
    SALES_OWNERS,
    Contact,
    Deal,
    DemoWorld,
    Engagement,
    _edition,
    _write_json,
)

PORTAL = "acmesoftware.bitrix24.de"
PAGE_SIZE = 50  # fixed by Bitrix24 for every list method
# The world's owners (HubSpot owner ids) as the portal's users; the webhook is the admin's (1).
USER_IDS = {owner: str(number) for number, owner in enumerate(SALES_OWNERS, start=11)}
WEBHOOK_USER_ID = "1"
WEBHOOK_SECRET = "demo4webhook7secret"
# The lead statuses (standard ids) and their semantics: P in progress, S converted, F junk.
NEW, IN_PROCESS, PROCESSED, CONVERTED, JUNK = "NEW", "IN_PROCESS", "PROCESSED", "CONVERTED", "JUNK"
STATUS_SEMANTICS = {NEW: "P", IN_PROCESS: "P", PROCESSED: "P", CONVERTED: "S", JUNK: "F"}
# The world's HubSpot deal stages as the default pipeline's stages, and each stage's semantic.
DEAL_STAGES = {
    "appointmentscheduled": "NEW",
    "qualifiedtobuy": "PREPARATION",
    "presentationscheduled": "PREPAYMENT_INVOICE",
    "decisionmakerboughtin": "EXECUTING",
    "contractsent": "FINAL_INVOICE",
    "closedwon": "WON",
    "closedlost": "LOSE",
}
STAGE_SEMANTICS = {"WON": "S", "LOSE": "F"}  # every other stage: P
# HubSpot's original source as a standard Bitrix24 source: a web form (WEB) for the visits, an ad
# (ADVERTISING) for paid clicks, the newsletter (EMAIL), a review site's link (RECOMMENDATION), a
# trade-show import (TRADE_SHOW), typed in by hand (OTHER).
LEAD_SOURCES = {
    "PAID_SEARCH": "ADVERTISING",
    "PAID_SOCIAL": "ADVERTISING",
    "OTHER_CAMPAIGNS": "ADVERTISING",
    "ORGANIC_SEARCH": "WEB",
    "DIRECT_TRAFFIC": "WEB",
    "SOCIAL_MEDIA": "WEB",
    "REFERRALS": "RECOMMENDATION",
    "EMAIL_MARKETING": "EMAIL",
}
# Activity types, and the providers that log them (telephony, the mailbox, the calendar).
ACTIVITY_TYPES = {
    "calls": ("2", "VOXIMPLANT_CALL", "CALL"),
    "emails": ("4", "CRM_EMAIL", "EMAIL"),
    "meetings": ("1", "CRM_MEETING", "MEETING"),
}
INCOMING, OUTGOING, NO_DIRECTION = "1", "2", "0"
CALL_SUBJECTS = {INCOMING: "Incoming call", OUTGOING: "Outgoing call"}
FIRST_ACTIVITY_ID = 40_001
FIRST_MULTIFIELD_ID = 60_000
FIRST_LEAD_HISTORY_ID = 1_001
FIRST_DEAL_HISTORY_ID = 5_001
# The file of each stream's pages, named after the method that answers them.
METHODS = {
    "leads": "crm.lead.list",
    "deals": "crm.deal.list",
    "activities": "crm.activity.list",
    "lead_stage_history": "crm.stagehistory.list",
    "deal_stage_history": "crm.stagehistory.list",
}
HISTORIES = ("lead_stage_history", "deal_stage_history")  # records under result.items
MULTIFIELDS = ("EMAIL", "PHONE")  # sent only when `select` names them


def write(world: DemoWorld, folder: Path, rng: random.Random) -> None:
    """Leads, deals, activities and both stage histories; `rng` is not drawn from (nothing here is
    random: the world decided it all)."""
    deals = {deal.contact.contact_id: deal for deal in world.deals}
    engagements: dict[int, list[Engagement]] = {}
    for engagement in world.engagements:
        engagements.setdefault(engagement.contact.contact_id, []).append(engagement)
    leads, deal_records, lead_history, deal_history = [], [], [], []
    for contact in world.contacts:
        owner = _owner(contact, engagements.get(contact.contact_id, []))
        deal = deals.get(contact.contact_id)
        statuses = _statuses(contact, deal)
        leads.append(_lead(contact, statuses, owner))
        lead_history += [_lead_entry(contact, status, at, number == 0)
                         for number, (at, status) in enumerate(statuses)]  # fmt: skip
        if deal is not None:
            deal_records.append(_deal(deal, owner))
            deal_history += _deal_entries(deal)
    activities = [_activity(engagement, number) for number, engagement in enumerate(world.engagements)]
    for entries, first_id in ((lead_history, FIRST_LEAD_HISTORY_ID), (deal_history, FIRST_DEAL_HISTORY_ID)):
        entries.sort(
            key=lambda entry: (datetime.fromisoformat(entry["CREATED_TIME"]), entry["OWNER_ID"], entry["TYPE_ID"])
        )
        for number, entry in enumerate(entries):
            entry["ID"] = first_id + number
    exported_at = world.window.cutoff + timedelta(hours=4, seconds=1)  # the night after the last day
    streams = {"leads": leads, "deals": deal_records, "activities": activities,
               "lead_stage_history": lead_history, "deal_stage_history": deal_history}  # fmt: skip
    for offset, (entity, records) in enumerate(streams.items()):
        records.sort(key=lambda record: int(record["ID"]))
        pulled_at = exported_at + timedelta(minutes=offset)
        for number, body in enumerate(_pages(entity, records, pulled_at), start=1):
            _write_json(folder / entity / f"{METHODS[entity]}-{number:04d}.json", body)


def _owner(contact: Contact, engagements: list[Engagement]) -> str:
    """The sales rep who follows the person up; one of them by turns for people nobody contacted."""
    if engagements:
        return USER_IDS[engagements[0].owner_id]
    return USER_IDS[SALES_OWNERS[contact.contact_id % len(SALES_OWNERS)]]


def _statuses(contact: Contact, deal: Deal | None) -> list[tuple[datetime, str]]:
    """The lead's statuses from its creation in NEW, each when the person reached that stage."""
    stages = contact.stage_dates
    reached = (("marketingqualifiedlead", IN_PROCESS), ("salesqualifiedlead", PROCESSED))
    statuses = [(contact.created_at, NEW), *((stages[stage], status) for stage, status in reached if stage in stages)]
    if deal is not None:
        statuses.append((deal.created_at, CONVERTED))  # the world's deal is created from the lead
    elif contact.lead_status in ("UNQUALIFIED", "BAD_TIMING"):
        statuses.append((contact.disqualified_at or contact.last_modified_at or contact.created_at, JUNK))
    return statuses


def _lead(contact: Contact, statuses: list[tuple[datetime, str]], owner: str) -> dict[str, Any]:
    """The person's lead, its status the last one reached."""
    closed_at, status = statuses[-1]
    attribution = contact.attribution
    name = " ".join(part for part in (contact.firstname, contact.lastname) if part)
    inquiry = contact.first_conversion[0] if contact.first_conversion else "Inquiry"
    multifields = {
        kind: [{"ID": str(_multifield_id(contact, kind)), "VALUE_TYPE": value_type, "VALUE": value, "TYPE_ID": kind}]
        for kind, value, value_type in (
            ("EMAIL", contact.email, "HOME" if contact.free_mail else "WORK"),
            ("PHONE", contact.phone, "WORK"),
        )
        if value is not None
    }
    return {
        "ID": str(contact.contact_id),
        "TITLE": f"{inquiry}: {name or contact.email or contact.company}",
        "NAME": contact.firstname,
        "LAST_NAME": contact.lastname,
        "COMPANY_TITLE": contact.company,
        "POST": contact.jobtitle,
        "ADDRESS_COUNTRY": contact.country,
        "STATUS_ID": status,
        "STATUS_SEMANTIC_ID": STATUS_SEMANTICS[status],
        "STATUS_DESCRIPTION": contact.disqualification_reason if status == JUNK else None,
        "SOURCE_ID": _source(attribution),
        "SOURCE_DESCRIPTION": attribution["hs_analytics_source_data_1"],
        "OPPORTUNITY": "0.00",
        "CURRENCY_ID": CURRENCY,
        "OPENED": "Y",
        "HAS_EMAIL": "Y" if "EMAIL" in multifields else "N",
        "HAS_PHONE": "Y" if "PHONE" in multifields else "N",
        "ASSIGNED_BY_ID": owner,
        "CREATED_BY_ID": owner,
        "MODIFY_BY_ID": owner,
        **_utm(attribution),
        "DATE_CREATE": _time(contact.created_at),
        "DATE_MODIFY": _time(max(contact.last_modified_at or contact.created_at, *(at for at, _ in statuses))),
        "DATE_CLOSED": _time(closed_at) if status in (CONVERTED, JUNK) else None,
        **multifields,
    }


def _source(attribution: dict[str, str | None]) -> str:
    source = attribution["hs_analytics_source"] or ""
    if source == "OFFLINE":  # an event's list imported, or typed in by hand
        return "TRADE_SHOW" if attribution["hs_analytics_source_data_1"] == "IMPORT" else "OTHER"
    return LEAD_SOURCES.get(source, "OTHER")


def _utm(attribution: dict[str, str | None]) -> dict[str, str | None]:
    """The first visit's UTM tags, the search keyword as UTM_TERM, as a Bitrix24 web form keeps them."""
    tagged = attribution.get("utm_source") is not None
    return {
        "UTM_SOURCE": attribution.get("utm_source"),
        "UTM_MEDIUM": attribution.get("utm_medium"),
        "UTM_CAMPAIGN": attribution.get("utm_campaign"),
        "UTM_CONTENT": None,
        "UTM_TERM": attribution["hs_analytics_source_data_2"] if tagged else None,
    }


def _multifield_id(contact: Contact, kind: str) -> int:
    return FIRST_MULTIFIELD_ID + 2 * contact.contact_id + MULTIFIELDS.index(kind)


def _lead_entry(contact: Contact, status: str, at: datetime, created: bool) -> dict[str, Any]:
    return {
        "ID": 0,  # numbered once the history is in order
        "TYPE_ID": _entry_type(created, STATUS_SEMANTICS[status]),
        "OWNER_ID": contact.contact_id,
        "CREATED_TIME": _time(at),
        "STATUS_ID": status,
        "STATUS_SEMANTIC_ID": STATUS_SEMANTICS[status],
    }


def _deal(deal: Deal, owner: str) -> dict[str, Any]:
    contact = deal.contact
    stage = DEAL_STAGES[deal.stage]
    closed = stage in STAGE_SEMANTICS
    buyer = contact.company or " ".join(part for part in (contact.firstname, contact.lastname) if part)
    return {
        "ID": str(deal.deal_id),
        "TITLE": f"{buyer} - Acme CRM {_edition(deal.amount)}",
        "TYPE_ID": "SALE",
        "CATEGORY_ID": "0",
        "STAGE_ID": stage,
        "STAGE_SEMANTIC_ID": STAGE_SEMANTICS.get(stage, "P"),
        "IS_NEW": "Y" if stage == "NEW" else "N",
        "OPPORTUNITY": f"{deal.amount or 0}.00",  # 0.00 when sales have not entered one
        "CURRENCY_ID": CURRENCY,
        "CLOSED": "Y" if closed else "N",
        # The planned close day, the actual one once closed (open deals: none planned yet).
        "BEGINDATE": _day(deal.created_at),
        "CLOSEDATE": _day(deal.closed_at) if closed and deal.closed_at else None,
        "COMMENTS": deal.lost_reason if stage == "LOSE" else None,
        "LEAD_ID": str(contact.contact_id),
        "CONTACT_ID": str(contact.contact_id),  # the contact made from the lead (contacts are not read)
        "COMPANY_ID": "0",
        "SOURCE_ID": _source(contact.attribution),
        "ASSIGNED_BY_ID": owner,
        "CREATED_BY_ID": owner,
        "MODIFY_BY_ID": owner,
        **_utm(contact.attribution),
        "DATE_CREATE": _time(deal.created_at),
        "DATE_MODIFY": _time(deal.closed_at if closed and deal.closed_at else deal.last_modified_at),
    }


def _deal_entries(deal: Deal) -> list[dict[str, Any]]:
    """Created in NEW; moved to the world's stage at the close, or (open) at the last change."""
    stage = DEAL_STAGES[deal.stage]
    moves = [(deal.created_at, "NEW")]
    if stage != "NEW":
        moves.append((deal.closed_at or deal.last_modified_at, stage))
    return [
        {
            "ID": 0,  # numbered once the history is in order
            "TYPE_ID": _entry_type(number == 0, STAGE_SEMANTICS.get(stage, "P")),
            "OWNER_ID": deal.deal_id,
            "CREATED_TIME": _time(at),
            "CATEGORY_ID": 0,
            "STAGE_ID": stage,
            "STAGE_SEMANTIC_ID": STAGE_SEMANTICS.get(stage, "P"),
        }
        for number, (at, stage) in enumerate(moves)
    ]


def _entry_type(created: bool, semantic: str) -> int:
    """A stage-history entry's TYPE_ID: 1 created, 2 moved to an intermediate stage, 3 to a final one."""
    return 1 if created else 2 if semantic == "P" else 3


def _activity(engagement: Engagement, number: int) -> dict[str, Any]:
    type_id, provider, provider_type = ACTIVITY_TYPES[engagement.object_type]
    properties = engagement.properties
    if engagement.object_type == "calls":
        direction = INCOMING if properties.get("hs_call_direction") == "INBOUND" else OUTGOING
        subject = CALL_SUBJECTS[direction]
        end = engagement.occurred_at + timedelta(milliseconds=int(properties.get("hs_call_duration") or 0))
    elif engagement.object_type == "emails":
        direction = OUTGOING if properties.get("hs_email_direction") == "EMAIL" else INCOMING
        subject, end = properties.get("hs_email_subject") or "", engagement.occurred_at
    else:
        direction, subject = NO_DIRECTION, properties.get("hs_meeting_title") or "Meeting"
        end = engagement.occurred_at + timedelta(minutes=45)
    owner = USER_IDS[engagement.owner_id]
    return {
        "ID": str(FIRST_ACTIVITY_ID + number),
        "OWNER_TYPE_ID": "1",
        "OWNER_ID": str(engagement.contact.contact_id),
        "TYPE_ID": type_id,
        "PROVIDER_ID": provider,
        "PROVIDER_TYPE_ID": provider_type,
        "DIRECTION": direction,
        "SUBJECT": subject,
        "COMPLETED": "Y",  # the world logs only what happened (a missed call was still made)
        "START_TIME": _time(engagement.occurred_at),
        "END_TIME": _time(end),
        "RESPONSIBLE_ID": owner,
        "AUTHOR_ID": owner,
        "CREATED": _time(engagement.created_at),
        "LAST_UPDATED": _time(engagement.updated_at),
    }


def _pages(entity: str, records: list[dict[str, Any]], exported_at: datetime) -> Iterator[dict[str, Any]]:
    """The list responses of a full run's pull of `records` by offset, 50 a page; one, empty, for none."""
    for start in range(0, max(len(records), 1), PAGE_SIZE):
        more = start + PAGE_SIZE < len(records)
        yield _page(entity, records[start : start + PAGE_SIZE], start + PAGE_SIZE if more else None,
                    len(records), exported_at.timestamp() + start // PAGE_SIZE)  # fmt: skip


def _page(entity: str, records: list[dict[str, Any]], next_start: int | None, total: int | None, at: float) -> dict:
    body: dict[str, Any] = {"result": {"items": records} if entity in HISTORIES else records}
    if next_start is not None:
        body["next"] = next_start
    if total is not None:
        body["total"] = total
    return body | {"time": _timing(at)}


def _timing(at: float) -> dict[str, Any]:
    """The `time` block of a response: when it was answered, and how long that took."""
    start, finish = round(at, 3), round(at + 0.1, 3)
    moments = (datetime.fromtimestamp(moment, BERLIN).isoformat(timespec="seconds") for moment in (start, finish))
    return {"start": start, "finish": finish, "duration": 0.1, "processing": 0.05,
            "date_start": next(moments), "date_finish": next(moments)}  # fmt: skip


def _time(moment: datetime) -> str:
    """A Bitrix24 time: to the second, with the portal's offset (2026-03-02T10:00:00+01:00)."""
    return moment.astimezone(BERLIN).replace(microsecond=0).isoformat()


def _day(moment: datetime) -> str:
    """A date field (CLOSEDATE, BEGINDATE): midnight of the portal's day."""
    local = moment.astimezone(BERLIN)
    return datetime(local.year, local.month, local.day, tzinfo=BERLIN).isoformat()


# ---- the API ------------------------------------------------------------------------------------

_WEBHOOK = re.compile(r"/rest/([^/]+)/([^/]+)/([\w.]+?)(?:\.json)?")
LISTS = {"crm.lead.list": "leads", "crm.deal.list": "deals", "crm.activity.list": "activities"}
HISTORY_ENTITIES = {1: "lead_stage_history", 2: "deal_stage_history"}  # crm.stagehistory.list entityTypeId
_CONDITION = re.compile(r"(>=|<=|!=|>|<|=|!)?(\w+)")


def replay(folder: Path) -> DemoPlatform:
    records = {
        entity: [record for page in _json_files(folder / entity, "*.json") for record in _records_of(entity, page)]
        for entity in METHODS
    }

    def listing(entity: str, body: dict[str, Any]) -> Answer:
        try:
            found = [record for record in records[entity] if _passes(record, body.get("filter") or {})]
        except ValueError as error:
            return 400, {"error": "INVALID_ARG_VALUE", "error_description": str(error)}
        for field, direction in reversed(list((body.get("order") or {"ID": "ASC"}).items())):
            found.sort(key=lambda record, f=field: _value(record.get(f)), reverse=str(direction).upper() == "DESC")
        if entity not in HISTORIES:
            found = [_selected(record, body.get("select")) for record in found]
        start = int(body.get("start") or 0)
        if start == -1:  # no count: the first page only, and neither `next` nor `total`
            return 200, _page(entity, found[:PAGE_SIZE], None, None, time.time())
        more = start + PAGE_SIZE < len(found)
        return 200, _page(entity, found[start : start + PAGE_SIZE], start + PAGE_SIZE if more else None,
                          len(found), time.time())  # fmt: skip

    def handle(method: str, target: str, body: Any) -> Answer | None:
        match = _WEBHOOK.fullmatch(urlsplit(target).path)
        if method != "POST" or match is None:
            return None
        user_id, secret, name = match.groups()
        if (user_id, secret) != (WEBHOOK_USER_ID, WEBHOOK_SECRET):
            return 401, {"error": "INVALID_CREDENTIALS", "error_description": "Invalid request credentials"}
        body = body if isinstance(body, dict) else {}
        if name in LISTS:
            return listing(LISTS[name], body)
        if name == "crm.stagehistory.list" and str(body.get("entityTypeId")) in ("1", "2"):
            return listing(HISTORY_ENTITIES[int(body["entityTypeId"])], body)
        return None

    connection = {"conn_type": "http", "login": WEBHOOK_USER_ID, "password": WEBHOOK_SECRET}
    return DemoPlatform(handle, connection, [])


def _records_of(entity: str, page: dict[str, Any]) -> list[dict[str, Any]]:
    return page["result"]["items"] if entity in HISTORIES else page["result"]


def _passes(record: dict[str, Any], conditions: dict[str, Any]) -> bool:
    """Bitrix24's filter: every condition holds; a field without a value meets only `!` (not equal)."""
    for key, wanted in conditions.items():
        match = _CONDITION.fullmatch(key)
        if match is None:
            raise ValueError(f"filter {key!r} is not served by the demo")
        operator, field = match.group(1) or "=", match.group(2)
        value = record.get(field)
        if value is None:
            if operator in ("!", "!="):
                continue
            return False
        left, right = _value(value), _value(wanted)
        holds = {">=": left >= right, "<=": left <= right, ">": left > right, "<": left < right,
                 "=": left == right, "!=": left != right, "!": left != right}[operator]  # fmt: skip
        if not holds:
            return False
    return True


def _value(value: Any) -> tuple[int, Any]:
    """A field or filter value as Bitrix24 compares it: ids as numbers, times as instants, else text."""
    text = str(value) if value is not None else ""
    if re.fullmatch(r"-?\d+", text):
        return 0, int(text)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return 2, text
    return (1, moment) if moment.tzinfo is not None else (2, text)


def _selected(record: dict[str, Any], select: list[str] | None) -> dict[str, Any]:
    """The fields `select` asks for: `*` every field but the multifields, which come when named."""
    if not select:
        select = ["*"]
    return {
        field: value
        for field, value in record.items()
        if field in select or ("*" in select and field not in MULTIFIELDS)
    }
