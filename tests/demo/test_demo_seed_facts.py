"""The demo's facts (occupation and major codes, names, levels) are the official ones; its names and texts are
its own. Checked against ../shared/data when it is there."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from recommender.catalog.catalog import Catalog
from recommender.demo.content import course_plan
from recommender.demo.seed.courses import CLUSTER_POOLS, FIELD_POOLS, parse_pool
from recommender.demo.seed.majors import CLUSTER_FIELD, CLUSTER_RELATED, MAJORS
from recommender.demo.seed.occupations import OCCUPATIONS, PARENTS
from recommender.demo.seed.people import ENTERPRISES

SHARED_DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
needs_shared = pytest.mark.skipif(not SHARED_DATA.is_dir(), reason="../shared/data is not present")
GREEN_DIGITAL_MARK = re.compile(r"(L/S|L|S)$")  # the official file's green/digital marks, not part of the name


def _rows(name: str) -> list[dict[str, str]]:
    with open(SHARED_DATA / "cn" / name, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


@needs_shared
def test_every_occupation_code_and_name_is_in_the_dadian(catalog: Catalog):
    official = {r["code"]: r for r in _rows("occupations_dadian_2022.csv")}
    for o in catalog.occupations.values():
        assert o.occupation_code in official, o.occupation_code
        row = official[o.occupation_code]
        assert GREEN_DIGITAL_MARK.sub("", row["name"]) == o.name, o.occupation_code
        assert int(row["level"]) == o.level, o.occupation_code
    for seed in OCCUPATIONS:  # our definitions are written by us, not copied
        assert seed.definition != official[seed.code]["definition"], seed.code
        assert seed.tasks != official[seed.code]["tasks"], seed.code


@needs_shared
def test_every_vocational_major_is_in_the_official_catalog(catalog: Catalog):
    official = {r["专业代码"]: r for r in _rows("vocational_major_catalog.csv")}
    for m in catalog.majors.values():
        if m.level == "普通本科":
            continue
        row = official.get(m.major_code)
        assert row is not None, m.major_code
        assert (row["专业名称"], row["层次"], row["专业大类"], row["专业类"]) == (
            m.name, m.level, m.category, m.subcategory), m.major_code


@needs_shared
def test_every_undergraduate_major_is_in_the_official_list(catalog: Catalog):
    official = {(r["专业代码"], r["专业名称"]) for r in _rows("major_occupation_putong_benke.csv")}
    undergraduate = [m for m in catalog.majors.values() if m.level == "普通本科"]
    assert len(undergraduate) >= 5
    for m in undergraduate:
        assert (m.major_code, m.name) in official, m.major_code
        assert m.taxonomy == "moe-undergraduate"


@needs_shared
def test_no_demo_name_is_a_real_college(catalog: Catalog):
    real = {r["学校名称"] for name in ("colleges_regular_2026.csv", "colleges_adult_2026.csv",
                                     "open_universities_2026.csv") for r in _rows(name)}
    assert len(real) > 3000
    for college in catalog.colleges.values():
        assert college.name not in real
        assert college.name.removesuffix("（演示）") not in real, college.name
    for seed in ENTERPRISES:
        assert seed.name.removesuffix("（演示）") not in real


def test_seed_parents_close_the_hierarchy():
    parents = {code for _, code, _ in PARENTS}
    from recommender.catalog.model import Occupation

    needed = {p for o in OCCUPATIONS for p in Occupation(o.code, o.name).parent_codes}
    assert needed == parents


def test_course_pools_serve_every_major():
    assert set(CLUSTER_FIELD) == set(CLUSTER_POOLS)
    assert set(CLUSTER_RELATED) <= set(CLUSTER_POOLS) and set(CLUSTER_RELATED.values()) <= set(CLUSTER_POOLS)
    assert set(CLUSTER_FIELD.values()) == set(FIELD_POOLS)
    for text in (*CLUSTER_POOLS.values(), *FIELD_POOLS.values()):
        for course in parse_pool(text):
            assert course.name and len(course.description) >= 10, course
    for major in MAJORS:
        plan = course_plan(major.code)
        names = [c.name for c in plan.core + plan.electives]
        assert len(plan.core) == 12 and len(names) == len(set(names)), major.code
        if major.level != "中职":
            assert len(plan.electives) >= 6, major.code  # room for a program's 3-6 electives
