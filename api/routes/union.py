"""``/union``: region-wide figures for union staff (the report of ``recommender.demand`` and an overview)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Query

from api.deps import Access, AccessDep, ContextDep, SessionDep
from api.routes.errors import errors
from api.schemas.demand import UnionReportOut
from api.schemas.reports import UnionOverview
from api.services import reports
from api.services.demand import demand_store
from recommender import demand

router = APIRouter(prefix="/union", tags=["union"])

ProvinceQuery = Query("", max_length=64, description="limit to one province")


def _region(access: Access, province: str) -> str:
    """The province a union admin asks for; a regional admin (token tenant = province) gets only its own."""
    access.require_role("union_admin", action="read union reports", resource_type="report")
    own = access.principal.tenant_id
    if own and province and province != own:
        access.deny(403, f"read reports outside {own}", "report", province)
    return own or province


@router.get(
    "/report",
    response_model=UnionReportOut,
    responses=errors(401, 403, 422, 503),
    summary="Participants, applicants and enrolments by city and month; subsidy spend; demand vs places",
)
def union_report(
    ctx: ContextDep,
    access: AccessDep,
    session: SessionDep,
    province: str = ProvinceQuery,
    exact: bool = Query(
        False, description="exact figures (the union's own use); default: k-anonymous with K_ANONYMITY"
    ),
) -> dict:
    """A union admin token (a token whose tenant is a province sees that province only)."""
    region = _region(access, province)
    catalog = ctx.catalogs.catalog
    if catalog is None:
        raise HTTPException(503, "no catalog in service yet; GET /catalog/status")
    with demand_store(session, catalog, region=region) as store:
        report = demand.union_report(store, k=None if exact else ctx.settings.k_anonymity)
    return {"region": region, **report.to_dict()}


@router.get(
    "/overview",
    response_model=UnionOverview,
    responses=errors(401, 403, 422),
    summary="Registered workers, feedback and enterprises (every group rests on K_ANONYMITY workers)",
)
def union_overview(
    ctx: ContextDep, access: AccessDep, session: SessionDep, province: str = ProvinceQuery
) -> dict:
    """A union admin token. A token whose tenant is a province reports on that province only."""
    region = _region(access, province)
    return reports.union_overview(
        session, k=ctx.settings.k_anonymity, region=region, catalog=ctx.catalogs.catalog
    )
