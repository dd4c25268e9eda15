"""``recommender college``, ``recommender union`` and ``recommender activity``: demand signals from feedback events.

- ``college list``: the colleges of the catalog (ids and names).
- ``college demand COLLEGE_ID``: a college's k-anonymous dashboard (programs, trend, unmet demand, course gaps,
  peers), with ``--export`` (CSV / Excel) and ``--chart`` (PNG).
- ``union report``: participants and applicants by city and month, projected subsidy spend, demand vs places.
- ``activity generate``: a year of demo activity (1,000 or 100,000 workers, optionally a planted surge).

Default data: the demo province under ``var/demo`` (built when absent) and its activity under
``var/demo/activity`` (generated when absent).
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from recommender.errors import UserError

DEFAULT_PROVINCE = Path("var") / "demo"
ACTIVITY_SUBDIR = "activity"


# ------------------------------------------------------------------------------------------- registration
def _data_options(p, *, activity: bool = True) -> None:
    p.add_argument("--province", type=Path, metavar="DIR",
                   help=f"the demo province (default: {DEFAULT_PROVINCE} under the current directory; built if absent)")
    p.add_argument("--catalog", type=Path, metavar="DIR",
                   help="a catalog directory (default: the province's catalog/)")
    if activity:
        p.add_argument("--activity", type=Path, metavar="DIR",
                       help="an activity directory (default: the province's activity/, generated if absent)")


def register(subparsers) -> None:
    college = subparsers.add_parser("college", help="colleges: list them, or show one college's demand dashboard",
                                    description="Colleges and their k-anonymous demand dashboards.")
    sub = college.add_subparsers(dest="college_command", metavar="COLLEGE_COMMAND")
    college.set_defaults(func=lambda args: (college.print_help(), 2)[1])

    q = sub.add_parser("list", help="the colleges of the catalog: ids and names",
                       description="List the colleges of the catalog: id, kind, seat city, programs, name.")
    _data_options(q, activity=False)
    q.add_argument("--json", action="store_true", help="print a JSON list")
    q.set_defaults(func=run_college_list)

    q = sub.add_parser(
        "demand", help="a college's demand dashboard (k-anonymous)",
        description="Demand for each of the college's programs (funnel and monthly trend), unmet demand in its "
        "cities (majors it does not offer, with the occupations behind them), courses demanded majors teach that "
        "its programs do not, an alignment score per program, and a comparison with peer colleges. Every count is "
        "distinct workers; figures under k are withheld, with complementary suppression "
        "(see recommender.demand.privacy).")
    q.add_argument("college_id", metavar="COLLEGE_ID", help="e.g. DEMO-C001 (see `recommender college list`)")
    _data_options(q)
    q.add_argument("--k", type=int, default=10, help="smallest number of distinct workers behind a figure (default 10)")
    q.add_argument("--top", type=int, default=20, help="how many unmet majors and course gaps (default 20)")
    q.add_argument("--export", type=Path, metavar="FILE",
                   help="write the dashboard's tables to FILE.xlsx (one sheet each) or FILE.csv (+ FILE.<table>.csv)")
    q.add_argument("--chart", type=Path, metavar="FILE.png", help="draw the dashboard to a PNG file")
    q.add_argument("--json", action="store_true", help="print one JSON object")
    q.set_defaults(func=run_college_demand)

    union = subparsers.add_parser("union", help="the union's report: participation, subsidy spend, demand vs places",
                                  description="Reports for the union.")
    sub = union.add_subparsers(dest="union_command", metavar="UNION_COMMAND")
    union.set_defaults(func=lambda args: (union.print_help(), 2)[1])
    q = sub.add_parser(
        "report", help="participants and applicants by city and month, projected subsidy spend, gaps",
        description="Participants, applicants and enrolments by city and month; projected subsidy spend per "
        "policy (recommender.rules.subsidies on the enrolments); majors with the largest gap between demand and "
        "places (places = programs × 40). The screen shows exact figures (union-internal) unless --k is given; "
        "--export and --chart always apply k (--k, default 10).")
    _data_options(q)
    q.add_argument("--k", type=int, default=None,
                   help="k-anonymous figures on screen too (exports and charts use it; default for them: 10)")
    q.add_argument("--export", type=Path, metavar="FILE", help="write the report's tables to FILE.xlsx or FILE.csv")
    q.add_argument("--chart", type=Path, metavar="FILE.png", help="draw the report to a PNG file")
    q.add_argument("--top", type=int, default=10, help="how many majors to print by gap (default 10)")
    q.add_argument("--json", action="store_true", help="print one JSON object")
    q.set_defaults(func=run_union_report)

    activity = subparsers.add_parser("activity", help="demo activity: a year of feedback events",
                                     description="Demo activity (feedback events and enterprise class requests).")
    sub = activity.add_subparsers(dest="activity_command", metavar="ACTIVITY_COMMAND")
    activity.set_defaults(func=lambda args: (activity.print_help(), 2)[1])
    q = sub.add_parser(
        "generate", help="generate a year (2027) of feedback events as Parquet",
        description="Generate a year (2027-01…2027-12) of feedback events (impression, click, save, application, "
        "enrolment, completion) and enterprise class requests for the demo province's workers, or for N "
        "synthetic workers from the same seed data; deterministic for a seed. See recommender.demand.activity.")
    _data_options(q, activity=False)
    q.add_argument("--workers", type=int, default=None, metavar="N",
                   help="how many workers: the province's own (default, 1,000) or N synthetic ones (e.g. 100000)")
    q.add_argument("--planted-surge", metavar="CITY",
                   help="plant a surge of 养老护理员 demand (majors named 养老) in CITY, e.g. 泰州市")
    q.add_argument("--surge-workers", type=int, default=None, metavar="N",
                   help="workers in the surge (default: max(150, 5%% of the workers))")
    q.add_argument("--seed", type=int, default=None, help="seed (default: the province's seed)")
    q.add_argument("--out", type=Path, metavar="DIR",
                   help="where to write (default: the province's activity/, or activity-N/ for N synthetic workers)")
    q.add_argument("--json", action="store_true", help="print the manifest as JSON")
    q.set_defaults(func=run_activity_generate)


# ------------------------------------------------------------------------------------------- data
def _province(args, show_progress: bool):
    from recommender.commands.demo import ensure_province
    from recommender.demo.province import DEFAULT_ENTERPRISES, DEFAULT_WORKERS, read_demo_province

    root = args.province if args.province is not None else Path.cwd() / DEFAULT_PROVINCE
    existing = read_demo_province(root)
    if existing is not None:
        return existing
    if args.province is not None and args.province.exists() and any(args.province.iterdir()):
        raise UserError(f"{args.province} is not a demo province (no demo.json); build one with "
                        f"`recommender demo --out {args.province}`")
    province, _ = ensure_province(root, None, DEFAULT_WORKERS, DEFAULT_ENTERPRISES, False,
                                  show_progress=show_progress)
    return province


def _catalog(args, province):
    from recommender.catalog.loader import load_catalog

    return load_catalog(args.catalog if args.catalog is not None else province.catalog_dir)


def _steps(total: int, desc: str, show: bool):
    from tqdm import tqdm

    bar = tqdm(total=total, desc=desc, unit="step", file=sys.stderr, disable=not show, leave=False)
    started = [False]

    def step(name: str) -> None:
        if started[0]:
            bar.update(1)
        started[0] = True
        bar.set_postfix_str(name)

    return bar, step


def _generate(out: Path, catalog, province, workers: int | None, seed: int | None, surge_city: str | None,
              surge_workers: int | None, catalog_dir: Path, show: bool):
    from recommender.demand.activity import (
        care_surge,
        demo_workers_frame,
        enterprise_seeds,
        generate_activity,
        synthetic_workers_frame,
    )

    seed = province.seed if seed is None else seed
    own = int(province.manifest.get("workers", 0))
    if workers is not None and workers < 1:
        raise UserError(f"--workers must be 1 or more, got {workers}")
    surge = care_surge(surge_city, catalog, surge_workers) if surge_city else None
    bar, step = _steps(7, "activity", show)
    with bar:
        step("workers")
        frame = (demo_workers_frame(province.workers_path) if workers in (None, own)
                 else synthetic_workers_frame(workers, seed))
        data = generate_activity(out, catalog, frame, seed=seed, enterprises=enterprise_seeds(province.root),
                                 surge=surge, catalog_dir=catalog_dir, progress=step)
    return data


def _store(args, show: bool):
    """(province, catalog, store) for the college and union commands, generating default data when absent."""
    from recommender.demand.activity import catalog_fingerprint, read_activity
    from recommender.demand.store import DemandStore

    province = _province(args, show)
    catalog = _catalog(args, province)
    if args.activity is not None:
        path = args.activity
        if read_activity(path) is None:
            raise UserError(f"{path} is not an activity directory; generate one with "
                            f"`recommender activity generate --out {path}`")
    else:  # the province's own activity; for another catalog, one beside it named by the catalog's fingerprint
        fingerprint = catalog_fingerprint(catalog)
        path = province.root / (ACTIVITY_SUBDIR if args.catalog is None else f"{ACTIVITY_SUBDIR}-{fingerprint}")
        existing = read_activity(path)
        if existing is None or existing.manifest.get("catalog_fingerprint") != fingerprint:
            _generate(path, catalog, province, None, None, None, None,
                      args.catalog if args.catalog is not None else province.catalog_dir, show)
    store = DemandStore.open(path, catalog)
    return province, catalog, store


def _aggregate(store, names: Sequence[str], show: bool) -> None:
    from tqdm import tqdm

    for name in tqdm(names, desc="aggregating events", unit="query", file=sys.stderr, disable=not show,
                     leave=False):
        getattr(store, name)()


def _write_outputs(tables, export: Path | None, chart: Path | None, draw) -> dict:
    from recommender.demand.reports import export_tables

    out: dict = {}
    if export is not None:
        out["exported"] = [str(p) for p in export_tables(tables, export)]
    if chart is not None:
        out["chart"] = str(draw(chart))
    return out


def _check_k(k: int) -> None:
    if k < 1:
        raise UserError(f"k must be a whole number ≥ 1 (distinct workers per published figure), got {k}")


# ------------------------------------------------------------------------------------------- commands
def run_college_list(args) -> int:
    from recommender.demand.college import list_colleges

    province = _province(args, not args.json)
    colleges = list_colleges(_catalog(args, province))
    if args.json:
        print(json.dumps([c.to_dict() for c in colleges], ensure_ascii=False, indent=2))
        return 0
    for c in colleges:
        print(f"{c.college_id:<12} {c.kind:<5} {c.city:<5} {c.programs:>3} programs  {c.name}")
    print(f"{len(colleges)} colleges", file=sys.stderr)
    return 0


def run_college_demand(args) -> int:
    from recommender.demand.college import college_demand
    from recommender.demand.reports import college_chart

    if args.top < 1:
        raise UserError(f"--top must be 1 or more, got {args.top}")
    _check_k(args.k)
    show = not args.json
    _, catalog, store = _store(args, show)
    with store:
        if args.college_id not in catalog.colleges:
            raise UserError(f"unknown college {args.college_id!r}; `recommender college list` shows the college ids")
        _aggregate(store, ("program_stages", "college_first_months", "city_major_occupations"), show)
        view = college_demand(store, args.college_id, k=args.k, top=args.top)
    outputs = _write_outputs(view.tables(), args.export, args.chart, lambda p: college_chart(view, p))
    if args.json:
        print(json.dumps({**view.to_dict(), **outputs}, ensure_ascii=False, indent=2))
        return 0
    print_college(view)
    for path in outputs.get("exported", []):
        print(f"exported: {path}")
    if "chart" in outputs:
        print(f"chart: {outputs['chart']}")
    return 0


def run_union_report(args) -> int:
    from recommender.demand.privacy import DEFAULT_K
    from recommender.demand.reports import union_chart
    from recommender.demand.union import union_report

    if args.k is not None:
        _check_k(args.k)
    show = not args.json
    _, _, store = _store(args, show)
    with store:
        _aggregate(store, ("city_month_firsts", "enrolments", "major_applicants"), show)
        report = union_report(store, k=args.k, progress=show)
        outside = report if args.k is not None else (
            union_report(store, k=DEFAULT_K) if args.export or args.chart else None)
    outputs = _write_outputs(outside.tables() if outside else [], args.export, args.chart,
                             lambda p: union_chart(outside, p))
    if args.json:
        print(json.dumps({**report.to_dict(), **outputs}, ensure_ascii=False, indent=2))
        return 0
    print_union(report, args.top)
    for path in outputs.get("exported", []):
        print(f"exported (k = {outside.k}): {path}")
    if "chart" in outputs:
        print(f"chart (k = {outside.k}): {outputs['chart']}")
    return 0


def run_activity_generate(args) -> int:
    show = not args.json
    province = _province(args, show)
    catalog = _catalog(args, province)
    own = int(province.manifest.get("workers", 0))
    synthetic = args.workers is not None and args.workers != own
    out = args.out or province.root / (f"{ACTIVITY_SUBDIR}-{args.workers}" if synthetic else ACTIVITY_SUBDIR)
    if args.planted_surge:
        cities = sorted({c for college in catalog.colleges.values() for c in college.cities})
        if args.planted_surge not in cities:
            raise UserError(f"unknown city {args.planted_surge!r} for --planted-surge; choose one of {', '.join(cities)}")
    started = time.perf_counter()
    data = _generate(out, catalog, province, args.workers, args.seed, args.planted_surge, args.surge_workers,
                     args.catalog if args.catalog is not None else province.catalog_dir, show)
    elapsed = time.perf_counter() - started
    served = _surge_served(catalog, data.manifest.get("planted_surge"))
    if args.json:
        print(json.dumps({"directory": str(data.root), "seconds": round(elapsed, 2), **data.manifest,
                          "surge_served_by": served}, ensure_ascii=False, indent=2))
        return 0
    counts = data.manifest["counts"]
    print(f"Activity written to {data.root} in {elapsed:.1f} s (seed {data.manifest['seed']}, "
          f"{data.manifest['workers']:,} workers + surge {counts['workers_in_table'] - data.manifest['workers']:,})")
    print(f"  {counts['events']:,} events: " + ", ".join(f"{t} {n:,}" for t, n in counts["events_per_type"].items()))
    print(f"  {counts['active_workers']:,} active workers, {counts['recommendations']:,} recommendations, "
          f"{counts['enterprise_requests']} enterprise class requests")
    surge = data.manifest.get("planted_surge")
    if surge:
        names = ", ".join(catalog.majors[m].name for m in surge["majors"] if m in catalog.majors)
        print(f"  planted surge: {surge['workers']} 养老护理员 workers in {surge['city']} ({names}), "
              f"{surge['months'][0]}…{surge['months'][-1]}")
        if served:
            print(f"  note: {len(served)} college(s) teaching in {surge['city']} offer these majors "
                  f"({', '.join(served[:5])}{'…' if len(served) > 5 else ''}), so the surge is unmet demand only "
                  "for the others")
    return 0


def _surge_served(catalog, surge: dict | None) -> list[str]:
    """Colleges teaching in the surge city that offer one of the surge majors."""
    if not surge:
        return []
    majors = set(surge.get("majors") or ())
    return sorted({p.college_id for p in catalog.programs.values() if p.major_code in majors
                   and surge["city"] in catalog.colleges[p.college_id].cities})


# ------------------------------------------------------------------------------------------- printing
def _pad(text: str, width: int) -> str:
    """``text`` cut and padded to ``width`` terminal columns (CJK characters take two)."""
    import unicodedata

    out, used = "", 0
    for ch in text:
        w = 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        if used + w > width:
            break
        out, used = out + ch, used + w
    return out + " " * (width - used)


def _v(value, k) -> str:
    from recommender.demand.privacy import shown

    return shown(value, k)


def print_college(view, *, file=None) -> None:
    """Print the college dashboard as a few readable blocks."""
    from recommender.demand.college import FUNNEL_STAGES

    out = file or sys.stdout
    k = view.k
    period = f"{view.months[0]}…{view.months[-1]}" if view.months else "no events"
    print(f"{view.name} ({view.college_id}) · {view.kind} · {view.city}"
          + (f" (also teaches in {'、'.join(view.cities[1:])})" if len(view.cities) > 1 else "")
          + f" · {period} · k = {k}", file=out)
    print(f"Interested workers: {_v(view.interested, k)}   by month of first interest: "
          + "  ".join(f"{m[-2:]}:{_v(v, k)}" for m, v in view.monthly.items()), file=out)
    print(f"\nPrograms ({len(view.programs)})   shown / interested · furthest stage: "
          + " / ".join(FUNNEL_STAGES) + " · alignment", file=out)
    for p in view.programs:
        stages = " ".join(_v(p.stages[s], k) for s in FUNNEL_STAGES)
        align = "–" if p.alignment is None else f"{p.alignment:.2f}"
        print(f"  {p.program_id:<11} {_pad(p.major_name, 20)} {_pad(p.level, 8)} {_pad(p.study_mode, 4)} "
              f"{_v(p.shown, k):>6} / {_v(p.interested, k):<6} · {stages} · {align}", file=out)
    print(f"\nUnmet demand in {'、'.join(view.cities)} (majors the college does not offer):", file=out)
    if not view.unmet:
        print("  (none published)", file=out)
    for u in view.unmet:
        occupations = "、".join(f"{o.name} {o.workers}" for o in u.occupations)
        if u.other_occupations:
            occupations += ("、" if occupations else "") + f"other occupations {u.other_occupations}"
        print(f"  {u.rank:>2}. {u.major_name}（{u.major_code}，{u.level}） {u.workers} workers"
              f" — {occupations or 'occupations withheld'}; {u.colleges_offering_in_region} other college(s) "
              "here offer it", file=out)
    print("\nCourses demanded majors teach that no program here teaches:", file=out)
    if not view.course_gaps:
        print("  (none)", file=out)
    for g in view.course_gaps[:10]:
        print(f"  {g.course}  demand {g.demand}  ({'、'.join(n for _, n in g.majors)})", file=out)
    peers = view.peers
    print(f"\nPeers: {peers.description} ({peers.peers})", file=out)
    for m in peers.metrics:
        fmt = (lambda x: "–" if x is None else f"{x:.2f}") if m.metric == "mean_alignment" else (
            lambda x: "–" if x is None else f"{x:.1f}")
        pct = "" if m.own_percentile is None else f", at the {m.own_percentile:.0f}th percentile"
        print(f"  {m.label}: own {fmt(m.own)}; peers median {fmt(m.peer_median)} "
              f"[{fmt(m.peer_p25)}–{fmt(m.peer_p75)}] over {m.peers_with_value}{pct}", file=out)
    for note in view.notes:
        print(f"\n{note}", file=out)
    if view.k and view.interested is None and not view.unmet:
        print(f"\nMost figures here are withheld: few workers stand behind any one cell at k = {view.k}. A larger "
              "activity shows more: `recommender activity generate --workers 100000`, then "
              "--activity var/demo/activity-100000.", file=out)


def print_union(report, top: int = 10, *, file=None) -> None:
    """Print the union report as a few readable blocks."""
    out = file or sys.stdout
    k = report.k
    period = f"{report.months[0]}…{report.months[-1]}" if report.months else "no events"
    print(f"Union report · {period} · " + ("exact figures (union-internal)" if k is None else f"k = {k}"), file=out)
    for table in (report.participants, report.applicants, report.enrolled):
        print(f"\n{table.title}: total {_v(table.total, k)}", file=out)
        print("  " + " " * 8 + "".join(f"{m[-2:]:>7}" for m in table.months) + "    total", file=out)
        for c in table.cities:
            print(f"  {_pad(c, 8)}" + "".join(f"{_v(table.cells[c][m], k):>7}" for m in table.months)
                  + f"  {_v(table.city_totals[c], k):>7}", file=out)
    s = report.subsidies
    print("\nProjected subsidy spend (if every enrolment runs to its end):", file=out)
    if not s.available:
        print(f"  {s.note}", file=out)
    else:
        print(f"  enrolled {_v(s.enrolled, k)} (subsidised {_v(s.subsidised, k)}); tuition "
              + ("withheld" if s.tuition_yuan is None else f"{s.tuition_yuan:,} yuan"), file=out)
        for p in s.policies:
            amount = "withheld" if p.total_yuan is None else (
                f"{p.total_yuan:,} yuan (upfront {p.upfront_yuan:,}, on graduation {p.on_graduation_yuan:,})")
            print(f"  {p.name}: {_v(p.workers, k)} workers, {amount}", file=out)
        print(f"  total of the rows above: {s.total_yuan:,} yuan", file=out)
    print(f"\nLargest gaps between demand and places (places = programs × {report.nominal_class_size}):", file=out)
    for g in report.major_gaps[:top]:
        print(f"  {g.name}（{g.major_code}）: demand {_v(g.demand, k)} (applicants {_v(g.applicants, k)}, "
              f"enterprise classes {'withheld' if g.enterprise_headcount is None else g.enterprise_headcount}) "
              f"vs places {g.places} → gap {_v(g.gap, k)}", file=out)
    for note in report.notes:
        print(f"\n{note}", file=out)
