"""The FastAPI application: :func:`create_app` builds one service instance from :class:`Settings`.

At start (the lifespan) the database is migrated to the newest revision, the keys are derived from the secret
and the catalog is loaded; at shutdown the engine's connections are closed. ``uvicorn`` runs it through
``recommender serve``, or directly: ``uvicorn --factory api.main:app_from_env``.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.core.config import Settings
from api.core.logging import configure_logging, request_id_var
from api.core.metrics import ServiceMetrics
from api.core.security import derive_key
from api.db.migrate import upgrade_database
from api.db.session import create_db_engine, create_session_factory
from api.deps import ServiceContext
from api.middleware import RequestContextMiddleware
from api.routes import catalog, colleges, enterprises, feedback, health, recommendations, union, workers
from api.routes.catalog import CatalogRejected
from api.schemas.common import ErrorResponse
from api.services.catalog_service import CatalogService
from api.services.recommendations import build_engine
from recommender import __version__

log = logging.getLogger("api")

ROUTERS = (
    health.router,
    workers.router,
    recommendations.router,
    feedback.router,
    enterprises.router,
    colleges.router,
    union.router,
    catalog.router,
)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the service.

    Parameters
    ----------
    settings
        Configuration; default: read from the environment (``DATABASE_URL``, ``CATALOG_DIR``, ...).

    Returns
    -------
    FastAPI
        The app; the database and catalog are set up when it starts (``with TestClient(app)`` or uvicorn).

    Examples
    --------
    >>> app = create_app(Settings(data_dir="var/dev", catalog_dir="var/demo/catalog"))  # doctest: +SKIP
    """
    settings = settings or Settings()
    metrics = ServiceMetrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(settings.log_level)
        engine = create_db_engine(settings.resolved_database_url, echo=settings.sql_echo)
        upgrade_database(engine)

        def on_catalog(serving) -> None:
            metrics.catalog_loaded.set(1)
            metrics.catalog_programs.set(len(serving.catalog.programs))

        def on_job(job) -> None:
            metrics.reindex_running.set(1 if job.state == "running" else 0)
            if job.state != "running":
                metrics.reindexes.labels(outcome=job.state).inc()

        def engine_factory(catalog):
            return build_engine(catalog, settings.recommender_encoder)

        catalogs = CatalogService(
            settings.catalog_store_dir,
            settings.catalog_dir,
            on_change=on_catalog,
            on_job=on_job,
            engine_factory=engine_factory if settings.recommendations else None,
        )
        catalogs.start()
        secret = settings.secret
        app.state.context = ServiceContext(
            settings=settings,
            engine=engine,
            sessions=create_session_factory(engine),
            catalogs=catalogs,
            metrics=metrics,
            token_pepper=derive_key(secret, "token-pepper"),
            pii_key=derive_key(secret, "pii-hmac"),
        )
        log.info(
            "service started",
            extra={
                "database": engine.url.render_as_string(hide_password=True),
                "catalog_version": catalogs.version,
            },
        )
        try:
            yield
        finally:
            catalogs.wait(timeout=5)
            engine.dispose()
            log.info("service stopped")

    app = FastAPI(
        title="recommender",
        version=__version__,
        summary="Job → majors, programs and courses at partner colleges (求学圆梦行动)",
        lifespan=lifespan,
        generate_unique_id_function=lambda route: route.name,  # operationId = the function's (and CLI's) verb
    )
    for router in ROUTERS:
        app.include_router(router)
    app.add_middleware(RequestContextMiddleware, metrics=metrics)
    _add_error_handlers(app)
    app.openapi = lambda: _openapi(app)
    return app


def app_from_env() -> FastAPI:
    """The app configured from the environment (for ``uvicorn --factory api.main:app_from_env``)."""
    return create_app(Settings())


# ------------------------------------------------------------------------------------------------ errors
def _request_id(request: Request) -> str:
    # The middleware's context variable is gone when the outermost (500) handler runs; the scope keeps it.
    return getattr(request.state, "request_id", None) or request_id_var.get()


def _error(request: Request, status: int, detail: str, headers=None, **extra) -> JSONResponse:
    body = ErrorResponse(detail=detail, request_id=_request_id(request), **extra)
    return JSONResponse(body.model_dump(mode="json"), status_code=status, headers=headers)


def _location(loc) -> str:
    return ".".join(str(part) for part in loc) or "request"


def _message(error: dict) -> str:
    msg = str(error.get("msg", "invalid"))
    return msg.removeprefix("Value error, ").removeprefix("Assertion failed, ")


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{"location": _location(e.get("loc", ())), "message": _message(e)} for e in exc.errors()]
        summary = "; ".join(f"{e['location']}: {e['message']}" for e in errors[:5])
        more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
        return _error(request, 422, f"invalid request: {summary}{more}", errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return _error(request, exc.status_code, str(exc.detail), headers=exc.headers)

    @app.exception_handler(CatalogRejected)
    async def catalog_rejected(request: Request, exc: CatalogRejected) -> JSONResponse:
        problems = [p.to_dict() for p in exc.error.problems]
        n = len(problems)
        return _error(
            request,
            422,
            f"the catalog has {n} problem{'s' if n != 1 else ''}; nothing was changed",
            problems=problems,
        )

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        request_id = _request_id(request)
        log.error("unhandled error", exc_info=exc, extra={"request_id": request_id})
        return _error(
            request,
            500,
            "internal error; quote the request id when reporting it",
            headers={"X-Request-ID": request_id},
        )


def _openapi(app: FastAPI) -> dict:
    """The OpenAPI document, with FastAPI's default validation-error body replaced by ours everywhere."""
    if app.openapi_schema is None:
        schema = get_openapi(title=app.title, version=app.version, summary=app.summary, routes=app.routes)
        ours = "#/components/schemas/ErrorResponse"
        for path in schema.get("paths", {}).values():
            for operation in path.values():
                answer = operation.get("responses", {}).get("422")
                if answer and "HTTPValidationError" in str(answer):
                    operation["responses"]["422"] = {
                        "description": "The request is invalid; `errors` says where and why",
                        "content": {"application/json": {"schema": {"$ref": ours}}},
                    }
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        if "ErrorResponse" not in components:
            components.update(_error_schemas())
        for name in ("HTTPValidationError", "ValidationError"):
            components.pop(name, None)
        app.openapi_schema = schema
    return app.openapi_schema


def _error_schemas() -> dict:
    schema = ErrorResponse.model_json_schema(ref_template="#/components/schemas/{model}")
    defs = schema.pop("$defs", {})
    return {"ErrorResponse": schema, **defs}
