"""``recommender compare``: two run files of one split side by side, with paired-bootstrap intervals."""

from __future__ import annotations

import json

from recommender.errors import UserError
from recommender.evaluation.bench import compare_runs

METRICS = (("recall@10", "Recall@10"), ("mrr", "MRR"), ("ndcg@10", "nDCG@10"))


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "compare",
        help="compare two run files of a split: difference per metric and slice, with 95%% intervals",
        description="Score RUN.csv and BASELINE.csv against SPLIT_DIR/qrels.csv and print, overall and per slice, "
        "both means and their difference (RUN minus BASELINE) with a 95% paired-bootstrap interval and a "
        "two-sided p-value: queries are resampled with replacement, the same resample for both runs. A difference "
        "whose interval holds 0 is within the noise of this query set. Run files come from `recommender evaluate "
        "--out` (qid,item_id,rank[,score]).",
    )
    p.add_argument("split_dir", metavar="SPLIT_DIR", help="split folder with queries.csv and qrels.csv")
    p.add_argument("run", metavar="RUN.csv", help="the run to judge")
    p.add_argument("baseline", metavar="BASELINE.csv", help="the run it is compared with")
    p.add_argument("--resamples", type=int, default=10_000, help="bootstrap resamples (default 10000)")
    p.add_argument("--seed", type=int, default=13, help="seed of the resampling (default 13)")
    p.add_argument("--by-relevant-set", action="store_true",
                   help="resample groups of queries with the same relevant items together (many titles of one "
                   "occupation are not independent; the intervals widen accordingly)")
    p.add_argument("--json", action="store_true", help="print the comparison as JSON")
    p.set_defaults(func=run)


def run(args) -> int:
    if args.resamples < 100:
        raise UserError(f"--resamples {args.resamples}: use at least 100")
    result = compare_runs(args.split_dir, args.run, args.baseline, resamples=args.resamples, seed=args.seed,
                          by_relevant_set=args.by_relevant_set)
    if args.json:
        print(json.dumps({"run": args.run, "baseline": args.baseline, "resamples": args.resamples,
                          "seed": args.seed, "by_relevant_set": args.by_relevant_set, "slices": result}, ensure_ascii=False))
        return 0
    unit = "groups of queries with the same relevant items" if args.by_relevant_set else "queries"
    print(f"run {args.run} vs baseline {args.baseline}: difference (run - baseline), "
          f"95% paired-bootstrap interval over {unit} ({args.resamples} resamples)")
    print(f"{'slice':12s} {'queries':>7s} {'groups':>6s} {'metric':10s} {'run':>7s} {'base':>7s} {'diff':>8s} "
          f"{'95% interval':>19s} {'p':>6s}")
    for name, row in sorted(result.items(), key=lambda x: x[0] != "all"):
        for key, label in METRICS:
            m = row[key]
            mark = " *" if m["low"] > 0 or m["high"] < 0 else ""
            print(f"{name:12s} {row['queries']:7d} {row['groups']:6d} {label:10s} {m['run']:7.4f} {m['baseline']:7.4f} "
                  f"{m['diff']:+8.4f} [{m['low']:+8.4f}, {m['high']:+8.4f}] {m['p']:6.3f}{mark}")
    print("* the interval excludes 0")
    return 0
