"""Index build time, incremental update of one program, and peak RSS, at demo and province scale.

    python benchmarks/index_build.py                 # both scales, each in its own process (clean peak RSS)
    python benchmarks/index_build.py --scale province

Full build = load the catalog + fit the matcher (``build_matcher``, no pickle) + the recommender's own tables
(course IDF, major ladder) + a course-vector ``DenseIndex`` (lexical encoder, 256 dims; Flat below 20,000 rows,
HNSW32 above, as configured). The matcher indexes majors and occupations only, so adding or changing a program
does not touch it. Incremental update of one program (a new program of an existing major, with its courses):
a new ``Catalog`` with the program and courses added, a new ``Recommender`` over it sharing the fitted matcher
(recomputes the course IDF and the ladder), and the program's course vectors added in place with
``DenseIndex.add``; then a search and a recommendation see it.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

from machine import REPO_ROOT, peak_rss_mb, print_machine

sys.path.insert(0, str(REPO_ROOT))


def run_one(catalog_dir: Path, encoder: str) -> dict:
    from recommender.catalog.loader import load_catalog
    from recommender.encoders.lexical import LexicalEncoder
    from recommender.indexes.dense import DenseIndex
    from recommender.recommend.build import build_matcher
    from recommender.recommend.engine import Recommender

    out: dict = {}
    t = time.perf_counter()
    catalog = load_catalog(catalog_dir)
    out["load_catalog_s"] = time.perf_counter() - t
    t = time.perf_counter()
    matcher = build_matcher(catalog, encoder, show_progress=False)
    out["fit_matcher_s"] = time.perf_counter() - t
    t = time.perf_counter()
    rec = Recommender(catalog, matcher)
    out["recommender_tables_s"] = time.perf_counter() - t
    enc = LexicalEncoder(dim=256)
    courses = list(catalog.courses.values())
    t = time.perf_counter()
    vectors = enc.encode([f"{c.name} {c.description}" for c in courses])
    course_index = DenseIndex.build(vectors, [c.course_id for c in courses])
    out["course_index_s"] = time.perf_counter() - t
    out["course_index"] = course_index.factory
    out["full_build_s"] = sum(out[k] for k in ("load_catalog_s", "fit_matcher_s", "recommender_tables_s",
                                               "course_index_s"))
    out["rss_after_build_mib"] = peak_rss_mb()

    # -- one new program: an existing program's major, at the same college, with its own courses -----------
    template = next(p for p in catalog.programs.values() if catalog.courses_of_program(p.program_id))
    new = replace(template, program_id="PERF-NEW-P1", tuition_per_year=max(1, template.tuition_per_year - 100))
    new_courses = [replace(c, course_id=f"PERF-NEW-P1-{k:02d}", program_id=new.program_id)
                   for k, c in enumerate(catalog.courses_of_program(template.program_id)) if c.program_id]
    t = time.perf_counter()
    updated = replace(catalog, programs={**catalog.programs, new.program_id: new},
                      courses={**catalog.courses, **{c.course_id: c for c in new_courses}})
    rec2 = Recommender(updated, rec.matcher)
    course_index.add(enc.encode([f"{c.name} {c.description}" for c in new_courses]),
                     [c.course_id for c in new_courses])
    out["add_program_s"] = time.perf_counter() - t
    hit = course_index.search(enc.encode([f"{new_courses[0].name} {new_courses[0].description}"]), k=50)[0]
    out["new_course_found"] = any(i.startswith("PERF-NEW-P1") for i, _ in hit)
    out["new_program_listed"] = new.program_id in rec2.catalog.programs_by_major[new.major_code]
    out["peak_rss_mib"] = peak_rss_mb()
    out["courses"] = len(catalog.courses)
    return {k: (round(v, 3) if isinstance(v, float) else v) for k, v in out.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", choices=["demo", "province"], nargs="+", default=["demo", "province"])
    parser.add_argument("--demo-dir", type=Path, default=REPO_ROOT / "var" / "demo")
    parser.add_argument("--perf-dir", type=Path, default=REPO_ROOT / "var" / "perf")
    parser.add_argument("--encoder", default=None, help="matcher encoder (default: the product default)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    from recommender.recommend.build import default_encoder_name

    encoder = args.encoder or default_encoder_name()
    dirs = {"demo": args.demo_dir / "catalog", "province": args.perf_dir / "province" / "catalog"}
    if args.child:
        print(json.dumps(run_one(dirs[args.scale[0]], encoder)))
        return 0
    print_machine()
    if not dirs["province"].exists():
        from recommender.demo.scale import scale_catalog

        scale_catalog(dirs["demo"], dirs["province"], scale="province")
    for scale in args.scale:
        proc = subprocess.run([sys.executable, __file__, "--child", "--scale", scale, "--encoder", encoder,
                               "--demo-dir", str(args.demo_dir), "--perf-dir", str(args.perf_dir)],
                              capture_output=True, text=True, check=True)
        row = json.loads(proc.stdout.strip().splitlines()[-1])
        print(f"\n[{scale}] encoder={encoder} courses={row['courses']}")
        for key, value in row.items():
            print(f"  {key}: {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
