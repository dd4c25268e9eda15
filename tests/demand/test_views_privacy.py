"""End to end through DuckDB: whatever random small event set comes in, no published figure exposes fewer than k
workers, directly or as a total minus its published parts; and counts are workers, not events."""

from __future__ import annotations

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recommender.catalog.catalog import Catalog
from recommender.demand import DemandStore, college_demand, union_report
from recommender.demand.events import EVENT_TYPES, REQUIRED_EVENT_COLUMNS

CITIES = ("泰州市", "南京市", "苏州市")
OCCUPATIONS = ("4-10-01-05", "4-02-07-08", "6-29-03-01")
MONTHS = ("2027-01", "2027-02", "2027-03", "2027-04")


def _programs(catalog: Catalog) -> list[str]:
    """A few programs of three colleges (two in one city, so peers and regions overlap)."""
    colleges = [c for c in sorted(catalog.colleges) if catalog.colleges[c].city == "泰州市"][:2] + ["DEMO-C001"]
    return [pid for c in colleges for pid in sorted(catalog.programs_by_college[c])[:3]]


def _events(catalog: Catalog, rows) -> pd.DataFrame:
    records = []
    for worker, city, occupation, program_id, event_type, month in rows:
        p = catalog.programs[program_id]
        records.append((event_type, f"W{worker:03d}", program_id, p.major_code, p.college_id, occupation, city, month))
    return pd.DataFrame(records, columns=list(REQUIRED_EVENT_COLUMNS))


def _check(groups, k: int) -> None:
    for g in groups:
        for value in (g.total, *g.parts):
            assert value is None or value == 0 or value >= k, f"{g.name}: published {value} < k = {k}"
        left = g.residual
        assert left is None or left == 0 or left >= k, f"{g.name}: total − published parts = {left} (k = {k})"


@st.composite
def _activity(draw, programs: list[str]):
    n_workers = draw(st.integers(1, 45))
    workers = [(w, draw(st.sampled_from(CITIES)), draw(st.sampled_from(OCCUPATIONS))) for w in range(n_workers)]
    rows = []
    for w, city, occupation in workers:
        for _ in range(draw(st.integers(1, 4))):
            rows.append((w, city, occupation, draw(st.sampled_from(programs)), draw(st.sampled_from(EVENT_TYPES)),
                         draw(st.sampled_from(MONTHS))))
    return rows


def test_published_views_never_expose_small_cells(demo_catalog: Catalog):
    programs = _programs(demo_catalog)
    colleges = sorted({demo_catalog.programs[p].college_id for p in programs})

    @settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(rows=_activity(programs), k=st.sampled_from([2, 3, 5, 10]))
    def run(rows, k):
        with DemandStore(demo_catalog, _events(demo_catalog, rows), threads=1) as store:
            for college_id in colleges:
                _check(college_demand(store, college_id, k=k).published_groups(), k)
            _check(union_report(store, k=k).published_groups(), k)

    run()


def test_counts_are_distinct_workers_not_events(demo_catalog: Catalog):
    program = _programs(demo_catalog)[0]
    college_id = demo_catalog.programs[program].college_id
    rows = [(w, "泰州市", "4-10-01-05", program, "click", month) for w in range(12) for month in MONTHS[:3]]
    with DemandStore(demo_catalog, _events(demo_catalog, rows), threads=1) as store:
        view = college_demand(store, college_id, k=10)
    p = next(p for p in view.programs if p.program_id == program)
    assert p.interested == 12  # 36 click events, 12 workers
    assert p.monthly["2027-01"] == 12 and p.monthly["2027-02"] == 0  # counted in the month of first interest
    assert p.stages["click"] == 12
    assert view.interested == 12


def test_a_lone_small_city_is_not_exposed_through_the_region(demo_catalog: Catalog):
    """A college teaching in two cities sees the sum of *published* city figures only."""
    college = next(c for c in demo_catalog.colleges.values() if len(c.cities) == 2)
    offered = {demo_catalog.programs[p].major_code for p in demo_catalog.programs_by_college[college.college_id]}
    program = next(p for p in demo_catalog.programs.values() if p.major_code not in offered)
    seat, other = college.cities
    rows = [(w, seat, "4-10-01-05", program.program_id, "click", "2027-01") for w in range(15)]
    rows += [(100 + w, other, "4-10-01-05", program.program_id, "click", "2027-01") for w in range(4)]
    with DemandStore(demo_catalog, _events(demo_catalog, rows), threads=1) as store:
        view = college_demand(store, college.college_id, k=10)
    row = next(u for u in view.unmet if u.major_code == program.major_code)
    assert row.workers == 15 and row.by_city == {seat: 15, other: None}
