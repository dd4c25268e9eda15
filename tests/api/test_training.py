"""/enterprises/{id}/training: cohorts and classes for an enterprise's roster (``design_training``)."""

from __future__ import annotations

from api_helpers import make_token, new_enterprise, new_worker


def _roster(client, auth, enterprise_id: str) -> None:
    members = [
        {
            "member_ref": f"A{i:03d}",
            "job_title": "快递员" if i % 2 else "仓库管理员",
            "duties": "派送快件",
            "city": "南京市",
        }
        for i in range(12)
    ]
    r = client.put(f"/enterprises/{enterprise_id}/roster", headers=auth, json={"members": members})
    assert r.status_code == 200, r.text


def test_an_enterprise_gets_a_training_design_with_pseudonyms(rec_client):
    admin = make_token(rec_client, "union_admin")
    enterprise_id = new_enterprise(rec_client, admin, city="南京市")
    auth = make_token(rec_client, "enterprise", enterprise_id)
    _roster(rec_client, auth, enterprise_id)
    r = rec_client.get(f"/enterprises/{enterprise_id}/training", headers=auth, params={"min_cohort": 3})
    assert r.status_code == 200, r.text
    design = r.json()
    assert design["enterprise_id"] == enterprise_id and design["roster_size"] == 12
    assert design["cohorts"] and sum(c["size"] for c in design["cohorts"]) == 12
    members = [m for c in design["cohorts"] for m in c["members"]]
    assert len(set(members)) == 12 and not any(m.startswith("A0") for m in members)
    assert design["settings"]["catalog"] == "catalog_dir" and design["settings"]["min_cohort"] == 3
    again = rec_client.get(f"/enterprises/{enterprise_id}/training", headers=admin, params={"min_cohort": 3})
    assert sorted(m for c in again.json()["cohorts"] for m in c["members"]) == sorted(
        members
    )  # keyed: stable


def test_training_design_errors(rec_client):
    admin = make_token(rec_client, "union_admin")
    enterprise_id = new_enterprise(rec_client, admin)
    auth = make_token(rec_client, "enterprise", enterprise_id)
    empty = rec_client.get(f"/enterprises/{enterprise_id}/training", headers=auth)
    assert empty.status_code == 422 and "roster is empty" in empty.json()["detail"]
    bad = rec_client.get(f"/enterprises/{enterprise_id}/training", headers=auth, params={"min_cohort": 0})
    assert bad.status_code == 422 and bad.json()["errors"][0]["location"] == "query.min_cohort"
    other = new_enterprise(rec_client, admin)
    assert rec_client.get(f"/enterprises/{other}/training", headers=auth).status_code == 404
    _, worker = new_worker(rec_client)
    assert rec_client.get(f"/enterprises/{enterprise_id}/training", headers=worker).status_code == 403
    assert rec_client.get(f"/enterprises/{enterprise_id}/training").status_code == 401


def test_training_design_needs_the_engine(client, admin):
    enterprise_id = new_enterprise(client, admin)
    r = client.get(f"/enterprises/{enterprise_id}/training", headers=admin)
    assert r.status_code == 503
