"""Storing feedback events, checked against the catalog in service and the worker's own answers."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from api.db.models import FeedbackEventRow, RecommendationLogRow
from api.schemas.feedback import FeedbackEventCreate
from recommender.catalog.catalog import Catalog


class FeedbackRejected(ValueError):
    """The event names something that does not exist (reported as 422 on ``field``)."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def record_feedback(
    session: Session, event: FeedbackEventCreate, catalog: Catalog | None
) -> FeedbackEventRow:
    """Add one event. The caller has checked the worker is the caller, and commits.

    Raises
    ------
    FeedbackRejected
        ``program_id`` or ``major_code`` is not in the catalog in service, or ``recommendation_id`` is not an
        answer given to this worker.
    """
    if catalog is not None:
        if event.program_id and event.program_id not in catalog.programs:
            raise FeedbackRejected(
                "program_id", f"program {event.program_id!r} is not in the catalog in service"
            )
        if event.major_code and event.major_code not in catalog.majors:
            raise FeedbackRejected(
                "major_code", f"major {event.major_code!r} is not in the catalog in service"
            )
    if event.recommendation_id is not None:
        log = session.get(RecommendationLogRow, event.recommendation_id)
        if log is None or log.worker_id != event.worker_id:
            raise FeedbackRejected(
                "recommendation_id", f"no recommendation {event.recommendation_id!r} was given to this worker"
            )
    row = FeedbackEventRow(
        **event.model_dump(exclude={"occurred_at"}),
        occurred_at=event.occurred_at or datetime.now(UTC),
    )
    session.add(row)
    session.flush()
    return row
