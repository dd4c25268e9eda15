"""Fixtures of the demand tests: a demo province, a catalog copy with no 养老 program in the surge city, and a
year of activity with a planted 养老护理 surge there — each generated once per session."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest

from recommender.catalog.catalog import Catalog
from recommender.catalog.loader import load_catalog
from recommender.demand import ActivityDataset, DemandStore, care_surge, demo_workers_frame, enterprise_seeds
from recommender.demand.activity import CARE_OCCUPATION, generate_activity
from recommender.demo import DemoProvince, generate_demo_province

SURGE_CITY = "泰州市"


@pytest.fixture(scope="session")
def surge_city() -> str:
    return SURGE_CITY


@pytest.fixture(scope="session")
def demo_province(tmp_path_factory: pytest.TempPathFactory) -> DemoProvince:
    return generate_demo_province(tmp_path_factory.mktemp("demand") / "province", seed=2026)


@pytest.fixture(scope="session")
def demo_catalog(demo_province: DemoProvince) -> Catalog:
    return load_catalog(demo_province.catalog_dir)


@pytest.fixture(scope="session")
def care_majors(demo_catalog: Catalog) -> set[str]:
    """Every major linked to 养老护理员 (the surge's own majors are among them)."""
    return set(demo_catalog.majors_by_occupation[CARE_OCCUPATION])


@pytest.fixture(scope="session")
def unserved_catalog(demo_catalog: Catalog, care_majors: set[str]) -> Catalog:
    """The demo catalog without any program of a 养老护理员 major at a college teaching in the surge city."""
    dropped = {p.program_id for p in demo_catalog.programs.values()
               if p.major_code in care_majors and SURGE_CITY in demo_catalog.colleges[p.college_id].cities}
    assert dropped, "the demo catalog should offer 养老 majors in the surge city (else pick another city)"
    return dataclasses.replace(
        demo_catalog,
        programs={pid: p for pid, p in demo_catalog.programs.items() if pid not in dropped},
        courses={cid: c for cid, c in demo_catalog.courses.items() if c.program_id not in dropped},
    )


@pytest.fixture(scope="session")
def surge_activity(tmp_path_factory: pytest.TempPathFactory, demo_province: DemoProvince,
                   unserved_catalog: Catalog) -> ActivityDataset:
    return generate_activity(
        tmp_path_factory.mktemp("demand") / "activity", unserved_catalog,
        demo_workers_frame(demo_province.workers_path), seed=2026,
        enterprises=enterprise_seeds(demo_province.root), surge=care_surge(SURGE_CITY, unserved_catalog))


@pytest.fixture(scope="session")
def surge_store(surge_activity: ActivityDataset, unserved_catalog: Catalog) -> Iterator[DemandStore]:
    store = DemandStore.open(surge_activity, unserved_catalog, threads=2)
    yield store
    store.close()
