"""CatalogService on disk: what a restart serves after a crash left partial files behind."""

from __future__ import annotations

from api_testdata import write_test_catalog

from api.services.catalog_service import CatalogService


def test_start_serves_the_pointer_version_and_ignores_partial_writes(tmp_path):
    initial = write_test_catalog(tmp_path / "initial")
    service = CatalogService(tmp_path / "store", initial)
    service.start()
    version = service.import_catalog(directory=write_test_catalog(tmp_path / "new", extra_college=True))
    assert service.wait(10) and service.version == version
    # a crash in a later import: a staging folder and an unreferenced version folder, pointer untouched
    (service.versions_dir / ".later.writing-abcd").mkdir()
    (service.versions_dir / "29990101T000000-ffffff").mkdir()
    restarted = CatalogService(tmp_path / "store", initial)
    restarted.start()
    assert restarted.version == version and len(restarted.catalog.colleges) == 3


def test_a_pointer_to_a_missing_version_falls_back_to_catalog_dir(tmp_path):
    initial = write_test_catalog(tmp_path / "initial")
    (tmp_path / "store").mkdir()
    (tmp_path / "store" / "CURRENT").write_text("gone\n", encoding="utf-8")
    service = CatalogService(tmp_path / "store", initial)
    service.start()
    assert service.version == "catalog_dir" and service.catalog is not None


def test_the_engine_is_built_before_the_swap(tmp_path):
    built = []

    def factory(catalog):
        built.append(catalog)
        return ("engine", len(catalog.programs))

    service = CatalogService(tmp_path / "store", write_test_catalog(tmp_path / "c"), engine_factory=factory)
    service.start()  # the catalog serves at once; its engine follows from the background
    assert service.catalog is not None
    assert service.wait(10) and service.engine_ready
    assert service.serving.engine == ("engine", 3) and built == [service.catalog]
    before = service.serving
    service.reindex()
    assert service.wait(10)
    assert service.serving is not before and service.serving.engine == ("engine", 3)
    assert before.catalog is built[0]  # a request holding the old snapshot keeps a consistent pair


def test_old_versions_are_pruned(tmp_path):
    service = CatalogService(tmp_path / "store", None)
    service.start()
    source = write_test_catalog(tmp_path / "c")
    versions = []
    for _ in range(6):
        versions.append(service.import_catalog(directory=source))
        assert service.wait(10)
    kept = sorted(p.name for p in service.versions_dir.iterdir() if not p.name.startswith("."))
    assert kept == versions[1:]  # the newest, the previous one in service, and three older


def test_an_engine_that_fails_at_start_leaves_the_catalog_serving(tmp_path):
    def factory(catalog):
        raise ValueError("cannot fit")

    service = CatalogService(tmp_path / "store", write_test_catalog(tmp_path / "c"), engine_factory=factory)
    service.start()
    assert service.wait(10)
    assert service.catalog is not None and not service.engine_ready
    assert service.job.state == "failed" and "cannot fit" in service.job.error


def test_an_engine_that_fails_at_reindex_keeps_the_old_pair(tmp_path):
    calls = []

    def factory(catalog):
        calls.append(catalog)
        if len(calls) > 1:
            raise ValueError("cannot fit")
        return "engine-1"

    service = CatalogService(tmp_path / "store", write_test_catalog(tmp_path / "c"), engine_factory=factory)
    service.start()
    assert service.wait(10)
    before = service.serving
    service.import_catalog(directory=write_test_catalog(tmp_path / "new", extra_college=True))
    assert service.wait(10) and service.job.state == "failed"
    assert service.serving is before and service.serving.engine == "engine-1"
    assert service.stored_version() != before.version  # a restart would serve the import (and build again)
