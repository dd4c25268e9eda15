"""The generated demo province: sizes, shape, validity, determinism and safe replacement."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from recommender.catalog.catalog import Catalog
from recommender.catalog.loader import load_catalog
from recommender.catalog.model import ENTRY_ROUTES, Occupation
from recommender.demo import DemoProvince, generate_demo_province, read_demo_province
from recommender.demo.seed.geography import CITY_NAMES, PROVINCE
from recommender.errors import UserError


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_colleges_cover_the_13_cities_with_a_realistic_mix(catalog: Catalog):
    colleges = list(catalog.colleges.values())
    assert len(colleges) >= 170
    assert {c.city for c in colleges} == set(CITY_NAMES) and len(CITY_NAMES) == 13
    kinds = Counter(c.kind for c in colleges)
    assert 0.20 <= kinds["本科"] / len(colleges) <= 0.30
    assert 0.55 <= kinds["专科"] / len(colleges) <= 0.65
    assert kinds["成人高校"] >= 10 and kinds["开放大学"] == 1
    for city in CITY_NAMES:  # every city has at least one university and one 高职 college
        assert {"本科", "专科"} <= {c.kind for c in colleges if c.city == city}, city
    assert all(c.is_demo and c.name.endswith("（演示）") and c.province == PROVINCE for c in colleges)
    assert len({c.name for c in colleges}) == len(colleges)


def test_the_open_university_teaches_in_every_city(catalog: Catalog):
    (open_university,) = [c for c in catalog.colleges.values() if c.kind == "开放大学"]
    assert set(open_university.cities) == set(CITY_NAMES)
    programs = [catalog.programs[p] for p in catalog.programs_by_college[open_university.college_id]]
    assert {p.entry_route for p in programs} == {"开放教育注册"}
    assert {p.level for p in programs} == {"高职专科", "普通本科"}
    blended = [p for p in programs if p.study_mode != "线上"]
    assert blended and all(set(p.places) == set(CITY_NAMES) for p in blended)


def test_every_program_has_at_least_15_courses(catalog: Catalog):
    assert len(catalog.programs) >= 170 * 6
    counts = [len(catalog.courses_of_program(pid)) for pid in catalog.programs]
    assert min(counts) >= 15
    for pid in list(catalog.programs)[:50]:  # no course twice in one program
        names = [c.name for c in catalog.courses_of_program(pid)]
        assert len(names) == len(set(names)), pid


def test_each_college_offers_several_programs(catalog: Catalog):
    per_college = {cid: len(catalog.programs_by_college.get(cid, ())) for cid in catalog.colleges}
    assert min(per_college.values()) >= 5
    assert max(n for cid, n in per_college.items() if catalog.colleges[cid].kind != "开放大学") <= 12


def test_programs_are_plausible(catalog: Catalog):
    programs = list(catalog.programs.values())
    assert {p.study_mode for p in programs} == {"线上", "线下", "混合"}
    assert {s for p in programs for s in p.schedule} == {"全日制", "晚间", "周末", "弹性"}
    assert {p.entry_route for p in programs} == set(ENTRY_ROUTES) - {"非学历"}
    for p in programs:
        college = catalog.colleges[p.college_id]
        assert 2.5 <= p.years <= 5
        assert p.enrolment_start.startswith("2027") and p.enrolment_end.startswith("2027")
        assert p.enrolment_start < p.enrolment_end
        if p.study_mode == "线上":
            assert p.places == ()
        else:
            assert p.places[0] == college.city and set(p.places) <= set(college.cities)
        low, high = (2000, 4500) if p.level == "高职专科" else (3000, 6500)
        if college.kind == "开放大学":  # open education is the cheapest way to a degree
            low = 2200 if p.level == "高职专科" else 2800
        if p.study_mode == "线上":  # online costs less
            assert 1500 <= p.tuition_per_year <= high
        else:
            assert low <= p.tuition_per_year <= high, p
    offline = [p.tuition_per_year for p in programs if p.level == "高职专科" and p.study_mode == "线下"]
    online = [p.tuition_per_year for p in programs if p.level == "高职专科" and p.study_mode == "线上"]
    assert sum(online) / len(online) < sum(offline) / len(offline)


def test_occupations_majors_and_links_form_a_usable_graph(catalog: Catalog):
    detailed = [o for o in catalog.occupations.values() if o.level == 4]
    assert 75 <= len(detailed) <= 95
    for o in detailed:
        assert o.definition and o.tasks and o.aliases
        assert set(Occupation(o.occupation_code, o.name).parent_codes) <= set(catalog.occupations), o
        assert any(catalog.majors[m].level == "高职专科" for m in catalog.majors_by_occupation[o.occupation_code])
    levels = Counter(m.level for m in catalog.majors.values())
    assert all(levels[lv] >= 5 for lv in ("中职", "高职专科", "职教本科", "普通本科"))
    assert all(catalog.occupations_by_major.get(code) for code in catalog.majors)
    assert all(len(m.main_courses) == 12 and m.description for m in catalog.majors.values())
    assert {link.source for link in catalog.major_occupations} == {"demo"}


def test_manifest_counts_match_the_files(province: DemoProvince, catalog: Catalog):
    counts = province.manifest["counts"]
    assert counts["colleges"] == len(catalog.colleges)
    assert counts["programs"] == len(catalog.programs)
    assert counts["courses"] == len(catalog.courses)
    assert (counts["workers"], counts["enterprises"]) == (1000, 20)
    assert read_demo_province(province.root).manifest == province.manifest


def test_same_seed_gives_byte_identical_files_and_another_seed_does_not(tmp_path: Path, province: DemoProvince):
    started = time.perf_counter()
    again = generate_demo_province(tmp_path / "again", seed=2026)
    elapsed = time.perf_counter() - started
    assert elapsed < 20, f"generation took {elapsed:.1f} s"
    assert _files(again.root) == _files(province.root)
    other = generate_demo_province(tmp_path / "other", seed=7, workers=50, enterprises=3)
    assert (other.catalog_dir / "programs.csv").read_bytes() != (province.catalog_dir / "programs.csv").read_bytes()
    assert other.manifest["counts"]["workers"] == 50 and other.manifest["counts"]["enterprises"] == 3
    load_catalog(other.catalog_dir)


def test_a_demo_province_is_replaced_but_nothing_else_is(tmp_path: Path):
    target = tmp_path / "demo"
    generate_demo_province(target, seed=1, workers=10, enterprises=2)
    replaced = generate_demo_province(target, seed=2, workers=12, enterprises=2)
    assert replaced.manifest["seed"] == 2 and len((target / "workers.csv").read_text().splitlines()) == 13
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging left behind
    stranger = tmp_path / "stranger"
    stranger.mkdir()
    (stranger / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(UserError, match="refusing to replace"):
        generate_demo_province(stranger, workers=10, enterprises=1)
    assert (stranger / "notes.txt").read_text(encoding="utf-8") == "mine"


@pytest.mark.parametrize("kwargs", [{"enterprises": 21}, {"workers": -1}])
def test_sizes_out_of_range_are_refused(tmp_path: Path, kwargs):
    with pytest.raises(UserError):
        generate_demo_province(tmp_path / "demo", **kwargs)
    assert not (tmp_path / "demo").exists()


def test_files_do_not_depend_on_the_interpreter_hash_seed(tmp_path: Path, province: DemoProvince):
    code = "import sys; from recommender.demo import generate_demo_province as g; g(sys.argv[1], seed=2026)"
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    subprocess.run([sys.executable, "-c", code, str(tmp_path / "other")], check=True, env=env, timeout=120)
    assert _files(tmp_path / "other") == _files(province.root)
