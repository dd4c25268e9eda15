"""The FAISS index: approximate recall against exact search, filters applied inside the search, persistence."""

from __future__ import annotations

import numpy as np
import pytest

from recommender.encoders.base import l2_normalise
from recommender.indexes.dense import (
    DenseIndex,
    DenseIndexConfig,
    auto_factory,
    reserve_rows,
    resolve_factory,
    unit_rows,
)


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


@pytest.mark.parametrize("factory", ["auto", "HNSW32", "IVF32,Flat",
                                     pytest.param("IVF32,PQ16x8", marks=pytest.mark.slow)])
def test_approximate_index_recall_against_exact(vectors, factory):
    data, queries = vectors
    ids = [f"i{k}" for k in range(len(data))]
    exact = DenseIndex.build(data, ids, DenseIndexConfig(factory=factory, flat_threshold=10**9))
    approx = DenseIndex.build(data, ids, DenseIndexConfig(factory=factory, flat_threshold=1000, nprobe=24,
                                                          ef_search=128))
    assert exact.factory == "Flat" and approx.factory == resolve_factory(len(data), approx.config)
    recall = _recall_at_10(approx.search(queries, 10), exact.search(queries, 10))
    floor = 0.95 if "PQ" not in factory else 0.6  # product quantisation is lossy by design
    assert recall >= floor, f"{factory}: recall@10 {recall:.3f}"


@pytest.mark.parametrize("factory,threshold,n_allowed", [
    ("auto", 1000, 3000), ("auto", 1000, 300),  # the IDSelector filters the IVF scan; RFlat re-ranks its hits
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


def test_auto_factory_follows_the_size():
    config = DenseIndexConfig()
    assert config.factory == "auto"
    assert resolve_factory(config.flat_threshold - 1, config) == "Flat"
    assert resolve_factory(20_000, config) == "IVF128,SQ8,RFlat"
    assert resolve_factory(100_268, config) == "IVF256,SQ8,RFlat"  # province
    assert resolve_factory(1_500_420, config) == "IVF1024,SQ8,RFlat"  # national: the study's choice
    assert resolve_factory(50_000, DenseIndexConfig(factory="HNSW32")) == "HNSW32"
    assert auto_factory(1) == "IVF1,SQ8,RFlat"


@pytest.mark.parametrize("factory,copy_kept", [("auto", False), ("HNSW32", False), ("IVF32,SQ8", True)])
def test_exact_vectors_are_not_stored_twice(vectors, factory, copy_kept):
    """Indexes that store the exact vectors (RFlat, HNSW…Flat) give them back for the selective-filter path."""
    data, queries = vectors
    ids = [f"i{k}" for k in range(len(data))]
    index = DenseIndex.build(data, ids, DenseIndexConfig(factory=factory, flat_threshold=1000))
    assert (index.vectors is not None) == copy_kept
    allowed = ids[:500:5]  # 100 ids: at most exact_filter_limit, answered by exact search over them
    hits = index.search(queries[:20], k=5, allowed=allowed)
    subset = DenseIndex.build(data[:500:5], allowed)
    assert [[i for i, _ in h] for h in hits] == [[i for i, _ in h] for h in subset.search(queries[:20], k=5)]


def test_auto_index_takes_additions_and_survives_save_load_and_pickle(tmp_path, vectors):
    import pickle

    data, queries = vectors
    ids = [f"i{k}" for k in range(3000)]
    index = DenseIndex.build(data[:3000], ids, DenseIndexConfig(flat_threshold=1000))
    assert index.factory == "IVF64,SQ8,RFlat"
    index.add(data[3000:3001] * -1, ["new"])  # far from every other vector
    assert index.search(-data[3000:3001], k=1)[0][0][0] == "new"
    index.save(tmp_path, "courses")
    assert not (tmp_path / "courses.vectors.npy").exists()  # the RFlat part holds the exact vectors
    loaded = DenseIndex.load(tmp_path, "courses")
    again = pickle.loads(pickle.dumps(index))
    expected = index.search(queries[:5], 5)
    assert loaded.search(queries[:5], 5) == expected and again.search(queries[:5], 5) == expected
    assert loaded.search(queries[:5], 5, allowed=["new", "i1", "i2"])[0][0][0] in {"new", "i1", "i2"}


def test_unit_rows_copies_only_when_it_must():
    unit = l2_normalise(np.random.default_rng(1).normal(size=(50, 8))).astype(np.float32)
    same, copied = unit_rows(unit)
    assert same is unit and not copied  # already unit length: FAISS copies it anyway, no second copy
    raw = unit * 3.0
    normalised, copied = unit_rows(raw)
    assert copied and np.allclose(np.linalg.norm(normalised, axis=1), 1.0) and np.allclose(raw, unit * 3.0)
    as_float64, copied = unit_rows(unit.astype(np.float64))
    assert copied and as_float64.dtype == np.float32


def test_a_copy_is_kept_apart_from_the_callers_array(vectors):
    data, _ = vectors
    data = data.astype(np.float32)
    index = DenseIndex.build(data, [f"i{k}" for k in range(len(data))],
                             DenseIndexConfig(factory="IVF32,SQ8", flat_threshold=1000))
    assert index.vectors is not None and not np.shares_memory(index.vectors, data)


@pytest.mark.parametrize("factory", ["Flat", "IVF16,SQ8,RFlat", "HNSW16", "IVF16,Flat"])
def test_reserved_room_leaves_the_index_unchanged(tmp_path, factory):
    """Room for additions is capacity only: same vectors, same size on disk, additions still searchable."""
    import faiss

    rng = np.random.default_rng(2)
    data = l2_normalise(rng.normal(size=(2000, 16))).astype(np.float32)
    index = faiss.index_factory(16, factory, faiss.METRIC_INNER_PRODUCT)
    index.train(data)
    index.add(data)
    before = faiss.serialize_index(index)
    reserve_rows(index, 10_000)
    assert index.ntotal == 2000 and np.array_equal(faiss.serialize_index(index), before)
    new = l2_normalise(rng.normal(size=(3, 16))).astype(np.float32)
    index.add(new)
    assert index.ntotal == 2003 and index.search(new, 1)[1][:, 0].tolist() == [2000, 2001, 2002]


def test_growth_room_is_bounded():
    config = DenseIndexConfig()
    assert config.growth_room(10_000) == 0  # below the flat threshold
    assert config.growth_room(100_000) == 10_000 and config.growth_room(1_500_000) == 50_000


def test_small_searches_run_on_one_thread_and_restore_it(vectors, monkeypatch):
    import faiss

    data, queries = vectors
    index = DenseIndex.build(data, [f"i{k}" for k in range(len(data))], DenseIndexConfig(flat_threshold=1000))
    threads = faiss.omp_get_max_threads()
    calls = []
    real = faiss.omp_set_num_threads
    monkeypatch.setattr(faiss, "omp_set_num_threads", lambda n: (calls.append(n), real(n)))
    index.search(queries[:1], k=5)
    assert calls == [1, threads] and faiss.omp_get_max_threads() == threads
    calls.clear()
    index.search(queries[:64], k=5)  # a batch keeps every thread
    assert calls == []
