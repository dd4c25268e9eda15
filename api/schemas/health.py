"""Liveness and readiness."""

from __future__ import annotations

from pydantic import Field

from api.schemas.common import ResponseModel


class Health(ResponseModel):
    status: str
    version: str


class Readiness(ResponseModel):
    ready: bool
    database: bool
    catalog: bool
    migrations: bool
    recommendations: bool = Field(description="the recommendation engine is built (or turned off)")
    detail: str = ""
