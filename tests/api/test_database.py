"""Migrations and engine settings: the migrations build exactly the models; SQLite runs in WAL with FKs on."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from api.db.migrate import current_revision, head_revision, upgrade_database
from api.db.models import Base
from api.db.session import create_db_engine
from recommender.errors import UserError


def test_upgrade_builds_exactly_the_models(apps):
    engine = create_db_engine(apps.settings().resolved_database_url)
    try:
        assert current_revision(engine) is None
        upgrade_database(engine)
        upgrade_database(engine)  # idempotent: a restart runs it again
        assert current_revision(engine) == head_revision()
        with engine.connect() as conn:
            diff = compare_metadata(
                MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata
            )
        assert diff == []
    finally:
        engine.dispose()


def test_sqlite_runs_in_wal_with_foreign_keys(tmp_path):
    engine = create_db_engine(f"sqlite:///{tmp_path / 'sub' / 'x.db'}")
    try:
        with engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert conn.execute(text("PRAGMA synchronous")).scalar() == 1  # NORMAL
    finally:
        engine.dispose()


@pytest.mark.parametrize("url", ["nonsense", "mysql://u@h/db"])
def test_unsupported_urls_say_what_to_use(url):
    with pytest.raises(UserError, match="sqlite"):
        create_db_engine(url)
