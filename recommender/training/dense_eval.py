"""Dense-only evaluation on the shared benchmarks: query text vs item text, cosine top-100, scored by score.py.

No lexical channel, no links: this measures the encoder alone. Items are encoded with
:func:`recommender.training.pairs.item_document` (name, classes, 职业面向 / definition, goal, courses / examples).
Only a split's ``queries.csv`` is read for ranking; ``qrels.csv`` is read by the bench's own ``score.py``.
"""

from __future__ import annotations

import csv
import importlib.util
from collections.abc import Callable
from pathlib import Path

import numpy as np

from recommender.errors import UserError
from recommender.training.knowledge import load_knowledge, read_table
from recommender.training.pairs import item_document

BENCH_LANG = {"cn-titles": "cn", "en-onet": "en"}
BENCH_ITEM_KIND = {"cn-titles": "major", "en-onet": "cip"}

EncodeFn = Callable[[list[str]], np.ndarray]


def bench_items(data_dir: Path, bench_dir: Path, bench: str) -> tuple[list[str], list[str]]:
    """The bench's item ids and the text the dense channel indexes for each."""
    if bench not in BENCH_LANG:
        raise UserError(f"unknown bench {bench!r}: choose one of {', '.join(BENCH_LANG)}")
    lang = BENCH_LANG[bench]
    kg = load_knowledge(data_dir, bench_dir, languages=(lang,))
    ids = read_table(bench_dir / bench / "items.csv")["item_id"].tolist()
    texts = [item_document(kg.entities[f"{lang}:{BENCH_ITEM_KIND[bench]}:{i}"]) for i in ids]
    return ids, texts


def rank(encode: EncodeFn, query_texts: list[str], item_texts: list[str], k: int = 100) -> tuple[np.ndarray, np.ndarray]:
    """Top-``k`` item indices and cosine scores per query (rows L2-normalised by ``encode``)."""
    q = np.asarray(encode(query_texts), dtype=np.float32)
    d = np.asarray(encode(item_texts), dtype=np.float32)
    sims = q @ d.T
    k = min(k, sims.shape[1])
    top = np.argpartition(-sims, k - 1, axis=1)[:, :k]
    order = np.take_along_axis(sims, top, axis=1).argsort(axis=1)[:, ::-1]
    top = np.take_along_axis(top, order, axis=1)
    return top, np.take_along_axis(sims, top, axis=1)


def write_run(path: Path, qids: list[str], item_ids: list[str], top: np.ndarray, scores: np.ndarray) -> None:
    """Write a run file (``qid,item_id,rank,score``, rank 1 = best)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["qid", "item_id", "rank", "score"])
        for qid, row, srow in zip(qids, top, scores):
            for r, (j, s) in enumerate(zip(row, srow), start=1):
                w.writerow([qid, item_ids[j], r, f"{s:.5f}"])


def score_run(bench_dir: Path, bench: str, split: str, run_path: Path) -> dict[str, dict[str, float]]:
    """Score a run with the bench's own ``score.py`` (loaded from ``bench_dir``)."""
    script = bench_dir / "score.py"
    if not script.is_file():
        raise UserError(f"missing {script}: point --bench-dir at the shared bench folder")
    spec = importlib.util.spec_from_file_location("bench_score", script)
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module.score(str(bench_dir / bench / split), str(run_path))


def evaluate_dense(encode: EncodeFn, data_dir: Path, bench_dir: Path, bench: str, split: str, run_path: Path,
                   ) -> dict[str, dict[str, float]]:
    """Rank a split's queries against the bench items with ``encode`` alone, write the run, return the scores.

    Parameters
    ----------
    encode : callable
        ``list[str] -> (n, dim)`` L2-normalised matrix.
    data_dir, bench_dir : Path
        ``../shared/data`` and ``../shared/bench``.
    bench : str
        ``cn-titles`` or ``en-onet``.
    split : str
        ``dev`` (or ``test`` where present).
    run_path : Path
        Where to write the run file.

    Returns
    -------
    dict
        ``score.py``'s figures per slice (``all`` included).
    """
    split_dir = bench_dir / bench / split
    queries = read_table(split_dir / "queries.csv")
    item_ids, item_texts = bench_items(data_dir, bench_dir, bench)
    top, scores = rank(encode, queries["text"].tolist(), item_texts)
    write_run(run_path, queries["qid"].tolist(), item_ids, top, scores)
    return score_run(bench_dir, bench, split, run_path)
