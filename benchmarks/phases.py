"""Exclusive time per phase of one recommendation, by wrapping the matcher's and the engine's parts.

Each wrapped callable charges its time to its phase, minus the time of wrapped callables it calls (so a linker
that encodes does not count the encoding twice). The phases of one call therefore add up to the time of the
outermost wrapped call (``Recommender.recommend``, "engine" is what is left of it), plus the wrappers' own cost.
Wrapping is per instance, per module attribute or (for ``QueryScores``, made anew for every worker) per class, and
is undone by :meth:`PhaseTimer.restore`.

What each phase wraps, on the table path (``Recommender._recommend_tables``) and on the per-program reference path
(``Recommender._recommend_reference``, the fallback for workers the tables cannot decide), which is counted too:

- constraints: ``ProgramTables.checks``; reference: ``Recommender._check`` (``is_eligible``, ``check_place``,
  ``check_mode``) and ``check_budget``. (The tables' budget test is one array comparison, left in "engine".)
- subsidies: ``ProgramTables.subsidies`` and ``SubsidyEvaluator.worker_key``; reference:
  ``SubsidyEvaluator.for_worker`` and ``Recommender._subsidy``.
- courses: ``CourseRelevance.query``, ``CourseRelevance.scores`` and ``QueryScores.rank_many``, the programs'
  course lists and text numbers (``Recommender._course_numbers_of``), ``credit_transfers``; reference:
  ``CourseRelevance.rank`` and the programs' course indexes (``Recommender._courses_of``).
"""

from __future__ import annotations

import functools
import time
from collections import defaultdict

import recommender.recommend.courses as courses_module
import recommender.recommend.engine as engine_module

PHASES = ("encode", "search", "fuse", "ladder", "constraints", "subsidies", "courses", "explain", "engine")
# encode+search+fuse = the matcher; the rest = the engine's rank/filter/explain steps.


class PhaseTimer:
    def __init__(self) -> None:
        self.totals: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)  # wrapped calls per phase (each costs the wrapper's time)
        self._stack: list[float] = []  # child time accumulated per open frame
        self._undo: list[tuple[object, str, object]] = []

    def _wrap(self, owner, attr: str, phase: str) -> None:
        original = getattr(owner, attr)

        @functools.wraps(original)
        def timed(*args, **kwargs):
            self._stack.append(0.0)
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                elapsed = time.perf_counter() - start
                children = self._stack.pop()
                self.totals[phase] += elapsed - children
                self.calls[phase] += 1
                if self._stack:
                    self._stack[-1] += elapsed

        self._undo.append((owner, attr, owner.__dict__.get(attr) if hasattr(owner, "__dict__") else None))
        setattr(owner, attr, timed)

    def install(self, recommender) -> PhaseTimer:
        for m in getattr(recommender.matcher, "members", [recommender.matcher]):  # any MajorMatcher; an ensemble: each
            if m.encoder is not None:
                self._wrap(m.encoder, "encode", "encode")
            if m.linker is not None:
                self._wrap(m.linker, "link", "search")
            if m.lexical_index is not None:
                self._wrap(m.lexical_index, "score_all", "search")
            if m.dense_index is not None:
                self._wrap(m.dense_index, "search", "search")
        self._wrap(recommender.matcher, "match", "fuse")
        self._wrap(recommender.ladder, "fit_at_levels", "ladder")
        # The table path (built here if no recommendation has built it yet: the same object it would build).
        tables = recommender.program_tables()
        self._wrap(tables, "checks", "constraints")
        self._wrap(tables, "subsidies", "subsidies")
        self._wrap(recommender.subsidies, "worker_key", "subsidies")
        self._wrap(recommender.course_relevance, "scores", "courses")
        self._wrap(courses_module.QueryScores, "rank_many", "courses")
        self._wrap(recommender, "_course_numbers_of", "courses")
        # The reference path, program by program (the fallback).
        self._wrap(recommender, "_check", "constraints")
        for name in ("is_eligible", "check_place", "check_mode", "check_budget"):
            self._wrap(engine_module, name, "constraints")
        self._wrap(recommender.subsidies, "for_worker", "subsidies")
        self._wrap(recommender, "_subsidy", "subsidies")
        self._wrap(recommender.course_relevance, "rank", "courses")
        self._wrap(recommender, "_courses_of", "courses")
        # Both paths.
        self._wrap(engine_module, "credit_transfers", "courses")
        self._wrap(recommender.course_relevance, "query", "courses")
        self._wrap(recommender, "_explain", "explain")
        self._wrap(recommender, "recommend", "engine")
        return self

    def reset(self) -> None:
        self.totals.clear()
        self.calls.clear()

    def total(self) -> float:
        """Seconds in all phases since the last reset: the wrapped calls' time, each second counted once."""
        return sum(self.totals.values())

    def restore(self) -> None:
        for owner, attr, previous in reversed(self._undo):
            if previous is None and not isinstance(owner, type(engine_module)):
                delattr(owner, attr)  # an instance attribute we added: the class method shows again
            else:
                setattr(owner, attr, previous)
        self._undo.clear()
