"""``recommender rules …``: the same operations as the library, with --json for programs."""

from __future__ import annotations

import json

import pytest

from recommender.cli import main


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(["rules", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_ladder(capsys):
    code, out, _ = run(capsys, "ladder", "--json")
    rows = json.loads(out)
    assert code == 0 and {r["rule_id"] for r in rows} >= {"ladder-senior-secondary", "ladder-associate"}
    code, out, _ = run(capsys, "ladder", "--education", "大专")
    assert "专科 → 职教本科、普通本科" in out


def test_eligibility_exit_status(capsys):
    code, out, _ = run(capsys, "eligibility", "--education", "高中", "--level", "高职专科")
    assert code == 0 and "高中学历可报读高职专科" in out
    code, out, _ = run(capsys, "eligibility", "--education", "高中", "--level", "普通本科", "--json")
    assert code == 1 and json.loads(out)["allowed"] is False


def test_unknown_education_is_a_user_error(capsys):
    code, _, err = run(capsys, "eligibility", "--education", "幼儿园", "--level", "中职")
    assert code == 2 and "accepted values" in err


def test_subsidies_json(capsys):
    code, out, _ = run(capsys, "subsidies", "--tuition", "9000", "--level", "高职专科", "--city", "南京",
                       "--job-title", "快递员", "--json")
    result = json.loads(out)
    assert code == 0
    assert result["total_subsidy"] == 8200 and result["net_cost"] == 800
    assert [line["rule_id"] for line in result["lines"]] == ["NJ-GIG-1", "NAT-GRANT-1"]


def test_subsidies_text_in_both_languages(capsys):
    args = ("subsidies", "--tuition", "9000", "--level", "高职专科", "--city", "无锡", "--honour", "全国劳动模范")
    _, zh, _ = run(capsys, *args)
    assert "毕业后返还 6,000 元" in zh
    _, en, _ = run(capsys, *args, "--lang", "en")
    assert "after graduation" in en


def test_policies_lists_and_validates(capsys, tmp_path):
    code, out, _ = run(capsys, "policies")
    assert code == 0 and "all valid" in out and "SZ-TUITION-1" in out
    (tmp_path / "bad.json").write_text('{"format": 1, "region": {"scope": "national"}, "policies": [{}]}',
                                       encoding="utf-8")
    code, _, err = run(capsys, "policies", "--policies", str(tmp_path))
    assert code == 2 and "bad.json" in err and "policies[0].policy_id: missing" in err


def test_credits(capsys):
    code, out, _ = run(capsys, "credits", "--certificate", "焊工证", "--course", "焊接工艺基础:4",
                       "--course", "机械制图:8", "--json")
    assert code == 0 and json.loads(out)[0]["rule_id"] == "CB-WELD-01"
    code, _, err = run(capsys, "credits", "--certificate", "焊工证", "--course", "焊接工艺基础")
    assert code == 2 and "NAME:CREDITS" in err


@pytest.mark.parametrize("sub", ["ladder", "eligibility", "subsidies", "policies", "credits"])
def test_help(capsys, sub):
    with pytest.raises(SystemExit) as exit_:
        main(["rules", sub, "--help"])
    assert exit_.value.code == 0 and "--json" in capsys.readouterr().out
