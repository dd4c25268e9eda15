"""Worker profiles: the fields of ``recommender.catalog.model.Worker`` plus what the service keeps around
them."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from api.core.security import normalise_national_id, normalise_phone
from api.schemas.common import RequestModel, ResponseModel, UtcDateTime
from recommender.catalog.model import EDUCATION_LEVELS, STUDY_MODES

Education = Literal[EDUCATION_LEVELS]  # type: ignore[valid-type]
StudyMode = Literal[STUDY_MODES]  # type: ignore[valid-type]


def _normalise_identifier(value: str | None, info: ValidationInfo) -> str | None:
    if not value:
        return None
    return normalise_national_id(value) if info.field_name == "national_id" else normalise_phone(value)


class WorkerProfileFields(RequestModel):
    """Profile fields a worker (or an enterprise for its roster) fills in."""

    duties: str = Field("", max_length=2000, description="what the job involves, in the worker's words")
    occupation_code: str = Field("", max_length=32, description="大典 2022 code when known, e.g. 4-02-06-03")
    education: Education = Field("高中", description="highest education completed")
    city: str = Field("", max_length=64)
    province: str = Field("", max_length=64)
    can_stop_working: bool = Field(False, description="false: 不脱产, needs online, evening or weekend study")
    preferred_modes: list[StudyMode] = Field(default_factory=list)
    budget_yuan: int | None = Field(
        None, ge=0, description="ceiling on out-of-pocket cost for the whole program"
    )
    honours: list[str] = Field(default_factory=list, description="e.g. 市级劳动模范, 技能竞赛获奖者")
    union_member: bool = True
    certificates: list[str] = Field(default_factory=list)


class WorkerCreate(WorkerProfileFields):
    """A new worker profile. ``national_id`` and ``phone`` are optional and never stored in clear."""

    job_title: str = Field(
        min_length=1, max_length=200, description="the job as the worker says it: 快递员, 电工"
    )
    national_id: str | None = Field(None, description="18-character resident ID; kept as a keyed hash + mask")
    phone: str | None = Field(None, description="mainland mobile number; kept as a keyed hash + mask")
    personalisation: bool = Field(True, description="use this worker's feedback to personalise results")

    _identifiers = field_validator("national_id", "phone")(_normalise_identifier)


class WorkerUpdate(RequestModel):
    """Fields to change; fields left out keep their value. ``null`` clears ``national_id``, ``phone``,
    budget."""

    job_title: str | None = Field(None, min_length=1, max_length=200)
    duties: str | None = Field(None, max_length=2000)
    occupation_code: str | None = Field(None, max_length=32)
    education: Education | None = None
    city: str | None = Field(None, max_length=64)
    province: str | None = Field(None, max_length=64)
    can_stop_working: bool | None = None
    preferred_modes: list[StudyMode] | None = None
    budget_yuan: int | None = Field(None, ge=0)
    honours: list[str] | None = None
    union_member: bool | None = None
    certificates: list[str] | None = None
    national_id: str | None = None
    phone: str | None = None
    personalisation: bool | None = None

    _identifiers = field_validator("national_id", "phone")(_normalise_identifier)

    @model_validator(mode="after")
    def _no_null_for_required(self) -> WorkerUpdate:
        nulls = sorted(n for n in self.model_fields_set if getattr(self, n) is None and n not in NULLABLE)
        if nulls:
            raise ValueError(
                f"{', '.join(nulls)} cannot be null; leave a field out to keep its current value"
            )
        return self


NULLABLE = ("budget_yuan", "national_id", "phone")


class WorkerProfileOut(ResponseModel):
    job_title: str
    duties: str
    occupation_code: str
    education: str
    city: str
    province: str
    can_stop_working: bool
    preferred_modes: list[str]
    budget_yuan: int | None
    honours: list[str]
    union_member: bool
    certificates: list[str]


class WorkerOut(WorkerProfileOut):
    worker_id: str
    national_id_masked: str | None = Field(None, description="e.g. 3201**********1234")
    phone_masked: str | None = Field(None, description="e.g. 138****5678")
    personalisation: bool
    created_at: UtcDateTime
    updated_at: UtcDateTime


class WorkerCreated(ResponseModel):
    worker: WorkerOut
    token: str = Field(description="the worker's bearer token; shown once, store it now")


class TokenInfo(ResponseModel):
    token_id: int
    token_prefix: str
    role: str
    tenant_id: str | None
    label: str
    created_at: UtcDateTime
    revoked_at: UtcDateTime | None
