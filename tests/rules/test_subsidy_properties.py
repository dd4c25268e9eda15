"""Properties of the subsidy engine that hold for any policies, workers, programs and tuitions."""

from __future__ import annotations

from collections import defaultdict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recommender.catalog.model import (
    ENTRY_ROUTES,
    MAJOR_LEVELS,
    SUBSIDY_TIER_MODES,
    SUBSIDY_TIMINGS,
    Program,
    Worker,
)
from recommender.rules.eligibility import EligibilityError
from recommender.rules.policy_files import load_policies, parse_policy_document
from recommender.rules.subsidies import SubsidyEvaluator, evaluate_subsidies

DEMO = load_policies()
HONOURS = ["市级劳动模范", "区级劳动模范", "全国劳动模范", "技术能手", "工会积极分子", "一线劳模", "全国五一劳动奖章"]
CITIES = ["南京市", "苏州", "无锡市（演示）", "徐州市", "Suzhou", ""]
CODES = ["4-02-07-08", "4-10-08-01", "6-31-01-03", "4-02-02-01", "6-18-02-04", ""]
TITLES = ["快递员", "网约车司机", "电工", "焊工", "外卖骑手", "操作工", "Courier"]
EDUCATIONS = ["初中", "高中", "中专", "专科", "本科", "大专"]


def _nonempty_list(values, max_size=3):
    return st.lists(st.sampled_from(values), min_size=1, max_size=max_size, unique=True)


conditions = st.fixed_dictionaries({}, optional={
    "union_member": st.booleans(),
    "honours_any": _nonempty_list(HONOURS),
    "honours_none": _nonempty_list(HONOURS),
    "occupation": st.fixed_dictionaries({"codes": _nonempty_list(["4-02-07", "4-10-08-01", "6-31-00-00", "4"])},
                                        optional={"title_keywords": _nonempty_list(["快递", "网约车", "骑手"])}),
    "program_levels": _nonempty_list(MAJOR_LEVELS, 4),
    "entry_routes": _nonempty_list(ENTRY_ROUTES, 6),
    "education_any": _nonempty_list(["高中", "专科", "本科"]),
    "cities": _nonempty_list(["南京", "苏州市"]),
})
amounts = st.one_of(
    st.integers(1, 100).map(lambda p: {"percent": p}),
    st.floats(0.01, 100, allow_nan=False).map(lambda p: {"percent": p}),
    st.integers(0, 30000).map(lambda n: {"fixed": n}),
)
rules = st.fixed_dictionaries(
    {"clause": st.sampled_from(["第一条", "第三条第（二）项"]), "description": st.just("规则"), "amount": amounts},
    optional={"conditions": conditions, "cap_yuan": st.integers(0, 20000), "timing": st.sampled_from(SUBSIDY_TIMINGS)},
)
policies = st.fixed_dictionaries(
    {"name": st.sampled_from(["甲政策", "乙政策"]), "source": st.just("演示政策，依据公开报道改编"),
     "rules": st.lists(rules, min_size=1, max_size=4)},
    optional={"order": st.integers(0, 5), "tiers": st.sampled_from(SUBSIDY_TIER_MODES),
              "exclusive_group": st.sampled_from(["g1", "g2"]), "cap_yuan": st.integers(0, 20000),
              "conditions": conditions},
)
regions = st.one_of(
    st.just({"scope": "national"}),
    st.sampled_from(["南京市", "苏州市", "无锡市"]).map(
        lambda c: {"scope": "city", "province": "江苏省（演示）", "city": c, "aliases": ["Suzhou"]}),
)


@st.composite
def policy_sets(draw):
    """One to three generated policy files, ids made unique, loaded through the validating parser."""
    out = []
    for f in range(draw(st.integers(1, 3))):
        raw = draw(st.lists(policies, min_size=1, max_size=3))
        for i, policy in enumerate(raw):
            policy["policy_id"] = f"f{f}-p{i}"
            for j, rule in enumerate(policy["rules"]):
                rule["rule_id"] = f"f{f}-p{i}-r{j}"
        out.extend(parse_policy_document({"format": 1, "region": draw(regions), "demo": True, "policies": raw},
                                         f"gen{f}.json"))
    return out


workers = st.builds(
    Worker, worker_id=st.just("W"), job_title=st.sampled_from(TITLES), occupation_code=st.sampled_from(CODES),
    education=st.sampled_from(EDUCATIONS), city=st.sampled_from(CITIES),
    province=st.sampled_from(["江苏省（演示）", "", "Jiangsu"]),
    honours=st.lists(st.sampled_from(HONOURS), max_size=3, unique=True).map(tuple), union_member=st.booleans(),
)
programs = st.builds(
    lambda level, route: Program("P", "C", "460306", level, "线上", ("周末",), 2, 0, route, ()),
    st.sampled_from(MAJOR_LEVELS), st.sampled_from(ENTRY_ROUTES),
)
tuitions = st.integers(0, 200_000)


def check_invariants(result, tuition: int, policy_list) -> None:
    assert result.tuition == tuition
    assert result.total_subsidy == sum(line.amount for line in result.lines)
    assert 0 <= result.net_cost <= tuition
    assert result.net_cost <= result.pay_now <= tuition
    assert result.pay_now == tuition - sum(line.amount for line in result.lines if line.timing == "upfront")
    by_id = {p.policy_id: p for p in policy_list}
    per_policy: dict[str, int] = defaultdict(int)
    for line in result.lines:
        policy = by_id[line.policy_id]
        rule = next(r for r in policy.rules if r.rule_id == line.rule_id)
        assert line.amount > 0
        assert line.basis and line.basis_en
        assert line.citation.startswith(policy.name) and rule.clause in line.citation
        assert policy.source in line.citation and line.citation_en
        assert rule.cap_yuan is None or line.amount <= rule.cap_yuan
        per_policy[line.policy_id] += 1
    assert len({line.rule_id for line in result.lines}) == len(result.lines)
    groups: dict[str, set[str]] = defaultdict(set)
    for pid, count in per_policy.items():
        policy = by_id[pid]
        if policy.tiers == "highest":
            assert count == 1
        if policy.cap_yuan is not None:
            assert sum(line.amount for line in result.lines if line.policy_id == pid) <= policy.cap_yuan
        if policy.exclusive_group:
            groups[policy.exclusive_group].add(pid)
    assert all(len(members) == 1 for members in groups.values())
    assert result.explain("zh") and result.explain("en")


@settings(max_examples=200, deadline=None)
@given(policy_sets(), workers, programs, tuitions, st.randoms(use_true_random=False))
def test_invariants_on_generated_policies(policy_list, worker, program, tuition, rnd):
    result = evaluate_subsidies(worker, program, tuition, policy_list)
    check_invariants(result, tuition, policy_list)
    # deterministic: same input, same output; the order of the policy list does not matter
    assert evaluate_subsidies(worker, program, tuition, policy_list) == result
    shuffled = list(policy_list)
    rnd.shuffle(shuffled)
    assert evaluate_subsidies(worker, program, tuition, shuffled) == result


@settings(max_examples=200, deadline=None)
@given(workers, programs, tuitions)
def test_invariants_on_the_demo_policies(worker, program, tuition):
    result = evaluate_subsidies(worker, program, tuition, DEMO)
    check_invariants(result, tuition, DEMO)
    assert evaluate_subsidies(worker, program, tuition, tuple(reversed(DEMO))) == result
    assert all("演示" in line.citation for line in result.lines)
    if not worker.union_member:  # only the 无锡 model-worker award is open to non-members
        assert {line.policy_id for line in result.lines} <= {"wuxi-model-worker-award"}


@settings(max_examples=100, deadline=None)
@given(workers, programs, st.integers(0, 100_000), st.integers(0, 100_000))
def test_more_tuition_never_lowers_the_subsidy_on_the_demo_policies(worker, program, a, b):
    low, high = sorted((a, b))
    assert (evaluate_subsidies(worker, program, low, DEMO).total_subsidy
            <= evaluate_subsidies(worker, program, high, DEMO).total_subsidy)


@settings(max_examples=200, deadline=None)
@given(policy_sets(), st.lists(workers, min_size=1, max_size=3), st.lists(programs, min_size=1, max_size=4),
       st.lists(tuitions, min_size=1, max_size=2))
def test_evaluator_equals_evaluate_subsidies_on_generated_policies(policy_list, worker_list, program_list,
                                                                   tuition_list):
    evaluator = SubsidyEvaluator(policy_list)  # one evaluator for every pair: its memo is shared
    for worker in worker_list:
        for_worker = evaluator.for_worker(worker)
        for program in program_list:
            for tuition in tuition_list:
                expected = evaluate_subsidies(worker, program, tuition, policy_list)
                assert for_worker(program, tuition) == expected
                assert evaluator.evaluate(worker, program, tuition) == expected


@settings(max_examples=100, deadline=None)
@given(workers, programs, tuitions)
def test_evaluator_equals_evaluate_subsidies_on_the_demo_policies(worker, program, tuition):
    assert SubsidyEvaluator(DEMO).evaluate(worker, program, tuition) == evaluate_subsidies(worker, program, tuition,
                                                                                           DEMO)


def test_evaluator_raises_where_evaluate_subsidies_raises():
    worker = Worker("W", "快递员", education="幼儿园", city="南京市")
    program = Program("P", "C", "460306", "高职专科", "线上", ("周末",), 2, 3000, "开放教育注册", ())
    policy_list = parse_policy_document({"format": 1, "region": {"scope": "national"}, "demo": True, "policies": [
        {"policy_id": "p", "name": "甲政策", "source": "演示", "conditions": {"education_any": ["高中"]},
         "rules": [{"rule_id": "r", "clause": "第一条", "description": "规则", "amount": {"fixed": 100}}]}]}, "e.json")
    with pytest.raises(EligibilityError):
        evaluate_subsidies(worker, program, 6000, policy_list)
    with pytest.raises(EligibilityError):
        SubsidyEvaluator(policy_list).evaluate(worker, program, 6000)
    with pytest.raises(ValueError):
        SubsidyEvaluator(policy_list).evaluate(worker, program, -1)
