"""Fixtures of the catalog tests: a valid catalog directory, variants of it, a CurrentCatalog serving it."""

from __future__ import annotations

from pathlib import Path

import pytest
from catalog_fixtures import write_tables

from recommender.catalog.current import CurrentCatalog
from recommender.catalog.loader import CatalogError, Problem


@pytest.fixture
def good_dir(tmp_path: Path) -> Path:
    return write_tables(tmp_path / "good")


@pytest.fixture
def make_dir(tmp_path: Path):
    """``make_dir(overrides)`` writes a variant of the valid catalog and returns its directory."""
    counter = iter(range(1000))

    def make(overrides: dict[str, str | bytes | None] | None = None) -> Path:
        return write_tables(tmp_path / f"variant{next(counter)}", overrides)

    return make


@pytest.fixture
def current(good_dir: Path) -> CurrentCatalog:
    """A CurrentCatalog serving the valid catalog."""
    return CurrentCatalog.load(good_dir)


@pytest.fixture
def reject(current: CurrentCatalog, good_dir: Path):
    """``reject(directory)`` reloads ``current`` from a bad directory, checks the failure leaves the good
    catalog serving, untouched, and returns the problems."""

    def check(directory: Path) -> list[Problem]:
        before = current.catalog
        snapshot = (
            dict(before.majors),
            dict(before.colleges),
            before.major_occupations,
            dict(before.programs),
        )
        with pytest.raises(CatalogError) as info:
            current.reload(directory)
        assert current.catalog is before
        assert current.source == str(good_dir)
        assert (
            dict(before.majors),
            dict(before.colleges),
            before.major_occupations,
            dict(before.programs),
        ) == snapshot
        assert len(current.catalog.majors) == 5 and len(current.catalog.programs) == 3
        # every problem is printed in the error message
        for problem in info.value.problems:
            assert str(problem) in str(info.value)
        return info.value.problems

    return check
