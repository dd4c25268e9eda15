"""Initial schema: workers, tokens, recommendation logs, feedback events, enterprises and rosters, audit log.

Revision ID: 0001
Revises:
Create Date: 2025-11-28

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

EVENT_TYPES = ("impression", "click", "save", "application", "enrolment", "completion", "rating")


def _profile_columns() -> list[sa.Column]:
    return [
        sa.Column("job_title", sa.String(200), nullable=False),
        sa.Column("duties", sa.Text(), nullable=False),
        sa.Column("occupation_code", sa.String(32), nullable=False),
        sa.Column("education", sa.String(16), nullable=False),
        sa.Column("city", sa.String(64), nullable=False),
        sa.Column("province", sa.String(64), nullable=False),
        sa.Column("can_stop_working", sa.Boolean(), nullable=False),
        sa.Column("preferred_modes", sa.JSON(), nullable=False),
        sa.Column("budget_yuan", sa.Integer(), nullable=True),
        sa.Column("honours", sa.JSON(), nullable=False),
        sa.Column("union_member", sa.Boolean(), nullable=False),
        sa.Column("certificates", sa.JSON(), nullable=False),
    ]


def _ts(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "workers",
        *_profile_columns(),
        sa.Column("worker_id", sa.String(64), nullable=False),
        sa.Column("national_id_hash", sa.String(64), nullable=True),
        sa.Column("national_id_masked", sa.String(32), nullable=True),
        sa.Column("phone_hash", sa.String(64), nullable=True),
        sa.Column("phone_masked", sa.String(16), nullable=True),
        sa.Column("personalisation", sa.Boolean(), nullable=False),
        _ts("created_at"),
        _ts("updated_at"),
        sa.PrimaryKeyConstraint("worker_id", name="pk_workers"),
    )
    op.create_index("ix_workers_national_id_hash", "workers", ["national_id_hash"])
    op.create_index("ix_workers_phone_hash", "workers", ["phone_hash"])

    op.create_table(
        "api_tokens",
        sa.Column("token_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("token_prefix", sa.String(12), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("tenant_id", sa.String(64), nullable=True),
        sa.Column("worker_id", sa.String(64), nullable=True),
        sa.Column("label", sa.String(200), nullable=False),
        _ts("created_at"),
        _ts("revoked_at", nullable=True),
        sa.CheckConstraint(
            "role IN ('worker', 'enterprise', 'college', 'union_admin')", name="ck_api_tokens_role"
        ),
        sa.ForeignKeyConstraint(
            ["worker_id"], ["workers.worker_id"], name="fk_api_tokens_worker_id_workers", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("token_id", name="pk_api_tokens"),
        sa.UniqueConstraint("token_hash", name="uq_api_tokens_token_hash"),
    )
    op.create_index("ix_api_tokens_tenant_id", "api_tokens", ["tenant_id"])
    op.create_index("ix_api_tokens_worker_id", "api_tokens", ["worker_id"])

    op.create_table(
        "recommendation_logs",
        sa.Column("recommendation_id", sa.String(64), nullable=False),
        sa.Column("worker_id", sa.String(64), nullable=True),
        sa.Column("query", sa.JSON(), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("model_version", sa.String(100), nullable=False),
        _ts("created_at"),
        sa.ForeignKeyConstraint(
            ["worker_id"],
            ["workers.worker_id"],
            name="fk_recommendation_logs_worker_id_workers",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("recommendation_id", name="pk_recommendation_logs"),
    )
    op.create_index("ix_recommendation_logs_worker_id", "recommendation_logs", ["worker_id"])

    op.create_table(
        "feedback_events",
        sa.Column("event_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("worker_id", sa.String(64), nullable=False),
        sa.Column("event_type", sa.String(16), nullable=False),
        sa.Column("program_id", sa.String(64), nullable=False),
        sa.Column("major_code", sa.String(32), nullable=False),
        sa.Column("recommendation_id", sa.String(64), nullable=True),
        sa.Column("rank", sa.Integer(), nullable=True),
        sa.Column("model_version", sa.String(100), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=True),
        _ts("occurred_at"),
        _ts("created_at"),
        sa.CheckConstraint(
            "event_type IN (" + ", ".join(f"'{t}'" for t in EVENT_TYPES) + ")",
            name="ck_feedback_events_event_type",
        ),
        sa.CheckConstraint(
            "rating IS NULL OR (rating >= 1 AND rating <= 5)", name="ck_feedback_events_rating"
        ),
        sa.ForeignKeyConstraint(
            ["worker_id"],
            ["workers.worker_id"],
            name="fk_feedback_events_worker_id_workers",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recommendation_id"],
            ["recommendation_logs.recommendation_id"],
            name="fk_feedback_events_recommendation_id_recommendation_logs",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("event_id", name="pk_feedback_events"),
    )
    op.create_index("ix_feedback_events_program_id", "feedback_events", ["program_id"])
    op.create_index("ix_feedback_events_major_code", "feedback_events", ["major_code"])
    op.create_index(
        "ix_feedback_events_worker_id_occurred_at", "feedback_events", ["worker_id", "occurred_at"]
    )

    op.create_table(
        "enterprises",
        sa.Column("enterprise_id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("city", sa.String(64), nullable=False),
        sa.Column("province", sa.String(64), nullable=False),
        sa.Column("industry", sa.String(100), nullable=False),
        _ts("created_at"),
        sa.PrimaryKeyConstraint("enterprise_id", name="pk_enterprises"),
    )

    op.create_table(
        "roster_members",
        *_profile_columns(),
        sa.Column("member_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("enterprise_id", sa.String(64), nullable=False),
        sa.Column("member_ref", sa.String(64), nullable=False),
        _ts("created_at"),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprises.enterprise_id"],
            name="fk_roster_members_enterprise_id_enterprises",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("member_id", name="pk_roster_members"),
        sa.UniqueConstraint("enterprise_id", "member_ref", name="uq_roster_members_enterprise_id_member_ref"),
    )

    op.create_table(
        "audit_events",
        sa.Column("audit_id", sa.Integer(), autoincrement=True, nullable=False),
        _ts("occurred_at"),
        sa.Column("request_id", sa.String(128), nullable=False),
        sa.Column("token_id", sa.Integer(), nullable=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("tenant_id", sa.String(64), nullable=True),
        sa.Column("method", sa.String(8), nullable=False),
        sa.Column("path", sa.String(500), nullable=False),
        sa.Column("resource_type", sa.String(32), nullable=False),
        sa.Column("resource_id", sa.String(64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("audit_id", name="pk_audit_events"),
    )
    op.create_index("ix_audit_events_occurred_at", "audit_events", ["occurred_at"])


def downgrade() -> None:
    for table in (
        "audit_events",
        "roster_members",
        "enterprises",
        "feedback_events",
        "recommendation_logs",
        "api_tokens",
        "workers",
    ):
        op.drop_table(table)
