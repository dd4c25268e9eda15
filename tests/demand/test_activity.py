"""The activity generator: deterministic, plausible (programs of the worker's occupation, a funnel), fast."""

from __future__ import annotations

import time

import pyarrow.parquet as pq
import pytest

from recommender.catalog.catalog import Catalog
from recommender.demand import ActivityDataset, DemandStore, demo_workers_frame, generate_activity
from recommender.demand.activity import PlantedSurge, synthetic_workers_frame
from recommender.demand.events import EVENT_COLUMNS, EVENT_TYPES, MONTHS
from recommender.demo import DemoProvince
from recommender.errors import UserError


def test_layout_and_columns(surge_activity: ActivityDataset):
    files = sorted(p.name for p in (surge_activity.root / "events").glob("*.parquet"))
    assert files == [f"{m}.parquet" for m in MONTHS]
    table = pq.read_table(surge_activity.root / "events" / "2027-03.parquet")
    assert tuple(table.column_names) == EVENT_COLUMNS
    assert set(table.column("month").to_pylist()) == {"2027-03"}
    assert surge_activity.workers_path.is_file() and surge_activity.requests_path.is_file()
    assert surge_activity.manifest["counts"]["events"] == sum(
        pq.read_metadata(surge_activity.root / "events" / f).num_rows for f in files)


def test_funnel_drops_off(surge_store: DemandStore):
    counts = dict(surge_store.con.execute(
        "SELECT event_type, count(DISTINCT (worker_id, program_id)) FROM events GROUP BY 1").fetchall())
    funnel = [counts[t] for t in EVENT_TYPES]
    assert funnel == sorted(funnel, reverse=True) and funnel[-1] > 0
    assert 0.05 < counts["click"] / counts["impression"] < 0.4
    # at most one enrolment per worker; completions follow enrolments
    per_worker = surge_store.con.execute(
        "SELECT max(n) FROM (SELECT count(*) AS n FROM events WHERE event_type = 'enrolment' GROUP BY worker_id)"
    ).fetchone()[0]
    assert per_worker == 1
    orphan = surge_store.con.execute("""
        SELECT count(*) FROM events c WHERE event_type = 'completion' AND NOT EXISTS (
            SELECT 1 FROM events e WHERE e.event_type = 'enrolment' AND e.worker_id = c.worker_id
            AND e.program_id = c.program_id AND e.month < c.month)""").fetchone()[0]
    assert orphan == 0


def test_programs_come_from_the_workers_occupation(surge_store: DemandStore, unserved_catalog: Catalog):
    pairs = surge_store.con.execute("SELECT DISTINCT occupation_code, major_code FROM events").fetchall()
    linked = unserved_catalog.majors_by_occupation
    assert all(major in linked.get(occupation, ()) for occupation, major in pairs)
    cols = surge_store.con.execute(
        "SELECT DISTINCT program_id, college_id, major_code FROM events").fetchall()
    for program_id, college_id, major_code in cols:
        p = unserved_catalog.programs[program_id]
        assert (p.college_id, p.major_code) == (college_id, major_code)


def test_rank_model_version_and_requests(surge_store: DemandStore):
    ranks = surge_store.con.execute("SELECT min(rank), max(rank) FROM events").fetchone()
    assert ranks == (1, 6)
    versions = dict(surge_store.con.execute(
        "SELECT month, any_value(model_version) FROM events GROUP BY month").fetchall())
    assert versions["2027-01"] != versions["2027-12"]
    requests = surge_store.con.execute(
        "SELECT count(*), min(headcount), count(DISTINCT enterprise_id) FROM requests").fetchone()
    assert requests[0] >= 20 and requests[1] >= 5 and requests[2] == 20


def test_same_seed_same_files(tmp_path, demo_province: DemoProvince, unserved_catalog: Catalog):
    workers = demo_workers_frame(demo_province.workers_path).head(200)
    a = generate_activity(tmp_path / "a", unserved_catalog, workers, seed=7)
    b = generate_activity(tmp_path / "b", unserved_catalog, workers, seed=7)
    c = generate_activity(tmp_path / "c", unserved_catalog, workers, seed=8)

    def read(data: ActivityDataset):
        return pq.read_table(data.root / "events" / "2027-07.parquet")

    assert read(a).equals(read(b))
    assert not read(a).equals(read(c))
    assert a.manifest["counts"] == b.manifest["counts"]


def test_refuses_to_overwrite_other_directories(tmp_path, demo_province: DemoProvince, unserved_catalog: Catalog):
    (tmp_path / "keep.txt").write_text("mine")
    workers = demo_workers_frame(demo_province.workers_path).head(10)
    with pytest.raises(UserError, match="refusing to replace"):
        generate_activity(tmp_path, unserved_catalog, workers)
    with pytest.raises(UserError, match="unknown surge city"):
        generate_activity(tmp_path / "x", unserved_catalog, workers, surge=PlantedSurge("火星市"))
    assert (tmp_path / "keep.txt").read_text() == "mine"


@pytest.mark.slow
def test_hundred_thousand_workers_within_a_minute(tmp_path, demo_province: DemoProvince, demo_catalog: Catalog):
    started = time.perf_counter()
    workers = synthetic_workers_frame(100_000, seed=2026)
    data = generate_activity(tmp_path / "big", demo_catalog, workers, seed=2026)
    elapsed = time.perf_counter() - started
    assert elapsed <= 60, f"{elapsed:.1f} s"
    assert data.manifest["counts"]["events"] >= 1_000_000
    assert data.manifest["counts"]["active_workers"] > 70_000
