"""Batch throughput: full recommendations per second for a worker population, with and without job-text caching.

    python benchmarks/batch.py                                   # 100,000 workers, province catalog, 2 processes
    python benchmarks/batch.py --catalog demo --workers 20000 --processes 1

Workers are resampled from the demo workers (``recommender.demo.scale.scale_workers``: new ids and cities), so
job texts repeat (≤ 1,000 distinct) and profiles repeat (≤ 1,000 × 13 cities). Modes, each timed on its own:

``match, uncached``     ``Matcher.score`` over batches of 256 job texts, every worker's text scored (on
                        ``--match-sample`` workers; the rate is per worker).
``match, cached``       each distinct job text scored once (batched), rows shared by the workers that typed it.
``full, cached``        ``Recommender.recommend_many(workers)``: everything a recommendation holds (constraints,
                        subsidies, ranking, courses, credit transfers, reasons); workers with the same profile share
                        one computation, each distinct job text is matched once.
``full, uncached``      ``recommend_many(workers, cache_job_texts=False)`` on the same population with every job
                        title made unique (the worker id appended in brackets, which the matcher strips as a note):
                        no text repeats, so no cache keyed by text can help; every worker is matched (in batches)
                        and ranked on their own. ``--uncached-texts as-generated`` keeps the repeated texts instead
                        (no text-level memo in the pipeline, but the tokenisation cache of course ranking can hit).

``--processes 2`` splits the workers between two forked processes (the recommender is built once, before the
fork), so both cores work; the rate is all workers over the wall-clock time of the slower process. The CPU time
per worker (both processes' CPU seconds over the workers) depends less on what else the machine runs.
``--repeats N`` runs each full mode N times (each run forks afresh from the same warm parent, so nothing a run
learns reaches the next) and prints the median.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

from machine import REPO_ROOT, peak_rss_mb, print_machine
from recommend_latency import catalog_dirs

sys.path.insert(0, str(REPO_ROOT))

from recommender.demo import load_workers
from recommender.demo.scale import scale_workers
from recommender.recommend.build import default_encoder_name, recommender_for

BATCH = 256
_STATE: dict = {}  # what forked processes inherit: the recommender and the populations


def _run_share(args: tuple[str, int, int, bool]) -> tuple[int, float, float, int]:
    """Recommend one share of a population in a (forked) process: (workers, wall s, CPU s, items)."""
    population, start, stop, cache = args
    workers = _STATE[population][start:stop]
    t0, c0 = time.perf_counter(), time.process_time()
    results = _STATE["recommender"].recommend_many(workers, cache_job_texts=cache)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    return len(workers), wall, cpu, sum(len(r.items) for r in results)


def full_rate(population: str, n: int, processes: int, cache: bool) -> dict:
    shares = [(population, n * i // processes, n * (i + 1) // processes, cache) for i in range(processes)]
    t0 = time.perf_counter()
    if processes == 1:
        parts = [_run_share(shares[0])]
    else:
        with mp.get_context("fork").Pool(processes) as pool:
            parts = pool.map(_run_share, shares)
    wall = time.perf_counter() - t0
    return {"workers": sum(p[0] for p in parts), "wall_s": wall, "rate": n / wall,
            "cpu_s": sum(p[2] for p in parts), "items": sum(p[3] for p in parts)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--demo-dir", type=Path, default=REPO_ROOT / "var" / "demo")
    parser.add_argument("--perf-dir", type=Path, default=REPO_ROOT / "var" / "perf")
    parser.add_argument("--catalog", choices=["demo", "province"], default="province")
    parser.add_argument("--encoder", default=None, help="encoder name (default: the product default)")
    parser.add_argument("--workers", type=int, default=100_000, help="population size")
    parser.add_argument("--match-sample", type=int, default=3_000, help="workers for the 'match, uncached' mode")
    parser.add_argument("--processes", type=int, default=2, choices=[1, 2], help="processes for the full modes")
    parser.add_argument("--modes", nargs="+", default=["match", "cached", "uncached"],
                        choices=["match", "cached", "uncached"])
    parser.add_argument("--uncached-texts", choices=["unique", "as-generated"], default="unique",
                        help="job texts of the 'full, uncached' population")
    parser.add_argument("--repeats", type=int, default=1, help="runs of each full mode (the median is printed)")
    args = parser.parse_args(argv)
    print_machine()
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    encoder = args.encoder or default_encoder_name()
    catalog_dir = catalog_dirs(args.demo_dir, args.perf_dir)[args.catalog]
    built = recommender_for(catalog_dir, encoder)
    rec, matcher = built.recommender, built.recommender.matcher
    population = scale_workers(load_workers(args.demo_dir / "workers.csv"), args.workers)
    texts = [w.job_text for w in population]
    distinct = list(dict.fromkeys(texts))
    profiles = len({replace(w, worker_id="") for w in population})
    print(f"catalog {args.catalog} ({len(rec.catalog.courses):,} courses); encoder {encoder!r}; "
          f"{len(population):,} workers, {len(distinct):,} distinct job texts, {profiles:,} distinct profiles")
    rec.recommend_many(population[:300])  # warm: jieba, caches, allocator

    if "match" in args.modes:
        sample = texts[: args.match_sample]
        t = time.perf_counter()
        for start in range(0, len(sample), BATCH):
            matcher.score(sample[start: start + BATCH])
        print(f"match, uncached (batches of {BATCH}, {len(sample):,} workers): "
              f"{len(sample) / (time.perf_counter() - t):,.0f} workers/s")
        t = time.perf_counter()
        row_of = {}
        for start in range(0, len(distinct), BATCH):
            chunk = distinct[start: start + BATCH]
            scores, _ = matcher.score(chunk)
            row_of.update(zip(chunk, scores))
        rows = [row_of[text] for text in texts]
        print(f"match, cached by job text ({len(rows):,} workers): {len(rows) / (time.perf_counter() - t):,.0f} "
              "workers/s")

    _STATE["recommender"] = rec
    _STATE["cached"] = population
    _STATE["unique"] = [replace(w, job_title=f"{w.job_title}（{w.worker_id}）") for w in population] \
        if args.uncached_texts == "unique" else population
    for mode in ("cached", "uncached"):
        if mode not in args.modes:
            continue
        runs = []
        for _ in range(args.repeats):
            load = os.getloadavg()[0]
            result = full_rate("cached" if mode == "cached" else "unique", len(population), args.processes,
                               cache=mode == "cached")
            runs.append(result)
            texts = f", {args.uncached_texts} texts" if mode == "uncached" else ""
            print(f"full, {mode} ({result['workers']:,} workers{texts}, {args.processes} process(es)): "
                  f"{result['rate']:,.0f} workers/s (wall {result['wall_s']:.1f} s, CPU {result['cpu_s']:.1f} s = "
                  f"{result['cpu_s'] / result['workers'] * 1e3:.2f} ms per worker, {result['items']:,} "
                  f"recommendations; load average before {load:.2f})", flush=True)
        if len(runs) > 1:
            print(f"full, {mode}: median of {len(runs)}: {statistics.median(r['rate'] for r in runs):,.0f} "
                  f"workers/s, CPU {statistics.median(r['cpu_s'] / r['workers'] for r in runs) * 1e3:.2f} ms "
                  "per worker")
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    print(f"peak RSS {peak_rss_mb():.0f} MiB (this process)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
