"""``SubsidyEvaluator.worker_key``: workers with the same key get the same subsidies for every program.

The recommender keeps one subsidy table per key (``recommender.recommend.tables``), so the key must hold all a
result depends on, and ``for_key`` must give what ``evaluate_subsidies`` gives.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import replace

import pytest

from recommender.catalog.model import ENTRY_ROUTES, MAJOR_LEVELS, Program, Worker
from recommender.rules.eligibility import EligibilityError
from recommender.rules.policy_files import load_policies, parse_policy_document
from recommender.rules.subsidies import SubsidyEvaluator, evaluate_subsidies

DEMO = load_policies()
CITIES = ["南京市", "苏州", "无锡市（演示）", "徐州市", "Suzhou", ""]
PROVINCES = ["江苏省（演示）", "江苏", "浙江省", ""]
HONOURS = [(), ("市级劳动模范",), ("技术能手", "工会积极分子"), ("全国五一劳动奖章",)]
CODES = ["4-02-07-08", "4-10-08-01", "6-31-01-03", ""]
TITLES = ["快递员", "网约车司机", "电工", "外卖骑手（兼职）", "Courier"]
EDUCATIONS = ["初中", "高中", "中专", "专科", "本科", "大专"]


def _workers(n: int, seed: int) -> list[Worker]:
    rng = random.Random(seed)
    return [Worker(f"W{i}", rng.choice(TITLES), occupation_code=rng.choice(CODES), education=rng.choice(EDUCATIONS),
                   city=rng.choice(CITIES), province=rng.choice(PROVINCES), honours=rng.choice(HONOURS),
                   union_member=rng.random() < 0.7) for i in range(n)]


PROGRAMS = [Program(f"P{i}", "C1", "460306", level, "线上", ("周末",), years, per_year, route, ())
            for i, (level, route, (years, per_year)) in enumerate(itertools.product(
                MAJOR_LEVELS, ENTRY_ROUTES, [(2, 3000), (2.5, 4800), (4, 6500)]))]


def test_for_key_equals_evaluate_subsidies():
    evaluator = SubsidyEvaluator(DEMO)
    for worker in _workers(300, seed=1):
        key = evaluator.worker_key(worker)
        assert key is not None and len(key) == len(DEMO)
        for_key = evaluator.for_key(key)
        for program in PROGRAMS:
            assert for_key(program) == evaluate_subsidies(worker, program, policies=DEMO)


def test_workers_with_one_key_get_the_same_subsidies():
    evaluator = SubsidyEvaluator(DEMO)
    by_key: dict[tuple, list[Worker]] = {}
    for worker in _workers(400, seed=2):
        by_key.setdefault(evaluator.worker_key(worker), []).append(worker)
    assert len(by_key) > 3 and any(len(group) > 1 for group in by_key.values())
    for group in by_key.values():
        for program in PROGRAMS:
            results = {evaluate_subsidies(w, program, policies=DEMO) for w in group}
            assert len(results) == 1


def test_a_worker_whose_conditions_cannot_be_checked_has_no_key():
    policy_list = parse_policy_document({"format": 1, "region": {"scope": "national"}, "demo": True, "policies": [
        {"policy_id": "p", "name": "甲政策", "source": "演示", "conditions": {"education_any": ["高中"]},
         "rules": [{"rule_id": "r", "clause": "第一条", "description": "规则", "amount": {"fixed": 100}}]}]}, "e.json")
    evaluator = SubsidyEvaluator(policy_list)
    odd = Worker("W", "电工", education="幼儿园", city="南京市")  # an education the ladder does not know
    assert evaluator.worker_key(odd) is None  # so no table is kept for it: the reference raises
    with pytest.raises(EligibilityError):
        evaluator.for_worker(odd)(PROGRAMS[0])
    assert evaluator.worker_key(replace(odd, education="高中")) == ((0,),)
    assert evaluator.worker_key(replace(odd, education="本科")) == (None,)
