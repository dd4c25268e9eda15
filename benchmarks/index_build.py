"""Index build time, incremental update of one program, and peak RSS, at demo, province and national scale.

    python benchmarks/index_build.py                           # demo and province, each in its own process
    python benchmarks/index_build.py --scale demo province national

Demo and province, full build = load the catalog + fit the matcher (``build_matcher``, no pickle) + the
recommender's own tables (course IDF, major ladder) + a course-vector ``DenseIndex`` with the default
``DenseIndexConfig`` (``Flat`` below 20,000 rows, ``auto`` = ``IVF{√n},SQ8,RFlat`` above). Course vectors come
from the product default encoder (the shipped static model; lexical when there is none), each distinct course
text encoded once. The matcher indexes majors and occupations only, so adding or changing a program does not
touch it. Incremental update of one program (a new program of an existing major, with its courses): a new
``Catalog`` with the program and courses added, a new ``Recommender`` over it sharing the fitted matcher
(recomputes the course IDF and the ladder), and the program's course vectors added in place with
``DenseIndex.add``; then a search and the catalog see it. A second program is added the same way (the first
addition to a large index can pay for FAISS growing its arrays).

National (3,000 colleges, ~1.5M course rows): the course index alone, on the vectors of
``recommender.demo.scale.course_vectors`` (the catalog, matcher and recommender tables are those of the demo
colleges cloned, not rebuilt here), then one new program's course vectors added the same way.

Each scale runs in a child process, so its peak RSS is its own. Results are printed and written to ``--out``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
from machine import REPO_ROOT, faiss_index_mib, peak_rss_mb, print_machine, rss_mb

sys.path.insert(0, str(REPO_ROOT))

SCALES = ("demo", "province", "national")


def course_encoder():
    """The product default encoder, or the hashed lexical one when no model ships; and its name."""
    from recommender.recommend.build import default_encoder_name

    name = default_encoder_name()
    if name == "none":
        from recommender.encoders.lexical import LexicalEncoder

        return LexicalEncoder(dim=256), "lexical"
    from recommender.encoders.registry import get_encoder

    return get_encoder(name), name.replace(f"{REPO_ROOT}/", "")


def encode_unique(encoder, texts: list[str]) -> np.ndarray:
    """Vectors of ``texts``, each distinct text encoded once."""
    distinct = list(dict.fromkeys(texts))
    vectors = np.asarray(encoder.encode(distinct), dtype=np.float32)
    row = {t: i for i, t in enumerate(distinct)}
    return vectors[[row[t] for t in texts]]


def search_finds(index, vectors: np.ndarray, prefix: str) -> bool:
    """Whether searching with each new vector returns a new id (``prefix``…) first."""
    return all(hits and hits[0][0].startswith(prefix) for hits in index.search(vectors, k=10))


def job_queries(demo_dir: Path, encoder, n: int = 200) -> np.ndarray:
    """The first ``n`` distinct demo worker job texts, encoded."""
    from recommender.demo import load_workers

    jobs = list(dict.fromkeys(w.job_text for w in load_workers(demo_dir / "workers.csv")))[:n]
    return np.asarray(encoder.encode(jobs), dtype=np.float32)


def exact_top10(vectors: np.ndarray, queries: np.ndarray, chunk: int = 100_000) -> tuple[np.ndarray, np.ndarray]:
    """Exact inner-product top-10 scores per query, scanning ``vectors`` in chunks (no large copy), and rows."""
    best_scores = np.full((len(queries), 10), -np.inf, dtype=np.float32)
    best_rows = np.zeros((len(queries), 10), dtype=np.int64)
    for start in range(0, len(vectors), chunk):
        scores = queries @ vectors[start:start + chunk].T
        top = np.argpartition(-scores, min(10, scores.shape[1] - 1), axis=1)[:, :10]
        merged_scores = np.hstack([best_scores, np.take_along_axis(scores, top, axis=1)])
        merged_rows = np.hstack([best_rows, top + start])
        keep = np.argsort(-merged_scores, axis=1, kind="stable")[:, :10]
        best_scores = np.take_along_axis(merged_scores, keep, axis=1)
        best_rows = np.take_along_axis(merged_rows, keep, axis=1)
    return best_scores, best_rows


def query_check(index, vectors: np.ndarray, ids: list[str], queries: np.ndarray) -> dict:
    """The course index's recall@10 against exact search, its memory and its single-query time (product path).

    A hit counts when its exact score reaches the 10th exact score: course texts repeat, so rows tie.
    """
    scores, _ = exact_top10(vectors, queries)
    row_of = {item: r for r, item in enumerate(ids)}
    hits = 0
    for found, query, kth in zip(index.search(queries, k=10), queries, scores[:, 9]):
        rows = [row_of[i] for i, _ in found if row_of.get(i, len(vectors)) < len(vectors)]
        hits += int(np.sum(vectors[rows] @ query >= kth - 1e-5)) if rows else 0
    out = {"recall_at_10": hits / (10 * len(queries)), "index_mib": faiss_index_mib(index.index)}
    times = []
    for q in queries:  # one query per call, as the recommend path searches
        t = time.perf_counter()
        index.search(q[None, :], k=10)
        times.append(time.perf_counter() - t)
    out["search_ms"] = float(np.median(times) * 1000)
    return out


def run_catalog_scale(catalog_dir: Path, demo_dir: Path, matcher_encoder: str) -> dict:
    from recommender.catalog.loader import load_catalog
    from recommender.indexes.dense import DenseIndex
    from recommender.recommend.build import build_matcher
    from recommender.recommend.engine import Recommender

    out: dict = {"matcher_encoder": matcher_encoder.replace(f"{REPO_ROOT}/", "")}
    t = time.perf_counter()
    catalog = load_catalog(catalog_dir)
    out["load_catalog_s"] = time.perf_counter() - t
    t = time.perf_counter()
    matcher = build_matcher(catalog, matcher_encoder, show_progress=False)
    out["fit_matcher_s"] = time.perf_counter() - t
    t = time.perf_counter()
    rec = Recommender(catalog, matcher)
    out["recommender_tables_s"] = time.perf_counter() - t
    enc, out["course_encoder"] = course_encoder()
    courses = list(catalog.courses.values())
    t = time.perf_counter()
    vectors = encode_unique(enc, [f"{c.name} {c.description}" for c in courses])
    out["encode_courses_s"] = time.perf_counter() - t
    t = time.perf_counter()
    course_index = DenseIndex.build(vectors, [c.course_id for c in courses])
    out["course_index_s"] = time.perf_counter() - t
    out["course_index"] = course_index.factory
    out["full_build_s"] = sum(out[k] for k in ("load_catalog_s", "fit_matcher_s", "recommender_tables_s",
                                               "encode_courses_s", "course_index_s"))
    out["rss_after_build_mib"] = peak_rss_mb()
    added = []

    # -- one new program: an existing program's major, at the same college, with its own courses -----------
    out["courses"] = len(catalog.courses)
    template = next(p for p in catalog.programs.values() if catalog.courses_of_program(p.program_id))
    for n in (1, 2):  # the second addition shows the steady state (the first may grow FAISS's arrays)
        pid = f"PERF-NEW-P{n}"
        new = replace(template, program_id=pid, tuition_per_year=max(1, template.tuition_per_year - 100))
        new_courses = [replace(c, course_id=f"{pid}-{k:02d}", program_id=pid,
                               description=f"{c.description}（新开方向{n}）")
                       for k, c in enumerate(catalog.courses_of_program(template.program_id)) if c.program_id]
        t = time.perf_counter()
        catalog = replace(catalog, programs={**catalog.programs, pid: new},
                          courses={**catalog.courses, **{c.course_id: c for c in new_courses}})
        rec = Recommender(catalog, rec.matcher)
        t_index = time.perf_counter()
        new_vectors = enc.encode([f"{c.name} {c.description}" for c in new_courses])
        course_index.add(new_vectors, [c.course_id for c in new_courses])
        done = time.perf_counter()
        added.append(new_vectors)
        out[f"add_program{n}_s"] = done - t
        out[f"add_program{n}_recommender_s"] = t_index - t
        out[f"add_program{n}_encode_and_index_add_s"] = done - t_index
        out[f"add_program{n}_courses"] = len(new_courses)
        out[f"add_program{n}_courses_found"] = search_finds(course_index, new_vectors, pid)
        out[f"add_program{n}_listed"] = pid in rec.catalog.programs_by_major[new.major_code]
    out["peak_rss_mib"] = peak_rss_mb()
    out["rss_at_end_mib"] = rss_mb()
    everything = np.vstack([vectors, *added])  # the index holds the added programs too
    out.update(query_check(course_index, everything, course_index.ids, job_queries(demo_dir, enc)))
    return out


def run_national(demo_dir: Path) -> dict:
    from recommender.demo.scale import CONTEXT_WEIGHT, course_vectors, national_course_table
    from recommender.encoders.base import l2_normalise
    from recommender.indexes.dense import DenseIndex

    out: dict = {}
    enc, out["course_encoder"] = course_encoder()
    t = time.perf_counter()
    table, context = national_course_table(demo_dir / "catalog")
    out["course_table_s"] = time.perf_counter() - t
    t = time.perf_counter()
    vectors = course_vectors(table, context, enc.encode)
    out["encode_courses_s"] = time.perf_counter() - t
    t = time.perf_counter()
    course_index = DenseIndex.build(vectors, table.course_ids)
    out["course_index_s"] = time.perf_counter() - t
    out["course_index"] = course_index.factory
    out["rss_after_build_mib"] = peak_rss_mb()
    out.update(query_check(course_index, vectors, course_index.ids, job_queries(demo_dir, enc)))
    out["peak_rss_with_recall_check_mib"] = peak_rss_mb()
    del vectors

    # -- one new program: the first program's courses again, under a new college's context -----------------
    first = table.program_ids[next(i for i, p in enumerate(table.program_ids) if p)]
    rows = [i for i, p in enumerate(table.program_ids) if p == first]
    for n in (1, 2):  # the second addition shows the steady state (the first may grow FAISS's arrays)
        pid = f"PERF-NEW-P{n}"
        t = time.perf_counter()
        texts = enc.encode([table.full_text(i) for i in rows])
        program = enc.encode([f"演示新学院{n} {context[first]}"])
        new_vectors = l2_normalise(np.asarray(texts + CONTEXT_WEIGHT * program, dtype=np.float32))
        t_index = time.perf_counter()
        course_index.add(new_vectors, [f"{pid}-{k:02d}" for k in range(len(rows))])
        done = time.perf_counter()
        out[f"add_program{n}_s"] = done - t
        out[f"add_program{n}_index_add_s"] = done - t_index
        out[f"add_program{n}_courses"] = len(rows)
        out[f"add_program{n}_courses_found"] = search_finds(course_index, new_vectors, pid)
    out["peak_rss_mib"] = peak_rss_mb()
    out["rss_at_end_mib"] = rss_mb()
    out["courses"] = len(table)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("--scale", choices=SCALES, nargs="+", default=["demo", "province"])
    parser.add_argument("--demo-dir", type=Path, default=REPO_ROOT / "var" / "demo")
    parser.add_argument("--perf-dir", type=Path, default=REPO_ROOT / "var" / "perf")
    parser.add_argument("--encoder", default=None, help="matcher encoder (default: the product default)")
    parser.add_argument("--out", type=Path, default=None, help="JSON results (default: PERF_DIR/index_build.json)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    from recommender.recommend.build import default_encoder_name

    encoder = args.encoder or default_encoder_name()
    dirs = {"demo": args.demo_dir / "catalog", "province": args.perf_dir / "province" / "catalog"}
    if args.child:
        scale = args.scale[0]
        row = run_national(args.demo_dir) if scale == "national" else run_catalog_scale(dirs[scale], args.demo_dir, encoder)
        print(json.dumps({k: (round(v, 3) if isinstance(v, float) else v) for k, v in row.items()}))
        return 0
    print_machine()
    if "province" in args.scale and not dirs["province"].exists():
        from recommender.demo.scale import scale_catalog

        scale_catalog(dirs["demo"], dirs["province"], scale="province")
    results = {}
    for scale in args.scale:
        proc = subprocess.run([sys.executable, __file__, "--child", "--scale", scale, "--encoder", encoder,
                               "--demo-dir", str(args.demo_dir), "--perf-dir", str(args.perf_dir)],
                              capture_output=True, text=True, check=False)
        if proc.returncode:
            raise SystemExit(f"[{scale}] failed:\n{proc.stderr[-3000:]}")
        row = results[scale] = json.loads(proc.stdout.strip().splitlines()[-1])
        print(f"\n[{scale}] courses={row['courses']:,}")
        for key, value in row.items():
            print(f"  {key}: {value}")
    out = args.out or args.perf_dir / "index_build.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"\nwritten {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
