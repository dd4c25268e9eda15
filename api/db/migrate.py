"""Run the Alembic migrations programmatically: the service and ``recommender token`` call this at start."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

MIGRATIONS_DIR = Path(__file__).resolve().parents[1] / "migrations"


def alembic_config() -> Config:
    """An Alembic config pointing at ``api/migrations`` (no ini file)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def upgrade_database(engine: Engine, revision: str = "head") -> None:
    """Bring the database behind ``engine`` to ``revision`` (default: the newest), in one transaction."""
    cfg = alembic_config()
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, revision)


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or ``None`` for an empty database."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


@lru_cache(maxsize=1)
def head_revision() -> str:
    """The newest revision shipped with the code."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "api/migrations/versions holds no migration"
    return head


def new_revision(engine: Engine, message: str, revision_id: str | None = None) -> None:
    """Write a migration for the difference between the models and the database behind ``engine``.

    For developers: upgrade a scratch database to head, change ``api/db/models.py``, then
    ``python -c "from api.db.migrate import *; from api.db.session import create_db_engine; \\
    new_revision(create_db_engine('sqlite:///var/scratch.db'), 'add a column')"`` and review the file written
    under ``api/migrations/versions``.
    """
    cfg = alembic_config()
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.revision(cfg, message=message, autogenerate=True, rev_id=revision_id)
