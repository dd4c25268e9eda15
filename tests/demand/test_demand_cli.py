"""``recommender college``, ``union`` and ``activity``: help, JSON, exports and charts, errors."""

from __future__ import annotations

import json

import pytest

from recommender.cli import main
from recommender.demo import DemoProvince

HELP = [
    ["college"], ["college", "list"], ["college", "demand"], ["union"], ["union", "report"], ["activity"],
    ["activity", "generate"],
]


@pytest.mark.parametrize("words", HELP, ids=lambda w: " ".join(w))
def test_help(words, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([*words, "--help"])
    assert exit_info.value.code == 0
    assert "usage: recommender " + " ".join(words) in capsys.readouterr().out


def _json(capsys) -> object:
    return json.loads(capsys.readouterr().out)


def test_college_list(demo_province: DemoProvince, capsys):
    assert main(["college", "list", "--json", "--province", str(demo_province.root)]) == 0
    colleges = _json(capsys)
    assert len(colleges) == demo_province.manifest["counts"]["colleges"]
    assert colleges[0]["college_id"] == "DEMO-C000" and colleges[0]["name"]


def test_college_demand_with_exports(demo_province: DemoProvince, tmp_path, capsys):
    args = ["college", "demand", "DEMO-C001", "--province", str(demo_province.root), "--k", "5",
            "--export", str(tmp_path / "c.xlsx"), "--chart", str(tmp_path / "c.png")]
    assert main([*args, "--json"]) == 0
    view = _json(capsys)
    assert view["college_id"] == "DEMO-C001" and view["k"] == 5 and len(view["months"]) == 12
    assert view["exported"] == [str(tmp_path / "c.xlsx")] and view["chart"] == str(tmp_path / "c.png")
    assert (tmp_path / "c.xlsx").stat().st_size > 0 and (tmp_path / "c.png").stat().st_size > 0
    assert (demo_province.root / "activity" / "activity.json").is_file()  # generated on first use
    assert main(args) == 0
    text = capsys.readouterr().out
    assert "Unmet demand in" in text and "k = 5" in text


def test_union_report(demo_province: DemoProvince, tmp_path, capsys):
    args = ["union", "report", "--province", str(demo_province.root), "--export", str(tmp_path / "u.csv")]
    assert main([*args, "--json"]) == 0
    report = _json(capsys)
    assert report["exact"] is True and report["participants"]["total"] > 0
    assert report["subsidies"]["available"] and report["subsidies"]["total_yuan"] > 0
    assert str(tmp_path / "u.csv") in report["exported"] and (tmp_path / "u.subsidies.csv").is_file()
    assert main(args) == 0
    assert "exported (k = 10)" in capsys.readouterr().out


def test_activity_generate(demo_province: DemoProvince, tmp_path, capsys):
    out = tmp_path / "activity"
    assert main(["activity", "generate", "--province", str(demo_province.root), "--out", str(out),
                 "--planted-surge", "泰州市", "--surge-workers", "60", "--json"]) == 0
    manifest = _json(capsys)
    assert manifest["directory"] == str(out) and manifest["planted_surge"]["workers"] == 60
    assert manifest["counts"]["workers_in_table"] == 1060
    assert isinstance(manifest["surge_served_by"], list)


def test_errors_say_what_to_fix(demo_province: DemoProvince, tmp_path, capsys):
    assert main(["college", "demand", "NOPE", "--province", str(demo_province.root)]) == 2
    assert "college list" in capsys.readouterr().err
    assert main(["college", "demand", "DEMO-C001", "--province", str(demo_province.root), "--k", "0"]) == 2
    assert "k must be" in capsys.readouterr().err
    assert main(["union", "report", "--province", str(demo_province.root), "--activity", str(tmp_path)]) == 2
    assert "activity generate" in capsys.readouterr().err
    assert main(["activity", "generate", "--province", str(demo_province.root), "--out", str(tmp_path / "a"),
                 "--planted-surge", "火星市"]) == 2
    assert "choose one of" in capsys.readouterr().err
