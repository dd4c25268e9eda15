"""Exports (CSV, Excel) hold the published figures; charts are PNG files."""

from __future__ import annotations

import csv

import pytest
from openpyxl import load_workbook

from recommender.demand import DemandStore, college_demand, union_report
from recommender.demand.reports import college_chart, export_tables, union_chart
from recommender.errors import UserError

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def view(surge_store: DemandStore, surge_city: str):
    college = next(c for c in surge_store.catalog.colleges.values() if c.city == surge_city)
    return college_demand(surge_store, college.college_id, k=10)


def test_college_excel(view, tmp_path):
    [path] = export_tables(view.tables(), tmp_path / "college.xlsx")
    book = load_workbook(path)
    assert book.sheetnames == ["programs", "monthly", "unmet", "course_gaps", "peers", "about"]
    unmet = list(book["unmet"].values)
    assert unmet[1][:5] == ("rank", "major_code", "major", "level", "workers")
    assert unmet[2][0] == 1 and unmet[2][1] == view.unmet[0].major_code and unmet[2][4] == view.unmet[0].workers
    cells = [c for row in book["programs"].values for c in row]
    assert "<10" in cells  # withheld counts are exported as <k, never as numbers


def test_college_csv(view, tmp_path):
    written = export_tables(view.tables(), tmp_path / "college.csv")
    assert written[0] == tmp_path / "college.csv"
    assert {p.name for p in written} >= {"college.csv", "college.unmet.csv", "college.monthly.csv"}
    with (tmp_path / "college.unmet.csv").open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert rows[0]["major_code"] == view.unmet[0].major_code
    for row in rows:
        assert int(row["workers"]) >= 10


def test_union_exports_and_charts(surge_store: DemandStore, tmp_path):
    report = union_report(surge_store, k=10)
    [path] = export_tables(report.tables(), tmp_path / "union.xlsx")
    book = load_workbook(path)
    assert {"participants", "applicants", "enrolled", "subsidies", "major_gaps", "about"} <= set(book.sheetnames)
    chart = union_chart(report, tmp_path / "union.png")
    assert chart.read_bytes()[:8] == PNG and chart.stat().st_size > 10_000


def test_college_chart(view, tmp_path):
    chart = college_chart(view, tmp_path / "college.png")
    assert chart.read_bytes()[:8] == PNG and chart.stat().st_size > 10_000


def test_bad_targets(view, tmp_path):
    with pytest.raises(UserError, match=r"\.csv or \.xlsx"):
        export_tables(view.tables(), tmp_path / "college.pdf")
    with pytest.raises(UserError, match="does not exist"):
        export_tables(view.tables(), tmp_path / "missing" / "college.csv")
    with pytest.raises(UserError, match="PNG"):
        college_chart(view, tmp_path / "college.jpg")
