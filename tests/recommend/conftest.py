"""A demo province and a fitted recommender, built once per test session in a temporary directory."""

from pathlib import Path

import pytest

from recommender.demo.people import load_workers
from recommender.demo.province import generate_demo_province
from recommender.recommend.build import recommender_for


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("recommend") / "demo"
    generate_demo_province(out)
    return out


@pytest.fixture(scope="session")
def built(demo_dir):
    # The lexical channels only ("none" encoder): the tests check constraints and rules, not encoder quality.
    return recommender_for(demo_dir / "catalog", "none")


@pytest.fixture(scope="session")
def recommender(built):
    return built.recommender


@pytest.fixture(scope="session")
def demo_workers(demo_dir):
    return load_workers(demo_dir / "workers.csv")
