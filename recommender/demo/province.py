"""Generate the demo province: a catalog directory, sample workers and enterprise rosters, deterministically.

Layout of the output directory::

    demo.json                 what was generated (seed, sizes, counts); marks the directory as a demo province
    catalog/                  a catalog directory (recommender.catalog.schema), loadable with load_catalog
    workers.csv               sample workers (recommender.demo.people)
    enterprises.csv           enterprises
    rosters/<enterprise_id>.csv

The same seed and sizes give byte-identical files. The directory is written as a temporary sibling and renamed
into place, so an interrupted run never leaves a half-written province behind.
"""

from __future__ import annotations

import json
import random
import shutil
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from recommender.catalog.loader import write_catalog
from recommender.demo.colleges import build_programs, plan_colleges
from recommender.demo.content import major_course_rows, major_occupation_rows, major_rows, occupation_rows
from recommender.demo.people import generate_enterprises, generate_workers, write_enterprises, write_workers
from recommender.demo.seed.geography import PROVINCE
from recommender.demo.seed.people import ENTERPRISES
from recommender.errors import UserError
from recommender.files import swap_directory

FORMAT_VERSION = 1
MANIFEST = "demo.json"
DEFAULT_SEED = 2026
DEFAULT_WORKERS = 1000
DEFAULT_ENTERPRISES = len(ENTERPRISES)


@dataclass(frozen=True)
class DemoProvince:
    """Where a generated demo province lives, and what its manifest says."""

    root: Path
    manifest: dict

    @property
    def catalog_dir(self) -> Path:
        return self.root / "catalog"

    @property
    def workers_path(self) -> Path:
        return self.root / "workers.csv"

    @property
    def enterprises_dir(self) -> Path:
        """The directory holding ``enterprises.csv`` and ``rosters/`` (what ``load_enterprises`` takes)."""
        return self.root

    @property
    def seed(self) -> int:
        return int(self.manifest["seed"])


def read_demo_province(out_dir: str | Path) -> DemoProvince | None:
    """The demo province in ``out_dir``, or ``None`` when there is none (or it was made by another format)."""
    root = Path(out_dir)
    try:
        manifest = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if manifest.get("format") != FORMAT_VERSION or not (root / "catalog").is_dir():
        return None
    return DemoProvince(root, manifest)


def generate_demo_province(
    out_dir: str | Path,
    seed: int = DEFAULT_SEED,
    workers: int = DEFAULT_WORKERS,
    enterprises: int = DEFAULT_ENTERPRISES,
    *,
    progress: Callable[[str], None] | None = None,
) -> DemoProvince:
    """Generate the demo province into ``out_dir`` (replacing a demo province already there).

    Parameters
    ----------
    out_dir : str or Path
        The directory to write. If it exists it must be empty or hold a demo province (a ``demo.json``):
        anything else is refused rather than overwritten.
    seed : int, default 2026
        Seed of every random choice; the same seed and sizes give byte-identical files.
    workers : int, default 1000
        How many sample workers.
    enterprises : int, default 20
        How many enterprises (at most the 20 the demo defines).
    progress : callable, optional
        Called with the name of each step as it starts (the CLI passes a progress bar's update).

    Returns
    -------
    DemoProvince

    Raises
    ------
    UserError
        When ``out_dir`` holds something that is not a demo province, or a size is out of range.

    Examples
    --------
    >>> province = generate_demo_province("var/demo", seed=2026)  # doctest: +SKIP
    >>> province.manifest["counts"]["colleges"]  # doctest: +SKIP
    172
    """
    if workers < 0:
        raise UserError(f"workers must be 0 or more, got {workers}")
    if not 0 <= enterprises <= len(ENTERPRISES):
        raise UserError(f"enterprises must be between 0 and {len(ENTERPRISES)} (the demo's seeds), got {enterprises}")
    target = Path(out_dir)
    check_out_dir(target)
    step = progress or (lambda name: None)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.with_name(f".{target.name}.writing-{uuid.uuid4().hex[:8]}")
    staging.mkdir()
    try:
        step("colleges and programs")
        plans = plan_colleges(random.Random(f"{seed}:colleges"))
        programs, program_courses = build_programs(random.Random(f"{seed}:programs"), plans)
        tables = {
            "colleges": [p.college for p in plans],
            "occupations": occupation_rows(),
            "majors": major_rows(),
            "major_occupations": major_occupation_rows(),
            "programs": programs,
            "courses": major_course_rows() + program_courses,
        }
        step("catalog (written and validated)")
        write_catalog(tables, staging / "catalog", validate=True)
        step("workers")
        sample_workers = generate_workers(random.Random(f"{seed}:workers"), workers)
        write_workers(staging / "workers.csv", sample_workers)
        step("enterprises and rosters")
        sample_enterprises = generate_enterprises(random.Random(f"{seed}:enterprises"), enterprises)
        write_enterprises(staging, sample_enterprises)
        manifest = {
            "generator": "recommender.demo",
            "format": FORMAT_VERSION,
            "province": PROVINCE,
            "seed": seed,
            "workers": workers,
            "enterprises": enterprises,
            "counts": {
                "colleges": len(tables["colleges"]),
                "colleges_per_kind": dict(sorted(Counter(c.kind for c in tables["colleges"]).items())),
                "programs": len(programs),
                "courses": len(tables["courses"]),
                "majors": len(tables["majors"]),
                "occupations": len(tables["occupations"]),
                "major_occupations": len(tables["major_occupations"]),
                "workers": len(sample_workers),
                "enterprises": len(sample_enterprises),
                "roster_staff": sum(len(e.enterprise.roster) for e in sample_enterprises),
            },
        }
        (staging / MANIFEST).write_text(
            json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8"
        )
        step("done")
        swap_directory(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return DemoProvince(target, manifest)


def check_out_dir(target: Path) -> None:
    """Raise :class:`UserError` unless ``target`` is absent, empty, or a demo province (safe to replace)."""
    if not target.exists():
        return
    if not target.is_dir():
        raise UserError(f"cannot write the demo province to {target}: it is a file; choose a directory")
    if any(target.iterdir()) and not (target / MANIFEST).is_file():
        raise UserError(
            f"refusing to replace {target}: it is not empty and holds no {MANIFEST} (not a demo province); "
            "choose a new or empty directory"
        )


