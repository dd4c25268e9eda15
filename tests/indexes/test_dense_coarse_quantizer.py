"""IVF cells from plain k-means with an L2 coarse quantizer: recall at few probes, exact scores, persistence."""

from __future__ import annotations

import faiss
import numpy as np
import pytest

from recommender.encoders.base import l2_normalise
from recommender.indexes.dense import DenseIndex, DenseIndexConfig, use_l2_coarse_quantizer


@pytest.fixture(scope="module")
def catalog() -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Unit rows like the course vectors (a repeated text plus a program context) and queries near the texts."""
    rng = np.random.default_rng(0)
    texts, contexts = rng.normal(size=(300, 32)), rng.normal(size=(400, 32))
    data = l2_normalise(texts[rng.integers(0, 300, 20_000)] + 0.5 * contexts[rng.integers(0, 400, 20_000)])
    queries = l2_normalise(texts[rng.integers(0, 300, 200)] + 0.8 * rng.normal(size=(200, 32)))
    return data, queries, [f"c{k}" for k in range(len(data))]


def _recall(approx, exact) -> float:
    return float(np.mean([len({i for i, _ in a} & {i for i, _ in e}) / len(e) for a, e in zip(approx, exact)]))


def _ivf(index: DenseIndex) -> faiss.IndexIVF:
    return faiss.downcast_index(faiss.extract_index_ivf(index.index))


def test_l2_cells_reach_recall_with_few_probes_and_score_exactly(catalog):
    data, queries, ids = catalog
    exact = DenseIndex.build(data, ids, DenseIndexConfig(flat_threshold=10**9)).search(queries, 10)
    index = DenseIndex.build(data, ids, DenseIndexConfig(flat_threshold=1000, nprobe=4))
    ivf = _ivf(index)
    assert index.factory == "IVF128,SQ8,RFlat" and index.config.coarse_quantizer == "l2"
    assert ivf.quantizer.metric_type == faiss.METRIC_L2 and ivf.metric_type == faiss.METRIC_INNER_PRODUCT
    assert not ivf.by_residual and not ivf.cp.spherical
    found = index.search(queries, 10)
    assert _recall(found, exact) >= 0.95  # 4 of 128 lists
    # scores are the exact inner products, best first (residual codes would add the L2 coarse distance)
    position = {item: k for k, item in enumerate(ids)}
    for q, hits in zip(queries[:20], found[:20]):
        scores = np.array([s for _, s in hits])
        assert np.allclose(scores, data[[position[i] for i, _ in hits]] @ q, atol=1e-5)
        assert np.all(np.diff(scores) <= 1e-7)


def test_sq8_codes_without_refine_score_inner_products(catalog):
    data, queries, ids = catalog
    index = DenseIndex.build(data, ids, DenseIndexConfig(factory="IVF64,SQ8", flat_threshold=1000, nprobe=64))
    position = {item: k for k, item in enumerate(ids)}
    hits = index.search(queries[:10], 10)
    got = np.array([[s for _, s in row] for row in hits])
    true = np.array([[data[position[i]] @ q for i, _ in row] for q, row in zip(queries[:10], hits)])
    assert np.abs(got - true).max() < 0.02  # 8-bit codes: close to the inner product, not an L2 distance


def test_l2_cells_survive_save_and_load(tmp_path, catalog):
    data, queries, ids = catalog
    index = DenseIndex.build(data[:5000], ids[:5000], DenseIndexConfig(flat_threshold=1000, nprobe=8))
    before = index.search(queries[:20], 10)
    index.save(tmp_path)
    loaded = DenseIndex.load(tmp_path)
    assert loaded.config.coarse_quantizer == "l2"
    assert _ivf(loaded).quantizer.metric_type == faiss.METRIC_L2
    assert loaded.search(queries[:20], 10) == before


def test_inner_product_cells_stay_selectable(catalog):
    data, queries, ids = catalog
    index = DenseIndex.build(data, ids, DenseIndexConfig(flat_threshold=1000, nprobe=16, coarse_quantizer="ip"))
    ivf = _ivf(index)
    assert ivf.quantizer.metric_type == faiss.METRIC_INNER_PRODUCT and ivf.cp.spherical and ivf.by_residual
    exact = DenseIndex.build(data, ids, DenseIndexConfig(flat_threshold=10**9)).search(queries, 10)
    assert _recall(index.search(queries, 10), exact) >= 0.95
    with pytest.raises(ValueError, match="coarse_quantizer"):
        DenseIndexConfig(coarse_quantizer="cosine")


@pytest.mark.parametrize("factory,changed", [
    ("IVF8,Flat", True), ("IVF8,SQ8,RFlat", True), ("IVF8,PQ4x4fs", True),
    ("IVF8,PQ4", False),  # residual PQ codes need the inner-product coarse score
    ("HNSW8", False), ("Flat", False), ("IVF8_HNSW8,Flat", False),
])
def test_only_untrained_flat_quantized_ivf_is_changed(factory, changed):
    index = faiss.index_factory(16, factory, faiss.METRIC_INNER_PRODUCT)
    assert use_l2_coarse_quantizer(index) is changed
    l2 = faiss.index_factory(16, "IVF8,Flat", faiss.METRIC_L2)
    assert not use_l2_coarse_quantizer(l2)
