"""The national part of the demo catalog: occupations, majors, their links and each major's core courses.

Everything here follows from the seed modules alone (no randomness): the same seeds give the same rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from recommender.catalog.model import Course, Major, MajorOccupation, Occupation
from recommender.demo.seed.courses import CLUSTER_POOLS, FIELD_POOLS, GENERAL_POOL, CourseSeed, parse_pool
from recommender.demo.seed.majors import (
    CLUSTER_FIELD,
    CLUSTER_RELATED,
    LEVEL_RANK,
    LEVEL_YEARS,
    MAJORS,
    MajorSeed,
)
from recommender.demo.seed.occupations import OCCUPATIONS, OCCUPATIONS_BY_CODE, PARENTS

CORE_COURSES = 12  # courses of a major taught in every program of it (course rows with an empty program_id)
LINK_SOURCE = "demo"


@dataclass(frozen=True)
class CoursePlan:
    """A major's courses: the core every program teaches, then the electives a program may add."""

    core: tuple[CourseSeed, ...]
    electives: tuple[CourseSeed, ...]


def _focus_score(course: CourseSeed, major: MajorSeed) -> int:
    score = sum(3 * (word in course.name) + (word in course.description) for word in major.focus)
    if LEVEL_RANK[major.level] >= 2 and course.tier == 2:
        score += 2  # 本科 programs teach the 本科 courses
    return score


@cache
def course_plan(major_code: str) -> CoursePlan:
    """The core and elective courses of a demo major, most relevant first.

    Candidates come from the major's cluster pool, its field pool and a related cluster's pool, keeping the
    courses open to the major's level (a related cluster lends only courses whose name holds a focus word);
    the major's focus words rank them, the pools break ties in that order.

    Parameters
    ----------
    major_code : str
        A code of :data:`recommender.demo.seed.majors.MAJORS`.

    Returns
    -------
    CoursePlan
        ``CORE_COURSES`` core courses and the remaining candidates as electives.
    """
    major = next(m for m in MAJORS if m.code == major_code)
    rank = LEVEL_RANK[major.level]
    pools = [CLUSTER_POOLS[major.cluster], FIELD_POOLS[CLUSTER_FIELD[major.cluster]]]
    if major.cluster in CLUSTER_RELATED:
        pools.append(CLUSTER_POOLS[CLUSTER_RELATED[major.cluster]])
    ranked: list[tuple[tuple[int, int, int], CourseSeed]] = []
    seen: set[str] = set()
    for pool_index, text in enumerate(pools):
        for i, course in enumerate(parse_pool(text)):
            if course.tier > rank or course.name in seen:
                continue
            seen.add(course.name)
            if pool_index == 2:  # a related cluster lends only the courses whose name fits the major
                score = sum(3 for word in major.focus if word in course.name)
                if not score:
                    continue
            else:
                score = _focus_score(course, major)
            ranked.append(((-score, pool_index, i), course))
    ranked.sort(key=lambda item: item[0])
    courses = tuple(c for _, c in ranked)
    return CoursePlan(courses[:CORE_COURSES], courses[CORE_COURSES:])


@cache
def general_courses() -> tuple[CourseSeed, ...]:
    """Public courses every program teaches a few of."""
    return parse_pool(GENERAL_POOL)


def occupation_rows() -> list[Occupation]:
    """Detailed occupations (level 4) followed by their 小类, 中类 and 大类, ordered by code."""
    rows = [
        Occupation(
            occupation_code=o.code, name=o.name, level=4, definition=o.definition, tasks=o.tasks,
            aliases=o.aliases, taxonomy="dadian2022",
        )
        for o in OCCUPATIONS
    ]
    rows += [Occupation(occupation_code=code, name=name, level=level) for level, code, name in PARENTS]
    return sorted(rows, key=lambda o: o.occupation_code)


def _target_text(major: MajorSeed) -> str:
    names = [OCCUPATIONS_BY_CODE[c].name for c in major.occupations[:4]]
    return f"面向{'、'.join(names)}等职业，{major.posts}等岗位（群）。"


def major_rows() -> list[Major]:
    """Majors with their core courses as ``main_courses``, ordered by level then code."""
    rows = []
    for m in MAJORS:
        rows.append(Major(
            major_code=m.code, name=m.name, level=m.level, category=m.category, subcategory=m.subcategory,
            description=m.description, main_courses=tuple(c.name for c in course_plan(m.code).core),
            target_occupations=_target_text(m), years=LEVEL_YEARS[m.level], taxonomy=m.taxonomy,
        ))
    return sorted(rows, key=lambda m: (LEVEL_RANK[m.level], m.level, m.major_code))


def major_occupation_rows() -> list[MajorOccupation]:
    """Links written for the demo (``source`` = ``demo``)."""
    rows = [MajorOccupation(m.code, code, LINK_SOURCE) for m in MAJORS for code in m.occupations]
    return sorted(rows, key=lambda r: (r.major_code, r.occupation_code))


def major_course_rows() -> list[Course]:
    """Core courses of every major, taught in all its programs (empty ``program_id``)."""
    rows = []
    for m in sorted(MAJORS, key=lambda m: m.code):
        for k, course in enumerate(course_plan(m.code).core, start=1):
            rows.append(Course(
                course_id=f"DM-{m.code}-{k:02d}", name=course.name, major_code=m.code,
                description=course.description, credits=4.0 if k <= 4 else 3.0,
            ))
    return rows
