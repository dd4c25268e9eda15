"""What a role asks for, what a worker already has, and which courses teach the difference.

A role's *skills* are its occupation's tasks (one skill per numbered task) and the core courses of the majors
linked to it (``Major.main_courses``; the most shared ones first, at most ``core_courses``). Each skill is a
set of content words (``recommender.recommend.courses.terms_of``), weighted by IDF over every course of the
catalog, so ``仓储`` counts more than ``管理``.

A skill is *had* by a worker when their current role covers it (the IDF-weighted share of its words found in
their job title, duties and linked occupation's name and tasks reaches ``HAVE_THRESHOLD``), or when one of
their certificates transfers credits to a course of that name through the credit bank
(``recommender.rules.credit_bank``). The courses of a catalog are grouped by name into *subjects* (the same
course taught in several programs and colleges). A subject *covers* a task when the share of the task's words
found in the subject's name and description reaches ``COVER_THRESHOLD``, and a core course when the share of
its words found in the subject's *name* reaches ``COURSE_COVER_THRESHOLD`` (the same course, or one that
teaches the same thing under a near name); words that no course of the catalog uses (``核对``, ``办理``) are
left out of these shares, since no course can teach them by name; a skill whose course words carry less than
``TEACHABLE_SHARE`` of its weight is not teachable by courses at all (on-the-job training).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property

from recommender.catalog.catalog import Catalog
from recommender.catalog.model import Course
from recommender.recommend.courses import CourseRelevance, terms_of
from recommender.rules.credit_bank import credit_transfers

HAVE_THRESHOLD = 0.6
COVER_THRESHOLD = 0.5
COURSE_COVER_THRESHOLD = 0.8
TEACHABLE_SHARE = 0.4  # a skill whose words course texts use carry less of its weight than this is untaught
DEFAULT_CORE_COURSES = 10
_TASK_SPLIT = re.compile(r"(?:^|\s)\d{1,2}\s*[.、．)）]\s*")


@dataclass(frozen=True)
class Skill:
    """Something a role asks for: one of its occupation's tasks, or a core course of its majors."""

    skill_id: str  # "task:<code>:<n>" or "course:<name>"
    text: str  # what a person reads
    kind: str  # "task" or "course"
    weight: float  # 0..1: tasks 1; core courses their share among the role's majors, relative to the most shared
    terms: frozenset[str]


@dataclass(frozen=True)
class Subject:
    """Every course of one name in the catalog: what it teaches and where it is offered."""

    name: str
    description: str
    credits: float
    terms: frozenset[str]  # of its name and description
    name_terms: frozenset[str]
    offerings: tuple[tuple[str, str, str], ...]  # (college_id, program_id, course_id), partner colleges only

    @cached_property
    def colleges(self) -> frozenset[str]:
        return frozenset(c for c, _, _ in self.offerings)


class SkillModel:
    """The skills of roles, the subjects of a catalog, and the degrees that tie them (one per catalog).

    Parameters
    ----------
    catalog : Catalog
    core_courses : int
        At most this many core courses per role.
    """

    def __init__(self, catalog: Catalog, core_courses: int = DEFAULT_CORE_COURSES):
        self.catalog = catalog
        self.core_courses = core_courses
        self.relevance = CourseRelevance(list(catalog.courses.values()))
        self._role_skills: dict[str, tuple[Skill, ...]] = {}
        self._role_text_terms: dict[str, frozenset[str]] = {}

    # -- words ------------------------------------------------------------------------------------------------
    def weight_of(self, terms: Iterable[str]) -> float:
        return sum(self.relevance.idf(t) for t in set(terms))

    def degree(self, skill: Skill, terms: frozenset[str] | set[str]) -> float:
        """The IDF-weighted share of the skill's words found in ``terms`` (0..1)."""
        total = self.weight_of(skill.terms)
        return self.weight_of(skill.terms & terms) / total if total else 0.0

    # -- subjects ---------------------------------------------------------------------------------------------
    @cached_property
    def subjects(self) -> dict[str, Subject]:
        """Course subjects by name, each with its offerings at partner colleges (through their programs)."""
        catalog = self.catalog
        offerings: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
        sample: dict[str, Course] = {}
        for program in catalog.programs.values():
            college = catalog.colleges.get(program.college_id)
            if college is None or not college.is_partner:
                continue
            for course in catalog.courses_of_program(program.program_id):
                offerings[course.name].append((program.college_id, program.program_id, course.course_id))
                sample.setdefault(course.name, course)
        out = {}
        for name, course in sample.items():
            text = f"{name} {name} {course.description}"
            out[name] = Subject(name, course.description, float(course.credits or 0), frozenset(terms_of(text)),
                                frozenset(terms_of(name)), tuple(offerings[name]))
        return out

    @cached_property
    def subjects_by_term(self) -> dict[str, tuple[str, ...]]:
        index: dict[str, list[str]] = defaultdict(list)
        for name, subject in self.subjects.items():
            for term in subject.terms:
                index[term].append(name)
        return {t: tuple(v) for t, v in index.items()}

    def covering_subjects(self, skill: Skill) -> dict[str, float]:
        """Subjects covering ``skill`` and their degrees (see the module docstring)."""
        teachable = frozenset(t for t in skill.terms if t in self.subjects_by_term)
        total = self.weight_of(teachable)
        if not total or total < TEACHABLE_SHARE * self.weight_of(skill.terms):
            return {}
        names = {n for t in teachable for n in self.subjects_by_term[t]}
        out = {}
        for name in names:
            subject = self.subjects[name]
            if skill.kind == "course":
                d, threshold = self.weight_of(teachable & subject.name_terms) / total, COURSE_COVER_THRESHOLD
            else:
                d, threshold = self.weight_of(teachable & subject.terms) / total, COVER_THRESHOLD
            if d >= threshold:
                out[name] = d
        return out

    # -- roles ------------------------------------------------------------------------------------------------
    def majors_of(self, occupation_code: str) -> tuple[str, ...]:
        """Majors linked to the occupation; failing that, to the occupations of its 小类 (then 中类)."""
        catalog = self.catalog
        majors = catalog.majors_by_occupation.get(occupation_code, ())
        if majors:
            return majors
        parts = occupation_code.split("-")
        for keep in (3, 2):
            prefix = "-".join(parts[:keep]) + "-"
            found = [m for code, ms in catalog.majors_by_occupation.items() if code.startswith(prefix) for m in ms]
            if found:
                return tuple(dict.fromkeys(found))
        return ()

    def role_skills(self, occupation_code: str) -> tuple[Skill, ...]:
        """The tasks of the occupation and the core courses of its majors, as skills."""
        if occupation_code in self._role_skills:
            return self._role_skills[occupation_code]
        occupation = self.catalog.occupations.get(occupation_code)
        skills: list[Skill] = []
        if occupation is not None:
            for n, task in enumerate(split_tasks(occupation.tasks), start=1):
                terms = frozenset(terms_of(task))
                if terms:
                    skills.append(Skill(f"task:{occupation_code}:{n}", task, "task", 1.0, terms))
        majors = self.majors_of(occupation_code)
        shares: Counter[str] = Counter()
        for code in majors:
            major = self.catalog.majors.get(code)
            if major is not None:
                shares.update(dict.fromkeys(major.main_courses, 1))
        ranked = sorted(shares.items(), key=lambda kv: -kv[1])[: self.core_courses]
        top = ranked[0][1] if ranked else 1
        for name, count in ranked:
            terms = frozenset(terms_of(name))
            if terms:
                skills.append(Skill(f"course:{name}", name, "course", round(count / top, 4), terms))
        self._role_skills[occupation_code] = tuple(skills)
        return self._role_skills[occupation_code]

    def occupation_terms(self, occupation_code: str) -> frozenset[str]:
        """The words of an occupation's name, aliases and tasks (what doing the job already involves)."""
        if occupation_code not in self._role_text_terms:
            o = self.catalog.occupations.get(occupation_code)
            text = " ".join([o.name, *o.aliases, o.tasks]) if o is not None else ""
            self._role_text_terms[occupation_code] = frozenset(terms_of(text))
        return self._role_text_terms[occupation_code]

    def credited(self, certificates: Sequence[str], skills: Sequence[Skill]) -> frozenset[str]:
        """Ids of the course skills that the certificates transfer credits to (the credit bank's rules)."""
        courses = []
        for skill in skills:
            if skill.kind != "course":
                continue
            subject = self.subjects.get(skill.text)
            credits = subject.credits if subject is not None and subject.credits else 4.0
            major = ""
            if subject is not None and subject.offerings:
                course_id = subject.offerings[0][2]
                major = self.catalog.courses[course_id].major_code if course_id in self.catalog.courses else ""
            courses.append(Course(skill.skill_id, skill.text, major, credits=credits))
        if not courses or not certificates:
            return frozenset()
        transfers = credit_transfers(certificates, courses, max_share=Fraction(1))
        return frozenset(t.course_id for t in transfers)

    def had(self, skills: Sequence[Skill], role_terms: frozenset[str], certificates: Sequence[str]
            ) -> frozenset[str]:
        """Ids of the skills a worker already has: covered by the current role, or credited by a certificate."""
        by_role = {s.skill_id for s in skills if self.degree(s, role_terms) >= HAVE_THRESHOLD}
        return frozenset(by_role) | self.credited(certificates, skills)


def split_tasks(tasks: str) -> list[str]:
    """An occupation's tasks, one per numbered item (``1.核对… 2.按…``); otherwise split on ``；`` and ``。``.

    Examples
    --------
    >>> split_tasks("1.安装导轨、轿厢 2.调试电气控制系统")
    ['安装导轨、轿厢', '调试电气控制系统']
    """
    text = (tasks or "").strip()
    if not text:
        return []
    parts = _TASK_SPLIT.split(text) if _TASK_SPLIT.search(text) else re.split(r"[；;。]", text)
    return [p.strip(" ，,；;。") for p in parts if p.strip(" ，,；;。")]


_MODELS: list[tuple[Catalog, int, SkillModel]] = []


def skill_model_for(catalog: Catalog, core_courses: int = DEFAULT_CORE_COURSES) -> SkillModel:
    """The :class:`SkillModel` of ``catalog``, built once per process and reused."""
    for cached, cores, model in _MODELS:
        if cached is catalog and cores == core_courses:
            return model
    model = SkillModel(catalog, core_courses)
    _MODELS[:] = [*_MODELS[-3:], (catalog, core_courses, model)]
    return model
