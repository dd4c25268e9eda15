"""A training design as people read it: a plain-text summary and an Excel workbook to forward.

The workbook has a summary sheet (one row per cohort: who, what they lack, the curriculum, the best college,
cost per head) and one sheet per cohort (who they are, the gap, the curriculum with the skills each course
covers, the colleges proposed with the course ids they teach it under, cost and tracks, the members'
pseudonyms). Written to a temporary sibling and renamed into place.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from recommender.errors import UserError

if TYPE_CHECKING:
    from recommender.enterprise.design import CohortDesign, TrainingDesign


def _yuan(x: float) -> str:
    return f"{round(x):,}元"


def summary_text(design: TrainingDesign) -> str:
    """The design in Chinese, for a training manager or a worker: one block per cohort."""
    lines = []
    who = design.enterprise_name or design.enterprise_id
    lines.append(f"{who}（{design.city or '城市未填'}）职工培训方案：{design.roster_size}人，分为{len(design.cohorts)}个学习小组。")
    if design.target:
        t = design.target
        how = "" if t.how in ("code", "name", "alias") else f"（由“{t.given}”匹配，置信度{t.confidence:.0%}）"
        lines.append(f"培养目标岗位：{t.name}（{t.code}）{how}")
    else:
        lines.append("未指定目标岗位：每组以本岗位对应专业的核心课程为目标（学历提升）。")
    first_with: dict[tuple[str, ...], str] = {}
    for cd in design.cohorts:
        lines.append("")
        lines.extend(cohort_lines(cd))
        key = tuple(sorted(c.name for c in cd.curriculum))
        if key and key in first_with:
            lines.append(f"  课程与{first_with[key]}相同，人数不足一班时可与{first_with[key]}合班。")
        first_with.setdefault(key, cd.cohort.cohort_id)
    return "\n".join(lines)


def cohort_lines(cd: CohortDesign) -> list[str]:
    c = cd.cohort
    out = [f"【{c.cohort_id}】{c.description}"]
    if cd.curriculum:
        out.append(f"  课程（{len(cd.curriculum)}门，覆盖可教缺口的{cd.coverage:.0%}）：")
        for i, course in enumerate(cd.curriculum, start=1):
            out.append(f"    {i}. {course.name}（{course.credits:g}学分）— 补：{'；'.join(course.covers[:3])}")
    if cd.untaught:
        out.append(f"  院校课程教不到、建议岗位带教：{'；'.join(cd.untaught[:4])}")
    if cd.uncovered:
        out.append(f"  课程数已到上限，未纳入：{'；'.join(cd.uncovered[:4])}")
    if cd.note:
        out.append(f"  说明：{cd.note}")
    for rank, o in enumerate(cd.colleges[:3], start=1):
        schedule = "、".join(o.schedules) or "仅全日制"
        out.append(f"  院校{rank}：{o.college_name}（{o.college_city}）· 开出{len(o.courses)}/{len(cd.curriculum)}门"
                   f"（{o.fit:.0%}）· {o.delivery} · {schedule} · {o.classes}个班×约{o.class_size}人")
        parts = []
        if o.degree.workers:
            progs = "、".join(f"{m}（{lvl}）" for _, m, lvl, _ in o.degree_programs[:2])
            parts.append(f"{o.degree.workers}人可读学历（{progs}），人均学费{_yuan(o.degree.tuition_per_head)}，"
                         f"补贴后{_yuan(o.degree.net_per_head)}")
        if o.non_degree.workers:
            parts.append(f"{o.non_degree.workers}人参加非学历课程班，人均{_yuan(o.non_degree.tuition_per_head)}，"
                         f"补贴后{_yuan(o.non_degree.net_per_head)}")
        out.append("    " + "；".join(parts) + "。")
        if o.missing:
            out.append(f"    该校未开：{'、'.join(o.missing)}")
    return out


# ---------------------------------------------------------------------------------------------------- Excel
def write_excel(design: TrainingDesign, path: str | Path) -> Path:
    """Write the design as an ``.xlsx`` workbook: a summary sheet and one sheet per cohort.

    Parameters
    ----------
    design : TrainingDesign
    path : str or Path
        The workbook to write (replaced atomically when it exists).

    Returns
    -------
    Path
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise UserError(f"{path}: the workbook must be an .xlsx file")
    if path.exists() and path.is_dir():
        raise UserError(f"{path} is a directory; give a file name ending in .xlsx")
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    wb = Workbook()
    ws = wb.active
    ws.title = "汇总"
    ws.append([f"{design.enterprise_name or design.enterprise_id} 职工培训方案"])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append(["城市", design.city, "人数", design.roster_size, "目标岗位",
               f"{design.target.name}（{design.target.code}）" if design.target else "未指定（本岗位学历提升）"])
    ws.append([])
    header = ["小组", "人数", "主要职业", "常见岗位", "欠缺（前5项）", "课程数", "覆盖率", "推荐院校", "授课方式",
              "上课时间", "班数", "人均学费（元）", "补贴后人均（元）", "可读学历人数", "非学历人数"]
    ws.append(header)
    for cell in ws[ws.max_row]:
        cell.font = bold
    for cd in design.cohorts:
        c = cd.cohort
        best = cd.colleges[0] if cd.colleges else None
        ws.append([
            c.cohort_id, c.size, "、".join(f"{n}{s:.0%}" for _, n, s in c.occupations[:2]),
            "、".join(t for t, _ in c.titles[:3]), "；".join(g.skill.text for g in c.gap[:5]),
            len(cd.curriculum), round(cd.coverage, 3),
            best.college_name if best else "", best.delivery if best else "",
            "、".join(best.schedules) if best else "", best.classes if best else 0,
            round(best.tuition_per_head) if best else 0, round(best.net_per_head) if best else 0,
            best.degree.workers if best else 0, best.non_degree.workers if best else 0,
        ])
    ws.append([])
    ws.append([("工号已做假名化处理（HMAC-SHA256），本表不含对照表。费用按补贴政策逐人计算后取平均；"
               "非学历课程班按学分折算学费。")])
    _widths(ws, [8, 8, 26, 24, 48, 8, 8, 30, 10, 14, 6, 12, 14, 12, 10])
    for cd in design.cohorts:
        _cohort_sheet(wb.create_sheet(cd.cohort.cohort_id), cd, bold, wrap)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        wb.save(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def _cohort_sheet(ws, cd: CohortDesign, bold, wrap) -> None:
    c = cd.cohort

    def section(title: str) -> None:
        ws.append([])
        ws.append([title])
        ws.cell(ws.max_row, 1).font = bold

    ws.append([f"{c.cohort_id}（{c.size}人）"])
    ws["A1"].font = bold
    ws.append([c.description])
    ws.cell(ws.max_row, 1).alignment = wrap
    section("欠缺的技能与课程内容")
    ws.append(["技能", "类型", "欠缺人数占比"])
    for g in c.gap:
        ws.append([g.skill.text, "岗位任务" if g.skill.kind == "task" else "核心课程", round(g.share, 3)])
    section(f"课程（覆盖可教缺口 {cd.coverage:.0%}；缺口中可由院校课程教授的占 {cd.teachable_share:.0%}）")
    ws.append(["序号", "课程", "学分", "补上的技能", "开设院校数", "课程简介"])
    for i, course in enumerate(cd.curriculum, start=1):
        ws.append([i, course.name, course.credits, "；".join(course.covers), course.colleges, course.description])
    if cd.untaught:
        ws.append(["院校课程教不到（建议岗位带教）", "；".join(cd.untaught)])
    if cd.note:
        ws.append(["说明", cd.note])
    section("推荐院校")
    ws.append(["院校", "城市", "开出课程占比", "授课方式", "上课时间", "班数×人数", "人均学费（元）",
               "补贴后人均（元）", "可读学历", "学历项目", "非学历", "未开课程"])
    for o in cd.colleges:
        ws.append([o.college_name, o.college_city, round(o.fit, 3), o.delivery, "、".join(o.schedules) or "全日制",
                   f"{o.classes}×{o.class_size}", round(o.tuition_per_head), round(o.net_per_head),
                   o.degree.workers, "、".join(f"{m}（{lvl}）{n}人" for _, m, lvl, n in o.degree_programs[:3]),
                   o.non_degree.workers, "、".join(o.missing)])
    section("各院校开课明细（院校自己的课程编号）")
    ws.append(["院校", "课程", "课程编号", "所属项目", "学分"])
    for o in cd.colleges:
        for course in o.courses:
            ws.append([o.college_name, course.name, course.course_id, course.program_id, course.credits])
    section("成员（假名）")
    best = cd.colleges[0] if cd.colleges else None
    degree = set(best.degree_workers) if best else set()
    ws.append(["假名", "岗位", "学历", "城市", f"在{best.college_name if best else '首选院校'}的路径"])
    for p in c.members:
        w = p.member.worker
        ws.append([p.member.pseudonym, w.job_title, w.education or "未填", w.city,
                   "学历教育" if p.member.pseudonym in degree else "非学历课程班"])
    _widths(ws, [34, 22, 12, 40, 12, 40, 12, 12, 10, 30, 10, 30])


def _widths(ws, widths) -> None:
    from openpyxl.utils import get_column_letter

    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
