"""``/colleges/{id}/demand``: a college's own demand dashboard, aggregated and k-anonymous."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Query

from api.deps import AccessDep, ContextDep, SessionDep
from api.routes.errors import errors
from api.schemas.demand import CollegeDemandOut
from api.services.demand import demand_store
from recommender import demand

router = APIRouter(prefix="/colleges", tags=["colleges"])


@router.get(
    "/{college_id}/demand",
    response_model=CollegeDemandOut,
    responses=errors(401, 403, 404, 422, 503),
    summary="The college's demand: its programs, unmet demand around it, course gaps, peers",
)
def college_demand(
    college_id: str,
    ctx: ContextDep,
    access: AccessDep,
    session: SessionDep,
    top: int = Query(20, ge=1, le=200, description="unmet majors and course gaps to list"),
) -> dict:
    """A college token for its own id, or a union admin. Every figure counts distinct workers and rests on at
    least ``K_ANONYMITY`` of them (``recommender.demand.privacy``)."""
    access.require_college(college_id)
    catalog = ctx.catalogs.catalog
    if catalog is None:
        raise HTTPException(503, "no catalog in service yet; GET /catalog/status")
    if college_id not in catalog.colleges:
        raise HTTPException(404, f"no college {college_id!r}")
    with demand_store(session, catalog) as store:
        return demand.college_demand(store, college_id, k=ctx.settings.k_anonymity, top=top).to_dict()
