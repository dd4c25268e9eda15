"""Enterprises and their rosters (the staff an enterprise wants to train)."""

from __future__ import annotations

from pydantic import Field

from api.schemas.common import RequestModel, ResponseModel, UtcDateTime
from api.schemas.workers import WorkerProfileFields, WorkerProfileOut

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"


class EnterpriseCreate(RequestModel):
    enterprise_id: str | None = Field(
        None, pattern=ID_PATTERN, description="stable id (e.g. 统一社会信用代码); default: generated"
    )
    name: str = Field(min_length=1, max_length=200)
    city: str = Field("", max_length=64)
    province: str = Field("", max_length=64)
    industry: str = Field("", max_length=100)


class EnterpriseOut(ResponseModel):
    enterprise_id: str
    name: str
    city: str
    province: str
    industry: str
    roster_size: int
    created_at: UtcDateTime


class RosterMemberCreate(WorkerProfileFields):
    """One employee; ``member_ref`` is the enterprise's own reference (工号), unique within the enterprise."""

    member_ref: str = Field(pattern=ID_PATTERN)
    job_title: str = Field(min_length=1, max_length=200)


class RosterMembers(RequestModel):
    members: list[RosterMemberCreate] = Field(max_length=10000)


class RosterMemberOut(WorkerProfileOut):
    member_ref: str
    created_at: UtcDateTime


class RosterOut(ResponseModel):
    enterprise_id: str
    members: list[RosterMemberOut]
