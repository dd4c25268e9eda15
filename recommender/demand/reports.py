"""Exports (CSV, Excel) and charts (PNG) of the college dashboard and the union report.

Exports hold exactly the published figures of the view they are given (withheld counts written as ``<k``); they
never recompute anything. Charts use matplotlib's Agg backend (no display needed). Chinese labels need a CJK font:
the first of :data:`CJK_FONTS` that matplotlib finds, or the font file named by ``$RECOMMENDER_CJK_FONT``; without
one, charts label programs, majors and policies by their codes and leave out the per-city panel.
"""

from __future__ import annotations

import csv
import math
import os
from collections.abc import Sequence
from pathlib import Path

from recommender.demand.college import CollegeDemand
from recommender.demand.tables import Table
from recommender.demand.union import UnionReport
from recommender.errors import UserError

EXPORT_SUFFIXES = (".csv", ".xlsx")
CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei",
             "SimHei", "Microsoft YaHei", "PingFang SC", "Heiti SC", "Droid Sans Fallback", "AR PL UMing CN")


# ------------------------------------------------------------------------------------------- exports
def export_tables(tables: Sequence[Table], path: str | Path) -> list[Path]:
    """Write ``tables`` to ``path``: one sheet each in an ``.xlsx``; for ``.csv``, the first table in ``path``
    and each other one beside it as ``<stem>.<table name>.csv`` (UTF-8 with BOM, which Excel opens correctly).

    Returns
    -------
    list of Path
        The files written.

    Raises
    ------
    UserError
        When the suffix is neither ``.csv`` nor ``.xlsx``, or the folder does not exist.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in EXPORT_SUFFIXES:
        raise UserError(f"cannot export to {path.name}: use a .csv or .xlsx file name")
    if not path.parent.is_dir():
        raise UserError(f"cannot export to {path}: the folder {path.parent} does not exist")
    if suffix == ".xlsx":
        return [_write_xlsx(tables, path)]
    written = []
    for i, table in enumerate(tables):
        target = path if i == 0 else path.with_name(f"{path.stem}.{table.name}.csv")
        with target.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(table.columns)
            writer.writerows(table.rows)
        written.append(target)
    return written


def _write_xlsx(tables: Sequence[Table], path: Path) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    for table in tables:
        sheet = book.create_sheet(table.name[:31])
        sheet.append([table.title])
        sheet["A1"].font = Font(bold=True)
        sheet.append(list(table.columns))
        for c in sheet[2]:
            c.font = Font(bold=True)
        for row in table.rows:
            sheet.append(list(row))
        for i, column in enumerate(table.columns, start=1):
            width = max([len(str(column))] + [len(str(r[i - 1])) for r in table.rows[:200]]) + 2
            sheet.column_dimensions[sheet.cell(row=2, column=i).column_letter].width = min(60, width)
        sheet.freeze_panes = "A3"
    book.save(path)
    return path


# ------------------------------------------------------------------------------------------- charts
def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def cjk_font() -> str | None:
    """The CJK font family charts use, or ``None`` when matplotlib has none."""
    from matplotlib import font_manager

    custom = os.environ.get("RECOMMENDER_CJK_FONT", "")
    if custom and Path(custom).is_file():
        font_manager.fontManager.addfont(custom)
        return font_manager.FontProperties(fname=custom).get_name()
    names = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in names), None)


def _check_png(path: str | Path) -> Path:
    path = Path(path)
    if path.suffix.lower() != ".png":
        raise UserError(f"cannot draw to {path.name}: charts are PNG files (.png)")
    if not path.parent.is_dir():
        raise UserError(f"cannot draw to {path}: the folder {path.parent} does not exist")
    return path


def _series(values) -> list[float]:
    return [math.nan if v is None else float(v) for v in values]


def college_chart(view: CollegeDemand, path: str | Path, *, top: int = 5) -> Path:
    """Draw the college dashboard: monthly trend, unmet demand, program alignment (one PNG).

    Withheld figures (fewer than k workers) are not drawn.
    """
    path = _check_png(path)
    plt = _pyplot()
    font = cjk_font()
    with plt.rc_context({"font.sans-serif": [font, "DejaVu Sans"] if font else ["DejaVu Sans"]}):
        fig, axes = plt.subplots(1, 3, figsize=(18, 5.5))
        ax = axes[0]
        x = list(range(len(view.months)))
        ax.plot(x, _series(view.monthly.values()), marker="o", linewidth=2.5, color="black", label="college")
        for p in [p for p in view.programs if p.interested][:top]:
            label = f"{p.program_id} {p.major_name}" if font else p.program_id
            ax.plot(x, _series(p.monthly.values()), marker=".", label=label)
        ax.set_xticks(x, [m[-2:] for m in view.months])
        ax.set_xlabel(view.months[0][:4] if view.months else "month")
        ax.set_title("New interested workers per month")
        ax.legend(fontsize=8)
        ax = axes[1]
        unmet = list(view.unmet[:10])[::-1]
        ax.barh([f"{u.major_name}" if font else u.major_code for u in unmet], [u.workers for u in unmet],
                color="#c0504d")
        ax.set_title("Unmet demand in the college's cities (workers)")
        ax = axes[2]
        scored = [p for p in view.programs if p.alignment is not None][:15][::-1]
        ax.barh([f"{p.program_id} {p.major_name}" if font else p.program_id for p in scored],
                [p.alignment for p in scored], color="#4f81bd")
        ax.set_xlim(0, 1)
        ax.set_title("Alignment: share of courses serving regional demand")
        k_text = f"k = {view.k}; withheld figures not drawn" if view.k else "exact figures"
        fig.suptitle(f"{view.name if font else view.college_id} — demand {view.months[0] if view.months else ''}"
                     f"…{view.months[-1] if view.months else ''} ({k_text})")
        fig.tight_layout()
        fig.savefig(path, dpi=110)
        plt.close(fig)
    return path


def union_chart(report: UnionReport, path: str | Path, *, top: int = 10) -> Path:
    """Draw the union report: monthly firsts, projected spend per policy, demand vs places, applicants by city."""
    path = _check_png(path)
    plt = _pyplot()
    font = cjk_font()
    with plt.rc_context({"font.sans-serif": [font, "DejaVu Sans"] if font else ["DejaVu Sans"]}):
        panels = 4 if font else 3
        fig, axes = plt.subplots(1, panels, figsize=(6 * panels, 5.5))
        ax = axes[0]
        x = list(range(len(report.months)))
        for table in (report.participants, report.applicants, report.enrolled):
            ax.plot(x, _series(table.month_totals.values()), marker="o", label=table.measure)
        ax.set_xticks(x, [m[-2:] for m in report.months])
        ax.set_title("Workers per month (month of first event)")
        ax.legend()
        ax = axes[1]
        policies = [p for p in report.subsidies.policies if p.total_yuan is not None][::-1]
        ax.barh([p.name if font else p.policy_id for p in policies], [p.total_yuan / 10_000 for p in policies],
                color="#9bbb59")
        ax.set_xlabel("10,000 yuan")
        ax.set_title("Projected subsidy spend per policy")
        ax = axes[2]
        gaps = [g for g in report.major_gaps if g.gap is not None][:top][::-1]
        labels = [g.name if font else g.major_code for g in gaps]
        ys = list(range(len(gaps)))
        ax.barh([y + 0.2 for y in ys], [g.demand for g in gaps], height=0.4, label="demand", color="#c0504d")
        ax.barh([y - 0.2 for y in ys], [g.places for g in gaps], height=0.4, label="places", color="#4f81bd")
        ax.set_yticks(ys, labels)
        ax.set_title(f"Largest gaps: demand vs places (programs × {report.nominal_class_size})")
        ax.legend()
        if font:
            ax = axes[3]
            cities = [c for c in report.applicants.cities if report.applicants.city_totals[c] is not None][::-1]
            ax.barh(cities, [report.applicants.city_totals[c] for c in cities], color="#8064a2")
            ax.set_title("Applicants per city")
        k_text = "exact figures (union-internal)" if report.k is None else f"k = {report.k}; withheld not drawn"
        fig.suptitle(f"Union report {report.months[0] if report.months else ''}…"
                     f"{report.months[-1] if report.months else ''} ({k_text})")
        fig.tight_layout()
        fig.savefig(path, dpi=110)
        plt.close(fig)
    return path
