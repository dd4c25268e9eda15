"""``benchmarks/phases.py``: the phase timer charges the engine's table path and its per-program fallback to the
phases they belong to, adds up to the recommendation it times, changes no result and leaves nothing wrapped.

A stand-in matcher (every major, in a fixed order) keeps the test fast: the matcher's phases are not under test.
"""

from __future__ import annotations

import importlib.util
import time
from pathlib import Path

import pytest

import recommender.recommend.courses as courses_module
import recommender.recommend.engine as engine_module
from recommender.catalog.loader import load_catalog
from recommender.demo.people import load_workers
from recommender.demo.province import generate_demo_province
from recommender.recommend.engine import MajorCandidate, Recommender

_spec = importlib.util.spec_from_file_location(
    "benchmark_phases", Path(__file__).resolve().parents[2] / "benchmarks" / "phases.py")
phases = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(phases)

ENGINE_PHASES = ("constraints", "subsidies", "courses", "explain", "engine")


class EveryMajor:
    """A matcher that links no occupation and ranks every major of the catalog, in code order."""

    encoder = linker = lexical_index = dense_index = None

    def __init__(self, catalog):
        codes = sorted(catalog.majors)
        self.majors = [MajorCandidate(code, 1.0 - i / len(codes)) for i, code in enumerate(codes)]

    def match(self, text, *, levels=None, k=50):
        return [], self.majors[:k]


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    root = tmp_path_factory.mktemp("phase-timer") / "demo"
    generate_demo_province(root, workers=60, enterprises=0)
    catalog = load_catalog(root / "catalog")
    return Recommender(catalog, EveryMajor(catalog)), load_workers(root / "workers.csv")


def timed_run(recommender, workers):
    """Per worker: the result, the phase totals and calls, and the recommendation's time measured outside."""
    timer = phases.PhaseTimer().install(recommender)
    out = []
    try:
        for w in workers:
            timer.reset()
            start = time.perf_counter()
            result = recommender.recommend(w)
            outside = time.perf_counter() - start
            out.append((result, dict(timer.totals), dict(timer.calls), timer.total(), outside))
    finally:
        timer.restore()
    return out


def test_the_table_path_is_split_into_its_phases(setup):
    recommender, workers = setup
    expected = [recommender.recommend(w) for w in workers]  # also builds the tables, as a warm-up does
    runs = timed_run(recommender, workers)
    assert [r for r, *_ in runs] == expected  # the timer changes no result
    with_items = [(totals, calls, total, outside) for r, totals, calls, total, outside in runs if r.items]
    assert len(with_items) > len(workers) // 2
    for totals, calls, total, outside in with_items:
        # One table lookup each for the checks and the subsidies, courses ranked once: none falls into "engine".
        assert calls["constraints"] == 1 and calls["subsidies"] == 2  # ProgramTables.subsidies + worker_key
        assert calls["courses"] >= 3  # query, scores, rank_many (+ course numbers per program)
        assert calls["engine"] == 1 and calls["explain"] >= 1
        assert set(totals) <= set(phases.PHASES)
        assert all(totals[p] > 0 for p in ENGINE_PHASES)
        # Exclusive times add up to the outermost wrapped call, which lies inside the time measured around it.
        assert 0 < total <= outside
        assert total == pytest.approx(sum(totals.values()))


def test_the_fallback_path_is_counted(setup, monkeypatch):
    recommender, workers = setup
    expected = [recommender.recommend(w) for w in workers[:10]]
    monkeypatch.setattr(recommender, "_recommend_tables", lambda *args: None)  # every worker by the reference
    runs = timed_run(recommender, workers[:10])
    assert [r for r, *_ in runs] == expected
    for result, totals, calls, _, _ in runs:
        candidates = sum(result.excluded.values()) + len(result.items)
        assert calls["constraints"] >= candidates  # Recommender._check per candidate program, at least
        assert calls["subsidies"] >= 1  # SubsidyEvaluator.for_worker, then _subsidy per program passing the checks
        if result.items:
            assert calls["courses"] >= len(result.items)  # CourseRelevance.rank per program shown
            assert totals["constraints"] > 0 and totals["subsidies"] > 0 and totals["courses"] > 0


def test_restore_leaves_nothing_wrapped(setup):
    recommender, workers = setup
    tables = recommender.program_tables()
    before = {
        "rank_many": courses_module.QueryScores.__dict__["rank_many"],
        "is_eligible": engine_module.is_eligible,
        "credit_transfers": engine_module.credit_transfers,
    }
    timer = phases.PhaseTimer().install(recommender)
    assert courses_module.QueryScores.__dict__["rank_many"] is not before["rank_many"]
    assert "checks" in tables.__dict__ and "recommend" in recommender.__dict__
    timer.restore()
    assert courses_module.QueryScores.__dict__["rank_many"] is before["rank_many"]
    assert engine_module.is_eligible is before["is_eligible"]
    assert engine_module.credit_transfers is before["credit_transfers"]
    for owner, names in ((tables, ("checks", "subsidies")), (recommender, ("recommend", "_check", "_explain")),
                         (recommender.subsidies, ("worker_key", "for_worker")),
                         (recommender.course_relevance, ("scores", "query", "rank"))):
        assert not set(names) & set(vars(owner)), owner
    recommender.recommend(workers[0])  # still works, unwrapped
