"""Importers for China's official lists: 职业教育专业目录 and 专业简介, 职业分类大典 2022, the 专业-职业
correspondence tables, and the MOE lists of colleges.

Every function reads files from the ``cn`` folder of the official data (``../shared/data/cn``), returns domain
objects, and records in an :class:`~recommender.catalog.importers.common.ImportLog` whatever it dropped,
merged or had to guess.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from recommender.catalog.importers.common import (
    ImportLog,
    clean_text,
    list_safe,
    read_official_csv,
    split_top_level,
)
from recommender.catalog.loader import decode_text
from recommender.catalog.model import College, Major, MajorOccupation, Occupation
from recommender.errors import UserError

VOCATIONAL_CATALOG = "vocational_major_catalog.csv"
MAJOR_PROFILES = "major_profiles.csv"
DADIAN = "occupations_dadian_2022.csv"
LINK_FILES = {
    "中职": "major_occupation_zhongzhi.csv",
    "高职专科": "major_occupation_gaozhi_zhuanke.csv",
    "职教本科": "major_occupation_zhijiao_benke.csv",
    "普通本科": "major_occupation_putong_benke.csv",
}
COLLEGES_REGULAR = "colleges_regular_2026.csv"
COLLEGES_ADULT = "colleges_adult_2026.csv"
OPEN_UNIVERSITIES = "open_universities_2026.csv"

VOCATIONAL_LEVELS = ("中职", "高职专科", "职教本科")

# 学科门类 of the 普通高等学校本科专业目录, by the first two digits of a major code.
UNDERGRADUATE_DISCIPLINES = {
    "01": "哲学",
    "02": "经济学",
    "03": "法学",
    "04": "教育学",
    "05": "文学",
    "06": "历史学",
    "07": "理学",
    "08": "工学",
    "09": "农学",
    "10": "医学",
    "11": "军事学",
    "12": "管理学",
    "13": "艺术学",
    "14": "交叉学科",
}

# 大典 2022 marks green occupations with L, digital ones with S, both with L/S, after the name.
_GREEN_DIGITAL_MARK = re.compile(r"(?<=[\u4e00-\u9fff）)])(L/S|L|S)$")
_COURSE_HEADING = re.compile(r"(专业基础课程|专业基础课|专业核心课程|专业核心课|实习实训|实训实习)\s*[：:]")
_ALIAS_SEPARATORS = re.compile(r"[,，;；|]")


def _code(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().upper()


def parse_main_courses(text: str) -> tuple[str, ...]:
    """Course names from a 专业简介 courses field: the 专业基础课程 and 专业核心课程 lists, not 实习实训.

    >>> parse_main_courses("专业基础课程：电工、制图。 专业核心课程：数控编程（车、铣）。 实习实训：实习。")
    ('电工', '制图', '数控编程（车，铣）')
    """
    text = clean_text(text)
    marks = list(_COURSE_HEADING.finditer(text))
    courses: list[str] = []
    for i, mark in enumerate(marks):
        if mark.group(1).startswith(("实习", "实训")):
            continue
        end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
        segment = text[mark.end() : end].strip()
        segment = segment.split("。")[0] if "。" in segment else segment
        for item in split_top_level(segment, "、，,；;"):
            item = item.strip("。．. ").removesuffix("等")
            if 2 <= len(item) <= 40:
                courses.append(list_safe(item))
    return tuple(dict.fromkeys(courses))


def import_vocational_majors(cn_dir: Path, log: ImportLog) -> dict[str, Major]:
    """Majors of the 职业教育专业目录 (中职, 高职专科, 职教本科), with their 专业简介 merged in.

    ``description`` is the training goal then the abilities, ``main_courses`` the 专业基础/核心课程 and
    ``target_occupations`` the 职业面向 text of the profile.
    """
    rows = read_official_csv(
        cn_dir / VOCATIONAL_CATALOG, ["专业大类", "专业类", "专业代码", "专业名称", "层次"]
    )
    profiles: dict[str, dict[str, str]] = {}
    for p in read_official_csv(
        cn_dir / MAJOR_PROFILES,
        ["code", "name", "years", "occupation_orientation", "training_goal", "abilities", "courses", "level"],
    ):
        profiles.setdefault(_code(p["code"]), p)
    majors: dict[str, Major] = {}
    bad_level, duplicates, no_profile, no_courses, level_mismatch = [], [], [], [], []
    for r in rows:
        code, level = _code(r["专业代码"]), r["层次"].strip()
        if level not in VOCATIONAL_LEVELS:
            bad_level.append(f"{code} {level!r}")
            continue
        if code in majors:
            duplicates.append(code)
            continue
        profile = profiles.get(code)
        description = main_courses = target = years = ""
        if profile is None:
            no_profile.append(code)
        else:
            if profile["level"].strip() and profile["level"].strip() != level:
                level_mismatch.append(f"{code} {profile['level']}≠{level}")
            description = "\n".join(
                t for t in (clean_text(profile["training_goal"]), clean_text(profile["abilities"])) if t
            )
            main_courses = parse_main_courses(profile["courses"])
            if not main_courses and profile["courses"].strip():
                no_courses.append(code)
            target = clean_text(profile["occupation_orientation"])
            years = clean_text(profile["years"])
        majors[code] = Major(
            major_code=code,
            name=clean_text(r["专业名称"]),
            level=level,
            category=clean_text(r["专业大类"]),
            subcategory=clean_text(r["专业类"]),
            description=description,
            main_courses=main_courses or (),
            target_occupations=target,
            years=years,
            taxonomy="moe-vocational",
        )
    log.add(VOCATIONAL_CATALOG, "rows skipped: 层次 is not 中职, 高职专科 or 职教本科", bad_level)
    log.add(VOCATIONAL_CATALOG, "duplicate major codes skipped (first row kept)", duplicates)
    log.add(
        MAJOR_PROFILES,
        "majors of the catalog without a 专业简介 (no description or courses)",
        no_profile,
        severity="note",
    )
    log.add(MAJOR_PROFILES, "profiles whose course list could not be parsed", no_courses)
    log.add(MAJOR_PROFILES, "profiles whose level differs from the catalog's (catalog kept)", level_mismatch)
    log.add(
        MAJOR_PROFILES,
        "profiles of majors missing from the catalog (ignored)",
        sorted(set(profiles) - set(majors) - {c.split()[0] for c in bad_level}),
    )
    return majors


def strip_green_digital_mark(name: str) -> str:
    """``大地测量工程技术人员L/S`` → ``大地测量工程技术人员`` (the 大典's green/digital occupation marks)."""
    return _GREEN_DIGITAL_MARK.sub("", name)


def import_dadian(cn_dir: Path, log: ImportLog) -> dict[str, Occupation]:
    """Occupations of the 职业分类大典 2022, all four levels (1 大类 … 4 细类).

    Rows sharing a code are merged (the most detailed level and the longest texts win, aliases are united);
    the green/digital marks L, S, L/S are stripped from names; aliases equal to the name are dropped.
    """
    rows = read_official_csv(cn_dir / DADIAN, ["level", "code", "name", "definition", "tasks", "alias"])
    groups: dict[str, list[dict[str, str]]] = defaultdict(list)
    bad = []
    for r in rows:
        code = _code(r["code"])
        if not re.fullmatch(r"\d-\d{2}-\d{2}-\d{2}", code) or r["level"].strip() not in ("1", "2", "3", "4"):
            bad.append(f"{code} (level {r['level']!r})")
            continue
        groups[code].append(r)
    occupations: dict[str, Occupation] = {}
    merged, marked = [], []
    for code, group in groups.items():
        if len(group) > 1:
            merged.append(code)
        best = max(group, key=lambda r: (int(r["level"]), len(r["definition"]) + len(r["tasks"])))
        name = strip_green_digital_mark(clean_text(best["name"]))
        if name != clean_text(best["name"]):
            marked.append(code)
        aliases: list[str] = []
        for r in group:
            for alias in _ALIAS_SEPARATORS.split(r["alias"]):
                alias = strip_green_digital_mark(clean_text(alias))
                if alias and alias != name:
                    aliases += [a.strip() for a in alias.split("、") if a.strip() and a.strip() != name]
        occupations[code] = Occupation(
            occupation_code=code,
            name=name,
            level=int(best["level"]),
            definition=max((clean_text(r["definition"]) for r in group), key=len),
            tasks=max((clean_text(r["tasks"]) for r in group), key=len),
            aliases=tuple(dict.fromkeys(aliases)),
            taxonomy="dadian2022",
        )
    log.add(DADIAN, "rows skipped: bad code or level", bad)
    log.add(DADIAN, "codes listed on several rows, merged into one occupation", merged)
    log.add(
        DADIAN, "names carrying the green/digital mark L, S or L/S (mark stripped)", marked, severity="note"
    )
    return occupations


def import_major_occupations(
    cn_dir: Path, majors: dict[str, Major], occupations: dict[str, Occupation], log: ImportLog
) -> list[MajorOccupation]:
    """Links of the four 专业-职业 tables; adds to ``majors`` the majors only these tables name.

    普通本科 majors exist only here: they are created with level 普通本科, taxonomy ``moe-undergraduate`` and
    their 学科门类 as category. Vocational majors missing from the catalog (the 国家控制布点 ``K`` majors such
    as 520101K 临床医学) are created at the table's level with the 专业大类/专业类 of their code prefix. Links
    to an occupation code the 大典 does not have are dropped and counted.
    """
    prefix_names: dict[
        str, tuple[str, str]
    ] = {}  # 专业类 code → (专业大类, 专业类); 专业大类 code → (专业大类, "")
    for m in majors.values():
        if m.taxonomy == "moe-vocational":
            prefix_names.setdefault(m.major_code[:4], (m.category, m.subcategory))
            prefix_names.setdefault(m.major_code[:2], (m.category, ""))
    links: list[MajorOccupation] = []
    seen: set[tuple[str, str]] = set()
    for level, filename in LINK_FILES.items():
        rows = read_official_csv(cn_dir / filename, ["专业代码", "专业名称", "职业编码"])
        created, dropped, duplicates, other_level = [], [], [], []
        for r in rows:
            major_code, occupation_code = _code(r["专业代码"]), _code(r["职业编码"])
            if not major_code:
                continue
            if major_code not in majors:
                name = clean_text(r["专业名称"])
                if level == "普通本科":
                    majors[major_code] = Major(
                        major_code,
                        name,
                        level,
                        category=UNDERGRADUATE_DISCIPLINES.get(major_code[:2], ""),
                        taxonomy="moe-undergraduate",
                    )
                else:
                    category, subcategory = prefix_names.get(major_code[:4]) or prefix_names.get(
                        major_code[:2], ("", "")
                    )
                    majors[major_code] = Major(
                        major_code,
                        name,
                        level,
                        category=category,
                        subcategory=subcategory,
                        taxonomy="moe-vocational",
                    )
                    created.append(f"{major_code} {name}")
            elif majors[major_code].level != level:
                other_level.append(f"{major_code} ({majors[major_code].level})")
            if occupation_code not in occupations:
                dropped.append(f"{major_code}→{occupation_code}")
                continue
            if (major_code, occupation_code) in seen:
                duplicates.append(f"{major_code}→{occupation_code}")
                continue
            seen.add((major_code, occupation_code))
            links.append(MajorOccupation(major_code, occupation_code, "official"))
        log.add(filename, "links dropped: occupation code not in the 大典 2022", dropped)
        log.add(filename, "duplicate links dropped", duplicates)
        log.add(filename, f"{level} majors missing from the 专业目录, created from this table", created)
        log.add(filename, f"majors listed here whose catalog level is not {level} (link kept)", other_level)
    return links


def read_partner_list(path: Path) -> list[str]:
    """Partner colleges named in a file: one per line, a 学校标识码 or the exact 学校名称.

    The first field of a CSV line is used; empty lines and lines starting with ``#`` are skipped.
    """
    if not path.is_file():
        raise UserError(f"partners file {path} does not exist")
    text = decode_text(path.read_bytes())
    if text is None:
        raise UserError(f"cannot decode partners file {path} as UTF-8 or GB18030")
    names = []
    for line in text.splitlines():
        first = re.split(r"[,\t]", line, maxsplit=1)[0].strip().strip('"').strip()
        if first and not first.startswith("#"):
            names.append(first)
    return names


def import_colleges(cn_dir: Path, log: ImportLog, partners: Iterable[str] = ()) -> dict[str, College]:
    """Colleges of the MOE lists: 普通高等学校 (kind 本科/专科 from 办学层次), 成人高等学校
    (kind 成人高校) and their 开放大学 (kind 开放大学).

    ``city`` is 所在地 where the list gives it, else the province. No list says which colleges take part in
    the 求学圆梦 programme, so ``is_partner`` is false except for the colleges named in ``partners``
    (学校标识码 or exact 学校名称).
    """
    colleges: dict[str, College] = {}
    duplicates, bad_kind = [], []

    def add(college: College, source: str) -> None:
        if college.college_id in colleges:
            duplicates.append(f"{college.college_id} {college.name} ({source})")
        else:
            colleges[college.college_id] = college

    for r in read_official_csv(
        cn_dir / COLLEGES_REGULAR, ["省级地区", "学校名称", "学校标识码", "所在地", "办学层次"]
    ):
        kind = r["办学层次"].strip()
        if kind not in ("本科", "专科"):
            bad_kind.append(f"{r['学校标识码']} {kind!r}")
            continue
        province = clean_text(r["省级地区"])
        add(
            College(
                _code(r["学校标识码"]),
                clean_text(r["学校名称"]),
                province,
                clean_text(r["所在地"]) or province,
                kind,
                is_partner=False,
            ),
            COLLEGES_REGULAR,
        )
    open_rows = read_official_csv(cn_dir / OPEN_UNIVERSITIES, ["省级地区", "学校名称", "学校标识码"])
    open_ids = {_code(r["学校标识码"]) for r in open_rows}
    adult_rows = read_official_csv(cn_dir / COLLEGES_ADULT, ["省级地区", "学校名称", "学校标识码"])
    adult_ids = {_code(r["学校标识码"]) for r in adult_rows}
    for r in adult_rows + [r for r in open_rows if _code(r["学校标识码"]) not in adult_ids]:
        college_id = _code(r["学校标识码"])
        province = clean_text(r["省级地区"])
        city = clean_text(r.get("所在地", "")) or province
        kind = "开放大学" if college_id in open_ids else "成人高校"
        add(
            College(college_id, clean_text(r["学校名称"]), province, city, kind, is_partner=False),
            OPEN_UNIVERSITIES if college_id not in adult_ids else COLLEGES_ADULT,
        )
    log.add(COLLEGES_REGULAR, "rows skipped: 办学层次 is neither 本科 nor 专科", bad_kind)
    log.add("colleges", "colleges listed twice (first kept)", duplicates)

    partners = list(partners)
    if partners:
        by_name = {c.name: c.college_id for c in colleges.values()}
        unmatched = []
        for entry in partners:
            college_id = _code(entry) if _code(entry) in colleges else by_name.get(entry.strip())
            if college_id is None:
                unmatched.append(entry)
                continue
            c = colleges[college_id]
            colleges[college_id] = College(c.college_id, c.name, c.province, c.city, c.kind, is_partner=True)
        log.add("partners", "partner entries matching no college id or name (ignored)", unmatched)
    return colleges
