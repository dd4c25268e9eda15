"""Sample workers and enterprise rosters: what the generator writes and what the loaders read back."""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import pytest

from recommender.catalog.catalog import Catalog
from recommender.catalog.model import EDUCATION_LEVELS, STUDY_MODES
from recommender.demo import (
    DemoProvince,
    load_enterprises,
    load_roster_roles,
    load_target_roles,
    load_worker_truth,
    load_workers,
)
from recommender.demo.people import WORKER_COLUMNS, generate_workers, write_workers
from recommender.demo.seed.geography import CITY_NAMES, PROVINCE
from recommender.errors import UserError


def test_workers_csv_has_the_worker_fields_and_the_truth_column(province: DemoProvince):
    header = province.workers_path.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert tuple(header) == WORKER_COLUMNS
    assert header[-1] == "true_occupation_code" and "occupation_code" in header


def test_1000_workers_look_like_real_front_line_workers(province: DemoProvince, catalog: Catalog):
    workers = load_workers(province.workers_path)
    truth = load_worker_truth(province.workers_path)
    assert len(workers) == 1000 and len({w.worker_id for w in workers}) == 1000
    assert set(truth) == {w.worker_id for w in workers}
    assert all(catalog.occupations[code].level == 4 for code in truth.values())
    known = [w for w in workers if w.occupation_code]
    assert 0.3 <= len(known) / len(workers) <= 0.5  # about 60 % leave it empty
    assert all(w.occupation_code == truth[w.worker_id] for w in known)
    assert all(w.education in EDUCATION_LEVELS and w.city in CITY_NAMES and w.province == PROVINCE for w in workers)
    assert all(set(w.preferred_modes) <= set(STUDY_MODES) for w in workers)
    education = Counter(w.education for w in workers)
    assert {"初中", "高中", "中专", "职高", "技校", "专科", "本科"} <= set(education)
    assert sum(w.can_stop_working for w in workers) < 150
    assert sum(w.union_member for w in workers) > 750
    assert 700 < sum(not w.honours for w in workers) < 1000
    assert {h for w in workers for h in w.honours} >= {"市级劳动模范", "区级劳动模范", "技能竞赛获奖者", "工会积极分子"}
    assert 200 < sum(w.budget_yuan is not None for w in workers) < 500
    assert sum(bool(w.certificates) for w in workers) > 300
    titles = {w.job_title for w in workers}
    assert {"外卖小哥", "美团骑手", "快递小哥", "电焊工", "月嫂", "护工"} & titles
    assert sum(bool(w.duties) for w in workers) > 750
    assert len(Counter(truth.values())) >= 70  # most occupations are represented


def test_enterprises_and_rosters(province: DemoProvince, catalog: Catalog):
    enterprises = load_enterprises(province.enterprises_dir)
    roles = load_roster_roles(province.enterprises_dir)
    assert len(enterprises) == 20 and len({e.enterprise_id for e in enterprises}) == 20
    assert len({e.industry for e in enterprises}) >= 15
    for e in enterprises:
        assert 30 <= len(e.roster) <= 800, e.enterprise_id
        assert e.name.endswith("（演示）") and e.city in CITY_NAMES
        assert set(roles[e.enterprise_id]) == {w.worker_id for w in e.roster}
        assert 2 <= len(set(roles[e.enterprise_id].values())) <= 5
        assert all(code in catalog.occupations for code in roles[e.enterprise_id].values())
        assert all(w.job_title and w.education in EDUCATION_LEVELS and not w.occupation_code for w in e.roster)
    targets = load_target_roles(province.enterprises_dir)
    assert 5 <= len(targets) < 20
    assert all(code in set(roles[eid].values()) for eid, code in targets.items())


def test_workers_round_trip_through_the_csv(tmp_path: Path):
    generated = generate_workers(random.Random(5), 40)
    write_workers(tmp_path / "workers.csv", generated)
    assert load_workers(tmp_path / "workers.csv") == [s.worker for s in generated]


def test_a_bad_cell_is_reported_with_row_and_column(tmp_path: Path):
    path = tmp_path / "workers.csv"
    path.write_text("worker_id,job_title,education,can_stop_working\nW1,电工,高中,false\nW2,焊工,小学,maybe\n",
                    encoding="utf-8")
    with pytest.raises(UserError) as info:
        load_workers(path)
    message = str(info.value)
    assert "row 3, column education: '小学'" in message
    assert "row 3, column can_stop_working" in message


def test_missing_columns_and_files_say_what_to_fix(tmp_path: Path):
    path = tmp_path / "workers.csv"
    path.write_text("id,title\n1,电工\n", encoding="utf-8")
    with pytest.raises(UserError, match="required columns missing: worker_id, job_title"):
        load_workers(path)
    with pytest.raises(UserError, match="recommender demo"):
        load_enterprises(tmp_path / "nowhere")
