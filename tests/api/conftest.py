"""Service fixtures: every test runs against SQLite and, when the server answers, PostgreSQL.

PostgreSQL: the server at 127.0.0.1:5432 (trust auth, database ``test``, user ``postgres`` or ``root``). Each
app
gets its own schema (dropped afterwards), so test runs never collide. Unreachable: those tests are skipped.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from api_helpers import make_token
from api_testdata import write_test_catalog
from fastapi.testclient import TestClient

from api.core.config import Settings
from api.main import create_app

PG_HOST = os.environ.get("TEST_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("TEST_PG_PORT", "5432"))
PG_DB = os.environ.get("TEST_PG_DB", "test")
SECRET = "test-secret-key"


def _pg_user() -> str | None:
    """A user the test server accepts, or None when PostgreSQL is unreachable."""
    try:
        import psycopg
    except ImportError:
        return None
    for user in ("postgres", "root"):
        try:
            with psycopg.connect(host=PG_HOST, port=PG_PORT, dbname=PG_DB, user=user, connect_timeout=2):
                return user
        except psycopg.OperationalError:  # refused or unknown role: try the next user, then give up
            continue
    return None


_PG_USER: str | None | bool = False  # False: not probed yet


def pg_user() -> str | None:
    global _PG_USER
    if _PG_USER is False:
        _PG_USER = _pg_user()
    return _PG_USER  # type: ignore[return-value]


class PgSchema:
    """A private schema on the test server, and a URL whose connections use it."""

    def __init__(self, user: str):
        import psycopg

        self.user = user
        self.name = f"api_test_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(host=PG_HOST, port=PG_PORT, dbname=PG_DB, user=user, autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{self.name}"')
        self.url = f"postgresql://{user}@{PG_HOST}:{PG_PORT}/{PG_DB}?options=-csearch_path%3D{self.name}"

    def drop(self) -> None:
        import psycopg

        with psycopg.connect(
            host=PG_HOST, port=PG_PORT, dbname=PG_DB, user=self.user, autocommit=True
        ) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{self.name}" CASCADE')


BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
]


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request) -> str:
    if request.param == "postgres" and pg_user() is None:
        pytest.skip(f"PostgreSQL not reachable at {PG_HOST}:{PG_PORT}/{PG_DB} as postgres or root")
    return request.param


@pytest.fixture(scope="session")
def test_catalog_dir(tmp_path_factory) -> Path:
    return write_test_catalog(tmp_path_factory.mktemp("catalog") / "catalog")


class AppFactory:
    """Builds fresh apps on one backend, each with its own data folder and database; cleans up after."""

    def __init__(self, backend: str, base: Path, catalog_dir: Path):
        self.backend = backend
        self.base = base
        self.catalog_dir = catalog_dir
        self.schemas: list[PgSchema] = []
        self.clients: list[TestClient] = []

    def settings(
        self, data_dir: Path | None = None, database_url: str | None = None, **overrides
    ) -> Settings:
        data_dir = data_dir or self.base / uuid.uuid4().hex[:8]
        if database_url is None and self.backend == "postgres":
            schema = PgSchema(pg_user())
            self.schemas.append(schema)
            database_url = schema.url
        values = {
            "data_dir": data_dir,
            "database_url": database_url or "",
            "catalog_dir": self.catalog_dir,
            "secret_key": SECRET,
            "log_level": "WARNING",
            "recommendations": False,
            **overrides,
        }
        return Settings(_env_file=None, **values)

    def client(self, settings: Settings | None = None, **overrides) -> TestClient:
        """A started app (lifespan run) behind a TestClient."""
        client = TestClient(create_app(settings or self.settings(**overrides)))
        client.__enter__()
        self.clients.append(client)
        return client

    def close(self) -> None:
        for client in self.clients:
            client.__exit__(None, None, None)
        for schema in self.schemas:
            schema.drop()


@pytest.fixture(scope="session")
def session_apps(backend, tmp_path_factory, test_catalog_dir) -> Iterator[AppFactory]:
    factory = AppFactory(backend, tmp_path_factory.mktemp(f"apps-{backend}"), test_catalog_dir)
    yield factory
    factory.close()


@pytest.fixture
def apps(backend, tmp_path, test_catalog_dir) -> Iterator[AppFactory]:
    """Fresh apps for tests that need a database of their own (exact counts, catalog changes, restarts)."""
    factory = AppFactory(backend, tmp_path, test_catalog_dir)
    yield factory
    factory.close()


@pytest.fixture(scope="session")
def client(session_apps) -> TestClient:
    """One app per backend shared by the tests that only touch objects they create themselves."""
    return session_apps.client()


@pytest.fixture(scope="session")
def admin(client) -> dict[str, str]:
    return make_token(client, "union_admin")


@pytest.fixture(scope="session")
def rec_client(session_apps):
    """An app with the recommendation engine (links and lexical channels: no model to load)."""
    client = session_apps.client(recommendations=True, recommender_encoder="none")
    assert client.app.state.context.catalogs.wait(timeout=120)
    assert (
        client.get("/catalog/status", headers=make_token(client, "union_admin")).json()["engine"] == "ready"
    )
    return client
