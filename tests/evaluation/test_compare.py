"""Comparing two runs: the paired bootstrap tells a real difference from the noise of a finite query set."""

from __future__ import annotations

import csv
import io
import json
from contextlib import redirect_stdout
from pathlib import Path

import numpy as np
import pytest

from recommender.cli import main
from recommender.errors import UserError
from recommender.evaluation.bench import compare_runs
from recommender.evaluation.metrics import compare, paired_bootstrap, per_query
from recommender.evaluation.toy import QUERIES, write_toy_bench


def test_bootstrap_interval_holds_the_difference_and_tells_signal_from_noise():
    rng = np.random.default_rng(0)
    base = rng.random(400)
    better = base + 0.1
    r = paired_bootstrap(better, base, resamples=2000)
    assert r["diff"] == pytest.approx(0.1) and r["low"] == pytest.approx(0.1) and r["p"] == 0.0
    noisy = base + rng.normal(0, 0.3, 400)  # no real change: the interval holds 0
    r = paired_bootstrap(noisy, base, resamples=2000)
    assert r["low"] < 0 < r["high"] and r["p"] > 0.05
    assert r["low"] <= r["diff"] <= r["high"]
    assert paired_bootstrap(base, base, resamples=500) == {"diff": 0.0, "low": 0.0, "high": 0.0, "p": 1.0}
    assert paired_bootstrap(noisy, base, resamples=2000) == r  # seeded: the same figures every time


def test_bootstrap_interval_width_matches_the_standard_error():
    rng = np.random.default_rng(1)
    a, b = rng.random(2000), rng.random(2000)
    r = paired_bootstrap(a, b, resamples=4000)
    se = (a - b).std() / np.sqrt(len(a))
    assert (r["high"] - r["low"]) == pytest.approx(2 * 1.96 * se, rel=0.1)


def test_cluster_bootstrap_widens_the_interval_for_correlated_queries():
    rng = np.random.default_rng(2)
    effect = np.repeat(rng.normal(0, 0.2, 40), 25)  # 40 occupations of 25 titles each: one effect per occupation
    a, b = 0.5 + effect + rng.normal(0, 0.05, 1000), np.full(1000, 0.5)
    groups = np.repeat(np.arange(40), 25)
    single, clustered = paired_bootstrap(a, b, resamples=2000), paired_bootstrap(a, b, resamples=2000, groups=groups)
    assert single["diff"] == clustered["diff"]
    assert (clustered["high"] - clustered["low"]) > 3 * (single["high"] - single["low"])
    one_per_group = paired_bootstrap(a, b, resamples=2000, groups=np.arange(1000))
    assert one_per_group == single  # singleton groups are the plain bootstrap
    with pytest.raises(ValueError, match="groups"):
        paired_bootstrap(a, b, groups=groups[:10])


@pytest.mark.parametrize("a,b,resamples", [([1, 0], [1], 1000), ([], [], 1000), ([1], [0], 10)])
def test_bootstrap_rejects_unpaired_empty_or_too_few_resamples(a, b, resamples):
    with pytest.raises(ValueError):
        paired_bootstrap(a, b, resamples=resamples)


def test_per_query_counts_each_query_once_even_in_a_split_without_slices():
    per = per_query({"q1": ["a"], "q2": ["x"]}, {"q1": {"a"}, "q2": {"a"}}, {"q1": "all", "q2": "all"})
    assert per["all"]["mrr"] == [1.0, 0.0]


def test_compare_gives_both_means_and_the_difference_per_slice():
    gold = {f"q{i}": {"a"} for i in range(50)}
    slices = {f"q{i}": "s1" if i < 25 else "s2" for i in range(50)}
    run = {q: ["a"] for q in gold}
    baseline = {q: ["x", "a"] if int(q[1:]) % 2 else ["a"] for q in gold}
    out = compare(run, baseline, gold, slices, resamples=1000)
    assert set(out) == {"all", "s1", "s2"} and out["all"]["queries"] == 50
    mrr = out["all"]["mrr"]
    assert mrr["run"] == 1.0 and mrr["baseline"] == 0.75 and mrr["diff"] == 0.25 and mrr["low"] > 0
    assert out["all"]["recall@10"]["diff"] == 0.0 and out["all"]["recall@10"]["p"] == 1.0
    assert out["all"]["groups"] == 50
    grouped = compare(run, baseline, gold, slices, resamples=1000, by_relevant_set=True)
    assert grouped["all"]["groups"] == 1 and grouped["all"]["mrr"]["diff"] == 0.25  # every query shares {"a"}


def _write_run(path: Path, rankings: dict[str, list[str]]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["qid", "item_id", "rank", "score"])
        for qid, items in rankings.items():
            for r, item in enumerate(items, start=1):
                w.writerow([qid, item, r, 1 / r])
    return path


def test_compare_command_on_the_toy_bench(tmp_path):
    bench = write_toy_bench(tmp_path / "toy")
    perfect = _write_run(tmp_path / "perfect.csv", {q: list(g) for q, _, _, g in QUERIES})
    late = _write_run(tmp_path / "late.csv", {q: ["x1", "x2", *g] for q, _, _, g in QUERIES})
    result = compare_runs(bench / "dev", perfect, late, resamples=500)
    assert result["all"]["mrr"]["run"] == 1.0 and result["all"]["mrr"]["baseline"] == pytest.approx(1 / 3, abs=1e-4)
    assert set(result) == {"all", "mapped", "unmapped"}
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(["compare", str(bench / "dev"), str(perfect), str(late), "--resamples", "500"]) == 0
    text = out.getvalue()
    assert "unmapped" in text and "+0.6667" in text and "*" in text
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(["compare", str(bench / "dev"), str(perfect), str(late), "--json"]) == 0
    report = json.loads(out.getvalue())
    assert report["slices"]["all"]["recall@10"]["diff"] == 0.0 and report["resamples"] == 10_000
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(["compare", str(bench / "dev"), str(perfect), str(late), "--by-relevant-set"]) == 0
    assert "groups of queries with the same relevant items" in out.getvalue()


def test_compare_errors_name_what_to_fix(tmp_path, capsys):
    bench = write_toy_bench(tmp_path / "toy")
    run = _write_run(tmp_path / "run.csv", {q: list(g) for q, _, _, g in QUERIES})
    other = _write_run(tmp_path / "other.csv", {"d00001": ["a"]})
    with pytest.raises(UserError, match="another split"):
        compare_runs(bench / "dev", run, other)
    with pytest.raises(UserError, match="not found"):
        compare_runs(bench / "dev", run, tmp_path / "missing.csv")
    (bench / "test").mkdir()
    (bench / "test" / "queries.csv").write_text("qid,text\nt1,电工\n", encoding="utf-8")
    with pytest.raises(UserError, match="qrels"):
        compare_runs(bench / "test", run, run)
    bad = tmp_path / "bad.csv"
    bad.write_text("qid,item_id,rank\nq1,a,first\n", encoding="utf-8")
    with pytest.raises(UserError, match="line 2"):
        compare_runs(bench / "dev", bad, run)
    assert main(["compare", str(bench / "dev"), str(run), str(tmp_path / "missing.csv")]) == 2
    assert "missing.csv" in capsys.readouterr().err
    assert main(["compare", str(bench / "dev"), str(run), str(run), "--resamples", "5"]) == 2
