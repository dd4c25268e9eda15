"""API tokens: issue (the clear token is returned once), look up by hash, list, revoke."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.core.security import ROLES, hash_token, new_token
from api.db.models import ApiTokenRow, EnterpriseRow, WorkerRow
from recommender.errors import UserError

TENANT_ROLES = ("worker", "enterprise", "college")  # roles whose token is bound to one tenant


def issue_token(
    session: Session,
    pepper: bytes,
    role: str,
    tenant_id: str | None = None,
    *,
    label: str = "",
    check_tenant: bool = True,
) -> tuple[ApiTokenRow, str]:
    """Store a new token's hash and return the row and the clear token (the only time it exists).

    Parameters
    ----------
    session
        Open session; the caller commits.
    pepper
        Token pepper (``derive_key(secret, "token-pepper")``).
    role
        One of ``worker``, ``enterprise``, ``college``, ``union_admin``.
    tenant_id
        Worker id, enterprise id or college id for the tenant roles (required); for ``union_admin`` an
        optional
        province that limits its reports.
    check_tenant
        Refuse a worker or enterprise id that is not in the database.

    Raises
    ------
    UserError
        Unknown role, missing tenant, or a tenant that does not exist.
    """
    if role not in ROLES:
        raise UserError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
    if role in TENANT_ROLES and not tenant_id:
        raise UserError(f"a {role} token needs --tenant: the {role} id it acts for")
    worker_id = tenant_id if role == "worker" else None
    if check_tenant and role == "worker" and session.get(WorkerRow, tenant_id) is None:
        raise UserError(f"no worker {tenant_id!r}: create the worker first (POST /workers)")
    if check_tenant and role == "enterprise" and session.get(EnterpriseRow, tenant_id) is None:
        raise UserError(f"no enterprise {tenant_id!r}: create it first (POST /enterprises)")
    token = new_token()
    row = ApiTokenRow(
        token_hash=hash_token(token, pepper),
        token_prefix=token[:10],
        role=role,
        tenant_id=tenant_id or None,
        worker_id=worker_id,
        label=label,
    )
    session.add(row)
    session.flush()
    return row, token


def find_token(session: Session, pepper: bytes, token: str) -> ApiTokenRow | None:
    """The live (not revoked) token row for a clear token, or ``None``."""
    row = session.scalar(select(ApiTokenRow).where(ApiTokenRow.token_hash == hash_token(token, pepper)))
    if row is None or row.revoked_at is not None:
        return None
    return row


def list_tokens(session: Session, role: str | None = None, tenant_id: str | None = None) -> list[ApiTokenRow]:
    """Tokens, oldest first, optionally for one role and tenant."""
    query = select(ApiTokenRow).order_by(ApiTokenRow.token_id)
    if role:
        query = query.where(ApiTokenRow.role == role)
    if tenant_id:
        query = query.where(ApiTokenRow.tenant_id == tenant_id)
    return list(session.scalars(query))


def revoke_token(session: Session, token_id: int) -> ApiTokenRow:
    """Mark a token revoked (it stops working at once).

    Raises
    ------
    UserError
        When there is no token with that id.
    """
    row = session.get(ApiTokenRow, token_id)
    if row is None:
        raise UserError(f"no token with id {token_id}; `recommender token list` shows the ids")
    if row.revoked_at is None:
        row.revoked_at = datetime.now(UTC)
    return row
