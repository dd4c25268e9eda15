"""Recommendations: the fields of ``recommender.recommend.engine.Recommendations.to_dict()``, plus the id and
model version the service logs them under (feedback events refer to both)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from api.schemas.common import RequestModel, ResponseModel
from api.schemas.workers import WorkerProfileFields
from recommender.recommend.constraints import PLACE_SCOPES

PlaceScope = Literal[PLACE_SCOPES]  # type: ignore[valid-type]
Language = Literal["zh", "en"]


class RecommendationOptions(RequestModel):
    """How to answer: how many programs, how far the worker will go, the language of the reasons."""

    limit: int = Field(5, ge=1, le=50, description="how many programs")
    place_scope: PlaceScope = Field("any", description="city, province, online, any (nearest first)")
    language: Language = Field("zh", description="language of the reasons")


class RecommendationQuery(WorkerProfileFields, RecommendationOptions):
    """An ad-hoc query: a profile that is not stored (only the answer is logged)."""

    job_title: str = Field(
        "", max_length=200, description="the job as the worker says it; empty only when personalised is false"
    )
    personalised: bool = Field(True, description="false: rank by public criteria only, the job is not used")

    @model_validator(mode="after")
    def _job_when_personalised(self) -> RecommendationQuery:
        if self.personalised and not self.job_title:
            raise ValueError("job_title is empty: give the job, or set personalised to false")
        return self


class LinkedOccupationOut(ResponseModel):
    code: str
    name: str
    confidence: float


class SubsidyLineOut(ResponseModel):
    rule_id: str
    policy_id: str
    policy: str
    amount: int
    timing: str
    basis: str
    basis_en: str
    citation: str
    citation_en: str


class SkippedRuleOut(ResponseModel):
    rule_id: str
    policy_id: str
    amount: int
    reason: str
    reason_en: str


class SubsidyOut(ResponseModel):
    tuition: int
    total_subsidy: int
    pay_now: int
    refund_on_graduation: int
    net_cost: int
    lines: list[SubsidyLineOut]
    skipped: list[SkippedRuleOut]


class CourseMatchOut(ResponseModel):
    course_id: str
    name: str
    credits: float
    relevance: float
    evidence: list[str]


class CreditTransferOut(ResponseModel):
    certificate: str
    course_id: str
    course: str
    credits: float
    rule_id: str


class RecommendationOut(ResponseModel):
    rank: int
    program_id: str
    college_id: str
    college: str
    major_code: str
    major: str
    level: str
    study_mode: str
    schedule: list[str]
    years: float
    entry_route: str
    places: list[str]
    reach: str
    fit: float
    score: float
    tuition_total: int
    net_cost: int
    pay_now: int
    subsidy: SubsidyOut
    courses: list[CourseMatchOut]
    credit_transfers: list[CreditTransferOut]
    occupations: list[LinkedOccupationOut]
    reason: str


class RecommendationsOut(ResponseModel):
    recommendation_id: str = Field(description="quote it in feedback events about these items")
    model_version: str = Field(description="catalog version and engine that produced the answer")
    personalised: bool
    occupations: list[LinkedOccupationOut]
    recommendations: list[RecommendationOut]
    excluded: dict[str, int] = Field(description="programs each hard constraint excluded")
    message: str = Field(description="set when nothing fits: which constraint excluded what")
