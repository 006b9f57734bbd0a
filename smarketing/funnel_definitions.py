"""The shared definitions: one funnel, one set of rules, read by dbt, the checks and the report.

Kept in `smarketing.yml` under `definitions:` and published to the warehouse's `definitions`
schema with a version hash, so the SQL, the analysts and the report's glossary all see the same.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

FUNNEL_STAGES = ("lead", "mql", "sql", "opportunity", "customer")
# What a CRM value may map to: a funnel stage, an outcome, or `excluded` (junk, spam, test).
MappedStage = Literal["lead", "mql", "sql", "opportunity", "customer", "disqualified", "won", "lost", "excluded"]
# The fields of the common CRM-record contract that scoring and channel rules may test.
RULE_FIELDS = (
    "email_domain",
    "company_name",
    "job_title",
    "country",
    "crm_source",
    "crm_score",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "click_id_type",
    "lead_form",
    "first_conversion_event",
)
RuleField = Literal[
    "email_domain", "company_name", "job_title", "country", "crm_source", "crm_score", "utm_source",
    "utm_medium", "utm_campaign", "click_id_type", "lead_form", "first_conversion_event",
]  # fmt: skip
Operator = Literal["equals", "in", "not_in", "is_set", "is_not_set", "at_least", "contains"]
KPI_NAMES = (
    "romi_percent",
    "ltv_to_cac",
    "sql_to_customer_rate",
    "sla_hours",
    "sla_within_share",
    "cpl",
    "cac",
    "lead_to_mql_rate",
    "mql_to_sql_rate",
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Condition(_Strict):
    """`field operator value`: the one condition language of scoring and channel rules."""

    field: RuleField
    operator: Operator
    value: str | float | list[str] | None = None

    @model_validator(mode="after")
    def _value_fits_operator(self) -> Condition:
        if self.operator in ("is_set", "is_not_set"):
            if self.value is not None:
                raise ValueError(f"operator {self.operator} takes no value")
        elif self.operator in ("in", "not_in"):
            if not isinstance(self.value, list) or not self.value:
                raise ValueError(f"operator {self.operator} needs a non-empty list of values")
        elif self.operator == "at_least":
            if not isinstance(self.value, (int, float)):
                raise ValueError("operator at_least needs a number")
        elif not isinstance(self.value, str):
            raise ValueError(f"operator {self.operator} needs a text value")
        return self

    @property
    def values(self) -> list[str]:
        if self.value is None:
            return []
        return [str(v) for v in self.value] if isinstance(self.value, list) else [str(self.value)]


class ScoringRule(Condition):
    name: str
    points: int


class LeadScoring(_Strict):
    # MQL when the transparent sum of matching rules' points reaches this.
    mql_threshold: Annotated[int, Field(ge=1)] = 50
    rules: list[ScoringRule] = []


class ChannelRule(Condition):
    channel: str
    is_paid: bool = False


class CrmMapping(_Strict):
    """CRM field -> value -> stage. A value not listed leaves the stage to the other fields."""

    fields: dict[str, dict[str, MappedStage]]


class KpiTarget(_Strict):
    """Green inside [low, high]; amber within 20% outside; red beyond (direction says which side is bad)."""

    low: float | None = None
    high: float | None = None
    higher_is_better: bool = True

    @model_validator(mode="after")
    def _has_a_bound(self) -> KpiTarget:
        if self.low is None and self.high is None:
            raise ValueError("a target needs low, high or both")
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError("low must not exceed high")
        return self


class Ltv(_Strict):
    # Used while history is shorter than `min_history_days`; from history afterwards.
    purchase_frequency_per_year: Annotated[float, Field(gt=0)] = 1.0
    customer_lifetime_years: Annotated[float, Field(gt=0)] = 3.0
    min_history_days: Annotated[int, Field(ge=30)] = 365


class Definitions(_Strict):
    lead_scoring: LeadScoring = LeadScoring()
    # Actions that make a lead an MQL at once: lead forms / conversion events by name.
    high_intent_actions: list[str] = []
    crm_mappings: dict[Literal["hubspot", "salesforce", "amocrm", "bitrix24"], CrmMapping] = {}
    # Test and internal records: excluded from every stage, counted separately.
    exclude_email_domains: list[str] = []
    sla_hours: Annotated[float, Field(gt=0)] = 2.0
    attribution_model: Literal["first_touch", "last_touch_before_mql"] = "first_touch"
    # Ordered: the first matching rule names the channel; no match is "Other".
    channel_rules: list[ChannelRule] = []
    # A person with no progress for this long counts as stuck in their stage.
    stuck_after_days: Annotated[int, Field(ge=1)] = 30
    # Cohorts younger than this are provisional, not a drop in conversion.
    typical_sales_cycle_days: Annotated[int, Field(ge=1)] = 90
    # Sales cost per month in the reporting currency, added to marketing spend in CAC.
    sales_cost_per_month: Annotated[float, Field(ge=0)] = 0.0
    ltv: Ltv = Ltv()
    kpi_targets: dict[str, KpiTarget] = {
        # Defaults from practice (B2B): ROMI 400-600 %, LTV:CAC at least 3, SQL->customer 20-40 %.
        "romi_percent": KpiTarget(low=400, high=600),
        "ltv_to_cac": KpiTarget(low=3),
        "sql_to_customer_rate": KpiTarget(low=0.2, high=0.4),
        "sla_within_share": KpiTarget(low=0.9),
    }

    @field_validator("exclude_email_domains")
    @classmethod
    def _lowercase_domains(cls, value: list[str]) -> list[str]:
        return sorted({domain.strip().lower().lstrip("@") for domain in value})

    @field_validator("kpi_targets")
    @classmethod
    def _known_kpis(cls, value: dict[str, KpiTarget]) -> dict[str, KpiTarget]:
        unknown = sorted(set(value) - set(KPI_NAMES))
        if unknown:
            raise ValueError(f"unknown KPI {unknown[0]!r}; known KPIs: {', '.join(KPI_NAMES)}")
        return value
