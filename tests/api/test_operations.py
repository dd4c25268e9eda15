"""/health, /ready, /metrics, request ids, structured logs and the OpenAPI document."""

from __future__ import annotations

import json
import logging

from api.core.logging import JsonFormatter, request_id_var


def test_health_is_live(client):
    r = client.get("/health")
    assert r.status_code == 200
    assert r.json()["status"] == "ok"


def test_ready_when_database_and_catalog_are_there(client):
    r = client.get("/ready")
    assert r.status_code == 200, r.text
    assert r.json() == {
        "ready": True,
        "database": True,
        "catalog": True,
        "migrations": True,
        "recommendations": True,
        "detail": "",
    }


def test_not_ready_without_a_catalog(apps):
    client = apps.client(catalog_dir=None)
    r = client.get("/ready")
    assert r.status_code == 503
    body = r.json()
    assert body["database"] is True and body["catalog"] is False
    assert "catalog" in body["detail"]


def test_not_ready_when_the_catalog_dir_is_broken(apps, tmp_path):
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "majors.csv").write_text("major_code,name\n", encoding="utf-8")
    client = apps.client(catalog_dir=broken)
    assert client.get("/ready").status_code == 503
    assert client.get("/health").status_code == 200


def test_request_id_is_echoed_or_made(client):
    given = client.get("/health", headers={"X-Request-ID": "abc-123"})
    assert given.headers["X-Request-ID"] == "abc-123"
    made = client.get("/health")
    assert len(made.headers["X-Request-ID"]) == 32
    bad = client.get("/health", headers={"X-Request-ID": "x" * 300})
    assert bad.headers["X-Request-ID"] != "x" * 300


def test_errors_carry_the_request_id(client):
    r = client.get("/workers/w-0", headers={"X-Request-ID": "req-42"})
    assert r.status_code == 401
    assert r.json()["request_id"] == "req-42"
    assert r.headers["WWW-Authenticate"] == "Bearer"


def test_metrics_in_prometheus_text_format(client):
    client.get("/health")
    client.get("/workers/w-unknown")  # 401, counted under its route template
    r = client.get("/metrics")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/plain")
    text = r.text
    assert 'recommender_http_requests_total{method="GET",route="/health",status="200"}' in text
    assert 'route="/workers/{worker_id}",status="401"' in text
    assert "recommender_http_request_duration_seconds_bucket" in text
    assert "recommender_catalog_loaded 1.0" in text
    assert 'recommender_access_denied_total{reason="no_token"}' in text


def test_json_log_lines_carry_the_request_id():
    record = logging.LogRecord("api.access", logging.INFO, __file__, 1, "request", (), None)
    record.status = 200
    reset = request_id_var.set("rid-7")
    try:
        line = json.loads(JsonFormatter().format(record))
    finally:
        request_id_var.reset(reset)
    assert line["request_id"] == "rid-7"
    assert line["status"] == 200 and line["message"] == "request" and line["level"] == "INFO"


def test_openapi_document_is_complete(client):
    doc = client.get("/openapi.json").json()
    paths = doc["paths"]
    expected = {
        ("/workers", "post"),
        ("/workers/{worker_id}", "get"),
        ("/workers/{worker_id}", "patch"),
        ("/workers/{worker_id}", "delete"),
        ("/workers/{worker_id}/export", "get"),
        ("/feedback", "post"),
        ("/enterprises", "post"),
        ("/enterprises/{enterprise_id}", "get"),
        ("/enterprises/{enterprise_id}/roster", "get"),
        ("/enterprises/{enterprise_id}/roster", "put"),
        ("/union/report", "get"),
        ("/union/overview", "get"),
        ("/colleges/{college_id}/demand", "get"),
        ("/catalog/status", "get"),
        ("/recommendations", "post"),
        ("/workers/{worker_id}/recommendations", "get"),
        ("/enterprises/{enterprise_id}/training", "get"),
        ("/catalog/import", "post"),
        ("/catalog/reindex", "post"),
        ("/health", "get"),
        ("/ready", "get"),
        ("/metrics", "get"),
    }
    present = {(p, m) for p, ops in paths.items() for m in ops}
    assert expected <= present
    schemas = doc["components"]["schemas"]
    assert "HTTPValidationError" not in schemas and "ErrorResponse" in schemas
    for path, ops in paths.items():
        for method, op in ops.items():
            ok = [c for c in op["responses"] if c.startswith("2")]
            assert ok, f"{method} {path} documents no success answer"
            if method in ("post", "put", "patch") and path not in ("/catalog/reindex",):
                body = op["requestBody"]["content"]["application/json"]["schema"]
                assert "$ref" in body, f"{method} {path} has no request model"
            if path not in ("/metrics",) and op["responses"][ok[0]].get("content"):
                answer = op["responses"][ok[0]]["content"]["application/json"]["schema"]
                assert answer, f"{method} {path} has no response model"
            for code, answer in op["responses"].items():
                if code.startswith("4"):
                    assert answer["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorResponse")
    operation_ids = [op["operationId"] for ops in paths.values() for op in ops.values()]
    assert len(operation_ids) == len(set(operation_ids))
    assert {"create_worker", "export_worker", "import_catalog", "reindex_catalog"} <= set(operation_ids)
    bearer = doc["components"]["securitySchemes"]
    assert any(s.get("scheme") == "bearer" for s in bearer.values())


def test_unexpected_errors_are_500_json_with_the_request_id(apps):
    from fastapi.testclient import TestClient

    from api.main import create_app

    app = create_app(apps.settings())

    @app.get("/boom")
    def boom() -> dict:
        raise RuntimeError("bug")

    with TestClient(app, raise_server_exceptions=False) as client:
        r = client.get("/boom", headers={"X-Request-ID": "trace-9"})
    assert r.status_code == 500
    assert r.json()["request_id"] == "trace-9" and "quote the request id" in r.json()["detail"]
    assert r.headers["X-Request-ID"] == "trace-9"
