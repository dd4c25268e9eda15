"""Generate a year of demo activity: feedback events and enterprise class requests, deterministic and vectorised.

What is simulated, per worker (all choices drawn from one seeded generator, so a seed and sizes give the same
files):

- **Sessions.** 80 % of workers use the service in the year; an active worker gets 1 + Poisson(1.2)
  recommendation sessions, each in a month drawn from an enrolment-season profile (peaks in March and July–August).
- **What is shown.** Each session shows up to 6 programs (ranks 1–6), drawn without replacement from the programs
  of the majors linked to the worker's true occupation (``Catalog.majors_by_occupation``; earlier links weigh more),
  at the levels the worker's education admits (``recommender.rules.eligibility.eligible_levels``), taught in the
  worker's city or online (local programs weigh 1.5×). When nothing fits, the eligibility filter and then the
  place filter are relaxed, in that order.
- **The funnel.** click = 0.30 × rank^−0.6 × the session's engagement (log-normal, mean ≈ 1); save = 30 % of clicks;
  application = 10 % of clicks (35 % of saves), 0–2 months later; enrolment = 45 % of applications, 0–1 month later,
  at most one per worker (the first); completion (the first term passed) = 85 % of enrolments, 4 months after
  enrolment, when that is still in the year.
- **Enterprise class requests.** Each enterprise asks for 1–3 classes, one per most common role on its roster, for a
  major linked to that role, with a headcount of 20–60 % of the staff in the role (at least 5).
- **A planted surge** (:class:`PlantedSurge`, optional): extra workers of one occupation in one city, all active in
  the surge months, with more engaged sessions, shown programs of the surge's majors — a known signal for tests and
  demos. :func:`care_surge` is the demo's: 养老护理员 shown the majors named 养老 (智慧健康养老服务与管理 …).

The output is an activity directory (``recommender.demand.events``), written to a temporary sibling and renamed
into place.
"""

from __future__ import annotations

import hashlib
import json
import random
import shutil
import uuid
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from recommender.catalog.catalog import Catalog
from recommender.demand.events import (
    EVENT_TYPES,
    EVENTS_DIR,
    FORMAT_VERSION,
    MANIFEST,
    MONTHS,
    REQUEST_COLUMNS,
    REQUESTS_FILE,
    WORKER_COLUMNS,
    WORKERS_FILE,
)
from recommender.errors import UserError
from recommender.files import swap_directory
from recommender.rules.eligibility import eligible_levels

DEFAULT_SEED = 2026
CARE_OCCUPATION = "4-10-01-05"  # 养老护理员
# Relative activity per month (enrolment seasons: spring registration, the autumn intake in July–August).
SEASON: tuple[float, ...] = (0.6, 0.9, 1.2, 0.9, 0.8, 1.1, 1.3, 1.4, 1.1, 0.7, 0.6, 0.5)
ACTIVE_SHARE = 0.8
EXTRA_SESSIONS = 1.2  # Poisson mean of sessions beyond the first
SHOWN_PER_SESSION = 6
CLICK_TOP = 0.30
CLICK_DECAY = 0.6
SAVE_GIVEN_CLICK = 0.30
APPLY_GIVEN_CLICK = 0.10
APPLY_GIVEN_SAVE = 0.35
ENROL_GIVEN_APPLY = 0.45
COMPLETE_GIVEN_ENROL = 0.85
COMPLETION_DELAY = 4  # months: the first term
LOCAL_WEIGHT = 1.5
SURGE_KEY = "(surge)"  # the pool of the surge workers
MODEL_VERSIONS = ("ranker-2027.1", "ranker-2027.2")  # first and second half of the year


@dataclass(frozen=True)
class PlantedSurge:
    """A planted demand surge: ``workers`` extra workers of ``occupation_code`` in ``city``, active in ``months``.

    ``workers`` defaults to max(150, 5 % of the generated workers).
    """

    city: str
    occupation_code: str = CARE_OCCUPATION
    workers: int | None = None
    months: tuple[str, ...] = MONTHS[6:]
    engagement: float = 1.5  # multiplies the click probability of the surge sessions
    majors: tuple[str, ...] = ()  # the majors the surge workers are shown (default: the occupation's majors)

    def size(self, n_workers: int) -> int:
        return self.workers if self.workers is not None else max(150, round(0.05 * n_workers))

    def to_dict(self, n_workers: int) -> dict:
        return {"city": self.city, "occupation_code": self.occupation_code, "workers": self.size(n_workers),
                "months": list(self.months), "engagement": self.engagement, "majors": list(self.majors)}


def care_surge(city: str, catalog: Catalog, workers: int | None = None) -> PlantedSurge:
    """The demo's planted pattern: a surge of 养老护理员 in ``city``, shown the majors named 养老 (elderly care)."""
    majors = tuple(m for m in catalog.majors_by_occupation.get(CARE_OCCUPATION, ())
                   if m in catalog.majors and "养老" in catalog.majors[m].name)
    return PlantedSurge(city, CARE_OCCUPATION, workers=workers, majors=majors)


@dataclass(frozen=True)
class EnterpriseSeed:
    """What the generator needs of an enterprise: where it is and how many staff it has in each role."""

    enterprise_id: str
    city: str
    roles: Mapping[str, int] = field(default_factory=dict)  # occupation code → staff


@dataclass(frozen=True)
class ActivityDataset:
    """Where an activity directory lives and what its manifest says."""

    root: Path
    manifest: dict

    @property
    def events_glob(self) -> str:
        return str(self.root / EVENTS_DIR / "*.parquet")

    @property
    def workers_path(self) -> Path:
        return self.root / WORKERS_FILE

    @property
    def requests_path(self) -> Path:
        return self.root / REQUESTS_FILE


def catalog_fingerprint(catalog: Catalog) -> str:
    """A short hash of the catalog's programs (id, college, major): activity refers to these."""
    lines = sorted(f"{p.program_id}|{p.college_id}|{p.major_code}" for p in catalog.programs.values())
    return hashlib.sha1("\n".join(lines).encode("utf-8")).hexdigest()[:16]


def read_activity(root: str | Path) -> ActivityDataset | None:
    """The activity directory at ``root``, or ``None`` when there is none (or another format's)."""
    root = Path(root)
    try:
        manifest = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if manifest.get("format") != FORMAT_VERSION or not (root / EVENTS_DIR).is_dir():
        return None
    return ActivityDataset(root, manifest)


def _rng(seed: int, label: str) -> np.random.Generator:
    digest = hashlib.sha256(f"{seed}:{label}".encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:8], "little"))


# ---------------------------------------------------------------------------------------------- workers
def demo_workers_frame(workers_csv: str | Path) -> pd.DataFrame:
    """The demo province's ``workers.csv`` as a frame of :data:`~recommender.demand.events.WORKER_COLUMNS`."""
    from recommender.demo.people import load_worker_truth, load_workers

    workers = load_workers(workers_csv)
    truth = load_worker_truth(workers_csv)
    return _frame([(w, truth.get(w.worker_id, w.occupation_code)) for w in workers])


def synthetic_workers_frame(n: int, seed: int = DEFAULT_SEED) -> pd.DataFrame:
    """``n`` synthetic workers from the demo province's seed data (occupations, titles, cities by their weights)."""
    from recommender.demo.people import generate_workers

    sample = generate_workers(random.Random(f"{seed}:activity-workers:{n}"), n)
    return _frame([(s.worker, s.true_occupation_code) for s in sample])


def _frame(pairs) -> pd.DataFrame:
    rows = [(w.worker_id, w.job_title, w.occupation_code, true, w.education, w.city, w.province, w.union_member,
             ";".join(w.honours)) for w, true in pairs]
    return pd.DataFrame(rows, columns=list(WORKER_COLUMNS))


def _surge_workers(workers: pd.DataFrame, surge: PlantedSurge, n: int, rng: np.random.Generator) -> pd.DataFrame:
    """``n`` surge workers: resampled from the workers of the surge occupation, moved to the surge city."""
    pool = workers[workers["true_occupation_code"] == surge.occupation_code]
    if pool.empty:
        pool = workers.head(1).assign(job_title="养老护理员", occupation_code="", education="初中")
    picked = pool.iloc[rng.integers(0, len(pool), n)].copy()
    width = max(4, len(str(len(workers) + n)))
    picked["worker_id"] = [f"W{len(workers) + i:0{width}d}" for i in range(1, n + 1)]
    picked["true_occupation_code"] = surge.occupation_code
    picked["city"] = surge.city
    return picked.reset_index(drop=True)


# ---------------------------------------------------------------------------------------------- pools
class _Pools:
    """Candidate programs (indices into the catalog's program list) and weights, per (occupation, city, education)."""

    def __init__(self, catalog: Catalog, surge: PlantedSurge | None = None):
        self.catalog = catalog
        self.surge = surge
        self.programs = list(catalog.programs.values())
        self.index = {p.program_id: i for i, p in enumerate(self.programs)}
        self._cache: dict[tuple[str, str, str], tuple[np.ndarray, np.ndarray]] = {}

    def get(self, occupation: str, city: str, education: str) -> tuple[np.ndarray, np.ndarray]:
        key = (occupation, city, education)
        if key not in self._cache:
            self._cache[key] = self._build(*key)
        return self._cache[key]

    def _build(self, occupation: str, city: str, education: str) -> tuple[np.ndarray, np.ndarray]:
        if occupation == SURGE_KEY and self.surge is not None:
            majors = self.surge.majors or self.catalog.majors_by_occupation.get(self.surge.occupation_code, ())
        else:
            majors = self.catalog.majors_by_occupation.get(occupation, ())
        try:
            levels = set(eligible_levels(education))
        except UserError:
            levels = set()
        candidates = []  # (program index, major weight, local?, online?, eligible?)
        for rank, major in enumerate(majors):
            weight = 1.0 / (1 + rank) ** 0.8
            for pid in self.catalog.programs_by_major.get(major, ()):
                p = self.catalog.programs[pid]
                candidates.append((self.index[pid], weight, city in p.places, not p.places, p.level in levels))
        for need_eligible, need_place in ((True, True), (False, True), (True, False), (False, False)):
            chosen = [(i, w * (LOCAL_WEIGHT if local else 1.0)) for i, w, local, online, ok in candidates
                      if (ok or not need_eligible) and (local or online or not need_place)]
            if chosen:
                return np.array([i for i, _ in chosen], dtype=np.int32), np.array([w for _, w in chosen])
        return np.zeros(0, dtype=np.int32), np.zeros(0)


# ---------------------------------------------------------------------------------------------- generation
def generate_activity(
    out_dir: str | Path,
    catalog: Catalog,
    workers: pd.DataFrame,
    *,
    seed: int = DEFAULT_SEED,
    enterprises: Sequence[EnterpriseSeed] = (),
    surge: PlantedSurge | None = None,
    catalog_dir: str | Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> ActivityDataset:
    """Generate a year (2027-01…2027-12) of feedback events and enterprise class requests into ``out_dir``.

    Parameters
    ----------
    out_dir : str or Path
        The activity directory to write; if it exists it must be empty or an activity directory (replaced).
    catalog : Catalog
        Programs, majors and their occupation links; events refer to its program ids.
    workers : pandas.DataFrame
        Columns :data:`~recommender.demand.events.WORKER_COLUMNS` (see :func:`demo_workers_frame`,
        :func:`synthetic_workers_frame`); ``true_occupation_code`` drives what each worker is shown.
    seed : int, default 2026
        Seed of every random choice: same seed, catalog and workers, same files.
    enterprises : sequence of EnterpriseSeed
        Who makes class requests (none: no requests).
    surge : PlantedSurge, optional
        A planted demand surge (its workers are added to the workers table).
    catalog_dir : str or Path, optional
        Recorded in the manifest, so the activity can be matched with its catalog.
    progress : callable, optional
        Called with the name of each step as it starts.

    Returns
    -------
    ActivityDataset

    Raises
    ------
    UserError
        When ``out_dir`` holds something else, a column is missing, or the surge city is unknown.

    Examples
    --------
    >>> data = generate_activity("var/demo/activity", catalog, demo_workers_frame("var/demo/workers.csv"))
    ... # doctest: +SKIP
    >>> data.manifest["counts"]["events"]  # doctest: +SKIP
    """
    step = progress or (lambda name: None)
    target = Path(out_dir)
    _check_out_dir(target)
    missing = [c for c in WORKER_COLUMNS if c not in workers.columns]
    if missing:
        raise UserError(f"the workers table lacks column(s) {', '.join(missing)}; expected {', '.join(WORKER_COLUMNS)}")
    n_regular = len(workers)
    if surge is not None:
        cities = {c for college in catalog.colleges.values() for c in college.cities} | set(workers["city"])
        if surge.city not in cities:
            raise UserError(f"unknown surge city {surge.city!r}; choose one of {', '.join(sorted(cities))}")
        if surge.occupation_code not in catalog.majors_by_occupation:
            raise UserError(f"occupation {surge.occupation_code!r} has no linked majors in the catalog")
        unknown = [m for m in surge.majors if m not in catalog.majors]
        if unknown:
            raise UserError(f"surge majors not in the catalog: {', '.join(unknown)}")
        bad = [m for m in surge.months if m not in MONTHS]
        if bad or not surge.months:
            raise UserError(f"surge months must be among {MONTHS[0]}…{MONTHS[-1]}, got {list(surge.months)}")
        extra = _surge_workers(workers, surge, surge.size(n_regular), _rng(seed, "surge-workers"))
        workers = pd.concat([workers, extra], ignore_index=True)
    workers = workers.reset_index(drop=True)
    if workers["worker_id"].duplicated().any():
        raise UserError("worker_id must be unique in the workers table")

    step("sessions")
    rng = _rng(seed, "activity")
    n = len(workers)
    is_surge = np.zeros(n, dtype=bool)
    is_surge[n_regular:] = True
    season = np.array(SEASON) / sum(SEASON)
    active = (rng.random(n) < ACTIVE_SHARE) | is_surge
    sessions = np.where(active, 1 + rng.poisson(EXTRA_SESSIONS, n), 0)
    sessions[is_surge] = 2 + rng.poisson(0.5, int(is_surge.sum()))
    session_worker = np.repeat(np.arange(n), sessions)
    session_month = rng.choice(12, size=len(session_worker), p=season)
    if surge is not None:
        surge_months = np.array([MONTHS.index(m) for m in surge.months])
        in_surge = is_surge[session_worker]
        session_month[in_surge] = surge_months[rng.integers(0, len(surge_months), int(in_surge.sum()))]
    engagement = rng.lognormal(-0.125, 0.5, len(session_worker))
    if surge is not None:
        engagement[is_surge[session_worker]] *= surge.engagement

    step("recommendations shown")
    pools = _Pools(catalog, surge)
    pool_of = workers["true_occupation_code"].where(~is_surge, SURGE_KEY)
    keys = pd.MultiIndex.from_arrays([pool_of, workers["city"], workers["education"]])
    worker_key, key_values = pd.factorize(keys)
    session_key = worker_key[session_worker]
    order = np.argsort(session_key, kind="stable")
    bounds = np.flatnonzero(np.diff(session_key[order])) + 1
    imp_session, imp_rank, imp_program = [], [], []
    for chunk in np.split(order, bounds):
        if len(chunk) == 0:
            continue
        pool, weights = pools.get(*key_values[session_key[chunk[0]]])
        if len(pool) == 0:
            continue
        shown = min(SHOWN_PER_SESSION, len(pool))
        scores = np.log(weights)[None, :] + rng.gumbel(size=(len(chunk), len(pool)))
        top = np.argsort(-scores, axis=1, kind="stable")[:, :shown]
        imp_session.append(np.repeat(chunk, shown))
        imp_rank.append(np.tile(np.arange(1, shown + 1), len(chunk)))
        imp_program.append(pool[top].ravel())
    imp_session_a = np.concatenate(imp_session) if imp_session else np.zeros(0, dtype=np.int64)
    imp_rank_a = np.concatenate(imp_rank) if imp_rank else np.zeros(0, dtype=np.int64)
    imp_program_a = np.concatenate(imp_program) if imp_program else np.zeros(0, dtype=np.int32)

    step("funnel")
    m = len(imp_session_a)
    p_click = np.clip(CLICK_TOP * imp_rank_a.astype(float) ** -CLICK_DECAY * engagement[imp_session_a], 0, 0.95)
    clicked = rng.random(m) < p_click
    saved = clicked & (rng.random(m) < SAVE_GIVEN_CLICK)
    applied = clicked & (rng.random(m) < np.where(saved, APPLY_GIVEN_SAVE, APPLY_GIVEN_CLICK))
    month = session_month[imp_session_a]
    apply_month = np.minimum(month + rng.choice(3, size=m, p=(0.6, 0.3, 0.1)), 11)
    enrol_month = np.minimum(apply_month + rng.choice(2, size=m, p=(0.6, 0.4)), 11)
    enrol_try = applied & (rng.random(m) < ENROL_GIVEN_APPLY)
    enrolled = np.zeros(m, dtype=bool)
    tries = np.flatnonzero(enrol_try)
    if len(tries):
        worker_of = session_worker[imp_session_a[tries]]
        first = np.lexsort((imp_rank_a[tries], imp_session_a[tries], enrol_month[tries], worker_of))
        _, keep = np.unique(worker_of[first], return_index=True)
        enrolled[tries[first[keep]]] = True
    done_month = enrol_month + COMPLETION_DELAY
    completed = enrolled & (done_month <= 11) & (rng.random(m) < COMPLETE_GIVEN_ENROL)

    step("events written")
    parts = [(np.arange(m), month, 0), (np.flatnonzero(clicked), month[clicked], 1),
             (np.flatnonzero(saved), month[saved], 2), (np.flatnonzero(applied), apply_month[applied], 3),
             (np.flatnonzero(enrolled), enrol_month[enrolled], 4),
             (np.flatnonzero(completed), done_month[completed], 5)]
    imp = np.concatenate([p[0] for p in parts])
    ev_month = np.concatenate([p[1] for p in parts]).astype(np.int8)
    ev_type = np.concatenate([np.full(len(p[0]), p[2], dtype=np.int8) for p in parts])
    ev_session = imp_session_a[imp]
    ev_worker = session_worker[ev_session]
    ev_program = imp_program_a[imp]
    ev_rank = imp_rank_a[imp].astype(np.int16)
    order = np.lexsort((ev_type, imp_rank_a[imp], ev_session, ev_worker, ev_month))
    table = _events_table(catalog, pools, workers, order, ev_type, ev_worker, ev_program, ev_month, ev_session,
                          ev_rank, seed)
    sorted_month = ev_month[order]

    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.with_name(f".{target.name}.writing-{uuid.uuid4().hex[:8]}")
    (staging / EVENTS_DIR).mkdir(parents=True)
    try:
        for i, label in enumerate(MONTHS):
            lo, hi = np.searchsorted(sorted_month, [i, i + 1])
            pq.write_table(table.slice(lo, hi - lo), staging / EVENTS_DIR / f"{label}.parquet", compression="zstd")
        step("workers and enterprise requests")
        pq.write_table(pa.Table.from_pandas(workers[list(WORKER_COLUMNS)], preserve_index=False),
                       staging / WORKERS_FILE, compression="zstd")
        requests = _enterprise_requests(catalog, enterprises, _rng(seed, "enterprise-requests"))
        pq.write_table(requests, staging / REQUESTS_FILE, compression="zstd")
        type_counts = np.bincount(ev_type, minlength=len(EVENT_TYPES))
        manifest = {
            "generator": "recommender.demand.activity",
            "format": FORMAT_VERSION,
            "seed": seed,
            "workers": n_regular,
            "months": [MONTHS[0], MONTHS[-1]],
            "catalog": str(catalog_dir) if catalog_dir is not None else catalog.source,
            "catalog_fingerprint": catalog_fingerprint(catalog),
            "planted_surge": surge.to_dict(n_regular) if surge is not None else None,
            "counts": {
                "events": len(ev_type),
                "events_per_type": {t: int(c) for t, c in zip(EVENT_TYPES, type_counts)},
                "workers_in_table": n,
                "active_workers": len(np.unique(ev_worker)),
                "recommendations": len(np.unique(ev_session)),
                "enterprise_requests": requests.num_rows,
            },
        }
        (staging / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        step("done")
        swap_directory(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return ActivityDataset(target, manifest)


def _dictionary(indices: np.ndarray, values: Sequence[str]) -> pa.DictionaryArray:
    return pa.DictionaryArray.from_arrays(pa.array(indices.astype(np.int32)), pa.array(list(values), pa.string()))


def _events_table(catalog: Catalog, pools: _Pools, workers: pd.DataFrame, order: np.ndarray, ev_type, ev_worker,
                  ev_program, ev_month, ev_session, ev_rank, seed: int) -> pa.Table:
    programs = pools.programs
    major_codes, major_of = np.unique([p.major_code for p in programs], return_inverse=True)
    college_ids, college_of = np.unique([p.college_id for p in programs], return_inverse=True)
    occupations, occupation_of = np.unique(workers["true_occupation_code"].to_numpy(str), return_inverse=True)
    cities, city_of = np.unique(workers["city"].to_numpy(str), return_inverse=True)
    sessions, session_idx = np.unique(ev_session[order], return_inverse=True)
    session_ids = [f"rec-{seed}-{int(s):07d}" for s in sessions]
    w, p, mo = ev_worker[order], ev_program[order], ev_month[order]
    return pa.table({
        "event_type": _dictionary(ev_type[order], EVENT_TYPES),
        "worker_id": _dictionary(w, workers["worker_id"].tolist()),
        "program_id": _dictionary(p, [x.program_id for x in programs]),
        "major_code": _dictionary(major_of[p], major_codes.tolist()),
        "college_id": _dictionary(college_of[p], college_ids.tolist()),
        "occupation_code": _dictionary(occupation_of[w], occupations.tolist()),
        "city": _dictionary(city_of[w], cities.tolist()),
        "month": _dictionary(mo, MONTHS),
        "recommendation_id": _dictionary(session_idx, session_ids),
        "rank": pa.array(ev_rank[order]),
        "model_version": _dictionary((mo >= 6).astype(np.int8), MODEL_VERSIONS),
    })


def _enterprise_requests(catalog: Catalog, enterprises: Sequence[EnterpriseSeed],
                         rng: np.random.Generator) -> pa.Table:
    rows = []
    season = np.array(SEASON) / sum(SEASON)
    for e in enterprises:
        roles = sorted(((code, staff) for code, staff in e.roles.items() if code), key=lambda r: (-r[1], r[0]))
        wanted = int(rng.choice((1, 2, 3), p=(0.5, 0.35, 0.15)))
        j = 0
        for code, staff in roles[:wanted]:
            majors = [m for m in catalog.majors_by_occupation.get(code, ()) if catalog.programs_by_major.get(m)]
            if not majors:
                continue
            weights = np.array([1.0 / (1 + i) for i in range(len(majors))])
            major = majors[int(rng.choice(len(majors), p=weights / weights.sum()))]
            j += 1
            rows.append((f"{e.enterprise_id}-R{j}", e.enterprise_id, major, code, e.city,
                         max(5, round(staff * rng.uniform(0.2, 0.6))), MONTHS[int(rng.choice(12, p=season))]))
    frame = pd.DataFrame(rows, columns=list(REQUEST_COLUMNS)).astype({"headcount": "int64"})
    return pa.Table.from_pandas(frame, preserve_index=False)


def enterprise_seeds(province_dir: str | Path) -> list[EnterpriseSeed]:
    """The demo province's enterprises with their roster's staff per role (from ``rosters/*.csv`` role codes)."""
    from recommender.demo.people import load_enterprises, load_roster_roles

    roles = load_roster_roles(province_dir)
    return [EnterpriseSeed(e.enterprise_id, e.city, dict(Counter(roles.get(e.enterprise_id, {}).values())))
            for e in load_enterprises(province_dir)]


def _check_out_dir(target: Path) -> None:
    if not target.exists():
        return
    if not target.is_dir():
        raise UserError(f"cannot write activity to {target}: it is a file; choose a directory")
    if any(target.iterdir()) and not (target / MANIFEST).is_file():
        raise UserError(f"refusing to replace {target}: it is not empty and holds no {MANIFEST} (not an activity "
                        "directory); choose a new or empty directory")


