"""Atomic index publishing: a build that fails or crashes half-way leaves the old version serving."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from recommender.encoders.registry import get_encoder
from recommender.evaluation.toy import write_toy_bench
from recommender.indexes.bundle import ItemIndexes
from recommender.indexes.lexical import LexicalIndex
from recommender.indexes.store import IndexStore
from recommender.matching.corpus import MatchingCorpus


def _write(text: str):
    def write(directory):
        (directory / "a.txt").write_text(text)
        (directory / "b.txt").write_text(text * 2)
    return write


def test_publish_switches_atomically_and_prunes(tmp_path):
    store = IndexStore(tmp_path / "idx", keep=2)
    assert store.current() is None
    with pytest.raises(FileNotFoundError):
        store.read(lambda d: d)
    v1 = store.publish(_write("one"))
    v2 = store.publish(_write("two"))
    assert store.current() == v2 and (tmp_path / "idx" / "current").is_symlink()
    assert store.read(lambda d: (d / "a.txt").read_text()) == "two"
    v3 = store.publish(_write("three"))
    assert store.versions() == sorted([v2, v3]) and not v1.exists()  # keep=2: current and the one before


def test_exception_mid_build_leaves_old_version_serving(tmp_path):
    store = IndexStore(tmp_path)
    old = store.publish(_write("old"))

    def failing(directory):
        (directory / "a.txt").write_text("half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        store.publish(failing)
    assert store.current() == old
    assert store.read(lambda d: (d / "a.txt").read_text()) == "old"
    assert not list(tmp_path.glob(".building-*"))


def test_process_killed_mid_build_leaves_old_version_serving(tmp_path):
    store = IndexStore(tmp_path)
    store.publish(_write("old"))
    script = textwrap.dedent(f"""
        import os
        from recommender.indexes.store import IndexStore
        def write(directory):
            (directory / "a.txt").write_text("half")
            os._exit(9)  # the process dies: no cleanup runs
        IndexStore({str(tmp_path)!r}).publish(write)
    """)
    proc = subprocess.run([sys.executable, "-c", script], check=False, env={**os.environ}, timeout=120)
    assert proc.returncode == 9
    assert list(tmp_path.glob(".building-*"))  # debris of the crashed build
    assert store.read(lambda d: (d / "a.txt").read_text()) == "old"
    store.publish(_write("new"))  # the next build cleans up and switches
    assert not list(tmp_path.glob(".building-*"))
    assert store.read(lambda d: (d / "a.txt").read_text()) == "new"


def test_item_indexes_publish_and_failed_rebuild(tmp_path, monkeypatch):
    corpus = MatchingCorpus.from_bench(write_toy_bench(tmp_path / "bench"))
    enc = get_encoder("lexical")
    root = tmp_path / "catalog" / ".index"
    ItemIndexes.build(corpus, enc).publish(root)
    served = ItemIndexes.load_current(root)
    query = enc.encode(["电焊工"])
    assert served.items_dense.search(query, 1)[0][0][0] == "460110"

    def broken_save(self, directory, name="lexical"):
        (directory / f"{name}.json").write_text("{")  # half-written
        raise OSError("killed while writing")

    monkeypatch.setattr(LexicalIndex, "save", broken_save)
    with pytest.raises(OSError):
        ItemIndexes.build(corpus, enc).publish(root)
    still = ItemIndexes.load_current(root)
    np.testing.assert_array_equal(still.items_dense.search(query, 3), served.items_dense.search(query, 3))
    assert still.items_lexical.search(["焊接"], 1)[0][0][0] == "460110"
