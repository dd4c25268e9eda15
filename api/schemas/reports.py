"""The service's overview for union staff: registered workers, feedback, enterprises (k-anonymous)."""

from __future__ import annotations

from pydantic import Field

from api.schemas.catalog import CatalogStats
from api.schemas.common import ResponseModel, UtcDateTime


class GroupCount(ResponseModel):
    group: str
    workers: int = Field(description="distinct workers in the group (never below k)")


class UnionOverview(ResponseModel):
    """Region-wide figures, each a count of distinct workers. Groups under ``k_anonymity`` workers, and groups
    that would let one recover them by subtraction from a total, are left out and counted in
    ``suppressed_groups`` (method: ``recommender.demand.privacy``)."""

    generated_at: UtcDateTime
    region: str = Field(description="province the report covers ('' for every region)")
    k_anonymity: int
    workers: int | None = Field(description="registered workers; null when fewer than k")
    personalisation_off: int | None = Field(
        description="workers who switched personalisation off; null below k"
    )
    workers_by_city: list[GroupCount]
    workers_by_education: list[GroupCount]
    feedback_by_type: list[GroupCount]
    top_majors: list[GroupCount] = Field(description="majors by distinct workers who applied or enrolled")
    top_programs: list[GroupCount] = Field(description="programs by distinct workers who applied or enrolled")
    enterprises: int
    roster_members: int
    suppressed_groups: int
    catalog: CatalogStats | None
