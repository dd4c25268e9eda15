"""The FAISS index: approximate recall against exact search, filters applied inside the search, persistence."""

from __future__ import annotations

import numpy as np
import pytest

from recommender.encoders.base import l2_normalise
from recommender.indexes.dense import DenseIndex, DenseIndexConfig


@pytest.fixture(scope="module")
def vectors() -> tuple[np.ndarray, np.ndarray]:
    """Clustered synthetic embeddings (like texts: topics with spread) and queries near them."""
    rng = np.random.default_rng(7)
    centres = rng.normal(size=(100, 32))
    data = centres[rng.integers(0, 100, 8_000)] + 0.6 * rng.normal(size=(8_000, 32))
    queries = centres[rng.integers(0, 100, 200)] + 0.6 * rng.normal(size=(200, 32))
    return l2_normalise(data), l2_normalise(queries)


def _recall_at_10(approx, exact) -> float:
    return float(np.mean([len({i for i, _ in a[:10]} & {i for i, _ in e[:10]}) / 10 for a, e in zip(approx, exact)]))


@pytest.mark.parametrize("factory", ["HNSW32", "IVF32,Flat", pytest.param("IVF32,PQ16x8", marks=pytest.mark.slow)])
def test_approximate_index_recall_against_exact(vectors, factory):
    data, queries = vectors
    ids = [f"i{k}" for k in range(len(data))]
    exact = DenseIndex.build(data, ids, DenseIndexConfig(factory=factory, flat_threshold=10**9))
    approx = DenseIndex.build(data, ids, DenseIndexConfig(factory=factory, flat_threshold=1000, nprobe=24,
                                                          ef_search=128))
    assert exact.factory == "Flat" and approx.factory == factory
    recall = _recall_at_10(approx.search(queries, 10), exact.search(queries, 10))
    floor = 0.95 if "PQ" not in factory else 0.6  # product quantisation is lossy by design
    assert recall >= floor, f"{factory}: recall@10 {recall:.3f}"


@pytest.mark.parametrize("factory,threshold,n_allowed", [
    ("HNSW32", 1000, 3000), ("IVF32,Flat", 1000, 3000), ("HNSW32", 10**9, 3000),  # IDSelector inside FAISS
    ("HNSW32", 1000, 300), pytest.param("IVF32,PQ16x8", 1000, 300, marks=pytest.mark.slow),  # selective filter: exact search over the allowed
])
def test_filtered_search_returns_only_allowed_ids(vectors, factory, threshold, n_allowed):
    data, queries = vectors
    ids = [f"i{k}" for k in range(len(data))]
    index = DenseIndex.build(data, ids, DenseIndexConfig(factory=factory, flat_threshold=threshold, nprobe=24,
                                                         exact_filter_limit=1000))
    rng = np.random.default_rng(3)
    allowed = {ids[k] for k in rng.choice(len(ids), n_allowed, replace=False)}
    results = index.search(queries[:50], k=10, allowed=allowed)
    assert all(len(hits) == 10 for hits in results)  # filtered inside the search: k hits, no over-fetching
    assert all(item in allowed for hits in results for item, _ in hits)
    # the filtered result is the best among the allowed ones (exact index) or close to it (approximate)
    exact = DenseIndex.build(data[[ids.index(a) for a in sorted(allowed)]], sorted(allowed),
                             DenseIndexConfig(flat_threshold=10**9))
    assert _recall_at_10(results, exact.search(queries[:50], 10)) >= 0.9


def test_idselector_is_used_inside_the_search(vectors, monkeypatch):
    import faiss

    data, queries = vectors
    ids = [f"i{k}" for k in range(len(data))]
    index = DenseIndex.build(data, ids, DenseIndexConfig(factory="HNSW32", flat_threshold=1000,
                                                         exact_filter_limit=0))
    made = []
    real = faiss.IDSelectorBatch

    def spy(positions):
        made.append(len(positions))
        return real(positions)

    monkeypatch.setattr(faiss, "IDSelectorBatch", spy)
    hits = index.search(queries[:3], k=5, allowed=ids[:3000])
    assert made == [3000] and all(len(h) == 5 and all(int(i[1:]) < 3000 for i, _ in h) for h in hits)


def test_filter_with_no_allowed_id_and_unknown_ids():
    index = DenseIndex.build(np.eye(4, dtype=np.float32), ["a", "b", "c", "d"])
    assert index.search(np.eye(4)[:1], k=2, allowed=[]) == [[]]
    assert [i for i, _ in index.search(np.eye(4)[:1], k=3, allowed=["c", "zz"])[0]] == ["c"]


def test_save_and_load_roundtrip(tmp_path, vectors):
    data, queries = vectors
    ids = [f"i{k}" for k in range(2000)]
    index = DenseIndex.build(data[:2000], ids, DenseIndexConfig(factory="HNSW32", flat_threshold=100))
    index.save(tmp_path, "items")
    loaded = DenseIndex.load(tmp_path, "items")
    assert loaded.factory == "HNSW32" and loaded.ids == ids
    assert loaded.search(queries[:5], 5) == index.search(queries[:5], 5)


def test_bad_input_is_rejected():
    with pytest.raises(ValueError, match="ids"):
        DenseIndex.build(np.eye(3, dtype=np.float32), ["a", "b"])
    with pytest.raises(ValueError, match="unique"):
        DenseIndex.build(np.eye(2, dtype=np.float32), ["a", "a"])
