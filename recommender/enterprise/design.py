"""Training classes for an enterprise: per cohort, a curriculum covering its gap and the colleges that can teach it.

For each cohort (:mod:`recommender.enterprise.cohorts`):

1. **Curriculum** — a greedy weighted set cover over the catalog's course subjects (courses grouped by name):
   repeatedly take the subject that covers the most still-uncovered gap weight (ties: the better degree, then
   the subject more partner colleges offer), until every teachable skill is covered or ``max_courses`` are
   taken. Coverage is the share of the *teachable* gap weight covered (a skill no course of the catalog covers
   is listed as untaught, for on-the-job training); ``teachable_share`` says how much of the gap that is.
2. **Colleges** — every partner college offering at least one curriculum course through its programs, ranked by
   fit (share of the curriculum it offers), then how it reaches the enterprise (送教上门: the college sits in the
   enterprise's city; 教学点: it has a teaching point there; 线上 / 线上+面授: online or hybrid programs;
   异地面授: classes elsewhere), then whether its programs run in the evening, at weekends or flexibly (shift
   work), then the cost per head after subsidies. Each college is proposed only for the courses it offers: the
   course ids are those of its own programs (``Catalog.courses_of_program``), checked again before returning.
3. **Cost and tracks** — per worker, a *degree track* when the education ladder admits them to one of the
   college's programs that teach the curriculum (``recommender.rules.eligibility.is_eligible``), priced at the
   program's total tuition; otherwise a *non-degree class*, priced per credit (the program's tuition over its
   credits). Subsidies come from the subsidy engine per worker (``evaluate_subsidies``); a non-degree class has no
   program level, so policies limited to degree levels do not pay for it. Roster members are assumed to be union
   members (the roster does not say). Amounts are averaged per head.
"""

from __future__ import annotations

import math
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from tqdm.auto import tqdm

from recommender.catalog.catalog import Catalog
from recommender.catalog.model import College, Enterprise, Program, Worker
from recommender.enterprise.cohorts import (
    DEFAULT_MAX_COHORTS,
    DEFAULT_MIN_COHORT,
    Cohort,
    CohortAnalysis,
    GapSkill,
    TargetRole,
    WorkerProfile,
    find_cohorts,
)
from recommender.enterprise.linking import OccupationLinks
from recommender.enterprise.roster import Roster, load_roster, roster_from_workers
from recommender.enterprise.skills import SkillModel, skill_model_for
from recommender.errors import UserError
from recommender.rules.eligibility import EligibilityError, is_eligible
from recommender.rules.subsidies import SubsidyResult, default_policies, evaluate_subsidies

DEFAULT_MAX_COURSES = 12
DEFAULT_MAX_COLLEGES = 5
DEFAULT_CLASS_SIZE = 40
MIN_FIT = 0.5  # a college offering less than this share of the curriculum is proposed only when none offers more
DELIVERY_ORDER = ("送教上门", "教学点", "线上", "线上+面授", "异地面授")
DELIVERY_NOTES = {
    "送教上门": "学校在企业所在城市，可送教进厂",
    "教学点": "学校在企业所在城市设有教学点",
    "线上": "线上授课，不受地点限制",
    "线上+面授": "线上学习为主，集中面授需赴学校",
    "异地面授": "面授在外地，需赴学校上课",
}
SHIFT_SCHEDULES = ("弹性", "晚间", "周末")


# ------------------------------------------------------------------------------------------------ results
@dataclass(frozen=True)
class CurriculumCourse:
    """A course subject of the curriculum and the gap skills it covers."""

    name: str
    description: str
    credits: float
    covers: tuple[str, ...]  # the skills it newly covered when it was picked
    gain: float  # the gap weight it newly covered
    colleges: int  # partner colleges offering it

    def to_dict(self) -> dict:
        return {"name": self.name, "description": self.description, "credits": self.credits,
                "covers": list(self.covers), "gain": round(self.gain, 4), "colleges_offering": self.colleges}


@dataclass(frozen=True)
class ProposedCourse:
    """A curriculum course as one college teaches it: its own course id in one of its programs."""

    name: str
    course_id: str
    program_id: str
    credits: float

    def to_dict(self) -> dict:
        return {"name": self.name, "course_id": self.course_id, "program_id": self.program_id,
                "credits": self.credits}


@dataclass(frozen=True)
class TrackCost:
    """What one track (degree or non-degree) costs its workers, per head, before and after subsidies."""

    workers: int
    tuition_per_head: float
    net_per_head: float
    pay_now_per_head: float
    subsidy_per_head: float
    rules: tuple[tuple[str, int], ...] = ()  # subsidy rule ids applied → workers

    def to_dict(self) -> dict:
        return {"workers": self.workers, "tuition_per_head": round(self.tuition_per_head),
                "subsidy_per_head": round(self.subsidy_per_head), "net_per_head": round(self.net_per_head),
                "pay_now_per_head": round(self.pay_now_per_head),
                "subsidy_rules": {rule: n for rule, n in self.rules}}


@dataclass(frozen=True)
class CollegeOffer:
    """A partner college able to teach (part of) a cohort's curriculum, and how, when and for how much."""

    college_id: str
    college_name: str
    college_city: str
    fit: float  # share of the curriculum's courses it offers
    coverage: float  # share of the teachable gap its courses cover
    courses: tuple[ProposedCourse, ...]
    missing: tuple[str, ...]  # curriculum courses it does not offer
    delivery: str  # one of DELIVERY_ORDER
    study_modes: tuple[str, ...]
    schedules: tuple[str, ...]  # shift-friendly schedules of the programs teaching the courses
    classes: int
    class_size: int
    degree: TrackCost
    non_degree: TrackCost
    degree_programs: tuple[tuple[str, str, str, int], ...]  # (program_id, major name, level, workers)
    degree_workers: tuple[str, ...]  # pseudonyms
    non_degree_workers: tuple[str, ...]

    @property
    def shift_friendly(self) -> bool:
        return bool(self.schedules)

    @property
    def tuition_per_head(self) -> float:
        n = self.degree.workers + self.non_degree.workers
        return (self.degree.tuition_per_head * self.degree.workers
                + self.non_degree.tuition_per_head * self.non_degree.workers) / n if n else 0.0

    @property
    def net_per_head(self) -> float:
        n = self.degree.workers + self.non_degree.workers
        return (self.degree.net_per_head * self.degree.workers
                + self.non_degree.net_per_head * self.non_degree.workers) / n if n else 0.0

    def to_dict(self) -> dict:
        return {
            "college_id": self.college_id, "college": self.college_name, "city": self.college_city,
            "fit": round(self.fit, 4), "coverage": round(self.coverage, 4),
            "courses": [c.to_dict() for c in self.courses], "missing_courses": list(self.missing),
            "delivery": self.delivery, "delivery_note": DELIVERY_NOTES[self.delivery],
            "study_modes": list(self.study_modes), "schedules": list(self.schedules),
            "shift_friendly": self.shift_friendly, "classes": self.classes, "class_size": self.class_size,
            "cost_per_head_before_subsidies": round(self.tuition_per_head),
            "cost_per_head_after_subsidies": round(self.net_per_head),
            "degree_track": {**self.degree.to_dict(), "programs": [
                {"program_id": p, "major": m, "level": lvl, "workers": n} for p, m, lvl, n in self.degree_programs]},
            "non_degree": self.non_degree.to_dict(),
            "degree_workers": list(self.degree_workers), "non_degree_workers": list(self.non_degree_workers),
        }


@dataclass(frozen=True)
class CohortDesign:
    """A cohort's training class: curriculum, coverage and the colleges proposed."""

    cohort: Cohort
    curriculum: tuple[CurriculumCourse, ...]
    coverage: float  # share of the teachable gap weight covered by the curriculum
    teachable_share: float  # share of the gap weight some course of the catalog covers
    untaught: tuple[str, ...]  # gap skills no course covers (on-the-job training)
    uncovered: tuple[str, ...]  # teachable gap skills the curriculum leaves out (max_courses reached)
    colleges: tuple[CollegeOffer, ...]
    note: str = ""

    def to_dict(self) -> dict:
        return {
            **self.cohort.to_dict(),
            "curriculum": [c.to_dict() for c in self.curriculum],
            "coverage": round(self.coverage, 4),
            "teachable_share": round(self.teachable_share, 4),
            "untaught_skills": list(self.untaught),
            "uncovered_skills": list(self.uncovered),
            "colleges": [c.to_dict() for c in self.colleges],
            "note": self.note,
        }


@dataclass(frozen=True)
class TrainingDesign:
    """Cohorts and their training classes for one enterprise."""

    enterprise_id: str
    enterprise_name: str
    city: str
    target: TargetRole | None
    roster_size: int
    cohorts: tuple[CohortDesign, ...]
    analysis: CohortAnalysis
    settings: dict = field(default_factory=dict)
    timings: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {
            "enterprise_id": self.enterprise_id,
            "enterprise": self.enterprise_name,
            "city": self.city,
            "target_role": self.target.to_dict() if self.target else None,
            "roster_size": self.roster_size,
            "cohorts": [c.to_dict() for c in self.cohorts],
            "silhouettes": {str(k): round(v, 4) for k, v in sorted(self.analysis.silhouettes.items())},
            "settings": dict(self.settings),
            "timings_s": {k: round(v, 3) for k, v in self.timings.items()},
            "privacy": "employee ids are pseudonymised (HMAC-SHA256); the mapping is not part of this output",
        }

    def summary(self) -> str:
        """The design as a training manager or a worker reads it (Chinese)."""
        from recommender.enterprise.report import summary_text

        return summary_text(self)


# ----------------------------------------------------------------------------------------------- curriculum
def design_curriculum(gap: Sequence[GapSkill], skills: SkillModel, *, max_courses: int = DEFAULT_MAX_COURSES
                      ) -> tuple[tuple[CurriculumCourse, ...], float, float, tuple[str, ...], tuple[str, ...]]:
    """Greedy weighted set cover of a gap by course subjects.

    Returns
    -------
    (curriculum, coverage, teachable_share, untaught, uncovered)
        ``coverage``: share of the teachable gap weight covered; ``teachable_share``: share of the whole gap
        weight that some subject covers; ``untaught``: skills no subject covers; ``uncovered``: teachable skills
        left out when ``max_courses`` ran out.
    """
    covering = {g.skill.skill_id: skills.covering_subjects(g.skill) for g in gap}
    weight = {g.skill.skill_id: g.weight for g in gap}
    text = {g.skill.skill_id: g.skill.text for g in gap}
    teachable = [s for s in weight if covering[s]]
    gap_total = sum(weight.values())
    total = sum(weight[s] for s in teachable)
    covers_of: dict[str, dict[str, float]] = defaultdict(dict)
    for s in teachable:
        for name, degree in covering[s].items():
            covers_of[name][s] = degree
    uncovered = set(teachable)
    chosen: list[CurriculumCourse] = []
    while uncovered and len(chosen) < max_courses:
        best, best_key = None, None
        for name, covers in covers_of.items():
            if any(c.name == name for c in chosen):
                continue
            hit = [s for s in covers if s in uncovered]
            if not hit:
                continue
            key = (round(sum(weight[s] for s in hit), 9), round(sum(covers[s] for s in hit), 9),
                   len(skills.subjects[name].colleges), name)
            if best_key is None or key[:3] > best_key[:3] or (key[:3] == best_key[:3] and key[3] < best_key[3]):
                best, best_key = name, key
        if best is None:
            break
        hit = sorted((s for s in covers_of[best] if s in uncovered), key=lambda s: -weight[s])
        subject = skills.subjects[best]
        chosen.append(CurriculumCourse(best, subject.description, subject.credits, tuple(text[s] for s in hit),
                                       sum(weight[s] for s in hit), len(subject.colleges)))
        uncovered -= set(hit)
    covered = total - sum(weight[s] for s in uncovered)
    coverage = covered / total if total else 1.0
    teachable_share = total / gap_total if gap_total else 1.0
    untaught = tuple(text[s] for s in weight if not covering[s])
    return tuple(chosen), coverage, teachable_share, untaught, tuple(text[s] for s in sorted(uncovered))


# -------------------------------------------------------------------------------------------------- colleges
class _Pricing:
    """Per-worker eligibility and subsidies, cached on what they depend on."""

    def __init__(self, catalog: Catalog, policies, province: str, city: str):
        self.catalog = catalog
        self.policies = tuple(policies)
        self.province = province
        self.city = city
        self._credits: dict[str, float] = {}
        self._subsidy: dict[tuple, SubsidyResult] = {}
        self._eligible: dict[tuple[str, str], bool] = {}

    def fee_per_credit(self, program: Program) -> float:
        if program.program_id not in self._credits:
            courses = self.catalog.courses_of_program(program.program_id)
            credits = sum(c.credits or 0 for c in courses)
            self._credits[program.program_id] = (program.total_tuition / credits if credits
                                                 else program.total_tuition / max(len(courses), 1) / 4.0)
        return self._credits[program.program_id]

    def eligible(self, education: str, program: Program) -> bool:
        key = (education, program.program_id)
        if key not in self._eligible:
            try:
                self._eligible[key] = bool(education) and is_eligible(Worker("-", "-", education=education),
                                                                      program).allowed
            except EligibilityError:
                self._eligible[key] = False
        return self._eligible[key]

    def subsidy(self, profile: WorkerProfile, program: Program, tuition: int) -> SubsidyResult:
        w = profile.member.worker
        occupation = profile.occupation_code if profile.confidence >= 0.3 else ""
        key = (w.education, w.city, w.honours, w.union_member, occupation, w.job_title, program.program_id,
               program.level, program.entry_route, tuition)
        if key not in self._subsidy:
            worker = replace(w, city=w.city or self.city, province=w.province or self.province,
                             occupation_code=occupation, education=w.education or "高中")
            try:
                self._subsidy[key] = evaluate_subsidies(worker, program, tuition, self.policies)
            except EligibilityError:
                self._subsidy[key] = SubsidyResult(tuition, ())
        return self._subsidy[key]


def _track_cost(results: list[SubsidyResult]) -> TrackCost:
    n = len(results)
    if not n:
        return TrackCost(0, 0.0, 0.0, 0.0, 0.0)
    rules = Counter(line.rule_id for r in results for line in r.lines)
    return TrackCost(n, sum(r.tuition for r in results) / n, sum(r.net_cost for r in results) / n,
                     sum(r.pay_now for r in results) / n, sum(r.total_subsidy for r in results) / n,
                     tuple(sorted(rules.items(), key=lambda kv: (-kv[1], kv[0]))))


def _delivery(college: College, city: str, programs: Sequence[Program]) -> str:
    if city and college.city == city:
        return "送教上门"
    if city and city in college.teaching_points:
        return "教学点"
    modes = {p.study_mode for p in programs}
    if "线上" in modes:
        return "线上"
    if "混合" in modes:
        return "线上+面授"
    return "异地面授"


def college_offers(cohort: Cohort, curriculum: Sequence[CurriculumCourse], gap: Sequence[GapSkill],
                   skills: SkillModel, pricing: _Pricing, *, class_size: int = DEFAULT_CLASS_SIZE,
                   max_colleges: int = DEFAULT_MAX_COLLEGES) -> tuple[tuple[CollegeOffer, ...], str]:
    """The partner colleges able to teach the curriculum, best first, and a note when none fits well."""
    catalog = pricing.catalog
    if not curriculum:
        return (), ""
    by_college: dict[str, dict[str, list[tuple[str, str]]]] = defaultdict(lambda: defaultdict(list))
    for course in curriculum:
        for college_id, program_id, course_id in skills.subjects[course.name].offerings:
            by_college[college_id][course.name].append((program_id, course_id))
    weight = {g.skill.text: g.weight for g in gap}
    teachable_total = sum(weight.get(s, 0.0) for c in curriculum for s in c.covers) or 1.0
    offers = []
    for college_id, offered in by_college.items():
        college = catalog.colleges[college_id]
        # one program per course: the college's program teaching most of the curriculum, then the cheapest
        load = Counter(pid for pairs in offered.values() for pid in {p for p, _ in pairs})
        proposed = []
        for course in curriculum:
            pairs = offered.get(course.name)
            if not pairs:
                continue
            pid, cid = min(pairs, key=lambda pc: (-load[pc[0]], catalog.programs[pc[0]].total_tuition, pc[0]))
            proposed.append(ProposedCourse(course.name, cid, pid, float(catalog.courses[cid].credits or 0)))
        programs = [catalog.programs[p] for p in dict.fromkeys(c.program_id for c in proposed)]
        missing = tuple(c.name for c in curriculum if c.name not in offered)
        covered = sum(weight.get(s, 0.0) for c in curriculum if c.name in offered for s in c.covers)
        schedules = tuple(s for s in SHIFT_SCHEDULES if any(s in p.schedule for p in programs))
        anchors = sorted({catalog.programs[p] for pairs in offered.values() for p, _ in pairs},
                         key=lambda p: (-load[p.program_id], p.total_tuition, p.program_id))
        offers.append(_price_offer(cohort, college, proposed, programs, anchors, missing,
                                   len(proposed) / len(curriculum), covered / teachable_total, schedules,
                                   pricing, class_size))
    offers.sort(key=lambda o: (-round(o.fit, 2), DELIVERY_ORDER.index(o.delivery), not o.shift_friendly,
                               o.net_per_head, o.college_id))
    good = [o for o in offers if o.fit >= MIN_FIT and o.shift_friendly]
    note = ""
    if not good:
        good = offers[:3]
        note = "没有一所合作院校能开出半数以上课程并适合倒班学习，以下为最接近的院校，可联合多校开班。"
    return tuple(good[:max_colleges]), note


def _price_offer(cohort, college, proposed, programs, anchors, missing, fit, coverage, schedules, pricing,
                 class_size) -> CollegeOffer:
    class_fee = {p.program_id: pricing.fee_per_credit(p) for p in programs}
    fee = round(sum(c.credits * class_fee[c.program_id] for c in proposed))
    class_program = replace(programs[0], program_id=f"{college.college_id}-class", level="",
                            entry_route="非学历", tuition_per_year=fee, years=1.0)
    degree, non_degree, used = [], [], Counter()
    degree_ids, other_ids = [], []
    for profile in cohort.members:
        education = profile.member.worker.education
        program = next((p for p in anchors if pricing.eligible(education, p)), None)
        if program is not None:
            degree.append(pricing.subsidy(profile, program, program.total_tuition))
            used[program.program_id] += 1
            degree_ids.append(profile.member.pseudonym)
        else:
            non_degree.append(pricing.subsidy(profile, class_program, fee))
            other_ids.append(profile.member.pseudonym)
    catalog = pricing.catalog
    degree_programs = tuple(
        (pid, catalog.majors[catalog.programs[pid].major_code].name, catalog.programs[pid].level, n)
        for pid, n in used.most_common())
    classes = max(1, math.ceil(cohort.size / class_size))
    return CollegeOffer(
        college.college_id, college.name, college.city, fit, coverage, tuple(proposed), missing,
        _delivery(college, pricing.city, programs), tuple(sorted({p.study_mode for p in programs})), schedules,
        classes, math.ceil(cohort.size / classes), _track_cost(degree), _track_cost(non_degree), degree_programs,
        tuple(degree_ids), tuple(other_ids))


def check_offers(design: TrainingDesign, catalog: Catalog) -> list[str]:
    """Every proposed course against the catalog: the course is one of its program's courses, and the program
    belongs to the proposed college. Returns the violations (empty when all hold)."""
    problems = []
    for cd in design.cohorts:
        for offer in cd.colleges:
            for course in offer.courses:
                program = catalog.programs.get(course.program_id)
                if program is None or program.college_id != offer.college_id:
                    problems.append(f"{cd.cohort.cohort_id}: program {course.program_id} is not of college "
                                    f"{offer.college_id}")
                    continue
                ids = {c.course_id for c in catalog.courses_of_program(program.program_id)}
                if course.course_id not in ids:
                    problems.append(f"{cd.cohort.cohort_id}: {offer.college_id} program {course.program_id} does "
                                    f"not teach {course.course_id} ({course.name})")
    return problems


# -------------------------------------------------------------------------------------------------- the API
def _most_common_city(roster: Roster) -> str:
    """The city most of the roster works in, when the enterprise's city was not given."""
    cities = Counter(m.worker.city for m in roster.members if m.worker.city)
    return cities.most_common(1)[0][0] if cities else ""


def _province_of(catalog: Catalog, city: str) -> str:
    provinces = Counter(c.province for c in catalog.colleges.values() if c.city == city)
    return provinces.most_common(1)[0][0] if provinces else ""


def design_training(roster: Roster | Enterprise | Sequence[Worker] | str | Path, catalog: Catalog, target_role=None,
                    *, city: str = "", min_cohort: int = DEFAULT_MIN_COHORT, max_cohorts: int = DEFAULT_MAX_COHORTS,
                    max_courses: int = DEFAULT_MAX_COURSES, max_colleges: int = DEFAULT_MAX_COLLEGES,
                    class_size: int = DEFAULT_CLASS_SIZE, min_gap_share: float = 0.5,
                    linker: OccupationLinks | None = None, skills: SkillModel | None = None, policies=None,
                    key: bytes | str | None = None, seed: int = 0, show_progress: bool = False) -> TrainingDesign:
    """Cohorts and training classes for an enterprise's staff.

    Parameters
    ----------
    roster : Roster, Enterprise, sequence of Worker, or path
        A roster from :func:`~recommender.enterprise.roster.load_roster`, an ``Enterprise`` with its roster,
        workers (``worker_id`` = employee id; pseudonymised here), or a roster file to import.
    catalog : Catalog
    target_role : str or TargetRole, optional
        The role to train towards: a 大典 code (``4-02-06-03``) or a job name (``物流主管``). Without it each
        cohort is trained towards the degree content of its own occupation.
    city : str
        The enterprise's city (default: the roster's, else the city most of its staff work in); decides 送教上门
        and teaching points, and the subsidies.
    min_cohort, max_cohorts, min_gap_share, seed
        See :func:`~recommender.enterprise.cohorts.find_cohorts`.
    max_courses : int, default 12
        Most courses in a curriculum.
    max_colleges : int, default 5
        Most colleges proposed per cohort.
    class_size : int, default 40
        Most workers per class; a larger cohort is split into several classes.
    linker : OccupationLinks, optional
        The occupation linker (default: the matching engine's over ``catalog``).
    skills : SkillModel, optional
    policies : sequence of SubsidyPolicy, optional
        Defaults to the shipped policies (``default_policies()``).
    key : bytes or str, optional
        Pseudonymisation secret for workers and files (see :mod:`recommender.enterprise.roster`).
    show_progress : bool
        Progress bars on stderr.

    Returns
    -------
    TrainingDesign

    Raises
    ------
    UserError
        An empty or invalid roster, an unknown target role, or a bad parameter.

    Examples
    --------
    >>> design = design_training("var/demo/rosters/E02.csv", catalog, "4-02-06-03", city="苏州市")  # doctest: +SKIP
    >>> design.cohorts[0].curriculum[0].name  # doctest: +SKIP
    '运输管理实务'
    """
    if max_courses < 1 or max_colleges < 1 or class_size < 1:
        raise UserError("max_courses, max_colleges and class_size must each be at least 1")
    timings: dict[str, float] = {}
    started = time.perf_counter()
    if isinstance(roster, (str, Path)):
        roster = load_roster(roster, city=city, key=key)
    elif not isinstance(roster, Roster):
        roster = roster_from_workers(roster, city=city, key=key)
    city = city or roster.city or _most_common_city(roster)
    if not len(roster):
        raise UserError("the roster is empty: there is nobody to train")
    skills = skills or skill_model_for(catalog)
    timings["import"] = time.perf_counter() - started
    t = time.perf_counter()
    analysis = find_cohorts(roster, catalog, target_role=target_role, min_cohort=min_cohort,
                            max_cohorts=max_cohorts, min_gap_share=min_gap_share, linker=linker, skills=skills,
                            seed=seed, show_progress=show_progress)
    timings["cohorts"] = time.perf_counter() - t
    t = time.perf_counter()
    pricing = _Pricing(catalog, default_policies() if policies is None else policies, _province_of(catalog, city),
                       city)
    designs = []
    for cohort in tqdm(analysis.cohorts, desc="classes", unit="cohort", disable=not show_progress, leave=False):
        curriculum, coverage, teachable, untaught, uncovered = design_curriculum(cohort.gap, skills,
                                                                                  max_courses=max_courses)
        offers, note = college_offers(cohort, curriculum, cohort.gap, skills, pricing, class_size=class_size,
                                      max_colleges=max_colleges)
        if not cohort.gap:
            note = "这一组多数人已具备目标技能，不需要开设课程。"
        designs.append(CohortDesign(cohort, curriculum, coverage, teachable, untaught, uncovered, offers, note))
    timings["classes"] = time.perf_counter() - t
    timings["total"] = time.perf_counter() - started
    settings = {"min_cohort": min_cohort, "max_cohorts": max_cohorts, "max_courses": max_courses,
                "max_colleges": max_colleges, "class_size": class_size, "min_gap_share": min_gap_share,
                "catalog": catalog.source, "pseudonyms": "keyed" if roster.keyed else "one-off salt"}
    design = TrainingDesign(roster.enterprise_id, roster.name, city, analysis.target, len(roster), tuple(designs),
                            analysis, settings, timings)
    problems = check_offers(design, catalog)
    if problems:  # a bug, never a user error: fail loudly rather than propose a course a college does not teach
        raise AssertionError("proposed courses not offered: " + "; ".join(problems[:5]))
    return design
