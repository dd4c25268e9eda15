"""/catalog: status, import (validated as a whole, durable when acknowledged), background reindex."""

from __future__ import annotations

from api_helpers import make_token, new_worker
from api_testdata import catalog_tables, rows_as_json, write_test_catalog


def _wait_reindexed(client) -> dict:
    assert client.app.state.context.catalogs.wait(timeout=30)
    return client.get("/catalog/status", headers=make_token(client, "union_admin")).json()


def test_status_shows_the_catalog_in_service(client):
    _, auth = new_worker(client)  # any role may read the status
    r = client.get("/catalog/status", headers=auth)
    assert r.status_code == 200
    status = r.json()
    assert status["loaded"] is True and status["version"] == "catalog_dir" and status["stored_version"] == ""
    assert status["stats"]["programs"] == 3 and status["stats"]["majors"] == 3
    assert status["reindex"]["state"] == "idle"
    assert client.get("/catalog/status").status_code == 401


def test_import_inline_tables_then_serve_them(apps):
    client = apps.client()
    admin = make_token(client, "union_admin")
    body = {"tables": rows_as_json(catalog_tables(extra_college=True, extra_programs=2))}
    r = client.post("/catalog/import", headers=admin, json=body)
    assert r.status_code == 202, r.text
    version = r.json()["version"]
    status = _wait_reindexed(client)
    assert status["version"] == version and status["stored_version"] == version
    assert status["stats"]["colleges"] == 3 and status["stats"]["programs"] == 5
    assert status["reindex"]["state"] == "succeeded"
    # the new programs can now be named in feedback
    worker_id, auth = new_worker(client)
    ok = client.post(
        "/feedback",
        headers=auth,
        json={"worker_id": worker_id, "event_type": "save", "program_id": "PX000001"},
    )
    assert ok.status_code == 201


def test_import_with_problems_lists_them_all_and_changes_nothing(apps):
    client = apps.client()
    admin = make_token(client, "union_admin")
    tables = rows_as_json(catalog_tables())
    tables["programs"][0]["college_id"] = "C404"  # dangling reference
    tables["majors"][1]["level"] = "博士"  # not a level
    r = client.post("/catalog/import", headers=admin, json={"tables": tables})
    assert r.status_code == 422
    body = r.json()
    assert "problems" in body["detail"] and "nothing was changed" in body["detail"]
    places = {(p["file"], p["row"], p["column"]) for p in body["problems"]}
    assert ("programs.csv", 2, "college_id") in places and ("majors.csv", 3, "level") in places
    status = client.get("/catalog/status", headers=admin).json()
    assert status["version"] == "catalog_dir" and status["stored_version"] == ""
    assert not list((apps.base).glob("*/catalogs/versions/*"))


def test_import_rejects_unknown_columns_and_bad_bodies(apps):
    client = apps.client()
    admin = make_token(client, "union_admin")
    tables = rows_as_json(catalog_tables())
    tables["majors"][0]["colour"] = "blue"
    r = client.post("/catalog/import", headers=admin, json={"tables": tables})
    assert r.status_code == 422 and "colour" in r.json()["problems"][0]["reason"]
    r = client.post("/catalog/import", headers=admin, json={"tables": {"planets": []}})
    assert r.status_code == 422 and r.json()["errors"][0]["location"].startswith("body.tables")
    r = client.post("/catalog/import", headers=admin, json={})
    assert r.status_code == 422 and "exactly one of tables and directory" in r.json()["detail"]


def test_import_a_directory_on_the_server(apps, tmp_path):
    client = apps.client()
    admin = make_token(client, "union_admin")
    source = write_test_catalog(tmp_path / "new", extra_college=True)
    r = client.post("/catalog/import", headers=admin, json={"directory": str(source)})
    assert r.status_code == 202
    assert _wait_reindexed(client)["stats"]["colleges"] == 3
    missing = client.post("/catalog/import", headers=admin, json={"directory": str(tmp_path / "nowhere")})
    assert missing.status_code == 422 and "does not exist" in missing.json()["problems"][0]["reason"]


def test_a_restart_serves_the_last_imported_version(apps):
    settings = apps.settings()
    client = apps.client(settings)
    admin = make_token(client, "union_admin")
    r = client.post(
        "/catalog/import", headers=admin, json={"tables": rows_as_json(catalog_tables(extra_college=True))}
    )
    version = r.json()["version"]
    _wait_reindexed(client)
    restarted = apps.client(settings)
    status = restarted.get("/catalog/status", headers=admin).json()
    assert status["version"] == version and status["stats"]["colleges"] == 3


def test_reindex_runs_in_the_background_and_reports(apps):
    client = apps.client()
    admin = make_token(client, "union_admin")
    r = client.post("/catalog/reindex", headers=admin)
    assert r.status_code == 202 and r.json()["version"] == "catalog_dir"
    status = _wait_reindexed(client)
    assert status["reindex"]["state"] == "succeeded" and status["loaded"] is True
    metrics = client.get("/metrics").text
    assert 'recommender_reindexes_total{outcome="succeeded"} 1.0' in metrics
    assert "recommender_reindex_running 0.0" in metrics


def test_a_second_reindex_while_one_runs_is_409(apps):
    client = apps.client()
    admin = make_token(client, "union_admin")
    service = client.app.state.context.catalogs
    assert service._job_lock.acquire(blocking=False)  # stands for a reindex in progress
    try:
        assert client.post("/catalog/reindex", headers=admin).status_code == 409
        body = {"tables": rows_as_json(catalog_tables())}
        assert client.post("/catalog/import", headers=admin, json=body).status_code == 409
    finally:
        service._job_lock.release()


def test_a_failed_reindex_keeps_the_old_catalog(apps, tmp_path):
    source = write_test_catalog(tmp_path / "live")
    client = apps.client(catalog_dir=source)
    admin = make_token(client, "union_admin")
    (source / "programs.csv").write_text("program_id,college_id\nP1,C404\n", encoding="utf-8")
    assert client.post("/catalog/reindex", headers=admin).status_code == 202
    status = _wait_reindexed(client)
    assert status["reindex"]["state"] == "failed" and status["reindex"]["problems"]
    assert status["loaded"] is True and status["stats"]["programs"] == 3


def test_reindex_without_any_catalog_is_409(apps):
    client = apps.client(catalog_dir=None)
    r = client.post("/catalog/reindex", headers=make_token(client, "union_admin"))
    assert r.status_code == 409 and "no catalog to reindex" in r.json()["detail"]


def test_only_union_admins_change_the_catalog(client):
    _, worker = new_worker(client)
    body = {"tables": rows_as_json(catalog_tables())}
    for headers in (worker, make_token(client, "enterprise", "E1"), make_token(client, "college", "C001")):
        assert client.post("/catalog/import", headers=headers, json=body).status_code == 403
        assert client.post("/catalog/reindex", headers=headers).status_code == 403
    assert client.post("/catalog/import", json=body).status_code == 401
    assert client.post("/catalog/reindex").status_code == 401
