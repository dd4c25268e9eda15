"""/colleges/{id}/demand: a college's own dashboard from the stored feedback, k-anonymous."""

from __future__ import annotations

from api_helpers import audit_rows, make_token, new_enterprise, new_worker


def _interested(client, n: int, program: str = "P002") -> None:
    for _ in range(n):
        worker_id, auth = new_worker(client, city="苏州市")
        for step in ("impression", "click", "application"):
            r = client.post(
                "/feedback",
                headers=auth,
                json={"worker_id": worker_id, "event_type": step, "program_id": program},
            )
            assert r.status_code == 201, r.text


def test_a_college_reads_its_own_demand(apps):
    client = apps.client(k_anonymity=3)
    _interested(client, 4)
    _interested(client, 1, program="P003")
    r = client.get("/colleges/C002/demand", headers=make_token(client, "college", "C002"))
    assert r.status_code == 200, r.text
    view = r.json()
    assert view["college_id"] == "C002" and view["k"] == 3
    programs = {p["program_id"]: p for p in view["programs"]}
    assert programs["P002"]["interested"] == 4 and programs["P002"]["stages"]["application"] == 4
    assert programs["P003"]["interested"] is None  # one worker: withheld
    assert view["notes"]


def test_union_admins_read_any_college(client, admin):
    r = client.get("/colleges/C001/demand", headers=admin, params={"top": 5})
    assert r.status_code == 200 and r.json()["college_id"] == "C001"
    assert client.get("/colleges/C999/demand", headers=admin).status_code == 404
    assert client.get("/colleges/C001/demand", headers=admin, params={"top": 0}).status_code == 422


def test_another_colleges_demand_is_404_and_audited(client):
    own = make_token(client, "college", "C001")
    r = client.get("/colleges/C002/demand", headers=own)
    assert r.status_code == 404 and r.json()["detail"] == "no college 'C002'"
    assert any(
        row.role == "college" and row.tenant_id == "C001" for row in audit_rows(client, resource_id="C002")
    )


def test_other_roles_may_not_read_college_demand(client, admin):
    _, worker = new_worker(client)
    enterprise = make_token(client, "enterprise", new_enterprise(client, admin))
    for headers in (worker, enterprise):
        assert client.get("/colleges/C001/demand", headers=headers).status_code == 403
    assert client.get("/colleges/C001/demand").status_code == 401


def test_college_demand_needs_a_catalog(apps):
    client = apps.client(catalog_dir=None)
    r = client.get("/colleges/C001/demand", headers=make_token(client, "college", "C001"))
    assert r.status_code == 503
