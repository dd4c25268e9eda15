"""Tiny public-data and bench fixtures (same file layout and columns as ../shared/data and ../shared/bench)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

# A sentinel that only appears in the dev split: training must never see it.
DEV_ONLY_TEXT = "绝密开发集岗位标题"


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)


@pytest.fixture
def dev_only_text() -> str:
    return DEV_ONLY_TEXT


@pytest.fixture
def tiny_sources(tmp_path: Path) -> tuple[Path, Path]:
    return make_tiny_sources(tmp_path)


def make_tiny_sources(root: Path) -> tuple[Path, Path]:
    """Write a tiny ``data`` and ``bench`` folder under ``root``; return their paths."""
    data, bench = root / "data", root / "bench"
    write_csv(data / "cn" / "occupations_dadian_2022.csv",
              ["level", "code", "code_num", "name", "definition", "tasks", "csco_code_num", "alias"], [
                  ["3", "6-31-01-00", "6310100", "机械设备修理人员", "", "", "", "机械设备修理人员"],
                  ["4", "6-31-01-03", "6310103", "电工", "安装、调试与维护电气设备和线路的人员。",
                   "1.安装、调试、维护电气设备 2.架设与接通配电线路", "", "电工,水电工,维修电工"],
                  ["4", "6-31-01-04", "6310104", "钳工", "使用工具加工、装配机械零件的人员。",
                   "1.划线、钻孔、攻丝 2.装配机械部件", "", "钳工,机修钳工"],
                  ["4", "4-14-01-02", "4140102", "护理员", "照护老人和病人生活的人员。",
                   "1.协助进食、洗浴 2.观察身体状况", "", "护理员,护工,陪护"],
              ])
    write_csv(data / "cn" / "vocational_major_catalog.csv",
              ["专业大类代码", "专业大类", "专业类代码", "专业类", "专业代码", "专业名称", "层次", "备注"], [
                  ["46", "装备制造大类", "4603", "自动化类", "460306", "电气自动化技术", "高职专科", ""],
                  ["46", "装备制造大类", "4603", "自动化类", "460301", "机电一体化技术", "高职专科", ""],
                  ["52", "医药卫生大类", "5202", "护理类", "520201", "护理", "高职专科", ""],
                  ["66", "装备制造大类", "6603", "自动化类", "660301", "电气设备运行与控制", "中职", ""],
              ])
    write_csv(data / "cn" / "major_profiles.csv",
              ["code", "name", "years", "occupation_orientation", "training_goal", "abilities", "courses",
               "certificates", "continuing", "level"], [
                  ["460306", "电气自动化技术", "三年", "面向电工等职业，电气设备安装调试岗位。", "培养电气人才。", "",
                   "专业核心课程：电机与电气控制、工厂供配电。", "", "", "高职专科"],
                  ["460301", "机电一体化技术", "三年", "面向钳工等职业，机电设备装调岗位。", "培养机电人才。", "",
                   "专业核心课程：液压与气动、机械制图。", "", "", "高职专科"],
                  ["520201", "护理", "三年", "面向护士、护理员等职业，临床护理岗位。", "培养护理人才。", "",
                   "专业核心课程：基础护理、老年护理。", "", "", "高职专科"],
                  ["660301", "电气设备运行与控制", "三年", "面向电工等职业。", "", "", "专业核心课程：电工基础。", "",
                   "接续高职专科专业举例：电气自动化技术 接续高职本科专业举例：电气工程", "中职"],
              ])
    write_csv(data / "cn" / "major_occupation_gaozhi_zhuanke.csv", ["专业代码", "专业名称", "职业编码", "职业名称"], [
        ["460306", "电气自动化技术", "6-31-01-03", "电工"],
        ["460301", "机电一体化技术", "6-31-01-04", "钳工"],
    ])
    write_csv(data / "cn" / "colleges_regular_2026.csv",
              ["序号", "省级地区", "学校名称", "学校标识码", "主管部门", "所在地", "办学层次", "备注"],
              [["1", "江苏省", "演示学院", "1", "江苏省", "苏州市", "专科", ""]])
    onet = data / "en" / "onet"
    write_csv(onet / "Occupation Data.csv", ["O*NET-SOC Code", "Title", "Description"], [
        ["47-2111.00", "Electricians", "Install, maintain, and repair electrical wiring and equipment."],
        ["29-1141.00", "Registered Nurses", "Assess patient health problems and needs and provide nursing care."],
        ["31-1122.00", "Personal Care Aides", "Assist elderly or disabled people with daily living activities."],
    ])
    write_csv(onet / "Alternate Titles.csv", ["O*NET-SOC Code", "Title", "Alternate Title", "Short Title", "Source(s)"], [
        ["47-2111.00", "Electricians", "Wireman", "", "08"],
        ["47-2111.00", "Electricians", "Journeyman Electrician", "", "08"],
        ["29-1141.00", "Registered Nurses", "Staff Nurse", "", "08"],
        ["31-1122.00", "Personal Care Aides", "Caregiver", "", "08"],
    ])
    write_csv(onet / "Sample of Reported Titles.csv", ["O*NET-SOC Code", "Title", "Reported Job Title", "Shown in My Next Move"],
              [["29-1141.00", "Registered Nurses", "RN (Registered Nurse)", "Y"]])
    write_csv(onet / "Task Statements.csv", ["O*NET-SOC Code", "Title", "Task ID", "Task", "Task Type",
                                             "Incumbents Responding", "Date", "Domain Source"], [
        ["47-2111.00", "Electricians", "1", "Connect wires to circuit breakers.", "Core", "", "", ""],
        ["29-1141.00", "Registered Nurses", "2", "Monitor patients' conditions.", "Core", "", "", ""],
    ])
    write_csv(onet / "Related Occupations.csv", ["O*NET-SOC Code", "Title", "Related O*NET-SOC Code", "Related Title",
                                                 "Relatedness Tier", "Index"], [
        ["31-1122.00", "Personal Care Aides", "29-1141.00", "Registered Nurses", "Primary-Short", "1"],
    ])
    write_csv(data / "en" / "cip2020.csv", ["CIPFamily", "CIPCode", "Action", "TextChange", "CIPTitle", "CIPDefinition",
                                            "CrossReferences", "Examples"], [
        ["46", "46", "No substantive changes", "no", "CONSTRUCTION TRADES.", "Construction programs.", "", ""],
        ["46", "46.03", "No substantive changes", "no", "Electrical and Power Transmission Installers.", "", "", ""],
        ["46", "46.0302", "No substantive changes", "no", "Electrician.", "A program that prepares electricians.", "",
         "Examples: - Wireman, - Electrical Installer"],
        ["51", "51", "No substantive changes", "no", "HEALTH PROFESSIONS.", "Health programs.", "", ""],
        ["51", "51.38", "No substantive changes", "no", "Registered Nursing.", "", "", ""],
        ["51", "51.3801", "No substantive changes", "no", "Registered Nursing/Registered Nurse.",
         "A program that prepares registered nurses.", "", ""],
        ["51", "51.3902", "Deleted", "no", "Nursing Aide.", "Retired program.", "", ""],
    ])
    write_csv(bench / "cn-titles" / "items.csv", ["item_id", "name", "level", "category", "subcategory", "years",
                                                  "occupation_orientation", "training_goal", "abilities", "courses",
                                                  "certificates"], [
        ["460306", "电气自动化技术", "高职专科", "装备制造大类", "自动化类", "三年", "面向电工等职业，电气设备安装调试岗位。",
         "培养电气人才。", "", "专业核心课程：电机与电气控制、工厂供配电。", ""],
        ["460301", "机电一体化技术", "高职专科", "装备制造大类", "自动化类", "三年", "面向钳工等职业，机电设备装调岗位。",
         "培养机电人才。", "", "专业核心课程：液压与气动、机械制图。", ""],
        ["520201", "护理", "高职专科", "医药卫生大类", "护理类", "三年", "面向护士、护理员等职业，临床护理岗位。",
         "培养护理人才。", "", "专业核心课程：基础护理、老年护理。", ""],
    ])
    write_csv(bench / "cn-titles" / "item_occupations.csv", ["item_id", "occupation_code", "occupation_name"],
              [["460306", "6-31-01-03", "电工"]])
    write_csv(bench / "cn-titles" / "dev" / "queries.csv", ["qid", "text", "slice"], [["d0", DEV_ONLY_TEXT, "mapped"]])
    write_csv(bench / "cn-titles" / "dev" / "qrels.csv", ["qid", "item_id", "relevance"], [["d0", "520201", "1"]])
    write_csv(bench / "en-onet" / "occupations.csv", ["code", "title", "description", "tasks", "alt_titles"], [
        ["47-2111", "Electricians", "Install, maintain, and repair electrical wiring and equipment.", "", "Wireman"],
        ["29-1141", "Registered Nurses", "Assess patient health problems and needs and provide nursing care.", "", ""],
        ["31-1122", "Personal Care Aides", "Assist elderly or disabled people with daily living activities.", "", ""],
    ])
    write_csv(bench / "en-onet" / "items.csv", ["item_id", "name", "family", "description", "examples"], [
        ["46.0302", "Electrician", "46", "A program that prepares electricians.", "Examples: - Wireman, - Electrical Installer"],
        ["51.3801", "Registered Nursing/Registered Nurse", "51", "A program that prepares registered nurses.", ""],
    ])
    write_csv(bench / "en-onet" / "item_occupations.csv", ["item_id", "occupation_code", "occupation_title"], [
        ["46.0302", "47-2111", "Electricians"], ["51.3801", "29-1141", "Registered Nurses"]])
    return data, bench
