"""Exclusive time per phase of one recommendation, by wrapping the matcher's and the engine's parts.

Each wrapped callable charges its time to its phase, minus the time of wrapped callables it calls (so a linker
that encodes does not count the encoding twice). Wrapping is per instance or per module attribute and is undone
by :meth:`PhaseTimer.restore`.
"""

from __future__ import annotations

import functools
import time
from collections import defaultdict

import recommender.recommend.engine as engine_module

PHASES = ("encode", "search", "fuse", "ladder", "constraints", "subsidies", "courses", "explain", "engine")
# encode+search+fuse = the matcher; the rest = the engine's rank/filter/explain steps.


class PhaseTimer:
    def __init__(self) -> None:
        self.totals: dict[str, float] = defaultdict(float)
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
                if self._stack:
                    self._stack[-1] += elapsed

        self._undo.append((owner, attr, owner.__dict__.get(attr) if hasattr(owner, "__dict__") else None))
        setattr(owner, attr, timed)

    def install(self, recommender) -> PhaseTimer:
        m = recommender.matcher
        if m.encoder is not None:
            self._wrap(m.encoder, "encode", "encode")
        if m.linker is not None:
            self._wrap(m.linker, "link", "search")
        if m.lexical_index is not None:
            self._wrap(m.lexical_index, "score_all", "search")
        if m.dense_index is not None:
            self._wrap(m.dense_index, "search", "search")
        self._wrap(m, "match", "fuse")
        self._wrap(recommender.ladder, "fit_at_levels", "ladder")
        for name in ("is_eligible", "check_place", "check_mode", "check_budget"):
            self._wrap(engine_module, name, "constraints")
        self._wrap(recommender.subsidies, "for_worker", "subsidies")
        self._wrap(recommender, "_subsidy", "subsidies")
        self._wrap(engine_module, "credit_transfers", "courses")
        self._wrap(recommender.course_relevance, "rank", "courses")
        self._wrap(recommender.course_relevance, "query", "courses")
        self._wrap(recommender, "_explain", "explain")
        self._wrap(recommender, "recommend", "engine")
        return self

    def reset(self) -> None:
        self.totals.clear()

    def restore(self) -> None:
        for owner, attr, previous in reversed(self._undo):
            if previous is None and not isinstance(owner, type(engine_module)):
                delattr(owner, attr)  # an instance attribute we added: the class method shows again
            else:
                setattr(owner, attr, previous)
        self._undo.clear()
