"""The Catalog: every table of a catalog directory, validated as a whole, with the lookups the matcher needs."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

from recommender.catalog.model import College, Course, Major, MajorOccupation, Occupation, Program


@dataclass(frozen=True)
class Catalog:
    colleges: dict[str, College] = field(default_factory=dict)
    occupations: dict[str, Occupation] = field(default_factory=dict)
    majors: dict[str, Major] = field(default_factory=dict)
    major_occupations: tuple[MajorOccupation, ...] = ()
    programs: dict[str, Program] = field(default_factory=dict)
    courses: dict[str, Course] = field(default_factory=dict)
    source: str = ""  # where it was loaded from

    @cached_property
    def majors_by_occupation(self) -> dict[str, tuple[str, ...]]:
        out: dict[str, list[str]] = defaultdict(list)
        for link in self.major_occupations:
            out[link.occupation_code].append(link.major_code)
        return {k: tuple(v) for k, v in out.items()}

    @cached_property
    def occupations_by_major(self) -> dict[str, tuple[str, ...]]:
        out: dict[str, list[str]] = defaultdict(list)
        for link in self.major_occupations:
            out[link.major_code].append(link.occupation_code)
        return {k: tuple(v) for k, v in out.items()}

    @cached_property
    def programs_by_major(self) -> dict[str, tuple[str, ...]]:
        out: dict[str, list[str]] = defaultdict(list)
        for p in self.programs.values():
            out[p.major_code].append(p.program_id)
        return {k: tuple(v) for k, v in out.items()}

    @cached_property
    def programs_by_college(self) -> dict[str, tuple[str, ...]]:
        out: dict[str, list[str]] = defaultdict(list)
        for p in self.programs.values():
            out[p.college_id].append(p.program_id)
        return {k: tuple(v) for k, v in out.items()}

    @cached_property
    def _courses_by_owner(self) -> tuple[dict[str, list[Course]], dict[str, list[Course]]]:
        by_program: dict[str, list[Course]] = defaultdict(list)
        by_major: dict[str, list[Course]] = defaultdict(list)
        for c in self.courses.values():
            (by_program[c.program_id] if c.program_id else by_major[c.major_code]).append(c)
        return by_program, by_major

    def courses_of_program(self, program_id: str) -> list[Course]:
        """The program's own courses, then the courses of its major taught in every program."""
        by_program, by_major = self._courses_by_owner
        program = self.programs[program_id]
        return [*by_program.get(program_id, []), *by_major.get(program.major_code, [])]

    def stats(self) -> dict[str, object]:
        """Counts a person reads to check an import: tables, majors per level, colleges per kind."""
        majors_per_level: dict[str, int] = defaultdict(int)
        for m in self.majors.values():
            majors_per_level[m.level] += 1
        colleges_per_kind: dict[str, int] = defaultdict(int)
        for c in self.colleges.values():
            colleges_per_kind[c.kind] += 1
        return {
            "colleges": len(self.colleges),
            "partner_colleges": sum(c.is_partner for c in self.colleges.values()),
            "colleges_per_kind": dict(colleges_per_kind),
            "cities": len({c.city for c in self.colleges.values()}),
            "majors": len(self.majors),
            "majors_per_level": dict(majors_per_level),
            "occupations": len(self.occupations),
            "detailed_occupations": sum(o.level == 4 for o in self.occupations.values()),
            "major_occupation_links": len(self.major_occupations),
            "programs": len(self.programs),
            "courses": len(self.courses),
        }
