"""Benchmark runs: qrels are never read while ranking; the CLI writes a run file and prints the metrics."""

from __future__ import annotations

import builtins
import csv
import io
import json
import time
from contextlib import redirect_stdout
from pathlib import Path

import pytest

from recommender.cli import main
from recommender.errors import UserError
from recommender.evaluation.bench import rank_split, score_run, write_run
from recommender.evaluation.toy import write_toy_bench

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"


def test_ranking_never_opens_qrels(tmp_path, monkeypatch):
    bench = write_toy_bench(tmp_path / "toy")
    real_open = builtins.open

    def guarded_open(file, *args, **kwargs):
        if Path(str(file)).name == "qrels.csv":
            raise AssertionError(f"ranking opened {file}")
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", guarded_open)
    monkeypatch.setattr(Path, "open", lambda self, *a, **k: guarded_open(str(self), *a, **k))
    result = rank_split(bench, bench / "dev", encoder="lexical")
    monkeypatch.undo()
    assert len({r[0] for r in result.rows}) == 7
    assert all(1 <= r[2] <= 100 for r in result.rows)
    write_run(result.rows, tmp_path / "run.csv")
    assert score_run(bench / "dev", tmp_path / "run.csv")["all"]["recall@10"] == 1.0


def test_split_without_qrels_is_ranked_but_not_scored(tmp_path):
    bench = write_toy_bench(tmp_path / "toy")
    (bench / "dev" / "qrels.csv").unlink()
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(["evaluate", str(bench), str(bench / "dev"), "--out", str(tmp_path / "run.csv"),
                     "--encoder", "lexical", "--no-cache"]) == 0
    assert "no qrels.csv" in out.getvalue()
    with open(tmp_path / "run.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert rows[0].keys() == {"qid", "item_id", "rank", "score"} and len(rows) == 7 * 10


def test_cli_prints_metrics_per_slice_and_json(tmp_path):
    bench = write_toy_bench(tmp_path / "toy")
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(["evaluate", str(bench), str(bench / "dev"), "--out", str(tmp_path / "run.csv"),
                     "--encoder", "lexical", "--channels", "links,lexical", "--cache-dir", str(tmp_path / "c"),
                     "--json"]) == 0
    report = json.loads(out.getvalue())
    assert report["metrics"]["all"]["recall@10"] == 1.0
    assert set(report["metrics"]) == {"all", "mapped", "unmapped"}
    assert report["channels"] == ["links", "lexical"]
    out = io.StringIO()
    with redirect_stdout(out):
        main(["evaluate", str(bench), str(bench / "dev"), "--out", str(tmp_path / "run2.csv"), "--encoder", "lexical"])
    assert "Recall@10" in out.getvalue() and "unmapped" in out.getvalue()


def test_bad_arguments_are_user_errors(tmp_path):
    bench = write_toy_bench(tmp_path / "toy")
    with pytest.raises(UserError, match="unknown"):
        from recommender.commands.evaluate import run

        class Args:
            bench_dir, split_dir, out = str(bench), str(bench / "dev"), str(tmp_path / "r.csv")
            encoder, channels, data_dir, cache_dir, no_cache, k, progress, json = (
                "lexical", "links,magic", None, None, True, 100, False, False)

        run(Args())
    assert main(["evaluate", str(tmp_path / "nowhere"), str(tmp_path), "--out", str(tmp_path / "r.csv")]) == 2


def _cold_run(bench: Path, split: Path, tmp_path: Path):
    """Rank ``split`` with an empty embedding cache, write and score the run: (result, overall metrics, seconds)."""
    start = time.perf_counter()
    result = rank_split(bench, split, data_dir=SHARED / "data", cache_dir=tmp_path / "cache")
    elapsed = time.perf_counter() - start
    write_run(result.rows, tmp_path / "run.csv")
    return result, score_run(split, tmp_path / "run.csv")["all"], elapsed


@pytest.mark.slow
@pytest.mark.parametrize("bench,floor", [("cn-titles", {"recall@10": 0.70, "mrr": 0.60}),
                                          ("en-onet", {"recall@10": 0.58, "mrr": 0.65})])
def test_full_bench_dev_run(tmp_path, bench, floor):
    root = SHARED / "bench" / bench
    if not (root / "dev" / "queries.csv").is_file():
        pytest.skip(f"{root} not available")
    _, metrics, elapsed = _cold_run(root, root / "dev", tmp_path)
    assert all(metrics[k] >= v for k, v in floor.items()), metrics
    assert elapsed < 300, f"{bench} dev took {elapsed:.0f}s"


def _halves(root: Path, out: Path) -> Path:
    """A copy of bench ``root`` whose dev split is cut in two by title, alternately: ``a`` (labelled, it teaches)
    and ``b`` (ranked), as a hidden test split is ranked after learning from dev."""
    out.mkdir()
    for name in ("items.csv", "occupations.csv", "item_occupations.csv"):
        (out / name).symlink_to((root / name).resolve())
    with open(root / "dev" / "queries.csv", encoding="utf-8-sig", newline="") as f:
        queries = list(csv.DictReader(f))
    with open(root / "dev" / "qrels.csv", encoding="utf-8-sig", newline="") as f:
        qrels = list(csv.DictReader(f))
    for half, rows in (("a", queries[0::2]), ("b", queries[1::2])):
        (out / half).mkdir()
        qids = {r["qid"] for r in rows}
        for name, table in (("queries.csv", rows), ("qrels.csv", [r for r in qrels if r["qid"] in qids])):
            with open(out / half / name, "w", encoding="utf-8", newline="") as f:
                writer = csv.DictWriter(f, list(table[0]))
                writer.writeheader()
                writer.writerows(table)
    return out


@pytest.mark.slow
@pytest.mark.parametrize("bench,floor", [("cn-titles", {"recall@10": 0.72, "mrr": 0.64}),
                                          ("en-onet", {"recall@10": 0.58, "mrr": 0.70})])
def test_a_split_learning_from_another_is_ranked_and_reranked_cold_in_under_5_minutes(tmp_path, bench, floor):
    root = SHARED / "bench" / bench
    if not (root / "dev" / "queries.csv").is_file():
        pytest.skip(f"{root} not available")
    halves = _halves(root, tmp_path / bench)
    result, metrics, elapsed = _cold_run(halves, halves / "b", tmp_path)
    assert result.info["learned_from"] == [str(halves / "a")] and result.info["reranker"]["models"] == 1
    assert all(metrics[k] >= v for k, v in floor.items()), metrics
    assert elapsed < 300, f"{bench}: ranking b after learning from a took {elapsed:.0f}s"
