"""Sample workers and enterprise rosters: generated from the seeds, written as CSV, loaded back as domain objects.

Files (UTF-8 CSV, lists joined by ``;``):

- ``workers.csv``: the fields of :class:`~recommender.catalog.model.Worker`, plus ``true_occupation_code`` (the
  occupation the worker was generated from, for evaluation; ``occupation_code`` is filled for some workers only,
  as when a worker picks their occupation from a list).
- ``enterprises.csv``: ``enterprise_id, name, province, city, industry, target_role`` (a 大典 code, optional).
- ``rosters/<enterprise_id>.csv``: ``employee_id, job_title, duties, education, city, certificates, role_code``
  (``role_code``: the generating occupation, to measure how pure the cohorts found in a roster are).
"""

from __future__ import annotations

import csv
import dataclasses
import io
import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from recommender.catalog.model import EDUCATION_LEVELS, STUDY_MODES, Enterprise, Worker
from recommender.demo.seed.geography import CITIES, CITY_NAMES, PROVINCE
from recommender.demo.seed.occupations import GROUP_EDUCATION, OCCUPATIONS, OccupationSeed
from recommender.demo.seed.people import (
    BUDGETS,
    COMMON_CERTIFICATES,
    ENTERPRISES,
    HONOURS,
    PREFERRED_MODES,
    TITLE_PATTERNS,
)
from recommender.errors import UserError

WORKER_COLUMNS: tuple[str, ...] = (*(f.name for f in dataclasses.fields(Worker)), "true_occupation_code")
ENTERPRISE_COLUMNS = ("enterprise_id", "name", "province", "city", "industry", "target_role")
ROSTER_COLUMNS = ("employee_id", "job_title", "duties", "education", "city", "certificates", "role_code")
LIST_SEPARATOR = ";"
_LIST_SPLIT = re.compile(r"[;；、|｜]")
_TRUE = {"true", "1", "yes", "y", "是"}
_FALSE = {"false", "0", "no", "n", "否"}

KNOWN_CODE_SHARE = 0.4  # workers whose occupation_code is filled in
VERB_STARTS = "送开扎搭跑做修"  # titles that start with a verb take no 做 in front


# ------------------------------------------------------------------------------------------- generation
def _weighted(rng: random.Random, pairs: Sequence[tuple[object, float]]):
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs], k=1)[0]


def _title(rng: random.Random, occupation: OccupationSeed, colloquial: bool) -> str:
    title = rng.choice(occupation.titles)
    if not colloquial:
        return title
    pattern = _weighted(rng, TITLE_PATTERNS)
    others = [t for t in occupation.titles if t != title]
    if "{t2}" in pattern and not others:
        return title
    if pattern.startswith("做") and (title.endswith("的") or title[0] in VERB_STARTS):
        return title  # 送外卖, 开叉车的: already a verb phrase
    return pattern.format(t=title, t2=rng.choice(others) if others else title, n=rng.randint(2, 15))


def _duties(rng: random.Random, occupation: OccupationSeed, weights: Sequence[float]) -> str:
    k = rng.choices(range(len(weights)), weights=weights, k=1)[0]
    picked = sorted(rng.sample(range(len(occupation.duties)), min(k, len(occupation.duties))))
    return "，".join(occupation.duties[i] for i in picked)


def _education(rng: random.Random, occupation: OccupationSeed) -> str:
    return _weighted(rng, GROUP_EDUCATION[occupation.group])


def _certificates(rng: random.Random, occupation: OccupationSeed) -> tuple[str, ...]:
    out: list[str] = []
    if occupation.certificates:
        k = rng.choices((0, 1, 2), weights=(0.45, 0.4, 0.15), k=1)[0]
        out += rng.sample(occupation.certificates, min(k, len(occupation.certificates)))
    out += [c for c, share in COMMON_CERTIFICATES if c not in out and rng.random() < share]
    return tuple(out)


def _honours(rng: random.Random) -> tuple[str, ...]:
    held = tuple(name for name, share in HONOURS if rng.random() < share)
    return held[:2]


@dataclass(frozen=True)
class SampleWorker:
    """A generated worker and the occupation it was generated from."""

    worker: Worker
    true_occupation_code: str


def generate_workers(rng: random.Random, n: int) -> list[SampleWorker]:
    """``n`` sample workers of the demo province, occupations drawn by their seed weights.

    Parameters
    ----------
    rng : random.Random
        The only source of randomness (same state, same workers).
    n : int
        How many workers.

    Returns
    -------
    list of SampleWorker
    """
    width = max(4, len(str(n)))
    city_weights = [w for _, w in CITIES]
    occupation_weights = [o.weight for o in OCCUPATIONS]
    out = []
    for i in range(1, n + 1):
        occupation = rng.choices(OCCUPATIONS, weights=occupation_weights, k=1)[0]
        honours = _honours(rng)
        budget = rng.choice(BUDGETS) if rng.random() < 0.35 else None
        worker = Worker(
            worker_id=f"W{i:0{width}d}",
            job_title=_title(rng, occupation, colloquial=True),
            duties=_duties(rng, occupation, (0.15, 0.35, 0.35, 0.15)),
            occupation_code=occupation.code if rng.random() < KNOWN_CODE_SHARE else "",
            education=_education(rng, occupation),
            city=rng.choices(CITY_NAMES, weights=city_weights, k=1)[0],
            province=PROVINCE,
            can_stop_working=rng.random() < 0.07,
            preferred_modes=_weighted(rng, PREFERRED_MODES),
            budget_yuan=budget,
            honours=honours,
            union_member=True if honours else rng.random() < 0.85,
            certificates=_certificates(rng, occupation),
        )
        out.append(SampleWorker(worker, occupation.code))
    return out


@dataclass(frozen=True)
class SampleEnterprise:
    """A generated enterprise with its roster; ``role_codes`` maps each employee to the generating occupation."""

    enterprise: Enterprise
    target_role: str
    role_codes: dict[str, str]


def generate_enterprises(rng: random.Random, n: int) -> list[SampleEnterprise]:
    """The first ``n`` demo enterprises (at most ``len(ENTERPRISES)``) with rosters drawn from their roles."""
    if not 0 <= n <= len(ENTERPRISES):
        raise ValueError(f"enterprises must be between 0 and {len(ENTERPRISES)} (the demo's seeds), got {n}")
    by_code = {o.code: o for o in OCCUPATIONS}
    out = []
    for number, seed in enumerate(ENTERPRISES[:n], start=1):
        enterprise_id = f"E{number:02d}"
        codes = [code for code, _ in seed.roles]
        counts = _split_staff(seed.staff, [share for _, share in seed.roles])
        role_of = [code for code, count in zip(codes, counts) for _ in range(count)]
        rng.shuffle(role_of)
        roster, role_codes = [], {}
        for k, code in enumerate(role_of, start=1):
            occupation = by_code[code]
            employee_id = f"{enterprise_id}-{k:04d}"
            city = seed.city if rng.random() < 0.9 else rng.choice(CITY_NAMES)
            roster.append(Worker(
                worker_id=employee_id,
                job_title=_title(rng, occupation, colloquial=False),
                duties=_duties(rng, occupation, (0.4, 0.4, 0.2)),
                education=_education(rng, occupation),
                city=city,
                province=PROVINCE,
                certificates=_certificates(rng, occupation),
            ))
            role_codes[employee_id] = code
        enterprise = Enterprise(enterprise_id, seed.name, seed.city, seed.industry, tuple(roster))
        out.append(SampleEnterprise(enterprise, seed.target_role, role_codes))
    return out


def _split_staff(total: int, shares: Sequence[float]) -> list[int]:
    counts = [max(1, round(total * s / sum(shares))) for s in shares]
    counts[0] += total - sum(counts)
    return counts


# ---------------------------------------------------------------------------------------------- writing
def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return LIST_SEPARATOR.join(str(v) for v in value)
    return str(value)


def _write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([_cell(v) for v in row] for row in rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def write_workers(path: Path, workers: Sequence[SampleWorker]) -> None:
    """Write ``workers.csv`` (columns :data:`WORKER_COLUMNS`)."""
    fields = WORKER_COLUMNS[:-1]
    _write_csv(path, WORKER_COLUMNS,
               ([getattr(s.worker, f) for f in fields] + [s.true_occupation_code] for s in workers))


def write_enterprises(directory: Path, enterprises: Sequence[SampleEnterprise]) -> None:
    """Write ``enterprises.csv`` and ``rosters/<enterprise_id>.csv`` under ``directory``."""
    _write_csv(directory / "enterprises.csv", ENTERPRISE_COLUMNS, (
        (s.enterprise.enterprise_id, s.enterprise.name, PROVINCE, s.enterprise.city, s.enterprise.industry,
         s.target_role)
        for s in enterprises
    ))
    rosters = directory / "rosters"
    rosters.mkdir(exist_ok=True)
    for s in enterprises:
        _write_csv(rosters / f"{s.enterprise.enterprise_id}.csv", ROSTER_COLUMNS, (
            (w.worker_id, w.job_title, w.duties, w.education, w.city, w.certificates, s.role_codes[w.worker_id])
            for w in s.enterprise.roster
        ))


# ---------------------------------------------------------------------------------------------- loading
def _read_csv(path: Path, required: Sequence[str]) -> list[tuple[int, dict[str, str]]]:
    """Rows of a CSV as (spreadsheet row number, {column: stripped text}); checks the required columns."""
    if not path.is_file():
        raise UserError(f"{path} does not exist: generate the demo province with `recommender demo`")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise UserError(f"{path}: cannot decode the file as UTF-8; save it as CSV UTF-8") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [h.strip().lower() for h in next(reader, [])]
    missing = [c for c in required if c not in header]
    if missing:
        raise UserError(f"{path.name}: required columns missing: {', '.join(missing)} (found: {', '.join(header)})")
    rows = []
    for n, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        rows.append((n, {h: (cells[i].strip() if i < len(cells) else "") for i, h in enumerate(header) if h}))
    return rows


def _split(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(i.strip() for i in _LIST_SPLIT.split(text) if i.strip()))


class _Problems:
    def __init__(self, file: str):
        self.file, self.lines = file, []

    def add(self, row: int, column: str, reason: str) -> None:
        self.lines.append(f"{self.file} row {row}, column {column}: {reason}")

    def raise_if_any(self) -> None:
        if self.lines:
            shown = self.lines[:20] + ([f"... and {len(self.lines) - 20} more"] if len(self.lines) > 20 else [])
            raise UserError(f"{len(self.lines)} problem(s) in {self.file}:\n  - " + "\n  - ".join(shown))


def _person(row_number: int, values: dict[str, str], id_column: str, province: str, problems: _Problems) -> Worker:
    def flag(column: str, default: bool) -> bool:
        text = values.get(column, "").lower()
        if not text:
            return default
        if text in _TRUE or text in _FALSE:
            return text in _TRUE
        problems.add(row_number, column, f"'{values[column]}' is not true or false")
        return default

    for column in (id_column, "job_title"):
        if not values.get(column):
            problems.add(row_number, column, "the cell is empty: a value is required")
    education = values.get("education", "") or "高中"
    if education not in EDUCATION_LEVELS:
        problems.add(row_number, "education", f"'{education}' is not one of {', '.join(EDUCATION_LEVELS)}")
    modes = _split(values.get("preferred_modes", ""))
    for mode in modes:
        if mode not in STUDY_MODES:
            problems.add(row_number, "preferred_modes", f"'{mode}' is not one of {', '.join(STUDY_MODES)}")
    budget_text = values.get("budget_yuan", "")
    budget = None
    if budget_text:
        try:
            budget = int(float(budget_text))
        except ValueError:
            problems.add(row_number, "budget_yuan", f"'{budget_text}' is not an amount in yuan")
    return Worker(
        worker_id=values.get(id_column, ""),
        job_title=values.get("job_title", ""),
        duties=values.get("duties", ""),
        occupation_code=values.get("occupation_code", ""),
        education=education,
        city=values.get("city", ""),
        province=values.get("province", "") or province,
        can_stop_working=flag("can_stop_working", False),
        preferred_modes=modes,
        budget_yuan=budget,
        honours=_split(values.get("honours", "")),
        union_member=flag("union_member", True),
        certificates=_split(values.get("certificates", "")),
    )


def load_workers(path: str | Path) -> list[Worker]:
    """Load a workers CSV (the format :func:`write_workers` writes; only ``worker_id`` and ``job_title`` required).

    Parameters
    ----------
    path : str or Path
        A ``workers.csv``.

    Returns
    -------
    list of Worker
        In file order.

    Raises
    ------
    UserError
        Naming the file, row and column of every bad cell.

    Examples
    --------
    >>> workers = load_workers("var/demo/workers.csv")  # doctest: +SKIP
    >>> workers[0].job_text  # doctest: +SKIP
    '外卖小哥，每天在平台上抢单送外卖'
    """
    path = Path(path)
    problems = _Problems(path.name)
    workers, seen = [], set()
    for n, values in _read_csv(path, ("worker_id", "job_title")):
        worker = _person(n, values, "worker_id", "", problems)
        if worker.worker_id in seen:
            problems.add(n, "worker_id", f"duplicate worker_id '{worker.worker_id}'")
        seen.add(worker.worker_id)
        workers.append(worker)
    problems.raise_if_any()
    return workers


def load_worker_truth(path: str | Path) -> dict[str, str]:
    """``worker_id`` → ``true_occupation_code`` of a generated workers CSV (for evaluation only)."""
    rows = _read_csv(Path(path), ("worker_id", "true_occupation_code"))
    return {v["worker_id"]: v["true_occupation_code"] for _, v in rows}


def load_enterprises(directory: str | Path) -> list[Enterprise]:
    """Load ``enterprises.csv`` and every ``rosters/<enterprise_id>.csv`` under ``directory``.

    Parameters
    ----------
    directory : str or Path
        The demo province directory (or any directory laid out the same way).

    Returns
    -------
    list of Enterprise
        With their rosters as :class:`Worker` objects (``worker_id`` = ``employee_id``); an enterprise without
        a roster file has an empty roster.

    Raises
    ------
    UserError
        On a missing file or column, or a bad cell (file, row, column).
    """
    directory = Path(directory)
    out = []
    for n, v in _read_csv(directory / "enterprises.csv", ("enterprise_id", "name", "city", "industry")):
        enterprise_id = v["enterprise_id"]
        if not enterprise_id:
            raise UserError(f"enterprises.csv row {n}, column enterprise_id: the cell is empty: a value is required")
        roster_path = directory / "rosters" / f"{enterprise_id}.csv"
        roster: tuple[Worker, ...] = ()
        if roster_path.is_file():
            problems = _Problems(f"rosters/{roster_path.name}")
            rows = _read_csv(roster_path, ("employee_id", "job_title"))
            roster = tuple(_person(k, r, "employee_id", v.get("province", ""), problems) for k, r in rows)
            problems.raise_if_any()
        out.append(Enterprise(enterprise_id, v["name"], v["city"], v["industry"], roster))
    return out


def load_target_roles(directory: str | Path) -> dict[str, str]:
    """``enterprise_id`` → the 大典 code the enterprise wants a training class for (only those that said)."""
    rows = _read_csv(Path(directory) / "enterprises.csv", ("enterprise_id",))
    return {v["enterprise_id"]: v.get("target_role", "") for _, v in rows if v.get("target_role")}


def load_roster_roles(directory: str | Path) -> dict[str, dict[str, str]]:
    """``enterprise_id`` → {``employee_id`` → ``role_code``}: the generating occupations (for evaluation only)."""
    directory = Path(directory)
    out: dict[str, dict[str, str]] = {}
    for _, v in _read_csv(directory / "enterprises.csv", ("enterprise_id",)):
        path = directory / "rosters" / f"{v['enterprise_id']}.csv"
        if path.is_file():
            out[v["enterprise_id"]] = {r["employee_id"]: r.get("role_code", "") for _, r in
                                       _read_csv(path, ("employee_id", "role_code"))}
    return out
