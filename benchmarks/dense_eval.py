#!/usr/bin/env python3
"""Dense-only bench figures for a sentence-transformers model folder: query text vs item text, cosine top-100.

usage: python benchmarks/dense_eval.py [MODEL_DIR] [--bench cn-titles en-onet] [--split dev]
                                       [--data-dir ../shared/data] [--bench-dir ../shared/bench] [--runs-dir runs] [--json]

Writes one run file per bench (``RUNS_DIR/<model>.<bench>.<split>.run.csv``) and prints ``score.py``'s figures per
slice. No lexical channel and no links: this is the encoder alone.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("model", nargs="?", type=Path, default=ROOT / "models" / "worker-job-static-zh-en")
    parser.add_argument("--bench", nargs="+", default=["cn-titles", "en-onet"])
    parser.add_argument("--split", default="dev")
    parser.add_argument("--data-dir", type=Path, default=Path(os.environ.get("RECOMMENDER_DATA_DIR", ROOT / ".." / "shared" / "data")))
    parser.add_argument("--bench-dir", type=Path, default=Path(os.environ.get("RECOMMENDER_BENCH_DIR", ROOT / ".." / "shared" / "bench")))
    parser.add_argument("--runs-dir", type=Path, default=ROOT / "runs")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    from sentence_transformers import SentenceTransformer

    from recommender.training.dense_eval import evaluate_dense

    model = SentenceTransformer(str(args.model), device="cpu", local_files_only=True)

    def encode(texts: list[str]):
        return model.encode(texts, batch_size=1024, normalize_embeddings=True, convert_to_numpy=True)

    results = {}
    for bench in args.bench:
        run_path = args.runs_dir / f"{args.model.name}.{bench}.{args.split}.run.csv"
        results[bench] = evaluate_dense(encode, args.data_dir, args.bench_dir, bench, args.split, run_path)
    if args.json:
        print(json.dumps(results, ensure_ascii=False))
    else:
        for bench, slices in results.items():
            for name, m in sorted(slices.items(), key=lambda kv: kv[0] != "all"):
                print(f"{bench:10s} {name:12s} " + " ".join(f"{k}={v}" for k, v in m.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
