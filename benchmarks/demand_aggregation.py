"""Benchmark: DuckDB aggregation of ~1M feedback events (the demand model's base aggregations).

Generates the 100,000-worker activity variant (≈1.3M events over 2027) in a temporary directory (or reads
``--activity``), then times, on a fresh store each run (median of ``--repeats``):

- **aggregation**: every base aggregation of ``DemandStore.aggregate_all()`` — per-program funnel and first-interest
  month, per-college first interest, city × major × occupation demand, city × month firsts, applicants per major,
  enrolments, enterprise requests;
- after it, once: the dashboards of all colleges (k = 10) and the union report (exact, with the subsidy projection).

Target: aggregation over 1,000,000 events ≤ 10 s. Usage::

    .venv/bin/python benchmarks/demand_aggregation.py [--workers 100000] [--repeats 3] [--activity DIR] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

TARGET_SECONDS = 10.0


def machine() -> dict:
    import duckdb

    cpu = ""
    try:
        cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                    if line.startswith("model name")), "")
    except OSError:
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {"cores": os.cpu_count(), "usable_cores": usable, "cpu": cpu or platform.processor(),
            "python": platform.python_version(), "duckdb": duckdb.__version__, "platform": platform.platform()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=100_000, help="synthetic workers to generate (default 100000)")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs of the aggregation (median reported)")
    parser.add_argument("--activity", type=Path, help="an existing activity directory (skips generation)")
    parser.add_argument("--province", type=Path, help="a demo province (default: a fresh one in a temp directory)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)

    from recommender.catalog.loader import load_catalog
    from recommender.demand import DemandStore, college_demand, union_report
    from recommender.demand.activity import enterprise_seeds, generate_activity, synthetic_workers_frame
    from recommender.demo import generate_demo_province, read_demo_province

    figures: dict = {"machine": machine()}
    with tempfile.TemporaryDirectory(prefix="demand-bench-") as tmp:
        province = read_demo_province(args.province) if args.province else None
        if province is None:
            province = generate_demo_province(Path(tmp) / "province")
        catalog = load_catalog(province.catalog_dir)
        if args.activity:
            activity = args.activity
        else:
            started = time.perf_counter()
            workers = synthetic_workers_frame(args.workers, seed=province.seed)
            data = generate_activity(Path(tmp) / "activity", catalog, workers, seed=province.seed,
                                     enterprises=enterprise_seeds(province.root))
            figures["generation_seconds"] = round(time.perf_counter() - started, 2)
            figures["workers"] = args.workers
            activity = data.root
        runs = []
        for _ in range(args.repeats):
            with DemandStore.open(activity, catalog) as store:
                started = time.perf_counter()
                rows = store.aggregate_all()
                runs.append(time.perf_counter() - started)
                events = store.event_count()
        figures.update({"events": events, "aggregation_runs_seconds": [round(r, 3) for r in runs],
                        "aggregation_median_seconds": round(statistics.median(runs), 3), "result_rows": rows})
        with DemandStore.open(activity, catalog) as store:
            store.aggregate_all()
            started = time.perf_counter()
            for college_id in catalog.colleges:
                college_demand(store, college_id, k=10)
            figures["all_college_dashboards_seconds"] = round(time.perf_counter() - started, 3)
            figures["colleges"] = len(catalog.colleges)
            started = time.perf_counter()
            report = union_report(store)
            figures["union_report_seconds"] = round(time.perf_counter() - started, 3)
            figures["enrolments_priced"] = report.subsidies.enrolled
    median = figures["aggregation_median_seconds"]
    figures["target_seconds"] = TARGET_SECONDS
    figures["per_million_events_seconds"] = round(median / (figures["events"] / 1e6), 3)
    figures["meets_target"] = figures["per_million_events_seconds"] <= TARGET_SECONDS
    if args.json:
        print(json.dumps(figures, ensure_ascii=False, indent=2))
    else:
        m = figures["machine"]
        print(f"machine: {m['usable_cores']} usable of {m['cores']} cores ({m['cpu']}), Python {m['python']}, "
              f"DuckDB {m['duckdb']}, {m['platform']}")
        if "generation_seconds" in figures:
            print(f"generated {figures['workers']:,} workers' activity in {figures['generation_seconds']} s")
        print(f"events: {figures['events']:,}")
        print(f"aggregation (all base queries, fresh store): median {median} s over {args.repeats} runs "
              f"{figures['aggregation_runs_seconds']} → {figures['per_million_events_seconds']} s per 1M events "
              f"(target ≤ {TARGET_SECONDS} s: {'met' if figures['meets_target'] else 'NOT met'})")
        print(f"then: {figures['colleges']} college dashboards in {figures['all_college_dashboards_seconds']} s; "
              f"union report (pricing {figures['enrolments_priced']:,} enrolments) in {figures['union_report_seconds']} s")
    return 0 if figures["meets_target"] else 1


if __name__ == "__main__":
    sys.exit(main())
