"""``/catalog``: what is in service, importing a new version, reindexing in the background."""

from __future__ import annotations

import pandas as pd
from fastapi import APIRouter, HTTPException

from api.deps import AccessDep, ContextDep
from api.routes.errors import errors
from api.schemas.catalog import CatalogImport, CatalogImportResult, CatalogStatus, ReindexStatus
from api.services.catalog_service import CatalogBusyError, CatalogService
from recommender.catalog.loader import CatalogError
from recommender.errors import UserError

router = APIRouter(prefix="/catalog", tags=["catalog"])


class CatalogRejected(Exception):
    """A catalog with problems: answered as 422 with every problem."""

    def __init__(self, error: CatalogError):
        self.error = error


def _reindex_status(service: CatalogService) -> ReindexStatus:
    return ReindexStatus.model_validate(service.job)


def _engine_state(service: CatalogService) -> str:
    if not service.builds_engine:
        return "off"
    if service.serving is not None and service.serving.engine is not None:
        return "ready"
    return "building" if service.job.state == "running" else "unavailable"


def _status(service: CatalogService) -> CatalogStatus:
    serving = service.serving
    return CatalogStatus(
        loaded=serving is not None,
        version=serving.version if serving else "",
        stored_version=service.stored_version(),
        source=serving.current.source if serving else "",
        loaded_at=serving.loaded_at if serving else None,
        stats=serving.catalog.stats() if serving else None,
        engine=_engine_state(service),
        reindex=_reindex_status(service),
    )


@router.get(
    "/status",
    response_model=CatalogStatus,
    responses=errors(401),
    summary="The catalog in service, its counts and the latest reindex",
)
def catalog_status(ctx: ContextDep, access: AccessDep) -> CatalogStatus:
    return _status(ctx.catalogs)


@router.post(
    "/import",
    response_model=CatalogImportResult,
    status_code=202,
    responses=errors(401, 403, 409, 422),
    summary="Validate and store a new catalog version, then reindex it in the background (union admin)",
)
def import_catalog(data: CatalogImport, ctx: ContextDep, access: AccessDep) -> CatalogImportResult:
    """Every problem of the catalog comes back at once (file, row, column, reason); nothing changes then.
    When this answers 202 the new version is stored: a restart serves it. The old catalog answers until the
    reindex finishes (``GET /catalog/status``)."""
    access.require_role("union_admin", action="import catalogs", resource_type="catalog")
    tables = None
    if data.tables is not None:
        tables = {
            name: pd.DataFrame(rows, dtype=object) if rows else [] for name, rows in data.tables.items()
        }
    try:
        version = ctx.catalogs.import_catalog(tables=tables, directory=data.directory)
    except CatalogError as exc:
        raise CatalogRejected(exc) from None
    except CatalogBusyError as exc:
        raise HTTPException(409, str(exc)) from None
    return CatalogImportResult(version=version, reindex=_reindex_status(ctx.catalogs))


@router.post(
    "/reindex",
    response_model=ReindexStatus,
    status_code=202,
    responses=errors(401, 403, 409),
    summary="Reload the catalog in service in the background; the old one answers until then",
)
def reindex_catalog(ctx: ContextDep, access: AccessDep) -> ReindexStatus:
    access.require_role("union_admin", action="reindex the catalog", resource_type="catalog")
    try:
        ctx.catalogs.reindex()
    except CatalogBusyError as exc:
        raise HTTPException(409, str(exc)) from None
    except UserError as exc:
        raise HTTPException(409, str(exc)) from None
    return _reindex_status(ctx.catalogs)
