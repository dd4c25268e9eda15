"""/workers/{id}/recommendations and /recommendations: the library's recommender, logged for feedback."""

from __future__ import annotations

from api_helpers import count_rows, make_token, new_enterprise, new_worker

from api.db.models import RecommendationLogRow

PROFILE = {
    "job_title": "快递小哥",
    "duties": "负责片区快件派送",
    "education": "高中",
    "city": "南京市",
    "province": "江苏省",
}


def test_a_worker_gets_recommendations_for_the_stored_profile(rec_client):
    worker_id, auth = new_worker(rec_client, **PROFILE)
    r = rec_client.get(f"/workers/{worker_id}/recommendations", headers=auth, params={"limit": 2})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["recommendation_id"].startswith("r-") and body["model_version"] == "catalog_dir:none"
    assert body["personalised"] is True and body["occupations"][0]["name"] == "快递员"
    first = body["recommendations"][0]
    assert first["rank"] == 1 and first["program_id"] == "P001" and first["major_code"] == "530802"
    assert first["net_cost"] <= first["tuition_total"] and first["reason"]
    assert len(body["recommendations"]) <= 2
    assert count_rows(rec_client, RecommendationLogRow, worker_id=worker_id) == 1
    # the answer can be quoted in feedback, and it is part of the worker's export
    event = {
        "worker_id": worker_id,
        "event_type": "click",
        "program_id": first["program_id"],
        "recommendation_id": body["recommendation_id"],
        "rank": 1,
        "model_version": body["model_version"],
    }
    assert rec_client.post("/feedback", headers=auth, json=event).status_code == 201
    export = rec_client.get(f"/workers/{worker_id}/export", headers=auth).json()
    assert [log["recommendation_id"] for log in export["recommendations"]] == [body["recommendation_id"]]


def test_personalisation_off_ranks_by_public_criteria(rec_client):
    worker_id, auth = new_worker(rec_client, **PROFILE, personalisation=False)
    body = rec_client.get(f"/workers/{worker_id}/recommendations", headers=auth).json()
    assert body["personalised"] is False and body["occupations"] == []


def test_worker_recommendations_are_the_workers_own(rec_client):
    admin = make_token(rec_client, "union_admin")
    victim, _ = new_worker(rec_client, **PROFILE)
    _, auth = new_worker(rec_client, **PROFILE)
    assert rec_client.get(f"/workers/{victim}/recommendations", headers=auth).status_code == 404
    assert rec_client.get(f"/workers/{victim}/recommendations").status_code == 401
    assert rec_client.get(f"/workers/{victim}/recommendations", headers=admin).status_code == 403


def test_bad_options_are_422(rec_client):
    worker_id, auth = new_worker(rec_client, **PROFILE)
    for params, where in (
        ({"limit": 0}, "query.limit"),
        ({"place_scope": "moon"}, "query.place_scope"),
        ({"language": "fr"}, "query.language"),
    ):
        r = rec_client.get(f"/workers/{worker_id}/recommendations", headers=auth, params=params)
        assert r.status_code == 422 and r.json()["errors"][0]["location"] == where


def test_ad_hoc_query_with_any_token(rec_client):
    admin = make_token(rec_client, "union_admin")
    enterprise = make_token(rec_client, "enterprise", new_enterprise(rec_client, admin))
    r = rec_client.post(
        "/recommendations", headers=enterprise, json={**PROFILE, "limit": 3, "language": "en"}
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["recommendations"] and "Your job matches" in body["recommendations"][0]["reason"]
    public = rec_client.post(
        "/recommendations",
        headers=enterprise,
        json={"education": "高中", "city": "南京市", "personalised": False},
    )
    assert public.status_code == 200 and public.json()["personalised"] is False


def test_ad_hoc_query_by_a_worker_is_logged_under_the_worker(rec_client):
    worker_id, auth = new_worker(rec_client, **PROFILE)
    r = rec_client.post("/recommendations", headers=auth, json=PROFILE)
    assert r.status_code == 200
    assert count_rows(rec_client, RecommendationLogRow, worker_id=worker_id) == 1


def test_ad_hoc_query_errors(rec_client):
    _, auth = new_worker(rec_client, **PROFILE)
    r = rec_client.post("/recommendations", headers=auth, json={"education": "高中"})
    assert r.status_code == 422 and "job_title is empty" in r.json()["detail"]
    r = rec_client.post("/recommendations", headers=auth, json={**PROFILE, "education": "幼儿园"})
    assert r.status_code == 422 and r.json()["errors"][0]["location"] == "body.education"
    assert rec_client.post("/recommendations", json=PROFILE).status_code == 401


def test_recommendations_off_is_503(client):
    _, auth = new_worker(client)
    r = client.post("/recommendations", headers=auth, json=PROFILE)
    assert r.status_code == 503 and "RECOMMENDATIONS=false" in r.json()["detail"]
