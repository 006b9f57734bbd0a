"""What one edition of the report says: plain data, assembled from the marts (`report.data`) and
rendered (`report.edition_render`) without either knowing how the other works."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

EditionName = Literal["daily", "weekly", "monthly"]
Status = Literal["green", "amber", "red", "n/a"]
Unit = Literal["currency", "count", "percent", "rate", "ratio", "hours", "days"]


@dataclass(frozen=True)
class Period:
    label: str  # "22 Nov 2026", "week 47, 16-22 Nov 2026", "November 2026"
    first_day: date
    last_day: date


@dataclass(frozen=True)
class Comparison:
    """The same KPI in an earlier period: previous period, same day last week, same month last year."""

    label: str  # "vs same day last week", "vs previous month", "vs same month last year"
    period: Period
    value: Decimal | None
    change_percent: Decimal | None  # (value now - value then) / |value then| x 100; None when then is 0 or None


@dataclass(frozen=True)
class KpiCard:
    kpi: str  # name in marts.fct_kpi_period
    label: str
    unit: Unit
    value: Decimal | None
    comparisons: tuple[Comparison, ...]
    target_low: Decimal | None
    target_high: Decimal | None
    status: Status
    is_provisional: bool


@dataclass(frozen=True)
class FunnelStage:
    stage: str  # lead, mql, sql, opportunity, customer
    label: str
    persons: int  # reached the stage in the period
    conversion_rate: Decimal | None  # from the previous stage, stage cohort of the period (fct_kpi_period)
    lost: int  # disqualified or lost at this stage in the period
    stuck: int  # stuck at this stage as of the report day
    # The cohort is too young to have moved on: its rate is shown as provisional, not as a drop.
    conversion_is_provisional: bool = False


@dataclass(frozen=True)
class CampaignRow:
    campaign_name: str
    channel: str
    spend: Decimal
    leads: int
    mqls: int
    sqls: int
    customers: int
    revenue: Decimal
    cpl: Decimal | None
    cost_per_mql: Decimal | None
    sql_rate: Decimal | None  # SQLs / leads
    romi_percent: Decimal | None


@dataclass(frozen=True)
class ChannelRow:
    channel: str
    is_paid: bool
    spend: Decimal
    leads: int
    revenue: Decimal
    cpl: Decimal | None
    romi_percent: Decimal | None


@dataclass(frozen=True)
class DailyPoint:
    day: date
    spend: Decimal
    leads: int


@dataclass(frozen=True)
class Sla:
    sla_hours: Decimal
    mqls: int  # MQLs of the period whose SLA window has passed
    within_share: Decimal | None
    median_hours: Decimal | None
    backlog: int  # untouched MQLs as of the report day
    oldest_backlog_hours: Decimal | None


@dataclass(frozen=True)
class LeadQualityRow:
    campaign_name: str  # "(no campaign)" for unattributed
    reason: str
    persons: int


@dataclass(frozen=True)
class CohortRow:
    cohort_month: date
    leads: int
    mqls: int
    customers: int
    lead_to_mql_rate: Decimal | None
    lead_to_customer_rate: Decimal | None
    is_provisional: bool


@dataclass(frozen=True)
class SourceFreshness:
    source: str
    last_loaded_at: datetime | None
    rows_last_load: int
    quarantined_rows: int
    is_stale: bool
    # The earliest of the source's streams' last loaded day; None: never loaded.
    loaded_through: date | None = None


@dataclass(frozen=True)
class ReportData:
    edition: EditionName
    period: Period
    currency: str
    timezone: str
    definitions_version: str
    cards: tuple[KpiCard, ...]
    funnel: tuple[FunnelStage, ...]
    channels: tuple[ChannelRow, ...]
    campaigns: tuple[CampaignRow, ...]  # top N by spend
    campaigns_all: tuple[CampaignRow, ...]  # every campaign of the period: the CSV attachment
    daily: tuple[DailyPoint, ...]  # the chart's series, ending on the period's last day
    sla: Sla
    lead_quality: tuple[LeadQualityRow, ...]
    cohorts: tuple[CohortRow, ...]
    freshness: tuple[SourceFreshness, ...]
    quality_warnings: tuple[str, ...]  # failed warning-level checks, for the banner
    glossary: tuple[tuple[str, str], ...]
