"""load_catalog rejects every kind of bad input with file, row, column and reason, in one pass, and a
CurrentCatalog serving a good catalog keeps serving it untouched; write_catalog writes atomically."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from catalog_fixtures import VALID_TABLES

from recommender.catalog.current import CurrentCatalog
from recommender.catalog.loader import CatalogError, Problem, load_catalog, write_catalog
from recommender.catalog.model import Major, MajorOccupation, Occupation
from recommender.errors import UserError


def replace_line(table: str, line: int, new: str) -> str:
    """The valid CSV text of ``table`` with spreadsheet row ``line`` (1 = header) replaced by ``new``."""
    lines = VALID_TABLES[table].splitlines()
    lines[line - 1] = new
    return "\n".join(lines) + "\n"


def add_lines(table: str, *new: str) -> str:
    return VALID_TABLES[table] + "".join(f"{n}\n" for n in new)


# --------------------------------------------------------------------------------------------- baseline
def test_valid_catalog_loads_with_typed_values(good_dir):
    catalog = load_catalog(good_dir)
    assert catalog.source == str(good_dir)
    assert set(catalog.majors) == {"500211", "530802", "300201", "080207", "47.0604"}
    p1 = catalog.programs["P001"]
    assert (p1.years, p1.tuition_per_year, p1.schedule, p1.places) == (
        2.5,
        3200,
        ("晚间", "周末"),
        ("南京市", "苏州市"),
    )
    assert catalog.colleges["C003"].is_partner is False
    assert catalog.colleges["C002"].is_partner is True
    assert catalog.occupations["4-02-07-02"].aliases == ("快递小哥", "快递配送员")  # 、 separates list items
    assert catalog.occupations["6-18-02-04"].taxonomy == "dadian2022"  # default when the cell is empty
    assert catalog.courses["K001"].credits == 4.0
    assert [c.course_id for c in catalog.courses_of_program("P001")] == ["K002", "K001"]


# ------------------------------------------------------------------------------------------- encodings
def test_utf8_with_bom_is_accepted(make_dir, current):
    directory = make_dir({"majors.csv": b"\xef\xbb\xbf" + VALID_TABLES["majors"].encode("utf-8")})
    catalog = current.reload(directory)
    assert current.catalog is catalog and current.source == str(directory)
    assert catalog.majors["500211"].name == "汽车检测与维修技术"


def test_gbk_file_is_accepted(make_dir, current):
    directory = make_dir(
        {
            "colleges.csv": VALID_TABLES["colleges"].encode("gbk"),
            "occupations.csv": VALID_TABLES["occupations"].encode("gb18030"),
        }
    )
    catalog = current.reload(directory)
    assert catalog.colleges["C001"].name == "江苏开放大学"
    assert catalog.colleges["C001"].teaching_points == ("苏州市", "无锡市")
    assert catalog.occupations["4-12-01-01"].definition == "从事汽车维护和修理的人员。"


def test_undecodable_file_is_rejected(make_dir, reject):
    directory = make_dir({"colleges.csv": VALID_TABLES["colleges"].encode("utf-16")})
    # programs refer to colleges, but a table that cannot be read is not reported again for every reference
    assert reject(directory) == [
        Problem(
            "colleges.csv", None, None, "cannot decode the file as UTF-8 or GB18030/GBK; save it as CSV UTF-8"
        )
    ]


# ------------------------------------------------------------------------------------ files and columns
def test_missing_required_table(make_dir, reject):
    assert reject(make_dir({"occupations.csv": None})) == [
        Problem(
            "occupations.csv",
            None,
            None,
            "the required table occupations is missing: add occupations.csv, .parquet or .xlsx",
        )
    ]


def test_optional_tables_may_be_absent_or_header_only(make_dir):
    catalog = load_catalog(make_dir({"programs.csv": None, "courses.csv": None}))
    assert catalog.programs == {} and catalog.courses == {} and len(catalog.majors) == 5
    catalog = load_catalog(
        make_dir(
            {
                "programs.csv": VALID_TABLES["programs"].splitlines()[0] + "\n",
                "courses.csv": VALID_TABLES["courses"].splitlines()[0] + "\n",
            }
        )
    )
    assert catalog.programs == {}


def test_empty_file(make_dir, reject):
    assert reject(make_dir({"majors.csv": ""})) == [
        Problem("majors.csv", None, None, "the file is empty: expected a header row naming the columns")
    ]


def test_header_without_rows_where_rows_are_needed(make_dir, reject):
    header_only = VALID_TABLES["majors"].splitlines()[0] + "\n"
    # the links, programs and courses name majors, but the empty table is the one problem reported
    assert reject(make_dir({"majors.csv": header_only})) == [
        Problem("majors.csv", None, None, "no data rows: the majors table needs at least one row")
    ]


def test_missing_required_column(make_dir, reject):
    text = (
        "\n".join(
            ",".join(c for i, c in enumerate(line.split(",")) if i != 2)
            for line in VALID_TABLES["majors"].splitlines()
        )
        + "\n"
    )
    assert "level" not in text.splitlines()[0]
    assert reject(make_dir({"majors.csv": text})) == [
        Problem(
            "majors.csv",
            None,
            "level",
            "the required column is missing (found: major_code, name, category, subcategory, description, "
            "main_courses, target_occupations, years, taxonomy)",
        )
    ]


def test_unknown_extra_columns_are_ignored(make_dir):
    lines = VALID_TABLES["colleges"].splitlines()
    text = "\n".join([lines[0] + ",联系人,备注"] + [line + ",张老师,无" for line in lines[1:]]) + "\n"
    catalog = load_catalog(make_dir({"colleges.csv": text}))
    assert catalog.colleges["C001"].name == "江苏开放大学"


def test_row_with_more_cells_than_header(make_dir, reject):
    text = replace_line("colleges", 4, "C003,苏州工业职业技术学院,江苏省,苏州市,专科,false,,吴中区,相城区")
    assert reject(make_dir({"colleges.csv": text})) == [
        Problem(
            "colleges.csv",
            4,
            None,
            "the row has 9 cells but the header has 7 columns (a value holding a comma must be quoted)",
        )
    ]


def test_two_files_for_one_table(make_dir, reject):
    directory = make_dir()
    pd.read_csv(directory / "majors.csv", dtype=str).to_parquet(directory / "majors.parquet")
    assert reject(directory) == [
        Problem(
            "majors.csv",
            None,
            None,
            "several files hold the majors table (majors.csv, majors.parquet): keep one",
        )
    ]


def test_missing_directory(tmp_path, reject):
    problems = reject(tmp_path / "nowhere")
    assert problems == [
        Problem(str(tmp_path / "nowhere"), None, None, "the catalog directory does not exist")
    ]


# ------------------------------------------------------------------------------------------------ cells
def test_empty_required_cell(make_dir, reject):
    text = replace_line("colleges", 3, "C002,,江苏省,南京市,本科,true,")
    assert reject(make_dir({"colleges.csv": text})) == [
        Problem("colleges.csv", 3, "name", "the cell is empty: a value is required")
    ]


def test_bad_level(make_dir, reject):
    text = replace_line("majors", 3, "530802,现代物流管理,高职,财经商贸大类,物流类,,,,三年,moe-vocational")
    problems = reject(make_dir({"majors.csv": text}))
    assert problems == [
        Problem("majors.csv", 3, "level", "'高职' is not one of 中职, 高职专科, 职教本科, 普通本科")
    ]
    assert (
        str(problems[0])
        == "majors.csv row 3, column level: '高职' is not one of 中职, 高职专科, 职教本科, 普通本科"
    )


def test_list_item_not_in_choices(make_dir, reject):
    text = replace_line(
        "programs", 3, "P002,C003,530802,高职专科,线上,弹性、夜校,2.5,2800,成人高考,,2026-09-01,2026-10-15"
    )
    assert reject(make_dir({"programs.csv": text})) == [
        Problem("programs.csv", 3, "schedule", "'夜校' is not one of 全日制, 晚间, 周末, 弹性")
    ]


def test_bad_numbers(make_dir, reject):
    programs = replace_line(
        "programs", 2, "P001,C001,500211,高职专科,混合,晚间;周末,两年半,三千,开放教育注册,,,"
    )
    occupations = replace_line(
        "occupations", 4, "6-18-02-04,焊工,四,操作焊接设备连接金属工件的人员。,,电焊工,,"
    )
    courses = replace_line("courses", 2, "K001,汽车发动机构造与维修,500211,,,-2,")
    assert reject(
        make_dir({"programs.csv": programs, "occupations.csv": occupations, "courses.csv": courses})
    ) == [
        Problem("occupations.csv", 4, "level", "'四' is not a whole number"),
        Problem("programs.csv", 2, "years", "'两年半' is not a number"),
        Problem("programs.csv", 2, "tuition_per_year", "'三千' is not a whole number"),
        Problem("courses.csv", 2, "credits", "credits cannot be negative"),
    ]


def test_bad_bool(make_dir, reject):
    text = replace_line("colleges", 2, "C001,江苏开放大学,江苏省,南京市,开放大学,maybe,苏州市")
    assert reject(make_dir({"colleges.csv": text})) == [
        Problem("colleges.csv", 2, "is_partner", "'maybe' is not a yes/no value (write true or false)")
    ]


def test_bad_dates(make_dir, reject):
    text = add_lines(
        "programs",
        "P004,C001,530802,高职专科,线上,弹性,2.5,2800,成人高考,,2026-02-30,",
        "P005,C001,530802,高职专科,线上,弹性,2.5,2800,成人高考,,2026-09-01,2026-08-01",
    )
    assert reject(make_dir({"programs.csv": text})) == [
        Problem(
            "programs.csv",
            5,
            "enrolment_start",
            "'2026-02-30' is not a date (write YYYY-MM-DD, e.g. 2026-03-01)",
        ),
        Problem("programs.csv", 6, "enrolment_end", "2026-08-01 is before enrolment_start 2026-09-01"),
    ]


def test_code_formats_per_taxonomy(make_dir, reject):
    occupations = add_lines(
        "occupations",
        "6-1802-05,电焊工,4,,,,,dadian2022",
        "493023,Mechanics,4,,,,,soc2018",
        "9-99-99-01,其他,4,,,,49-3O23,",
    )
    majors = add_lines(
        "majors",
        "80208,车辆工程（学位）,普通本科,,,,,,,moe-undergraduate",
        "47.06,Vehicle Maintenance,普通本科,,,,,,,cip2020",
        "500299,其他,高职专科,,,,,,,moe-unknown",
    )
    assert reject(make_dir({"occupations.csv": occupations, "majors.csv": majors})) == [
        Problem(
            "occupations.csv",
            6,
            "occupation_code",
            "'6-1802-05' is not a 大典 2022 code like 4-12-01-01 (taxonomy dadian2022)",
        ),
        Problem(
            "occupations.csv",
            7,
            "occupation_code",
            "'493023' is not an SOC code like 49-3023 or 49-3023.00 (taxonomy soc2018)",
        ),
        Problem("occupations.csv", 8, "soc_code", "'49-3O23' is not an SOC code like 49-3023 or 49-3023.00"),
        Problem(
            "majors.csv",
            7,
            "major_code",
            "'80208' is not an MOE undergraduate major code like 080901, 080910T or 0502100T "
            "(taxonomy moe-undergraduate) (a spreadsheet may have dropped its leading zeros: "
            "format the column as text)",
        ),
        Problem(
            "majors.csv", 8, "major_code", "'47.06' is not a CIP 2020 code like 01.0101 (taxonomy cip2020)"
        ),
        Problem(
            "majors.csv",
            9,
            "taxonomy",
            "'moe-unknown' is not one of moe-vocational, moe-undergraduate, cip2020",
        ),
    ]


# ------------------------------------------------------------------------------------------------- keys
def test_duplicate_id(make_dir, reject):
    text = add_lines("colleges", "C002,南京工业职业技术大学（江北校区）,江苏省,南京市,本科,true,")
    problems = reject(make_dir({"colleges.csv": text}))
    assert problems == [
        Problem("colleges.csv", 5, "college_id", "duplicate key college_id 'C002' (first at row 3)")
    ]


def test_duplicate_compound_key(make_dir, reject):
    text = add_lines("major_occupations", "500211,4-12-01-01,demo")
    assert reject(make_dir({"major_occupations.csv": text})) == [
        Problem(
            "major_occupations.csv",
            5,
            "occupation_code",
            "duplicate key major_code '500211', occupation_code '4-12-01-01' (first at row 2)",
        )
    ]


# --------------------------------------------------------------------------------------- cross-table
def test_unknown_code_references(make_dir, reject):
    links = add_lines("major_occupations", "500211,4-99-99-99,official", "999999,4-12-01-01,official")
    programs = replace_line(
        "programs", 3, "P002,C999,530802,高职专科,线上,弹性,2.5,2800,成人高考,,2026-09-01,2026-10-15"
    )
    courses = add_lines("courses", "K004,物流英语,530802,P404,,2,")
    assert reject(
        make_dir({"major_occupations.csv": links, "programs.csv": programs, "courses.csv": courses})
    ) == [
        Problem(
            "major_occupations.csv",
            5,
            "occupation_code",
            "unknown occupation_code '4-99-99-99': no such row in occupations.csv",
        ),
        Problem(
            "major_occupations.csv", 6, "major_code", "unknown major_code '999999': no such row in majors.csv"
        ),
        Problem("programs.csv", 3, "college_id", "unknown college_id 'C999': no such row in colleges.csv"),
        Problem("courses.csv", 5, "program_id", "unknown program_id 'P404': no such row in programs.csv"),
    ]


def test_program_level_differs_from_major_level(make_dir, reject):
    text = replace_line("programs", 4, "P003,C002,300201,高职专科,线下,周末,3,4500,专升本,南京市,,")
    assert reject(make_dir({"programs.csv": text})) == [
        Problem(
            "programs.csv", 4, "level", "level '高职专科' differs from the level of major 300201 ('职教本科')"
        )
    ]


def test_course_major_differs_from_program_major(make_dir, reject):
    text = replace_line("courses", 4, "K003,仓储与配送管理,500211,P002,,3,线上")
    assert reject(make_dir({"courses.csv": text})) == [
        Problem(
            "courses.csv",
            4,
            "major_code",
            "major_code '500211' differs from the major of program P002 ('530802')",
        )
    ]


def test_several_problems_in_one_file_reported_in_one_pass(make_dir, reject):
    text = (
        VALID_TABLES["programs"].splitlines()[0] + "\n"
        "P001,C001,500211,高职专科,混合,晚间;周末,2.5,3200,开放教育注册,南京市,2026-03-01,2026-04-30\n"
        "P002,C003,530802,高职专科,函授,弹性,2.5,abc,成人高考,,2026-09-01,2026-10-15\n"
        "P003,C002,300201,职教本科,线下,,3,4500,专升本,南京市,,\n"
        "P001,C001,500211,高职专科,混合,晚间,2.5,3200,开放教育注册,南京市,,\n"
    )
    problems = reject(make_dir({"programs.csv": text}))
    assert problems == [
        Problem("programs.csv", 3, "study_mode", "'函授' is not one of 线上, 线下, 混合"),
        Problem("programs.csv", 3, "tuition_per_year", "'abc' is not a whole number"),
        Problem("programs.csv", 4, "schedule", "the cell is empty: a value is required"),
        Problem("programs.csv", 5, "program_id", "duplicate key program_id 'P001' (first at row 2)"),
    ]


def test_problems_in_several_files_reported_together(make_dir, reject):
    problems = reject(
        make_dir(
            {
                "occupations.csv": None,
                "majors.csv": replace_line("majors", 2, "500211,汽车检测与维修技术,高职,,,,,,,"),
                "colleges.csv": replace_line("colleges", 2, "C001,江苏开放大学,江苏省,南京市,大学,true,"),
            }
        )
    )
    # in table order (colleges, occupations, majors, ...), then by row
    assert [(p.file, p.row, p.column) for p in problems] == [
        ("colleges.csv", 2, "kind"),
        ("occupations.csv", None, None),
        ("majors.csv", 2, "level"),
    ]


# ----------------------------------------------------------------------------- normalisation, formats
def test_full_width_spaces_and_leading_zeros_are_normalised(make_dir, current):
    programs = (
        VALID_TABLES["programs"].splitlines()[0] + "\n"
        "\u3000P001 ,C001,５００２１１,高职专科,混合,晚间；周末,２.５,"
        '"3,200",开放教育注册,南京市｜苏州市、无锡市,'
        "2026年3月1日,2026/04/30\n"
        "P002,C003,530802,高职专科,线上,弹性,2.5,2800,成人高考,,2026-09-01,2026-10-15\n"
        "P003,C002,300201,职教本科,线下,周末,3,4500,专升本,南京市,,\n"
    )
    majors = replace_line(
        "majors", 5, "080207,\u3000车辆工程（ＣＡＤ方向）\u3000,普通本科,工学,,,,,四年,moe-undergraduate"
    )
    colleges = replace_line("colleges", 4, "C003,苏州工业职业技术学院,江苏省,苏州市,专科,否,")
    catalog = current.reload(
        make_dir({"programs.csv": programs, "majors.csv": majors, "colleges.csv": colleges})
    )
    p1 = catalog.programs["P001"]
    assert (p1.program_id, p1.major_code, p1.years, p1.tuition_per_year) == ("P001", "500211", 2.5, 3200)
    assert p1.schedule == ("晚间", "周末")
    assert p1.places == ("南京市", "苏州市", "无锡市")
    assert (p1.enrolment_start, p1.enrolment_end) == ("2026-03-01", "2026-04-30")
    assert "080207" in catalog.majors  # leading zero kept
    assert (
        catalog.majors["080207"].name == "车辆工程（ＣＡＤ方向）"
    )  # Chinese text kept as written, only stripped
    assert catalog.colleges["C003"].is_partner is False


def test_xlsx_is_read_with_numbers_dates_and_sheet_rows(make_dir, reject):
    directory = make_dir({"programs.csv": None, "colleges.csv": None})
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "programs"
    ws.append(VALID_TABLES["programs"].splitlines()[0].split(","))
    ws.append(
        [
            "P001",
            "C001",
            500211,
            "高职专科",
            "混合",
            "晚间;周末",
            2.5,
            3200,
            "开放教育注册",
            "南京市;苏州市",
            dt.datetime(2026, 3, 1),
            dt.date(2026, 4, 30),
        ]
    )
    ws.append(
        ["P002", "C003", "530802", "高职专科", "线上", "弹性", 2.5, 2800.0, "成人高考", None, None, None]
    )
    ws.append(["P003", "C002", "300201", "职教本科", "线下", "周末", 3, 4500, "专升本", "南京市", None, None])
    wb.save(directory / "programs.xlsx")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["college_id", "name", "province", "city", "kind", "is_partner"])
    ws.append(["C001", "江苏开放大学", "江苏省", "南京市", "开放大学", True])
    ws.append(["C002", "南京工业职业技术大学", "江苏省", "南京市", "本科", None])
    ws.append(["C003", "苏州工业职业技术学院", "江苏省", "苏州市", "专科", False])
    wb.save(directory / "colleges.xlsx")
    catalog = load_catalog(directory)
    p1 = catalog.programs["P001"]
    assert (p1.major_code, p1.tuition_per_year, p1.years, p1.enrolment_start, p1.enrolment_end) == (
        "500211",
        3200,
        2.5,
        "2026-03-01",
        "2026-04-30",
    )
    assert catalog.programs["P002"].tuition_per_year == 2800
    assert [c.is_partner for c in catalog.colleges.values()] == [True, True, False]

    ws = wb.active
    ws.cell(row=3, column=5, value="大学")
    bad = make_dir({"colleges.csv": None})
    wb.save(bad / "colleges.xlsx")
    assert reject(bad) == [
        Problem("colleges.xlsx", 3, "kind", "'大学' is not one of 本科, 专科, 开放大学, 成人高校")
    ]


def test_parquet_is_read(make_dir, current):
    directory = make_dir({"majors.csv": None, "programs.csv": None})
    majors = pd.read_csv(Path(make_dir()) / "majors.csv", dtype=str, keep_default_na=False)
    majors.to_parquet(directory / "majors.parquet")
    programs = pa.table(
        {
            "program_id": ["P001", "P002", "P003"],
            "college_id": ["C001", "C003", "C002"],
            "major_code": ["500211", "530802", "300201"],
            "level": ["高职专科", "高职专科", "职教本科"],
            "study_mode": ["混合", "线上", "线下"],
            "schedule": [["晚间", "周末"], ["弹性"], ["周末"]],
            "years": [2.5, 2.5, 3.0],
            "tuition_per_year": [3200, 2800, 4500],
            "entry_route": ["开放教育注册", "成人高考", "专升本"],
            "places": [["南京市"], [], None],
        }
    )
    pq.write_table(programs, directory / "programs.parquet")
    catalog = current.reload(directory)
    assert catalog.majors["080207"].level == "普通本科"
    assert catalog.programs["P001"].schedule == ("晚间", "周末")
    assert catalog.programs["P003"].years == 3.0 and catalog.programs["P003"].places == ()


# ------------------------------------------------------------------------------------------ the writer
def test_write_catalog_round_trips_a_catalog(good_dir, tmp_path):
    catalog = load_catalog(good_dir)
    out = write_catalog(catalog, tmp_path / "copy")
    again = load_catalog(out)
    for table in ("colleges", "occupations", "majors", "major_occupations", "programs", "courses"):
        assert getattr(again, table) == getattr(catalog, table), table
    assert (out / "majors.csv").read_bytes().startswith(b"major_code,")  # UTF-8 without BOM
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging left behind


def test_write_catalog_accepts_dataclasses_and_dataframes(tmp_path):
    majors = pd.DataFrame(
        {
            "major_code": ["500211"],
            "name": ["汽车检测与维修技术"],
            "level": ["高职专科"],
            "main_courses": [("汽车电气", "发动机")],
        }
    )
    occupations = [Occupation("4-12-01-01", "汽车维修工", aliases=("汽修工",))]
    out = write_catalog(
        {
            "majors": majors,
            "occupations": occupations,
            "major_occupations": [MajorOccupation("500211", "4-12-01-01")],
        },
        tmp_path / "c",
    )
    catalog = load_catalog(out)
    assert catalog.majors["500211"].main_courses == ("汽车电气", "发动机")
    assert catalog.occupations["4-12-01-01"].aliases == ("汽修工",)
    assert catalog.colleges == {} and (out / "colleges.csv").read_text(encoding="utf-8").startswith(
        "college_id,"
    )


def test_write_catalog_validates_before_replacing(good_dir, tmp_path):
    target = tmp_path / "live"
    write_catalog(load_catalog(good_dir), target)
    before = {p.name: p.read_bytes() for p in target.iterdir()}
    bad = [Major("500211", "汽车检测与维修技术", "高职")]
    with pytest.raises(CatalogError) as info:
        write_catalog({"majors": bad, "occupations": [Occupation("4-12-01-01", "汽车维修工")]}, target)
    assert info.value.problems == [
        Problem("majors.csv", 2, "level", "'高职' is not one of 中职, 高职专科, 职教本科, 普通本科")
    ]
    assert {p.name: p.read_bytes() for p in target.iterdir()} == before
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]  # staging removed


def test_write_catalog_refuses_unsafe_input(tmp_path):
    with pytest.raises(ValueError, match="contains a list separator"):
        write_catalog(
            {"majors": [Major("500211", "汽修", "高职专科", main_courses=("电工、电子",))]}, tmp_path / "a"
        )
    with pytest.raises(ValueError, match="unknown tables students"):
        write_catalog({"students": []}, tmp_path / "b")
    other = tmp_path / "home"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    with pytest.raises(UserError, match="refusing to replace"):
        write_catalog({"majors": [Major("500211", "汽修", "高职专科")]}, other)
    assert (other / "notes.txt").read_text() == "mine"


# --------------------------------------------------------------------------------------- CurrentCatalog
def test_current_catalog_swaps_only_on_success(good_dir, make_dir):
    current = CurrentCatalog()
    assert not current.loaded
    with pytest.raises(UserError):
        _ = current.catalog
    first = current.reload(good_dir)
    assert current.catalog is first
    second = current.reload()  # the same directory again
    assert second is not first and current.catalog is second
    with pytest.raises(CatalogError):
        current.reload(make_dir({"majors.csv": ""}))
    assert current.catalog is second
