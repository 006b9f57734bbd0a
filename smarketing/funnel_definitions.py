"""The shared definitions: one funnel, one set of rules, read by dbt, the checks and the report.

Kept in `smarketing.yml` under `definitions:` and published to the warehouse's `definitions`
schema with a version hash, so the SQL, the analysts and the report's glossary all see the same.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

FUNNEL_STAGES = ("lead", "mql", "sql", "opportunity", "customer")
# What a CRM value may map to: a funnel stage, an outcome, `excluded` (junk, spam, test), or `none`:
# a value the definitions know that means no stage (HubSpot's lifecycle stage `other`), so the
# quality gate does not flag it as unmapped.
MappedStage = Literal[
    "lead", "mql", "sql", "opportunity", "customer", "disqualified", "won", "lost", "excluded", "none"
]
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
# Every KPI of marts.fct_kpi_period; any of them may carry a target.
KPI_NAMES = (
    "spend", "impressions", "clicks", "ctr", "leads", "mqls", "sqls", "opportunities", "customers", "cpl",
    "cost_per_mql", "lead_to_mql_rate", "mql_to_sql_rate", "sql_to_opportunity_rate", "opportunity_to_customer_rate",
    "sql_to_customer_rate", "revenue", "won_deals", "average_deal_size", "sales_cycle_days", "romi_percent", "cac",
    "ltv", "ltv_to_cac", "sla_within_share", "sla_median_hours", "untouched_mqls",
)  # fmt: skip


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


# The defaults a configuration without `crm_mappings` / `channel_rules` gets: every CRM's standard
# values (smarketing.yml shows the same, to edit), so a minimal config still finds MQLs, deals and
# channels. A config that lists `crm_mappings` or `channel_rules` replaces these wholesale.
DEFAULT_CRM_MAPPINGS: dict[str, CrmMapping] = {
    "hubspot": CrmMapping(
        fields={
            "lifecyclestage": {
                "subscriber": "lead",
                "lead": "lead",
                "marketingqualifiedlead": "mql",
                "salesqualifiedlead": "sql",
                "opportunity": "opportunity",
                "customer": "customer",
                "evangelist": "customer",
                "other": "none",
            },
            "hs_lead_status": {
                "UNQUALIFIED": "disqualified",
                "BAD_TIMING": "disqualified",
                "OPEN_DEAL": "sql",
                "SPAM": "excluded",
            },
            "dealstage": {
                "appointmentscheduled": "opportunity",
                "qualifiedtobuy": "opportunity",
                "presentationscheduled": "opportunity",
                "decisionmakerboughtin": "opportunity",
                "contractsent": "opportunity",
                "closedwon": "won",
                "closedlost": "lost",
            },
        }
    ),
    "salesforce": CrmMapping(
        fields={
            "Lead.Status": {
                "Open - Not Contacted": "lead",
                "Working - Contacted": "mql",
                "Closed - Converted": "sql",
                "Closed - Not Converted": "disqualified",
            },
            "Opportunity.StageName": {
                "Prospecting": "opportunity",
                "Qualification": "opportunity",
                "Needs Analysis": "opportunity",
                "Value Proposition": "opportunity",
                "Proposal/Price Quote": "opportunity",
                "Negotiation/Review": "opportunity",
                "Closed Won": "won",
                "Closed Lost": "lost",
            },
            "Opportunity.IsWon": {"true": "won"},
        }
    ),
    # amoCRM's fixed status ids: 142 = successfully realized, 143 = closed and not realized.
    "amocrm": CrmMapping(fields={"status_id": {"142": "won", "143": "lost"}}),
    "bitrix24": CrmMapping(
        fields={
            "STATUS_ID": {
                "NEW": "lead",
                "IN_PROCESS": "mql",
                "PROCESSED": "sql",
                "CONVERTED": "sql",
                "JUNK": "disqualified",
            },
            "STAGE_SEMANTIC_ID": {"P": "opportunity", "S": "won", "F": "lost"},
        }
    ),
}

DEFAULT_CHANNEL_RULES: list[ChannelRule] = [
    ChannelRule(
        channel="Paid Search",
        field="utm_medium",
        operator="in",
        value=["cpc", "ppc", "paid", "paidsearch", "paid_search"],
        is_paid=True,
    ),
    ChannelRule(channel="Paid Search", field="click_id_type", operator="in", value=["gclid", "yclid"], is_paid=True),
    ChannelRule(
        channel="Paid Social",
        field="utm_medium",
        operator="in",
        value=["paid_social", "paidsocial", "cpm_social"],
        is_paid=True,
    ),
    ChannelRule(channel="Paid Social", field="click_id_type", operator="equals", value="fbclid", is_paid=True),
    ChannelRule(
        channel="Paid Display & Video",
        field="utm_medium",
        operator="in",
        value=["display", "video", "banner", "cpm"],
        is_paid=True,
    ),
    ChannelRule(channel="Paid Social", field="lead_form", operator="is_set", is_paid=True),
    ChannelRule(channel="Email", field="utm_medium", operator="equals", value="email"),
    ChannelRule(channel="Email", field="crm_source", operator="equals", value="EMAIL_MARKETING"),
    ChannelRule(channel="Paid Search", field="crm_source", operator="equals", value="PAID_SEARCH", is_paid=True),
    ChannelRule(channel="Paid Social", field="crm_source", operator="equals", value="PAID_SOCIAL", is_paid=True),
    ChannelRule(channel="Organic Search", field="crm_source", operator="equals", value="ORGANIC_SEARCH"),
    ChannelRule(channel="Organic Social", field="crm_source", operator="equals", value="SOCIAL_MEDIA"),
    ChannelRule(channel="Referral", field="crm_source", operator="equals", value="REFERRALS"),
    ChannelRule(channel="Direct", field="crm_source", operator="equals", value="DIRECT_TRAFFIC"),
    ChannelRule(channel="Offline", field="crm_source", operator="equals", value="OFFLINE"),
]


class KpiTarget(_Strict):
    """Green on the good side of the bound (low when higher is better, else high); amber within 20 %
    of it on the bad side; red beyond. A range's far side is where plans stop: still green."""

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
    crm_mappings: dict[Literal["hubspot", "salesforce", "amocrm", "bitrix24"], CrmMapping] = DEFAULT_CRM_MAPPINGS
    # Test and internal records: excluded from every stage, counted separately.
    exclude_email_domains: list[str] = []
    sla_hours: Annotated[float, Field(gt=0)] = 2.0
    attribution_model: Literal["first_touch", "last_touch_before_mql"] = "first_touch"
    # Ordered: the first matching rule names the channel; no match is "Other".
    channel_rules: list[ChannelRule] = DEFAULT_CHANNEL_RULES
    # A person with no progress for this long counts as stuck in their stage.
    stuck_after_days: Annotated[int, Field(ge=1)] = 30
    # Cohorts younger than this are provisional, not a drop in conversion.
    typical_sales_cycle_days: Annotated[int, Field(ge=1)] = 90
    # Sales cost per month in the reporting currency, added to marketing spend in CAC.
    sales_cost_per_month: Annotated[float, Field(ge=0)] = 0.0
    ltv: Ltv = Ltv()
    kpi_targets: dict[str, KpiTarget] = {
        # Defaults from practice (B2B): ROMI 400-600 %, LTV:CAC at least 3, SQL->customer 20-40 %, SLA 2 h.
        "romi_percent": KpiTarget(low=400, high=600),
        "ltv_to_cac": KpiTarget(low=3),
        "sql_to_customer_rate": KpiTarget(low=0.2, high=0.4),
        "sla_within_share": KpiTarget(low=0.9),
        "sla_median_hours": KpiTarget(high=2, higher_is_better=False),
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
