"""Yandex Direct: Reports service (API v5) TSV reports, one per client login and stream:
CAMPAIGN_PERFORMANCE_REPORT and ADGROUP_PERFORMANCE_REPORT, one row per day (`Date`).

A report is a header row of field names, then one row per record, tab-separated; "--" marks an
empty value (Conversions without goals, AdGroupId of a Campaign Wizard campaign). `Cost` is in
micros (x 1,000,000) of the account currency. Days are Moscow days: Yandex Direct reports every
account's statistics in Moscow time, whatever the campaign's time-targeting zone.

The report names neither the client login nor the currency; the connector adds both, as the
`ClientLogin` and `Currency` columns (the currency from the Clients service). A file drop holds
the same TSV with these two columns: `<client login>/campaign_performance_*.tsv` and
`<client login>/adgroup_performance_*.tsv`. Yandex restates recent days (late clicks,
invalid-click refunds), so a re-read replaces the window's days of the logins it covers.
"""

from decimal import Decimal

from smarketing.extract.currencies import CURRENCY_CODES
from smarketing.extract.streams import Column, Stream

# What the connector adds to every row of a report: the report itself carries neither.
ADDED_FIELDS = ("ClientLogin", "Currency")

_ACCOUNT = (
    Column("client_login", "text", "ClientLogin", required=True),
    Column("currency_code", "text", "Currency", required=True, allowed=CURRENCY_CODES),
)
# In the order the report's columns are asked for: the day, what it is of, then its metrics.
_DAY = Column("date", "date", "Date", required=True, not_future=True)
_METRICS = (
    Column("impressions", "bigint", "Impressions", minimum=Decimal(0)),
    Column("clicks", "bigint", "Clicks", minimum=Decimal(0)),
    Column("cost_micros", "bigint", "Cost", minimum=Decimal(0)),
    Column("conversions", "numeric", "Conversions", minimum=Decimal(0)),
)
_CAMPAIGN = (
    Column("campaign_id", "text", "CampaignId", required=True),
    Column("campaign_name", "text", "CampaignName"),
)

STREAMS = (
    Stream(
        source="yandex_direct",
        name="campaign_daily",
        files="*/campaign_performance_*.tsv",
        records_at="",
        columns=(*_ACCOUNT, _DAY, *_CAMPAIGN, Column("campaign_type", "text", "CampaignType"), *_METRICS),
        natural_key=("client_login", "campaign_id", "date"),
        window_column="date",
        replace_scope=("client_login",),
        format="csv",
        empty_values=frozenset({"--"}),
    ),
    Stream(
        source="yandex_direct",
        name="ad_group_daily",
        files="*/adgroup_performance_*.tsv",
        records_at="",
        columns=(
            *_ACCOUNT,
            _DAY,
            *_CAMPAIGN,
            Column("ad_group_id", "text", "AdGroupId", required=True),
            Column("ad_group_name", "text", "AdGroupName"),
            *_METRICS,
        ),
        natural_key=("client_login", "campaign_id", "ad_group_id", "date"),
        window_column="date",
        replace_scope=("client_login",),
        format="csv",
        empty_values=frozenset({"--"}),
    ),
)
