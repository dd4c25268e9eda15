"""The matching corpus: what the matcher needs, whatever the source (a bench folder or a Catalog).

Items are the things ranked (majors, CIP programs), occupations carry their texts and their place in the code
hierarchy, and links are the *known* item↔occupation pairs. Builders read a bench folder (``items.csv``,
``occupations.csv``, ``item_occupations.csv``; never a split's ``qrels.csv``) or a ``Catalog``.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from recommender.encoders.analysis import language_of
from recommender.errors import UserError

_DADIAN = re.compile(r"^(\d)-(\d\d)-(\d\d)-(\d\d)$")
_SOC = re.compile(r"^(\d\d)-(\d{4})$")
_GREEN_DIGITAL_MARK = re.compile(r"(?<=[\u4e00-\u9fff])[LS](?:/[LS])?$")


@dataclass(frozen=True)
class CorpusItem:
    """A thing to rank (a major or a program) with its texts.

    ``name`` is the official name; ``text`` everything else worth matching (简介, courses, 职业面向 / CIP
    definition and examples); ``context`` the names of the enclosing classes (专业大类/专业类, CIP family/series).
    """

    item_id: str
    name: str
    text: str = ""
    context: str = ""
    level: str = ""
    group: str = ""

    @property
    def full_text(self) -> str:
        return " ".join(t for t in (self.name, self.context, self.text) if t)


@dataclass(frozen=True)
class CorpusOccupation:
    """An occupation with its texts, its ancestors in the code hierarchy and its related occupations."""

    code: str
    name: str
    aliases: tuple[str, ...] = ()
    definition: str = ""
    tasks: str = ""
    level: int = 4
    groups: tuple[str, ...] = ()  # ancestor group keys, most specific first (大典 小类, 中类, 大类; SOC broad…)
    related: tuple[tuple[str, float], ...] = ()  # (code, weight in 0..1), e.g. O*NET Related Occupations

    @property
    def label_texts(self) -> tuple[str, ...]:
        """The name (without the L/S green/digital marks) and the aliases, deduplicated, name first."""
        out = [display_name(self.name)]
        for a in self.aliases:
            a = a.strip()
            if a and a not in out and a != self.name:
                out.append(a)
        return tuple(out)

    @property
    def content_text(self) -> str:
        return " ".join(t for t in (display_name(self.name), self.definition, self.tasks) if t)


def display_name(name: str) -> str:
    """``电子商务师S`` → ``电子商务师``; other names unchanged."""
    return _GREEN_DIGITAL_MARK.sub("", name.strip())


def hierarchy_groups(code: str) -> tuple[str, ...]:
    """Ancestor keys of a 大典 code (``4-12-01-01`` → ``4-12-01-00``, ``4-12-00-00``, ``4-00-00-00``) or of a SOC
    code (``49-3023`` → ``49-302``, ``49-3``, ``49``); empty for other codes."""
    m = _DADIAN.match(code)
    if m:
        parts = list(m.groups())
        keys = ("-".join(parts[:keep] + ["00"] * (4 - keep)) for keep in (3, 2, 1))
        return tuple(dict.fromkeys(k for k in keys if k != code))
    m = _SOC.match(code)
    if m:
        major, rest = m.groups()
        return (f"{major}-{rest[:3]}", f"{major}-{rest[0]}", major)
    return ()


@dataclass
class MatchingCorpus:
    """Items, occupations and known links; the single input of the matcher.

    Parameters
    ----------
    items, occupations : lists
    links : list of (item_id, occupation_code)
        Known links; pairs naming an unknown item or occupation are dropped.
    job_titles : list of (text, occupation_code)
        Job texts whose occupation is known (labelled posting titles, workers' confirmed jobs); the linker learns
        from them how real titles name occupations. Pairs naming an unknown occupation are dropped.
    language : str
        ``"zh"`` or ``"en"``; detected from the item names when empty.
    name : str
        Where it came from (for messages and cache keys).
    """

    items: list[CorpusItem]
    occupations: list[CorpusOccupation]
    links: list[tuple[str, str]] = field(default_factory=list)
    language: str = ""
    name: str = ""
    job_titles: list[tuple[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.items:
            raise UserError(f"matching corpus {self.name or ''}: no items to rank")
        if not self.occupations:
            raise UserError(f"matching corpus {self.name or ''}: no occupations")
        if not self.language:
            self.language = language_of([i.name for i in self.items])
        items = {i.item_id for i in self.items}
        codes = {o.code for o in self.occupations}
        self.links = sorted({(i, o) for i, o in self.links if i in items and o in codes})
        self.job_titles = list(dict.fromkeys((t, o) for t, o in self.job_titles if t and t.strip() and o in codes))

    @cached_property
    def item_index(self) -> dict[str, int]:
        return {item.item_id: k for k, item in enumerate(self.items)}

    @cached_property
    def occupation_index(self) -> dict[str, int]:
        return {occ.code: k for k, occ in enumerate(self.occupations)}

    # -- builders ------------------------------------------------------------------------------------------
    @classmethod
    def from_bench(cls, bench_dir: str | Path, data_dir: str | Path | None = None) -> MatchingCorpus:
        """Build from a bench folder (``items.csv``, ``occupations.csv``, ``item_occupations.csv``).

        With ``data_dir`` (``../shared/data``), English corpora also get O*NET Related Occupations, alternate and
        reported titles, and CIP family/series titles (see ``recommender.matching.knowledge``).
        """
        bench = Path(bench_dir)
        for name in ("items.csv", "occupations.csv"):
            if not (bench / name).is_file():
                raise UserError(f"{bench} is not a bench folder: {name} is missing")
        item_rows = _read_csv(bench / "items.csv")
        occ_rows = _read_csv(bench / "occupations.csv")
        link_rows = _read_csv(bench / "item_occupations.csv") if (bench / "item_occupations.csv").is_file() else []
        items = [_bench_item(r) for r in item_rows]
        alias_sep = _list_separator([r.get("aliases") or r.get("alt_titles") or "" for r in occ_rows])
        occupations = [_bench_occupation(r, alias_sep) for r in occ_rows]
        links = [(r["item_id"], r["occupation_code"]) for r in link_rows]
        corpus = cls(items, occupations, links, name=str(bench))
        if data_dir is not None:
            from recommender.matching.knowledge import enrich

            corpus = enrich(corpus, Path(data_dir))
        return corpus

    @classmethod
    def from_catalog(cls, catalog, levels: Iterable[str] | None = None) -> MatchingCorpus:
        """Build from a ``recommender.catalog.catalog.Catalog``: its majors (of ``levels`` when given), its
        occupations and its major↔occupation links."""
        wanted = set(levels) if levels else None
        items = []
        for m in catalog.majors.values():
            if wanted and m.level not in wanted:
                continue
            text = " ".join(t for t in (m.target_occupations, m.description, "、".join(m.main_courses)) if t)
            items.append(CorpusItem(m.major_code, m.name, text, " ".join(t for t in (m.category, m.subcategory) if t),
                                    m.level, m.subcategory))
        occupations = [CorpusOccupation(o.occupation_code, o.name, tuple(o.aliases), o.definition, o.tasks,
                                        int(o.level or 4), hierarchy_groups(o.occupation_code))
                       for o in catalog.occupations.values()]
        links = [(link.major_code, link.occupation_code) for link in catalog.major_occupations]
        return cls(items, occupations, links, name=str(getattr(catalog, "source", "") or "catalog"))


def _read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return [{k: (v or "").strip() for k, v in row.items() if k} for row in csv.DictReader(f)]


def _list_separator(values: list[str]) -> str:
    filled = [v for v in values if v]
    semi = sum(";" in v for v in filled)
    return ";" if filled and semi * 5 >= len(filled) else ","


_ITEM_TEXT_COLUMNS = ("occupation_orientation", "training_goal", "abilities", "courses", "certificates",
                      "description", "examples")
_ITEM_CONTEXT_COLUMNS = ("category", "subcategory", "family_title", "series_title")


def _bench_item(row: dict[str, str]) -> CorpusItem:
    if "item_id" not in row or "name" not in row:
        raise UserError("items.csv needs the columns item_id and name")
    text = " ".join(row[c] for c in _ITEM_TEXT_COLUMNS if row.get(c))
    known = {"item_id", "name", "level", "years", "family", *_ITEM_TEXT_COLUMNS, *_ITEM_CONTEXT_COLUMNS}
    extra = " ".join(v for k, v in row.items() if k not in known and v)
    context = " ".join(row[c] for c in _ITEM_CONTEXT_COLUMNS if row.get(c))
    group = row.get("subcategory") or (row["item_id"][:5] if re.match(r"^\d\d\.\d{4}$", row["item_id"]) else "")
    return CorpusItem(row["item_id"], row["name"], " ".join(t for t in (text, extra) if t), context,
                      row.get("level", ""), group)


def _bench_occupation(row: dict[str, str], alias_sep: str) -> CorpusOccupation:
    code = row.get("code") or row.get("occupation_code") or ""
    name = row.get("name") or row.get("title") or ""
    if not code or not name:
        raise UserError("occupations.csv needs a code and a name (or title) column")
    raw_aliases = row.get("aliases") or row.get("alt_titles") or ""
    aliases = tuple(a.strip() for a in raw_aliases.split(alias_sep) if a.strip())
    level = int(row["level"]) if row.get("level", "").isdigit() else 4
    return CorpusOccupation(code, name, aliases, row.get("definition") or row.get("description") or "",
                            row.get("tasks", ""), level, hierarchy_groups(code))
