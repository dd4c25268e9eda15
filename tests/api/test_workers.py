"""/workers: create, read, update, delete (cascading), export; privacy of identifiers; tenant isolation."""

from __future__ import annotations

from api_helpers import audit_rows, count_rows, make_token, new_enterprise, new_worker
from sqlalchemy import select

from api.db.models import ApiTokenRow, FeedbackEventRow, RecommendationLogRow, WorkerRow

NATIONAL_ID = "11010519491231002X"  # valid check character
PHONE = "13812345678"


def _event(worker_id: str, **extra) -> dict:
    return {"worker_id": worker_id, "event_type": "click", "program_id": "P001", **extra}


# ------------------------------------------------------------------------------------------------ create
def test_create_returns_profile_and_a_working_owner_token(client):
    r = client.post(
        "/workers",
        json={
            "job_title": "电工",
            "duties": "维修厂区配电",
            "education": "中专",
            "preferred_modes": ["线上"],
            "budget_yuan": 5000,
        },
    )
    assert r.status_code == 201, r.text
    body = r.json()
    worker = body["worker"]
    assert (
        worker["job_title"] == "电工" and worker["education"] == "中专" and worker["personalisation"] is True
    )
    assert body["token"].startswith("rk_")
    me = client.get(f"/workers/{worker['worker_id']}", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.status_code == 200 and me.json()["budget_yuan"] == 5000


def test_identifiers_are_stored_only_hashed_and_masked(client):
    worker_id, auth = new_worker(
        client,
        national_id=NATIONAL_ID,
        phone="+86 138-1234-5678",
        duties=f"有事打{PHONE}，身份证{NATIONAL_ID}",
    )
    shown = client.get(f"/workers/{worker_id}", headers=auth).json()
    assert shown["phone_masked"] == "138****5678"
    assert shown["national_id_masked"] == "1101**********002X"
    assert PHONE not in shown["duties"] and NATIONAL_ID not in shown["duties"]
    ctx = client.app.state.context
    with ctx.sessions() as session:
        row = session.get(WorkerRow, worker_id)
        stored = " ".join(str(getattr(row, c.key)) for c in WorkerRow.__table__.columns)
        tokens = list(
            session.scalars(select(ApiTokenRow.token_hash).where(ApiTokenRow.worker_id == worker_id))
        )
    assert PHONE not in stored and NATIONAL_ID not in stored
    assert len(row.phone_hash) == 64 and len(row.national_id_hash) == 64
    assert auth["Authorization"].split()[1] not in tokens  # tokens are stored hashed


def test_same_number_gives_the_same_keyed_hash(client):
    a, _ = new_worker(client, phone=PHONE)
    b, _ = new_worker(client, phone="138 1234 5678")
    ctx = client.app.state.context
    with ctx.sessions() as session:
        assert session.get(WorkerRow, a).phone_hash == session.get(WorkerRow, b).phone_hash


def test_create_rejects_a_bad_body_with_a_readable_message(client):
    r = client.post("/workers", json={"job_title": "", "education": "小学", "phone": "12345"})
    assert r.status_code == 422
    body = r.json()
    locations = {e["location"] for e in body["errors"]}
    assert {"body.job_title", "body.education", "body.phone"} <= locations
    assert "11-digit" in body["detail"] and "body.education" in body["detail"]


def test_create_rejects_unknown_fields_and_bad_id_numbers(client):
    r = client.post("/workers", json={"job_title": "焊工", "job_titel": "typo"})
    assert r.status_code == 422 and "body.job_titel" in r.json()["detail"]
    r = client.post("/workers", json={"job_title": "焊工", "national_id": "110105194912310021"})
    assert r.status_code == 422 and "check character" in r.json()["detail"]


def test_create_rejects_malformed_json(client):
    r = client.post("/workers", content=b"{not json", headers={"Content-Type": "application/json"})
    assert r.status_code == 422 and r.json()["detail"].startswith("invalid request")


def test_self_registration_off_needs_a_union_admin(apps):
    client = apps.client(allow_self_registration=False)
    assert client.post("/workers", json={"job_title": "焊工"}).status_code == 401
    r = client.post("/workers", json={"job_title": "焊工"}, headers=make_token(client, "union_admin"))
    assert r.status_code == 201
    enterprise = make_token(client, "enterprise", "E1")
    assert client.post("/workers", json={"job_title": "焊工"}, headers=enterprise).status_code == 403
    assert audit_rows(client, status_code=403, resource_type="worker")


def test_a_bad_token_is_401_even_where_none_is_needed(client):
    r = client.post("/workers", json={"job_title": "焊工"}, headers={"Authorization": "Bearer rk_nope"})
    assert r.status_code == 401


# -------------------------------------------------------------------------------------------------- read
def test_read_needs_a_token(client):
    worker_id, _ = new_worker(client)
    assert client.get(f"/workers/{worker_id}").status_code == 401
    assert (
        client.get(f"/workers/{worker_id}", headers={"Authorization": "Bearer rk_unknown"}).status_code == 401
    )


def test_reading_another_worker_is_404_and_audited(client):
    victim, _ = new_worker(client)
    intruder, auth = new_worker(client)
    r = client.get(f"/workers/{victim}", headers=auth)
    assert r.status_code == 404
    assert r.json()["detail"] == client.get("/workers/w-doesnotexist", headers=auth).json()["detail"].replace(
        "w-doesnotexist", victim
    )  # indistinguishable from a worker that does not exist
    rows = audit_rows(client, resource_id=victim)
    assert rows and rows[0].status_code == 404 and rows[0].tenant_id == intruder and rows[0].role == "worker"


def test_other_roles_may_not_read_worker_profiles(client, admin):
    worker_id, _ = new_worker(client)
    enterprise_id = new_enterprise(client, admin)
    for headers in (
        admin,
        make_token(client, "enterprise", enterprise_id),
        make_token(client, "college", "C001"),
    ):
        assert client.get(f"/workers/{worker_id}", headers=headers).status_code == 403
    assert len(audit_rows(client, resource_id=worker_id, status_code=403)) == 3


# ------------------------------------------------------------------------------------------------ update
def test_update_changes_only_the_given_fields(client):
    worker_id, auth = new_worker(client, city="苏州市", phone=PHONE)
    r = client.patch(
        f"/workers/{worker_id}",
        headers=auth,
        json={"job_title": "快递站长", "personalisation": False, "phone": None},
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["job_title"] == "快递站长" and body["city"] == "苏州市"
    assert body["personalisation"] is False and body["phone_masked"] is None
    assert client.get(f"/workers/{worker_id}", headers=auth).json()["personalisation"] is False


def test_update_rejects_null_for_a_required_field_and_bad_values(client):
    worker_id, auth = new_worker(client)
    r = client.patch(f"/workers/{worker_id}", headers=auth, json={"job_title": None})
    assert r.status_code == 422 and "job_title cannot be null" in r.json()["detail"]
    r = client.patch(f"/workers/{worker_id}", headers=auth, json={"preferred_modes": ["火星"]})
    assert r.status_code == 422 and r.json()["errors"][0]["location"].startswith("body.preferred_modes")


def test_update_of_another_worker_is_404(client):
    victim, _ = new_worker(client)
    _, auth = new_worker(client)
    assert client.patch(f"/workers/{victim}", headers=auth, json={"city": "南京市"}).status_code == 404
    assert client.patch(f"/workers/{victim}", json={"city": "南京市"}).status_code == 401


# ------------------------------------------------------------------------------------------------ delete
def test_delete_removes_everything_and_revokes_the_token(client):
    worker_id, auth = new_worker(client)
    assert client.post("/feedback", headers=auth, json=_event(worker_id)).status_code == 201
    ctx = client.app.state.context
    with ctx.sessions() as session:
        session.add(
            RecommendationLogRow(
                recommendation_id=f"r-{worker_id}",
                worker_id=worker_id,
                query={},
                items=[],
                model_version="test",
            )
        )
        session.commit()
    r = client.delete(f"/workers/{worker_id}", headers=auth)
    assert r.status_code == 204
    for model in (WorkerRow, FeedbackEventRow, RecommendationLogRow, ApiTokenRow):
        assert count_rows(client, model, worker_id=worker_id) == 0, model.__tablename__
    assert client.get(f"/workers/{worker_id}", headers=auth).status_code == 401


def test_delete_of_another_worker_is_404_and_keeps_it(client):
    victim, victim_auth = new_worker(client)
    _, auth = new_worker(client)
    assert client.delete(f"/workers/{victim}", headers=auth).status_code == 404
    assert client.delete(f"/workers/{victim}").status_code == 401
    assert client.get(f"/workers/{victim}", headers=victim_auth).status_code == 200


# ------------------------------------------------------------------------------------------------ export
def test_export_holds_profile_feedback_answers_and_tokens(client):
    worker_id, auth = new_worker(client, phone=PHONE)
    client.post("/feedback", headers=auth, json=_event(worker_id))
    client.post("/feedback", headers=auth, json=_event(worker_id, event_type="rating", rating=4))
    r = client.get(f"/workers/{worker_id}/export", headers=auth)
    assert r.status_code == 200
    data = r.json()
    assert data["worker"]["worker_id"] == worker_id and data["worker"]["phone_masked"] == "138****5678"
    assert [e["event_type"] for e in data["feedback"]] == ["click", "rating"]
    assert data["recommendations"] == []
    assert len(data["tokens"]) == 1 and data["tokens"][0]["role"] == "worker"
    assert PHONE not in r.text and "token_hash" not in r.text


def test_export_of_another_worker_is_404(client):
    victim, _ = new_worker(client)
    _, auth = new_worker(client)
    assert client.get(f"/workers/{victim}/export", headers=auth).status_code == 404
    assert client.get(f"/workers/{victim}/export").status_code == 401
