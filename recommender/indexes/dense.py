"""A dense vector index over FAISS, configured by a factory string.

Vectors are L2-normalised, so inner product is cosine similarity. Below ``flat_threshold`` vectors the index is
exact (``Flat``) whatever the configuration says; above it the configured factory string is used
(``"HNSW32"``, ``"IVF256,PQ32"``, ``"IVF1024,Flat"`` …). Metadata filters run *inside* the search through a FAISS
``IDSelector`` (``IDSelectorBatch``) passed in the search parameters, so a filtered query returns k allowed hits
without over-fetching. A very selective filter (at most ``exact_filter_limit`` allowed ids) is answered by exact
search over the allowed vectors instead, since a graph or inverted-list search that may only stop at a few
scattered points loses recall there.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import faiss
import numpy as np

from recommender.encoders.base import l2_normalise


@dataclass(frozen=True)
class DenseIndexConfig:
    """How to index: the FAISS factory string for large collections and the size below which search is exact.

    ``ef_search`` (HNSW) and ``nprobe`` (IVF) trade speed for recall at query time.
    """

    factory: str = "HNSW32"
    flat_threshold: int = 20_000
    ef_search: int = 128
    nprobe: int = 16
    exact_filter_limit: int = 2048


class DenseIndex:
    """Inner-product search over normalised vectors with string ids.

    Examples
    --------
    >>> vecs = np.eye(3, dtype=np.float32)
    >>> index = DenseIndex.build(vecs, ["a", "b", "c"])
    >>> index.search(vecs[:1], k=2)[0][0]
    ('a', 1.0)
    >>> index.search(vecs[:1], k=2, allowed=["b", "c"])[0][0][0] in {"b", "c"}
    True
    """

    def __init__(self, index: faiss.Index, ids: Sequence[str], factory: str, config: DenseIndexConfig,
                 vectors: np.ndarray | None = None):
        self.index = index
        self.vectors = vectors  # the normalised vectors, kept for exact search under selective filters
        self.ids = list(ids)
        self.factory = factory
        self.config = config
        self._position = {item_id: i for i, item_id in enumerate(self.ids)}

    # -- building ------------------------------------------------------------------------------------------
    @classmethod
    def build(cls, vectors: np.ndarray, ids: Sequence[str], config: DenseIndexConfig | None = None
              ) -> DenseIndex:
        """Index ``vectors`` (one row per id); the factory string applies only above the flat threshold."""
        config = config or DenseIndexConfig()
        vectors = l2_normalise(np.ascontiguousarray(vectors, dtype=np.float32))
        if len(ids) != vectors.shape[0]:
            raise ValueError(f"{len(ids)} ids for {vectors.shape[0]} vectors")
        if len(set(ids)) != len(ids):
            raise ValueError("ids must be unique")
        factory = "Flat" if vectors.shape[0] < config.flat_threshold else config.factory
        index = faiss.index_factory(vectors.shape[1], factory, faiss.METRIC_INNER_PRODUCT)
        if not index.is_trained:
            index.train(vectors)
        index.add(vectors)
        return cls(index, ids, factory, config, None if factory == "Flat" else vectors)

    def add(self, vectors: np.ndarray, ids: Sequence[str]) -> None:
        """Add new ids in place, visible to the next search, without rebuilding (Flat, HNSW and trained IVF).

        The new vectors take the next positions; an id already in the index is refused (re-adding would leave
        the old vector searchable): rebuild with :meth:`build` to change existing vectors.
        """
        vectors = l2_normalise(np.ascontiguousarray(np.atleast_2d(vectors), dtype=np.float32))
        ids = list(ids)
        if len(ids) != vectors.shape[0]:
            raise ValueError(f"{len(ids)} ids for {vectors.shape[0]} vectors")
        clash = [i for i in ids if i in self._position]
        if clash or len(set(ids)) != len(ids):
            raise ValueError(f"ids already indexed or repeated: {', '.join(clash[:5]) or 'repeated ids'}; "
                             "rebuild the index to change existing vectors")
        self.index.add(vectors)
        if self.vectors is not None:  # kept for exact search under selective filters: keep it in step
            self.vectors = np.vstack([self.vectors, vectors])
        for item_id in ids:
            self._position[item_id] = len(self.ids)
            self.ids.append(item_id)

    def __len__(self) -> int:
        return len(self.ids)

    # -- searching -----------------------------------------------------------------------------------------
    def _params(self, allowed: Iterable[str] | None):
        selector = None
        if allowed is not None:
            positions = np.array(sorted({self._position[a] for a in allowed if a in self._position}),
                                 dtype=np.int64)
            selector = faiss.IDSelectorBatch(positions)
        base = faiss.downcast_index(self.index)
        if isinstance(base, faiss.IndexHNSW):
            return faiss.SearchParametersHNSW(sel=selector, efSearch=self.config.ef_search), selector
        if isinstance(base, faiss.IndexIVF):
            return faiss.SearchParametersIVF(sel=selector, nprobe=self.config.nprobe), selector
        return (faiss.SearchParameters(sel=selector) if selector is not None else None), selector

    def search(self, queries: np.ndarray, k: int = 10, allowed: Iterable[str] | None = None
               ) -> list[list[tuple[str, float]]]:
        """The ``k`` nearest ids and scores per query, best first; only ``allowed`` ids when given."""
        queries = l2_normalise(np.atleast_2d(np.asarray(queries, dtype=np.float32)))
        allowed = None if allowed is None else list(allowed)
        if allowed is not None and not allowed:
            return [[] for _ in range(queries.shape[0])]
        if allowed is not None and len(allowed) <= self.config.exact_filter_limit:
            return self._exact_subset(queries, k, allowed)
        params, _selector = self._params(allowed)  # keep the selector alive during the search
        k = min(k, len(self.ids))
        scores, positions = self.index.search(queries, k, params=params)
        return [[(self.ids[p], float(s)) for p, s in zip(row_p, row_s) if p >= 0]
                for row_p, row_s in zip(positions, scores)]

    def _exact_subset(self, queries: np.ndarray, k: int, allowed: list[str]) -> list[list[tuple[str, float]]]:
        positions = np.array(sorted({self._position[a] for a in allowed if a in self._position}), dtype=np.int64)
        if positions.size == 0:
            return [[] for _ in range(queries.shape[0])]
        if self.vectors is not None:
            subset = self.vectors[positions]
        else:
            subset = np.vstack([self.index.reconstruct(int(p)) for p in positions])
        scores = queries @ subset.T
        top = np.argsort(-scores, axis=1, kind="stable")[:, :k]
        return [[(self.ids[positions[j]], float(row[j])) for j in order] for row, order in zip(scores, top)]

    # -- persistence ---------------------------------------------------------------------------------------
    def save(self, directory: str | Path, name: str = "dense") -> None:
        directory = Path(directory)
        faiss.write_index(self.index, str(directory / f"{name}.faiss"))
        if self.vectors is not None:
            np.save(directory / f"{name}.vectors.npy", self.vectors)
        meta = {"ids": self.ids, "factory": self.factory, "config": self.config.__dict__}
        (directory / f"{name}.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, directory: str | Path, name: str = "dense") -> DenseIndex:
        directory = Path(directory)
        meta = json.loads((directory / f"{name}.json").read_text(encoding="utf-8"))
        index = faiss.read_index(str(directory / f"{name}.faiss"))
        vectors_path = directory / f"{name}.vectors.npy"
        vectors = np.load(vectors_path) if vectors_path.is_file() else None
        return cls(index, meta["ids"], meta["factory"], DenseIndexConfig(**meta["config"]), vectors)
