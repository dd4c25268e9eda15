"""A small catalog for the service tests (written with the library's own writer), optionally padded with
extra programs and courses to make loading take measurable time."""

from __future__ import annotations

from pathlib import Path

from recommender.catalog.loader import write_catalog
from recommender.catalog.model import College, Course, Major, MajorOccupation, Occupation, Program

COLLEGES = [
    College("C001", "江苏开放大学", "江苏省", "南京市", "开放大学", teaching_points=("苏州市",)),
    College("C002", "苏州工业职业技术学院", "江苏省", "苏州市", "专科"),
]
# Enough occupations with aliases for the matcher to fit its occupation linker (recommendation tests).
OCCUPATIONS = [
    Occupation(
        "4-02-07-02",
        "快递员",
        definition="从事快件收寄和投递的人员。",
        aliases=("快递小哥", "快递配送员", "送快递的"),
    ),
    Occupation(
        "4-12-01-01",
        "汽车维修工",
        definition="从事汽车维护和修理的人员。",
        aliases=("汽修工", "汽车修理工", "修车师傅"),
    ),
    Occupation(
        "6-18-02-04",
        "焊工",
        definition="操作焊接设备连接金属工件的人员。",
        aliases=("电焊工", "氩弧焊工", "焊接工"),
    ),
    Occupation(
        "4-10-08-01",
        "网约配送员",
        definition="通过平台接单配送餐饮和商品的人员。",
        aliases=("外卖骑手", "外卖员", "骑手"),
    ),
    Occupation(
        "6-31-01-03",
        "电工",
        definition="从事电气设备安装维修的人员。",
        aliases=("维修电工", "电气维修工", "水电工"),
    ),
    Occupation(
        "4-10-01-05",
        "养老护理员",
        definition="从事老年人生活照料和护理的人员。",
        aliases=("护工", "养老护工", "护理员"),
    ),
]
MAJORS = [
    Major("530802", "现代物流管理", "高职专科", category="财经商贸大类"),
    Major("500211", "汽车检测与维修技术", "高职专科", category="交通运输大类"),
    Major("460110", "智能焊接技术", "高职专科", category="装备制造大类"),
]
LINKS = [
    MajorOccupation("530802", "4-02-07-02"),
    MajorOccupation("500211", "4-12-01-01"),
    MajorOccupation("460110", "6-18-02-04"),
]
PROGRAMS = [
    Program(
        "P001", "C001", "530802", "高职专科", "混合", ("晚间", "周末"), 2.5, 3200, "开放教育注册", ("南京市",)
    ),
    Program("P002", "C002", "500211", "高职专科", "线上", ("弹性",), 2.5, 2800, "成人高考", ()),
    Program("P003", "C002", "460110", "高职专科", "线下", ("周末",), 3, 3000, "成人高考", ("苏州市",)),
]
COURSES = [
    Course("K001", "仓储与配送管理", "530802", credits=3),
    Course("K002", "汽车电气设备检修", "500211", program_id="P002", credits=3.5),
]


def catalog_tables(extra_programs: int = 0, extra_college: bool = False) -> dict[str, list]:
    """The tables as dataclass rows; ``extra_programs`` adds that many programs, each with two courses."""
    colleges = list(COLLEGES)
    if extra_college:
        colleges.append(College("C003", "无锡职业技术学院", "江苏省", "无锡市", "专科"))
    programs, courses = list(PROGRAMS), list(COURSES)
    for i in range(extra_programs):
        major = MAJORS[i % len(MAJORS)].major_code
        pid = f"PX{i:06d}"
        programs.append(
            Program(
                pid, "C001", major, "高职专科", "线上", ("弹性",), 2.5, 3000 + i % 500, "开放教育注册", ()
            )
        )
        courses += [
            Course(f"KX{i:06d}a", f"课程{i}甲", major, program_id=pid, credits=2),
            Course(f"KX{i:06d}b", f"课程{i}乙", major, program_id=pid, credits=2),
        ]
    return {
        "colleges": colleges,
        "occupations": OCCUPATIONS,
        "majors": MAJORS,
        "major_occupations": LINKS,
        "programs": programs,
        "courses": courses,
    }


def write_test_catalog(directory: Path, **kwargs) -> Path:
    """Write (and validate) the test catalog into ``directory``."""
    return write_catalog(catalog_tables(**kwargs), directory)


def rows_as_json(tables: dict[str, list]) -> dict[str, list[dict]]:
    """The tables as JSON rows, the body shape of ``POST /catalog/import``."""
    out = {}
    for name, rows in tables.items():
        out[name] = [{k: list(v) if isinstance(v, tuple) else v for k, v in vars(r).items()} for r in rows]
    return out
