"""/enterprises: registration by union admins, an enterprise's own record and roster only."""

from __future__ import annotations

from api_helpers import audit_rows, count_rows, make_token, new_enterprise, new_worker

from api.db.models import RosterMemberRow

PHONE = "13812345678"


def _members(*refs: str, **extra) -> dict:
    return {
        "members": [
            {"member_ref": ref, "job_title": "仓库管理员", "education": "高中", **extra} for ref in refs
        ]
    }


def test_union_admin_registers_and_reads_an_enterprise(client, admin):
    r = client.post(
        "/enterprises", headers=admin, json={"name": "苏州顺达物流", "city": "苏州市", "industry": "物流"}
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["enterprise_id"].startswith("e-") and body["roster_size"] == 0
    assert client.get(f"/enterprises/{body['enterprise_id']}", headers=admin).json()["name"] == "苏州顺达物流"


def test_register_rejects_duplicates_bad_bodies_and_other_roles(client, admin):
    enterprise_id = new_enterprise(client, admin)
    dup = client.post("/enterprises", headers=admin, json={"enterprise_id": enterprise_id, "name": "x"})
    assert dup.status_code == 409 and "already exists" in dup.json()["detail"]
    bad = client.post("/enterprises", headers=admin, json={"enterprise_id": "bad id!", "name": ""})
    assert bad.status_code == 422
    assert {e["location"] for e in bad.json()["errors"]} == {"body.enterprise_id", "body.name"}
    assert client.post("/enterprises", json={"name": "x"}).status_code == 401
    _, worker = new_worker(client)
    assert client.post("/enterprises", headers=worker, json={"name": "x"}).status_code == 403
    own = make_token(client, "enterprise", enterprise_id)
    assert client.post("/enterprises", headers=own, json={"name": "x"}).status_code == 403


def test_an_enterprise_sees_only_itself(client, admin):
    mine, theirs = new_enterprise(client, admin), new_enterprise(client, admin)
    auth = make_token(client, "enterprise", mine)
    assert client.get(f"/enterprises/{mine}", headers=auth).status_code == 200
    for path in (f"/enterprises/{theirs}", f"/enterprises/{theirs}/roster"):
        r = client.get(path, headers=auth)
        assert r.status_code == 404 and r.json()["detail"] == f"no enterprise '{theirs}'"
    assert client.put(f"/enterprises/{theirs}/roster", headers=auth, json=_members("A1")).status_code == 404
    rows = audit_rows(client, resource_id=theirs)
    assert len(rows) == 3 and {r.tenant_id for r in rows} == {mine}
    assert client.get(f"/enterprises/{mine}").status_code == 401


def test_unknown_enterprise_is_404_for_admins(client, admin):
    assert client.get("/enterprises/E-none", headers=admin).status_code == 404
    assert client.get("/enterprises/E-none/roster", headers=admin).status_code == 404


def test_workers_and_colleges_may_not_use_enterprise_routes(client, admin):
    enterprise_id = new_enterprise(client, admin)
    _, worker = new_worker(client)
    for headers in (worker, make_token(client, "college", "C001")):
        assert client.get(f"/enterprises/{enterprise_id}/roster", headers=headers).status_code == 403


def test_roster_add_list_replace_remove(client, admin):
    enterprise_id = new_enterprise(client, admin)
    auth = make_token(client, "enterprise", enterprise_id)
    r = client.post(
        f"/enterprises/{enterprise_id}/roster",
        headers=auth,
        json=_members("A2", "A1", duties=f"联系电话{PHONE}"),
    )
    assert r.status_code == 201, r.text
    members = r.json()["members"]
    assert [m["member_ref"] for m in members] == ["A1", "A2"]
    assert PHONE not in members[0]["duties"]
    assert client.get(f"/enterprises/{enterprise_id}", headers=auth).json()["roster_size"] == 2
    dup = client.post(f"/enterprises/{enterprise_id}/roster", headers=auth, json=_members("A1"))
    assert dup.status_code == 409 and "A1" in dup.json()["detail"]
    twice = client.post(f"/enterprises/{enterprise_id}/roster", headers=auth, json=_members("B1", "B1"))
    assert twice.status_code == 409
    r = client.put(f"/enterprises/{enterprise_id}/roster", headers=auth, json=_members("C1", "C2", "C3"))
    assert r.status_code == 200 and [m["member_ref"] for m in r.json()["members"]] == ["C1", "C2", "C3"]
    assert client.delete(f"/enterprises/{enterprise_id}/roster/C2", headers=auth).status_code == 204
    assert client.delete(f"/enterprises/{enterprise_id}/roster/C2", headers=auth).status_code == 404
    listed = client.get(f"/enterprises/{enterprise_id}/roster", headers=auth).json()["members"]
    assert [m["member_ref"] for m in listed] == ["C1", "C3"]


def test_roster_rejects_identifiers_and_bad_rows(client, admin):
    enterprise_id = new_enterprise(client, admin)
    auth = make_token(client, "enterprise", enterprise_id)
    r = client.post(f"/enterprises/{enterprise_id}/roster", headers=auth, json=_members("A1", phone=PHONE))
    assert r.status_code == 422 and r.json()["errors"][0]["location"] == "body.members.0.phone"
    r = client.post(
        f"/enterprises/{enterprise_id}/roster", headers=auth, json={"members": [{"member_ref": "A1"}]}
    )
    assert r.status_code == 422 and r.json()["errors"][0]["location"] == "body.members.0.job_title"


def test_deleting_an_enterprise_deletes_its_roster(client, admin):
    enterprise_id = new_enterprise(client, admin)
    client.post(f"/enterprises/{enterprise_id}/roster", headers=admin, json=_members("A1", "A2"))
    own = make_token(client, "enterprise", enterprise_id)
    assert client.delete(f"/enterprises/{enterprise_id}", headers=own).status_code == 403
    assert client.delete(f"/enterprises/{enterprise_id}", headers=admin).status_code == 204
    assert count_rows(client, RosterMemberRow, enterprise_id=enterprise_id) == 0
    assert client.delete(f"/enterprises/{enterprise_id}", headers=admin).status_code == 404
