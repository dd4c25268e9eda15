"""Our metrics have score.py's definitions: hand-checked values, and equality with score.py on run files."""

from __future__ import annotations

import csv
import importlib.util
import math
import random
from pathlib import Path

import pytest

from recommender.evaluation.bench import score_run
from recommender.evaluation.metrics import (
    average_precision,
    catalog_coverage,
    evaluate,
    ndcg_at_k,
    recall_at_k,
    reciprocal_rank,
)
from recommender.evaluation.toy import write_toy_bench

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"
SCORE_PY = SHARED / "bench" / "score.py"


def test_hand_checked_values():
    ranking, gold = ["a", "x", "b", "a", "y"], {"a", "b", "c"}
    assert recall_at_k(ranking, gold, 2) == pytest.approx(1 / 3)
    assert recall_at_k(ranking, gold, 10) == pytest.approx(2 / 3)  # the duplicate "a" counts once
    assert reciprocal_rank(["x", "b"], gold) == 0.5 and reciprocal_rank(["x"], gold) == 0.0
    ideal = 1 + 1 / math.log2(3) + 1 / math.log2(4)
    assert ndcg_at_k(ranking, gold, 10) == pytest.approx((1 + 1 / math.log2(4)) / ideal)
    assert average_precision(ranking, gold) == pytest.approx((1 / 1 + 2 / 3) / 3)
    assert reciprocal_rank(["x"] * 0 + [f"n{i}" for i in range(100)] + ["a"], gold) == 0.0  # cut at 100
    assert catalog_coverage([["a", "b"], ["b", "c"]], 6, k=2) == pytest.approx(0.5)


def test_evaluate_averages_overall_and_per_slice_and_skips_queries_without_qrels():
    out = evaluate({"q1": ["a"], "q2": ["x"]}, {"q1": {"a"}, "q2": {"b"}}, {"q1": "s1", "q2": "s2", "q3": "s1"})
    assert out["all"]["mrr"] == 0.5 and out["all"]["queries"] == 2
    assert out["s1"]["recall@10"] == 1.0 and out["s2"]["answered"] == 1.0


def _load_score_py():
    spec = importlib.util.spec_from_file_location("bench_score", SCORE_PY)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _write_random_run(split: Path, items: list[str], path: Path, seed: int) -> None:
    rng = random.Random(seed)
    with open(split / "queries.csv", encoding="utf-8-sig") as f:
        qids = [r["qid"] for r in csv.DictReader(f)]
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["qid", "item_id", "rank", "score"])
        for qid in qids:
            if rng.random() < 0.05:
                continue  # unanswered query
            ranked = rng.sample(items, min(len(items), rng.randint(1, 120)))
            ranked += rng.sample(ranked, min(3, len(ranked)))  # duplicates, as a sloppy run may have
            for r, item in enumerate(ranked):
                w.writerow([qid, item, r + 1, 1.0 / (r + 1)])


@pytest.mark.skipif(not SCORE_PY.is_file(), reason="../shared/bench/score.py not available")
@pytest.mark.parametrize("bench", ["toy", "cn-titles", "en-onet"])
def test_metrics_equal_score_py_on_a_run_file(tmp_path, bench):
    score_py = _load_score_py()
    if bench == "toy":
        root = write_toy_bench(tmp_path / "toy")
    else:
        root = SHARED / "bench" / bench
        if not (root / "dev" / "qrels.csv").is_file():
            pytest.skip(f"{root} not available")
    with open(root / "items.csv", encoding="utf-8-sig") as f:
        items = [r["item_id"] for r in csv.DictReader(f)]
    run = tmp_path / "run.csv"
    _write_random_run(root / "dev", items if bench == "toy" else items[:60], run, seed=len(bench))
    theirs = score_py.score(str(root / "dev"), str(run))
    ours = score_run(root / "dev", run)
    assert set(theirs) == set(ours)
    for slice_name, metrics in theirs.items():
        for name, value in metrics.items():
            assert ours[slice_name][name] == value, (slice_name, name)


@pytest.mark.skipif(not SCORE_PY.is_file(), reason="../shared/bench/score.py not available")
def test_a_split_without_slices_has_score_py_means_and_counts_each_query_once(tmp_path):
    split = tmp_path / "split"
    split.mkdir()
    (split / "queries.csv").write_text("qid,text\nq1,电工\nq2,焊工\nq3,会计\n", encoding="utf-8")
    (split / "qrels.csv").write_text("qid,item_id,relevance\nq1,a,1\nq2,b,1\nq3,c,1\n", encoding="utf-8")
    run = tmp_path / "run.csv"
    run.write_text("qid,item_id,rank,score\nq1,a,1,1\nq2,x,1,1\nq2,b,2,0.5\n", encoding="utf-8")
    theirs, ours = _load_score_py().score(str(split), str(run)), score_run(split, run)
    assert set(ours) == set(theirs) == {"all"}
    assert {k: v for k, v in ours["all"].items() if k in theirs["all"] and k != "queries"} == {
        k: v for k, v in theirs["all"].items() if k != "queries"}
    assert ours["all"]["queries"] == 3 and theirs["all"]["queries"] == 6
