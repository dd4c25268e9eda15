"""Fixtures of the enterprise tests: one demo province, its catalog, one fitted occupation linker per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from recommender.catalog.catalog import Catalog
from recommender.catalog.loader import load_catalog
from recommender.demo import DemoProvince, generate_demo_province, load_enterprises, load_target_roles
from recommender.enterprise.linking import RosterLinker
from recommender.enterprise.skills import SkillModel

KEY = "test-key"


@pytest.fixture(scope="session")
def province(tmp_path_factory: pytest.TempPathFactory) -> DemoProvince:
    return generate_demo_province(tmp_path_factory.mktemp("enterprise-demo") / "province", seed=2026)


@pytest.fixture(scope="session")
def catalog(province: DemoProvince) -> Catalog:
    return load_catalog(province.catalog_dir)


@pytest.fixture(scope="session")
def linker(catalog: Catalog) -> RosterLinker:
    return RosterLinker(catalog).fit()  # fitted once for the session


@pytest.fixture(scope="session")
def skills(catalog: Catalog) -> SkillModel:
    return SkillModel(catalog)


@pytest.fixture(scope="session")
def enterprises(province: DemoProvince) -> dict:
    """enterprise_id → (Enterprise, target role or '')."""
    targets = load_target_roles(province.enterprises_dir)
    return {e.enterprise_id: (e, targets.get(e.enterprise_id, "")) for e in load_enterprises(province.enterprises_dir)}


@pytest.fixture(scope="session")
def rosters_dir(province: DemoProvince) -> Path:
    return province.enterprises_dir / "rosters"
