"""Meta Ads: Marketing API Insights pages (`GET /act_{id}/insights`, `time_increment=1`) for the
campaign (`level=campaign`) and ad-set (`level=adset`) daily reports, one JSON page per file as
the API returns it (`{"data": [...], "paging": {"cursors": {...}, "next": ...}}`).

Every number arrives as a string; `spend` is a decimal amount of the account currency (not
micros). `date_start` is a day of the account's time zone (with `time_increment=1` it equals
`date_stop`). `actions` is kept whole as jsonb: which action types count as leads is a modelling
choice made in staging, not at load. Meta restates about 28 days (late conversions, invalid-click
refunds), so a re-read replaces the window's days of the accounts it covers.

The account time zone is not on Insights rows; it is a field of the ad account itself
(`GET /act_{id}?fields=account_id,name,currency,timezone_name,timezone_offset_hours_utc`), one
object per account (file `*/account.json`): the `accounts` stream, whose page is its one record
and which has no days, so every run merges it whole and never deletes an account. Staging joins
it for `account_time_zone`; days stay Meta's own days: daily totals cannot be re-bucketed.
"""

from decimal import Decimal

from smarketing.extract.currencies import CURRENCY_CODES
from smarketing.extract.streams import Column, Stream

# The account, the day and its metrics, the same at every level of ours.
_ACCOUNT_DAY_METRICS = (
    Column("account_id", "text", "account_id", required=True),
    Column("account_name", "text", "account_name"),
    Column("account_currency", "text", "account_currency", required=True, allowed=CURRENCY_CODES),
    Column("date_start", "date", "date_start", required=True, not_future=True),
    Column("date_stop", "date", "date_stop"),
    Column("spend", "numeric", "spend", minimum=Decimal(0)),
    Column("impressions", "bigint", "impressions", minimum=Decimal(0)),
    Column("clicks", "bigint", "clicks", minimum=Decimal(0)),
    Column("actions", "jsonb", "actions"),
)

_CAMPAIGN = (
    Column("campaign_id", "text", "campaign_id", required=True),
    Column("campaign_name", "text", "campaign_name"),
    Column("objective", "text", "objective"),
)

STREAMS = (
    Stream(
        source="meta_ads",
        name="campaign_daily",
        files="*/campaign_insights_*.json",
        records_at="data",
        columns=(*_CAMPAIGN, *_ACCOUNT_DAY_METRICS),
        natural_key=("account_id", "campaign_id", "date_start"),
        window_column="date_start",
        replace_scope=("account_id",),
    ),
    Stream(
        source="meta_ads",
        name="adset_daily",
        files="*/adset_insights_*.json",
        records_at="data",
        columns=(
            *_CAMPAIGN,
            Column("adset_id", "text", "adset_id", required=True),
            Column("adset_name", "text", "adset_name"),
            *_ACCOUNT_DAY_METRICS,
        ),
        natural_key=("account_id", "campaign_id", "adset_id", "date_start"),
        window_column="date_start",
        replace_scope=("account_id",),
    ),
    Stream(
        source="meta_ads",
        name="accounts",
        files="*/account.json",
        records_at="",
        columns=(
            Column("account_id", "text", "account_id", required=True),
            Column("name", "text", "name"),
            Column("currency", "text", "currency", allowed=CURRENCY_CODES),
            Column("timezone_name", "text", "timezone_name", required=True),
            Column("timezone_offset_hours_utc", "numeric", "timezone_offset_hours_utc"),
        ),
        natural_key=("account_id",),
        window_column=None,
    ),
)
