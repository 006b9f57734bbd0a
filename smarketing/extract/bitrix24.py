"""Bitrix24 CRM REST: responses of `crm.lead.list`, `crm.deal.list`, `crm.activity.list` and
`crm.stagehistory.list` (leads: entityTypeId 1, deals: 2), one response per page file.

Columns are Bitrix24's field names in lower case (`STATUS_ID` -> `status_id`), as Postgres folds
unquoted names; crm_mappings name the fields as Bitrix24 does. Values arrive as strings (the stage
history sends its ids as numbers): ids, money ("5000.00", in `CURRENCY_ID`) and ISO timestamps
with the portal's offset. The window is on the field each method filters by: DATE_MODIFY,
LAST_UPDATED, CREATED_TIME.

Leads carry their e-mails and phones as multifields (`EMAIL`: a list of {VALUE, VALUE_TYPE}), kept
whole as jsonb. A lead's or deal's stage history is a stream of its own, because it dates every
status change; the lead and deal records only hold the current status.
"""

from decimal import Decimal
from typing import Any

from smarketing.extract.currencies import CURRENCY_CODES
from smarketing.extract.streams import Column, Stream


def _field(name: str, pg_type: str = "text", **rules: Any) -> Column:
    """A column named as the Bitrix24 field it reads, in lower case."""
    return Column(name.lower(), pg_type, name, **rules)


_ID = _field("ID", required=True)
_MONEY = (_field("OPPORTUNITY", "numeric", minimum=Decimal(0)), _field("CURRENCY_ID", allowed=CURRENCY_CODES))
_UTM = tuple(_field(f"UTM_{name}") for name in ("SOURCE", "MEDIUM", "CAMPAIGN", "CONTENT", "TERM"))
_CREATED_MODIFIED = (
    _field("DATE_CREATE", "timestamptz", required=True, not_future=True),
    _field("DATE_MODIFY", "timestamptz", required=True, not_future=True),
)
# A stage-history entry: TYPE_ID 1 = the entity was created, 2 = moved to an intermediate stage,
# 3 = moved to a final stage; CREATED_TIME = when it reached the stage.
_HISTORY = (
    _ID,
    _field("TYPE_ID"),
    _field("OWNER_ID", required=True),
    _field("CREATED_TIME", "timestamptz", required=True, not_future=True),
)

STREAMS = (
    Stream(
        source="bitrix24",
        name="leads",
        files="leads/*.json",
        records_at="result",
        columns=(
            _ID,
            _field("TITLE"),
            _field("NAME"),
            _field("LAST_NAME"),
            _field("COMPANY_TITLE"),
            _field("POST"),  # job title
            _field("ADDRESS_COUNTRY"),
            # NEW, IN_PROCESS, PROCESSED, CONVERTED, JUNK or a portal's own (UC_...) status.
            _field("STATUS_ID", maps_stage=True),
            _field("STATUS_SEMANTIC_ID"),
            _field("SOURCE_ID"),  # CALL, EMAIL, WEB, ADVERTISING, ... or a portal's own source
            *_MONEY,
            _field("ASSIGNED_BY_ID"),
            *_UTM,
            _field("EMAIL", "jsonb"),
            _field("PHONE", "jsonb"),
            *_CREATED_MODIFIED,
            _field("DATE_CLOSED", "timestamptz"),
        ),
        natural_key=("id",),
        window_column="date_modify",
    ),
    Stream(
        source="bitrix24",
        name="deals",
        files="deals/*.json",
        records_at="result",
        columns=(
            _ID,
            _field("TITLE"),
            _field("CATEGORY_ID"),  # the pipeline
            _field("STAGE_ID"),  # per pipeline: NEW, WON, C1:LOSE, ...
            # P = in progress, S = won, F = lost, whatever the pipeline calls its stages.
            _field("STAGE_SEMANTIC_ID", maps_stage=True),
            _field("TYPE_ID"),
            *_MONEY,
            _field("CLOSED"),  # Y / N
            _field("CLOSEDATE", "timestamptz"),
            _field("LEAD_ID"),  # the lead the deal was converted from
            _field("CONTACT_ID"),
            _field("COMPANY_ID"),
            _field("SOURCE_ID"),
            _field("ASSIGNED_BY_ID"),
            *_UTM,
            *_CREATED_MODIFIED,
        ),
        natural_key=("id",),
        window_column="date_modify",
    ),
    Stream(
        source="bitrix24",
        name="activities",
        files="activities/*.json",
        records_at="result",
        columns=(
            _ID,
            _field("OWNER_TYPE_ID", required=True),  # 1 lead, 2 deal, 3 contact, 4 company
            _field("OWNER_ID", required=True),
            _field("TYPE_ID", required=True),  # 1 meeting, 2 call, 3 task, 4 e-mail, 6 a provider's
            _field("PROVIDER_ID"),
            _field("PROVIDER_TYPE_ID"),
            _field("DIRECTION"),  # 1 incoming, 2 outgoing (calls, e-mails); 0 none
            _field("SUBJECT"),
            _field("COMPLETED"),  # Y / N: a planned call is not a touch yet
            _field("START_TIME", "timestamptz"),
            _field("END_TIME", "timestamptz"),
            _field("RESPONSIBLE_ID"),
            _field("CREATED", "timestamptz", not_future=True),
            _field("LAST_UPDATED", "timestamptz", required=True, not_future=True),
        ),
        natural_key=("id",),
        window_column="last_updated",
    ),
    Stream(
        source="bitrix24",
        name="lead_stage_history",
        files="lead_stage_history/*.json",
        records_at="result.items",
        columns=(*_HISTORY, _field("STATUS_ID", maps_stage=True), _field("STATUS_SEMANTIC_ID")),
        natural_key=("id",),
        window_column="created_time",
    ),
    Stream(
        source="bitrix24",
        name="deal_stage_history",
        files="deal_stage_history/*.json",
        records_at="result.items",
        columns=(
            *_HISTORY,
            _field("CATEGORY_ID"),
            _field("STAGE_ID"),
            _field("STAGE_SEMANTIC_ID", maps_stage=True),
        ),
        natural_key=("id",),
        window_column="created_time",
    ),
)
