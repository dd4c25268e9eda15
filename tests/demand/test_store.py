"""The DuckDB store: validation at the boundary, the same figures from Parquet files and from a table."""

from __future__ import annotations

import pandas as pd
import pytest

from recommender.catalog.catalog import Catalog
from recommender.demand import ActivityDataset, DemandStore
from recommender.errors import UserError


def test_parquet_and_in_memory_tables_agree(surge_activity: ActivityDataset, surge_store: DemandStore,
                                            unserved_catalog: Catalog):
    frame = surge_store.con.execute("SELECT * FROM events").df()
    with DemandStore(unserved_catalog, frame, threads=1) as memory:
        pd.testing.assert_frame_equal(memory.program_stages(), surge_store.program_stages())
        pd.testing.assert_frame_equal(memory.city_major_occupations(), surge_store.city_major_occupations())
    assert surge_store.months() == tuple(f"2027-{m:02d}" for m in range(1, 13))
    assert surge_store.event_count() == surge_activity.manifest["counts"]["events"]


def test_aggregations_match_a_direct_count(surge_store: DemandStore):
    stages = surge_store.program_stages()
    direct = surge_store.con.execute(
        "SELECT count(DISTINCT (program_id, worker_id)) FROM events").fetchone()[0]
    assert stages["workers"].sum() == direct
    interested = surge_store.con.execute(
        "SELECT count(DISTINCT (major_code, worker_id)) FROM events WHERE event_type <> 'impression'").fetchone()[0]
    assert surge_store.city_major_occupations()["workers"].sum() == interested


def test_bad_inputs_say_what_to_fix(unserved_catalog: Catalog, tmp_path):
    with pytest.raises(UserError, match="column.*missing.*city"):
        DemandStore(unserved_catalog, pd.DataFrame({"event_type": ["click"], "worker_id": ["W1"]}))
    frame = pd.DataFrame([("click", "W1", "P", "M", "C", "O", "泰州市", "2027-1")],
                         columns=["event_type", "worker_id", "program_id", "major_code", "college_id",
                                  "occupation_code", "city", "month"])
    with pytest.raises(UserError, match="YYYY-MM"):
        DemandStore(unserved_catalog, frame)
    with pytest.raises(UserError, match="unknown event_type"):
        DemandStore(unserved_catalog, frame.assign(month="2027-01", event_type="like"))
    with pytest.raises(UserError, match="not an activity directory"):
        DemandStore.open(tmp_path, unserved_catalog)


def test_activity_of_another_catalog_is_refused(surge_activity: ActivityDataset, demo_catalog: Catalog):
    with pytest.raises(UserError, match="another catalog"):
        DemandStore.open(surge_activity, demo_catalog)


def test_feedback_events_from_the_service(unserved_catalog: Catalog):
    from recommender.demand import college_demand, feedback_to_events

    program = next(iter(unserved_catalog.programs.values()))
    feedback = pd.DataFrame({
        "worker_id": [f"W{i}" for i in range(12)] + ["W0"],
        "event_type": ["click"] * 12 + ["rating"],
        "program_id": [program.program_id] * 13,
        "occurred_at": pd.to_datetime(["2027-05-03T10:00:00Z"] * 13),
    })
    workers = pd.DataFrame({"worker_id": [f"W{i}" for i in range(12)], "city": ["泰州市"] * 12,
                            "occupation_code": ["4-10-01-05"] * 12})
    events = feedback_to_events(feedback, unserved_catalog, workers)
    assert len(events) == 12 and set(events["month"]) == {"2027-05"}
    assert set(events["college_id"]) == {program.college_id}
    with DemandStore(unserved_catalog, events, threads=1) as store:
        view = college_demand(store, program.college_id, k=10)
    assert next(p for p in view.programs if p.program_id == program.program_id).interested == 12
