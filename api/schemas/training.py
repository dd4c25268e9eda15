"""Training design for an enterprise: the fields of ``recommender.enterprise.TrainingDesign.to_dict()``."""

from __future__ import annotations

from pydantic import Field

from api.schemas.common import RequestModel, ResponseModel


class TrainingOptions(RequestModel):
    """What to design for: the parameters of ``recommender.enterprise.design_training``; those left out take
    the library's defaults (kept there, so the CLI and the service never disagree)."""

    target_role: str = Field(
        "",
        max_length=100,
        description="大典 code (4-02-06-03) or job name (物流主管); "
        "empty: each cohort towards its own occupation",
    )
    min_cohort: int | None = Field(None, ge=1, le=1000, description="smallest cohort (library default 15)")
    max_cohorts: int | None = Field(None, ge=1, le=100, description="library default 12")
    max_courses: int | None = Field(
        None, ge=1, le=50, description="most courses in a curriculum (default 12)"
    )
    max_colleges: int | None = Field(None, ge=1, le=20, description="most colleges per cohort (default 5)")
    class_size: int | None = Field(None, ge=1, le=200, description="most workers per class (default 40)")


class TargetRoleOut(ResponseModel):
    code: str
    name: str
    given: str
    how: str
    confidence: float


class OccupationShareOut(ResponseModel):
    code: str
    name: str
    share: float


class TitleCountOut(ResponseModel):
    title: str
    count: int


class GapSkillOut(ResponseModel):
    skill: str
    kind: str
    share_lacking: float
    weight: float


class CurriculumCourseOut(ResponseModel):
    name: str
    description: str
    credits: float
    covers: list[str]
    gain: float
    colleges_offering: int


class ProposedCourseOut(ResponseModel):
    name: str
    course_id: str
    program_id: str
    credits: float


class TrackCostOut(ResponseModel):
    workers: int
    tuition_per_head: int
    subsidy_per_head: int
    net_per_head: int
    pay_now_per_head: int
    subsidy_rules: dict[str, int] = Field(description="subsidy rule id → workers it applies to")


class DegreeProgramOut(ResponseModel):
    program_id: str
    major: str
    level: str
    workers: int


class DegreeTrackOut(TrackCostOut):
    programs: list[DegreeProgramOut]


class CollegeOfferOut(ResponseModel):
    college_id: str
    college: str
    city: str
    fit: float
    coverage: float
    courses: list[ProposedCourseOut]
    missing_courses: list[str]
    delivery: str
    delivery_note: str
    study_modes: list[str]
    schedules: list[str]
    shift_friendly: bool
    classes: int
    class_size: int
    cost_per_head_before_subsidies: int
    cost_per_head_after_subsidies: int
    degree_track: DegreeTrackOut
    non_degree: TrackCostOut
    degree_workers: list[str] = Field(description="pseudonyms")
    non_degree_workers: list[str] = Field(description="pseudonyms")


class CohortDesignOut(ResponseModel):
    cohort_id: str
    size: int
    description: str
    occupations: list[OccupationShareOut]
    titles: list[TitleCountOut]
    gap: list[GapSkillOut]
    education: dict[str, int]
    target_roles: list[str]
    members: list[str] = Field(description="pseudonyms of the employees (HMAC of member_ref)")
    curriculum: list[CurriculumCourseOut]
    coverage: float
    teachable_share: float
    untaught_skills: list[str]
    uncovered_skills: list[str]
    colleges: list[CollegeOfferOut]
    note: str


class TrainingDesignOut(ResponseModel):
    """Cohorts of the enterprise's staff and a training class for each, with the partner colleges able to
    teach it and the cost per head after subsidies."""

    enterprise_id: str
    enterprise: str
    city: str
    target_role: TargetRoleOut | None
    roster_size: int
    cohorts: list[CohortDesignOut]
    silhouettes: dict[str, float]
    settings: dict[str, str | int | float]
    timings_s: dict[str, float]
    privacy: str
