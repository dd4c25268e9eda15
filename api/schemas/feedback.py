"""Feedback events: what a worker did with a recommendation (seen, clicked, saved, applied, enrolled,
rated)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from api.db.models import FEEDBACK_EVENT_TYPES
from api.schemas.common import RequestModel, ResponseModel, UtcDateTime

EventType = Literal[FEEDBACK_EVENT_TYPES]  # type: ignore[valid-type]


class FeedbackEventCreate(RequestModel):
    """One event. It names a program or a major (or both); a ``rating`` event carries ``rating`` 1–5."""

    worker_id: str = Field(min_length=1, max_length=64)
    event_type: EventType
    program_id: str = Field("", max_length=64)
    major_code: str = Field("", max_length=32)
    recommendation_id: str | None = Field(None, max_length=64, description="the answer the item was shown in")
    rank: int | None = Field(None, ge=1, description="position in that answer, 1 = first")
    model_version: str = Field("", max_length=100)
    rating: int | None = Field(None, ge=1, le=5)
    occurred_at: UtcDateTime | None = Field(None, description="when it happened on the device; default: now")

    @model_validator(mode="after")
    def _consistent(self) -> FeedbackEventCreate:
        if not self.program_id and not self.major_code:
            raise ValueError("name the item: give program_id, major_code or both")
        if self.event_type == "rating" and self.rating is None:
            raise ValueError("a rating event needs rating (1 to 5)")
        if self.event_type != "rating" and self.rating is not None:
            raise ValueError("rating goes with event_type 'rating' only")
        return self


class FeedbackEventOut(ResponseModel):
    event_id: int
    worker_id: str
    event_type: str
    program_id: str
    major_code: str
    recommendation_id: str | None
    rank: int | None
    model_version: str
    rating: int | None
    occurred_at: UtcDateTime
    created_at: UtcDateTime


class RecommendationLogOut(ResponseModel):
    recommendation_id: str
    worker_id: str | None
    query: dict
    items: list
    model_version: str
    created_at: UtcDateTime
