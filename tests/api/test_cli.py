"""``recommender token create|list|revoke`` and ``recommender serve`` argument checks."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from api.core.config import Settings
from api.main import create_app
from recommender.cli import main


@pytest.fixture
def storage(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "cli-test-secret")
    for name in ("DATABASE_URL", "CATALOG_DIR", "DATA_DIR"):
        monkeypatch.delenv(name, raising=False)
    return ["--data-dir", str(tmp_path / "var")]


def _run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_token_create_prints_a_token_that_the_service_accepts(storage, capsys, tmp_path):
    code, out, err = _run(capsys, "token", "create", "--role", "union_admin", "--label", "ops", *storage)
    assert code == 0 and out.strip().startswith("rk_") and "shown only now" in err
    settings = Settings(_env_file=None, data_dir=tmp_path / "var", log_level="WARNING", recommendations=False)
    with TestClient(create_app(settings)) as client:
        r = client.get("/union/overview", headers={"Authorization": f"Bearer {out.strip()}"})
        assert r.status_code == 200


def test_token_create_json_list_and_revoke(storage, capsys):
    code, out, _ = _run(
        capsys, "token", "create", "--role", "college", "--tenant", "C001", "--json", *storage
    )
    created = json.loads(out)
    assert code == 0 and created["role"] == "college" and created["tenant_id"] == "C001"
    assert created["token"].startswith("rk_")
    code, out, _ = _run(capsys, "token", "list", "--json", *storage)
    listed = json.loads(out)
    assert [t["token_id"] for t in listed] == [created["token_id"]] and "token" not in listed[0]
    code, out, _ = _run(capsys, "token", "revoke", str(created["token_id"]), "--json", *storage)
    assert code == 0 and json.loads(out)["revoked_at"]
    code, out, _ = _run(capsys, "token", "list", *storage)
    assert "revoked" in out


def test_token_errors_say_what_to_fix(storage, capsys):
    code, _, err = _run(capsys, "token", "create", "--role", "worker", *storage)
    assert code == 2 and "needs --tenant" in err
    code, _, err = _run(capsys, "token", "create", "--role", "worker", "--tenant", "w-none", *storage)
    assert code == 2 and "create the worker first" in err
    code, _, err = _run(capsys, "token", "revoke", "99", *storage)
    assert code == 2 and "token list" in err


def test_serve_refuses_a_missing_catalog_directory(storage, capsys, tmp_path):
    code, _, err = _run(capsys, "serve", "--catalog", str(tmp_path / "nowhere"), *storage)
    assert code == 2 and "is not a directory" in err


def test_serve_refuses_an_unreachable_database(storage, capsys):
    code, _, err = _run(capsys, "serve", "--database-url", "postgresql://nobody@127.0.0.1:1/none")
    assert code == 2 and "cannot reach the database" in err
