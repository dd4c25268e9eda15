"""Batch throughput: workers per second over a resampled population, with and without job-text caching.

    python benchmarks/batch.py                          # 100,000 workers, demo catalog, default encoder
    python benchmarks/batch.py --workers 100000 --uncached-sample 3000 --full-sample 300

Workers are resampled from the demo workers (``recommender.demo.scale.scale_workers``: new ids and cities), so
job texts repeat (≤ 1,000 distinct). Modes:

``match, uncached``   ``Matcher.score`` over batches of 256 job texts, every worker's text scored (timed on
                      ``--uncached-sample`` workers; the rate is per worker).
``match, cached``     each distinct job text scored once (batched), rows shared by the workers that typed it; all
                      ``--workers`` workers.
``full, cached``      the whole ``Recommender.recommend`` per worker (constraints, subsidies, courses, reasons)
                      with the matcher's ``match`` memoised by job text; timed on ``--full-sample`` workers.
"""

from __future__ import annotations

import argparse
import sys
import time
from functools import lru_cache
from pathlib import Path

from machine import REPO_ROOT, peak_rss_mb, print_machine

sys.path.insert(0, str(REPO_ROOT))

from recommender.demo import load_workers
from recommender.demo.scale import scale_workers
from recommender.recommend.build import default_encoder_name, recommender_for

BATCH = 256


class MemoMatcher:
    """The matcher's ``match`` memoised by (text, levels, k): repeated job texts are matched once."""

    def __init__(self, matcher, size: int = 100_000):
        self._match = lru_cache(maxsize=size)(lambda text, levels, k: matcher.match(text, levels=levels, k=k))

    def match(self, text, *, levels=None, k=50):
        return self._match(text, None if levels is None else tuple(levels), k)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--demo-dir", type=Path, default=REPO_ROOT / "var" / "demo")
    parser.add_argument("--encoder", default=None)
    parser.add_argument("--workers", type=int, default=100_000)
    parser.add_argument("--uncached-sample", type=int, default=3_000)
    parser.add_argument("--full-sample", type=int, default=300)
    args = parser.parse_args(argv)
    print_machine()
    encoder = args.encoder or default_encoder_name()
    built = recommender_for(args.demo_dir / "catalog", encoder)
    rec, matcher = built.recommender, built.recommender.matcher
    population = scale_workers(load_workers(args.demo_dir / "workers.csv"), args.workers)
    texts = [w.job_text for w in population]
    distinct = list(dict.fromkeys(texts))
    print(f"encoder {encoder!r}; {len(population):,} workers, {len(distinct):,} distinct job texts")
    matcher.score(texts[:BATCH])  # warm

    sample = texts[: args.uncached_sample]
    t = time.perf_counter()
    for start in range(0, len(sample), BATCH):
        matcher.score(sample[start: start + BATCH])
    uncached = len(sample) / (time.perf_counter() - t)
    print(f"match, uncached (batches of {BATCH}, {len(sample):,} workers): {uncached:,.0f} workers/s")

    t = time.perf_counter()
    row_of = {}
    for start in range(0, len(distinct), BATCH):
        chunk = distinct[start: start + BATCH]
        scores, _ = matcher.score(chunk)
        for text, row in zip(chunk, scores):
            row_of[text] = row
    rows = [row_of[text] for text in texts]
    cached = len(rows) / (time.perf_counter() - t)
    print(f"match, cached by job text ({len(population):,} workers): {cached:,.0f} workers/s")

    memo = MemoMatcher(matcher)
    rec.matcher = memo
    try:
        full = population[: args.full_sample]
        t = time.perf_counter()
        for w in full:
            rec.recommend(w)
        full_rate = len(full) / (time.perf_counter() - t)
    finally:
        rec.matcher = matcher
    print(f"full recommend, match cached ({len(full):,} workers, one process): {full_rate:,.0f} workers/s")
    print(f"peak RSS {peak_rss_mb():.0f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
