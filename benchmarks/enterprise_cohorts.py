"""Benchmark: cohorts and training classes on the 20 demo enterprises, and a roster of 5,000.

Generates the demo province (seed 2026) in a temporary directory (or reads ``--demo-dir``), fits the occupation
linker once (lexical features, as the product's default build), then for every demo enterprise imports its roster
(pseudonymised), designs its training classes with its target role, and prints:

- **purity** of the cohorts against the generating roles (``role_code``), per enterprise and weighted by staff,
  with the *attainable* purity (a greedy bound: roles smaller than ``--min-cohort`` cannot have a cohort of their
  own) and the **adjusted Rand index**;
- per cohort: curriculum **coverage** of the teachable gap (target ≥ 90%) and **course count** (target ≤ 12),
  and whether **every proposed college offers every course** it is proposed for (checked against the catalog);
- **timings**: linker fit, each enterprise, and a 5,000-worker roster (target < 60 s).

Usage::

    .venv/bin/python benchmarks/enterprise_cohorts.py [--demo-dir var/demo] [--min-cohort 15] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

from sklearn.metrics import adjusted_rand_score

KEY = "benchmark"


def attainable_purity(roles: dict[str, str], min_cohort: int) -> float:
    """Greedy bound on purity when no cohort may be smaller than ``min_cohort``: each role that large keeps a
    cohort; smaller roles are grouped (largest first, topped up with the smallest) until a group reaches the
    minimum, the group's largest role counting as pure; a remainder too small for a group counts as impure."""
    counts = sorted(Counter(roles.values()).values(), reverse=True)
    pure = sum(c for c in counts if c >= min_cohort)
    small = [c for c in counts if c < min_cohort]
    if pure == 0 and small:  # everyone in one cohort
        return max(small) / sum(small)
    while small and sum(small) >= min_cohort:
        head = small.pop(0)
        size = head
        while size < min_cohort and small:
            size += small.pop()
        if size >= min_cohort:
            pure += head
    return pure / len(roles)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--demo-dir", type=Path, default=None, help="a demo province (default: generate one)")
    parser.add_argument("--min-cohort", type=int, default=15)
    parser.add_argument("--big", type=int, default=5000, help="size of the large roster (0: skip)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    from recommender.catalog.loader import load_catalog
    from recommender.demo import (
        generate_demo_province,
        load_enterprises,
        load_roster_roles,
        load_target_roles,
    )
    from recommender.enterprise import design_training, load_roster, pseudonymise, purity
    from recommender.enterprise.design import check_offers
    from recommender.enterprise.linking import RosterLinker
    from recommender.enterprise.skills import SkillModel

    with tempfile.TemporaryDirectory() as tmp:
        root = args.demo_dir or generate_demo_province(Path(tmp) / "province", seed=2026).root
        catalog = load_catalog(root / "catalog")
        started = time.perf_counter()
        linker = RosterLinker(catalog).fit()
        fit_s = time.perf_counter() - started
        skills = SkillModel(catalog)
        enterprises = {e.enterprise_id: e for e in load_enterprises(root)}
        targets = load_target_roles(root)
        roles = load_roster_roles(root)
        rows, staff, weighted, attainable_weighted, violations = [], 0, 0.0, 0.0, 0
        for eid in sorted(enterprises):
            e = enterprises[eid]
            t = time.perf_counter()
            roster = load_roster(root / "rosters" / f"{eid}.csv", city=e.city, name=e.name, key=KEY)
            design = design_training(roster, catalog, targets.get(eid) or None, linker=linker, skills=skills,
                                     min_cohort=args.min_cohort)
            seconds = time.perf_counter() - t
            labels = design.analysis.labels()
            truth = {pseudonymise(emp, eid, KEY): code for emp, code in roles[eid].items()}
            ids = sorted(labels)
            p = purity(labels, truth)
            bound = attainable_purity(truth, args.min_cohort)
            problems = check_offers(design, catalog)
            violations += len(problems)
            staff += len(roster)
            weighted += p * len(roster)
            attainable_weighted += bound * len(roster)
            rows.append({
                "enterprise": eid, "staff": len(roster), "target": targets.get(eid, ""),
                "cohorts": len(design.cohorts), "purity": round(p, 4), "attainable": round(bound, 4),
                "ari": round(adjusted_rand_score([truth[i] for i in ids], [labels[i] for i in ids]), 4),
                "coverage_min": round(min(cd.coverage for cd in design.cohorts), 4),
                "courses_max": max(len(cd.curriculum) for cd in design.cohorts),
                "teachable_min": round(min(cd.teachable_share for cd in design.cohorts), 4),
                "best_fit_min": round(min((cd.colleges[0].fit for cd in design.cohorts if cd.colleges), default=0), 4),
                "offer_violations": len(problems), "seconds": round(seconds, 2),
            })
        big = None
        if args.big:
            workers = [replace(w, worker_id=f"{e.enterprise_id}:{w.worker_id}")
                       for e in enterprises.values() for w in e.roster][: args.big]
            t = time.perf_counter()
            design = design_training(workers, catalog, linker=linker, skills=skills, city="苏州市", key=KEY,
                                     min_cohort=args.min_cohort)
            big = {"workers": len(workers), "seconds": round(time.perf_counter() - t, 2),
                   "cohorts": len(design.cohorts), "timings": {k: round(v, 2) for k, v in design.timings.items()},
                   "coverage_min": round(min(cd.coverage for cd in design.cohorts), 4),
                   "courses_max": max(len(cd.curriculum) for cd in design.cohorts),
                   "offer_violations": len(check_offers(design, catalog))}
    summary = {
        "linker_fit_s": round(fit_s, 2),
        "purity_weighted": round(weighted / staff, 4),
        "purity_mean": round(sum(r["purity"] for r in rows) / len(rows), 4),
        "purity_min": min(r["purity"] for r in rows),
        "attainable_weighted": round(attainable_weighted / staff, 4),
        "ari_mean": round(sum(r["ari"] for r in rows) / len(rows), 4),
        "coverage_min": min(r["coverage_min"] for r in rows),
        "courses_max": max(r["courses_max"] for r in rows),
        "cohorts": sum(r["cohorts"] for r in rows),
        "offer_violations": violations,
        "big_roster": big,
    }
    if args.json:
        json.dump({"enterprises": rows, "summary": summary}, sys.stdout, ensure_ascii=False, indent=2)
        print()
        return 0
    print(f"{'ent':4} {'staff':>5} {'target':>11} {'coh':>3} {'purity':>6} {'attain':>6} {'ARI':>6} "
          f"{'cov_min':>7} {'crs_max':>7} {'teach':>6} {'fit':>5} {'bad':>3} {'sec':>5}")
    for r in rows:
        print(f"{r['enterprise']:4} {r['staff']:5} {r['target'] or '-':>11} {r['cohorts']:3} {r['purity']:6.3f} "
              f"{r['attainable']:6.3f} {r['ari']:6.3f} {r['coverage_min']:7.3f} {r['courses_max']:7} "
              f"{r['teachable_min']:6.3f} {r['best_fit_min']:5.2f} {r['offer_violations']:3} {r['seconds']:5.1f}")
    s = summary
    print(f"\npurity: weighted {s['purity_weighted']:.3f} (attainable {s['attainable_weighted']:.3f}), "
          f"mean {s['purity_mean']:.3f}, min {s['purity_min']:.3f} · ARI mean {s['ari_mean']:.3f}")
    print(f"{s['cohorts']} cohorts: coverage min {s['coverage_min']:.3f} (target ≥ 0.90), "
          f"courses max {s['courses_max']} (target ≤ 12), courses not offered by their college: "
          f"{s['offer_violations']}")
    print(f"linker fit {s['linker_fit_s']:.1f} s")
    if big:
        print(f"{big['workers']:,}-worker roster: {big['seconds']:.1f} s (target < 60 s), {big['cohorts']} cohorts, "
              f"coverage min {big['coverage_min']:.3f}, courses max {big['courses_max']}, "
              f"violations {big['offer_violations']}; {big['timings']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
