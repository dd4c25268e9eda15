"""Single-recommendation latency, warm: median and p99 over demo workers, split into phases, at two scales.

    python benchmarks/recommend_latency.py                     # demo and province, default encoder + lexical
    python benchmarks/recommend_latency.py --scales province --encoders st:models/worker-job-static-zh-en \
        --workers 200 --repeats 5

Scales: ``demo`` (the demo province's catalog, ~12k course rows) and ``province`` (``recommender.demo.scale``,
~100k course rows; generated under ``var/perf/province`` when absent). The matcher is built (or loaded from its
fingerprinted pickle) once per scale and encoder; then every worker is recommended once to warm up and timed
on ``--repeats`` further passes (median and p99 per pass; the figures are the medians over passes). A last pass
with :class:`phases.PhaseTimer` installed gives the split (exclusive ms per phase, median over workers): encode /
search (linker, lexical, dense) / fuse (the rest of the matcher) / ladder, constraints, subsidies, courses,
explain, engine (the rest of ``Recommender.recommend``). The phases of one worker add up to its recommendation in
that pass (timer included); their sum is printed next to the totals of the untimed passes, so the timer's own cost
shows.

``raw`` = one query encoding of the worker's job text + one raw FAISS search of the matcher's dense index (k=10),
timed right after each recommendation (so both see the same machine load); ``ratio`` = median pipeline total /
median raw, per pass. Only for encoders with a dense channel. The load average is printed: a busy machine
inflates every figure, and the p99 most.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from machine import REPO_ROOT, peak_rss_mb, print_machine
from phases import PHASES, PhaseTimer

sys.path.insert(0, str(REPO_ROOT))

from recommender.demo import generate_demo_province, load_workers, read_demo_province
from recommender.demo.scale import scale_catalog
from recommender.matching.scoring import torch_threads
from recommender.recommend.build import default_encoder_name, recommender_for


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q))


def catalog_dirs(demo_dir: Path, perf_dir: Path) -> dict[str, Path]:
    if read_demo_province(demo_dir) is None:
        generate_demo_province(demo_dir)
    province = perf_dir / "province" / "catalog"
    if not (province / "courses.csv").exists():
        print(scale_catalog(demo_dir / "catalog", province, scale="province"), file=sys.stderr)
    return {"demo": demo_dir / "catalog", "province": province}


def raw_search(recommender):
    """A function timing one query encoding + one raw ``index.search(q, 10)`` on the matcher's FAISS index (s),
    or None without a dense channel; for an ensemble of matchers, the sum over its members. Encoding runs on one
    torch thread, as the matcher's query path does."""
    members = recommender.matcher.members
    if any(m.encoder is None or m.dense_index is None for m in members):
        return None

    def run(text: str) -> float:
        with torch_threads(1):
            start = time.perf_counter()
            for m in members:
                q = m.encoder.encode([text])
                m.dense_index.index.search(np.ascontiguousarray(q, dtype=np.float32), 10)
            return time.perf_counter() - start

    return run


def measure(catalog_dir: Path, encoder: str, workers, repeats: int) -> dict:
    start = time.perf_counter()
    built = recommender_for(catalog_dir, encoder)
    load_s = time.perf_counter() - start
    rec = built.recommender
    raw = raw_search(rec)
    for w in workers:  # warm: jieba, caches, allocator
        rec.recommend(w)
        if raw is not None:
            raw(w.job_text)
    medians, means, p99s, ratios, raws = [], [], [], [], []
    for _ in range(repeats):
        totals, raw_ms = [], []
        for w in workers:
            t0 = time.perf_counter()
            rec.recommend(w)
            totals.append((time.perf_counter() - t0) * 1000)
            if raw is not None:
                raw_ms.append(raw(w.job_text) * 1000)
        medians.append(statistics.median(totals))
        means.append(statistics.fmean(totals))
        p99s.append(percentile(totals, 99))
        if raw_ms:
            raws.append(statistics.median(raw_ms))
            ratios.append(medians[-1] / raws[-1])
    timer = PhaseTimer().install(rec)
    split: dict[str, list[float]] = {p: [] for p in PHASES}
    phase_sums, wrapped_calls = [], []
    try:
        for w in workers:
            timer.reset()
            rec.recommend(w)
            for p in PHASES:
                split[p].append(timer.totals.get(p, 0.0) * 1000)
            phase_sums.append(timer.total() * 1000)
            wrapped_calls.append(sum(timer.calls.values()))
    finally:
        timer.restore()
    return {
        "encoder": encoder, "courses": len(rec.catalog.courses), "programs": len(rec.catalog.programs),
        "load_s": round(load_s, 2), "repeats": repeats,
        "median_ms": round(statistics.median(medians), 2), "p99_ms": round(statistics.median(p99s), 2),
        "median_ms_per_pass": [round(v, 2) for v in medians], "p99_ms_per_pass": [round(v, 2) for v in p99s],
        "phases_median_ms": {p: round(statistics.median(v), 3) for p, v in split.items()},
        "phases_mean_ms": {p: round(statistics.fmean(v), 3) for p, v in split.items()},
        "phases_sum_median_ms": round(statistics.median(phase_sums), 3),
        "phases_sum_mean_ms": round(statistics.fmean(phase_sums), 3),
        "mean_ms": round(statistics.median(means), 3),
        "wrapped_calls_median": statistics.median(wrapped_calls),
        "encode_plus_raw_faiss_ms": round(statistics.median(raws), 3) if raws else None,
        "ratio": round(statistics.median(ratios), 1) if ratios else None,
        "ratio_per_pass": [round(v, 1) for v in ratios],
        "load_average": round(os.getloadavg()[0], 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--demo-dir", type=Path, default=REPO_ROOT / "var" / "demo")
    parser.add_argument("--perf-dir", type=Path, default=REPO_ROOT / "var" / "perf")
    parser.add_argument("--scales", nargs="+", default=["demo", "province"], choices=["demo", "province"])
    parser.add_argument("--encoders", nargs="+", default=None,
                        help="encoder names (default: the product default, plus 'lexical' for a dense channel)")
    parser.add_argument("--workers", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=3, help="timed passes over the workers (medians are quoted)")
    parser.add_argument("--json", action="store_true", help="print one JSON object per row")
    args = parser.parse_args(argv)
    print_machine()
    encoders = args.encoders or list(dict.fromkeys([default_encoder_name(), "lexical"]))
    dirs = catalog_dirs(args.demo_dir, args.perf_dir)
    workers = load_workers(args.demo_dir / "workers.csv")[: args.workers]
    print(f"{len(workers)} workers; encoders {encoders}; default encoder {default_encoder_name()!r}; "
          f"load average {os.getloadavg()[0]:.2f}")
    for scale in args.scales:
        for encoder in encoders:
            row = {"scale": scale, **measure(dirs[scale], encoder, workers, args.repeats)}
            if args.json:
                print(json.dumps(row, ensure_ascii=False))
                continue
            print(f"\n[{scale}] encoder={encoder} programs={row['programs']} courses={row['courses']} "
                  f"(load/fit {row['load_s']} s)")
            print(f"  total: median {row['median_ms']} ms, p99 {row['p99_ms']} ms (medians over {row['repeats']} "
                  f"passes; per pass: median {row['median_ms_per_pass']}, p99 {row['p99_ms_per_pass']}; "
                  f"load average {row['load_average']})")
            print("  phases (median ms): " + ", ".join(f"{p} {v}" for p, v in row["phases_median_ms"].items()))
            print("  phases (mean ms):   " + ", ".join(f"{p} {v}" for p, v in row["phases_mean_ms"].items()))
            print(f"  phases summed per worker (timed pass): median {row['phases_sum_median_ms']} ms, mean "
                  f"{row['phases_sum_mean_ms']} ms, {row['wrapped_calls_median']:g} wrapped calls (median); "
                  f"total without the timer: median {row['median_ms']} ms, mean {row['mean_ms']} ms")
            if row["ratio"] is not None:
                print(f"  one encoding + one raw FAISS search: {row['encode_plus_raw_faiss_ms']} ms; "
                      f"pipeline/raw ratio {row['ratio']} (per pass {row['ratio_per_pass']})")
    print(f"\npeak RSS {peak_rss_mb():.0f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
