"""/feedback: one event per call, for the caller's own worker, naming items of the catalog in service."""

from __future__ import annotations

import pytest
from api_helpers import audit_rows, count_rows, make_token, new_worker

from api.db.models import FeedbackEventRow, RecommendationLogRow


def _event(worker_id: str, **extra) -> dict:
    return {
        "worker_id": worker_id,
        "event_type": "application",
        "program_id": "P002",
        "major_code": "500211",
        "rank": 2,
        "model_version": "m-1",
        **extra,
    }


@pytest.mark.parametrize(
    "event_type", ["impression", "click", "save", "application", "enrolment", "completion"]
)
def test_every_event_type_is_stored(client, event_type):
    worker_id, auth = new_worker(client)
    r = client.post("/feedback", headers=auth, json=_event(worker_id, event_type=event_type))
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["event_type"] == event_type and body["rank"] == 2 and body["event_id"] > 0
    assert count_rows(client, FeedbackEventRow, worker_id=worker_id, event_type=event_type) == 1


def test_rating_needs_a_value_and_only_rating_has_one(client):
    worker_id, auth = new_worker(client)
    ok = client.post("/feedback", headers=auth, json=_event(worker_id, event_type="rating", rating=5))
    assert ok.status_code == 201 and ok.json()["rating"] == 5
    missing = client.post("/feedback", headers=auth, json=_event(worker_id, event_type="rating"))
    assert missing.status_code == 422 and "needs rating" in missing.json()["detail"]
    stray = client.post("/feedback", headers=auth, json=_event(worker_id, rating=3))
    assert stray.status_code == 422 and "rating goes with" in stray.json()["detail"]
    out_of_range = client.post(
        "/feedback", headers=auth, json=_event(worker_id, event_type="rating", rating=9)
    )
    assert out_of_range.status_code == 422 and out_of_range.json()["errors"][0]["location"] == "body.rating"


def test_bad_bodies_are_422(client):
    worker_id, auth = new_worker(client)
    r = client.post("/feedback", headers=auth, json=_event(worker_id, event_type="purchase"))
    assert r.status_code == 422 and r.json()["errors"][0]["location"] == "body.event_type"
    r = client.post("/feedback", headers=auth, json={"worker_id": worker_id, "event_type": "click"})
    assert r.status_code == 422 and "program_id, major_code" in r.json()["detail"]
    r = client.post("/feedback", headers=auth, json=_event(worker_id, rank=0))
    assert r.status_code == 422


def test_items_must_exist_in_the_catalog(client):
    worker_id, auth = new_worker(client)
    r = client.post("/feedback", headers=auth, json=_event(worker_id, program_id="P999"))
    assert r.status_code == 422
    assert r.json()["errors"] == [
        {"location": "body.program_id", "message": "program 'P999' is not in the catalog in service"}
    ]
    r = client.post("/feedback", headers=auth, json=_event(worker_id, major_code="999999"))
    assert r.status_code == 422 and r.json()["errors"][0]["location"] == "body.major_code"


def test_recommendation_id_must_be_an_answer_to_this_worker(client):
    worker_id, auth = new_worker(client)
    other, _ = new_worker(client)
    ctx = client.app.state.context
    with ctx.sessions() as session:
        session.add_all(
            [
                RecommendationLogRow(recommendation_id=f"r-{worker_id}", worker_id=worker_id),
                RecommendationLogRow(recommendation_id=f"r-{other}", worker_id=other),
            ]
        )
        session.commit()
    ok = client.post("/feedback", headers=auth, json=_event(worker_id, recommendation_id=f"r-{worker_id}"))
    assert ok.status_code == 201 and ok.json()["recommendation_id"] == f"r-{worker_id}"
    for rid in (f"r-{other}", "r-missing"):
        r = client.post("/feedback", headers=auth, json=_event(worker_id, recommendation_id=rid))
        assert r.status_code == 422 and r.json()["errors"][0]["location"] == "body.recommendation_id"


def test_feedback_for_another_worker_is_404_and_audited(client):
    victim, _ = new_worker(client)
    _, auth = new_worker(client)
    r = client.post("/feedback", headers=auth, json=_event(victim))
    assert r.status_code == 404
    assert count_rows(client, FeedbackEventRow, worker_id=victim) == 0
    assert audit_rows(client, resource_id=victim, status_code=404)


def test_feedback_needs_a_worker_token(client, admin):
    worker_id, _ = new_worker(client)
    assert client.post("/feedback", json=_event(worker_id)).status_code == 401
    assert client.post("/feedback", headers=admin, json=_event(worker_id)).status_code == 403
    assert (
        client.post(
            "/feedback", headers=make_token(client, "college", "C001"), json=_event(worker_id)
        ).status_code
        == 403
    )
