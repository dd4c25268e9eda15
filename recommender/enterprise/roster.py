"""An enterprise's staff roster: imported from CSV or Excel, validated in one pass, employee ids pseudonymised.

Columns (English or Chinese headers; only ``employee_id`` and ``job_title`` are required; other columns are
ignored):

===============  =========================  ===========================================================
column           Chinese headers accepted   holds
===============  =========================  ===========================================================
employee_id      工号, 员工编号, 员工号      the enterprise's own id of the employee (pseudonymised on import)
job_title        岗位, 岗位名称, 职位, 工种    the job as HR writes it (仓管员, 叉车司机)
duties           工作内容, 岗位职责, 职责     what the job involves, free text
education        学历, 最高学历              highest education (高中, 中专, 大专, 本科 …; English accepted)
city             城市, 工作城市, 所在城市     where the employee works (default: the enterprise's city)
certificates     证书, 持有证书, 职业资格证书  certificates held, separated by ``;`` ``；`` ``、`` or ``|``
===============  =========================  ===========================================================

Files are read with the catalog loader's readers (:mod:`recommender.catalog.loader`): CSV in UTF-8, UTF-8 with
BOM or GB18030/GBK, ``.xlsx`` (first sheet, or a sheet called ``roster``), ``.parquet``; cells are stripped of
surrounding spaces (ideographic and zero-width ones too). Every problem (empty file, missing required column,
duplicate employee id, empty job title, unknown education) is collected with its row and column and raised at
once as a :class:`RosterError`; nothing is returned half-loaded.

Pseudonyms: ``P-`` + the first 16 hex digits of HMAC-SHA256(key, enterprise id + employee id). The key is the
``key`` argument, else the secret in the environment variable ``RECOMMENDER_PSEUDONYM_KEY``, else a random salt
drawn for this import (pseudonyms then stay stable within the import only). With a key, an enterprise recomputes
an employee's pseudonym itself with :func:`pseudonymise`; the mapping is held in memory only and never written.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from recommender.catalog.loader import Problem, _nfkc, _parse_cell, _read_table
from recommender.catalog.model import EDUCATION_LEVELS, Enterprise, Worker
from recommender.catalog.schema import Column
from recommender.errors import UserError
from recommender.rules.eligibility import EligibilityError, normalize_education

__all__ = [
    "PSEUDONYM_KEY_ENV",
    "ROSTER_COLUMNS",
    "Roster",
    "RosterError",
    "RosterMember",
    "load_roster",
    "pseudonymise",
    "roster_from_workers",
]

PSEUDONYM_KEY_ENV = "RECOMMENDER_PSEUDONYM_KEY"
ROSTER_COLUMNS = ("employee_id", "job_title", "duties", "education", "city", "certificates")
REQUIRED_COLUMNS = ("employee_id", "job_title")
ROSTER_SUFFIXES = (".csv", ".xlsx", ".parquet")
# Header spellings → column; compared after NFKC, lower-casing and dropping spaces, '_' and '-'.
HEADER_ALIASES: dict[str, str] = {
    "employeeid": "employee_id", "工号": "employee_id", "员工编号": "employee_id", "员工号": "employee_id",
    "职工编号": "employee_id", "staffid": "employee_id", "id": "employee_id",
    "jobtitle": "job_title", "岗位": "job_title", "岗位名称": "job_title", "职位": "job_title", "工种": "job_title",
    "title": "job_title", "job": "job_title",
    "duties": "duties", "工作内容": "duties", "岗位职责": "duties", "职责": "duties", "工作职责": "duties",
    "education": "education", "学历": "education", "最高学历": "education", "文化程度": "education",
    "city": "city", "城市": "city", "工作城市": "city", "所在城市": "city", "工作地点": "city",
    "certificates": "certificates", "证书": "certificates", "持有证书": "certificates",
    "职业资格证书": "certificates", "资格证书": "certificates",
}
_LIST = Column("certificates", "list", required=False)


class RosterError(UserError):
    """A roster that cannot be imported; ``problems`` lists everything wrong with it (row and column each)."""

    def __init__(self, source: str, problems: Iterable[Problem]):
        self.source = source
        self.problems: list[Problem] = list(problems)
        super().__init__(source, self.problems)

    def __str__(self) -> str:
        n = len(self.problems)
        lines = [f"roster {self.source} has {n} problem{'s' if n != 1 else ''}; nothing was imported:"]
        lines += [f"  - {p}" for p in self.problems[:50]]
        if n > 50:
            lines.append(f"  - ... and {n - 50} more")
        return "\n".join(lines)


@dataclass(frozen=True)
class RosterMember:
    """One employee: the pseudonym stands in for the employee id everywhere downstream.

    ``worker.worker_id`` is the pseudonym; ``worker.education`` is one of ``EDUCATION_LEVELS`` or ``""`` when the
    roster did not say (``education_known`` false).
    """

    pseudonym: str
    row: int  # the spreadsheet row it came from (header = 1); 0 when built from objects
    worker: Worker

    @property
    def education_known(self) -> bool:
        return bool(self.worker.education)


@dataclass(frozen=True)
class Roster:
    """A validated, pseudonymised roster of one enterprise."""

    enterprise_id: str
    city: str
    members: tuple[RosterMember, ...]
    source: str = ""
    name: str = ""
    keyed: bool = False  # pseudonyms from a stable key (argument or environment), not a one-off salt

    def __len__(self) -> int:
        return len(self.members)

    @property
    def workers(self) -> list[Worker]:
        return [m.worker for m in self.members]


def pseudonymise(employee_id: str, enterprise_id: str, key: bytes | str) -> str:
    """The pseudonym of an employee: ``P-`` + 16 hex digits of HMAC-SHA256(key, enterprise id ␟ employee id).

    Examples
    --------
    >>> pseudonymise("0001", "E01", "secret")
    'P-e07b3e2d94c9dc7e'
    """
    secret = key.encode("utf-8") if isinstance(key, str) else bytes(key)
    message = f"{enterprise_id}\x1f{employee_id}".encode()
    return "P-" + hmac.new(secret, message, hashlib.sha256).hexdigest()[:16]


def _resolve_key(key: bytes | str | None) -> tuple[bytes, bool]:
    if key:
        return (key.encode("utf-8") if isinstance(key, str) else bytes(key)), True
    env = os.environ.get(PSEUDONYM_KEY_ENV, "")
    if env:
        return env.encode("utf-8"), True
    return secrets.token_bytes(32), False


def _header_key(name: str) -> str:
    return "".join(ch for ch in _nfkc(name).lower() if ch not in " _-")


def _column_index(header: list[str], file: str, problems: list[Problem]) -> dict[str, int]:
    index: dict[str, int] = {}
    for i, name in enumerate(header):
        column = HEADER_ALIASES.get(_header_key(name)) if name else None
        if column is None:
            continue
        if column in index:
            problems.append(Problem(file, 1, name, f"a second column for {column} (already given by "
                                                   f"'{header[index[column]]}'): keep one"))
            continue
        index[column] = i
    found = ", ".join(h for h in header if h) or "none"
    for column in REQUIRED_COLUMNS:
        if column not in index:
            problems.append(Problem(file, None, column, f"the required column is missing (found: {found}; "
                                                        f"accepted headers: {_accepted(column)})"))
    return index


def _accepted(column: str) -> str:
    names = [column] + [k for k, v in HEADER_ALIASES.items() if v == column and not k.isascii()]
    return ", ".join(names)


def load_roster(path: str | Path, *, enterprise_id: str | None = None, city: str = "", name: str = "",
                key: bytes | str | None = None) -> Roster:
    """Import and validate a roster file, pseudonymising the employee ids.

    Parameters
    ----------
    path : str or Path
        A ``.csv`` (UTF-8, UTF-8 with BOM, GB18030), ``.xlsx`` or ``.parquet`` file (columns: module docstring).
    enterprise_id : str, optional
        The enterprise's id, part of every pseudonym; defaults to the file's stem (``E01`` for ``E01.csv``).
    city : str
        The enterprise's city: the city of employees whose row leaves it empty.
    name : str
        The enterprise's name, for display.
    key : bytes or str, optional
        The pseudonymisation secret; defaults to ``$RECOMMENDER_PSEUDONYM_KEY``, else a one-off random salt.

    Returns
    -------
    Roster

    Raises
    ------
    RosterError
        Listing every problem (row, column, reason); nothing is returned half-loaded.

    Examples
    --------
    >>> roster = load_roster("var/demo/rosters/E02.csv", city="苏州市")  # doctest: +SKIP
    >>> roster.members[0].worker.job_title  # doctest: +SKIP
    '装卸工'
    """
    path = Path(path)
    if not path.is_file():
        raise UserError(f"no roster file at {path}")
    if path.suffix.lower() not in ROSTER_SUFFIXES:
        raise UserError(f"{path.name}: a roster must be a {', '.join(ROSTER_SUFFIXES)} file")
    problems: list[Problem] = []
    raw = _read_table(path, "roster", problems)
    if raw is None:
        raise RosterError(path.name, problems)
    index = _column_index(raw.header, raw.file, problems)
    if not raw.rows:
        problems.append(Problem(raw.file, None, None, "no employees: the roster has a header but no data rows"))
    if problems and any(p.row is None for p in problems):
        raise RosterError(path.name, problems)
    enterprise_id = enterprise_id or path.stem
    secret, keyed = _resolve_key(key)
    members: list[RosterMember] = []
    first_row: dict[str, int] = {}
    for row_number, cells in raw.rows:
        if row_number in raw.malformed:
            continue  # its own problem is reported; its cells are probably shifted

        def cell(column: str, cells=cells) -> str:
            i = index.get(column)
            return cells[i] if i is not None else ""

        employee_id = _nfkc(cell("employee_id"))
        if not employee_id:
            problems.append(Problem(raw.file, row_number, "employee_id", "the cell is empty: a value is required"))
        elif employee_id in first_row:
            problems.append(Problem(raw.file, row_number, "employee_id",
                                    f"duplicate employee id (first at row {first_row[employee_id]})"))
        else:
            first_row[employee_id] = row_number
        title = cell("job_title")
        if not title:
            problems.append(Problem(raw.file, row_number, "job_title", "the cell is empty: a job title is required"))
        education = ""
        if cell("education"):
            try:
                education = normalize_education(cell("education"))
            except EligibilityError:
                problems.append(Problem(raw.file, row_number, "education",
                                        f"unknown education '{cell('education')}': write one of "
                                        f"{', '.join(EDUCATION_LEVELS)} (大专, 中职, 硕士 … are accepted too)"))
        certificates = _parse_cell(_LIST, cell("certificates")) if cell("certificates") else ()
        if problems:
            continue  # keep collecting problems; build nothing more
        pseudonym = pseudonymise(employee_id, enterprise_id, secret)
        members.append(RosterMember(pseudonym, row_number, Worker(
            worker_id=pseudonym, job_title=title, duties=cell("duties"), education=education,
            city=cell("city") or city, certificates=tuple(certificates))))
    if problems:
        problems.sort(key=lambda p: -1 if p.row is None else p.row)
        raise RosterError(path.name, problems)
    _check_unique(members, path.name)
    return Roster(enterprise_id, city, tuple(members), str(path), name, keyed)


def _check_unique(members: Sequence[RosterMember], source: str) -> None:
    seen: dict[str, int] = {}
    for m in members:
        if m.pseudonym in seen:  # 64-bit collision: astronomically unlikely, never silent
            raise RosterError(source, [Problem(source, m.row, "employee_id",
                                               f"pseudonym collision with row {seen[m.pseudonym]}; "
                                               "import again with another key")])
        seen[m.pseudonym] = m.row


def roster_from_workers(workers: Sequence[Worker] | Enterprise, *, enterprise_id: str = "", city: str = "",
                        name: str = "", key: bytes | str | None = None) -> Roster:
    """A roster from :class:`Worker` objects (``worker_id`` = the employee id) or an :class:`Enterprise`.

    The same checks as :func:`load_roster` (empty, duplicate ids, empty titles, unknown education), reported
    with the position in the sequence as ``row`` (first worker = row 2, as in a file with a header).
    """
    if isinstance(workers, Enterprise):
        enterprise_id = enterprise_id or workers.enterprise_id
        city = city or workers.city
        name = name or workers.name
        workers = workers.roster
    source = f"enterprise {enterprise_id or '(unnamed)'}"
    problems: list[Problem] = []
    if not workers:
        problems.append(Problem(source, None, None, "no employees: the roster is empty"))
    secret, keyed = _resolve_key(key)
    members, first_row = [], {}
    for row, w in enumerate(workers, start=2):
        if not w.worker_id:
            problems.append(Problem(source, row, "employee_id", "the employee id is empty"))
        elif w.worker_id in first_row:
            problems.append(Problem(source, row, "employee_id",
                                    f"duplicate employee id (first at row {first_row[w.worker_id]})"))
        else:
            first_row[w.worker_id] = row
        if not w.job_title.strip():
            problems.append(Problem(source, row, "job_title", "the job title is empty"))
        education = ""
        if w.education:
            try:
                education = normalize_education(w.education)
            except EligibilityError:
                problems.append(Problem(source, row, "education", f"unknown education '{w.education}'"))
        pseudonym = pseudonymise(w.worker_id, enterprise_id, secret)
        members.append(RosterMember(pseudonym, row, replace(w, worker_id=pseudonym, education=education,
                                                            city=w.city or city)))
    if problems:
        raise RosterError(source, problems)
    _check_unique(members, source)
    return Roster(enterprise_id, city, tuple(members), source, name, keyed)
