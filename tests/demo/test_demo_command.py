"""The ``recommender demo`` command: generates when needed, loads, prints statistics and sample workers."""

from __future__ import annotations

import io
import json
from pathlib import Path

from recommender.catalog.catalog import Catalog
from recommender.catalog.model import Worker
from recommender.cli import main
from recommender.commands.demo import pick_sample_workers, show_sample_workers


def test_demo_generates_then_reuses_then_rebuilds(tmp_path: Path, capsys):
    out = tmp_path / "demo"
    args = ["demo", "--out", str(out), "--json", "--samples", "4", "--workers", "60", "--enterprises", "3"]
    assert main(args) == 0
    first = json.loads(capsys.readouterr().out)
    assert first["generated"] is True and first["seed"] == 2026
    stats = first["stats"]
    assert stats["colleges"]["total"] >= 170 and stats["colleges"]["cities"] == 13
    assert stats["courses"]["per_program_min"] >= 15
    assert stats["workers"]["total"] == 60 and stats["enterprises"]["total"] == 3
    assert len(first["sample_workers"]) == 4
    assert all({"job_title", "education", "city"} <= set(w) for w in first["sample_workers"])

    assert main(args) == 0
    assert json.loads(capsys.readouterr().out)["generated"] is False
    assert main([*args, "--rebuild"]) == 0
    assert json.loads(capsys.readouterr().out)["generated"] is True
    assert main([*args, "--seed", "9"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert again["generated"] is True and again["seed"] == 9


def test_demo_text_output(tmp_path: Path, capsys):
    assert main(["demo", "--out", str(tmp_path / "demo"), "--workers", "30", "--enterprises", "2"]) == 0
    text = capsys.readouterr().out
    for heading in ("Colleges", "Programs", "Courses", "Occupations", "Majors", "Workers", "Enterprises",
                    "Sample workers", "南京市", "开放大学", "高职专科"):
        assert heading in text


def test_demo_refuses_a_directory_that_is_not_a_province(tmp_path: Path, capsys):
    (tmp_path / "mine.txt").write_text("keep", encoding="utf-8")
    assert main(["demo", "--out", str(tmp_path)]) == 2
    assert "refusing to replace" in capsys.readouterr().err


def test_sample_workers_are_varied_and_printed(catalog: Catalog):
    workers = [Worker("W1", "电工", education="中专", city="南京市"), Worker("W2", "电工"),
               Worker("W3", "外卖小哥", duties="送外卖", education="初中", city="苏州市")]
    picked = pick_sample_workers(workers, 5, {"W1": "6-31-01-03", "W2": "6-31-01-03", "W3": "4-10-08-01"})
    assert [w.worker_id for w in picked] == ["W1", "W3"]
    buffer = io.StringIO()
    show_sample_workers(picked, catalog, file=buffer)
    printed = buffer.getvalue()
    assert "电工" in printed and "中专" in printed and "外卖小哥" in printed and "送外卖" in printed
