"""Benchmark runs: rank a split's queries over a bench folder, write the run file, then (separately) score it.

Ranking and scoring are separate on purpose: ``rank_split`` reads ``queries.csv`` and the bench's knowledge
files only; ``score_run`` is the only function that opens ``qrels.csv``, and it is called after the run file is
written.
"""

from __future__ import annotations

import csv
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from recommender.errors import UserError

RUN_COLUMNS = ("qid", "item_id", "rank", "score")


@dataclass(frozen=True)
class Query:
    qid: str
    text: str
    slice: str = "all"


@dataclass
class RunResult:
    rows: list[tuple[str, str, int, float]]
    queries: list[Query]
    timings: dict[str, float] = field(default_factory=dict)
    info: dict[str, object] = field(default_factory=dict)


def _read(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def read_queries(split_dir: str | Path) -> list[Query]:
    """The split's ``queries.csv`` (``qid,text[,slice]``)."""
    path = Path(split_dir) / "queries.csv"
    if not path.is_file():
        raise UserError(f"{path} not found: a split folder holds queries.csv (qid,text,slice)")
    rows = _read(path)
    if rows and not {"qid", "text"} <= set(rows[0]):
        raise UserError(f"{path}: expected columns qid,text[,slice]")
    return [Query(r["qid"], r["text"] or "", r.get("slice") or "all") for r in rows]


def rank_split(bench_dir: str | Path, split_dir: str | Path, *, encoder: str = "auto",
               channels: tuple[str, ...] = ("links", "lexical", "dense"), data_dir: str | Path | None = None,
               cache_dir: str | Path | None = None, k: int = 100, show_progress: bool = False) -> RunResult:
    """Rank the bench's items for every query of the split (qrels are never read here).

    ``encoder`` ``auto`` picks ``use`` for Chinese and ``minilm`` for English corpora.
    """
    from recommender.encoders.registry import get_encoder
    from recommender.matching.corpus import MatchingCorpus
    from recommender.matching.matcher import Matcher, MatcherConfig

    timings = {}
    t0 = time.perf_counter()
    queries = read_queries(split_dir)
    if data_dir is not None and not Path(data_dir).is_dir():
        data_dir = None
    corpus = MatchingCorpus.from_bench(bench_dir, data_dir)
    name = encoder
    if encoder == "auto":
        name = "use" if corpus.language == "zh" else "minilm"
    enc = get_encoder(name, cache_dir=cache_dir) if "dense" in channels else None
    timings["load"] = time.perf_counter() - t0
    t1 = time.perf_counter()
    matcher = Matcher(corpus, enc, MatcherConfig(channels=tuple(channels)), show_progress=show_progress).fit()
    timings["fit"] = time.perf_counter() - t1
    t2 = time.perf_counter()
    results = matcher.rank([q.text for q in queries], k=k)
    timings["rank"] = time.perf_counter() - t2
    rows = [(q.qid, item_id, r + 1, score)
            for q, res in zip(queries, results) for r, (item_id, score) in enumerate(res.items)]
    timings["total"] = time.perf_counter() - t0
    info = {"encoder": enc.name if enc is not None else None, "channels": list(channels),
            "language": corpus.language, "items": len(corpus.items), "occupations": len(corpus.occupations),
            "links": len(corpus.links), "queries": len(queries)}
    if matcher.predictor is not None:
        info["link_predictor"] = matcher.predictor.coefficients()
    return RunResult(rows, queries, timings, info)


def write_run(rows, path: str | Path) -> None:
    """Write ``qid,item_id,rank,score`` (the bench run format)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(RUN_COLUMNS)
        for qid, item_id, rank, score in rows:
            w.writerow((qid, item_id, rank, f"{score:.6f}"))


def score_run(split_dir: str | Path, run_path: str | Path) -> dict[str, dict[str, float]] | None:
    """Score a written run against the split's ``qrels.csv``; None when the split has no qrels."""
    from recommender.evaluation.metrics import evaluate

    split = Path(split_dir)
    if not (split / "qrels.csv").is_file():
        return None
    slices = {q.qid: q.slice for q in read_queries(split)}
    gold: dict[str, set[str]] = defaultdict(set)
    for r in _read(split / "qrels.csv"):
        if float(r.get("relevance") or 1) > 0:
            gold[r["qid"]].add(r["item_id"])
    ranked: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for r in _read(Path(run_path)):
        ranked[r["qid"]].append((int(r["rank"]), r["item_id"]))
    rankings = {qid: [it for _, it in sorted(v)] for qid, v in ranked.items()}
    return evaluate(rankings, gold, slices)
