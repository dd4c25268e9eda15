#!/usr/bin/env python3
"""Encoder speed, load time and size, with the machine's facts.

usage: python benchmarks/encoder_speed.py [MODEL_DIR] [--threads N] [--json]

Encodes one batch of 1,000 short job titles three times (median texts/s), times single-text calls (median of 50,
latency in ms), times ``SentenceTransformer(MODEL_DIR)`` (after the imports, which are timed separately) and sums the
model folder's file sizes. Default model: models/worker-job-static-zh-en.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

from machine import cpu_model

DEFAULT_MODEL = Path(__file__).resolve().parents[1] / "models" / "worker-job-static-zh-en"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("model", nargs="?", type=Path, default=DEFAULT_MODEL, help="sentence-transformers model folder")
    parser.add_argument("--threads", type=int, default=2, help="torch CPU threads (default: 2)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    args = parser.parse_args(argv)
    if not (args.model / "modules.json").is_file():
        sys.exit(f"error: {args.model} is not a sentence-transformers model folder (no modules.json)")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    start = time.perf_counter()
    import torch
    from sentence_transformers import SentenceTransformer

    from recommender.training.model_card import folder_size_mb, measure_speed
    import_seconds = time.perf_counter() - start
    torch.set_num_threads(args.threads)

    loads = []
    for _ in range(3):
        start = time.perf_counter()
        model = SentenceTransformer(str(args.model), device="cpu", local_files_only=True)
        loads.append(time.perf_counter() - start)
    speed = measure_speed(model, n=1000, repeats=3)
    facts = {
        "model": str(args.model), "size_mb": folder_size_mb(args.model),
        "dim": model.get_sentence_embedding_dimension(),
        "import_seconds": round(import_seconds, 2), "load_seconds_median": round(sorted(loads)[1], 3),
        **speed,
        "machine": {"cpu": cpu_model(), "cpu_count": os.cpu_count(), "torch_threads": torch.get_num_threads(),
                    "load_average": [round(x, 2) for x in os.getloadavg()], "python": platform.python_version(),
                    "torch": torch.__version__, "platform": platform.platform()},
    }
    if args.json:
        print(json.dumps(facts, ensure_ascii=False))
    else:
        for key, value in facts.items():
            print(f"{key:32s} {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
