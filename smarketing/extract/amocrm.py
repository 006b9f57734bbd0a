"""amoCRM (Kommo) API v4: HAL list responses (`_embedded.<entity>`) of contacts, leads (amoCRM's
deals, requested `with=contacts,loss_reason`), the lead-status-change and call events, the
pipelines with their statuses, and the account itself (its currency prices are in).

Timestamps are Unix seconds, prices integers in the account's currency. Ids are unique within
one account only, so every natural key starts with `account_id`, which amoCRM puts in every record.
A file drop holds the same JSON responses, one per file.
"""

from decimal import Decimal

from smarketing.extract.currencies import CURRENCY_CODES
from smarketing.extract.streams import Column, Stream


def _unix(name: str, *, required: bool = False) -> Column:
    return Column(name, "timestamptz", name, required=required, not_future=required, unix_seconds=True)


_ACCOUNT_ID = Column("account_id", "bigint", "account_id", required=True)
# Creation and last change have happened already, so cannot lie in the future.
_CREATED_AT = _unix("created_at", required=True)
_UPDATED_AT = _unix("updated_at", required=True)

# Event types read: the stage history, and calls (the sales touches read; notes and chats are not).
EVENT_TYPES = ("lead_status_changed", "incoming_call", "outgoing_call")

STREAMS = (
    Stream(
        source="amocrm",
        name="contacts",
        files="contacts/*.json",
        records_at="_embedded.contacts",
        columns=(
            _ACCOUNT_ID,
            Column("id", "bigint", "id", required=True),
            Column("name", "text", "name"),
            Column("first_name", "text", "first_name"),
            Column("last_name", "text", "last_name"),
            Column("responsible_user_id", "bigint", "responsible_user_id"),
            # E-mail and phone are custom fields (field_code EMAIL / PHONE), each with several values.
            Column("custom_fields_values", "jsonb", "custom_fields_values"),
            Column("is_deleted", "boolean", "is_deleted"),
            _CREATED_AT,
            _UPDATED_AT,
        ),
        natural_key=("account_id", "id"),
        window_column="updated_at",
    ),
    Stream(
        source="amocrm",
        name="leads",
        files="leads/*.json",
        records_at="_embedded.leads",
        columns=(
            _ACCOUNT_ID,
            Column("id", "bigint", "id", required=True),
            Column("name", "text", "name"),
            Column("price", "numeric", "price", minimum=Decimal(0)),
            # 142 = won, 143 = lost in every pipeline; the other statuses are the account's own.
            Column("status_id", "text", "status_id", required=True, maps_stage=True),
            Column("pipeline_id", "bigint", "pipeline_id"),
            Column("loss_reason_id", "bigint", "loss_reason_id"),
            Column("loss_reason", "jsonb", "_embedded.loss_reason"),  # [{id, name}], `with=loss_reason`
            Column("responsible_user_id", "bigint", "responsible_user_id"),
            # [{id, is_main}, ...]: the lead's contacts, embedded by `with=contacts`.
            Column("contacts", "jsonb", "_embedded.contacts"),
            Column("custom_fields_values", "jsonb", "custom_fields_values"),
            Column("is_deleted", "boolean", "is_deleted"),
            _CREATED_AT,
            _unix("closed_at"),
            _UPDATED_AT,
        ),
        natural_key=("account_id", "id"),
        window_column="updated_at",
    ),
    Stream(
        source="amocrm",
        name="events",
        files="events/*.json",
        records_at="_embedded.events",
        columns=(
            _ACCOUNT_ID,
            Column("id", "text", "id", required=True),  # amoCRM's event ids are strings
            Column("type", "text", "type", required=True),
            Column("entity_id", "bigint", "entity_id", required=True),
            Column("entity_type", "text", "entity_type", required=True),
            Column("created_by", "bigint", "created_by"),
            # lead_status_changed: [{"lead_status": {"id", "pipeline_id"}}]; calls: [{"note": {"id"}}].
            Column("value_after", "jsonb", "value_after"),
            Column("value_before", "jsonb", "value_before"),
            _CREATED_AT,
        ),
        natural_key=("account_id", "id"),
        # Events are never changed, only added: the window is on when they happened.
        window_column="created_at",
    ),
    Stream(
        source="amocrm",
        name="pipelines",
        files="pipelines/*.json",
        records_at="_embedded.pipelines",
        columns=(
            _ACCOUNT_ID,
            Column("id", "bigint", "id", required=True),
            Column("name", "text", "name", required=True),
            Column("is_main", "boolean", "is_main"),
            Column("is_archive", "boolean", "is_archive"),
            # [{id, name, sort, type, ...}]: the pipeline's statuses, 142 and 143 included.
            Column("statuses", "jsonb", "_embedded.statuses"),
        ),
        natural_key=("account_id", "id"),
        window_column=None,  # the current pipelines, read whole every run
    ),
    Stream(
        source="amocrm",
        name="account",
        files="account/*.json",
        records_at="",
        columns=(
            Column("id", "bigint", "id", required=True),
            Column("name", "text", "name"),
            Column("subdomain", "text", "subdomain"),
            # The currency of every lead's price (the account setting, unrelated to billing).
            Column("currency", "text", "currency", required=True, allowed=CURRENCY_CODES),
            Column("country", "text", "country"),
        ),
        natural_key=("id",),
        window_column=None,
    ),
)
