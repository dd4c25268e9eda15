"""``recommender demo``: build the demo province if needed, load it and show what it holds.

Later issues extend :func:`show_sample_workers` (and :func:`sample_worker_records`, its JSON twin) with the
recommendations for each sample worker.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from recommender.catalog.catalog import Catalog
from recommender.catalog.loader import load_catalog
from recommender.catalog.model import Worker
from recommender.commands.recommend import format_recommendations
from recommender.demo.people import load_enterprises, load_worker_truth, load_workers
from recommender.demo.province import (
    DEFAULT_ENTERPRISES,
    DEFAULT_SEED,
    DEFAULT_WORKERS,
    DemoProvince,
    check_out_dir,
    generate_demo_province,
    read_demo_province,
)
from recommender.demo.stats import province_stats

DEFAULT_OUT = Path("var") / "demo"
GENERATION_STEPS = 4  # the steps generate_demo_province reports before 'done'


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "demo",
        help="build the demo province and show its colleges, programs and sample workers",
        description="Generate the demo province (a fictional 江苏-like province: 170+ partner colleges in 13 "
        "cities, real occupations and majors, 1,000 sample workers, 20 enterprises) if it is not there yet, "
        "load it and print its statistics and a few sample workers.",
    )
    p.add_argument("--out", type=Path, default=None, metavar="DIR",
                   help=f"where the province lives (default: {DEFAULT_OUT} under the current directory)")
    p.add_argument("--seed", type=int, default=None,
                   help=f"seed of the generator (default: the seed of the province already there, else {DEFAULT_SEED}); "
                   "a different seed rebuilds the province")
    p.add_argument("--workers", type=int, default=DEFAULT_WORKERS, help="how many sample workers to generate")
    p.add_argument("--enterprises", type=int, default=DEFAULT_ENTERPRISES,
                   help=f"how many enterprises to generate (at most {DEFAULT_ENTERPRISES})")
    p.add_argument("--rebuild", action="store_true", help="generate the province again even if it is there")
    p.add_argument("--samples", type=int, default=8, metavar="N", help="how many sample workers to show")
    p.add_argument("--top", type=int, default=3, metavar="N", help="programs to show per sample worker (default 3)")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    p.set_defaults(func=run)


def ensure_province(out: Path, seed: int | None, workers: int, enterprises: int, rebuild: bool,
                    *, show_progress: bool = True) -> tuple[DemoProvince, bool]:
    """The demo province in ``out``, generated first when absent, different or ``rebuild``; (province, generated)."""
    existing = read_demo_province(out)
    if existing is not None and not rebuild and seed in (None, existing.seed) and (
        existing.manifest.get("workers"), existing.manifest.get("enterprises")) == (workers, enterprises):
        return existing, False
    check_out_dir(out)
    if seed is None:
        seed = existing.seed if existing is not None else DEFAULT_SEED
    from tqdm import tqdm

    with tqdm(total=GENERATION_STEPS, desc="demo province", unit="step", file=sys.stderr,
              disable=not show_progress, leave=False) as bar:
        started = False

        def step(name: str) -> None:
            nonlocal started
            if started:
                bar.update(1)
            started = True
            bar.set_postfix_str(name)

        province = generate_demo_province(out, seed=seed, workers=workers, enterprises=enterprises, progress=step)
    return province, True


def run(args) -> int:
    out = args.out if args.out is not None else Path.cwd() / DEFAULT_OUT
    province, generated = ensure_province(out, args.seed, args.workers, args.enterprises, args.rebuild,
                                          show_progress=not args.json)
    catalog = load_catalog(province.catalog_dir)
    workers = load_workers(province.workers_path)
    enterprises = load_enterprises(province.enterprises_dir)
    stats = province_stats(catalog, workers, enterprises)
    samples = pick_sample_workers(workers, args.samples, load_worker_truth(province.workers_path))
    from recommender.recommend.build import recommender_for

    recommender = recommender_for(province.catalog_dir).recommender
    results = {w.worker_id: recommender.recommend(w, limit=args.top) for w in samples}
    if args.json:
        print(json.dumps({
            "directory": str(province.root),
            "generated": generated,
            "seed": province.seed,
            "stats": stats,
            "sample_workers": sample_worker_records(samples, catalog),
            "recommendations": {wid: r.to_dict() for wid, r in results.items()},
        }, ensure_ascii=False, indent=2))
        return 0
    action = "generated" if generated else "loaded"
    print(f"Demo province {action}: {province.root} (seed {province.seed}, {province.manifest['province']})\n")
    print_stats(stats)
    print()
    show_sample_workers(samples, catalog, results=results)
    return 0


def pick_sample_workers(workers: Sequence[Worker], n: int, truth: dict[str, str] | None = None) -> list[Worker]:
    """``n`` workers with different occupations (by ``truth`` when given), in file order: a varied, stable sample."""
    picked, seen = [], set()
    for w in workers:
        occupation = (truth or {}).get(w.worker_id) or w.occupation_code or w.job_title
        if occupation not in seen:
            seen.add(occupation)
            picked.append(w)
        if len(picked) >= n:
            break
    return picked


def sample_worker_records(workers: Sequence[Worker], catalog: Catalog) -> list[dict]:
    """What :func:`show_sample_workers` prints, as JSON-ready records (one per worker)."""
    return [
        {
            "worker_id": w.worker_id,
            "job_title": w.job_title,
            "duties": w.duties,
            "education": w.education,
            "city": w.city,
            "can_stop_working": w.can_stop_working,
            "certificates": list(w.certificates),
            "honours": list(w.honours),
        }
        for w in workers
    ]


def show_sample_workers(workers: Sequence[Worker], catalog: Catalog, *, file: TextIO | None = None,
                        results: dict | None = None) -> None:
    """Print the sample workers, one block each: title, education, city, then their recommendations."""
    out = file or sys.stdout
    print(f"Sample workers ({len(workers)}):", file=out)
    for w in workers:
        extras = []
        if w.certificates:
            extras.append("证书：" + "、".join(w.certificates))
        if w.honours:
            extras.append("荣誉：" + "、".join(w.honours))
        print(f"  {w.worker_id}  {w.job_title}  · {w.education} · {w.city}"
              + ("  · 可脱产" if w.can_stop_working else ""), file=out)
        if w.duties:
            print(f"         {w.duties}", file=out)
        for line in extras:
            print(f"         {line}", file=out)
        if results and w.worker_id in results:
            print(_indent(format_recommendations(results[w.worker_id]), "      "), file=out)
            print(file=out)


def _indent(text: str, prefix: str) -> str:
    return "\n".join(prefix + line for line in text.splitlines())


def _line(counts: dict[str, int]) -> str:
    return "  ".join(f"{k} {v}" for k, v in counts.items())


def print_stats(stats: dict, *, file: TextIO | None = None) -> None:
    """Print :func:`recommender.demo.stats.province_stats` as a few readable lines."""
    out = file or sys.stdout
    c, p, co, m, w, e = (stats[k] for k in ("colleges", "programs", "courses", "majors", "workers", "enterprises"))
    print(f"Colleges     {c['total']} in {c['cities']} cities: {_line(c['per_kind'])}", file=out)
    for name, n in c["open_university_cities"].items():
        print(f"             {name} teaches in {n} cities", file=out)
    width = max((len(city) for city in c["per_city_kind"]), default=0)
    for city, kinds in c["per_city_kind"].items():
        print(f"  {city:<{width}}{c['per_city'][city]:>4}   {_line(kinds)}", file=out)
    print(f"Programs     {p['total']}: {_line(p['per_level'])}", file=out)
    print(f"             modes: {_line(p['per_mode'])}", file=out)
    print(f"             routes: {_line(p['per_route'])}", file=out)
    fees = "  ".join(f"{lv} {t['min']}–{t['max']}（中位 {t['median']}）" for lv, t in p["tuition_per_year"].items())
    print(f"             tuition per year (yuan): {fees}", file=out)
    print(f"Courses      {co['total']} rows; per program {co['per_program_min']}–{co['per_program_max']} "
          f"(median {co['per_program_median']})", file=out)
    print(f"Occupations  {stats['occupations']['total']} ({stats['occupations']['detailed']} detailed, "
          "大典 2022 codes)", file=out)
    print(f"Majors       {m['total']}: {_line(m['per_level'])}; {m['major_occupation_links']} major–occupation "
          "links", file=out)
    print(f"Workers      {w['total']} ({w['with_occupation_code']} with an occupation code, "
          f"{w['union_members']} union members, {w['with_honours']} with honours, "
          f"{w['can_stop_working']} can stop working)", file=out)
    print(f"             education: {_line(w['per_education'])}", file=out)
    print(f"Enterprises  {e['total']} with {e['staff']} staff (rosters of {e['roster_min']}–{e['roster_max']})",
          file=out)
