"""Worker recommendations: matched majors → eligible, reachable, affordable programs → courses, cost, reasons.

The pipeline for one worker:

1. the major matcher links the job text to occupations and ranks majors (``MajorMatcher``);
2. every program of a candidate major goes through the hard constraints, as filters: the education ladder, place,
   mode and schedule, then (after subsidies) the budget; each exclusion is counted by constraint;
3. survivors are ranked by fit to the job, reach and net cost, with at most ``per_college`` programs per college;
4. each result carries its courses ranked against the job, credit-bank transfers, the subsidy lines with their
   citations, and a reason in Chinese or English.

In non-personalised mode the job text and personal attributes are not used for ranking: programs that pass the
worker's explicit filters are ranked by public criteria only (net cost for a union member, reach, then id).

Steps 2–4 run on arrays (``recommender.recommend.tables``): the constraints and subsidies of every program are
tables kept by the few worker fields they read, so a worker's ~150 candidate programs are filtered and scored at
once, and their courses are ranked from one pass of the query over every distinct course text
(``CourseRelevance.scores``). ``Recommender._recommend_reference`` is the same pipeline program by program; it
serves the workers the tables cannot (a rule that raises) and tests/recommend/test_program_tables.py checks that
both give the same results.
"""

from __future__ import annotations

import gc
import heapq
from collections import Counter, deque
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

import numpy as np
from tqdm.auto import tqdm

from recommender.catalog.catalog import Catalog
from recommender.catalog.model import Course, Program, Worker
from recommender.recommend.constraints import (
    REACH_EN,
    REACH_ORDER,
    REACH_ZH,
    check_budget,
    check_mode,
    check_place,
)
from recommender.recommend.courses import CourseIndex, CourseMatch, CourseRelevance, QueryScores
from recommender.recommend.ladder import MajorLadder
from recommender.recommend.tables import BUDGET, CONSTRAINT_OF, PASS, REFERENCE, ProgramTables
from recommender.rules.credit_bank import Transfer, credit_transfers
from recommender.rules.eligibility import eligible_levels, is_eligible
from recommender.rules.subsidies import SubsidyEvaluator, SubsidyResult, default_policies


@dataclass(frozen=True)
class LinkedOccupation:
    code: str
    name: str
    confidence: float  # 0..1


@dataclass(frozen=True)
class MajorCandidate:
    major_code: str
    score: float  # higher is better; only the order and the ratio to the best matter
    occupations: tuple[str, ...] = ()  # codes of the linked occupations this major serves (known links)


class MajorMatcher(Protocol):
    def match(self, text: str, *, levels: Sequence[str] | None = None, k: int = 50
              ) -> tuple[list[LinkedOccupation], list[MajorCandidate]]:
        """Occupations linked to ``text`` and majors ranked for it (restricted to ``levels`` when given)."""
        ...


@dataclass(frozen=True)
class Recommendation:
    rank: int
    program: Program
    college_name: str
    major_name: str
    reach: str
    fit: float
    score: float
    subsidy: SubsidyResult
    courses: tuple[CourseMatch, ...]
    credit_transfers: tuple[Transfer, ...]
    occupations: tuple[LinkedOccupation, ...]
    reason: str

    def to_dict(self) -> dict:
        p = self.program
        return {
            "rank": self.rank,
            "program_id": p.program_id,
            "college_id": p.college_id,
            "college": self.college_name,
            "major_code": p.major_code,
            "major": self.major_name,
            "level": p.level,
            "study_mode": p.study_mode,
            "schedule": list(p.schedule),
            "years": p.years,
            "entry_route": p.entry_route,
            "places": list(p.places),
            "reach": self.reach,
            "fit": round(self.fit, 4),
            "score": round(self.score, 4),
            "tuition_total": self.subsidy.tuition,
            "net_cost": self.subsidy.net_cost,
            "pay_now": self.subsidy.pay_now,
            "subsidy": self.subsidy.to_dict(),
            "courses": [
                {"course_id": m.course.course_id, "name": m.course.name, "credits": m.course.credits,
                 "relevance": m.score, "evidence": list(m.evidence)}
                for m in self.courses
            ],
            "credit_transfers": [
                {"certificate": t.certificate, "course_id": t.course_id, "course": t.course_name,
                 "credits": t.credits, "rule_id": t.rule_id}
                for t in self.credit_transfers
            ],
            "occupations": [{"code": o.code, "name": o.name, "confidence": round(o.confidence, 4)}
                            for o in self.occupations],
            "reason": self.reason,
        }


@dataclass(frozen=True)
class Recommendations:
    worker: Worker
    personalised: bool
    occupations: tuple[LinkedOccupation, ...]
    items: tuple[Recommendation, ...]
    excluded: dict[str, int] = field(default_factory=dict)  # constraint → programs it excluded
    message: str = ""  # set when nothing fits: which constraint excluded what

    def to_dict(self) -> dict:
        return {
            "personalised": self.personalised,
            "occupations": [{"code": o.code, "name": o.name, "confidence": round(o.confidence, 4)}
                            for o in self.occupations],
            "recommendations": [r.to_dict() for r in self.items],
            "excluded": dict(self.excluded),
            "message": self.message,
        }


CONSTRAINT_ZH = {"eligibility": "学历层次", "place": "上课地点", "mode": "学习方式", "schedule": "上课时间",
                 "budget": "预算"}


class Recommender:
    """Recommends programs to workers over one catalog.

    Parameters
    ----------
    catalog : Catalog
    matcher : MajorMatcher
        Links job text to occupations and ranks majors.
    policies : sequence of SubsidyPolicy, optional
        Defaults to the shipped demo policies.
    per_college : int
        At most this many programs of one college in a result list.
    candidate_majors : int
        How many matched majors' programs are considered.
    major_repeat_penalty : float
        Score taken off a program for each program of the same major already in the list (diversity).
    min_fit : float
        Majors fitting less than this share of the best match (at any level) are not recommended.
    """

    def __init__(self, catalog: Catalog, matcher: MajorMatcher, *, policies=None, per_college: int = 2,
                 candidate_majors: int = 40, major_repeat_penalty: float = 0.05, min_fit: float = 0.2):
        self.catalog = catalog
        self.matcher = matcher
        self.policies = tuple(default_policies() if policies is None else policies)
        self.per_college = per_college
        self.candidate_majors = candidate_majors
        self.major_repeat_penalty = major_repeat_penalty
        self.min_fit = min_fit
        self.course_relevance = CourseRelevance(list(catalog.courses.values()))
        self.ladder = MajorLadder(catalog)
        self.subsidies = SubsidyEvaluator(self.policies)
        self._program_courses: dict[str, tuple[list[Course], CourseIndex]] = {}  # filled as programs are shown
        self._course_numbers: dict[str, tuple[list[Course], np.ndarray | None]] = {}  # the same, for QueryScores
        self._course_lists: dict[str, list[Course]] = {}
        self._tables: ProgramTables | None = None  # built on the first recommendation

    # -- the pipeline -------------------------------------------------------------------------------------------
    def recommend(self, worker: Worker, *, limit: int = 10, personalised: bool = True, place_scope: str = "any",
                  language: str = "zh", courses_per_program: int = 5) -> Recommendations:
        levels = eligible_levels(worker.education)
        match = None
        if personalised:
            match = self.matcher.match(worker.job_text, levels=None, k=len(self.catalog.majors))
        options = _Options(limit, personalised, place_scope, language, courses_per_program)
        return self._recommend(worker, levels, match, options, _Shared(by_job_text=False))

    def recommend_many(self, workers: Sequence[Worker], *, limit: int = 10, personalised: bool = True,
                       place_scope: str = "any", language: str = "zh", courses_per_program: int = 5,
                       cache_job_texts: bool = True, batch_size: int = 256, show_progress: bool = False
                       ) -> list[Recommendations]:
        """``[self.recommend(w, ...) for w in workers]``, the same results, computed for many workers at once.

        Job texts are matched in batches of ``batch_size`` (``match_many`` when the matcher has it: a text's scores
        do not depend on its batch), and what depends only on the catalog and a few profile fields is worked out
        once per batch: eligibility, place and mode by program, subsidies by the rules that hold and the tuition,
        credit transfers by certificates and program.

        With ``cache_job_texts`` (the default), work that depends on the job text is shared too: workers with the
        same profile (every field but the id) get the same recommendations, computed once, and each distinct job
        text is matched once and its courses ranked once per program. Without it every worker is matched and
        ranked on their own, as a population where no two workers type the same text would be.

        Raises what ``recommend`` raises for the first worker it would raise for (an unknown education).
        """
        paused = gc.isenabled()
        gc.disable()  # a batch allocates many long-lived, acyclic objects: collecting would only re-scan them
        try:
            return self._recommend_many(list(workers), _Options(limit, personalised, place_scope, language,
                                                                courses_per_program),
                                        cache_job_texts, batch_size, show_progress)
        finally:
            if paused:
                gc.enable()

    def _recommend_many(self, workers: list[Worker], options: _Options, cache_job_texts: bool, batch_size: int,
                        show_progress: bool) -> list[Recommendations]:
        levels_of = [eligible_levels(w.education) for w in workers]  # an unknown education fails before any work
        shared = _Shared(by_job_text=cache_job_texts)
        # Units of work: a job text and the workers to recommend for it (lists of workers with one profile).
        if cache_job_texts:
            groups: dict[object, list[int]] = {}
            for i, w in enumerate(workers):
                groups.setdefault(_profile_key(w), []).append(i)
            by_text: dict[str, list[list[int]]] = {}
            for members in groups.values():
                by_text.setdefault(workers[members[0]].job_text, []).append(members)
            units = list(by_text.items())
        else:
            units = [(w.job_text, [[i]]) for i, w in enumerate(workers)]
        results: list[Recommendations | None] = [None] * len(workers)
        steps = range(0, len(units), batch_size)
        for start in tqdm(steps, desc="recommend", unit="batch", disable=not show_progress or len(steps) < 2):
            chunk = units[start: start + batch_size]  # matched together, then dropped: memory stays flat
            matches = self._match_texts([text for text, _ in chunk]) if options.personalised else [None] * len(chunk)
            for (_, member_lists), match in zip(chunk, matches):
                for members in member_lists:
                    first = members[0]
                    result = results[first] = self._recommend(workers[first], levels_of[first], match, options,
                                                               shared)
                    for i in members[1:]:
                        results[i] = replace(result, worker=workers[i])
            shared.next_texts()
        return results

    def _match_texts(self, texts: list[str]) -> list:
        """``[self.matcher.match(t, levels=None, k=all majors) for t in texts]``, in one batch when it can."""
        k = len(self.catalog.majors)
        match_many = getattr(self.matcher, "match_many", None)
        if match_many is not None:
            return match_many(texts, levels=None, k=k)
        return [self.matcher.match(t, levels=None, k=k) for t in texts]

    def _recommend(self, worker: Worker, levels: tuple[str, ...], match, options: _Options,
                   shared: _Shared) -> Recommendations:
        """One worker's recommendations: by the program tables (``_recommend_tables``), or, when those cannot
        decide for this worker (a check or rule that raises), by the reference path, program by program."""
        found = self._recommend_tables(worker, levels, match, options, shared)
        if found is None:
            found = self._recommend_reference(worker, levels, match, options, shared)
        return found

    def _recommend_reference(self, worker: Worker, levels: tuple[str, ...], match, options: _Options,
                             shared: _Shared) -> Recommendations:
        """The pipeline program by program: what ``_recommend_tables`` computes with arrays (tested equal)."""
        personalised = options.personalised
        if personalised:
            occupations, majors = match
            fits = self.ladder.fit_at_levels(majors, levels, min_fit=self.min_fit)[: self.candidate_majors]
            fit_of = {f.major_code: f.fit for f in fits}
            fit_by_major = {f.major_code: f for f in fits}
            program_ids = [pid for f in fits for pid in self.catalog.programs_by_major.get(f.major_code, ())]
        else:
            occupations, fit_of, fit_by_major = [], {}, {}
            program_ids = [p.program_id for p in self.catalog.programs.values() if p.level in levels]
        self._last_fits = fit_by_major
        excluded: Counter[str] = Counter()
        survivors = []
        subsidy_of = self.subsidies.for_worker(worker if personalised else _public_worker(worker))
        programs, colleges = self.catalog.programs, self.catalog.colleges
        checked = shared.checks(worker, options.place_scope)
        for pid in program_ids:
            found = checked.get(pid)
            if found is None:
                found = checked[pid] = self._check(programs[pid], worker, options.place_scope)
            constraint, how = found
            if constraint is not None:
                if constraint:
                    excluded[constraint] += 1
                continue
            program = programs[pid]
            college = colleges[program.college_id]
            subsidy = self._subsidy(subsidy_of, program)
            exclusion = check_budget(subsidy.net_cost, worker)
            if exclusion:
                excluded["budget"] += 1
                continue
            survivors.append((program, college, how, subsidy))
        items = []
        query = None
        for program, college, how, subsidy, fit, score in self._select(self._rank(survivors, fit_of, personalised),
                                                                       options.limit):
            if personalised and query is None:
                query = self._course_query(worker.job_text, occupations)
            items.append(self._explain(len(items) + 1, worker, program, college, how, subsidy, fit, score,
                                       occupations if personalised else [], personalised, options.language,
                                       options.courses_per_program, fit_by_major, shared, query))
        message = "" if items else _nothing_fits(excluded, len(program_ids), levels, options.language)
        return Recommendations(worker, personalised, tuple(occupations), tuple(items), dict(excluded), message)

    def program_tables(self) -> ProgramTables:
        """The catalog's programs as arrays (``recommender.recommend.tables``), built on first use."""
        if self._tables is None:
            self._tables = ProgramTables(self.catalog, self.subsidies)
        return self._tables

    def _recommend_tables(self, worker: Worker, levels: tuple[str, ...], match, options: _Options,
                          shared: _Shared) -> Recommendations | None:
        """``_recommend_reference`` with every candidate program looked up in the program tables at once; None
        when a candidate's check or subsidy raised in the tables (the reference path then raises, or not, as it
        would) or the worker's budget is not a number."""
        personalised = options.personalised
        budget = worker.budget_yuan
        if budget is not None and not (isinstance(budget, float) or isinstance(budget, int) and abs(budget) < 2**62):
            return None  # compared in int64 or float64 below
        subsidy_key = self.subsidies.worker_key(worker if personalised else _public_worker(worker))
        if subsidy_key is None:
            return None
        tables = self.program_tables()
        if personalised:
            occupations, majors = match
            fits = self.ladder.fit_at_levels(majors, levels, min_fit=self.min_fit)[: self.candidate_majors]
            fit_by_major = {f.major_code: f for f in fits}
            parts = [tables.by_major.get(f.major_code, _NO_PROGRAMS) for f in fits]
            positions = np.concatenate(parts) if parts else _NO_PROGRAMS
            fit_values = np.repeat(np.array([f.fit for f in fits], dtype=np.float64), [len(p) for p in parts])
        else:
            occupations, fit_by_major = [], {}
            positions = tables.at_levels(levels)
            fit_values = None
        self._last_fits = fit_by_major
        check_all, reach_all = tables.checks(worker, options.place_scope)
        result_all, net_all, results = tables.subsidies(subsidy_key)
        code = check_all[positions]
        passing = code == PASS
        if (code == REFERENCE).any() or (result_all[positions[passing]] < 0).any():
            return None
        net = net_all[positions]
        if budget is not None:
            code = np.where(passing & (net > budget), np.int8(BUDGET), code)
            passing = code == PASS
        counts = np.bincount(code, minlength=len(CONSTRAINT_OF) + 3).tolist()
        present = [c for c in CONSTRAINT_OF if counts[c]]
        if len(present) > 1:  # in the order the reference meets them, for ``most_common`` ties
            present.sort(key=lambda c: int(np.argmax(code == c)))
        excluded = Counter({CONSTRAINT_OF[c]: counts[c] for c in present})
        items = []
        survivors = np.flatnonzero(passing)
        if len(survivors):
            program_at = positions[survivors]
            net = net[survivors]
            cost_score = 1.0 - net / (int(net.max()) or 1)
            reach_score = _REACH_SCORES[reach_all[program_at]]
            if personalised:
                fit = fit_values[survivors]
                score = 0.7 * fit + 0.15 * reach_score + 0.15 * cost_score
            else:
                fit = np.zeros(len(survivors))
                score = 0.5 * cost_score + 0.5 * reach_score
            ranked = np.lexsort((tables.id_rank[program_at], -score))[: options.limit * 20]
            program_at, fit, score = program_at[ranked], fit[ranked].tolist(), score[ranked].tolist()
            picked = self._select_ranked(tables.major[program_at], tables.college[program_at], score, options.limit)
            chosen = program_at[picked].tolist()
            chosen_fit, chosen_score = [fit[i] for i in picked], [score[i] for i in picked]
            course_lists, query = [None] * len(chosen), None
            if personalised and chosen:
                query = self._course_query(worker.job_text, occupations)
                query_scores = self.course_relevance.scores(query[1])
                if query_scores is not None:  # every program's courses ranked in one go
                    course_lists = shared.ranked_courses_many(
                        worker.job_text, query[0], query_scores,
                        [(tables.programs[p].program_id, *self._course_numbers_of(tables.programs[p].program_id))
                         for p in chosen], options.courses_per_program)
            for p, fit_p, score_p, course_matches in zip(chosen, chosen_fit, chosen_score, course_lists):
                items.append(self._explain(len(items) + 1, worker, tables.programs[p], tables.colleges[p],
                                           _REACH_OF[int(reach_all[p])], results[int(result_all[p])], fit_p,
                                           score_p, occupations if personalised else [], personalised,
                                           options.language, options.courses_per_program, fit_by_major, shared,
                                           query, course_matches))
        message = "" if items else _nothing_fits(excluded, len(positions), levels, options.language)
        return Recommendations(worker, personalised, tuple(occupations), tuple(items), dict(excluded), message)

    def _select_ranked(self, majors: np.ndarray, colleges: np.ndarray, scores: list[float],
                       limit: int) -> list[int]:
        """``_select`` over ranked candidates given by their major and college numbers and their scores: the
        positions of the chosen ones, in the order chosen.

        A major's penalised score changes only when one of its candidates is taken or passed over, so the best
        first-left candidate of every major is kept in a heap instead of compared at every step.
        """
        n = len(scores)
        if not n or limit <= 0:
            return []
        by_major = np.argsort(majors, kind="stable")
        same = majors[by_major[1:]] == majors[by_major[:-1]]
        following = np.full(n, -1, dtype=np.int64)
        following[by_major[:-1][same]] = by_major[1:][same]
        following = following.tolist()
        heads = [int(by_major[0]), *by_major[1:][~same].tolist()]  # the first candidate of each major
        majors, colleges = majors.tolist(), colleges.tolist()
        heap = [(-scores[i], i) for i in heads]
        heapq.heapify(heap)
        penalty, per_college_limit = self.major_repeat_penalty, self.per_college
        per_college: Counter[int] = Counter()
        per_major: Counter[int] = Counter()
        chosen: list[int] = []
        while heap and len(chosen) < limit:
            _, i = heapq.heappop(heap)
            major, college = majors[i], colleges[i]
            if per_college[college] < per_college_limit:
                per_college[college] += 1
                per_major[major] += 1
                chosen.append(i)
            j = following[i]
            if j >= 0:
                heapq.heappush(heap, (-(scores[j] - penalty * per_major[major]), j))
        return chosen

    def _check(self, program: Program, worker: Worker, place_scope: str) -> tuple[str | None, str | None]:
        """The hard constraints before cost: (the constraint that excludes the program, or ``""`` for a college
        that is not a partner, or None when it passes; how the worker would attend)."""
        college = self.catalog.colleges[program.college_id]
        if not college.is_partner:
            return "", None
        if not is_eligible(worker, program).allowed:
            return "eligibility", None
        how, exclusion = check_place(program, college, worker, place_scope)
        exclusion = exclusion or check_mode(program, worker)
        return (exclusion.constraint if exclusion else None), how

    def _course_numbers_of(self, program_id: str) -> tuple[list[Course], np.ndarray | None]:
        """The program's courses and their text numbers for ``QueryScores.rank``, kept."""
        found = self._course_numbers.get(program_id)
        if found is None:
            courses = self._program_courses_list(program_id)
            found = self._course_numbers[program_id] = (courses, self.course_relevance.text_numbers(courses))
        return found

    def _program_courses_list(self, program_id: str) -> list[Course]:
        """``catalog.courses_of_program(program_id)``, kept (one list per program, shared by the tables)."""
        found = self._course_lists.get(program_id)
        if found is None:
            found = self._course_lists[program_id] = self.catalog.courses_of_program(program_id)
        return found

    def _courses_of(self, program_id: str) -> tuple[list[Course], CourseIndex]:
        """The program's courses (``Catalog.courses_of_program``) and their index by content word, kept."""
        found = self._program_courses.get(program_id)
        if found is None:
            courses = self.catalog.courses_of_program(program_id)
            found = self._program_courses[program_id] = (courses, self.course_relevance.index(courses))
        return found

    @staticmethod
    def _subsidy(subsidy_of, program: Program) -> SubsidyResult:
        return subsidy_of(program, program.total_tuition)

    def _rank(self, survivors, fit_of: dict[str, float], personalised: bool):
        if not survivors:
            return []
        max_cost = max(s[3].net_cost for s in survivors) or 1
        out = []
        for program, college, how, subsidy in survivors:
            cost_score = 1.0 - subsidy.net_cost / max_cost
            reach_score = _REACH_SCORE[how]
            if personalised:
                fit = fit_of.get(program.major_code, 0.0)
                score = 0.7 * fit + 0.15 * reach_score + 0.15 * cost_score
            else:
                fit = 0.0
                score = 0.5 * cost_score + 0.5 * reach_score
            out.append((program, college, how, subsidy, fit, score))
        out.sort(key=lambda x: (-x[5], x[0].program_id))
        return out

    def _select(self, ranked, limit: int):
        """Greedy selection: at most ``per_college`` per college; a major already shown costs
        ``major_repeat_penalty`` per appearance, so close alternatives of another major get a place.

        Each step takes the candidate with the best penalised score (ties: the better ranked). Within a major the
        penalty is the same for all, so that candidate is the first one left of some major: only those compete.
        """
        chosen = []
        per_college: Counter[str] = Counter()
        per_major: Counter[str] = Counter()
        queues: dict[str, deque] = {}
        for position, candidate in enumerate(ranked[: limit * 20]):
            queues.setdefault(candidate[0].major_code, deque()).append((position, candidate))
        penalty = self.major_repeat_penalty
        while queues and len(chosen) < limit:
            major = max(queues, key=lambda m: (queues[m][0][1][5] - penalty * per_major[m], -queues[m][0][0]))
            _, best = queues[major].popleft()
            if not queues[major]:
                del queues[major]
            college = best[1]
            if per_college[college.college_id] >= self.per_college:
                continue
            per_college[college.college_id] += 1
            per_major[major] += 1
            chosen.append(best)
        return chosen

    def _course_query(self, job_text: str, occupations) -> tuple[str, dict[str, float]]:
        """The context courses are ranked with (tasks of the two most likely occupations) and the query words."""
        context = " ".join(self.catalog.occupations[o.code].tasks for o in occupations[:2]
                           if o.code in self.catalog.occupations)
        return context, self.course_relevance.query(job_text, context)

    def _explain(self, rank, worker, program, college, how, subsidy, fit, score, occupations, personalised,
                 language, courses_per_program, fit_by_major=None, shared: _Shared | None = None,
                 query: tuple[str, dict[str, float]] | None = None,
                 course_matches: list[CourseMatch] | None = None) -> Recommendation:
        shared = shared or _Shared(by_job_text=False)
        major = self.catalog.majors[program.major_code]
        if course_matches is not None:  # ranked by the caller (``_recommend_tables``)
            courses = self._program_courses_list(program.program_id)
        elif personalised:
            courses, index = self._courses_of(program.program_id)
            context, weights = query or self._course_query(worker.job_text, occupations)
            course_matches = shared.ranked_courses(self.course_relevance, worker.job_text, courses, index, context,
                                                   weights, courses_per_program, program.program_id)
        else:
            courses = self._program_courses_list(program.program_id)
            course_matches = [CourseMatch(c, 0.0, ()) for c in courses[:courses_per_program]]
        transfers = shared.transfers(worker.certificates, courses, program.program_id) \
            if personalised and worker.certificates else []
        linked = [o for o in occupations
                  if program.major_code in self.catalog.majors_by_occupation.get(o.code, ())]
        fits = self._last_fits if fit_by_major is None else fit_by_major
        major_fit = fits.get(program.major_code)
        continues = self.catalog.majors.get(major_fit.via) if major_fit and major_fit.via else None
        reason = _reason(language, worker, program, college.name, major.name, how, subsidy, course_matches,
                         transfers, linked, personalised, occupations[:1], continues)
        return Recommendation(rank, program, college.name, major.name, how, fit, score, subsidy,
                              tuple(course_matches), tuple(transfers), tuple(linked), reason)


@dataclass(frozen=True)
class _Options:
    limit: int
    personalised: bool
    place_scope: str
    language: str
    courses_per_program: int


class _Shared:
    """What one ``recommend`` call, or one ``recommend_many`` batch, works out once and reuses.

    Eligibility, place and mode by program and the few worker fields they read; credit transfers by certificates
    and program; with ``by_job_text``, the ranked courses by job text and program too.
    Each value is what the function it stands for returns for those arguments (they read nothing else).
    """

    def __init__(self, by_job_text: bool):
        self.by_job_text = by_job_text
        self._checks: dict[tuple, dict[str, tuple[str | None, str | None]]] = {}
        self._ranked: dict[tuple, list[CourseMatch]] = {}
        self._transfers: dict[tuple, list[Transfer]] = {}

    def checks(self, worker: Worker, place_scope: str) -> dict[str, tuple[str | None, str | None]]:
        """``Recommender._check`` results by program, for workers who share the fields the checks read."""
        key = (worker.education, worker.city, worker.province, tuple(worker.preferred_modes),
               worker.can_stop_working, place_scope)
        found = self._checks.get(key)
        if found is None:
            found = self._checks[key] = {}
        return found

    def next_texts(self) -> None:
        """The job texts seen so far will not come back (``recommend_many`` goes text by text): forget their
        ranked courses."""
        self._ranked.clear()

    def ranked_courses(self, relevance: CourseRelevance, job_text: str, courses: list[Course], index: CourseIndex,
                       context: str, query: dict[str, float], limit: int, program_id: str) -> list[CourseMatch]:
        if not self.by_job_text:
            return relevance.rank(job_text, courses, context=context, limit=limit, index=index, query=query)
        key = (job_text, context, program_id, limit)
        found = self._ranked.get(key)
        if found is None:
            found = self._ranked[key] = relevance.rank(job_text, courses, context=context, limit=limit, index=index,
                                                       query=query)
        return found

    def ranked_courses_many(self, job_text: str, context: str, scores: QueryScores,
                            programs: list[tuple[str, list[Course], np.ndarray | None]],
                            limit: int) -> list[list[CourseMatch]]:
        """``ranked_courses`` for several programs (id, courses, text numbers) and a query scored by
        ``CourseRelevance.scores``: the same results."""
        if not self.by_job_text:
            return scores.rank_many([(courses, numbers) for _, courses, numbers in programs], limit)
        keys = [(job_text, context, program_id, limit) for program_id, _, _ in programs]
        missing = [(key, courses, numbers) for key, (_, courses, numbers) in zip(keys, programs)
                   if key not in self._ranked]
        if missing:
            found = scores.rank_many([(courses, numbers) for _, courses, numbers in missing], limit)
            self._ranked.update(zip([key for key, _, _ in missing], found))
        return [self._ranked[key] for key in keys]

    def transfers(self, certificates: tuple[str, ...], courses: list[Course], program_id: str) -> list[Transfer]:
        key = (tuple(certificates), program_id)
        found = self._transfers.get(key)
        if found is None:
            found = self._transfers[key] = credit_transfers(certificates, courses)
        return found


_REACH_SCORE = {how: 1.0 - REACH_ORDER.index(how) / len(REACH_ORDER) for how in REACH_ORDER}
_REACH_SCORES = np.array([_REACH_SCORE[how] for how in REACH_ORDER], dtype=np.float64)  # by reach code
_REACH_OF = dict(enumerate(REACH_ORDER))
_NO_PROGRAMS = np.zeros(0, dtype=np.intp)


def _profile_key(worker: Worker) -> object:
    """Everything ``recommend`` reads of a worker (every field but the id); a worker built with lists instead of
    tuples cannot be a key and is its own group."""
    key = replace(worker, worker_id="")
    try:
        hash(key)
    except TypeError:
        return ("unhashable", id(worker))
    return key


def _public_worker(worker: Worker) -> Worker:
    """The worker as public criteria see them: a union member in their city, no honours, no job."""
    return replace(worker, honours=(), occupation_code="", job_title="", duties="", certificates=())


def _nothing_fits(excluded: Counter, considered: int, levels, language: str) -> str:
    if language == "en":
        if not considered:
            return "No program of a matching major is offered at the levels you can enter (" + ", ".join(levels) + ")."
        parts = [f"{n} by {c}" for c, n in excluded.most_common()]
        return f"No program fits: of {considered} considered, excluded " + "; ".join(parts) + "."
    if not considered:
        return "没有找到您可报读层次（" + "、".join(levels) + "）的相关专业项目。"
    parts = [f"{CONSTRAINT_ZH.get(c, c)}排除{n}个" for c, n in excluded.most_common()]
    return f"没有符合条件的项目：共考察{considered}个，" + "，".join(parts) + "。"


def _reason(language, worker, program, college_name, major_name, how, subsidy, courses, transfers, linked,
            personalised, top_occupations=(), continues=None) -> str:
    top_courses = [m for m in courses if m.evidence][:3]
    if language == "en":
        parts = []
        if personalised and linked:
            o = linked[0]
            parts.append(f"Your job matches the occupation {o.name} ({o.code}), which {major_name} trains for.")
        elif personalised and continues is not None:
            parts.append(f"{major_name} is the next step at your level after {continues.name} ({continues.level}), "
                         "the major that fits your job best.")
        elif personalised and top_occupations:
            o = top_occupations[0]
            parts.append(f"Your job is closest to {o.name} ({o.code}); {major_name} teaches related content.")
        if top_courses:
            parts.append("Courses for your duties: " + "; ".join(
                f"{m.course.name} (matches {', '.join(m.evidence[:2])})" for m in top_courses) + ".")
        parts.append(f"{college_name}: {REACH_EN[how]}, {program.study_mode}, {'/'.join(program.schedule)}.")
        parts.append(f"Tuition {subsidy.tuition:,} yuan, subsidies {subsidy.total_subsidy:,} yuan, "
                     f"you pay {subsidy.net_cost:,} yuan.")
        if transfers:
            parts.append(f"Your certificates transfer {sum(t.credits for t in transfers):g} credits.")
        if not personalised:
            parts.insert(0, "Not personalised: ranked by public criteria (cost, place).")
        return " ".join(parts)
    parts = []
    if personalised and linked:
        o = linked[0]
        parts.append(f"您的工作对应职业“{o.name}”（{o.code}），{major_name}专业面向该职业。")
    elif personalised and continues is not None:
        parts.append(f"与您工作最对口的是{continues.level}专业“{continues.name}”，{major_name}是您这一学历层次可报读的接续专业。")
    elif personalised and top_occupations:
        o = top_occupations[0]
        parts.append(f"您的工作接近职业“{o.name}”（{o.code}），{major_name}专业的教学内容与之相关。")
    if top_courses:
        parts.append("与您工作内容相关的课程：" + "；".join(
            f"{m.course.name}（对应“{'、'.join(m.evidence[:2])}”）" for m in top_courses) + "。")
    parts.append(f"{college_name}：{REACH_ZH[how]}，{program.study_mode}，{'、'.join(program.schedule)}上课。")
    parts.append(f"学费{subsidy.tuition:,}元，补贴{subsidy.total_subsidy:,}元，您自付{subsidy.net_cost:,}元。")
    if transfers:
        parts.append(f"您的证书可转换{sum(t.credits for t in transfers):g}学分。")
    if not personalised:
        parts.insert(0, "非个性化推荐：仅按公开标准（费用、地点）排序。")
    return "".join(parts)
