"""Importers of the official data, on small made-up files with the official column headers, and once on the
real ../shared/data when it is there."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from recommender.catalog.importers import DATA_DIR_ENV, cn, en, import_official, resolve_data_dir
from recommender.catalog.importers.common import ImportLog, clean_text
from recommender.catalog.loader import load_catalog, write_catalog
from recommender.cli import main
from recommender.errors import UserError

SHARED_DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"

CN_FILES = {
    "vocational_major_catalog.csv": (
        "专业大类代码,专业大类,专业类代码,专业类,专业代码,专业名称,层次,备注\n"
        "66,装备制造大类,6603,机械设计制造类,660301,机械制造技术,中职,\n"
        "46,装备制造大类,4601,机械设计制造类,460104,机械制造及自动化,高职专科,\n"
        "26,装备制造大类,2601,机械设计制造类,260101,机械设计制造及自动化,职教本科,\n"
        "52,医药卫生大类,5202,护理类,520201,护理,高职专科,2025年12月新增\n"
    ),
    "major_profiles.csv": (
        "code,name,years,occupation_orientation,training_goal,abilities,courses,certificates,continuing,level\n"
        "460104,机械制造及自动化,三年,面向机械 工程技术人员等职业，机械加工等岗位（群）。,"
        "本专业培养能够从事 机械加工 的技术技能人才。,"
        "1. 具有识图能力； 2. 具有 $1 0 \\mathrm { k V }$ 电工能力。,"
        "专业基础课程：机械制图、 电工电子技术、工程材料（金属、非金属）。 专业核心课程：数控编程与加工、"
        "$\\mathrm { C O } _ { 2 }$ 气体保护焊。 实习实训：在企业进行岗位实习。,,,高职专科\n"
        "260101,机械设计制造及自动化,四年,面向机械工程技术人员等职业。,培养高层次技术技能人才。,"
        "1. 具有设计能力。,"
        "专业基础课：工程力学、机械原理。 专业核心课：智能制造系统。 实习实训：实训。,,,职教本科\n"
    ),
    "occupations_dadian_2022.csv": (
        "level,code,code_num,name,definition,tasks,csco_code_num,alias\n"
        "1,6-00-00-00,6000000,生产制造及有关人员,,,6000000,生产制造及有关人员\n"
        "3,6-18-01-00,6180100,机械冷加工人员,,,6180100,机械冷加工人员\n"
        "4,6-18-01-01,6180101,车工,操作车床进行切削加工的人员。,1.操作 车床 2.检验工件,6180101,"
        '"车床工,车工,数控车工"\n'
        "4,6-18-01-01,6180101,车工,操作车床进行切削加工的人员。,1.操作 车床 2.检验工件 3.保养设备,"
        "6180101,车工师傅\n"
        "4,2-02-07-02,2020702,机械设计工程技术人员L/S,从事机械设计的工程技术人员。,,2020702,"
        '"机械设计工程技术人员L/S,机械工程师,结构、工艺设计员"\n'
        "4,4-10-01-05,4100105,护理员,从事生活照护的人员。,,4100105,护工\n"
    ),
    "major_occupation_zhongzhi.csv": (
        "专业代码,专业名称,职业编码,职业名称\n660301,机械制造技术,6-18-01-01,车工\n"
    ),
    "major_occupation_gaozhi_zhuanke.csv": (
        "专业代码,专业名称,职业编码,职业名称\n"
        "460104,机械制造及自动化,6-18-01-01,车工\n"
        "460104,机械制造及自动化,6-18-01-01,车工\n"
        "460104,机械制造及自动化,9-99-99-99,不存在的职业\n"
        "520202K,助产,4-10-01-05,护理员\n"
    ),
    "major_occupation_zhijiao_benke.csv": (
        "专业代码,专业名称,职业编码,职业名称\n260101,机械设计制造及自动化,2-02-07-02,机械设计工程技术人员\n"
    ),
    "major_occupation_putong_benke.csv": (
        "专业代码,专业名称,职业编码,职业名称\n"
        "080202,机械设计制造及其自动化,2-02-07-02,机械设计工程技术人员\n"
        "080213T,智能制造工程,6-18-01-01,车工\n"
    ),
    "colleges_regular_2026.csv": (
        "序号,省级地区,学校名称,学校标识码,主管部门,所在地,办学层次,备注\n"
        "1,江苏省,示例理工大学,4132010001,江苏省,南京市,本科,\n"
        "2,江苏省,示例职业技术学院,4132010002,江苏省,苏州市,专科,民办\n"
    ),
    "colleges_adult_2026.csv": (
        "序号,省级地区,学校名称,学校标识码,主管部门,备注\n"
        "1,江苏省,示例市职工大学,4232010001,江苏省,\n"
        "2,江苏省,示例开放大学,4232010002,江苏省,\n"
    ),
    "open_universities_2026.csv": (
        "序号,省级地区,学校名称,学校标识码,主管部门,备注\n2,江苏省,示例开放大学,4232010002,江苏省,\n"
    ),
}

EN_FILES = {
    "cip2020.csv": (
        "CIPFamily,CIPCode,Action,TextChange,CIPTitle,CIPDefinition,CrossReferences,Examples\n"
        "47,47,No substantive changes,no,MECHANIC AND REPAIR TECHNOLOGIES/TECHNICIANS.,"
        "Programs on repair.,,\n"
        "47,47.06,No substantive changes,no,Vehicle Maintenance and Repair Technologies.,"
        "See 47.0600-47.0699.,,\n"
        "47,47.0604,No substantive changes,no,Automobile/Automotive Mechanics Technology/Technician.,"
        "A program that prepares individuals to repair automobiles.,,"
        '"Examples: - Auto Mechanic, - Car Tech"\n'
        '47,47.0699,New,yes,"Vehicle Maintenance and Repair Technologies, Other.",Any other program.,,\n'
        "47,47.0698,Moved from,no,Old Vehicle Program.,Moved from 47.0698 to 47.0699,,\n"
        '47,47.0697,Deleted,no,Retired Vehicle Program.,"Deleted, Report under 47.0604",,\n'
    ),
    "onet/Occupation Data.csv": (
        "O*NET-SOC Code,Title,Description\n"
        "49-3023.00,Automotive Service Technicians and Mechanics,Diagnose and repair automobiles.\n"
        "49-3023.01,Automotive Master Mechanics,Repair automobiles of all kinds.\n"
        "51-4041.00,Machinists,Set up and operate machine tools.\n"
    ),
    "onet/Task Statements.csv": (
        "O*NET-SOC Code,Title,Task ID,Task,Task Type,Incumbents Responding,Date,Domain Source\n"
        "49-3023.00,Automotive Service Technicians and Mechanics,1,Test drive vehicles.,Supplemental,"
        "10,08/2023,Incumbent\n"
        "49-3023.00,Automotive Service Technicians and Mechanics,2,Repair engines.,Core,"
        "10,08/2023,Incumbent\n"
        "49-3023.01,Automotive Master Mechanics,3,Rebuild transmissions.,Core,10,08/2023,Incumbent\n"
        "51-4041.00,Machinists,4,Operate lathes.,Core,10,08/2023,Incumbent\n"
    ),
    "onet/Alternate Titles.csv": (
        "O*NET-SOC Code,Title,Alternate Title,Short Title,Source(s)\n"
        "49-3023.00,Automotive Service Technicians and Mechanics,Auto Mechanic,,08\n"
        "49-3023.00,Automotive Service Technicians and Mechanics,auto mechanic,,10\n"
        "49-3023.00,Automotive Service Technicians and Mechanics,Car Mechanic,,10\n"
        "49-3023.00,Automotive Service Technicians and Mechanics,Mechanic,,10\n"
        "51-4041.00,Machinists,Lathe Operator,,10\n"
    ),
}


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    root = tmp_path / "data"
    for folder, files in (("cn", CN_FILES), ("en", EN_FILES)):
        for name, text in files.items():
            path = root / folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    return root


def messages(log: ImportLog) -> dict[str, tuple[int, tuple[str, ...]]]:
    return {n.message: (n.count, n.examples) for n in log.notes}


def test_clean_text_removes_ocr_spaces_and_latex():
    assert clean_text("机械 工程、 Linux 操作系统； 2. 具有") == "机械工程、Linux 操作系统；2. 具有"
    assert clean_text("$\\mathrm { C } / \\mathrm { C } { + + }$ 程序设计") == "C/C++ 程序设计"


def test_vocational_majors_merge_the_profiles(data_dir):
    log = ImportLog()
    majors = cn.import_vocational_majors(data_dir / "cn", log)
    assert list(majors) == ["660301", "460104", "260101", "520201"]
    m = majors["460104"]
    assert (m.level, m.category, m.subcategory, m.years, m.taxonomy) == (
        "高职专科",
        "装备制造大类",
        "机械设计制造类",
        "三年",
        "moe-vocational",
    )
    assert (
        m.description
        == "本专业培养能够从事机械加工的技术技能人才。\n1. 具有识图能力；2. 具有 10kV 电工能力。"
    )
    assert m.main_courses == (
        "机械制图",
        "电工电子技术",
        "工程材料（金属，非金属）",
        "数控编程与加工",
        "CO2 气体保护焊",
    )
    assert m.target_occupations == "面向机械工程技术人员等职业，机械加工等岗位（群）。"
    assert majors["260101"].main_courses == ("工程力学", "机械原理", "智能制造系统")
    assert majors["660301"].description == "" and majors["660301"].main_courses == ()
    assert messages(log)["majors of the catalog without a 专业简介 (no description or courses)"] == (
        2,
        ("660301", "520201"),
    )


def test_dadian_occupations(data_dir):
    log = ImportLog()
    occupations = cn.import_dadian(data_dir / "cn", log)
    assert set(occupations) == {"6-00-00-00", "6-18-01-00", "6-18-01-01", "2-02-07-02", "4-10-01-05"}
    lathe = occupations["6-18-01-01"]
    assert lathe.level == 4 and lathe.tasks == "1.操作车床 2.检验工件 3.保养设备"  # merged: longest text
    assert lathe.aliases == ("车床工", "数控车工", "车工师傅")  # the name itself is not an alias
    design = occupations["2-02-07-02"]
    assert design.name == "机械设计工程技术人员"  # green/digital mark stripped
    assert design.aliases == ("机械工程师", "结构", "工艺设计员")  # 、 splits aliases
    assert occupations["6-18-01-00"].level == 3 and occupations["6-00-00-00"].aliases == ()
    found = messages(log)
    assert found["codes listed on several rows, merged into one occupation"] == (1, ("6-18-01-01",))
    assert found["names carrying the green/digital mark L, S or L/S (mark stripped)"] == (1, ("2-02-07-02",))


def test_major_occupation_links(data_dir):
    log = ImportLog()
    occupations = cn.import_dadian(data_dir / "cn", log)
    majors = cn.import_vocational_majors(data_dir / "cn", log)
    links = cn.import_major_occupations(data_dir / "cn", majors, occupations, log)
    assert [(link.major_code, link.occupation_code) for link in links] == [
        ("660301", "6-18-01-01"),
        ("460104", "6-18-01-01"),
        ("520202K", "4-10-01-05"),
        ("260101", "2-02-07-02"),
        ("080202", "2-02-07-02"),
        ("080213T", "6-18-01-01"),
    ]
    undergraduate = majors["080213T"]
    assert (undergraduate.name, undergraduate.level, undergraduate.taxonomy, undergraduate.category) == (
        "智能制造工程",
        "普通本科",
        "moe-undergraduate",
        "工学",
    )
    k_major = majors["520202K"]  # a 国家控制布点 major missing from the 专业目录
    assert (k_major.level, k_major.category, k_major.subcategory, k_major.taxonomy) == (
        "高职专科",
        "医药卫生大类",
        "护理类",
        "moe-vocational",
    )
    found = {(n.source, n.message): (n.count, n.examples) for n in log.notes}
    assert found[
        ("major_occupation_gaozhi_zhuanke.csv", "links dropped: occupation code not in the 大典 2022")
    ] == (1, ("460104→9-99-99-99",))
    assert found[("major_occupation_gaozhi_zhuanke.csv", "duplicate links dropped")] == (
        1,
        ("460104→6-18-01-01",),
    )


def test_colleges_and_partners(data_dir):
    log = ImportLog()
    colleges = cn.import_colleges(
        data_dir / "cn", log, partners=["4132010002", "示例开放大学", "不存在的学院"]
    )
    assert {c.college_id: (c.kind, c.city, c.is_partner) for c in colleges.values()} == {
        "4132010001": ("本科", "南京市", False),
        "4132010002": ("专科", "苏州市", True),
        "4232010001": ("成人高校", "江苏省", False),  # the adult list has no 所在地: the province stands in
        "4232010002": ("开放大学", "江苏省", True),
    }
    assert messages(log)["partner entries matching no college id or name (ignored)"] == (1, ("不存在的学院",))


def test_cip_programs(data_dir):
    log = ImportLog()
    majors = en.import_cip(data_dir / "en", log)
    assert list(majors) == ["47.0604", "47.0699"]
    m = majors["47.0604"]
    assert m.name == "Automobile/Automotive Mechanics Technology/Technician"
    assert (m.level, m.taxonomy) == ("普通本科", "cip2020")
    assert m.category == "MECHANIC AND REPAIR TECHNOLOGIES/TECHNICIANS"
    assert m.subcategory == "Vehicle Maintenance and Repair Technologies"
    assert (
        m.description
        == "A program that prepares individuals to repair automobiles.\nExamples: - Auto Mechanic, - Car Tech"
    )
    assert messages(log)["retired six-digit codes skipped (Deleted, or moved to another code)"] == (
        2,
        ("47.0698", "47.0697"),
    )


def test_onet_occupations_collapse_to_soc(data_dir):
    log = ImportLog()
    occupations = en.import_onet(data_dir / "en", log, max_aliases=2)
    assert list(occupations) == ["49-3023", "51-4041"]
    o = occupations["49-3023"]
    assert o.name == "Automotive Service Technicians and Mechanics"
    assert (o.taxonomy, o.level, o.soc_code) == ("soc2018", 4, "49-3023")
    assert (
        o.definition
        == "Diagnose and repair automobiles.\nAutomotive Master Mechanics: Repair automobiles of all kinds."
    )
    assert o.tasks == "Repair engines.\nRebuild transmissions.\nTest drive vehicles."  # core first
    assert o.aliases == ("Automotive Master Mechanics", "Auto Mechanic")  # detail titles first, capped at 2
    assert occupations["51-4041"].aliases == ("Lathe Operator",)
    assert messages(log)["occupations with more than 2 alternate titles (capped)"] == (1, ("49-3023",))


def test_import_official_builds_a_valid_catalog(data_dir, tmp_path):
    result = import_official(data_dir, only="all")
    counts = result.counts()
    assert counts["majors_per_level"] == {"中职": 1, "高职专科": 3, "职教本科": 1, "普通本科": 4}
    assert counts["occupations_per_taxonomy"] == {"dadian2022": 5, "soc2018": 2}
    assert counts["colleges_per_kind"] == {"本科": 1, "专科": 1, "成人高校": 1, "开放大学": 1}
    assert counts["major_occupation_links"] == 6
    catalog = load_catalog(write_catalog(result.tables, tmp_path / "catalog"))
    assert catalog.majors["460104"].main_courses[0] == "机械制图"
    assert catalog.occupations_by_major["080213T"] == ("6-18-01-01",)
    only_en = import_official(data_dir, only="en")
    assert only_en.colleges == {} and only_en.major_occupations == []
    load_catalog(write_catalog(only_en.tables, tmp_path / "en"))  # header-only colleges and links are valid


def test_cli_import_check_and_stats(data_dir, tmp_path, capsys, monkeypatch):
    out = tmp_path / "catalog"
    partners = tmp_path / "partners.txt"
    partners.write_text("# 学校标识码 or 学校名称\n示例理工大学\n", encoding="utf-8")
    monkeypatch.setenv(DATA_DIR_ENV, str(data_dir))  # no --data-dir: the environment variable is used
    assert main(["import", "official", "--out", str(out), "--partners", str(partners), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["valid"] is True and report["counts"]["partner_colleges"] == 1
    assert report["counts"]["majors_per_level"]["普通本科"] == 4
    assert [w["count"] for w in report["warnings"] if w["message"].startswith("links dropped")] == [1]
    assert main(["catalog", "stats", str(out), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["majors"] == 9
    assert main(["catalog", "check", str(out)]) == 0
    assert "is valid" in capsys.readouterr().out

    (out / "colleges.csv").write_text(
        "college_id,name,province,city,kind\nX1,某学院,江苏省,南京市,大学\n", encoding="utf-8"
    )
    assert main(["catalog", "check", str(out), "--json"]) == 2
    report = json.loads(capsys.readouterr().out)
    assert report["problems"] == [
        {
            "file": "colleges.csv",
            "row": 2,
            "column": "kind",
            "reason": "'大学' is not one of 本科, 专科, 开放大学, 成人高校",
        }
    ]
    assert main(["catalog", "stats", str(out)]) == 2
    assert "colleges.csv row 2, column kind" in capsys.readouterr().err


def test_data_dir_resolution(tmp_path, monkeypatch):
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path))
    assert resolve_data_dir() == tmp_path
    assert resolve_data_dir(tmp_path / "..") == tmp_path / ".."
    with pytest.raises(UserError, match="does not exist"):
        resolve_data_dir(tmp_path / "missing")
    with pytest.raises(UserError, match="official file .* is missing"):
        import_official(tmp_path, only="cn")


@pytest.mark.skipif(not SHARED_DATA.is_dir(), reason="../shared/data is not present")
def test_real_official_data_imports_with_plausible_counts(tmp_path):
    result = import_official(SHARED_DATA, only="all")
    catalog = load_catalog(write_catalog(result.tables, tmp_path / "official"))
    levels = catalog.stats()["majors_per_level"]
    assert 300 < levels["中职"] < 500 and 700 < levels["高职专科"] < 900 and 250 < levels["职教本科"] < 400
    assert 2300 < levels["普通本科"] < 2800  # 本科专业 of the link table + active CIP codes
    dadian = [o for o in catalog.occupations.values() if o.taxonomy == "dadian2022"]
    assert sum(o.level == 4 for o in dadian) > 1500
    assert 800 < sum(o.taxonomy == "soc2018" for o in catalog.occupations.values()) < 1000
    assert 2000 < sum(m.taxonomy == "cip2020" for m in catalog.majors.values()) < 2300
    assert 4000 < len(catalog.major_occupations) < 6000
    kinds = catalog.stats()["colleges_per_kind"]
    assert (
        kinds["本科"] > 1000 and kinds["专科"] > 1000 and kinds["开放大学"] > 30 and kinds["成人高校"] > 100
    )
    dropped = sum(n.count for n in result.notes if n.message.startswith("links dropped"))
    assert 0 < dropped < 100
    # the 专业简介 are merged: most vocational majors have a description and courses
    vocational = [m for m in catalog.majors.values() if m.taxonomy == "moe-vocational"]
    assert sum(bool(m.description) for m in vocational) > 1100
    assert sum(len(m.main_courses) >= 5 for m in vocational) > 1100
