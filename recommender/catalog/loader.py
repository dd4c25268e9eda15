"""Read a catalog directory, validating every table in one pass; write one atomically.

The format is described by :mod:`recommender.catalog.schema`. :func:`load_catalog` reads every table
(``.csv`` in UTF-8, UTF-8 with BOM or GB18030/GBK, ``.parquet`` or ``.xlsx``), checks cells, keys, codes and
cross-table references, collects *every* problem and raises one :class:`CatalogError` listing them all; a
:class:`~recommender.catalog.catalog.Catalog` is returned only when the whole directory is valid, so a
half-loaded catalog is never served. :func:`write_catalog` writes a directory as UTF-8 CSV into a temporary
sibling, optionally validates it with :func:`load_catalog`, then swaps it into place.

Cell normalisation (what a spreadsheet from a college office needs):

- every cell is read as text (codes keep their leading zeros) and stripped of surrounding spaces, including
  the ideographic space U+3000, no-break and zero-width spaces;
- codes, numbers, booleans, dates and closed-vocabulary values are NFKC-normalised
  (``４６０３０６`` → ``460306``);
- list cells are split on ``;`` ``；`` ``、`` ``|`` (and full-width ``｜``); other text is kept as written.
"""

from __future__ import annotations

import csv
import io
import math
import os
import re
import shutil
import unicodedata
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, is_dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from recommender.catalog.catalog import Catalog
from recommender.catalog.model import College, Course, Major, MajorOccupation, Occupation, Program
from recommender.catalog.schema import FILE_SUFFIXES, LIST_SEPARATOR, TABLES, TABLES_BY_NAME, Column, Table
from recommender.errors import UserError
from recommender.files import swap_directory

__all__ = ["CatalogError", "Problem", "catalog_tables", "load_catalog", "write_catalog"]

# Tables that are useless without rows; the others may hold just a header (an English-only catalog has no
# colleges and no links, a catalog of the national lists has no programs).
TABLES_NEEDING_ROWS = ("majors", "occupations")

ROW_TYPES: dict[str, type] = {
    "colleges": College,
    "occupations": Occupation,
    "majors": Major,
    "major_occupations": MajorOccupation,
    "programs": Program,
    "courses": Course,
}

# Separators accepted between list items on input; LIST_SEPARATOR (";") is what we write.
LIST_SEPARATORS = ";；、|｜"
_LIST_SPLIT = re.compile(f"[{re.escape(LIST_SEPARATORS)}]")
_EDGE_SPACE = re.compile(r"^[\s\u200b\u200c\u200d\u2060\ufeff]+|[\s\u200b\u200c\u200d\u2060\ufeff]+$")

_TRUE = {"true", "t", "yes", "y", "1", "是", "对", "真"}
_FALSE = {"false", "f", "no", "n", "0", "否", "错", "假"}
_INT = re.compile(r"[+-]?\d+")
_INT_THOUSANDS = re.compile(r"[+-]?\d{1,3}(,\d{3})+")
_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")

# Code formats per taxonomy (schema.Column "code" columns that identify an occupation or a major).
CODE_FORMATS: dict[str, tuple[re.Pattern[str], str]] = {
    "dadian2022": (re.compile(r"\d-\d{2}-\d{2}-\d{2}"), "a 大典 2022 code like 4-12-01-01"),
    "soc2018": (re.compile(r"\d{2}-\d{4}(\.\d{2})?"), "an SOC code like 49-3023 or 49-3023.00"),
    # MOE major codes: six digits; the official catalogs suffix T (特设) and K (国家控制布点) to some, and the
    # 外国语言文学类 of the undergraduate catalog runs past 99 (0502100T).
    "moe-vocational": (re.compile(r"\d{6}(T|K|TK)?"), "a six-digit MOE major code like 460306 or 520101K"),
    "moe-undergraduate": (
        re.compile(r"\d{6,7}(T|K|TK)?"),
        "an MOE undergraduate major code like 080901, 080910T or 0502100T",
    ),
    "cip2020": (re.compile(r"\d{2}\.\d{4}"), "a CIP 2020 code like 01.0101"),
}
DEFAULT_TAXONOMY = {"occupations": "dadian2022", "majors": "moe-vocational"}


# ----------------------------------------------------------------------------------------------- problems
@dataclass(frozen=True)
class Problem:
    """One thing wrong in a catalog directory.

    Attributes
    ----------
    file : str
        The file's name inside the directory (``majors.csv``).
    row : int or None
        The row as a spreadsheet shows it: the header is row 1, the first data row is row 2. ``None`` for a
        problem with the whole file or its header.
    column : str or None
        The column concerned, when there is one.
    reason : str
        What is wrong and, where it helps, what is expected.
    """

    file: str
    row: int | None
    column: str | None
    reason: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f" row {self.row}"
        if self.column is not None:
            where += f", column {self.column}"
        return f"{where}: {self.reason}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class CatalogError(UserError):
    """A catalog directory that cannot be loaded; ``problems`` lists everything wrong with it."""

    def __init__(self, directory: str | Path, problems: Iterable[Problem]):
        self.directory = str(directory)
        self.problems: list[Problem] = list(problems)
        super().__init__(self.directory, self.problems)

    def __str__(self) -> str:
        n = len(self.problems)
        lines = [f"catalog {self.directory} has {n} problem{'s' if n != 1 else ''}; nothing was loaded:"]
        lines += [f"  - {p}" for p in self.problems]
        return "\n".join(lines)


# ----------------------------------------------------------------------------------------- reading files
@dataclass
class _RawTable:
    file: str
    header: list[str]  # normalised column names, in file order
    rows: list[tuple[int, list[str]]]  # (spreadsheet row number, stripped cells aligned with header)
    malformed: set[int] = field(default_factory=set)  # rows with more cells than the header: keys only


def _strip(text: str) -> str:
    return _EDGE_SPACE.sub("", text)


def _nfkc(text: str) -> str:
    return _strip(unicodedata.normalize("NFKC", text))


def _norm_header(name: str) -> str:
    return _nfkc(name).lower()


def _cell_text(value: Any) -> str:
    """A cell of a parquet or xlsx file as the text a CSV would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return LIST_SEPARATOR.join(_cell_text(v) for v in value)
    return str(value)


def decode_text(data: bytes) -> str | None:
    """UTF-8 (with or without BOM) first, strictly; then GB18030 (a superset of GBK and GB2312)."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _records_to_raw(
    file: str, records: list[tuple[int, list[str]]], problems: list[Problem]
) -> _RawTable | None:
    """Turn (row number, cells) records into a table: first non-blank record is the header."""
    records = [(n, [_strip(c) for c in cells]) for n, cells in records]
    nonblank = [(n, cells) for n, cells in records if any(cells)]
    if not nonblank:
        problems.append(
            Problem(file, None, None, "the file is empty: expected a header row naming the columns")
        )
        return None
    header_row, header_cells = nonblank[0]
    header = [_norm_header(h) for h in header_cells]
    while header and not header[-1]:
        header.pop()
    seen: set[str] = set()
    for name in header:
        if name and name in seen:
            problems.append(Problem(file, header_row, name, "the column appears twice in the header"))
        seen.add(name)
    rows: list[tuple[int, list[str]]] = []
    malformed: set[int] = set()
    for n, cells in nonblank[1:]:
        if len(cells) > len(header):
            if any(cells[len(header) :]):
                problems.append(
                    Problem(
                        file,
                        n,
                        None,
                        f"the row has {len(cells)} cells but the header has {len(header)} columns "
                        "(a value holding a comma must be quoted)",
                    )
                )
                malformed.add(n)
            cells = cells[: len(header)]
        rows.append((n, cells + [""] * (len(header) - len(cells))))
    return _RawTable(file, header, rows, malformed)


def _read_csv(path: Path, problems: list[Problem]) -> _RawTable | None:
    text = decode_text(path.read_bytes())
    if text is None:
        problems.append(
            Problem(
                path.name,
                None,
                None,
                "cannot decode the file as UTF-8 or GB18030/GBK; save it as CSV UTF-8",
            )
        )
        return None
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records: list[tuple[int, list[str]]] = []
    try:
        for i, cells in enumerate(reader):
            records.append((i + 1, cells))
    except csv.Error as exc:
        problems.append(
            Problem(path.name, len(records) + 1, None, f"malformed CSV near line {reader.line_num}: {exc}")
        )
        return None
    return _records_to_raw(path.name, records, problems)


def _read_xlsx(path: Path, problems: list[Problem], table: str) -> _RawTable | None:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a damaged file
        problems.append(Problem(path.name, None, None, f"cannot read the workbook: {exc}"))
        return None
    try:
        sheet = workbook[table] if table in workbook.sheetnames else workbook.worksheets[0]
        records = [
            (i + 1, [_cell_text(v) for v in values])
            for i, values in enumerate(sheet.iter_rows(values_only=True))
        ]
    finally:
        workbook.close()
    return _records_to_raw(path.name, records, problems)


def _read_parquet(path: Path, problems: list[Problem]) -> _RawTable | None:
    import pyarrow.parquet as pq

    try:
        data = pq.read_table(path)
    except Exception as exc:  # noqa: BLE001 - pyarrow raises ArrowInvalid, OSError, ...
        problems.append(Problem(path.name, None, None, f"cannot read the parquet file: {exc}"))
        return None
    columns = [[_cell_text(v) for v in data.column(i).to_pylist()] for i in range(data.num_columns)]
    records = [(1, list(data.column_names))]
    records += [(i + 2, [col[i] for col in columns]) for i in range(data.num_rows)]
    return _records_to_raw(path.name, records, problems)


def _read_table(path: Path, table: str, problems: list[Problem]) -> _RawTable | None:
    if path.stat().st_size == 0:
        problems.append(
            Problem(path.name, None, None, "the file is empty: expected a header row naming the columns")
        )
        return None
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _read_csv(path, problems)
    if suffix == ".xlsx":
        return _read_xlsx(path, problems, table)
    return _read_parquet(path, problems)


# ---------------------------------------------------------------------------------------- checking cells
class _Bad(ValueError):
    """A cell that does not parse; the message is the Problem's reason."""


def _parse_int(text: str) -> int:
    t = _nfkc(text)
    if _INT_THOUSANDS.fullmatch(t):
        t = t.replace(",", "")
    if _INT.fullmatch(t):
        return int(t)
    try:
        f = float(t)
    except ValueError:
        f = math.nan
    if math.isfinite(f) and f.is_integer():
        return int(f)
    raise _Bad(f"'{text}' is not a whole number")


def _parse_float(text: str) -> float:
    t = _nfkc(text)
    if _INT_THOUSANDS.fullmatch(t):
        t = t.replace(",", "")
    try:
        f = float(t)
    except ValueError:
        raise _Bad(f"'{text}' is not a number") from None
    if not math.isfinite(f):
        raise _Bad(f"'{text}' is not a number")
    return f


def _parse_bool(text: str) -> bool:
    t = _nfkc(text).lower()
    if t in _TRUE:
        return True
    if t in _FALSE:
        return False
    raise _Bad(f"'{text}' is not a yes/no value (write true or false)")


def _parse_date(text: str) -> str:
    t = _nfkc(text)
    m = _DATE.fullmatch(t) or re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})[T ][\d:.]+", t)
    if m:
        try:
            return date(int(m[1]), int(m[2]), int(m[3])).isoformat()
        except ValueError:
            pass
    raise _Bad(f"'{text}' is not a date (write YYYY-MM-DD, e.g. 2026-03-01)")


def _one_of(value: str, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise _Bad(f"'{value}' is not one of {', '.join(choices)}")
    return value


def _parse_cell(column: Column, text: str) -> Any:
    """The typed value of a non-empty, stripped cell; raises _Bad with the reason."""
    kind = column.kind
    if kind == "list":
        items = [_strip(item) for item in _LIST_SPLIT.split(text)]
        items = list(dict.fromkeys(i for i in items if i))
        if column.choices:
            items = [_one_of(unicodedata.normalize("NFKC", i), column.choices) for i in items]
        return tuple(items)
    if kind == "int":
        return _parse_int(text)
    if kind == "float":
        return _parse_float(text)
    if kind == "bool":
        return _parse_bool(text)
    if kind == "date":
        return _parse_date(text)
    if kind == "code" or column.choices:
        value = _nfkc(text)
        return _one_of(value, column.choices) if column.choices else value
    return text


def _check_rows(
    table: Table, raw: _RawTable, problems: list[Problem], failed: set[tuple[int, str]]
) -> list[tuple[int, dict[str, Any]]]:
    """Typed rows (``None`` for an empty cell, a failed cell, or a column absent from the file).

    ``failed`` collects the (row, column) of every cell that did not parse.
    """
    index: dict[str, int] = {}
    for i, name in enumerate(raw.header):
        if name:
            index.setdefault(name, i)
    for col in table.columns:
        if col.required and col.name not in index:
            found = ", ".join(h for h in raw.header if h) or "none"
            problems.append(
                Problem(raw.file, None, col.name, f"the required column is missing (found: {found})")
            )
    if table.name in TABLES_NEEDING_ROWS and not raw.rows:
        problems.append(
            Problem(raw.file, None, None, f"no data rows: the {table.name} table needs at least one row")
        )
    out: list[tuple[int, dict[str, Any]]] = []
    for row_number, cells in raw.rows:
        values: dict[str, Any] = {}
        for col in table.columns:
            i = index.get(col.name)
            text = cells[i] if i is not None else ""
            if row_number in raw.malformed:
                # Its cells are probably shifted: keep only the key, so the row still counts as present
                # for references and duplicates, and report nothing more than the row's own problem.
                try:
                    values[col.name] = _parse_cell(col, text) if text and col.name in table.key else None
                except _Bad:
                    values[col.name] = None
                continue
            if not text:
                if col.nonempty and i is not None:
                    problems.append(
                        Problem(raw.file, row_number, col.name, "the cell is empty: a value is required")
                    )
                values[col.name] = None
                continue
            try:
                value = _parse_cell(col, text)
                if col.kind == "list" and col.nonempty and not value:
                    raise _Bad(f"'{text}' holds no item: a value is required")
                values[col.name] = value
            except _Bad as exc:
                problems.append(Problem(raw.file, row_number, col.name, str(exc)))
                failed.add((row_number, col.name))
                values[col.name] = None
        out.append((row_number, values))
    return out


def _check_codes(
    table: Table, file: str, rows, problems: list[Problem], failed: set[tuple[int, str]]
) -> None:
    """Code formats by taxonomy, value ranges, duplicate keys."""
    code_column = {"occupations": "occupation_code", "majors": "major_code"}.get(table.name)
    seen: dict[tuple, int] = {}
    for row_number, values in rows:
        # A row whose taxonomy cell is bad has an unknown code format: its taxonomy problem is enough.
        if code_column and values[code_column] is not None and (row_number, "taxonomy") not in failed:
            taxonomy = values["taxonomy"] or DEFAULT_TAXONOMY[table.name]
            if taxonomy in CODE_FORMATS:
                pattern, expected = CODE_FORMATS[taxonomy]
                code = values[code_column]
                if not pattern.fullmatch(code):
                    hint = ""
                    if taxonomy.startswith("moe-") and code.isdigit() and len(code) < 6:
                        hint = (
                            " (a spreadsheet may have dropped its leading zeros: format the column as text)"
                        )
                    problems.append(
                        Problem(
                            file,
                            row_number,
                            code_column,
                            f"'{code}' is not {expected} (taxonomy {taxonomy}){hint}",
                        )
                    )
        if table.name == "occupations":
            soc = values.get("soc_code")
            if soc and not CODE_FORMATS["soc2018"][0].fullmatch(soc):
                problems.append(
                    Problem(file, row_number, "soc_code", f"'{soc}' is not {CODE_FORMATS['soc2018'][1]}")
                )
            level = values.get("level")
            if level is not None and not 1 <= level <= 4:
                problems.append(
                    Problem(file, row_number, "level", f"{level} is not an occupation level 1 to 4")
                )
        if table.name == "programs":
            if values["years"] is not None and values["years"] <= 0:
                problems.append(
                    Problem(file, row_number, "years", f"{values['years']:g} years: must be more than 0")
                )
            if values["tuition_per_year"] is not None and values["tuition_per_year"] < 0:
                problems.append(Problem(file, row_number, "tuition_per_year", "tuition cannot be negative"))
            start, end = values.get("enrolment_start"), values.get("enrolment_end")
            if start and end and end < start:
                problems.append(
                    Problem(file, row_number, "enrolment_end", f"{end} is before enrolment_start {start}")
                )
        if table.name == "courses" and values.get("credits") is not None and values["credits"] < 0:
            problems.append(Problem(file, row_number, "credits", "credits cannot be negative"))
        key = tuple(values[k] for k in table.key)
        if any(k is None for k in key):
            continue
        if key in seen:
            shown = ", ".join(f"{k} '{v}'" for k, v in zip(table.key, key))
            problems.append(
                Problem(file, row_number, table.key[-1], f"duplicate key {shown} (first at row {seen[key]})")
            )
        else:
            seen[key] = row_number


# ------------------------------------------------------------------------------------ cross-table checks
def _check_references(
    rows: dict[str, list], files: dict[str, str], broken: set[str], problems: list[Problem]
):
    """Links between tables. A table whose file could not be read at all is skipped as a reference target:
    its own problem is already reported, and repeating it for every referring row would bury it."""

    def keys(table: str, column: str) -> dict[str, dict[str, Any]]:
        return {v[column]: v for _, v in rows.get(table, []) if v[column] is not None}

    colleges = keys("colleges", "college_id")
    majors = keys("majors", "major_code")
    occupations = keys("occupations", "occupation_code")
    programs = keys("programs", "program_id")

    def ref(table: str, row_number: int, column: str, value, target: dict, target_table: str) -> bool:
        if value is None or target_table in broken:
            return value is not None and value in target
        if value not in target:
            problems.append(
                Problem(
                    files[table],
                    row_number,
                    column,
                    f"unknown {column} '{value}': no such row in {files.get(target_table, target_table)}",
                )
            )
            return False
        return True

    for row_number, v in rows.get("major_occupations", []):
        ref("major_occupations", row_number, "major_code", v["major_code"], majors, "majors")
        ref(
            "major_occupations",
            row_number,
            "occupation_code",
            v["occupation_code"],
            occupations,
            "occupations",
        )
    for row_number, v in rows.get("programs", []):
        ref("programs", row_number, "college_id", v["college_id"], colleges, "colleges")
        if ref("programs", row_number, "major_code", v["major_code"], majors, "majors"):
            major_level = majors[v["major_code"]]["level"]
            if v["level"] is not None and major_level is not None and v["level"] != major_level:
                problems.append(
                    Problem(
                        files["programs"],
                        row_number,
                        "level",
                        f"level '{v['level']}' differs from the level of major {v['major_code']} "
                        f"('{major_level}')",
                    )
                )
    for row_number, v in rows.get("courses", []):
        ref("courses", row_number, "major_code", v["major_code"], majors, "majors")
        if v.get("program_id") and ref(
            "courses", row_number, "program_id", v["program_id"], programs, "programs"
        ):
            program_major = programs[v["program_id"]]["major_code"]
            if v["major_code"] is not None and program_major is not None and v["major_code"] != program_major:
                problems.append(
                    Problem(
                        files["courses"],
                        row_number,
                        "major_code",
                        f"major_code '{v['major_code']}' differs from the major of program {v['program_id']} "
                        f"('{program_major}')",
                    )
                )


# ------------------------------------------------------------------------------------------- the loader
def _find_files(directory: Path, problems: list[Problem]) -> dict[str, Path]:
    found: dict[str, Path] = {}
    for table in TABLES:
        candidates = [
            p
            for p in sorted(directory.iterdir())
            if p.is_file() and p.stem == table.name and p.suffix.lower() in FILE_SUFFIXES
        ]
        if len(candidates) > 1:
            problems.append(
                Problem(
                    candidates[0].name,
                    None,
                    None,
                    f"several files hold the {table.name} table "
                    f"({', '.join(p.name for p in candidates)}): keep one",
                )
            )
        elif candidates:
            found[table.name] = candidates[0]
        elif table.required:
            problems.append(
                Problem(
                    f"{table.name}.csv",
                    None,
                    None,
                    f"the required table {table.name} is missing: add {table.name}.csv, .parquet or .xlsx",
                )
            )
    return found


def _build(table: Table, values: dict[str, Any]):
    kwargs = {}
    for col in table.columns:
        value = values[col.name]
        if col.kind == "list":
            kwargs[col.name] = value or ()
        elif value is not None:
            kwargs[col.name] = value
    return ROW_TYPES[table.name](**kwargs)


def load_catalog(directory: str | Path) -> Catalog:
    """Load and validate a catalog directory.

    Parameters
    ----------
    directory : str or Path
        A directory holding one file per table of :data:`recommender.catalog.schema.TABLES`
        (``colleges.csv``, ``majors.xlsx``, ``occupations.parquet``, ...). Optional tables may be absent;
        columns the schema does not know are ignored.

    Returns
    -------
    Catalog
        Every table, as domain objects, with ``source`` set to the directory.

    Raises
    ------
    CatalogError
        With every problem found (file, row, column, reason); nothing is returned, so nothing half-loaded.

    Examples
    --------
    >>> catalog = load_catalog("catalogs/jiangsu")  # doctest: +SKIP
    >>> catalog.stats()["majors_per_level"]  # doctest: +SKIP
    {'高职专科': 754, '中职': 368, '职教本科': 321}
    """
    directory = Path(directory)
    if not directory.is_dir():
        reason = "is not a directory" if directory.exists() else "does not exist"
        raise CatalogError(
            directory, [Problem(str(directory), None, None, f"the catalog directory {reason}")]
        )
    problems: list[Problem] = []
    paths = _find_files(directory, problems)
    rows: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    files = {t.name: paths[t.name].name if t.name in paths else f"{t.name}.csv" for t in TABLES}
    broken = {t.name for t in TABLES if t.required and t.name not in paths}
    for table in TABLES:
        if table.name not in paths:
            continue
        raw = _read_table(paths[table.name], table.name, problems)
        if raw is None:
            broken.add(table.name)
            continue
        failed: set[tuple[int, str]] = set()
        typed = _check_rows(table, raw, problems, failed)
        if any(c.required and c.name not in raw.header for c in table.columns) or (
            table.name in TABLES_NEEDING_ROWS and not raw.rows
        ):
            broken.add(table.name)  # not a usable reference target: its own problem says why
        _check_codes(table, raw.file, typed, problems, failed)
        rows[table.name] = typed
    _check_references(rows, files, broken, problems)
    if problems:
        rank = {f"{t.name}{s}": i for i, t in enumerate(TABLES) for s in FILE_SUFFIXES}
        problems.sort(key=lambda p: (rank.get(p.file, len(TABLES)), -1 if p.row is None else p.row))
        raise CatalogError(directory, problems)
    built = {
        name: [_build(TABLES_BY_NAME[name], v) for _, v in table_rows] for name, table_rows in rows.items()
    }
    return Catalog(
        colleges={c.college_id: c for c in built.get("colleges", [])},
        occupations={o.occupation_code: o for o in built.get("occupations", [])},
        majors={m.major_code: m for m in built.get("majors", [])},
        major_occupations=tuple(built.get("major_occupations", [])),
        programs={p.program_id: p for p in built.get("programs", [])},
        courses={c.course_id: c for c in built.get("courses", [])},
        source=str(directory),
    )


# ------------------------------------------------------------------------------------------- the writer
TableRows = Iterable[object]  # dataclass objects of recommender.catalog.model, or a pandas DataFrame


def catalog_tables(catalog: Catalog) -> dict[str, list[object]]:
    """The rows of every table of a Catalog, by table name (the shape :func:`write_catalog` also accepts)."""
    return {
        "colleges": list(catalog.colleges.values()),
        "occupations": list(catalog.occupations.values()),
        "majors": list(catalog.majors.values()),
        "major_occupations": list(catalog.major_occupations),
        "programs": list(catalog.programs.values()),
        "courses": list(catalog.courses.values()),
    }


def _is_missing(value: Any) -> bool:
    """None, NaN, or pandas' NA/NaT (checked by type name: the loader does not import pandas)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return True
    return type(value).__name__ in ("NAType", "NaTType")


def _format_value(table: Table, column: Column, value: Any, where: str) -> str:
    if _is_missing(value):
        return ""
    if column.kind == "list":
        if isinstance(value, str):
            value = [value] if value else []
        items = [str(v) for v in value]
        for item in items:
            if _LIST_SPLIT.search(item):
                raise ValueError(
                    f"{table.name} {where}, column {column.name}: list item {item!r} contains a list "
                    "separator "
                    f"({' '.join(LIST_SEPARATORS)}); split it or replace the separator"
                )
        return LIST_SEPARATOR.join(items)
    if isinstance(value, (list, tuple)):
        raise TypeError(f"{table.name} {where}, column {column.name}: a list where one value is expected")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return str(int(value)) if value.is_integer() and column.kind != "float" else repr(value)
    return _cell_text(value)


def _table_records(table: Table, rows: Any) -> list[list[str]]:
    """Rows of one table as CSV cells in schema column order."""
    names = [c.name for c in table.columns]
    if hasattr(rows, "columns") and hasattr(rows, "to_dict"):  # a pandas DataFrame
        unknown = [str(c) for c in rows.columns if c not in names]
        if unknown:
            raise ValueError(f"{table.name}: columns not in the schema: {', '.join(unknown)}")
        missing = [c.name for c in table.columns if c.required and c.name not in rows.columns]
        if missing:
            raise ValueError(f"{table.name}: required columns missing: {', '.join(missing)}")
        dicts = rows.to_dict(orient="records")
    else:
        dicts = []
        for obj in rows:
            if not is_dataclass(obj):
                raise TypeError(
                    f"{table.name}: expected dataclass rows or a DataFrame, got {type(obj).__name__}"
                )
            dicts.append({n: getattr(obj, n) for n in names if hasattr(obj, n)})
    out = []
    for i, d in enumerate(dicts):
        where = f"row {i + 2}"
        out.append([_format_value(table, col, d.get(col.name), where) for col in table.columns])
    return out


def _check_replaceable(target: Path) -> None:
    if not target.exists():
        return
    if not target.is_dir():
        raise UserError(f"cannot write a catalog to {target}: it is a file; choose a directory")
    table_files = {f"{t.name}{s}" for t in TABLES for s in FILE_SUFFIXES}
    strangers = sorted(p.name for p in target.iterdir() if p.name not in table_files)
    if strangers:
        raise UserError(
            f"refusing to replace {target}: it holds entries that are not catalog tables "
            f"({', '.join(strangers[:5])}{', ...' if len(strangers) > 5 else ''}); "
            "choose a new or empty directory"
        )




def write_catalog(
    tables: Catalog | Mapping[str, TableRows], directory: str | Path, *, validate: bool = True
) -> Path:
    """Write a catalog directory as UTF-8 CSV, atomically.

    Parameters
    ----------
    tables : Catalog or mapping of table name to rows
        A :class:`Catalog`, or ``{"majors": [...], "colleges": [...], ...}`` where each value is a list of the
        table's dataclass objects (``Major``, ``College``, ...) or a pandas DataFrame whose columns are the
        schema's columns (list columns may hold lists/tuples). Every table of the schema is written: a table
        missing from the mapping is written with its header only.
    directory : str or Path
        The catalog directory. It is written as a temporary sibling first and then renamed into place, so a
        crash leaves either the old directory or the new one, never a half-written catalog. An existing
        directory is replaced only if it holds nothing but catalog table files.
    validate : bool, default True
        Load the written files with :func:`load_catalog` before swapping them in; on problems raise
        :class:`CatalogError` and leave the existing directory untouched.

    Returns
    -------
    Path
        The directory written.

    Raises
    ------
    ValueError
        Unknown table or column names, or a list item containing a list separator.
    CatalogError
        When ``validate`` is true and the data does not pass :func:`load_catalog`.

    Examples
    --------
    >>> write_catalog({"majors": majors, "occupations": occupations}, "catalogs/demo")  # doctest: +SKIP
    """
    mapping = catalog_tables(tables) if isinstance(tables, Catalog) else dict(tables)
    unknown = [name for name in mapping if name not in TABLES_BY_NAME]
    if unknown:
        raise ValueError(
            f"unknown tables {', '.join(unknown)}; the catalog tables are {', '.join(t.name for t in TABLES)}"
        )
    target = Path(directory)
    _check_replaceable(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    records = {t.name: _table_records(t, mapping.get(t.name, [])) for t in TABLES}
    staging = target.with_name(f".{target.name}.writing-{uuid.uuid4().hex[:8]}")
    staging.mkdir()
    try:
        for table in TABLES:
            with open(staging / f"{table.name}.csv", "w", encoding="utf-8", newline="") as f:
                writer = csv.writer(f, lineterminator="\n")
                writer.writerow([c.name for c in table.columns])
                writer.writerows(records[table.name])
                f.flush()
                os.fsync(f.fileno())
        if validate:
            try:
                load_catalog(staging)
            except CatalogError as exc:
                raise CatalogError(target, exc.problems) from None
        swap_directory(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target
