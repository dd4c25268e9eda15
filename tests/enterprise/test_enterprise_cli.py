"""`recommender enterprise design`: text, JSON, Excel, the demo shortcut and errors (exit 2, no traceback)."""

from __future__ import annotations

import json
from types import SimpleNamespace

import openpyxl
import pytest

from recommender.cli import main
from recommender.recommend import build


@pytest.fixture
def fitted(monkeypatch, catalog, linker):
    """The CLI's matcher, replaced by the session's fitted linker (fitting a full matcher is not under test)."""
    built = SimpleNamespace(recommender=SimpleNamespace(catalog=catalog, matcher=linker))
    monkeypatch.setattr(build, "recommender_for", lambda *args, **kwargs: built)
    return built


def test_design_a_roster_file_as_json_and_excel(fitted, rosters_dir, province, tmp_path, capsys):
    out = tmp_path / "e17.xlsx"
    code = main(["enterprise", "design", str(rosters_dir / "E17.csv"), "--catalog", str(province.catalog_dir),
                 "--enterprise-city", "无锡市", "--target-role", "电梯安装维修工", "--min-cohort", "10", "--json",
                 "--excel", str(out)])
    assert code == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["enterprise_id"] == "E17" and payload["target_role"]["code"] == "6-29-03-03"
    assert payload["settings"]["min_cohort"] == 10 and payload["roster_size"] == 60
    assert all(c["coverage"] >= 0.9 for c in payload["cohorts"])
    assert openpyxl.load_workbook(out).sheetnames[0] == "汇总"


def test_demo_enterprise_as_text(fitted, province, monkeypatch, tmp_path, capsys):
    monkeypatch.chdir(tmp_path)  # the demo province is built under ./var/demo
    assert main(["enterprise", "design", "--demo", "E12"]) == 0
    text = capsys.readouterr().out
    assert "镇江途安汽车服务有限公司" in text and "培养目标岗位：汽车维修工" in text and "【C1】" in text


def test_errors_exit_2_with_what_to_fix(fitted, tmp_path, capsys):
    assert main(["enterprise", "design"]) == 2
    assert "ROSTER file or --demo" in capsys.readouterr().err
    bad = tmp_path / "bad.csv"
    bad.write_text("工号,岗位\n1,焊工\n1,电工\n", encoding="utf-8")
    assert main(["enterprise", "design", str(bad), "--catalog", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "row 3, column employee_id: duplicate employee id" in err and "Traceback" not in err
    assert main(["enterprise", "design", str(bad), "--min-cohort", "0"]) == 2


def test_help(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["enterprise", "design", "--help"])
    assert exit_.value.code == 0
    assert "--target-role" in capsys.readouterr().out
