"""/union/report (the library's demand report over stored feedback) and /union/overview."""

from __future__ import annotations

from api_helpers import make_token, new_enterprise, new_worker


def _apply(client, worker_id, auth, program="P002", major="500211"):
    r = client.post(
        "/feedback",
        headers=auth,
        json={
            "worker_id": worker_id,
            "event_type": "application",
            "program_id": program,
            "major_code": major,
        },
    )
    assert r.status_code == 201, r.text


def test_overview_suppresses_small_groups_and_their_complements(apps):
    client = apps.client(k_anonymity=3)
    admin = make_token(client, "union_admin")
    for _ in range(4):
        worker_id, auth = new_worker(client, city="苏州市")
        _apply(client, worker_id, auth)
    for _ in range(3):
        new_worker(client, city="南京市")
    worker_id, auth = new_worker(client, city="无锡市", personalisation=False)
    _apply(client, worker_id, auth, program="P003", major="460110")
    new_enterprise(client, admin)
    r = client.get("/union/overview", headers=admin)
    assert r.status_code == 200, r.text
    report = r.json()
    assert report["k_anonymity"] == 3 and report["workers"] == 8
    assert report["personalisation_off"] is None  # 1 worker
    cities = {g["group"]: g["workers"] for g in report["workers_by_city"]}
    assert "无锡市" not in cities and all(n >= 3 for n in cities.values())
    residual = report["workers"] - sum(cities.values())
    assert residual == 0 or residual >= 3, "a withheld city could be recovered by subtraction"
    assert report["workers_by_education"] == [{"group": "高中", "workers": 8}]
    assert report["feedback_by_type"] == [{"group": "application", "workers": 5}]
    assert report["top_programs"] == [{"group": "P002", "workers": 4}]  # P003: 1 worker, withheld
    assert report["top_majors"] == [{"group": "500211", "workers": 4}]
    assert report["suppressed_groups"] >= 4
    assert report["enterprises"] == 1 and report["catalog"]["programs"] == 3


def test_overview_below_k_shows_no_counts(apps):
    client = apps.client(k_anonymity=10)
    new_worker(client)
    report = client.get("/union/overview", headers=make_token(client, "union_admin")).json()
    assert report["workers"] is None and report["workers_by_city"] == []


def test_regional_admin_overview_covers_its_province_only(apps):
    client = apps.client(k_anonymity=1)
    new_worker(client, province="江苏省", city="苏州市")
    new_worker(client, province="浙江省", city="杭州市")
    regional = make_token(client, "union_admin", "江苏省")
    report = client.get("/union/overview", headers=regional).json()
    assert report["region"] == "江苏省" and report["workers"] == 1
    assert [g["group"] for g in report["workers_by_city"]] == ["苏州市"]
    assert client.get("/union/overview", headers=regional, params={"province": "浙江省"}).status_code == 403
    everyone = make_token(client, "union_admin")
    assert (
        client.get("/union/overview", headers=everyone, params={"province": "浙江省"}).json()["workers"] == 1
    )


def test_overview_is_for_union_admins_only(client, admin):
    _, worker = new_worker(client)
    enterprise_id = new_enterprise(client, admin)
    assert client.get("/union/overview").status_code == 401
    for headers in (
        worker,
        make_token(client, "enterprise", enterprise_id),
        make_token(client, "college", "C1"),
    ):
        assert client.get("/union/overview", headers=headers).status_code == 403
    assert client.get("/union/overview", headers=admin, params={"province": "x" * 65}).status_code == 422


def _journey(
    client, city="南京市", province="江苏省", program="P001", steps=("click", "application", "enrolment")
):
    worker_id, auth = new_worker(client, city=city, province=province)
    for step in steps:
        r = client.post(
            "/feedback",
            headers=auth,
            json={"worker_id": worker_id, "event_type": step, "program_id": program},
        )
        assert r.status_code == 201, r.text
    return worker_id


def test_report_counts_participants_enrolments_and_subsidy_spend(apps):
    client = apps.client(k_anonymity=3)
    admin = make_token(client, "union_admin")
    for _ in range(4):
        _journey(client)
    _journey(client, city="苏州市", program="P003", steps=("click", "application"))
    r = client.get("/union/report", headers=admin)
    assert r.status_code == 200, r.text
    report = r.json()
    assert report["k"] == 3 and report["exact"] is False and report["region"] == ""
    assert report["participants"]["total"] == 5 and report["enrolled"]["total"] == 4
    rows = {row["city"]: row["total"] for row in report["participants"]["rows"]}
    assert rows["苏州市"] is None  # one worker: withheld
    subsidies = report["subsidies"]
    assert subsidies["available"] and subsidies["enrolled"] == 4 and subsidies["total_yuan"] > 0
    gaps = {g["major_code"]: g for g in report["major_gaps"]}
    assert gaps["530802"]["applicants"] == 4 and gaps["530802"]["places"] == 40
    assert gaps["460110"]["applicants"] is None
    exact = client.get("/union/report", headers=admin, params={"exact": True}).json()
    assert exact["k"] is None and exact["exact"] is True
    assert {row["city"]: row["total"] for row in exact["participants"]["rows"]}["苏州市"] == 1


def test_report_for_one_province(apps):
    client = apps.client(k_anonymity=1)
    _journey(client, province="江苏省")
    _journey(client, province="浙江省", city="杭州市")
    regional = make_token(client, "union_admin", "浙江省")
    report = client.get("/union/report", headers=regional).json()
    assert report["region"] == "浙江省" and report["participants"]["total"] == 1
    assert client.get("/union/report", headers=regional, params={"province": "江苏省"}).status_code == 403
    everyone = make_token(client, "union_admin")
    assert client.get("/union/report", headers=everyone).json()["participants"]["total"] == 2


def test_report_needs_a_catalog_and_a_union_admin(apps):
    client = apps.client(catalog_dir=None)
    assert client.get("/union/report", headers=make_token(client, "union_admin")).status_code == 503
    _, worker = new_worker(client)
    assert client.get("/union/report", headers=worker).status_code == 403
    assert client.get("/union/report").status_code == 401
    assert client.get("/union/report", headers=make_token(client, "college", "C001")).status_code == 403
