"""``/health`` (the process is alive), ``/ready`` (database reachable and catalog loaded), ``/metrics``."""

from __future__ import annotations

from fastapi import APIRouter, Response

from api.core.metrics import CONTENT_TYPE
from api.db.migrate import current_revision, head_revision
from api.db.session import database_reachable
from api.deps import ContextDep
from api.routes.errors import errors
from api.schemas.health import Health, Readiness
from recommender import __version__

router = APIRouter(tags=["operations"])


@router.get("/health", response_model=Health, summary="Liveness: the process answers")
def health() -> Health:
    return Health(status="ok", version=__version__)


@router.get(
    "/ready",
    response_model=Readiness,
    responses=errors(503),
    summary="Readiness: database reachable, schema current, catalog and recommendation engine loaded",
)
def ready(ctx: ContextDep, response: Response) -> Readiness:
    database = database_reachable(ctx.engine)
    migrations = False
    if database:
        try:
            migrations = current_revision(ctx.engine) == head_revision()
        except Exception:  # noqa: BLE001 - an unreadable version table means not ready
            migrations = False
    catalog = ctx.catalogs.catalog is not None
    engine = ctx.catalogs.engine_ready
    missing = [
        name
        for name, ok in (
            ("database", database),
            ("migrations", migrations),
            ("catalog", catalog),
            ("recommendation engine", engine),
        )
        if not ok
    ]
    if missing:
        response.status_code = 503
    return Readiness(
        ready=not missing,
        database=database,
        catalog=catalog,
        migrations=migrations,
        recommendations=engine,
        detail=f"not ready: {', '.join(missing)}" if missing else "",
    )


@router.get(
    "/metrics",
    summary="Prometheus metrics (text exposition format)",
    response_class=Response,
    responses={200: {"content": {CONTENT_TYPE: {"schema": {"type": "string"}}}}},
)
def metrics(ctx: ContextDep) -> Response:
    return Response(ctx.metrics.render(), media_type=CONTENT_TYPE)
