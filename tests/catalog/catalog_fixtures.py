"""A small valid catalog, written as CSV text so each test can break exactly one thing in it.

A module with its own name (not conftest) so test modules can import it whatever other conftest files exist.
"""

from __future__ import annotations

from pathlib import Path

# Row numbers as a spreadsheet shows them: header is row 1, the first data row is row 2.
VALID_TABLES: dict[str, str] = {
    "colleges": (
        "college_id,name,province,city,kind,is_partner,teaching_points\n"
        "C001,江苏开放大学,江苏省,南京市,开放大学,true,苏州市;无锡市\n"
        "C002,南京工业职业技术大学,江苏省,南京市,本科,true,\n"
        "C003,苏州工业职业技术学院,江苏省,苏州市,专科,false,\n"
    ),
    "occupations": (
        "occupation_code,name,level,definition,tasks,aliases,soc_code,taxonomy\n"
        "4-12-01-01,汽车维修工,4,从事汽车维护和修理的人员。,1.检查车辆 2.排除故障,"
        "汽修工;汽车修理工,49-3023,dadian2022\n"
        "4-02-07-02,快递员,4,从事快件收寄和投递的人员。,,快递小哥、快递配送员,,dadian2022\n"
        "6-18-02-04,焊工,4,操作焊接设备连接金属工件的人员。,,电焊工,,\n"
        "49-3023,Automotive Service Technicians and Mechanics,4,Diagnose and repair vehicles.,,"
        "Auto Mechanic,,soc2018\n"
    ),
    "majors": (
        "major_code,name,level,category,subcategory,description,main_courses,target_occupations,years,taxonomy\n"
        "500211,汽车检测与维修技术,高职专科,交通运输大类,道路运输类,培养汽车检测维修人才。,"
        "汽车发动机构造与维修;汽车电气设备检修,汽车维修工,三年,moe-vocational\n"
        "530802,现代物流管理,高职专科,财经商贸大类,物流类,,,,三年,moe-vocational\n"
        "300201,汽车服务工程技术,职教本科,交通运输大类,道路运输类,,,,四年,moe-vocational\n"
        "080207,车辆工程,普通本科,工学,,,,,四年,moe-undergraduate\n"
        "47.0604,Automobile Mechanics Technology,普通本科,,,,,,,cip2020\n"
    ),
    "major_occupations": (
        "major_code,occupation_code,source\n"
        "500211,4-12-01-01,official\n"
        "530802,4-02-07-02,official\n"
        "47.0604,49-3023,official\n"
    ),
    "programs": (
        "program_id,college_id,major_code,level,study_mode,schedule,years,tuition_per_year,entry_route,places,"
        "enrolment_start,enrolment_end\n"
        "P001,C001,500211,高职专科,混合,晚间;周末,2.5,3200,开放教育注册,南京市;苏州市,2026-03-01,2026-04-30\n"
        "P002,C003,530802,高职专科,线上,弹性,2.5,2800,成人高考,,2026-09-01,2026-10-15\n"
        "P003,C002,300201,职教本科,线下,周末,3,4500,专升本,南京市,,\n"
    ),
    "courses": (
        "course_id,name,major_code,program_id,description,credits,mode\n"
        "K001,汽车发动机构造与维修,500211,,,4,\n"
        "K002,汽车电气设备检修,500211,P001,,3.5,线上\n"
        "K003,仓储与配送管理,530802,P002,,3,线上\n"
    ),
}


def write_tables(directory: Path, overrides: dict[str, str | bytes | None] | None = None) -> Path:
    """Write the valid catalog into ``directory``; ``overrides`` maps a file name (``majors.csv``) to new
    text (UTF-8), raw bytes, or None to leave the file out."""
    directory.mkdir(parents=True, exist_ok=True)
    files: dict[str, str | bytes | None] = {f"{name}.csv": text for name, text in VALID_TABLES.items()}
    files.update(overrides or {})
    for name, content in files.items():
        if content is None:
            continue
        path = directory / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return directory
