"""``recommender evaluate``: rank a benchmark split with the matcher, write the run file, then score it."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from recommender.catalog.importers.common import DATA_DIR_ENV, default_data_dir, repo_root
from recommender.encoders.registry import CACHE_ENV
from recommender.errors import UserError
from recommender.evaluation.bench import rank_split, score_run, write_run
from recommender.matching.matcher import CHANNELS

HEADLINE = (("recall@10", "Recall@10"), ("mrr", "MRR"), ("ndcg@10", "nDCG@10"), ("map", "MAP"))


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "evaluate",
        help="rank a benchmark split and score it (Recall@10, MRR, nDCG@10 per slice)",
        description="Rank the items of BENCH_DIR (items.csv, occupations.csv, item_occupations.csv) for every "
        "query of SPLIT_DIR/queries.csv, write the run file (qid,item_id,rank,score; up to K rows per query), and "
        "only then, if SPLIT_DIR/qrels.csv exists, print Recall@10, MRR, nDCG@10 and MAP overall and per slice. "
        "The ranking never reads qrels. Extra public knowledge (O*NET related occupations, alternate titles, CIP "
        f"titles) comes from --data-dir, else ${DATA_DIR_ENV}, else ../shared/data beside the project, when present.",
    )
    p.add_argument("bench_dir", metavar="BENCH_DIR", help="bench folder, e.g. ../shared/bench/cn-titles")
    p.add_argument("split_dir", metavar="SPLIT_DIR", help="split folder with queries.csv, e.g. BENCH_DIR/dev")
    p.add_argument("--out", required=True, metavar="RUN.csv", help="run file to write")
    p.add_argument("--encoder", default="auto",
                   help="dense encoder: use, minilm, lexical, st:PATH (a local sentence-transformers folder, e.g. "
                   "st:models/worker-job-static-zh-en), or several joined by + (an ensemble: one matcher per "
                   "encoder, scores averaged); auto (default): use+our shipped model for Chinese, our shipped "
                   "model for English (use / minilm when it is missing)")
    p.add_argument("--channels", default=",".join(CHANNELS),
                   help=f"comma-separated subset of {','.join(CHANNELS)} (default all: fused)")
    p.add_argument("--data-dir", metavar="DIR", help="public data folder (default ../shared/data)")
    p.add_argument("--cache-dir", metavar="DIR",
                   help=f"embedding cache (default ${CACHE_ENV}, else var/cache/embeddings in the project)")
    p.add_argument("--no-cache", action="store_true", help="do not read or write the embedding cache")
    p.add_argument("--learn-from", action="append", metavar="DIR",
                   help="a labelled split (queries.csv + qrels.csv) whose titles teach the occupation linker and "
                   "whose queries teach the reranker; "
                   "repeatable; 'auto' (default): every other split folder of BENCH_DIR with a qrels.csv (for a "
                   "hidden test split: dev; for dev: none); 'none': learn from no split")
    p.add_argument("--cross-validate", type=int, default=0, metavar="K",
                   help="rank SPLIT_DIR in K folds, each with a linker and a reranker taught by the other folds' "
                   "labels (reads SPLIT_DIR/qrels.csv for the other folds only): what learning from a labelled "
                   "split brings")
    p.add_argument("--cv-unit", choices=("query", "occupation"), default="query",
                   help="what --cross-validate deals to folds: single queries (default; new titles of known "
                   "occupations) or all queries with the same relevant items together (new occupations)")
    p.add_argument("--no-rerank", action="store_true",
                   help="do not rerank with a model learned from labelled queries (by default, when --learn-from "
                   "or --cross-validate gives labelled queries, a logistic regression over each candidate's "
                   "channel scores reorders the 50 best candidates)")
    p.add_argument("-k", type=int, default=100, help="rows per query in the run file (default 100)")
    p.add_argument("--progress", action="store_true", help="show progress bars on stderr")
    p.add_argument("--json", action="store_true", help="print metrics, timings and settings as JSON")
    p.set_defaults(func=run)


def _data_dir(arg: str | None) -> Path | None:
    if arg:
        if not Path(arg).is_dir():
            raise UserError(f"--data-dir {arg} does not exist")
        return Path(arg)
    chosen = Path(os.environ[DATA_DIR_ENV]) if os.environ.get(DATA_DIR_ENV) else default_data_dir()
    return chosen if chosen.is_dir() else None


def run(args) -> int:
    channels = tuple(c.strip() for c in args.channels.split(",") if c.strip())
    bad = [c for c in channels if c not in CHANNELS]
    if bad or not channels:
        raise UserError(f"--channels: unknown {', '.join(bad) or '(empty)'}; choose from {', '.join(CHANNELS)}")
    if not Path(args.bench_dir).is_dir():
        raise UserError(f"BENCH_DIR {args.bench_dir} is not a folder")
    cache_dir = None
    if not args.no_cache:
        cache_dir = args.cache_dir or os.environ.get(CACHE_ENV) or repo_root() / "var" / "cache" / "embeddings"
    data_dir = _data_dir(args.data_dir)
    learn_from = args.learn_from or ["auto"]
    if len(learn_from) == 1 and learn_from[0] in ("auto", "none"):
        learn_from = learn_from[0]
    elif {"auto", "none"} & set(learn_from):
        raise UserError("--learn-from: 'auto' and 'none' stand alone; otherwise give split folders")
    if args.cross_validate and not (Path(args.split_dir) / "qrels.csv").is_file():
        raise UserError(f"--cross-validate needs {Path(args.split_dir) / 'qrels.csv'}: the folds learn from it")
    result = rank_split(args.bench_dir, args.split_dir, encoder=args.encoder, channels=channels,
                        data_dir=data_dir, cache_dir=cache_dir, k=args.k, show_progress=args.progress,
                        learn_from=learn_from, cross_validate=args.cross_validate, cv_unit=args.cv_unit,
                        rerank=not args.no_rerank)
    write_run(result.rows, args.out)
    metrics = score_run(args.split_dir, args.out)  # after ranking: the only place qrels are read
    if args.json:
        print(json.dumps({"run": str(args.out), "metrics": metrics, "timings_s": {
            k: round(v, 2) for k, v in result.timings.items()}, "data_dir": str(data_dir) if data_dir else None,
            **result.info}, ensure_ascii=False))
        return 0
    t = result.timings
    print(f"wrote {args.out}: {len(result.rows)} rows for {len(result.queries)} queries "
          f"({t['total']:.1f}s: fit {t['fit']:.1f}s, "
          + (f"reranker training {t['rerank_training']:.1f}s, " if "rerank_training" in t else "")
          + f"rank {t['rank']:.1f}s; encoder {result.info['encoder']}; "
          f"channels {','.join(channels)})", file=sys.stderr)
    info = result.info
    taught = ", ".join(Path(d).name for d in info["learned_from"]) or "no other split"
    print(f"linker taught by {info['learned_titles']} labelled titles from {taught}"
          + (f"; cross-validated in {info['cross_validation_folds']} folds by {info['cross_validation_unit']} "
             "(each fold taught by the others)"
             if info["cross_validation_folds"] else ""), file=sys.stderr)
    reranker = info["reranker"]
    print(f"reranked the {reranker['depth']} best candidates with a model learned from "
          f"{reranker['training_queries']} labelled queries" if reranker else
          "no reranking (no labelled queries to learn from)" if not args.no_rerank else "no reranking (--no-rerank)",
          file=sys.stderr)
    if info.get("link_predictor_crossfit_folds"):
        print(f"link predictor fitted on the similarities of {info['link_predictor_crossfit_folds']} cross-fitted "
              "encoder folds", file=sys.stderr)
    if metrics is None:
        print(f"{args.split_dir} has no qrels.csv: nothing to score")
        return 0
    print(f"{'slice':12s} {'queries':>7s} " + " ".join(f"{label:>9s}" for _, label in HEADLINE))
    for name, m in sorted(metrics.items(), key=lambda x: x[0] != "all"):
        print(f"{name:12s} {m['queries']:7d} " + " ".join(f"{m[key]:9.4f}" for key, _ in HEADLINE))
    return 0
