"""``/workers``: a worker's own profile, its export and its deletion."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, Response

from api.db.models import WorkerRow
from api.deps import Access, AccessDep, ContextDep, OptionalPrincipalDep, SessionDep
from api.routes.errors import errors
from api.schemas.common import ResponseModel, UtcDateTime
from api.schemas.feedback import FeedbackEventOut, RecommendationLogOut
from api.schemas.workers import TokenInfo, WorkerCreate, WorkerCreated, WorkerOut, WorkerUpdate
from api.services import workers as service

router = APIRouter(prefix="/workers", tags=["workers"])


class WorkerExport(ResponseModel):
    """Everything the service holds about one worker (national ID and phone only in masked form)."""

    exported_at: UtcDateTime
    worker: WorkerOut
    feedback: list[FeedbackEventOut]
    recommendations: list[RecommendationLogOut]
    tokens: list[TokenInfo]


def own_worker(
    worker_id: str, access: Access, session, action: str = "read or change worker profiles"
) -> WorkerRow:
    """The caller's own worker row (403 for other roles, 404 for another worker)."""
    access.require_worker(worker_id, action)
    row = session.get(WorkerRow, worker_id)
    if row is None:  # the token outlived the worker only if the row vanished between two statements
        raise HTTPException(404, f"no worker {worker_id!r}")
    return row


@router.post(
    "",
    response_model=WorkerCreated,
    status_code=201,
    responses=errors(401, 403, 422),
    summary="Create a worker profile and its owner token (shown once)",
)
def create_worker(
    data: WorkerCreate,
    request: Request,
    ctx: ContextDep,
    session: SessionDep,
    principal: OptionalPrincipalDep,
) -> WorkerCreated:
    """Without a token when self-registration is on (``ALLOW_SELF_REGISTRATION``); else a union admin
    token."""
    if principal is None:
        if not ctx.settings.allow_self_registration:
            raise HTTPException(
                401,
                "self-registration is off: a union admin token is needed to create workers",
                headers={"WWW-Authenticate": "Bearer"},
            )
    else:
        Access(request, ctx, principal).require_role(
            "union_admin", action="create workers", resource_type="worker"
        )
    row, token = service.create_worker(session, data, pii_key=ctx.pii_key, pepper=ctx.token_pepper)
    session.commit()
    return WorkerCreated(worker=WorkerOut.model_validate(row), token=token)


@router.get(
    "/{worker_id}",
    response_model=WorkerOut,
    responses=errors(401, 403, 404),
    summary="Read one's own profile",
)
def read_worker(worker_id: str, access: AccessDep, session: SessionDep) -> WorkerRow:
    return own_worker(worker_id, access, session)


@router.patch(
    "/{worker_id}",
    response_model=WorkerOut,
    responses=errors(401, 403, 404, 422),
    summary="Change profile fields, identifiers or the personalisation switch",
)
def update_worker(
    worker_id: str, data: WorkerUpdate, ctx: ContextDep, access: AccessDep, session: SessionDep
) -> WorkerRow:
    row = own_worker(worker_id, access, session)
    service.update_worker(row, data, pii_key=ctx.pii_key)
    session.commit()
    return row


@router.delete(
    "/{worker_id}",
    status_code=204,
    responses=errors(401, 403, 404),
    summary="Delete the worker and everything held about them (feedback, answers, tokens)",
)
def delete_worker(worker_id: str, access: AccessDep, session: SessionDep) -> Response:
    row = own_worker(worker_id, access, session)
    service.delete_worker(session, row)
    session.commit()
    return Response(status_code=204)


@router.get(
    "/{worker_id}/export",
    response_model=WorkerExport,
    responses=errors(401, 403, 404),
    summary="Everything held about the worker, as JSON",
)
def export_worker(worker_id: str, access: AccessDep, session: SessionDep) -> dict:
    row = own_worker(worker_id, access, session)
    return service.export_worker(session, row)
