"""The catalog directory format: which tables, which columns, what each column holds.

A catalog directory holds one file per table, named ``<table>.csv`` (UTF-8, UTF-8 with BOM, GB18030/GBK),
``<table>.parquet`` or ``<table>.xlsx``. This module is the single description of that format; the loader
validates against it, the importers and the demo generator write it, and the README documents it from it.
List-valued columns hold items separated by ``;`` (``；``, ``、`` and ``|`` are accepted on input).
"""

from __future__ import annotations

from dataclasses import dataclass

from recommender.catalog.model import (
    COLLEGE_KINDS,
    ENTRY_ROUTES,
    MAJOR_LEVELS,
    MAJOR_TAXONOMIES,
    OCCUPATION_TAXONOMIES,
    SCHEDULES,
    STUDY_MODES,
)

LIST_SEPARATOR = ";"


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # "str", "code", "int", "float", "bool", "list", "date"
    required: bool = True  # the column must exist
    nonempty: bool = False  # every row needs a value
    choices: tuple[str, ...] = ()
    doc: str = ""


@dataclass(frozen=True)
class Table:
    name: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    required: bool = True  # the file must exist in a catalog directory
    doc: str = ""

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def _c(name, kind="str", required=True, nonempty=False, choices=(), doc=""):
    return Column(name, kind, required, nonempty, tuple(choices), doc)



TABLES: tuple[Table, ...] = (
    Table(
        "colleges",
        ("college_id",),
        (
            _c("college_id", "code", nonempty=True, doc="stable id (MOE 学校标识码 for real colleges)"),
            _c("name", nonempty=True),
            _c("province", nonempty=True),
            _c("city", nonempty=True, doc="seat of the college"),
            _c("kind", nonempty=True, choices=COLLEGE_KINDS),
            _c("is_partner", "bool", required=False, doc="partner of the 求学圆梦 programme; default true"),
            _c("teaching_points", "list", required=False, doc="other cities where it teaches"),
            _c("is_demo", "bool", required=False, doc="fictional demo college"),
        ),
        doc="colleges and universities",
    ),
    Table(
        "occupations",
        ("occupation_code",),
        (
            _c("occupation_code", "code", nonempty=True, doc="大典 2022 code 4-12-01-01 or SOC 49-3023"),
            _c("name", nonempty=True),
            _c("level", "int", required=False, doc="1 大类 · 2 中类 · 3 小类 · 4 细类; default 4"),
            _c("definition", required=False),
            _c("tasks", required=False),
            _c("aliases", "list", required=False),
            _c("soc_code", "code", required=False, doc="English SOC/O*NET equivalent"),
            _c("taxonomy", required=False, choices=OCCUPATION_TAXONOMIES, doc="default dadian2022"),
        ),
        doc="occupations of the 职业分类大典 2022 (and SOC for English)",
    ),
    Table(
        "majors",
        ("major_code",),
        (
            _c("major_code", "code", nonempty=True, doc="national major code, e.g. 460306"),
            _c("name", nonempty=True),
            _c("level", nonempty=True, choices=MAJOR_LEVELS),
            _c("category", required=False, doc="专业大类"),
            _c("subcategory", required=False, doc="专业类"),
            _c("description", required=False, doc="专业简介: training goal, abilities"),
            _c("main_courses", "list", required=False),
            _c("target_occupations", required=False, doc="职业面向 text"),
            _c("years", required=False),
            _c("taxonomy", required=False, choices=MAJOR_TAXONOMIES, doc="default moe-vocational"),
        ),
        doc="majors of the national catalogs",
    ),
    Table(
        "major_occupations",
        ("major_code", "occupation_code"),
        (
            _c("major_code", "code", nonempty=True),
            _c("occupation_code", "code", nonempty=True),
            _c("source", required=False, doc="official · demo; default official"),
        ),
        doc="major ↔ occupation links",
    ),
    Table(
        "programs",
        ("program_id",),
        (
            _c("program_id", "code", nonempty=True),
            _c("college_id", "code", nonempty=True),
            _c("major_code", "code", nonempty=True),
            _c("level", nonempty=True, choices=MAJOR_LEVELS),
            _c("study_mode", nonempty=True, choices=STUDY_MODES),
            _c("schedule", "list", nonempty=True, choices=SCHEDULES),
            _c("years", "float", nonempty=True),
            _c("tuition_per_year", "int", nonempty=True, doc="yuan"),
            _c("entry_route", nonempty=True, choices=ENTRY_ROUTES),
            _c("places", "list", required=False, doc="cities where it is taught; empty for online only"),
            _c("enrolment_start", "date", required=False),
            _c("enrolment_end", "date", required=False),
        ),
        required=False,
        doc="a major offered by a college",
    ),
    Table(
        "courses",
        ("course_id",),
        (
            _c("course_id", "code", nonempty=True),
            _c("name", nonempty=True),
            _c("major_code", "code", nonempty=True),
            _c("program_id", "code", required=False, doc="empty: taught in every program of the major"),
            _c("description", required=False),
            _c("credits", "float", required=False),
            _c("mode", required=False, choices=STUDY_MODES),
        ),
        required=False,
        doc="courses of a major or of one program",
    ),
)

TABLES_BY_NAME = {t.name: t for t in TABLES}
FILE_SUFFIXES = (".csv", ".parquet", ".xlsx")
