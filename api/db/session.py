"""Engines and sessions: SQLite (WAL, ``synchronous=NORMAL``, foreign keys on) by default, PostgreSQL by
URL."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from recommender.errors import UserError


def create_db_engine(url: str, *, echo: bool = False) -> Engine:
    """An engine for ``url``; SQLite files get their folder created and the WAL pragmas on every connection.

    Parameters
    ----------
    url
        SQLAlchemy URL: ``sqlite:///var/recommender.db``, ``postgresql://postgres@127.0.0.1:5432/app``.
    echo
        Log every SQL statement (debugging).

    Raises
    ------
    UserError
        When the URL cannot be parsed or names a database kind the service does not support.
    """
    try:
        parsed = make_url(url)
    except Exception as exc:
        raise UserError(
            f"DATABASE_URL {url!r} is not a database URL ({exc}); "
            "use sqlite:///path/to/file.db or postgresql://user@host:5432/dbname"
        ) from exc
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            parsed, echo=echo, connect_args={"check_same_thread": False, "timeout": 30}, pool_pre_ping=True
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if backend == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")  # psycopg 3, whatever SQLAlchemy's default
        return create_engine(parsed, echo=echo, pool_pre_ping=True, pool_size=5, max_overflow=10)
    raise UserError(f"DATABASE_URL uses {backend!r}; the service supports sqlite and postgresql")


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def create_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded objects usable after commit (the routes serialise them afterwards)."""
    return sessionmaker(bind=engine, expire_on_commit=False)


def database_reachable(engine: Engine) -> bool:
    """True when a ``SELECT 1`` round trip succeeds."""
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return True
    except Exception:  # noqa: BLE001 - any failure means not reachable
        return False
