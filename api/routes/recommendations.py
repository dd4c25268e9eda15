"""``/recommendations`` (an ad-hoc profile) and ``/workers/{id}/recommendations`` (the stored profile)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query

from api.deps import AccessDep, ContextDep, ServiceContext, SessionDep
from api.routes.errors import errors
from api.routes.workers import own_worker
from api.schemas.recommendations import RecommendationOptions, RecommendationQuery, RecommendationsOut
from api.services.catalog_service import Serving
from api.services.recommendations import recommend_and_log
from api.services.workers import to_domain
from recommender.catalog.model import Worker

router = APIRouter(tags=["recommendations"])


def serving_with_engine(ctx: ServiceContext) -> Serving:
    """The serving snapshot, with its recommendation engine; 503 while there is none."""
    serving = ctx.catalogs.serving
    if not ctx.settings.recommendations:
        raise HTTPException(503, "recommendations are off on this service (RECOMMENDATIONS=false)")
    if serving is None:
        raise HTTPException(503, "no catalog in service yet; GET /catalog/status")
    if serving.engine is None:
        raise HTTPException(
            503, "the recommendation engine is not ready; GET /catalog/status shows the reindex"
        )
    return serving


@router.post(
    "/recommendations",
    response_model=RecommendationsOut,
    responses=errors(401, 422, 503),
    summary="Recommend programs for a profile given in the request (not stored)",
)
def recommend(query: RecommendationQuery, ctx: ContextDep, access: AccessDep, session: SessionDep) -> dict:
    """Any token. The answer is logged (for a worker token, under that worker: their export and deletion
    include it)."""
    serving = serving_with_engine(ctx)
    profile = query.model_dump(exclude={"limit", "place_scope", "language", "personalised"})
    worker = Worker(
        worker_id="adhoc", **{k: tuple(v) if isinstance(v, list) else v for k, v in profile.items()}
    )
    body = recommend_and_log(
        session,
        serving.engine,
        worker,
        catalog_version=serving.version,
        worker_id=access.principal.worker_id if access.principal.role == "worker" else None,
        query=query.model_dump(),
        limit=query.limit,
        personalised=query.personalised,
        place_scope=query.place_scope,
        language=query.language,
    )
    session.commit()
    return body


@router.get(
    "/workers/{worker_id}/recommendations",
    response_model=RecommendationsOut,
    responses=errors(401, 403, 404, 422, 503),
    summary="Recommend programs for the worker's stored profile (personalised unless switched off)",
)
def recommend_for_worker(
    worker_id: str,
    options: Annotated[RecommendationOptions, Query()],
    ctx: ContextDep,
    access: AccessDep,
    session: SessionDep,
) -> dict:
    row = own_worker(worker_id, access, session, action="read worker recommendations")
    serving = serving_with_engine(ctx)
    body = recommend_and_log(
        session,
        serving.engine,
        to_domain(row),
        catalog_version=serving.version,
        worker_id=worker_id,
        query={"profile": "stored", "personalised": row.personalisation, **options.model_dump()},
        limit=options.limit,
        personalised=row.personalisation,
        place_scope=options.place_scope,
        language=options.language,
    )
    session.commit()
    return body
