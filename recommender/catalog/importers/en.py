"""Importers for the English taxonomies: CIP 2020 programs (as majors) and O*NET 29.3 occupations (by SOC).

Files are read from the ``en`` folder of the official data (``../shared/data/en``).
O*NET content: "O*NET 29.3 Database by the U.S. Department of Labor, Employment and Training Administration
(USDOL/ETA), used under CC BY 4.0".
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

from recommender.catalog.importers.common import ImportLog, clean_text, list_safe, read_official_csv
from recommender.catalog.model import Major, Occupation

CIP_FILE = "cip2020.csv"
ONET_DIR = "onet"
ONET_OCCUPATIONS = "Occupation Data.csv"
ONET_TASKS = "Task Statements.csv"
ONET_ALTERNATE_TITLES = "Alternate Titles.csv"
ONET_ATTRIBUTION = (
    "O*NET 29.3 Database by the U.S. Department of Labor, Employment and Training Administration "
    "(USDOL/ETA), "
    "used under CC BY 4.0"
)
DEFAULT_MAX_ALIASES = 40

_CIP_CODE = re.compile(r"\d{2}(\.\d{2}(\d{2})?)?")
_ONET_CODE = re.compile(r"(\d{2}-\d{4})\.\d{2}")
_TASK_ORDER = {"Core": 0, "Supplemental": 1}


def _cip_code(text: str) -> str:
    """``01.0101``; tolerates Excel's ``="01.0101"`` wrapping."""
    return text.strip().removeprefix("=").strip('"').strip()


def _is_retired(row: dict[str, str]) -> bool:
    """A CIP 2020 row that only points elsewhere: deleted, or a code whose content moved to another code.

    The pointer rows read "Deleted, Report under …" or "Moved from 01.0309 to 01.1004" in their definition;
    the row of the destination code (01.1004) carries the full definition and stays active.
    """
    definition = row["CIPDefinition"].strip()
    return row["Action"].strip() == "Deleted" or definition.startswith(("Moved from", "Deleted"))


def import_cip(en_dir: Path, log: ImportLog) -> dict[str, Major]:
    """The active six-digit CIP 2020 programs as majors (level 普通本科, taxonomy ``cip2020``).

    ``category`` is the two-digit family's title, ``subcategory`` the four-digit series' title,
    ``description`` the CIP definition followed by its examples.
    """
    rows = read_official_csv(en_dir / CIP_FILE, ["CIPCode", "Action", "CIPTitle", "CIPDefinition"])
    titles: dict[str, str] = {}
    for r in rows:
        code = _cip_code(r["CIPCode"])
        if len(code) in (2, 5):
            titles[code] = clean_text(r["CIPTitle"]).rstrip(".")
    majors: dict[str, Major] = {}
    retired, bad, duplicates = [], [], []
    for r in rows:
        code = _cip_code(r["CIPCode"])
        if not _CIP_CODE.fullmatch(code):
            bad.append(code)
            continue
        if len(code) != 7:
            continue
        if _is_retired(r):
            retired.append(code)
            continue
        if code in majors:
            duplicates.append(code)
            continue
        description = clean_text(r["CIPDefinition"])
        examples = clean_text(r.get("Examples", ""))
        if examples:
            description = f"{description}\n{examples}"
        majors[code] = Major(
            major_code=code,
            name=clean_text(r["CIPTitle"]).rstrip("."),
            level="普通本科",
            category=titles.get(code[:2], ""),
            subcategory=titles.get(code[:5], ""),
            description=description,
            taxonomy="cip2020",
        )
    log.add(
        CIP_FILE,
        "retired six-digit codes skipped (Deleted, or moved to another code)",
        retired,
        severity="note",
    )
    log.add(CIP_FILE, "rows skipped: not a CIP code", bad)
    log.add(CIP_FILE, "duplicate codes skipped (first kept)", duplicates)
    return majors


def import_onet(
    en_dir: Path, log: ImportLog, max_aliases: int = DEFAULT_MAX_ALIASES
) -> dict[str, Occupation]:
    """O*NET 29.3 occupations collapsed to six-digit SOC codes (``49-3023``), taxonomy ``soc2018``.

    The ``.00`` occupation gives the name and the definition; detailed O*NET occupations (``.01``, ``.02``, …)
    add their title and description to the definition and their title to the aliases. ``tasks`` holds every
    task statement (core first), ``aliases`` the detailed titles then the alternate titles, at most
    ``max_aliases``.
    """
    onet = en_dir / ONET_DIR
    occupation_rows = read_official_csv(onet / ONET_OCCUPATIONS, ["O*NET-SOC Code", "Title", "Description"])
    task_rows = read_official_csv(onet / ONET_TASKS, ["O*NET-SOC Code", "Task", "Task Type"])
    title_rows = read_official_csv(onet / ONET_ALTERNATE_TITLES, ["O*NET-SOC Code", "Alternate Title"])

    details: dict[str, list[dict[str, str]]] = defaultdict(list)
    bad = []
    for r in occupation_rows:
        m = _ONET_CODE.fullmatch(r["O*NET-SOC Code"].strip())
        if not m:
            bad.append(r["O*NET-SOC Code"])
            continue
        details[m.group(1)].append(r)
    tasks: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
    for r in task_rows:
        code = r["O*NET-SOC Code"].strip()
        tasks[code[:7]].append((_TASK_ORDER.get(r["Task Type"].strip(), 2), code, clean_text(r["Task"])))
    alternate: dict[str, list[str]] = defaultdict(list)
    for r in title_rows:
        alternate[r["O*NET-SOC Code"].strip()[:7]].append(clean_text(r["Alternate Title"]))

    occupations: dict[str, Occupation] = {}
    capped, merged = [], []
    for soc, rows in sorted(details.items()):
        rows = sorted(rows, key=lambda r: r["O*NET-SOC Code"])
        main = next((r for r in rows if r["O*NET-SOC Code"].strip().endswith(".00")), rows[0])
        name = clean_text(main["Title"])
        definition = [clean_text(main["Description"])]
        definition += [
            f"{clean_text(r['Title'])}: {clean_text(r['Description'])}" for r in rows if r is not main
        ]
        if len(rows) > 1:
            merged.append(soc)
        task_texts = [text for _, _, text in sorted(tasks.get(soc, []), key=lambda t: (t[0], t[1])) if text]
        aliases = [clean_text(r["Title"]) for r in rows if r is not main] + alternate.get(soc, [])
        unique: dict[str, str] = {}
        for alias in aliases:
            alias = list_safe(alias)
            if alias and alias.lower() != name.lower():
                unique.setdefault(alias.lower(), alias)
        if len(unique) > max_aliases:
            capped.append(soc)
        occupations[soc] = Occupation(
            occupation_code=soc,
            name=name,
            level=4,
            definition="\n".join(t for t in definition if t),
            tasks="\n".join(dict.fromkeys(task_texts)),
            aliases=tuple(list(unique.values())[:max_aliases]),
            soc_code=soc,
            taxonomy="soc2018",
        )
    log.add(ONET_OCCUPATIONS, "rows skipped: not an O*NET-SOC code", bad)
    log.add(
        ONET_OCCUPATIONS, "SOC codes with detailed O*NET occupations merged into one", merged, severity="note"
    )
    log.add(
        ONET_ALTERNATE_TITLES,
        f"occupations with more than {max_aliases} alternate titles (capped)",
        capped,
        severity="note",
    )
    orphans = sorted((set(tasks) | set(alternate)) - set(details))
    log.add(ONET_TASKS, "tasks or titles of codes absent from Occupation Data (ignored)", orphans)
    return occupations
