"""Demo catalogs and worker populations at province and national scale, for benchmarks.

The demo province (:mod:`recommender.demo.province`, ~170 colleges, ~1,600 programs, ~12,000 course rows) is
scaled up deterministically:

``province``
    the same colleges and programs; each program gets more program-specific course rows, drawn (without
    replacement per program) from the courses of its major elsewhere in the catalog and the public courses, to
    about 100,000 course rows.
``national``
    the colleges cloned into 3,000 (new ids, a ``演示省NN`` province per clone), each with its programs, and
    program-specific course rows to about 1,500,000. The course table is written as Parquet.

Course texts repeat across programs (the demo has about 500 distinct course texts), so course vectors at national
scale are produced by encoding each distinct course text once and each program's context (college, major, level)
once, and mapping rows to ``normalise(course_vector + CONTEXT_WEIGHT · program_vector)``
(:func:`course_vectors`). That keeps rows distinct without encoding 1.5 million texts.

Workers are resampled from the demo workers with new ids and cities (:func:`scale_workers`).

>>> from recommender.demo.scale import scale_catalog   # doctest: +SKIP
>>> scale_catalog("var/demo/catalog", "var/scale/province/catalog", scale="province")  # doctest: +SKIP
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from recommender.catalog.catalog import Catalog
from recommender.catalog.loader import load_catalog, write_catalog
from recommender.catalog.model import College, Course, Program, Worker
from recommender.demo.seed.geography import CITY_NAMES
from recommender.errors import UserError

CONTEXT_WEIGHT = 0.5


@dataclass(frozen=True)
class ScaleSpec:
    """Target sizes of a scaled catalog."""

    colleges: int
    courses: int


SCALES: dict[str, ScaleSpec] = {
    "province": ScaleSpec(colleges=0, courses=100_000),  # colleges=0: keep the demo's colleges
    "national": ScaleSpec(colleges=3_000, courses=1_500_000),
}


@dataclass(frozen=True)
class CourseTable:
    """Course rows as columns: each row points at one distinct course text (``text_of_row``) and its program."""

    course_ids: list[str]
    major_codes: list[str]
    program_ids: list[str]
    text_of_row: np.ndarray  # int32 index into ``texts``
    texts: list[tuple[str, str, float]]  # distinct (name, description, credits)

    def __len__(self) -> int:
        return len(self.course_ids)

    def full_text(self, row: int) -> str:
        name, description, _ = self.texts[int(self.text_of_row[row])]
        return f"{name} {description}"


def _clone_colleges(catalog: Catalog, n: int) -> tuple[list[College], list[Program]]:
    """``n`` colleges: the base colleges first, then clones ``N01-…``, ``N02-…`` with their programs."""
    base = list(catalog.colleges.values())
    programs_by_college = defaultdict(list)
    for p in catalog.programs.values():
        programs_by_college[p.college_id].append(p)
    colleges, programs = [], []
    for k in range(math.ceil(n / len(base))):
        for c in base:
            if len(colleges) == n:
                break
            if k == 0:
                clone = c
            else:
                clone = replace(c, college_id=f"N{k:02d}-{c.college_id}", name=f"{c.name}（{k:02d}）",
                                province=f"演示省{k:02d}")
            colleges.append(clone)
            for p in programs_by_college[c.college_id]:
                programs.append(p if k == 0 else replace(p, program_id=f"N{k:02d}-{p.program_id}",
                                                         college_id=clone.college_id))
    return colleges, programs


def _course_table(rng: random.Random, catalog: Catalog, programs: Sequence[Program], target: int) -> CourseTable:
    """Major rows of the base catalog plus program-specific rows, about ``target`` in all."""
    texts: dict[tuple[str, str, float], int] = {}

    def text_id(c: Course) -> int:
        return texts.setdefault((c.name, c.description, c.credits), len(texts))

    pool: dict[str, list[int]] = defaultdict(list)  # major → distinct text ids of its courses anywhere
    public: set[int] = set()
    for c in catalog.courses.values():
        t = text_id(c)
        if t not in pool[c.major_code]:
            pool[c.major_code].append(t)
        if c.program_id and c.credits <= 2.0:
            public.add(t)
    public_ids = sorted(public)
    ids, majors, owners, rows = [], [], [], []
    for c in catalog.courses.values():
        if not c.program_id:
            ids.append(c.course_id)
            majors.append(c.major_code)
            owners.append("")
            rows.append(text_id(c))
    per_program = max(1, math.ceil((target - len(ids)) / max(len(programs), 1)))
    for p in programs:
        choices = pool[p.major_code] + public_ids
        picked = rng.sample(choices, min(per_program, len(choices)))
        picked += [rng.choice(choices) for _ in range(per_program - len(picked))]
        for j, t in enumerate(picked):
            ids.append(f"{p.program_id}-S{j:03d}")
            majors.append(p.major_code)
            owners.append(p.program_id)
            rows.append(t)
    ordered = sorted(texts, key=texts.get)
    return CourseTable(ids, majors, owners, np.asarray(rows, dtype=np.int32), ordered)


def scale_catalog(base_dir: str | Path, out_dir: str | Path, *, scale: str = "province", seed: int = 2026,
                  progress: Callable[[str], None] | None = None) -> dict:
    """Write a scaled copy of the catalog in ``base_dir`` to ``out_dir``.

    Parameters
    ----------
    base_dir : str or Path
        A catalog directory (the demo province's ``catalog/``).
    out_dir : str or Path
        The catalog directory to write (replaced when it holds only catalog files).
    scale : {"province", "national"}
        Target sizes from :data:`SCALES`.
    seed : int
        Seed of the course draws; the same seed gives the same files.
    progress : callable, optional
        Called with the name of each step.

    Returns
    -------
    dict
        Counts written: colleges, programs, courses, distinct course texts.
    """
    if scale not in SCALES:
        raise UserError(f"unknown scale {scale!r}; choose from {', '.join(SCALES)}")
    step = progress or (lambda name: None)
    spec = SCALES[scale]
    step("load base catalog")
    catalog = load_catalog(base_dir)
    n_colleges = spec.colleges or len(catalog.colleges)
    colleges, programs = _clone_colleges(catalog, n_colleges)
    step("course rows")
    table = _course_table(random.Random(f"{seed}:{scale}:courses"), catalog, programs, spec.courses)
    out = Path(out_dir)
    tables = {
        "colleges": colleges, "occupations": list(catalog.occupations.values()),
        "majors": list(catalog.majors.values()), "major_occupations": list(catalog.major_occupations),
        "programs": programs, "courses": [],
    }
    step("write")
    if scale == "province":
        tables["courses"] = [
            Course(course_id=cid, name=table.texts[t][0], major_code=major, program_id=pid,
                   description=table.texts[t][1], credits=table.texts[t][2])
            for cid, major, pid, t in zip(table.course_ids, table.major_codes, table.program_ids,
                                          table.text_of_row.tolist())
        ]
        write_catalog(tables, out, validate=True)
    else:
        import pyarrow as pa
        import pyarrow.parquet as pq

        write_catalog(tables, out, validate=False)
        (out / "courses.csv").unlink()
        texts = table.texts
        pq.write_table(pa.table({
            "course_id": table.course_ids,
            "name": [texts[t][0] for t in table.text_of_row.tolist()],
            "major_code": table.major_codes,
            "program_id": table.program_ids,
            "description": [texts[t][1] for t in table.text_of_row.tolist()],
            "credits": [texts[t][2] for t in table.text_of_row.tolist()],
            "mode": [""] * len(table),
        }), out / "courses.parquet")
    return {"scale": scale, "colleges": len(colleges), "programs": len(programs), "courses": len(table),
            "distinct_course_texts": len(table.texts)}


def national_course_table(base_dir: str | Path, *, seed: int = 2026) -> tuple[CourseTable, dict[str, str]]:
    """The national-scale course rows in memory (no files) and each program's context text, by program id."""
    catalog = load_catalog(base_dir)
    colleges, programs = _clone_colleges(catalog, SCALES["national"].colleges)
    table = _course_table(random.Random(f"{seed}:national:courses"), catalog, programs,
                          SCALES["national"].courses)
    names = {c.college_id: c.name for c in colleges}
    context = {p.program_id: f"{names[p.college_id]} {catalog.majors[p.major_code].name} {p.level}"
               for p in programs}
    return table, context


def course_vectors(table: CourseTable, context: dict[str, str], encode: Callable[[list[str]], np.ndarray],
                   *, context_weight: float = CONTEXT_WEIGHT) -> np.ndarray:
    """One L2-normalised float32 vector per course row, encoding each distinct text once.

    Row vector = ``normalise(v(course text) + context_weight · v(program context))``; major rows (no program)
    get the course text's vector alone.
    """
    text_vecs = encode([f"{n} {d}" for n, d, _ in table.texts]).astype(np.float32)
    owners = sorted(context)
    position = {pid: i for i, pid in enumerate(owners)}
    context_vecs = encode([context[pid] for pid in owners]).astype(np.float32)
    out = np.empty((len(table), text_vecs.shape[1]), dtype=np.float32)
    chunk = 200_000
    owner_rows = np.array([position.get(pid, -1) for pid in table.program_ids], dtype=np.int64)
    for start in range(0, len(table), chunk):
        rows = slice(start, start + chunk)
        block = text_vecs[table.text_of_row[rows]]
        own = owner_rows[rows]
        has = own >= 0
        block[has] += context_weight * context_vecs[own[has]]
        block /= np.linalg.norm(block, axis=1, keepdims=True).clip(min=1e-12)
        out[rows] = block
    return out


def scale_workers(workers: Sequence[Worker], n: int, *, seed: int = 2026) -> list[Worker]:
    """``n`` workers resampled from ``workers`` with new ids (``S0000001``…) and cities drawn from the demo's."""
    if not workers:
        raise UserError("no workers to resample from; generate the demo province first")
    rng = random.Random(f"{seed}:workers:{n}")
    return [replace(rng.choice(workers), worker_id=f"S{i:07d}", city=rng.choice(CITY_NAMES))
            for i in range(1, n + 1)]
