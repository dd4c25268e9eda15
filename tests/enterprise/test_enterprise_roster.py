"""Roster import: formats, Chinese headers, one-pass validation, pseudonyms."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pytest

from recommender.catalog.model import Worker
from recommender.enterprise.roster import (
    PSEUDONYM_KEY_ENV,
    RosterError,
    load_roster,
    pseudonymise,
    roster_from_workers,
)
from recommender.errors import UserError

HEADER = ["employee_id", "job_title", "duties", "education", "city", "certificates"]
ROWS = [
    ["A001", "仓管员", "负责货物入库验收和上架", "高中", "苏州市", "叉车证;仓储管理员职业技能等级证书（中级）"],
    ["A002", "叉车司机", "", "大专", "", ""],
    ["A003", "分拣员", "扫描包裹条码", "", "无锡市", "叉车证、电工证"],
]


def _csv(path: Path, rows, header=HEADER, encoding="utf-8") -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def test_csv_import_normalises_and_pseudonymises(tmp_path):
    roster = load_roster(_csv(tmp_path / "E77.csv", ROWS), city="苏州市", key="k")
    assert roster.enterprise_id == "E77" and len(roster) == 3 and roster.keyed
    first, second, third = roster.members
    assert first.worker.certificates == ("叉车证", "仓储管理员职业技能等级证书（中级）")
    assert second.worker.education == "专科"  # 大专 is an accepted spelling
    assert second.worker.city == "苏州市"  # the enterprise's city fills an empty cell
    assert third.worker.education == "" and not third.education_known
    assert third.worker.certificates == ("叉车证", "电工证")
    assert first.pseudonym == pseudonymise("A001", "E77", "k") and first.worker.worker_id == first.pseudonym
    assert all("A00" not in m.pseudonym for m in roster.members)
    assert [m.row for m in roster.members] == [2, 3, 4]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030"])
def test_bom_and_gb18030_with_chinese_headers(tmp_path, encoding):
    header = ["工号", "岗位", "工作内容", "学历", "城市", "证书"]
    roster = load_roster(_csv(tmp_path / "r.csv", ROWS, header, encoding), key="k")
    assert [m.worker.job_title for m in roster.members] == ["仓管员", "叉车司机", "分拣员"]
    assert roster.members[0].worker.duties == "负责货物入库验收和上架"


def test_excel_with_only_required_columns(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["工号", "岗位"])
    ws.append([1001, "焊工"])  # a number cell: read as text, no '.0'
    ws.append([" 1002\u3000", "电焊工"])
    wb.save(tmp_path / "r.xlsx")
    roster = load_roster(tmp_path / "r.xlsx", enterprise_id="E9", key="k")
    assert [m.pseudonym for m in roster.members] == [pseudonymise("1001", "E9", "k"), pseudonymise("1002", "E9", "k")]


def test_every_problem_reported_at_once_with_row_and_column(tmp_path):
    rows = [
        ["A001", "仓管员", "", "高中", "", ""],
        ["A001", "叉车司机", "", "高中", "", ""],  # duplicate id
        ["A003", "", "", "高中", "", ""],  # empty job title
        ["A004", "分拣员", "", "幼儿园", "", ""],  # unknown education
        ["", "理货员", "", "", "", ""],  # empty id
    ]
    with pytest.raises(RosterError) as err:
        load_roster(_csv(tmp_path / "bad.csv", rows), key="k")
    found = {(p.row, p.column) for p in err.value.problems}
    assert found == {(3, "employee_id"), (4, "job_title"), (5, "education"), (6, "employee_id")}
    text = str(err.value)
    assert "duplicate employee id (first at row 2)" in text and "nothing was imported" in text
    assert "幼儿园" in text and "初中" in text


def test_missing_required_columns(tmp_path):
    with pytest.raises(RosterError) as err:
        load_roster(_csv(tmp_path / "r.csv", [["x", "y"]], ["name", "duties"]), key="k")
    assert {p.column for p in err.value.problems} == {"employee_id", "job_title"}
    assert "工号" in str(err.value)


def test_empty_file_and_header_only(tmp_path):
    (tmp_path / "empty.csv").write_bytes(b"")
    with pytest.raises(RosterError, match="empty"):
        load_roster(tmp_path / "empty.csv")
    with pytest.raises(RosterError, match="no employees"):
        load_roster(_csv(tmp_path / "header.csv", []))


def test_unsupported_or_missing_file(tmp_path):
    (tmp_path / "r.txt").write_text("x")
    with pytest.raises(UserError, match=".csv"):
        load_roster(tmp_path / "r.txt")
    with pytest.raises(UserError, match="no roster file"):
        load_roster(tmp_path / "absent.csv")


def test_key_from_environment_else_one_off_salt(tmp_path, monkeypatch):
    path = _csv(tmp_path / "E1.csv", ROWS)
    monkeypatch.setenv(PSEUDONYM_KEY_ENV, "env-secret")
    keyed = load_roster(path)
    assert keyed.keyed and keyed.members[0].pseudonym == pseudonymise("A001", "E1", "env-secret")
    monkeypatch.delenv(PSEUDONYM_KEY_ENV)
    a, b = load_roster(path), load_roster(path)
    assert not a.keyed and a.members[0].pseudonym != b.members[0].pseudonym  # random salt per import
    # the same employee id in two enterprises gets two pseudonyms
    assert pseudonymise("A001", "E1", "k") != pseudonymise("A001", "E2", "k")


def test_roster_from_workers_checks_the_same_things():
    workers = [Worker("1", "焊工", education="中专"), Worker("1", "", education="博士后"), Worker("", "电工")]
    with pytest.raises(RosterError) as err:
        roster_from_workers(workers, enterprise_id="E5", key="k")
    assert {(p.row, p.column) for p in err.value.problems} == {
        (3, "employee_id"), (3, "job_title"), (3, "education"), (4, "employee_id")}
    with pytest.raises(RosterError, match="empty"):
        roster_from_workers([], enterprise_id="E5")
    roster = roster_from_workers([Worker("1", "焊工", education="硕士")], enterprise_id="E5", city="常州市", key="k")
    assert roster.members[0].worker.education == "研究生" and roster.members[0].worker.city == "常州市"


def test_docstring_examples():
    import doctest

    import recommender.enterprise.roster as roster_module
    import recommender.enterprise.skills as skills_module

    for module in (roster_module, skills_module):
        assert doctest.testmod(module).failed == 0
