"""Dependencies the routes declare: the service context, a database session, the caller and their rights.

Authorisation has two levels. A role that may never use a route gets **403**. A caller whose role may use the
route but who asks for another tenant's object (another worker, another enterprise, another college) gets
**404**, exactly as for an object that does not exist, so ids cannot be probed. Both are written to the audit
table and to the log.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, NoReturn

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from api.core.config import Settings
from api.core.logging import request_id_var
from api.core.metrics import ServiceMetrics
from api.db.models import AuditEventRow
from api.services.catalog_service import CatalogService
from api.services.tokens import find_token

log = logging.getLogger("api.auth")


@dataclass
class ServiceContext:
    """Everything one app instance holds: settings, database, catalog, metrics and derived keys."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    catalogs: CatalogService
    metrics: ServiceMetrics
    token_pepper: bytes
    pii_key: bytes


@dataclass(frozen=True)
class Principal:
    """The caller, as their token says."""

    token_id: int
    role: str
    tenant_id: str | None
    worker_id: str | None


def get_context(request: Request) -> ServiceContext:
    return request.app.state.context


def get_session(ctx: Annotated[ServiceContext, Depends(get_context)]) -> Iterator[Session]:
    """A session for the request; rolled back unless the route committed."""
    with ctx.sessions() as session:
        yield session


bearer = HTTPBearer(auto_error=False, description="API token: `Authorization: Bearer rk_...`")


def _unauthorised(ctx: ServiceContext, detail: str, reason: str) -> NoReturn:
    ctx.metrics.denied.labels(reason=reason).inc()
    raise HTTPException(401, detail, headers={"WWW-Authenticate": "Bearer"})


def optional_principal(
    ctx: Annotated[ServiceContext, Depends(get_context)],
    session: Annotated[Session, Depends(get_session)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal | None:
    """The caller, or ``None`` without a token. A token that is given but unknown or revoked is a 401."""
    if credentials is None:
        return None
    row = find_token(session, ctx.token_pepper, credentials.credentials)
    if row is None:
        _unauthorised(ctx, "the API token is unknown or revoked; ask for a new one", "bad_token")
    return Principal(row.token_id, row.role, row.tenant_id, row.worker_id)


def current_principal(
    ctx: Annotated[ServiceContext, Depends(get_context)],
    principal: Annotated[Principal | None, Depends(optional_principal)],
) -> Principal:
    """The caller; 401 without a token."""
    if principal is None:
        _unauthorised(ctx, "this route needs an API token: send `Authorization: Bearer <token>`", "no_token")
    return principal


class Access:
    """Object-level checks for one request. Each ``require_*`` returns quietly or raises 403/404 (audited)."""

    def __init__(self, request: Request, ctx: ServiceContext, principal: Principal):
        self.request = request
        self.ctx = ctx
        self.principal = principal

    def deny(self, status: int, reason: str, resource_type: str, resource_id: str = "") -> NoReturn:
        """Record the refusal (audit table, log, metric) and raise the HTTP error."""
        p = self.principal
        event = AuditEventRow(
            request_id=request_id_var.get(),
            token_id=p.token_id,
            role=p.role,
            tenant_id=p.tenant_id,
            method=self.request.method,
            path=self.request.url.path[:500],
            resource_type=resource_type,
            resource_id=resource_id[:64],
            status_code=status,
            reason=reason,
        )
        try:
            with self.ctx.sessions() as session:  # its own transaction: kept whatever the request does next
                session.add(event)
                session.commit()
        except Exception:
            log.exception("audit event not stored")
        self.ctx.metrics.denied.labels(reason="forbidden_role" if status == 403 else "other_tenant").inc()
        log.warning(
            "access denied",
            extra={
                "role": p.role,
                "tenant_id": p.tenant_id,
                "token_id": p.token_id,
                "method": self.request.method,
                "path": self.request.url.path,
                "resource_type": resource_type,
                "resource_id": resource_id,
                "status": status,
                "reason": reason,
            },
        )
        if status == 404:
            raise HTTPException(404, f"no {resource_type} {resource_id!r}")
        raise HTTPException(status, f"a {p.role} token may not {reason}")

    def require_role(self, *roles: str, action: str, resource_type: str, resource_id: str = "") -> None:
        """403 unless the caller has one of ``roles``; ``action`` completes 'a <role> token may not ...'."""
        if self.principal.role not in roles:
            self.deny(403, action, resource_type, resource_id)

    def require_worker(self, worker_id: str, action: str = "read or change worker profiles") -> None:
        """The caller is this worker (only a worker token reaches a worker's own data)."""
        self.require_role("worker", action=action, resource_type="worker", resource_id=worker_id)
        if self.principal.worker_id != worker_id:
            self.deny(404, "use another worker's data", "worker", worker_id)

    def require_enterprise(self, enterprise_id: str) -> None:
        """The caller is this enterprise, or a union admin."""
        self.require_role(
            "enterprise",
            "union_admin",
            action="use enterprise data",
            resource_type="enterprise",
            resource_id=enterprise_id,
        )
        if self.principal.role == "enterprise" and self.principal.tenant_id != enterprise_id:
            self.deny(404, "use another enterprise's data", "enterprise", enterprise_id)

    def require_college(self, college_id: str) -> None:
        """The caller is this college, or a union admin."""
        self.require_role(
            "college",
            "union_admin",
            action="read college demand",
            resource_type="college",
            resource_id=college_id,
        )
        if self.principal.role == "college" and self.principal.tenant_id != college_id:
            self.deny(404, "read another college's demand", "college", college_id)


def get_access(
    request: Request,
    ctx: Annotated[ServiceContext, Depends(get_context)],
    principal: Annotated[Principal, Depends(current_principal)],
) -> Access:
    return Access(request, ctx, principal)


ContextDep = Annotated[ServiceContext, Depends(get_context)]
SessionDep = Annotated[Session, Depends(get_session)]
AccessDep = Annotated[Access, Depends(get_access)]
OptionalPrincipalDep = Annotated[Principal | None, Depends(optional_principal)]
