"""Every worker can study a step up while working: for every occupation, 高职专科 programs for workers with a
高中-stage education and 本科 programs (专升本) for workers with a 专科 diploma, with schedules that fit a job."""

from __future__ import annotations

from collections import Counter

import pytest

from recommender.catalog.catalog import Catalog
from recommender.catalog.model import Program, Worker
from recommender.demo.seed.colleges import OPEN_UNIVERSITY_BACHELOR
from recommender.demo.seed.geography import CITY_NAMES, PROVINCE
from recommender.demo.stats import fits_work, province_stats
from recommender.recommend.constraints import check_mode, reach
from recommender.rules.eligibility import is_eligible

COLLEGE_LEVELS = ("高职专科", "职教本科", "普通本科")
BACHELOR_LEVELS = ("职教本科", "普通本科")
WORKING_ADULT_ROUTES = {"专升本", "成人高考", "开放教育注册", "自学考试"}


def _programs_by_major(catalog: Catalog) -> dict[str, list[Program]]:
    out: dict[str, list[Program]] = {}
    for p in catalog.programs.values():
        out.setdefault(p.major_code, []).append(p)
    return out


def _detailed(catalog: Catalog):
    return [o for o in catalog.occupations.values() if o.level == 4]


def test_every_major_of_a_college_level_has_programs(catalog: Catalog):
    by_major = _programs_by_major(catalog)
    for m in catalog.majors.values():
        if m.level in COLLEGE_LEVELS:
            assert by_major.get(m.major_code), f"{m.major_code} {m.name} ({m.level}) has no program"


def test_every_occupation_has_associate_and_bachelor_programs_that_fit_a_job(catalog: Catalog):
    by_major = _programs_by_major(catalog)
    for o in _detailed(catalog):
        linked = catalog.majors_by_occupation[o.occupation_code]
        associate = [p for m in linked if catalog.majors[m].level == "高职专科" for p in by_major.get(m, ())]
        bachelor = [p for m in linked if catalog.majors[m].level in BACHELOR_LEVELS for p in by_major.get(m, ())]
        assert associate, f"{o.occupation_code} {o.name}: no 高职专科 program"
        assert bachelor, f"{o.occupation_code} {o.name}: no 职教本科 or 普通本科 program"
        assert any(fits_work(p) for p in bachelor), f"{o.occupation_code} {o.name}: every 本科 program is full-time"


@pytest.mark.parametrize(("education", "levels"), [("高中", ("高职专科",)), ("专科", BACHELOR_LEVELS)])
def test_a_worker_who_keeps_working_finds_a_step_up_in_every_city(catalog: Catalog, education: str, levels):
    """The 专科 courier or 饭店服务员 who keeps working (不脱产) gets 本科 programs in their city or online."""
    by_major = _programs_by_major(catalog)
    missing = []
    for o in _detailed(catalog):
        programs = [p for m in catalog.majors_by_occupation[o.occupation_code] for p in by_major.get(m, ())
                    if p.level in levels]
        for city in CITY_NAMES:
            worker = Worker("W", o.name, education=education, city=city, province=PROVINCE, can_stop_working=False)
            if not any(
                is_eligible(worker, p).allowed and check_mode(p, worker) is None
                and reach(p, catalog.colleges[p.college_id], worker) in ("city", "online")
                for p in programs
            ):
                missing.append(f"{o.name}@{city}")
    assert not missing, f"{education} workers with no step up they can follow: {missing[:10]} ({len(missing)})"


def test_every_bachelor_major_is_taught_in_several_cities_at_both_kinds_of_university(catalog: Catalog):
    by_major = _programs_by_major(catalog)
    vocational_universities = 0
    for m in catalog.majors.values():
        if m.level not in BACHELOR_LEVELS:
            continue
        programs = by_major[m.major_code]
        colleges = [catalog.colleges[p.college_id] for p in programs]
        assert len(programs) >= 4, (m.major_code, len(programs))
        assert len({c.city for c in colleges}) >= 3, m.major_code
        assert {c.kind for c in colleges} <= {"本科", "成人高校", "开放大学"}, m.major_code
        assert any(p.study_mode == "线上" for p in programs), m.major_code  # reachable from every city
        assert any(p.study_mode == "混合" for p in programs), m.major_code  # weekend classes plus online study
        vocational_universities += any("职业技术大学" in c.name for c in colleges) and m.level == "职教本科"
    assert vocational_universities >= 15  # 职教本科 is taught at 职业技术大学 too, not only at universities


def test_bachelor_programs_fit_working_adults(catalog: Catalog):
    for level in BACHELOR_LEVELS:
        programs = [p for p in catalog.programs.values() if p.level == level]
        assert len(programs) >= 4 * sum(m.level == level for m in catalog.majors.values())
        assert sum(map(fits_work, programs)) / len(programs) >= 0.85, level
        assert sum(p.schedule == ("全日制",) for p in programs) / len(programs) <= 0.05, level
        routes = Counter(p.entry_route for p in programs)
        assert set(routes) <= WORKING_ADULT_ROUTES, routes
        assert routes["专升本"] >= len(programs) // 10, routes
        assert all(p.years <= 3 for p in programs if p.entry_route == "专升本")
        assert all(len(catalog.courses_of_program(p.program_id)) >= 15 for p in programs)


def test_the_open_university_teaches_common_bachelor_majors_in_every_city(catalog: Catalog):
    (open_university,) = [c for c in catalog.colleges.values() if c.kind == "开放大学"]
    programs = [catalog.programs[p] for p in catalog.programs_by_college[open_university.college_id]]
    bachelor = [p for p in programs if p.level == "普通本科"]
    assert {p.major_code for p in bachelor} == set(OPEN_UNIVERSITY_BACHELOR)
    assert all(p.study_mode in ("线上", "混合") and p.entry_route == "开放教育注册" and fits_work(p) for p in bachelor)
    assert all(set(p.places) == set(CITY_NAMES) for p in bachelor if p.study_mode == "混合")


def test_every_occupation_links_to_a_bachelor_and_an_associate_major(catalog: Catalog):
    per_level = Counter()
    for o in _detailed(catalog):
        levels = {catalog.majors[m].level for m in catalog.majors_by_occupation[o.occupation_code]}
        assert "高职专科" in levels and levels & set(BACHELOR_LEVELS), (o.occupation_code, o.name, levels)
        per_level.update(levels)
    assert per_level["职教本科"] >= 70  # most occupations have a vocational 本科 of their own


def test_the_statistics_show_the_share_that_fits_a_job_and_the_links_per_level(catalog: Catalog):
    stats = province_stats(catalog, [], [])
    shares = stats["programs"]["work_compatible_share"]
    assert set(shares) == {"高职专科", "职教本科", "普通本科"} and all(0.85 <= v <= 1 for v in shares.values())
    links = stats["majors"]["links_per_level"]
    assert sum(links.values()) == stats["majors"]["major_occupation_links"]
    assert links["职教本科"] >= 100 and links["普通本科"] >= 30
