"""Public taxonomy knowledge as one graph: entities with their texts, and the known links between them.

Entities are keyed ``<lang>:<kind>:<code>``: ``cn:occ:4-12-01-01`` (大典 2022 occupation), ``cn:major:460306``
(a major of any level; the national codes of the four levels never collide), ``en:occ:49-3023`` (SOC occupation,
O*NET-SOC details folded in) and ``en:cip:47.0604`` (CIP 2020 program). Links are the *known* ones only: the
official 专业—职业 tables, the benchmarks' ``item_occupations.csv`` files (the CIP–SOC pairs the en-onet bench
allows), and 中职 → 高职专科 接续专业 (continuing majors). Benchmark queries and qrels are never read here.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from recommender.encoders.crossfit import crossfit_fold
from recommender.errors import UserError

CN_OCCUPATIONS = "cn/occupations_dadian_2022.csv"
CN_PROFILES = "cn/major_profiles.csv"
CN_CATALOG = "cn/vocational_major_catalog.csv"
CN_MAJOR_OCCUPATION_GLOB = "cn/major_occupation_*.csv"
CN_COLLEGES = "cn/colleges_regular_2026.csv"
EN_CIP = "en/cip2020.csv"
ONET_DIR = "en/onet"

_ALIAS_SPLIT = re.compile(r"[,，、;；|]")
_TASK_SPLIT = re.compile(r"(?:^|\s*)\d{1,2}\s*[.．、]\s*")
_CONTINUING = re.compile(r"接续高职专科专业举例[:：]\s*([^接]*)")


@dataclass
class Entity:
    """One occupation, major or program with every text the public sources give for it.

    Attributes
    ----------
    key : str
        ``<lang>:<kind>:<code>``.
    name : str
        The official name (first view of the entity).
    aliases : list[str]
        Other short names: 大典 aliases, O*NET alternate and reported titles, CIP examples.
    description : str
        Definition / 专业简介 / CIP definition, without the name.
    tasks : list[str]
        Task statements (occupations) or core courses (majors), one per element.
    extra : str
        Further item text (majors: 职业面向, training goal, courses; CIP: examples), without the name.
    context : str
        Names of the broader classes (专业大类 专业类; CIP family and series titles).
    group : str
        Sibling group for hard negatives (大典 小类, SOC broad occupation, 专业类, CIP series).
    parent_group : str
        Coarser sibling group (大典 中类, SOC minor group, 专业大类, CIP family).
    """

    key: str
    name: str
    aliases: list[str] = field(default_factory=list)
    description: str = ""
    tasks: list[str] = field(default_factory=list)
    extra: str = ""
    context: str = ""
    group: str = ""
    parent_group: str = ""

    @property
    def lang(self) -> str:
        return self.key.split(":", 1)[0]

    @property
    def kind(self) -> str:
        return self.key.split(":", 2)[1]

    @property
    def short_texts(self) -> list[str]:
        """Name and aliases, without duplicates, name first."""
        seen: dict[str, None] = {self.name: None}
        for alias in self.aliases:
            seen.setdefault(alias, None)
        return [t for t in seen if t]


@dataclass
class Knowledge:
    """Entities, known links (undirected), related occupations, and a word list used for augmentation.

    ``related`` maps an occupation to its related occupations, nearest first: O*NET's Related Occupations
    (Primary-Short, then Primary-Long) for SOC occupations, the other occupations of the same 大典 小类 for
    Chinese ones. It is a taxonomy fact, not a link to items; training uses it to give occupations without known
    links *weak* item targets (the items of their related occupations).
    """

    entities: dict[str, Entity] = field(default_factory=dict)
    links: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    related: dict[str, list[str]] = field(default_factory=dict)
    places: list[str] = field(default_factory=list)

    def add(self, entity: Entity) -> None:
        self.entities[entity.key] = entity

    def link(self, a: str, b: str) -> None:
        if a == b or a not in self.entities or b not in self.entities:
            return
        self.links[a].add(b)
        self.links[b].add(a)

    def linked(self, key: str, kind: str | None = None) -> list[str]:
        """Keys linked to ``key`` (sorted, for determinism), optionally of one kind only."""
        return sorted(k for k in self.links.get(key, ()) if kind is None or self.entities[k].kind == kind)

    def inferred(self, key: str, kind: str, max_related: int = 3) -> list[str]:
        """Items linked to the first ``max_related`` related occupations that have links (nearest first)."""
        out: dict[str, None] = {}
        used = 0
        for other in self.related.get(key, []):
            items = self.linked(other, kind)
            if items:
                out.update(dict.fromkeys(items))
                used += 1
                if used >= max_related:
                    break
        return list(out)

    def of_kind(self, lang: str, kind: str) -> list[Entity]:
        return [e for k, e in sorted(self.entities.items()) if e.lang == lang and e.kind == kind]

    def without_occupation_links(self, fold: int, folds: int) -> Knowledge:
        """A copy in which the occupations of cross-fitting fold ``fold`` (``crossfit_fold``) have no links: the
        training data of an encoder whose similarities to those occupations' items are as honest as for an
        occupation whose links are unknown (the texts, and so the tokenizer, stay the same)."""
        held_out = {k for k, e in self.entities.items() if e.kind == "occ" and crossfit_fold(k, folds) == fold}
        links: dict[str, set[str]] = defaultdict(set)
        for a, bs in self.links.items():
            if a not in held_out:
                kept = {b for b in bs if b not in held_out}
                if kept:
                    links[a] = kept
        return Knowledge(dict(self.entities), links, dict(self.related), list(self.places))

    def texts(self) -> list[str]:
        """Every text of every entity (the tokenizer's training corpus)."""
        out: list[str] = []
        for e in self.entities.values():
            out.extend(e.short_texts)
            out.extend(t for t in (e.description, e.extra) if t)
            out.extend(e.tasks)
        return out


def read_table(path: Path) -> pd.DataFrame:
    """Read a CSV with every column as text (codes keep their leading zeros)."""
    if not path.is_file():
        raise UserError(f"missing data file {path}: point --data-dir / --bench-dir at the shared data folders")
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def clean(text: str) -> str:
    """Collapse whitespace (the MOE texts are OCR output with stray spaces and line breaks)."""
    return re.sub(r"\s+", " ", str(text)).strip()


def split_aliases(text: str) -> list[str]:
    return [a for a in (clean(x) for x in _ALIAS_SPLIT.split(text or "")) if a]


def split_tasks(text: str) -> list[str]:
    """Split a numbered 大典 task list (``1.… 2.…``) into task statements."""
    parts = [clean(p).rstrip("。；;") for p in _TASK_SPLIT.split(text or "")]
    return [p for p in parts if len(p) >= 4]


def split_courses(text: str) -> list[str]:
    """Course names out of a 专业简介 courses field (``专业核心课程：A、B、C。``)."""
    core = re.search(r"专业核心课程[:：]([^。]*)", text or "")
    body = core.group(1) if core else ""
    return [c for c in (clean(x) for x in re.split(r"[、，,；;]", body)) if 2 <= len(c) <= 30]


def split_examples(text: str) -> list[str]:
    """Example titles out of a CIP ``Examples: - A, - B`` field."""
    body = re.sub(r"^\s*Examples?:\s*", "", text or "")
    return [e for e in (clean(x).strip(",;") for x in re.split(r",?\s*-\s+", body)) if e]


def load_cn(knowledge: Knowledge, data_dir: Path, bench_dir: Path | None) -> None:
    """Add 大典 occupations, majors of every level, their known links and continuing majors."""
    occupations = read_table(data_dir / CN_OCCUPATIONS)
    for row in occupations.itertuples(index=False):
        if row.level != "4":
            continue
        code = row.code
        aliases = [a for a in split_aliases(row.alias) if a != row.name]
        knowledge.add(Entity(
            key=f"cn:occ:{code}", name=clean(row.name), aliases=aliases, description=clean(row.definition),
            tasks=split_tasks(row.tasks), group=f"cn:occ-minor:{code[:7]}", parent_group=f"cn:occ-mid:{code[:4]}",
        ))

    catalog = read_table(data_dir / CN_CATALOG)
    category = {r.专业代码: (clean(r.专业大类), clean(r.专业类)) for r in catalog.itertuples(index=False)}
    names = {r.专业代码: clean(r.专业名称) for r in catalog.itertuples(index=False)}

    profiles = read_table(data_dir / CN_PROFILES)
    rows: dict[str, dict[str, str]] = {r["code"]: r for r in profiles.to_dict("records")}
    if bench_dir is not None and (bench_dir / "cn-titles" / "items.csv").is_file():
        for r in read_table(bench_dir / "cn-titles" / "items.csv").to_dict("records"):
            rows[r["item_id"]] = {**rows.get(r["item_id"], {}), **{k: v for k, v in r.items() if v}, "code": r["item_id"]}
            category.setdefault(r["item_id"], (r.get("category", ""), r.get("subcategory", "")))

    link_files = sorted(data_dir.glob(CN_MAJOR_OCCUPATION_GLOB))
    link_rows: list[tuple[str, str, str]] = []
    for path in link_files:
        for r in read_table(path).itertuples(index=False):
            link_rows.append((r.专业代码, clean(r.专业名称), r.职业编码))
            names.setdefault(r.专业代码, clean(r.专业名称))
    if bench_dir is not None and (bench_dir / "cn-titles" / "item_occupations.csv").is_file():
        for r in read_table(bench_dir / "cn-titles" / "item_occupations.csv").itertuples(index=False):
            link_rows.append((r.item_id, names.get(r.item_id, ""), r.occupation_code))

    for code in sorted(set(names) | set(rows)):
        row = rows.get(code, {})
        name = clean(row.get("name") or names.get(code, ""))
        if not name:
            continue
        big, sub = category.get(code, ("", ""))
        extra = " ".join(clean(row.get(c, "")) for c in ("occupation_orientation", "training_goal", "courses"))
        knowledge.add(Entity(
            key=f"cn:major:{code}", name=name, description=clean(row.get("occupation_orientation", "")),
            tasks=split_courses(row.get("courses", "")), extra=clean(extra), context=clean(f"{big} {sub}"),
            group=f"cn:major-class:{code[:4]}", parent_group=f"cn:major-cat:{code[:2]}",
        ))
    for major, _, occ in link_rows:
        knowledge.link(f"cn:major:{major}", f"cn:occ:{occ}")
    siblings: dict[str, list[str]] = defaultdict(list)
    for e in knowledge.of_kind("cn", "occ"):
        siblings[e.group].append(e.key)
    for group in siblings.values():
        for key in group:
            knowledge.related[key] = [k for k in group if k != key]

    higher_by_name = {e.name: e.key for e in knowledge.of_kind("cn", "major") if e.key[9] in "45"}
    for code, row in sorted(rows.items()):
        match = _CONTINUING.search(row.get("continuing", ""))
        if not match or code[0] not in "67":
            continue
        for name in re.split(r"[、，,\s]+", match.group(1)):
            if name in higher_by_name:
                knowledge.link(f"cn:major:{code}", higher_by_name[name])

    colleges_path = data_dir / CN_COLLEGES
    if colleges_path.is_file():
        places = read_table(colleges_path)
        knowledge.places = sorted({clean(p).rstrip("市") for p in places.get("所在地", []) if 2 <= len(clean(p)) <= 4})


def load_en(knowledge: Knowledge, data_dir: Path, bench_dir: Path | None) -> None:
    """Add SOC occupations (O*NET content folded in), CIP programs and the allowed CIP–SOC links."""
    onet = data_dir / ONET_DIR
    occ_rows: dict[str, dict[str, str]] = {}
    if bench_dir is not None and (bench_dir / "en-onet" / "occupations.csv").is_file():
        for r in read_table(bench_dir / "en-onet" / "occupations.csv").to_dict("records"):
            occ_rows[r["code"]] = {"title": r["title"], "description": r["description"]}
    for r in read_table(onet / "Occupation Data.csv").to_dict("records"):
        soc = r["O*NET-SOC Code"][:7]
        occ_rows.setdefault(soc, {"title": r["Title"], "description": r["Description"]})
        if r["O*NET-SOC Code"].endswith(".00"):
            occ_rows[soc] = {"title": r["Title"], "description": r["Description"]}

    aliases: dict[str, dict[str, None]] = defaultdict(dict)
    for r in read_table(onet / "Occupation Data.csv").itertuples(index=False):
        aliases[r[0][:7]][clean(r.Title)] = None
    for r in read_table(onet / "Alternate Titles.csv").itertuples(index=False):
        aliases[r[0][:7]][clean(r[2])] = None
    for r in read_table(onet / "Sample of Reported Titles.csv").itertuples(index=False):
        aliases[r[0][:7]][clean(r[2])] = None
    tasks: dict[str, list[str]] = defaultdict(list)
    for r in read_table(onet / "Task Statements.csv").itertuples(index=False):
        tasks[r[0][:7]].append(clean(r.Task))

    for soc, r in sorted(occ_rows.items()):
        title = clean(r["title"])
        knowledge.add(Entity(
            key=f"en:occ:{soc}", name=title, aliases=[a for a in aliases.get(soc, {}) if a != title],
            description=clean(r["description"]), tasks=tasks.get(soc, []),
            group=f"en:soc-broad:{soc[:6]}", parent_group=f"en:soc-minor:{soc[:4]}",
        ))

    programs: dict[str, dict[str, str]] = {}
    class_titles: dict[str, str] = {}
    cip = read_table(data_dir / EN_CIP)
    for r in cip.to_dict("records"):
        code = r["CIPCode"]
        if len(code) in (2, 5):
            class_titles[code] = clean(r["CIPTitle"]).rstrip(".").title() if len(code) == 2 else clean(r["CIPTitle"]).rstrip(".")
        if len(code) == 7 and not r["Action"].lower().startswith(("deleted", "moved")):
            programs[code] = {"name": r["CIPTitle"].rstrip("."), "description": r["CIPDefinition"],
                              "examples": r["Examples"]}
    if bench_dir is not None and (bench_dir / "en-onet" / "items.csv").is_file():
        for r in read_table(bench_dir / "en-onet" / "items.csv").to_dict("records"):
            programs[r["item_id"]] = {"name": r["name"], "description": r["description"], "examples": r["examples"]}
    for code, r in sorted(programs.items()):
        examples = split_examples(r.get("examples", ""))
        context = " ".join(t for t in (class_titles.get(code[:2], ""), class_titles.get(code[:5], "")) if t)
        knowledge.add(Entity(
            key=f"en:cip:{code}", name=clean(r["name"]).rstrip("."), aliases=examples[:8],
            description=clean(r["description"]), extra="; ".join(examples), context=context,
            group=f"en:cip-series:{code[:5]}", parent_group=f"en:cip-family:{code[:2]}",
        ))

    if bench_dir is not None and (bench_dir / "en-onet" / "item_occupations.csv").is_file():
        for r in read_table(bench_dir / "en-onet" / "item_occupations.csv").itertuples(index=False):
            knowledge.link(f"en:cip:{r.item_id}", f"en:occ:{r.occupation_code}")

    related_path = onet / "Related Occupations.csv"
    if related_path.is_file():
        tiers = {"Primary-Short": 0, "Primary-Long": 1}
        ranked: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
        for r in read_table(related_path).itertuples(index=False):
            tier = tiers.get(r[4])
            a, b = f"en:occ:{r[0][:7]}", f"en:occ:{r[2][:7]}"
            if tier is not None and a != b and a in knowledge.entities and b in knowledge.entities:
                ranked[a].append((tier, int(r[5] or 99), b))
        for a, rows in ranked.items():
            knowledge.related[a] = list(dict.fromkeys(b for _, _, b in sorted(rows)))


def load_knowledge(data_dir: Path, bench_dir: Path | None = None, languages: tuple[str, ...] = ("cn", "en")) -> Knowledge:
    """Load the public sources into one :class:`Knowledge` graph.

    Parameters
    ----------
    data_dir : Path
        The shared data folder (``../shared/data``): ``cn/`` and ``en/`` as described in its SOURCES.md.
    bench_dir : Path, optional
        The shared benchmark folder (``../shared/bench``); only its knowledge files are read (``items.csv``,
        ``occupations.csv``, ``item_occupations.csv``), never a split's queries or qrels.
    languages : tuple of str
        Which halves to load.

    Examples
    --------
    >>> kg = load_knowledge(Path("../shared/data"), Path("../shared/bench"))  # doctest: +SKIP
    >>> kg.linked("cn:occ:6-31-01-03", kind="major")[:2]  # doctest: +SKIP
    """
    knowledge = Knowledge()
    if "cn" in languages:
        load_cn(knowledge, data_dir, bench_dir)
    if "en" in languages:
        load_en(knowledge, data_dir, bench_dir)
    return knowledge
