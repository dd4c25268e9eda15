"""Build catalog tables from the official public data (``../shared/data``): Chinese lists, English ones."""

from __future__ import annotations

import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from recommender.catalog.importers import cn, en
from recommender.catalog.importers.common import ImportLog, ImportNote, resolve_data_dir
from recommender.catalog.model import College, Major, MajorOccupation, Occupation
from recommender.errors import UserError

SOURCES = ("cn", "en", "all")


@dataclass
class OfficialImport:
    """Tables built from the official data, ready for :func:`recommender.catalog.loader.write_catalog`."""

    data_dir: Path
    only: str
    majors: dict[str, Major] = field(default_factory=dict)
    occupations: dict[str, Occupation] = field(default_factory=dict)
    major_occupations: list[MajorOccupation] = field(default_factory=list)
    colleges: dict[str, College] = field(default_factory=dict)
    notes: list[ImportNote] = field(default_factory=list)
    attributions: list[str] = field(default_factory=list)

    @property
    def tables(self) -> dict[str, list]:
        return {
            "colleges": list(self.colleges.values()),
            "occupations": list(self.occupations.values()),
            "majors": list(self.majors.values()),
            "major_occupations": list(self.major_occupations),
        }

    def counts(self) -> dict[str, object]:
        """Majors per level and taxonomy, occupations per taxonomy and level, links, colleges per kind."""
        return {
            "majors": len(self.majors),
            "majors_per_level": dict(Counter(m.level for m in self.majors.values())),
            "majors_per_taxonomy": dict(Counter(m.taxonomy for m in self.majors.values())),
            "occupations": len(self.occupations),
            "occupations_per_taxonomy": dict(Counter(o.taxonomy for o in self.occupations.values())),
            "occupations_per_level": {
                str(k): v for k, v in sorted(Counter(o.level for o in self.occupations.values()).items())
            },
            "major_occupation_links": len(self.major_occupations),
            "colleges": len(self.colleges),
            "colleges_per_kind": dict(Counter(c.kind for c in self.colleges.values())),
            "partner_colleges": sum(c.is_partner for c in self.colleges.values()),
            "warnings": sum(n.severity == "warning" for n in self.notes),
        }


def import_official(
    data_dir: str | Path | None = None,
    only: str = "all",
    partners: list[str] | None = None,
    progress: bool = False,
    max_aliases: int = en.DEFAULT_MAX_ALIASES,
) -> OfficialImport:
    """Import the official lists into catalog tables.

    Parameters
    ----------
    data_dir : str or Path, optional
        The official data folder (with ``cn/`` and ``en/``); default ``$RECOMMENDER_DATA_DIR``, else
        ``../shared/data`` relative to the project root.
    only : {"all", "cn", "en"}
        ``cn``: 专业目录 + 专业简介, 大典 2022, 专业-职业 links, MOE college lists.
        ``en``: CIP 2020 and O*NET.
    partners : list of str, optional
        学校标识码 or exact 学校名称 of the colleges taking part in the programme (``is_partner`` true).
    progress : bool
        Show a progress bar on stderr.
    max_aliases : int
        Cap on the aliases kept per O*NET occupation.

    Returns
    -------
    OfficialImport
        The tables, what was dropped or merged (``notes``), and attributions to print.

    Examples
    --------
    >>> result = import_official(only="cn")  # doctest: +SKIP
    >>> write_catalog(result.tables, "catalogs/official")  # doctest: +SKIP
    """
    if only not in SOURCES:
        raise UserError(f"--only must be one of {', '.join(SOURCES)}, not {only!r}")
    root = resolve_data_dir(data_dir)
    result = OfficialImport(root, only)
    log = ImportLog()
    steps = []
    if only in ("cn", "all"):
        cn_dir = root / "cn"

        def cn_occupations():
            result.occupations.update(cn.import_dadian(cn_dir, log))

        def cn_majors():
            result.majors.update(cn.import_vocational_majors(cn_dir, log))

        def cn_links():
            result.major_occupations += cn.import_major_occupations(
                cn_dir, result.majors, result.occupations, log
            )

        def cn_colleges():
            result.colleges.update(cn.import_colleges(cn_dir, log, partners or ()))

        steps += [
            ("职业分类大典 2022", cn_occupations),
            ("职业教育专业目录 + 专业简介", cn_majors),
            ("专业-职业对应表", cn_links),
            ("高校名单", cn_colleges),
        ]
    if only in ("en", "all"):
        en_dir = root / "en"

        def en_majors():
            result.majors.update(en.import_cip(en_dir, log))

        def en_occupations():
            result.occupations.update(en.import_onet(en_dir, log, max_aliases=max_aliases))
            result.attributions.append(en.ONET_ATTRIBUTION)

        steps += [("CIP 2020", en_majors), ("O*NET 29.3", en_occupations)]
    with tqdm(total=len(steps), desc="import", unit="step", file=sys.stderr, disable=not progress) as bar:
        for label, step in steps:
            bar.set_postfix_str(label)
            step()
            bar.update()
    result.notes = log.notes
    return result
