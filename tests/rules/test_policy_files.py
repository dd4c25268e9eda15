"""Loading policy files: the shipped demo set, and malformed files rejected with file and field named."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from recommender.rules.policy_files import POLICY_DIR, POLICY_DIR_ENV, PolicyFileError, load_policies

GOOD = {
    "format": 1,
    "region": {"scope": "city", "province": "江苏省（演示）", "city": "常州市"},
    "demo": True,
    "policies": [{
        "policy_id": "changzhou-test",
        "name": "常州市（演示）测试政策",
        "source": "演示政策，依据公开报道改编",
        "conditions": {"union_member": True},
        "rules": [{"rule_id": "CZ-1", "clause": "第一条", "description": "会员资助 50%",
                   "amount": {"percent": 50}, "timing": "upfront"}],
    }],
}


def write(tmp_path: Path, doc, name: str = "jiangsu-changzhou.json") -> Path:
    path = tmp_path / name
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def broken(edit) -> dict:
    doc = copy.deepcopy(GOOD)
    edit(doc)
    return doc


def test_shipped_demo_policies_load_and_cover_the_four_schemes():
    policies = load_policies()
    files = {p.source_file for p in policies}
    assert "national.json" in files and len(files) == len(list(POLICY_DIR.glob("*.json")))
    assert all(p.demo and "演示" in p.source for p in policies)
    rules = {r.rule_id: r for p in policies for r in p.rules}
    assert rules["NAT-GRANT-1"].amount == {"fixed": 1000}
    assert [rules[f"SZ-TUITION-{i}"].amount["percent"] for i in range(1, 6)] == [100, 90, 80, 80, 70]
    assert rules["WX-AWARD-1"].amount == {"fixed": 6000} and rules["WX-AWARD-1"].timing == "on_graduation"
    assert rules["WX-AWARD-2"].amount == {"fixed": 5000}
    assert rules["NJ-GIG-1"].amount == {"percent": 80} and rules["NJ-GIG-1"].cap_yuan == 8000
    assert all(r.clause for r in rules.values())


def test_good_file_loads(tmp_path):
    (policy,) = load_policies(write(tmp_path, GOOD))
    assert policy.region == "江苏省（演示）常州市" and policy.city == "常州市"
    assert policy.rules[0].policy == "changzhou-test"


def test_env_var_points_to_another_directory(tmp_path, monkeypatch):
    write(tmp_path, GOOD)
    monkeypatch.setenv(POLICY_DIR_ENV, str(tmp_path))
    assert [p.policy_id for p in load_policies()] == ["changzhou-test"]


@pytest.mark.parametrize(
    "edit, field, problem",
    [
        (lambda d: d["policies"][0]["rules"][0].update(conditions={"shoe_size": 42}),
         "policies[0].rules[0].conditions.shoe_size", "unknown key"),
        (lambda d: d["policies"][0]["rules"][0].pop("amount"), "policies[0].rules[0].amount", "exactly one of"),
        (lambda d: d["region"].pop("scope"), "region.scope", "missing"),
        (lambda d: d.pop("format"), "format", "missing"),
        (lambda d: d["policies"][0]["conditions"].update(union_membr=True),
         "policies[0].conditions.union_membr", "unknown key"),
        (lambda d: d["policies"][0]["rules"][0].update(amount={"percent": 120}),
         "policies[0].rules[0].amount.percent", "not a percentage"),
        (lambda d: d["policies"][0]["rules"][0].update(amount={"percent": 0}),
         "policies[0].rules[0].amount.percent", "not a percentage"),
        (lambda d: d["policies"][0]["rules"][0].update(amount={"percent": "70%"}),
         "policies[0].rules[0].amount.percent", "not a percentage"),
        (lambda d: d["policies"][0]["rules"][0].update(amount={"percent": 50, "fixed": 100}),
         "policies[0].rules[0].amount", "exactly one of"),
        (lambda d: d["policies"][0]["rules"][0].update(amount={"fixed": -5}),
         "policies[0].rules[0].amount.fixed", "whole number"),
        (lambda d: d["policies"][0]["rules"][0].pop("clause"), "policies[0].rules[0].clause", "missing"),
        (lambda d: d["policies"][0]["rules"][0].update(clause=" "), "policies[0].rules[0].clause", "empty"),
        (lambda d: d["policies"][0].pop("source"), "policies[0].source", "missing"),
        (lambda d: d["policies"][0].update(source="市总工会网站"), "policies[0].source", "must say 演示"),
        (lambda d: d["policies"][0].update(tiers="lowest"), "policies[0].tiers", "not one of"),
        (lambda d: d["policies"][0].update(cap_yuan=-1), "policies[0].cap_yuan", "≥ 0"),
        (lambda d: d["policies"][0]["rules"][0].update(timing="later"), "policies[0].rules[0].timing", "not one of"),
        (lambda d: d["policies"][0]["conditions"].update(program_levels=["博士"]),
         "policies[0].conditions.program_levels", "'博士' is not one of"),
        (lambda d: d["policies"][0]["conditions"].update(union_member="yes"),
         "policies[0].conditions.union_member", "true or false"),
        (lambda d: d["policies"][0]["conditions"].update(occupation={"codes": ["4-2-7"]}),
         "policies[0].conditions.occupation.codes", "not a 大典 code"),
        (lambda d: d["policies"][0]["conditions"].update(occupation={}),
         "policies[0].conditions.occupation", "needs codes or title_keywords"),
        (lambda d: d["policies"][0]["conditions"].update(education_any=["小学"]),
         "policies[0].conditions.education_any", "accepted values"),
        (lambda d: d["policies"][0]["conditions"].update(honours_any=[]),
         "policies[0].conditions.honours_any", "non-empty list"),
        (lambda d: d["policies"][0]["rules"].append(copy.deepcopy(d["policies"][0]["rules"][0])),
         "policies[0].rules[1].rule_id", "used twice"),
        (lambda d: d["region"].update(scope="planet"), "region.scope", "not one of"),
        (lambda d: d["region"].pop("city"), "region.city", "missing"),
        (lambda d: d["region"].update(city=""), "region.city", "must not be empty"),
        (lambda d: d.update(format=2), "format", "not a supported format version"),
        (lambda d: d.update(polices=[]), "polices", "unknown key"),
        (lambda d: d.update(policies=[]), "policies", "non-empty list"),
    ],
)
def test_malformed_file_names_file_and_field(tmp_path, edit, field, problem):
    path = write(tmp_path, broken(edit))
    with pytest.raises(PolicyFileError) as err:
        load_policies(path)
    message = str(err.value)
    assert message.startswith("jiangsu-changzhou.json:")
    assert any(line.strip().startswith(f"{field}:") and problem in line for line in message.splitlines()), message


def test_every_problem_is_reported_at_once(tmp_path):
    def edit(d):
        d["policies"][0]["rules"][0]["amount"] = {"percent": 150}
        d["policies"][0]["rules"][0].pop("clause")
        d["policies"][0].pop("name")

    with pytest.raises(PolicyFileError, match=r"3 problem\(s\)"):
        load_policies(write(tmp_path, broken(edit)))


def test_invalid_json_says_where(tmp_path):
    with pytest.raises(PolicyFileError, match=r"bad\.json: not valid JSON \(line 2"):
        load_policies(write(tmp_path, '{"format": 1,\n  "region": }', "bad.json"))


def test_ids_must_be_unique_across_files(tmp_path):
    write(tmp_path, GOOD, "a.json")
    other = broken(lambda d: d["policies"][0].update(policy_id="other"))
    write(tmp_path, other, "b.json")
    with pytest.raises(PolicyFileError, match=r"b\.json: rule CZ-1 is already defined in a\.json"):
        load_policies(tmp_path)


def test_missing_file_and_empty_directory(tmp_path):
    with pytest.raises(PolicyFileError, match="no such policy file"):
        load_policies(tmp_path / "nope.json")
    with pytest.raises(PolicyFileError, match=r"no \*\.json policy files"):
        load_policies(tmp_path)


def test_note_is_allowed_anywhere(tmp_path):
    doc = broken(lambda d: (d.update(note="x"), d["policies"][0].update(note="y"),
                            d["policies"][0]["rules"][0].update(note="z")))
    assert load_policies(write(tmp_path, doc))


def test_default_policies_are_cached_and_reloaded_when_a_file_changes(tmp_path, monkeypatch):
    from recommender.rules.subsidies import default_policies

    path = write(tmp_path, GOOD)
    monkeypatch.setenv(POLICY_DIR_ENV, str(tmp_path))
    first = default_policies()
    assert default_policies() is first
    path.write_text(json.dumps(broken(lambda d: d["policies"][0].update(name="常州市（演示）改名政策")),
                               ensure_ascii=False), encoding="utf-8")
    assert default_policies()[0].name == "常州市（演示）改名政策"
