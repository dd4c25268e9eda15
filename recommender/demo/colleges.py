"""Partner colleges of the demo province, their programs and each program's own courses (seeded, deterministic)."""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from recommender.catalog.model import College, Course, Program
from recommender.demo.content import course_plan, general_courses
from recommender.demo.seed.colleges import (
    COLLEGE_COUNTS,
    DEMO_MARK,
    ENROLMENT_WINDOWS,
    ENROLMENT_YEAR,
    NAME_WORDS,
    OFFER_KINDS,
    OFFER_MODES,
    OFFER_SPREAD,
    OPEN_UNIVERSITY_BACHELOR,
    OPEN_UNIVERSITY_CLUSTERS,
    OPEN_UNIVERSITY_NAME,
    OPEN_UNIVERSITY_PROGRAMS,
    OPEN_UNIVERSITY_SEAT,
    PROFILES,
)
from recommender.demo.seed.geography import CITIES, CITY_NAMES, PROVINCE, short_city
from recommender.demo.seed.majors import CLUSTER_RELATED, MAJORS, MAJORS_BY_CODE, MajorSeed

MAJORS_BY_CLUSTER_LEVEL: dict[tuple[str, str], tuple[MajorSeed, ...]] = {
    key: tuple(m for m in MAJORS if (m.cluster, m.level) == key) for key in {(m.cluster, m.level) for m in MAJORS}
}
BACHELOR_LEVELS = ("职教本科", "普通本科")


@dataclass(frozen=True)
class CollegePlan:
    """A college and what shapes its programs (its profile's clusters and the levels it teaches)."""

    college: College
    clusters: dict[str, float]
    levels: tuple[tuple[str, float], ...]  # (major level, weight)
    programs: tuple[int, int]  # how many programs, inclusive range


def allocate(total: int, weights: Sequence[float], minimum: int = 0) -> list[int]:
    """Split ``total`` into integer parts proportional to ``weights`` (largest remainder), each ≥ ``minimum``."""
    n = len(weights)
    base = [minimum] * n
    left = total - minimum * n
    if left < 0:
        raise ValueError(f"cannot give {minimum} to each of {n} parts out of {total}")
    scale = sum(weights)
    shares = [left * w / scale for w in weights]
    parts = [int(s) for s in shares]
    order = sorted(range(n), key=lambda i: (-(shares[i] - parts[i]), i))
    for i in order[: left - sum(parts)]:
        parts[i] += 1
    return [b + p for b, p in zip(base, parts)]


def _weighted(rng: random.Random, items: Sequence, weights: Sequence[float]):
    return rng.choices(items, weights=weights, k=1)[0]


def _teaching_points(rng: random.Random, seat: str, kind: str) -> tuple[str, ...]:
    chance, most = {"本科": (0.45, 3), "专科": (0.25, 2), "成人高校": (0.15, 1)}[kind]
    if rng.random() >= chance:
        return ()
    others = [c for c in CITY_NAMES if c != seat]
    picked = set(rng.sample(others, rng.randint(1, most)))
    return tuple(c for c in CITY_NAMES if c in picked)


def plan_colleges(rng: random.Random) -> list[CollegePlan]:
    """Every partner college: the open university first, then each kind spread over the cities by weight."""
    weights = [w for _, w in CITIES]
    plans = [CollegePlan(
        College(
            college_id="DEMO-C000", name=OPEN_UNIVERSITY_NAME, province=PROVINCE, city=OPEN_UNIVERSITY_SEAT,
            kind="开放大学", teaching_points=tuple(c for c in CITY_NAMES if c != OPEN_UNIVERSITY_SEAT), is_demo=True,
        ),
        dict(OPEN_UNIVERSITY_CLUSTERS), (("高职专科", 1.0),), (OPEN_UNIVERSITY_PROGRAMS, OPEN_UNIVERSITY_PROGRAMS),
    )]
    used_names = {OPEN_UNIVERSITY_NAME}
    number = 0
    for kind, total in COLLEGE_COUNTS.items():
        per_city = allocate(total, weights, minimum=1 if kind != "成人高校" else 0)
        profiles = PROFILES[kind]
        for city, count in zip(CITY_NAMES, per_city):
            words = list(NAME_WORDS)
            rng.shuffle(words)
            for _ in range(count):
                suffix, _, clusters = _weighted(rng, profiles, [p[1] for p in profiles])
                word = next(w for w in words if f"{short_city(city)}{w}{suffix}{DEMO_MARK}" not in used_names)
                words.remove(word)
                name = f"{short_city(city)}{word}{suffix}{DEMO_MARK}"
                used_names.add(name)
                number += 1
                if kind == "本科" and suffix == "职业技术大学":
                    levels = (("职教本科", 0.75), ("高职专科", 0.25))
                elif kind == "本科":
                    levels = (("普通本科", 0.6), ("高职专科", 0.4))
                elif kind == "成人高校":
                    levels = (("高职专科", 0.9), ("普通本科", 0.1))
                else:
                    levels = (("高职专科", 1.0),)
                college = College(
                    college_id=f"DEMO-C{number:03d}", name=name, province=PROVINCE, city=city, kind=kind,
                    teaching_points=_teaching_points(rng, city, kind), is_demo=True,
                )
                span = {"成人高校": (5, 9), "本科": (7, 12)}.get(kind, (6, 12))
                plans.append(CollegePlan(college, clusters, levels, span))
    return plans


def _pick_major(rng: random.Random, plan: CollegePlan) -> MajorSeed:
    level = _weighted(rng, [lv for lv, _ in plan.levels], [w for _, w in plan.levels])
    clusters = [c for c in plan.clusters if MAJORS_BY_CLUSTER_LEVEL.get((c, level))]
    if not clusters:  # the profile has no major at this level: any cluster that has one
        clusters = sorted({m.cluster for m in MAJORS if m.level == level})
    weights = [plan.clusters.get(c, 0.5) for c in clusters]
    cluster = _weighted(rng, clusters, weights)
    return rng.choice(MAJORS_BY_CLUSTER_LEVEL[(cluster, level)])


def _route(rng: random.Random, kind: str, level: str, mode: str | None = None) -> str:
    if kind == "开放大学":
        return "开放教育注册"
    if kind == "专科" and level == "高职专科" and mode == "线上":  # 高职扩招 classes meet in person
        return _weighted(rng, ("成人高考", "自学考试"), (0.8, 0.2))
    if level == "职教本科":
        return _weighted(rng, ("专升本", "成人高考"), (0.5, 0.5))
    if level == "普通本科" and kind == "成人高校":
        return _weighted(rng, ("成人高考", "自学考试"), (0.6, 0.4))
    if level == "普通本科":
        return _weighted(rng, ("成人高考", "专升本", "自学考试"), (0.5, 0.3, 0.2))
    if kind == "专科":
        return _weighted(rng, ("成人高考", "高职扩招", "自学考试"), (0.65, 0.25, 0.1))
    if kind == "成人高校":
        return _weighted(rng, ("成人高考", "自学考试"), (0.85, 0.15))
    return "成人高考"


# Share of the non-online programs of a route taught full-time only (全日制): 高职扩招 classes often are; a
# 专升本 program for working adults rarely is.
FULL_TIME_SHARE = {"高职扩招": 0.2, "专升本": 0.05}


def _mode_and_schedule(rng: random.Random, kind: str, route: str, mode: str | None = None
                       ) -> tuple[str, tuple[str, ...]]:
    if mode is not None:
        pass  # the mode was decided with the offer
    elif kind == "开放大学":
        mode = _weighted(rng, ("线上", "混合"), (0.4, 0.6))
    elif route == "高职扩招":
        mode = _weighted(rng, ("线下", "混合"), (0.5, 0.5))
    elif route == "自学考试":
        mode = _weighted(rng, ("线上", "混合"), (0.5, 0.5))
    else:
        mode = _weighted(rng, ("线上", "线下", "混合"), (0.22, 0.33, 0.45))
    if route in FULL_TIME_SHARE and mode != "线上" and rng.random() < FULL_TIME_SHARE[route]:
        return mode, ("全日制",)
    if mode == "线上":
        return mode, ("弹性",)
    if mode == "线下":
        return mode, _weighted(rng, (("晚间",), ("周末",), ("晚间", "周末")), (0.3, 0.4, 0.3))
    return mode, _weighted(rng, (("周末", "弹性"), ("晚间", "弹性"), ("周末",)), (0.5, 0.3, 0.2))


def _years(rng: random.Random, level: str, route: str) -> float:
    if route == "开放教育注册":
        return 2.5
    if route == "高职扩招":
        return 3.0
    if level == "普通本科" and route == "成人高考" and rng.random() < 0.2:
        return 5.0  # 高起本
    return _weighted(rng, (2.5, 3.0), (0.5, 0.5))


def _tuition(rng: random.Random, kind: str, level: str, route: str, mode: str) -> int:
    if kind == "开放大学":
        low, high = (2200, 2800) if level == "高职专科" else (2800, 3500)
    elif level == "高职专科":
        low, high = 2000, 4500
    elif level == "职教本科":
        low, high = 4000, 6500
    elif route == "自学考试":
        low, high = 3000, 4200
    else:
        low, high = 3000, 6500
    fee = rng.randrange(low, high + 1, 100)
    if mode == "线上":
        fee = max(1500, round(fee * rng.uniform(0.7, 0.85) / 100) * 100)
    return fee


def _places(rng: random.Random, college: College, mode: str) -> tuple[str, ...]:
    if mode == "线上":
        return ()
    if college.kind == "开放大学":
        return college.cities
    return (college.city, *[c for c in college.teaching_points if rng.random() < 0.6])


def _window(rng: random.Random, route: str, shift: int) -> tuple[str, str]:
    (sm, sd), (em, ed) = rng.choice(ENROLMENT_WINDOWS[route])
    start = date(ENROLMENT_YEAR, sm, sd) + timedelta(days=shift)
    end = date(ENROLMENT_YEAR, em, ed) + timedelta(days=shift)
    return start.isoformat(), end.isoformat()


def _teaches_vocational_bachelor(plan: CollegePlan) -> bool:
    return any(level == "职教本科" for level, _ in plan.levels)


def _profile_fit(plan: CollegePlan, major: MajorSeed) -> float:
    """The college profile's weight for the major's cluster, or a third of a related cluster's; 0 if neither."""
    related = CLUSTER_RELATED.get(major.cluster, "")
    return plan.clusters.get(major.cluster) or 0.3 * plan.clusters.get(related, 0.0)


def offer_weight(plan: CollegePlan, major: MajorSeed) -> float:
    """How strongly ``plan``'s college is drawn to teach ``major`` (0: never): its profile's weight for the
    major's cluster (a third of a related cluster's, else a little), by kind of college and level."""
    college = plan.college
    if college.kind not in OFFER_KINDS[major.level]:
        return 0.0
    vocational = _teaches_vocational_bachelor(plan)
    if major.level == "普通本科" and vocational:
        return 0.0  # a 职业技术大学 teaches the vocational 本科
    fit = _profile_fit(plan, major) or 0.05
    if major.level == "职教本科" and vocational:
        fit *= 4.0
    elif major.level == "高职专科":
        fit *= {"专科": 1.0, "成人高校": 0.6}.get(college.kind, 0.2)
    return fit


def plan_offers(rng: random.Random, plans: Sequence[CollegePlan], wanted: dict[str, int]
                ) -> dict[str, list[tuple[MajorSeed, str | None]]]:
    """The majors each college is sure to teach, by college id, with the study mode when it is decided here.

    Every major of a level in :data:`OFFER_SPREAD` is given to a few colleges: 本科 levels first, as they are
    the scarcest, and within a level the majors that few colleges fit first. Each is drawn by
    :func:`offer_weight` among the colleges whose profile fits the major, in a city not yet taken when there is
    one (a college whose profile does not fit only when none that fits is left). The first colleges drawn for
    a major teach it in the modes of :data:`OFFER_MODES` (online first, so that a worker anywhere in the
    province can take it while working, then mixed); the others choose their own. The open university teaches the 本科 majors of :data:`OPEN_UNIVERSITY_BACHELOR`. A college gets at most
    ``wanted`` sure majors, one fewer when it also teaches other levels, leaving room for its own picks.

    Parameters
    ----------
    rng : random.Random
    plans : sequence of CollegePlan
    wanted : dict
        How many programs each college offers, by college id (the open university: besides its sure majors).

    Returns
    -------
    dict
        College id → (major, study mode or ``None``), in the order they were given.
    """
    offers: dict[str, list[tuple[MajorSeed, str | None]]] = {p.college.college_id: [] for p in plans}
    for plan in plans:
        if plan.college.kind == "开放大学":
            bachelor = [(MAJORS_BY_CODE[code], None) for code in OPEN_UNIVERSITY_BACHELOR]
            offers[plan.college.college_id] = bachelor
    room = {
        p.college.college_id: wanted[p.college.college_id] - (0 if _teaches_vocational_bachelor(p) else 1)
        for p in plans
    }

    def fitting_colleges(major: MajorSeed) -> int:
        return sum(offer_weight(p, major) > 0 and bool(_profile_fit(p, major)) for p in plans)

    order = [  # sorted is stable: majors few colleges fit go first, then in the seeds' order
        m for level in (*BACHELOR_LEVELS, "高职专科")
        for m in sorted((m for m in MAJORS if m.level == level), key=fitting_colleges)
    ]
    for major in order:
        weights = [offer_weight(p, major) for p in plans]
        cities: set[str] = set()
        for k in range(rng.randint(*OFFER_SPREAD[major.level])):
            free = [
                (p, w) for p, w in zip(plans, weights)
                if w > 0 and room[p.college.college_id] > 0
                and all(m != major for m, _ in offers[p.college.college_id])
            ]
            fitting = [(p, w) for p, w in free if _profile_fit(p, major)]
            tiers = (
                [(p, w) for p, w in fitting if p.college.city not in cities], fitting,
                [(p, w) for p, w in free if p.college.city not in cities], free,
            )
            candidates = next((tier for tier in tiers if tier), [])
            if not candidates:
                break
            plan = _weighted(rng, [p for p, _ in candidates], [w for _, w in candidates])
            offers[plan.college.college_id].append((major, OFFER_MODES[k] if k < len(OFFER_MODES) else None))
            room[plan.college.college_id] -= 1
            cities.add(plan.college.city)
    return offers


def build_programs(rng: random.Random, plans: Iterable[CollegePlan]) -> tuple[list[Program], list[Course]]:
    """Programs of every college and each program's own courses (electives and public courses).

    Each college first teaches the majors :func:`plan_offers` gave it, then majors drawn from its profile. A
    program's courses are its own rows plus the core rows of its major (see :mod:`recommender.demo.content`).
    """
    plans = list(plans)
    wanted = {p.college.college_id: rng.randint(*p.programs) for p in plans}
    offers = plan_offers(rng, plans, wanted)
    programs: list[Program] = []
    courses: list[Course] = []
    for plan in plans:
        college = plan.college
        shift = rng.randint(0, 7)
        sure = offers[college.college_id]
        total = wanted[college.college_id] + (len(sure) if college.kind == "开放大学" else 0)
        offered: set[tuple[str, str, str]] = set()
        attempts = 0
        while len(offered) < total and attempts < 300:
            attempts += 1
            major, mode = sure[len(offered)] if len(offered) < len(sure) else (_pick_major(rng, plan), None)
            if any(k[0] == major.code for k in offered) and rng.random() < 0.85:
                continue  # now and then a college offers one major twice (another route or mode)
            route = _route(rng, college.kind, major.level, mode)
            mode, schedule = _mode_and_schedule(rng, college.kind, route, mode)
            if (major.code, route, mode) in offered:
                continue
            offered.add((major.code, route, mode))
            start, end = _window(rng, route, shift)
            program = Program(
                program_id=f"DEMO-P{len(programs) + 1:04d}", college_id=college.college_id, major_code=major.code,
                level=major.level, study_mode=mode, schedule=schedule, years=_years(rng, major.level, route),
                tuition_per_year=_tuition(rng, college.kind, major.level, route, mode), entry_route=route,
                places=_places(rng, college, mode), enrolment_start=start, enrolment_end=end,
            )
            programs.append(program)
            courses += _program_courses(rng, program)
    return programs, courses


def _program_courses(rng: random.Random, program: Program) -> list[Course]:
    electives = course_plan(program.major_code).electives
    chosen = sorted(rng.sample(range(len(electives)), min(len(electives), rng.randint(3, 6))))
    general = sorted(rng.sample(range(len(general_courses())), 2))
    rows = []
    for i in chosen:
        c = electives[i]
        rows.append((c, float(rng.choice((2, 3))), ""))
    for i in general:
        c = general_courses()[i]
        online = program.study_mode != "线上" and rng.random() < 0.4
        rows.append((c, 2.0, "线上" if online else ""))
    return [
        Course(
            course_id=f"{program.program_id}-{k:02d}", name=c.name, major_code=program.major_code,
            program_id=program.program_id, description=c.description, credits=credits, mode=mode,
        )
        for k, (c, credits, mode) in enumerate(rows, start=1)
    ]
