"""Demand views: the fields of ``recommender.demand.CollegeDemand.to_dict()`` and ``UnionReport.to_dict()``.

Counts are distinct workers; ``null`` means withheld (fewer than k workers, or a complement of such a cell).
"""

from __future__ import annotations

from pydantic import Field

from api.schemas.common import ResponseModel


# ------------------------------------------------------------------------------------------------ college
class ProgramDemandOut(ResponseModel):
    program_id: str
    major_code: str
    major_name: str
    level: str
    study_mode: str
    places: list[str]
    shown: int | None
    not_engaged: int | None
    interested: int | None
    stages: dict[str, int | None] = Field(description="furthest stage reached → workers")
    monthly: dict[str, int | None] = Field(description="month of first interest → workers")
    alignment: float | None
    courses: int
    courses_serving_demand: int


class OccupationDemandOut(ResponseModel):
    occupation_code: str
    name: str
    workers: int


class UnmetMajorOut(ResponseModel):
    rank: int
    major_code: str
    major_name: str
    level: str
    workers: int
    by_city: dict[str, int | None]
    occupations: list[OccupationDemandOut]
    other_occupations: int
    colleges_offering_in_region: int


class MajorRefOut(ResponseModel):
    major_code: str
    name: str


class CourseGapOut(ResponseModel):
    course: str
    demand: int
    majors: list[MajorRefOut]


class PeerMetricOut(ResponseModel):
    metric: str
    label: str
    own: float | None
    peer_median: float | None
    peer_p25: float | None
    peer_p75: float | None
    peers_with_value: int
    own_percentile: float | None


class PeerComparisonOut(ResponseModel):
    basis: str
    description: str
    peers: int
    metrics: list[PeerMetricOut]


class CollegeDemandOut(ResponseModel):
    """A college's demand dashboard (``recommender.demand.college_demand``)."""

    college_id: str
    name: str
    kind: str
    city: str
    cities: list[str]
    k: int | None
    months: list[str]
    interested: int | None
    monthly: dict[str, int | None]
    programs: list[ProgramDemandOut]
    unmet: list[UnmetMajorOut]
    course_gaps: list[CourseGapOut]
    peers: PeerComparisonOut
    notes: list[str]


# -------------------------------------------------------------------------------------------------- union
class CityMonthRowOut(ResponseModel):
    city: str
    total: int | None
    months: dict[str, int | None]


class CityMonthTableOut(ResponseModel):
    measure: str
    title: str
    months: list[str]
    total: int | None
    month_totals: dict[str, int | None]
    rows: list[CityMonthRowOut]


class PolicySpendOut(ResponseModel):
    policy_id: str
    name: str
    workers: int | None
    upfront_yuan: int | None
    on_graduation_yuan: int | None
    total_yuan: int | None


class SubsidyProjectionOut(ResponseModel):
    available: bool
    enrolled: int | None
    subsidised: int | None
    unsubsidised: int | None
    tuition_yuan: int | None
    total_yuan: int
    upfront_yuan: int
    on_graduation_yuan: int
    policies: list[PolicySpendOut]
    note: str


class MajorGapOut(ResponseModel):
    major_code: str
    name: str
    level: str
    programs: int
    places: int
    applicants: int | None
    enterprise_headcount: int | None
    demand: int | None
    gap: int | None


class RequestSummaryOut(ResponseModel):
    major_code: str
    name: str
    requests: int | None
    enterprises: int | None
    headcount: int | None
    cities: list[str]


class UnionReportOut(ResponseModel):
    """The union's report (``recommender.demand.union_report``) over the feedback the service has stored."""

    region: str = Field(description="province the report covers ('' for every region)")
    k: int | None
    months: list[str]
    exact: bool
    participants: CityMonthTableOut
    applicants: CityMonthTableOut
    enrolled: CityMonthTableOut
    subsidies: SubsidyProjectionOut
    major_gaps: list[MajorGapOut]
    enterprise_requests: list[RequestSummaryOut]
    nominal_class_size: int
    notes: list[str]
