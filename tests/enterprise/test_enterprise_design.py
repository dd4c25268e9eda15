"""Cohorts and training classes on the demo enterprises, and the edge cases of a roster."""

from __future__ import annotations

import itertools
import json
import time
from dataclasses import replace

import numpy as np
import openpyxl
import pytest

KEY = "test-key"  # the same pseudonym key the conftest fixtures use
from sklearn.metrics import silhouette_score

from recommender.catalog.model import Worker
from recommender.demo import load_roster_roles
from recommender.enterprise import design_training, load_roster, pseudonymise, purity, write_excel
from recommender.enterprise.cohorts import merge_small, resolve_target_role, weighted_silhouette
from recommender.enterprise.design import check_offers, design_curriculum
from recommender.enterprise.roster import RosterError
from recommender.errors import UserError

_DESIGNS: dict = {}


def _design(eid, enterprises, rosters_dir, catalog, linker, skills, **kw):
    if (eid, tuple(kw.items())) not in _DESIGNS:
        enterprise, target = enterprises[eid]
        roster = load_roster(rosters_dir / f"{eid}.csv", city=enterprise.city, name=enterprise.name, key=KEY)
        _DESIGNS[eid, tuple(kw.items())] = design_training(roster, catalog, target or None, linker=linker,
                                                          skills=skills, **kw)
    return _DESIGNS[eid, tuple(kw.items())]


def _assert_offers_are_real(design, catalog):
    assert check_offers(design, catalog) == []
    for cd in design.cohorts:
        curriculum = {c.name for c in cd.curriculum}
        for offer in cd.colleges:
            for course in offer.courses:  # checked here independently of check_offers
                program = catalog.programs[course.program_id]
                assert program.college_id == offer.college_id
                taught = {c.course_id: c for c in catalog.courses_of_program(program.program_id)}
                assert course.course_id in taught and taught[course.course_id].name == course.name
                assert course.name in curriculum
            assert len(offer.courses) + len(offer.missing) == len(cd.curriculum)


def _check_done_when(design, catalog):
    for cd in design.cohorts:
        assert len(cd.curriculum) <= 12
        assert cd.coverage >= 0.9, (cd.cohort.cohort_id, cd.coverage, cd.uncovered)
        if cd.curriculum:
            assert cd.colleges, cd.cohort.cohort_id
    _assert_offers_are_real(design, catalog)


@pytest.mark.parametrize("eid", ["E04", "E11", "E14"])
def test_demo_enterprise_meets_the_done_when(eid, enterprises, rosters_dir, catalog, linker, skills, province):
    design = _design(eid, enterprises, rosters_dir, catalog, linker, skills)
    _check_done_when(design, catalog)
    roles = load_roster_roles(province.enterprises_dir)[eid]
    truth = {pseudonymise(e, eid, KEY): code for e, code in roles.items()}
    assert purity(design.analysis.labels(), truth) >= 0.8
    assert sum(cd.cohort.size for cd in design.cohorts) == design.roster_size
    assert all(cd.cohort.size >= 15 for cd in design.cohorts)


@pytest.mark.slow
def test_all_twenty_demo_enterprises(enterprises, rosters_dir, catalog, linker, skills, province):
    roles = load_roster_roles(province.enterprises_dir)
    staff = pure = 0.0
    for eid in sorted(enterprises):
        design = _design(eid, enterprises, rosters_dir, catalog, linker, skills)
        _check_done_when(design, catalog)
        truth = {pseudonymise(e, eid, KEY): code for e, code in roles[eid].items()}
        staff += design.roster_size
        pure += purity(design.analysis.labels(), truth) * design.roster_size
    assert pure / staff >= 0.8


def test_design_reads_as_a_plan(enterprises, rosters_dir, catalog, linker, skills):
    design = _design("E02", enterprises, rosters_dir, catalog, linker, skills)
    assert design.target is not None and design.target.code == "4-02-06-01"
    best = design.cohorts[0].colleges[0]
    assert best.delivery == "送教上门" and best.college_city == "苏州市"  # colleges in the enterprise's city first
    assert best.shift_friendly and best.classes == -(-design.cohorts[0].cohort.size // 40)
    assert best.degree.workers + best.non_degree.workers == design.cohorts[0].cohort.size
    assert best.degree.net_per_head <= best.degree.tuition_per_head
    text = design.summary()
    assert "课程" in text and "院校1" in text and best.college_name in text
    payload = json.dumps(design.to_dict(), ensure_ascii=False)
    assert "E02-0001" not in payload and "E02-0" not in payload  # no clear employee id anywhere
    assert json.loads(payload)["cohorts"][0]["curriculum"]


def test_excel_workbook(tmp_path, enterprises, rosters_dir, catalog, linker, skills):
    design = _design("E05", enterprises, rosters_dir, catalog, linker, skills)
    path = write_excel(design, tmp_path / "out" / "design.xlsx")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["汇总", *[cd.cohort.cohort_id for cd in design.cohorts]]
    summary_rows = list(wb["汇总"].iter_rows(values_only=True))
    assert any(row[0] == design.cohorts[0].cohort.cohort_id for row in summary_rows)
    members = {row[0] for row in wb[design.cohorts[0].cohort.cohort_id].iter_rows(values_only=True)}
    assert {p.member.pseudonym for p in design.cohorts[0].cohort.members} <= members
    with pytest.raises(UserError, match=".xlsx"):
        write_excel(design, tmp_path / "design.csv")


def test_a_roster_of_three(catalog, linker, skills):
    workers = [Worker("1", "叉车司机", education="高中"), Worker("2", "仓管员", education="大专"),
               Worker("3", "电焊工", education="初中")]
    design = design_training(workers, catalog, linker=linker, skills=skills, city="南京市", key=KEY)
    assert len(design.cohorts) == 1 and design.cohorts[0].cohort.size == 3
    assert design.analysis.silhouettes == {1: 0.0}
    _assert_offers_are_real(design, catalog)


def test_an_unknown_job_title(enterprises, catalog, linker, skills):
    enterprise, _ = enterprises["E13"]
    odd = [Worker("X1", "量子纠缠调音师"), Worker("X2", "zzqx"), Worker("X3", "？？")]
    design = design_training([*enterprise.roster, *odd], catalog, linker=linker, skills=skills,
                             city=enterprise.city, key=KEY)
    placed = design.analysis.labels()
    assert all(pseudonymise(w.worker_id, "", KEY) in placed for w in odd)
    _assert_offers_are_real(design, catalog)
    alone = design_training(odd * 1, catalog, linker=linker, skills=skills, key=KEY)  # nothing recognisable
    assert alone.roster_size == 3 and len(alone.cohorts) == 1


def test_empty_roster_and_duplicate_ids(catalog, linker, skills):
    with pytest.raises(UserError, match="empty"):
        design_training([], catalog, linker=linker, skills=skills)
    with pytest.raises(RosterError, match="duplicate employee id"):
        design_training([Worker("7", "焊工"), Worker("7", "电工")], catalog, linker=linker, skills=skills)


def _big_roster(enterprises, n):
    workers = [replace(w, worker_id=f"{e.enterprise_id}:{w.worker_id}")
               for e, _ in enterprises.values() for w in e.roster]
    return workers[:n]


def test_a_roster_of_five_hundred_runs_in_seconds(enterprises, catalog, linker, skills):
    workers = _big_roster(enterprises, 500)
    started = time.perf_counter()
    design = design_training(workers, catalog, linker=linker, skills=skills, city="苏州市", key=KEY)
    assert time.perf_counter() - started < 30
    assert sum(cd.cohort.size for cd in design.cohorts) == 500


@pytest.mark.slow
def test_a_roster_of_five_thousand_in_under_a_minute(enterprises, catalog, linker, skills):
    workers = _big_roster(enterprises, 5000)
    assert len(workers) == 5000
    started = time.perf_counter()
    design = design_training(workers, catalog, linker=linker, skills=skills, city="苏州市", key=KEY)
    assert time.perf_counter() - started < 60
    assert sum(cd.cohort.size for cd in design.cohorts) == 5000
    _check_done_when(design, catalog)


def test_min_cohort_is_configurable(enterprises, rosters_dir, catalog, linker, skills):
    design = _design("E12", enterprises, rosters_dir, catalog, linker, skills, min_cohort=5)
    assert all(cd.cohort.size >= 5 for cd in design.cohorts) and len(design.cohorts) >= 2
    with pytest.raises(UserError, match="min_cohort"):
        design_training([Worker("1", "焊工")], catalog, linker=linker, skills=skills, min_cohort=0)


def test_target_roles(catalog, linker):
    assert resolve_target_role("4-02-06-03", catalog, linker).how == "code"
    assert resolve_target_role("物流服务师", catalog, linker).code == "4-02-06-03"
    assert resolve_target_role("物流主管", catalog, linker).how == "alias"
    linked = resolve_target_role("带货直播的主播", catalog, linker)
    assert linked.how == "linked" and linked.code in catalog.occupations
    with pytest.raises(UserError, match="no such occupation code"):
        resolve_target_role("9-99-99-99", catalog, linker)
    with pytest.raises(UserError, match="empty"):
        resolve_target_role(" ", catalog, linker)


def test_curriculum_respects_the_course_limit(enterprises, rosters_dir, catalog, linker, skills):
    gap = _design("E02", enterprises, rosters_dir, catalog, linker, skills).cohorts[0].cohort.gap
    full, coverage, _, _, uncovered = design_curriculum(gap, skills)
    two, coverage_two, _, _, uncovered_two = design_curriculum(gap, skills, max_courses=2)
    assert len(two) == 2 and [c.name for c in two] == [c.name for c in full[:2]]  # greedy: same first picks
    assert coverage_two < coverage and len(uncovered_two) > len(uncovered)
    assert all(a.gain >= b.gain for a, b in itertools.pairwise(full))  # gains never grow


def test_weighted_silhouette_and_merging():
    rng = np.random.default_rng(0)
    x = np.vstack([rng.normal(0, 0.1, (20, 3)), rng.normal(1, 0.1, (20, 3))])
    labels = np.repeat([0, 1], 20)
    ones = np.ones(40)
    assert weighted_silhouette(x, labels, ones) == pytest.approx(silhouette_score(x, labels), abs=1e-9)
    # a point of weight 3 counts as three workers at the same place
    heavy = np.vstack([x, x[:1], x[:1]])
    assert weighted_silhouette(x, labels, np.r_[3.0, np.ones(39)]) == pytest.approx(
        silhouette_score(heavy, np.r_[labels, 0, 0]), abs=1e-9)
    small = np.r_[labels[:38], 2, 2]  # a cluster of two workers, nearest to cluster 1
    x[38:] = 0.9
    merged = merge_small(x, small, ones, min_size=15)
    assert set(merged) == {0, 1} and merged[38] == merged[39] == 1
