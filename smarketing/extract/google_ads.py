"""Google Ads: `googleAds:searchStream` responses (REST JSON) for the campaign and ad-group daily reports.

REST encodes int64 as strings and money as micros (x 1,000,000); `segments.date` is a day of
the account's time zone, which is kept on every row. The ad-group report (`FROM ad_group`) covers
the campaigns that have ad groups (Search, Display, Video; not Performance Max); its rows add up to
the campaign rows of the same day.
"""

from decimal import Decimal

from smarketing.extract.currencies import CURRENCY_CODES
from smarketing.extract.streams import Column, Stream

# The day and its metrics, the same in every report of ours (int64 as strings, money in micros).
_DAY_METRICS = (
    Column("date", "date", "segments.date", required=True, not_future=True),
    Column("cost_micros", "bigint", "metrics.costMicros", minimum=Decimal(0)),
    Column("impressions", "bigint", "metrics.impressions", minimum=Decimal(0)),
    Column("clicks", "bigint", "metrics.clicks", minimum=Decimal(0)),
    Column("conversions", "numeric", "metrics.conversions", minimum=Decimal(0)),
)

STREAMS = (
    Stream(
        source="google_ads",
        name="campaign_daily",
        files="*/searchStream_*.json",
        records_at="[*].results",
        columns=(
            Column("customer_id", "text", "customer.id", required=True),
            Column("customer_name", "text", "customer.descriptiveName"),
            Column("currency_code", "text", "customer.currencyCode", required=True, allowed=CURRENCY_CODES),
            Column("time_zone", "text", "customer.timeZone", required=True),
            Column("campaign_id", "text", "campaign.id", required=True),
            Column("campaign_name", "text", "campaign.name"),
            Column("channel_type", "text", "campaign.advertisingChannelType"),
            Column("campaign_status", "text", "campaign.status"),
            *_DAY_METRICS,
        ),
        natural_key=("customer_id", "campaign_id", "date"),
        window_column="date",
        replace_scope=("customer_id",),
    ),
    Stream(
        source="google_ads",
        name="ad_group_daily",
        files="*/adGroupStream_*.json",
        records_at="[*].results",
        columns=(
            Column("customer_id", "text", "customer.id", required=True),
            Column("currency_code", "text", "customer.currencyCode", required=True, allowed=CURRENCY_CODES),
            Column("time_zone", "text", "customer.timeZone", required=True),
            Column("campaign_id", "text", "campaign.id", required=True),
            Column("ad_group_id", "text", "adGroup.id", required=True),
            Column("ad_group_name", "text", "adGroup.name"),
            Column("ad_group_status", "text", "adGroup.status"),
            *_DAY_METRICS,
        ),
        natural_key=("customer_id", "campaign_id", "ad_group_id", "date"),
        window_column="date",
        replace_scope=("customer_id",),
    ),
)
