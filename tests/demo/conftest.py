"""Fixtures of the demo tests: one demo province generated per session, and what it loads to."""

from __future__ import annotations

from pathlib import Path

import pytest

from recommender.catalog.catalog import Catalog
from recommender.catalog.loader import load_catalog
from recommender.demo import DemoProvince, generate_demo_province

SHARED_DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"


@pytest.fixture(scope="session")
def province(tmp_path_factory: pytest.TempPathFactory) -> DemoProvince:
    return generate_demo_province(tmp_path_factory.mktemp("demo") / "province", seed=2026)


@pytest.fixture(scope="session")
def catalog(province: DemoProvince) -> Catalog:
    return load_catalog(province.catalog_dir)
