"""The service's tables (SQLAlchemy 2 declarative). The Alembic migrations in ``api/migrations`` create them.

Personal identifiers never appear in clear: national ID and phone numbers are kept as a keyed hash and a
masked
form, tokens as a peppered hash. Deleting a worker deletes everything that belongs to them (feedback,
recommendation logs, tokens) through ``ON DELETE CASCADE``.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

FEEDBACK_EVENT_TYPES = ("impression", "click", "save", "application", "enrolment", "completion", "rating")

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class ProfileColumns:
    """The profile fields of ``recommender.catalog.model.Worker`` (lists stored as JSON arrays)."""

    job_title: Mapped[str] = mapped_column(String(200))
    duties: Mapped[str] = mapped_column(Text, default="")
    occupation_code: Mapped[str] = mapped_column(String(32), default="")
    education: Mapped[str] = mapped_column(String(16), default="高中")
    city: Mapped[str] = mapped_column(String(64), default="")
    province: Mapped[str] = mapped_column(String(64), default="")
    can_stop_working: Mapped[bool] = mapped_column(Boolean, default=False)
    preferred_modes: Mapped[list] = mapped_column(JSON, default=list)
    budget_yuan: Mapped[int | None] = mapped_column(Integer, nullable=True)
    honours: Mapped[list] = mapped_column(JSON, default=list)
    union_member: Mapped[bool] = mapped_column(Boolean, default=True)
    certificates: Mapped[list] = mapped_column(JSON, default=list)


class WorkerRow(ProfileColumns, Base):
    __tablename__ = "workers"

    worker_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    national_id_hash: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    national_id_masked: Mapped[str | None] = mapped_column(String(32), nullable=True)
    phone_hash: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    phone_masked: Mapped[str | None] = mapped_column(String(16), nullable=True)
    personalisation: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    tokens: Mapped[list[ApiTokenRow]] = relationship(back_populates="worker", passive_deletes=True)


class ApiTokenRow(Base):
    """A bearer token: its peppered hash, role and tenant. A worker's owner token points at the worker."""

    __tablename__ = "api_tokens"
    __table_args__ = (
        CheckConstraint("role IN ('worker', 'enterprise', 'college', 'union_admin')", name="role"),
    )

    token_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    token_prefix: Mapped[str] = mapped_column(
        String(12)
    )  # first characters, to tell tokens apart in listings
    role: Mapped[str] = mapped_column(String(16))
    tenant_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    worker_id: Mapped[str | None] = mapped_column(
        ForeignKey("workers.worker_id", ondelete="CASCADE"), nullable=True, index=True
    )
    label: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    worker: Mapped[WorkerRow | None] = relationship(back_populates="tokens")


class RecommendationLogRow(Base):
    """One answer the service gave: the query, the ranked items and the model that produced them."""

    __tablename__ = "recommendation_logs"

    recommendation_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    worker_id: Mapped[str | None] = mapped_column(
        ForeignKey("workers.worker_id", ondelete="CASCADE"), nullable=True, index=True
    )
    query: Mapped[dict] = mapped_column(JSON, default=dict)
    items: Mapped[list] = mapped_column(JSON, default=list)
    model_version: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class FeedbackEventRow(Base):
    __tablename__ = "feedback_events"
    __table_args__ = (
        CheckConstraint(
            "event_type IN (" + ", ".join(f"'{t}'" for t in FEEDBACK_EVENT_TYPES) + ")", name="event_type"
        ),
        CheckConstraint("rating IS NULL OR (rating >= 1 AND rating <= 5)", name="rating"),
        Index("ix_feedback_events_worker_id_occurred_at", "worker_id", "occurred_at"),
    )

    event_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    worker_id: Mapped[str] = mapped_column(ForeignKey("workers.worker_id", ondelete="CASCADE"))
    event_type: Mapped[str] = mapped_column(String(16))
    program_id: Mapped[str] = mapped_column(String(64), default="", index=True)
    major_code: Mapped[str] = mapped_column(String(32), default="", index=True)
    recommendation_id: Mapped[str | None] = mapped_column(
        ForeignKey("recommendation_logs.recommendation_id", ondelete="SET NULL"), nullable=True
    )
    rank: Mapped[int | None] = mapped_column(Integer, nullable=True)
    model_version: Mapped[str] = mapped_column(String(100), default="")
    rating: Mapped[int | None] = mapped_column(Integer, nullable=True)
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class EnterpriseRow(Base):
    __tablename__ = "enterprises"

    enterprise_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    city: Mapped[str] = mapped_column(String(64), default="")
    province: Mapped[str] = mapped_column(String(64), default="")
    industry: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    roster: Mapped[list[RosterMemberRow]] = relationship(
        back_populates="enterprise", passive_deletes=True, order_by="RosterMemberRow.member_ref"
    )


class RosterMemberRow(ProfileColumns, Base):
    """One employee on an enterprise's roster, identified by the enterprise's own reference (工号)."""

    __tablename__ = "roster_members"
    __table_args__ = (UniqueConstraint("enterprise_id", "member_ref"),)

    member_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    enterprise_id: Mapped[str] = mapped_column(ForeignKey("enterprises.enterprise_id", ondelete="CASCADE"))
    member_ref: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    enterprise: Mapped[EnterpriseRow] = relationship(back_populates="roster")


class AuditEventRow(Base):
    """A refused access: who asked for what, and why it was refused. Kept when tokens and workers go."""

    __tablename__ = "audit_events"

    audit_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    request_id: Mapped[str] = mapped_column(String(128), default="")
    token_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    role: Mapped[str] = mapped_column(String(16), default="")
    tenant_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    method: Mapped[str] = mapped_column(String(8))
    path: Mapped[str] = mapped_column(String(500))
    resource_type: Mapped[str] = mapped_column(String(32), default="")
    resource_id: Mapped[str] = mapped_column(String(64), default="")
    status_code: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(200))
