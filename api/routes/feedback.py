"""``/feedback``: a worker reports what they did with a recommendation."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.exceptions import RequestValidationError

from api.deps import AccessDep, ContextDep, SessionDep
from api.routes.errors import errors
from api.schemas.feedback import FeedbackEventCreate, FeedbackEventOut
from api.services.feedback import FeedbackRejected, record_feedback

router = APIRouter(tags=["feedback"])


@router.post(
    "/feedback",
    response_model=FeedbackEventOut,
    status_code=201,
    responses=errors(401, 403, 404, 422),
    summary="Record one feedback event (impression, click, save, application, enrolment, ...)",
)
def create_feedback(
    event: FeedbackEventCreate, ctx: ContextDep, access: AccessDep, session: SessionDep
) -> FeedbackEventOut:
    """A worker token, for that worker's own ``worker_id``. Acknowledged events are committed."""
    access.require_worker(event.worker_id, action="record feedback")
    try:
        row = record_feedback(session, event, ctx.catalogs.catalog)
    except FeedbackRejected as exc:
        raise RequestValidationError(
            [{"loc": ("body", exc.field), "msg": str(exc), "type": "value_error"}]
        ) from None
    session.commit()
    ctx.metrics.feedback_events.labels(event_type=row.event_type).inc()
    return row
