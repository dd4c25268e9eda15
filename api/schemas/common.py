"""Models shared by every route: the error body and the base classes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field


class RequestModel(BaseModel):
    """A request body: unknown fields are refused, so a typo is a readable 422 rather than a silent no-op."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ResponseModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class FieldError(BaseModel):
    location: str = Field(description="where the problem is, e.g. body.job_title or query.limit")
    message: str


class CatalogProblem(BaseModel):
    file: str
    row: int | None = Field(None, description="spreadsheet row: the header is row 1")
    column: str | None = None
    reason: str


class ErrorResponse(BaseModel):
    """Every error the service returns: a sentence saying what is wrong, and the details where there are
    some."""

    detail: str
    errors: list[FieldError] = Field(default_factory=list)
    problems: list[CatalogProblem] = Field(default_factory=list, description="catalog import problems")
    request_id: str = ""


def as_utc(value: datetime | None) -> datetime | None:
    """Timestamps read back from SQLite have no zone; they were written in UTC."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


UtcDateTime = Annotated[datetime, AfterValidator(as_utc)]
