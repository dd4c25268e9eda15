"""``/enterprises``: an enterprise's record and roster (its own only; union admins see all)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Response
from fastapi.exceptions import RequestValidationError

from api.core.security import derive_key
from api.db.models import EnterpriseRow
from api.deps import Access, AccessDep, ContextDep, SessionDep
from api.routes.errors import errors
from api.routes.recommendations import serving_with_engine
from api.schemas.enterprises import EnterpriseCreate, EnterpriseOut, RosterMembers, RosterOut
from api.schemas.training import TrainingDesignOut, TrainingOptions
from api.services import enterprises as service
from api.services.training import design_enterprise_training
from recommender.errors import UserError

router = APIRouter(prefix="/enterprises", tags=["enterprises"])


def _enterprise(enterprise_id: str, access: Access, session) -> EnterpriseRow:
    access.require_enterprise(enterprise_id)
    row = session.get(EnterpriseRow, enterprise_id)
    if row is None:
        raise HTTPException(404, f"no enterprise {enterprise_id!r}")
    return row


def _out(session, row: EnterpriseRow) -> EnterpriseOut:
    return EnterpriseOut(
        enterprise_id=row.enterprise_id,
        name=row.name,
        city=row.city,
        province=row.province,
        industry=row.industry,
        created_at=row.created_at,
        roster_size=service.roster_size(session, row.enterprise_id),
    )


def _roster(session, enterprise_id: str) -> RosterOut:
    return RosterOut(enterprise_id=enterprise_id, members=service.list_members(session, enterprise_id))


@router.post(
    "",
    response_model=EnterpriseOut,
    status_code=201,
    responses=errors(401, 403, 409, 422),
    summary="Register an enterprise (union admin)",
)
def create_enterprise(data: EnterpriseCreate, access: AccessDep, session: SessionDep) -> EnterpriseOut:
    access.require_role("union_admin", action="register enterprises", resource_type="enterprise")
    try:
        row = service.create_enterprise(session, data)
    except service.Conflict as exc:
        raise HTTPException(409, str(exc)) from None
    session.commit()
    return _out(session, row)


@router.get(
    "/{enterprise_id}",
    response_model=EnterpriseOut,
    responses=errors(401, 403, 404),
    summary="Read an enterprise",
)
def read_enterprise(enterprise_id: str, access: AccessDep, session: SessionDep) -> EnterpriseOut:
    return _out(session, _enterprise(enterprise_id, access, session))


@router.delete(
    "/{enterprise_id}",
    status_code=204,
    responses=errors(401, 403, 404),
    summary="Delete an enterprise and its roster (union admin)",
)
def delete_enterprise(enterprise_id: str, access: AccessDep, session: SessionDep) -> Response:
    access.require_role(
        "union_admin", action="delete enterprises", resource_type="enterprise", resource_id=enterprise_id
    )
    row = _enterprise(enterprise_id, access, session)
    session.delete(row)
    session.commit()
    return Response(status_code=204)


@router.get(
    "/{enterprise_id}/roster",
    response_model=RosterOut,
    responses=errors(401, 403, 404),
    summary="The enterprise's roster",
)
def read_roster(enterprise_id: str, access: AccessDep, session: SessionDep) -> RosterOut:
    _enterprise(enterprise_id, access, session)
    return _roster(session, enterprise_id)


@router.post(
    "/{enterprise_id}/roster",
    response_model=RosterOut,
    status_code=201,
    responses=errors(401, 403, 404, 409, 422),
    summary="Add employees to the roster",
)
def add_roster_members(
    enterprise_id: str, data: RosterMembers, access: AccessDep, session: SessionDep
) -> RosterOut:
    _enterprise(enterprise_id, access, session)
    try:
        service.add_members(session, enterprise_id, data.members)
    except service.Conflict as exc:
        raise HTTPException(409, str(exc)) from None
    session.commit()
    return _roster(session, enterprise_id)


@router.put(
    "/{enterprise_id}/roster",
    response_model=RosterOut,
    responses=errors(401, 403, 404, 409, 422),
    summary="Replace the whole roster",
)
def replace_roster(
    enterprise_id: str, data: RosterMembers, access: AccessDep, session: SessionDep
) -> RosterOut:
    _enterprise(enterprise_id, access, session)
    try:
        service.replace_roster(session, enterprise_id, data.members)
    except service.Conflict as exc:
        raise HTTPException(409, str(exc)) from None
    session.commit()
    return _roster(session, enterprise_id)


@router.delete(
    "/{enterprise_id}/roster/{member_ref}",
    status_code=204,
    responses=errors(401, 403, 404),
    summary="Remove one employee from the roster",
)
def remove_roster_member(
    enterprise_id: str, member_ref: str, access: AccessDep, session: SessionDep
) -> Response:
    _enterprise(enterprise_id, access, session)
    if not service.remove_member(session, enterprise_id, member_ref):
        raise HTTPException(404, f"no member {member_ref!r} on the roster of {enterprise_id!r}")
    session.commit()
    return Response(status_code=204)


@router.get(
    "/{enterprise_id}/training",
    response_model=TrainingDesignOut,
    responses=errors(401, 403, 404, 422, 503),
    summary="Cohorts of the roster and a training class for each, with colleges and cost per head",
)
def design_training(
    enterprise_id: str,
    options: Annotated[TrainingOptions, Query()],
    ctx: ContextDep,
    access: AccessDep,
    session: SessionDep,
) -> dict:
    """The enterprise's own token, or a union admin. Employees appear only as keyed pseudonyms."""
    row = _enterprise(enterprise_id, access, session)
    serving = serving_with_engine(ctx)
    try:
        return design_enterprise_training(
            session,
            row,
            serving.catalog,
            serving.engine.recommender.matcher,
            options,
            pseudonym_key=derive_key(ctx.settings.secret, "roster-pseudonym"),
            catalog_version=serving.version,
        )
    except UserError as exc:
        raise RequestValidationError([{"loc": ("query",), "msg": str(exc), "type": "value_error"}]) from None
