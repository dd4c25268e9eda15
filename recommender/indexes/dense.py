"""A dense vector index over FAISS, configured by a factory string.

Vectors are L2-normalised, so inner product is cosine similarity. Below ``flat_threshold`` vectors the index is
exact (``Flat``) whatever the configuration says; above it the configured factory string is used
(``"auto"``, ``"HNSW32"``, ``"IVF1024,Flat"`` …). ``"auto"`` (the default) is ``IVF{nlist},SQ8,RFlat``: about √n
inverted lists (a power of two), 8-bit scalar-quantised codes scanned in the ``nprobe`` nearest lists, and the
``k_factor · k`` best candidates re-ranked with the exact vectors. It is the fastest index that reached recall@10 ≥
0.95 against exact search in the national-scale study (``benchmarks/index_study.py``: 1.5M course vectors, where
HNSW32 stayed below 0.9 even at ``efSearch`` 2048), and it holds one exact copy of the vectors plus one byte per
dimension. With the default ``nprobe`` of 32, recall@10 of 200 worker job texts against exact search was 0.992 on
the province's 100k course vectors (256 lists) and 1.000 on the national 1.5M (1,024 lists)
(``benchmarks/index_build.py``; 0.982 and 0.995 with FAISS's inner-product cells).

IVF cells come from plain k-means with an L2 coarse quantizer (``coarse_quantizer="l2"``, see
:func:`use_l2_coarse_quantizer`) rather than FAISS's default for inner product (spherical k-means, cells chosen by
inner product with unit centroids). On unit vectors both rank the stored rows alike, but the L2 cells need far
fewer probes at high recall: on the 1.5M national course vectors, 1,024 lists, recall@10 0.99 took ``nprobe`` 12
with L2 cells and 96 with inner-product cells (``benchmarks/index_study.py``).

Metadata filters run *inside* the search through a FAISS ``IDSelector`` (``IDSelectorBatch``) passed in the
search parameters, so a filtered query returns k allowed hits without over-fetching. A very selective filter (at
most ``exact_filter_limit`` allowed ids) is answered by exact search over the allowed vectors instead, since a
graph or inverted-list search that may only stop at a few scattered points loses recall there. The exact vectors
come from the FAISS index when it stores them (``Flat``, ``…,RFlat``, ``HNSW…Flat``); other indexes (PQ or SQ codes
alone) keep a copy beside them.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import faiss
import numpy as np

from recommender.encoders.base import l2_normalise

COARSE_QUANTIZERS = ("l2", "ip")


@dataclass(frozen=True)
class DenseIndexConfig:
    """How to index: the FAISS factory string for large collections and the size below which search is exact.

    ``ef_search`` (HNSW), ``nprobe`` (IVF) and ``k_factor`` (the candidates re-ranked exactly by a ``…,RFlat``
    index, per hit asked for) trade speed for recall at query time. Training (IVF, PQ, SQ) uses at most
    ``train_rows`` vectors, drawn evenly. ``growth_rows`` bounds the room kept for later additions
    (:func:`reserve_rows`). Searches of fewer than ``parallel_from`` queries run on one thread (of the calling
    thread; OpenMP's setting is per thread): FAISS's parallel region for one query mostly waits for its other
    threads when the cores are busy (measured on the 2-core dev machine under load, ``nprobe`` 16: 12 ms instead
    of 1 ms per query on the national index, 5 ms instead of 0.25 ms on the demo's ``Flat`` course index).
    ``coarse_quantizer`` picks how an IVF index forms its cells: ``"l2"`` (plain k-means, cells by L2 distance;
    :func:`use_l2_coarse_quantizer`) or ``"ip"`` (FAISS's default for inner product: spherical k-means).
    """

    factory: str = "auto"
    flat_threshold: int = 20_000
    ef_search: int = 128
    nprobe: int = 32
    k_factor: int = 4
    exact_filter_limit: int = 2048
    train_rows: int = 100_000
    growth_rows: int = 50_000
    parallel_from: int = 16
    coarse_quantizer: str = "l2"

    def __post_init__(self) -> None:
        if self.coarse_quantizer not in COARSE_QUANTIZERS:
            raise ValueError(f"coarse_quantizer must be one of {', '.join(COARSE_QUANTIZERS)}, "
                             f"not {self.coarse_quantizer!r}")

    def growth_room(self, n: int) -> int:
        """Rows of room for additions after building or loading ``n``: up to ``growth_rows``, a tenth of ``n``;
        none below the flat threshold, where growing the arrays is cheap."""
        return min(self.growth_rows, n // 10) if n >= self.flat_threshold else 0


def auto_factory(n: int) -> str:
    """``IVF{nlist},SQ8,RFlat`` with ``nlist`` the power of two nearest √n.

    >>> auto_factory(100_000), auto_factory(1_500_000)
    ('IVF256,SQ8,RFlat', 'IVF1024,SQ8,RFlat')
    """
    n_list = 2 ** max(0, round(math.log2(math.sqrt(max(n, 1)))))
    return f"IVF{n_list},SQ8,RFlat"


def resolve_factory(n: int, config: DenseIndexConfig) -> str:
    """The factory string used for ``n`` vectors: ``Flat`` below the threshold, else the configured one."""
    if n < config.flat_threshold:
        return "Flat"
    return auto_factory(n) if config.factory == "auto" else config.factory


def use_l2_coarse_quantizer(index: faiss.Index) -> bool:
    """Give an untrained inner-product IVF index an L2 coarse quantizer; whether it was changed.

    FAISS trains the cells of an inner-product IVF index by spherical k-means and probes the lists whose unit
    centroid has the highest inner product with the query. Here the cells come from plain k-means instead, and
    rows and queries go to the lists of the nearest centroids by L2 distance. Search scores stay exact inner
    products. On the national course vectors (1.5M unit rows, 1,024 lists, 200 worker job texts) recall@10 reached
    0.99 at ``nprobe`` 12 this way, against 96 with FAISS's default (``benchmarks/index_study.py``).

    Codes stored as residuals from the centroid are scored under inner product as the coarse score plus the
    residual's score, which is only right when the coarse score is an inner product; so scalar-quantised codes
    (``SQ…``) are switched to encode the vectors themselves (``by_residual = False``: with an ``RFlat`` re-rank,
    recall was the same), and residual PQ codes (``IVF…,PQ…`` without ``fs``) keep FAISS's quantizer. Indexes
    that are not IVF, already trained, not inner product or with a non-flat quantizer are left unchanged.

    >>> index = faiss.index_factory(8, "IVF4,SQ8,RFlat", faiss.METRIC_INNER_PRODUCT)
    >>> use_l2_coarse_quantizer(index), faiss.extract_index_ivf(index).quantizer.metric_type == faiss.METRIC_L2
    (True, True)
    """
    try:
        ivf = faiss.downcast_index(faiss.extract_index_ivf(index))
    except RuntimeError:  # not an IVF index
        return False
    if (ivf.is_trained or ivf.metric_type != faiss.METRIC_INNER_PRODUCT
            or not isinstance(faiss.downcast_index(ivf.quantizer), faiss.IndexFlat)):
        return False
    if ivf.by_residual:
        if not isinstance(ivf, faiss.IndexIVFScalarQuantizer):
            return False
        ivf.by_residual = False
    old = ivf.quantizer
    quantizer = faiss.IndexFlatL2(ivf.d)
    quantizer.this.disown()  # the IVF index owns (and frees) its quantizer ...
    ivf.quantizer = quantizer
    ivf.own_fields = True
    old.this.acquire()  # ... and Python now frees the one it replaced
    ivf.cp.spherical = False
    return True


def holds_exact_vectors(index: faiss.Index) -> bool:
    """Whether ``index.reconstruct`` returns the exact vectors (no separate copy needed for exact search)."""
    return isinstance(faiss.downcast_index(index), (faiss.IndexFlat, faiss.IndexRefineFlat, faiss.IndexHNSWFlat))


@contextmanager
def omp_threads(n: int | None) -> Iterator[None]:
    """FAISS's OpenMP threads for the calling thread limited to ``n`` inside the block (``None``: unchanged)."""
    if n is None:
        yield
        return
    before = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(n)
    try:
        yield
    finally:
        faiss.omp_set_num_threads(before)


def unit_rows(vectors: np.ndarray) -> tuple[np.ndarray, bool]:
    """``vectors`` as contiguous float32 rows of unit length, and whether that took a copy.

    Rows already of unit length (as encoders return them) are passed through without a copy, which at 1.5M rows
    saves one 1.5 GB copy while the index is built.
    """
    contiguous = np.ascontiguousarray(vectors, dtype=np.float32)
    norms = np.einsum("ij,ij->i", contiguous, contiguous)  # no temporary of the matrix's size
    if norms.size and np.all(np.abs(norms - 1.0) < 1e-4):
        return contiguous, contiguous is not vectors
    return l2_normalise(contiguous), True


def reserve_rows(index: faiss.Index, rows: int) -> None:
    """Let the index's flat vector array take ``rows`` more vectors without reallocating.

    FAISS keeps ``Flat`` codes (also the exact part of ``…,RFlat`` and the storage of ``HNSW…Flat``) in one
    ``std::vector``; an addition past its capacity copies all of it (about 1 s and a second 1.5 GB for 1.5M × 256
    floats). Growing the vector then shrinking it back keeps its capacity. :meth:`DenseIndex.build` calls this
    on the empty index with room for all rows and later additions (nothing to copy); :meth:`DenseIndex.load`
    after reading (one copy, at load time), so that a later addition of up to ``rows`` vectors costs only its
    own size.
    """
    flat = faiss.downcast_index(index)
    if isinstance(flat, faiss.IndexRefine):
        flat = faiss.downcast_index(flat.refine_index)
    elif isinstance(flat, faiss.IndexHNSW):
        flat = faiss.downcast_index(flat.storage)
    if not isinstance(flat, faiss.IndexFlatCodes) or rows <= 0:
        return
    size = flat.codes.size()
    flat.codes.resize(size + rows * flat.code_size)
    flat.codes.resize(size)


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
        self.vectors = vectors  # the normalised vectors when the index cannot give them back exactly
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
        vectors, copied = unit_rows(vectors)
        if len(ids) != vectors.shape[0]:
            raise ValueError(f"{len(ids)} ids for {vectors.shape[0]} vectors")
        if len(set(ids)) != len(ids):
            raise ValueError("ids must be unique")
        factory = resolve_factory(vectors.shape[0], config)
        index = faiss.index_factory(vectors.shape[1], factory, faiss.METRIC_INNER_PRODUCT)
        if config.coarse_quantizer == "l2":
            use_l2_coarse_quantizer(index)
        if not index.is_trained:
            rows = np.linspace(0, vectors.shape[0] - 1, min(vectors.shape[0], config.train_rows)).astype(np.int64)
            index.train(vectors[np.unique(rows)])
        reserve_rows(index, len(ids) + config.growth_room(len(ids)))  # room first: no copy while adding
        index.add(vectors)
        if holds_exact_vectors(index):
            return cls(index, ids, factory, config, None)
        return cls(index, ids, factory, config, vectors if copied else vectors.copy())

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
    def _params(self, allowed: Iterable[str] | None) -> tuple[faiss.SearchParameters | None, tuple]:
        """Search parameters (and the objects they point to, to keep alive during the search)."""
        selector = None
        if allowed is not None:
            positions = np.array(sorted({self._position[a] for a in allowed if a in self._position}),
                                 dtype=np.int64)
            selector = faiss.IDSelectorBatch(positions)
        index = faiss.downcast_index(self.index)
        refine = isinstance(index, faiss.IndexRefine)
        base = faiss.downcast_index(index.base_index) if refine else index
        if isinstance(base, faiss.IndexHNSW):
            params = faiss.SearchParametersHNSW(sel=selector, efSearch=self.config.ef_search)
        elif isinstance(base, faiss.IndexIVF):
            params = faiss.SearchParametersIVF(sel=selector, nprobe=self.config.nprobe)
        else:
            params = faiss.SearchParameters(sel=selector) if selector is not None else None
        if refine:  # the base index filters; the exact re-ranking sees only its (allowed) candidates
            return faiss.IndexRefineSearchParameters(k_factor=self.config.k_factor,
                                                     base_index_params=params), (selector, params)
        return params, (selector,)

    def search(self, queries: np.ndarray, k: int = 10, allowed: Iterable[str] | None = None
               ) -> list[list[tuple[str, float]]]:
        """The ``k`` nearest ids and scores per query, best first; only ``allowed`` ids when given."""
        queries = l2_normalise(np.atleast_2d(np.asarray(queries, dtype=np.float32)))
        allowed = None if allowed is None else list(allowed)
        if allowed is not None and not allowed:
            return [[] for _ in range(queries.shape[0])]
        if allowed is not None and len(allowed) <= self.config.exact_filter_limit:
            return self._exact_subset(queries, k, allowed)
        params, _keep = self._params(allowed)  # keep the selector and base parameters alive during the search
        k = min(k, len(self.ids))
        with omp_threads(1 if queries.shape[0] < self.config.parallel_from else None):
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
            subset = self.index.reconstruct_batch(positions)
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
        config = DenseIndexConfig(**meta["config"])
        reserve_rows(index, config.growth_room(len(meta["ids"])))
        return cls(index, meta["ids"], meta["factory"], config, vectors)
