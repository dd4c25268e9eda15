"""Worker profiles: create (with an owner token), read, update, delete (cascading), export everything held."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.core.security import keyed_hash, mask_national_id, mask_phone, scrub_free_text
from api.db.models import ApiTokenRow, FeedbackEventRow, RecommendationLogRow, WorkerRow
from api.schemas.workers import WorkerCreate, WorkerUpdate
from api.services.tokens import issue_token
from recommender.catalog.model import Worker

FREE_TEXT_FIELDS = ("job_title", "duties")
IDENTIFIER_FIELDS = ("national_id", "phone")


def new_worker_id() -> str:
    return f"w-{secrets.token_hex(8)}"


def _set_identifier(row: WorkerRow, name: str, value: str | None, pii_key: bytes) -> None:
    masked = None
    if value:
        masked = mask_national_id(value) if name == "national_id" else mask_phone(value)
    setattr(row, f"{name}_hash", keyed_hash(value, pii_key) if value else None)
    setattr(row, f"{name}_masked", masked)


def _apply(row: WorkerRow, values: dict, pii_key: bytes) -> None:
    for name, value in values.items():
        if name in IDENTIFIER_FIELDS:
            _set_identifier(row, name, value, pii_key)
        elif name in FREE_TEXT_FIELDS:
            setattr(row, name, scrub_free_text(value))
        else:
            setattr(row, name, value)


def create_worker(
    session: Session, data: WorkerCreate, *, pii_key: bytes, pepper: bytes
) -> tuple[WorkerRow, str]:
    """Store a worker and issue their owner token; returns the row and the clear token. The caller commits."""
    row = WorkerRow(worker_id=new_worker_id())
    _apply(row, data.model_dump(), pii_key)
    session.add(row)
    session.flush()
    _, token = issue_token(session, pepper, "worker", row.worker_id, label="owner token")
    return row, token


def update_worker(row: WorkerRow, data: WorkerUpdate, *, pii_key: bytes) -> WorkerRow:
    """Change the fields the request set; ``null`` clears the nullable ones. The caller commits."""
    values = {name: getattr(data, name) for name in data.model_fields_set}
    _apply(row, values, pii_key)
    row.updated_at = datetime.now(UTC)
    return row


def delete_worker(session: Session, row: WorkerRow) -> None:
    """Delete a worker and, through ON DELETE CASCADE, their feedback, recommendation logs and tokens."""
    session.delete(row)


def export_worker(session: Session, row: WorkerRow) -> dict:
    """Everything the service holds about a worker, for ``GET /workers/{id}/export``."""
    wid = row.worker_id
    return {
        "exported_at": datetime.now(UTC),
        "worker": row,
        "feedback": list(
            session.scalars(
                select(FeedbackEventRow)
                .where(FeedbackEventRow.worker_id == wid)
                .order_by(FeedbackEventRow.event_id)
            )
        ),
        "recommendations": list(
            session.scalars(
                select(RecommendationLogRow)
                .where(RecommendationLogRow.worker_id == wid)
                .order_by(RecommendationLogRow.created_at)
            )
        ),
        "tokens": list(
            session.scalars(
                select(ApiTokenRow).where(ApiTokenRow.worker_id == wid).order_by(ApiTokenRow.token_id)
            )
        ),
    }


def to_domain(row) -> Worker:
    """The library's :class:`~recommender.catalog.model.Worker` for a worker or roster row."""
    worker_id = getattr(row, "worker_id", None) or getattr(row, "member_ref", "")
    return Worker(
        worker_id=worker_id,
        job_title=row.job_title,
        duties=row.duties,
        occupation_code=row.occupation_code,
        education=row.education,
        city=row.city,
        province=row.province,
        can_stop_working=row.can_stop_working,
        preferred_modes=tuple(row.preferred_modes),
        budget_yuan=row.budget_yuan,
        honours=tuple(row.honours),
        union_member=row.union_member,
        certificates=tuple(row.certificates),
    )
