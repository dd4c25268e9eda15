"""Figures a person reads to check the demo province (the ``recommender demo`` command prints them)."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence

from recommender.catalog.catalog import Catalog
from recommender.catalog.model import (
    COLLEGE_KINDS,
    EDUCATION_LEVELS,
    MAJOR_LEVELS,
    Enterprise,
    Program,
    Worker,
)

WORK_COMPATIBLE_SCHEDULES = ("晚间", "周末", "弹性")


def fits_work(program: Program) -> bool:
    """Whether a worker who keeps working (不脱产) can follow ``program``: online, or evening, weekend or
    flexible classes."""
    return program.study_mode == "线上" or any(s in WORK_COMPATIBLE_SCHEDULES for s in program.schedule)


def _ordered(counter: Counter, order: Sequence[str]) -> dict[str, int]:
    known = {k: counter[k] for k in order if counter.get(k)}
    return known | {k: v for k, v in sorted(counter.items()) if k not in known}


def province_stats(catalog: Catalog, workers: Sequence[Worker], enterprises: Sequence[Enterprise]) -> dict:
    """Counts of the catalog, the sample workers and the enterprises, as plain JSON-ready values.

    Parameters
    ----------
    catalog : Catalog
        The demo catalog (any catalog works).
    workers : sequence of Worker
    enterprises : sequence of Enterprise

    Returns
    -------
    dict
        ``colleges`` (total, per kind, per city, per city and kind, open universities' teaching cities),
        ``programs`` (per level, mode, route, tuition range per level, share per level a worker who keeps
        working can follow), ``courses`` (total, per program), ``occupations``, ``majors`` (per level, links
        per level of the major), ``workers`` and ``enterprises``.
    """
    colleges = list(catalog.colleges.values())
    cities = list(dict.fromkeys(c.city for c in colleges))
    per_city_kind = {city: _ordered(Counter(c.kind for c in colleges if c.city == city), COLLEGE_KINDS)
                     for city in cities}
    programs = list(catalog.programs.values())
    per_program = [len(catalog.courses_of_program(p.program_id)) for p in programs]
    tuition = {
        level: {"min": min(fees), "max": max(fees), "median": int(statistics.median(fees))}
        for level in MAJOR_LEVELS
        if (fees := [p.tuition_per_year for p in programs if p.level == level])
    }
    occupations = list(catalog.occupations.values())
    staff = [len(e.roster) for e in enterprises]
    return {
        "colleges": {
            "total": len(colleges),
            "per_kind": _ordered(Counter(c.kind for c in colleges), COLLEGE_KINDS),
            "cities": len(cities),
            "per_city": {city: sum(v.values()) for city, v in per_city_kind.items()},
            "per_city_kind": per_city_kind,
            "open_university_cities": {c.name: len(c.cities) for c in colleges if c.kind == "开放大学"},
        },
        "programs": {
            "total": len(programs),
            "per_level": _ordered(Counter(p.level for p in programs), MAJOR_LEVELS),
            "per_mode": dict(sorted(Counter(p.study_mode for p in programs).items())),
            "per_route": dict(Counter(p.entry_route for p in programs).most_common()),
            "tuition_per_year": tuition,
            "work_compatible_share": {
                level: round(sum(map(fits_work, of_level)) / len(of_level), 3)
                for level in MAJOR_LEVELS if (of_level := [p for p in programs if p.level == level])
            },
        },
        "courses": {
            "total": len(catalog.courses),
            "per_program_min": min(per_program, default=0),
            "per_program_median": int(statistics.median(per_program)) if per_program else 0,
            "per_program_max": max(per_program, default=0),
        },
        "occupations": {
            "total": len(occupations),
            "detailed": sum(o.level == 4 for o in occupations),
        },
        "majors": {
            "total": len(catalog.majors),
            "per_level": _ordered(Counter(m.level for m in catalog.majors.values()), MAJOR_LEVELS),
            "major_occupation_links": len(catalog.major_occupations),
            "links_per_level": _ordered(
                Counter(catalog.majors[link.major_code].level for link in catalog.major_occupations
                        if link.major_code in catalog.majors), MAJOR_LEVELS),
        },
        "workers": {
            "total": len(workers),
            "with_occupation_code": sum(bool(w.occupation_code) for w in workers),
            "per_education": _ordered(Counter(w.education for w in workers), EDUCATION_LEVELS),
            "can_stop_working": sum(w.can_stop_working for w in workers),
            "union_members": sum(w.union_member for w in workers),
            "with_honours": sum(bool(w.honours) for w in workers),
        },
        "enterprises": {
            "total": len(enterprises),
            "staff": sum(staff),
            "roster_min": min(staff, default=0),
            "roster_max": max(staff, default=0),
        },
    }
