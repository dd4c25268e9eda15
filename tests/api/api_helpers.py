"""Helpers the service tests share: tokens, workers, enterprises, row counts, audit rows."""

from __future__ import annotations

import uuid

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from api.db.models import AuditEventRow
from api.services.tokens import issue_token


def make_token(client: TestClient, role: str, tenant_id: str | None = None) -> dict[str, str]:
    """Authorization headers for a new token of ``role`` (created directly in the app's database)."""
    ctx = client.app.state.context
    with ctx.sessions() as session:
        _, token = issue_token(session, ctx.token_pepper, role, tenant_id, check_tenant=False)
        session.commit()
    return {"Authorization": f"Bearer {token}"}


def new_worker(client: TestClient, **profile) -> tuple[str, dict[str, str]]:
    """Self-register a worker; returns its id and its owner token's headers."""
    body = {"job_title": "快递员", "city": "苏州市", "province": "江苏省", **profile}
    r = client.post("/workers", json=body)
    assert r.status_code == 201, r.text
    data = r.json()
    return data["worker"]["worker_id"], {"Authorization": f"Bearer {data['token']}"}


def new_enterprise(client: TestClient, admin: dict[str, str], **fields) -> str:
    body = {
        "enterprise_id": f"E{uuid.uuid4().hex[:8]}",
        "name": "顺达物流有限公司",
        "city": "苏州市",
        "province": "江苏省",
        "industry": "物流",
        **fields,
    }
    r = client.post("/enterprises", json=body, headers=admin)
    assert r.status_code == 201, r.text
    return r.json()["enterprise_id"]


def count_rows(client: TestClient, model, **where) -> int:
    ctx = client.app.state.context
    with ctx.sessions() as session:
        query = select(func.count()).select_from(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return session.scalar(query)


def audit_rows(client: TestClient, **where) -> list:
    ctx = client.app.state.context
    with ctx.sessions() as session:
        query = select(AuditEventRow)
        for name, value in where.items():
            query = query.where(getattr(AuditEventRow, name) == value)
        return list(session.scalars(query))
