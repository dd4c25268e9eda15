"""National-scale course index study: exact vs HNSW vs IVF in FAISS, and FAISS against peers at matched recall.

    python benchmarks/index_study.py                      # 1.5M course vectors, every method on all rows
    python benchmarks/index_study.py --rows 100000        # a quick run on the first 100,000 rows
    python benchmarks/index_study.py --skip hnsw          # leave out the HNSW builds (FAISS and hnswlib)
    python benchmarks/index_study.py --ivf-quantizer l2 ip  # FAISS IVF with both kinds of cells, side by side

Vectors: the national course table of ``recommender.demo.scale`` (3,000 colleges, ~1.5M rows), each row
``normalise(v(course text) + 0.5 · v(program context))``, each distinct text encoded once (``course_vectors``).
Encoder: the product default (``default_encoder_name()``: the shipped static model when present), else the hashed
lexical encoder at ``--dim``; ``--encoder`` names another. Queries: the first ``--queries`` distinct job texts of
the demo workers, encoded with the same encoder. Ground truth: exact inner-product top-10 (FAISS ``Flat``); a hit
counts when its exact score reaches the 10th exact score (rows tie: the catalog repeats course texts).

Every method runs on the same vectors in this one process:

- FAISS ``Flat`` (exact), ``IVF{nlist},Flat``, ``IVF{nlist},SQ8`` and ``IVF{nlist},PQ{d/4}x4fs`` each re-ranked
  with the exact vectors (``IndexRefine`` over the ``Flat`` index, shared, as ``…,RFlat`` would hold), and
  ``HNSW{M}``. IVF cells (``--ivf-quantizer``): ``l2`` (default, as the product builds them:
  ``recommender.indexes.dense.use_l2_coarse_quantizer``, plain k-means and lists chosen by L2 distance to the
  centroids; SQ8 codes of the vectors, not of residuals) or ``ip`` (FAISS's default for inner product: spherical
  k-means, lists chosen by inner product). Naming both builds each IVF index twice (``… [ip cells]``);
- the product's ``recommender.indexes.dense.DenseIndex`` (string ids, default config) around the same
  ``IVF…,SQ8,RFlat`` index, to show what the product path adds;
- peers: ``hnswlib`` (same ``M`` and ``efConstruction`` as FAISS HNSW), NumPy brute force (``X @ q`` +
  ``argpartition``) and LanceDB (an embedded vector database) with an ``IVF_FLAT`` index of the same ``nlist``
  and training sample.

Each method's knob (``nprobe``/``k_factor``, ``efSearch``/``ef``, ``nprobes``) is swept from cheap to costly until
recall@10 reaches the top target (FAISS IVF and LanceDB over the same probe counts). Timings: *single* = median
ms of one query per call on one thread (FAISS ``omp_set_num_threads(1)``, hnswlib ``num_threads=1``, NumPy's BLAS
limited to one thread; LanceDB uses its own thread pool), *batched* = all queries in one call on every core, ms
per query. At each target recall the cheapest setting of every method is then timed again *interleaved* (query by
query, the methods in a random order per query; batches in two rounds of random order, the faster kept), and the
ratios to the fastest FAISS index and to the product's ``DenseIndex`` come from that pass. Memory: FAISS by
serialised size, hnswlib by resident-memory growth, LanceDB by its files on disk. Figures are printed as Markdown
tables and written to ``--out`` (JSON).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

os.environ.setdefault("LANCEDB_LOG", "error")  # else LanceDB logs a deprecation warning on every query

import faiss
import numpy as np
from machine import REPO_ROOT, machine_facts, peak_rss_mb, print_machine, rss_mb
from machine import faiss_index_mib as faiss_mib
from threadpoolctl import threadpool_limits
from tqdm import tqdm

sys.path.insert(0, str(REPO_ROOT))

K = 10
THREADS = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
METHOD_GROUPS = ("flat", "ivf", "hnsw", "numpy", "lancedb")
NPROBES = [2, 4, 8, 12, 16, 24, 32, 48, 64, 96, 128, 256]  # lists probed: FAISS IVF and LanceDB alike


# -- measuring ---------------------------------------------------------------------------------------------------
def folder_mib(folder: str | Path) -> float:
    return sum(p.stat().st_size for p in Path(folder).rglob("*") if p.is_file()) / 2**20


class Exact:
    """Ground truth: the exact top-10 ids and scores per query, and the stored vectors to score any hit exactly."""

    def __init__(self, vectors: np.ndarray, queries: np.ndarray, ids: np.ndarray, scores: np.ndarray):
        self.vectors, self.queries, self.ids, self.scores = vectors, queries, ids, scores

    def recall(self, found: np.ndarray) -> float:
        """Share of the 10 returned ids whose exact score reaches the 10th exact score (ties count as hits)."""
        found = np.asarray(found, dtype=np.int64)
        valid = found >= 0
        safe = np.where(valid, found, 0)
        exact = np.einsum("qkd,qd->qk", self.vectors[safe.ravel()].reshape(*safe.shape, -1), self.queries)
        kth = self.scores[:, K - 1:K] - 1e-6
        hits = [len(set(row[ok & (sc >= t)].tolist())) for row, ok, sc, t in zip(found, valid, exact, kth)]
        return float(np.mean(hits) / K)


def single_ms(search_one: Callable[[np.ndarray], Any], queries: np.ndarray, budget_s: float,
              min_queries: int = 20) -> float:
    """Median ms of one query per call: every query, or as many as fit ``budget_s`` (at least ``min_queries``)."""
    times = []
    start = time.perf_counter()
    for i, q in enumerate(queries):
        t = time.perf_counter()
        search_one(q)
        times.append(time.perf_counter() - t)
        if i + 1 >= min_queries and time.perf_counter() - start > budget_s:
            break
    return statistics.median(times) * 1000


# -- the methods -------------------------------------------------------------------------------------------------
@dataclass
class Method:
    """One index under study: how it was built, its knob's settings and how to search it."""

    name: str
    library: str
    build: str  # build parameters, in words
    build_s: float
    memory_mib: float
    settings: list[list[Any]]  # groups, each swept in order until the top target recall is reached
    apply: Callable[[Any], None]
    search_batch: Callable[[np.ndarray], np.ndarray]  # (nq, d) → (nq, K) ids, every core
    search_one: Callable[[np.ndarray], Any]  # (d,) → ids, one thread
    label: Callable[[Any], str] = str
    memory_note: str = ""
    results: list[dict] = field(default_factory=list)
    keep_alive: list[Any] = field(default_factory=list)  # objects the search needs (a refine index's base)
    index: Any = None  # the FAISS index, for FAISS methods


def faiss_threads(n: int) -> None:
    faiss.omp_set_num_threads(n)


def faiss_method(name: str, index: faiss.Index, build: str, build_s: float, memory_mib: float,
                 settings: list[list[Any]], apply: Callable[[Any], None], label: Callable[[Any], str],
                 memory_note: str = "") -> Method:
    def search_batch(Q: np.ndarray) -> np.ndarray:
        faiss_threads(THREADS)
        return index.search(Q, K)[1]

    def search_one(q: np.ndarray) -> np.ndarray:
        return index.search(q[None, :], K)[1]

    return Method(name, "faiss", build, build_s, memory_mib, settings, apply, search_batch, search_one, label,
                  memory_note, index=index)


def build_flat(X: np.ndarray) -> tuple[faiss.IndexFlatIP, float]:
    faiss_threads(THREADS)
    t = time.perf_counter()
    flat = faiss.IndexFlatIP(X.shape[1])
    flat.add(X)
    return flat, time.perf_counter() - t


def flat_view(flat: faiss.IndexFlatIP) -> np.ndarray:
    """The Flat index's stored vectors as a NumPy array (a view: no copy while ``flat`` lives)."""
    return faiss.rev_swig_ptr(flat.get_xb(), flat.ntotal * flat.d).reshape(flat.ntotal, flat.d)


CELLS = {"l2": "plain k-means, lists by L2 distance", "ip": "spherical k-means, lists by inner product"}


def ivf_methods(X: np.ndarray, flat: faiss.IndexFlatIP, n_list: int, train_per_list: int, flat_mib: float,
                quantizers: Sequence[str], say: Callable[[str], None]) -> list[Method]:
    """IVF-Flat, and IVF-SQ8 and IVF-PQ fast-scan re-ranked with the exact vectors of ``flat``, for each kind of
    cells in ``quantizers`` (the first unmarked, the others' names marked ``[… cells]``)."""
    n = len(X)
    train = X[np.sort(np.random.default_rng(0).choice(n, min(n, train_per_list * n_list), replace=False))]
    methods = []
    for quantizer in quantizers:
        mark = "" if quantizer == quantizers[0] else f" [{quantizer} cells]"
        methods += ivf_group(X, flat, train, n_list, flat_mib, quantizer, mark, say)
    return methods


def ivf_group(X: np.ndarray, flat: faiss.IndexFlatIP, train: np.ndarray, n_list: int, flat_mib: float,
              quantizer: str, mark: str, say: Callable[[str], None]) -> list[Method]:
    """The IVF indexes of one kind of cells (see ``ivf_methods``)."""
    from recommender.indexes.dense import use_l2_coarse_quantizer

    d = X.shape[1]
    methods = []
    for factory, refine in ((f"IVF{n_list},Flat", False), (f"IVF{n_list},SQ8", True),
                            (f"IVF{n_list},PQ{d // 4}x4fs", True)):
        faiss_threads(THREADS)
        t = time.perf_counter()
        base = faiss.index_factory(d, factory, faiss.METRIC_INNER_PRODUCT)
        if quantizer == "l2" and not use_l2_coarse_quantizer(base):
            raise RuntimeError(f"{factory}: could not give it an L2 coarse quantizer")
        base.train(train)
        base.add(X)
        build_s = time.perf_counter() - t
        ivf = faiss.extract_index_ivf(base)
        build = (f"nlist={n_list}, k-means on {len(train):,} rows ({ivf.cp.niter} iterations), {CELLS[quantizer]}"
                 + (", codes by residual" if ivf.by_residual else ""))
        if not refine:
            say(f"  {factory}{mark}: build {build_s:.1f} s")
            methods.append(faiss_method(
                f"FAISS {factory}{mark}", base, build, build_s, faiss_mib(base), [NPROBES],
                lambda v, ivf=ivf: setattr(ivf, "nprobe", v), lambda v: f"nprobe={v}"))
            continue
        index = faiss.IndexRefine(base, flat)  # re-rank k_factor·k candidates with the exact vectors (RFlat)
        index.own_fields = False
        k_factors = [2, 8] if "SQ" in factory else [32, 128, 512]
        settings = [[(p, kf) for p in NPROBES] for kf in k_factors]

        def apply(v, ivf=ivf, index=index):
            ivf.nprobe, index.k_factor = v

        base_mib = faiss_mib(base)
        say(f"  {factory},RFlat{mark}: build {build_s:.1f} s (+ the Flat index)")
        methods.append(faiss_method(
            f"FAISS {factory},RFlat{mark}", index, build, build_s, base_mib + flat_mib, settings, apply,
            lambda v: f"nprobe={v[0]}, k_factor={v[1]}",
            memory_note=f"{base_mib:.0f} MiB codes + {flat_mib:.0f} MiB exact vectors for re-ranking"))
        methods[-1].keep_alive.append(base)
    return methods


def product_method(sq8: Method, n: int, quantizer: str) -> Method:
    """The product's ``DenseIndex`` (string ids, default ``auto`` config) around the ``IVF…,SQ8,RFlat`` index."""
    from dataclasses import replace

    from recommender.indexes.dense import DenseIndex, DenseIndexConfig

    config = DenseIndexConfig(coarse_quantizer=quantizer)
    dense = DenseIndex(sq8.index, [f"c{i}" for i in range(n)], sq8.name.removeprefix("FAISS "), config)

    def to_positions(hits: list[list[tuple[str, float]]]) -> np.ndarray:
        out = np.full((len(hits), K), -1, dtype=np.int64)
        for q, row in enumerate(hits):
            out[q, : len(row)] = [dense._position[i] for i, _ in row]
        return out

    return Method("product DenseIndex", "recommender", f"{dense.factory} above, string ids, "
                  f"k_factor={config.k_factor} (defaults: nprobe={config.nprobe})", sq8.build_s, sq8.memory_mib,
                  [[8, 16, 32]], lambda v: setattr(dense, "config", replace(config, nprobe=v)),
                  lambda Q: to_positions(dense.search(Q, K)), lambda q: dense.search(q, K),
                  lambda v: f"nprobe={v}, k_factor={config.k_factor}", memory_note=sq8.memory_note + " (shared)")


def faiss_hnsw_method(X: np.ndarray, m: int, ef_construction: int, ef_values: list[int]) -> Method:
    faiss_threads(THREADS)
    t = time.perf_counter()
    index = faiss.IndexHNSWFlat(X.shape[1], m, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = ef_construction
    add_in_chunks(index.add, X, "FAISS HNSW build")
    build_s = time.perf_counter() - t
    return faiss_method(f"FAISS HNSW{m}", index, f"M={m} (2M={2 * m} links at level 0), "
                        f"efConstruction={ef_construction}", build_s, faiss_mib(index), [ef_values],
                        lambda v: setattr(index.hnsw, "efSearch", v), lambda v: f"efSearch={v}")


def add_in_chunks(add: Callable[[np.ndarray], Any], X: np.ndarray, desc: str, chunk: int = 100_000) -> None:
    for start in tqdm(range(0, len(X), chunk), desc=desc, unit="chunk", leave=False):
        add(X[start:start + chunk])


def hnswlib_method(X: np.ndarray, m: int, ef_construction: int, ef_values: list[int]) -> Method:
    import hnswlib

    before = rss_mb()
    t = time.perf_counter()
    index = hnswlib.Index(space="ip", dim=X.shape[1])
    index.init_index(max_elements=len(X), M=m, ef_construction=ef_construction)
    for start in tqdm(range(0, len(X), 100_000), desc="hnswlib build", unit="chunk", leave=False):
        block = X[start:start + 100_000]
        index.add_items(block, np.arange(start, start + len(block)), num_threads=THREADS)
    build_s = time.perf_counter() - t
    memory = rss_mb() - before
    return Method(f"hnswlib M{m}", f"hnswlib {_version('hnswlib')}",
                  f"M={m} (2M={2 * m} links at level 0), ef_construction={ef_construction}", build_s, memory,
                  [ef_values], index.set_ef,
                  lambda Q: index.knn_query(Q, k=K, num_threads=THREADS)[0].astype(np.int64),
                  lambda q: index.knn_query(q, k=K, num_threads=1), lambda v: f"ef={v}",
                  memory_note="resident-memory growth while building")


def numpy_method(X: np.ndarray) -> Method:
    def search_one(q: np.ndarray) -> np.ndarray:
        scores = X @ q
        top = np.argpartition(-scores, K)[:K]
        return top[np.argsort(-scores[top])]

    def search_batch(Q: np.ndarray) -> np.ndarray:
        out = []
        for start in range(0, len(Q), 32):
            scores = Q[start:start + 32] @ X.T
            top = np.argpartition(-scores, K, axis=1)[:, :K]
            order = np.argsort(-np.take_along_axis(scores, top, axis=1), axis=1)
            out.append(np.take_along_axis(top, order, axis=1))
        return np.vstack(out)

    return Method("NumPy brute force", f"numpy {np.__version__}", "none (the float32 matrix)", 0.0,
                  X.nbytes / 2**20, [["exact"]], lambda v: None, search_batch, search_one,
                  memory_note="the vectors themselves")


def lancedb_method(X: np.ndarray, n_list: int, train_per_list: int, nprobes: list[int], folder: str) -> Method:
    import lancedb
    import pyarrow as pa
    from lancedb.index import IvfFlat

    n, d = X.shape
    db = lancedb.connect(folder)
    t = time.perf_counter()
    table = None
    for start in tqdm(range(0, n, 250_000), desc="LanceDB write", unit="chunk", leave=False):
        block = X[start:start + 250_000]
        data = pa.table({"id": pa.array(np.arange(start, start + len(block)), pa.int64()),
                         "vector": pa.FixedSizeListArray.from_arrays(pa.array(block.ravel()), d)})
        table = db.create_table("courses", data) if table is None else table
        if start:
            table.add(data)
    table.create_index("vector", config=IvfFlat(distance_type="dot", num_partitions=n_list,
                                                sample_rate=train_per_list, max_iterations=10))
    build_s = time.perf_counter() - t
    knob = {"nprobes": nprobes[0]}

    def query(q: np.ndarray):
        return table.search(q).distance_type("dot").nprobes(knob["nprobes"]).limit(K).select(["id"])

    def search_one(q: np.ndarray) -> np.ndarray:
        return query(q).to_arrow().column("id").to_numpy()

    def search_batch(Q: np.ndarray) -> np.ndarray:
        hits = query(Q).to_arrow()
        out = np.full((len(Q), K), -1, dtype=np.int64)
        qi, ids = hits.column("query_index").to_numpy(), hits.column("id").to_numpy()
        for q in range(len(Q)):
            got = ids[qi == q][:K]
            out[q, : len(got)] = got
        return out

    return Method("LanceDB IVF_FLAT", f"lancedb {lancedb.__version__}",
                  f"nlist={n_list}, k-means on {train_per_list}·nlist rows (10 iterations); table written "
                  "in 250k-row batches", build_s, folder_mib(folder), [nprobes],
                  lambda v: knob.__setitem__("nprobes", v), search_batch, search_one, lambda v: f"nprobes={v}",
                  memory_note="files on disk (vectors + index)")


def _version(package: str) -> str:
    return str(machine_facts().get(package, "?"))


# -- sweeping and comparing --------------------------------------------------------------------------------------
def sweep(method: Method, exact: Exact, targets: Sequence[float], budget_s: float, say: Callable[[str], None]
          ) -> None:
    """Every setting of each group in order; a group stops once the top target is reached."""
    Q = exact.queries
    for group in method.settings:
        for setting in group:
            method.apply(setting)
            t = time.perf_counter()
            ids = method.search_batch(Q)
            batch_ms = (time.perf_counter() - t) * 1000 / len(Q)
            r = exact.recall(ids)
            with one_thread():
                ms = single_ms(method.search_one, Q, budget_s)
            method.results.append({"setting": setting, "label": method.label(setting), "recall": r,
                                   "single_ms": ms, "batch_ms": batch_ms})
            say(f"  {method.name} {method.label(setting)}: recall@10 {r:.3f}, single {ms:.3f} ms, "
                f"batched {batch_ms:.3f} ms/query")
            if r >= max(targets):
                break


@contextmanager
def one_thread() -> Iterator[None]:
    """FAISS OpenMP and the BLAS pools limited to one thread (single-query timing)."""
    faiss_threads(1)
    try:
        with threadpool_limits(1):
            yield
    finally:
        faiss_threads(THREADS)


def cheapest(method: Method, target: float) -> dict | None:
    """The setting with the lowest single-query time among those reaching ``target``."""
    ok = [r for r in method.results if r["recall"] >= target]
    return min(ok, key=lambda r: r["single_ms"]) if ok else None


def interleaved(runs: list[tuple[Method, dict]], Q: np.ndarray, n_queries: int, batch_rounds: int = 2
                ) -> list[dict]:
    """Single and batched times of each (method, setting), interleaved.

    Single: query by query, the methods in a new random order for each query (no method always runs after the
    one that flushed the caches); the median. Batched: ``batch_rounds`` rounds over all queries, each in a random
    order of methods; the fastest round.
    """
    rng = np.random.default_rng(7)
    times: list[list[float]] = [[] for _ in runs]
    with one_thread():
        for q in tqdm(Q[:n_queries], desc="interleaved timing", unit="query", leave=False):
            for slot in rng.permutation(len(runs)):
                m, row = runs[slot]
                m.apply(row["setting"])
                t = time.perf_counter()
                m.search_one(q)
                times[slot].append(time.perf_counter() - t)
    batch: list[list[float]] = [[] for _ in runs]
    for _ in range(batch_rounds):
        for slot in rng.permutation(len(runs)):
            m, row = runs[slot]
            m.apply(row["setting"])
            t = time.perf_counter()
            m.search_batch(Q)
            batch[slot].append((time.perf_counter() - t) * 1000 / len(Q))
    return [{**row, "single_ms": statistics.median(ts) * 1000, "batch_ms": min(bs)}
            for (_, row), ts, bs in zip(runs, times, batch)]


def matched(methods: list[Method], targets: Sequence[float], Q: np.ndarray, n_queries: int) -> dict[float, dict]:
    """At each target, every method's cheapest setting reaching it; all timed in one interleaved pass."""
    chosen = {(m.name, t): c for m in methods for t in targets if (c := cheapest(m, t)) is not None}
    runs: list[tuple[Method, dict]] = []
    for m in methods:
        for c in {c["label"]: c for (name, _), c in chosen.items() if name == m.name}.values():
            runs.append((m, c))
    timed = {(m.name, row["label"]): row for (m, _), row in zip(runs, interleaved(runs, Q, n_queries))}
    final = {}
    for t in targets:
        rows = {m.name: timed[(m.name, chosen[(m.name, t)]["label"])] for m in methods if (m.name, t) in chosen}
        faiss_rows = [name for name in rows if name.startswith("FAISS")]
        ref = {col: min(faiss_rows, key=lambda name, col=col: rows[name][col]) if faiss_rows else None
               for col in ("single_ms", "batch_ms")}
        final[t] = {"queries": min(n_queries, len(Q)), "reference": ref, "rows": rows}
    return final


# -- inputs -----------------------------------------------------------------------------------------------------
def prepare(demo_dir: Path, encoder_name: str, dim: int, rows: int, n_queries: int
            ) -> tuple[np.ndarray, np.ndarray, str, str]:
    """National course vectors, query vectors, the encoder's name and a line describing them."""
    from recommender.demo import load_workers
    from recommender.demo.scale import course_vectors, national_course_table

    table, context = national_course_table(demo_dir / "catalog")
    if encoder_name == "lexical":
        from recommender.encoders.lexical import LexicalEncoder

        encoder = LexicalEncoder(dim=dim)
    else:
        from recommender.encoders.registry import get_encoder

        encoder = get_encoder(encoder_name)
    X = course_vectors(table, context, encoder.encode)
    if rows:
        X = np.ascontiguousarray(X[:rows])
    jobs = list(dict.fromkeys(w.job_text for w in load_workers(demo_dir / "workers.csv")))[:n_queries]
    Q = np.ascontiguousarray(encoder.encode(jobs), dtype=np.float32)
    Q /= np.linalg.norm(Q, axis=1, keepdims=True).clip(min=1e-12)
    shown = encoder_name.replace(f"{REPO_ROOT}/", "")  # a repository path, not this machine's
    line = (f"{len(X):,} × {X.shape[1]} course vectors ({shown}): {len(table.texts):,} distinct course texts "
            f"and {len(context):,} program contexts encoded once; {len(Q)} queries = distinct demo worker job texts")
    return X, Q, shown, line


def default_encoder() -> str:
    from recommender.recommend.build import default_encoder_name

    name = default_encoder_name()
    return "lexical" if name == "none" else name


# -- report -----------------------------------------------------------------------------------------------------
def report(methods: list[Method], targets: Sequence[float], final: dict[float, dict], say: Callable[[str], None]
           ) -> None:
    say("\n| method | build params | setting | recall@10 | single ms | batched ms/q | memory MiB | build s |")
    say("|---|---|---|---|---|---|---|---|")
    for m in methods:
        for r in m.results:
            say(f"| {m.name} | {m.build} | {r['label']} | {r['recall']:.3f} | {r['single_ms']:.3f} | "
                f"{r['batch_ms']:.3f} | {m.memory_mib:,.0f} | {m.build_s:.1f} |")
    notes = [f"{m.name}: {m.memory_note}" for m in methods if m.memory_note]
    if notes:
        say("\nmemory: " + "; ".join(notes))
    for target in targets:
        pass_ = final[target]
        ref = pass_["reference"]
        say(f"\n### recall@10 ≥ {target}: cheapest setting of each method, timed interleaved "
            f"({pass_['queries']} queries single, all batched)")
        say(f"fastest FAISS: single {ref['single_ms'] or 'none reached the target'}, "
            f"batched {ref['batch_ms'] or 'none reached the target'}")
        rows = pass_["rows"]
        product = rows.get("product DenseIndex")
        say("| method | setting | recall@10 | single ms | × fastest FAISS | × product | batched ms/q | "
            "× fastest FAISS | memory MiB |")
        say("|---|---|---|---|---|---|---|---|---|")
        for m in methods:
            row = rows.get(m.name)
            if row is None:
                best = max(m.results, key=lambda r: r["recall"]) if m.results else None
                tail = f"best {best['recall']:.3f} at {best['label']}" if best else "not run"
                say(f"| {m.name} | not reached ({tail}) | | | | | | | {m.memory_mib:,.0f} |")
                continue
            ratio = {col: row[col] / rows[ref[col]][col] if ref[col] else float("nan")
                     for col in ("single_ms", "batch_ms")}
            vs_product = f"{row['single_ms'] / product['single_ms']:.2f}" if product else "-"
            say(f"| {m.name} | {row['label']} | {row['recall']:.3f} | {row['single_ms']:.3f} | "
                f"{ratio['single_ms']:.2f} | {vs_product} | {row['batch_ms']:.3f} | {ratio['batch_ms']:.2f} | "
                f"{m.memory_mib:,.0f} |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("--demo-dir", type=Path, default=REPO_ROOT / "var" / "demo")
    parser.add_argument("--encoder", default=None, help="default: the product default encoder, else lexical")
    parser.add_argument("--dim", type=int, default=256, help="width of the lexical encoder's vectors")
    parser.add_argument("--rows", type=int, default=0, help="use only the first ROWS course rows (0: all)")
    parser.add_argument("--queries", type=int, default=200, help="distinct worker job texts as queries")
    parser.add_argument("--targets", type=float, nargs="+", default=[0.8, 0.95, 0.99],
                        help="matched-recall targets")
    parser.add_argument("--nlist", type=int, default=0, help="IVF lists (0: the power of two nearest √rows)")
    parser.add_argument("--train-per-list", type=int, default=64, help="k-means training rows per IVF list")
    parser.add_argument("--ivf-quantizer", nargs="+", default=["l2"], choices=sorted(CELLS),
                        help="FAISS IVF cells: l2 (plain k-means, lists by L2 distance: the product's build) or "
                             "ip (FAISS's default for inner product: spherical k-means); several: one set each, "
                             "the product's DenseIndex around the first")
    parser.add_argument("--hnsw-m", type=int, default=32)
    parser.add_argument("--ef-construction", type=int, default=64)
    parser.add_argument("--single-budget", type=float, default=2.0,
                        help="seconds of single-query timing per setting (at least 20 queries)")
    parser.add_argument("--final-queries", type=int, default=60, help="queries in the interleaved timing pass")
    parser.add_argument("--skip", nargs="*", default=[], choices=METHOD_GROUPS, help="method groups to leave out")
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "var" / "perf" / "index_study.json")
    args = parser.parse_args(argv)
    say = print
    print_machine()
    t0 = time.perf_counter()
    encoder = args.encoder or default_encoder()
    X, Q, encoder, line = prepare(args.demo_dir, encoder, args.dim, args.rows, args.queries)
    n, d = X.shape
    say(f"{line}; prepared in {time.perf_counter() - t0:.0f} s")
    n_list = args.nlist or int(2 ** round(np.log2(np.sqrt(n))))

    say("\n== FAISS ==")
    flat, flat_build = build_flat(X)
    del X
    X = flat_view(flat)  # one copy of the vectors: NumPy and the re-ranking share the Flat index's storage
    faiss_threads(THREADS)
    t = time.perf_counter()
    scores, ids = flat.search(Q, K)
    say(f"  ground truth (Flat, {len(Q)} queries batched): {time.perf_counter() - t:.1f} s")
    exact = Exact(X, Q, ids, scores)
    flat_mib = faiss_mib(flat)
    methods = [faiss_method("FAISS Flat", flat, "-", flat_build, flat_mib, [["exact"]], lambda v: None,
                            lambda v: "exact")]
    if "ivf" not in args.skip:
        quantizers = list(dict.fromkeys(args.ivf_quantizer))
        methods += ivf_methods(X, flat, n_list, args.train_per_list, flat_mib, quantizers, say)
        methods.append(product_method(next(m for m in methods if ",SQ8," in m.name), n, quantizers[0]))
    ef_values = [64, 128, 256, 512, 1024, 2048] if n < 500_000 else [128, 256, 512, 1024, 2048]
    if "hnsw" not in args.skip:
        methods.append(faiss_hnsw_method(X, args.hnsw_m, args.ef_construction, ef_values))
        say(f"  {methods[-1].name}: build {methods[-1].build_s:.1f} s")
    if "flat" in args.skip:
        methods = methods[1:]
    for m in methods:
        sweep(m, exact, args.targets, args.single_budget, say)

    say("\n== peers ==")
    peers: list[Method] = []
    folder = tempfile.mkdtemp(prefix="index-study-lancedb-")
    try:
        if "hnsw" not in args.skip:
            peers.append(hnswlib_method(X, args.hnsw_m, args.ef_construction, ef_values))
            say(f"  {peers[-1].name}: build {peers[-1].build_s:.1f} s")
        if "numpy" not in args.skip:
            peers.append(numpy_method(X))
        if "lancedb" not in args.skip:
            peers.append(lancedb_method(X, n_list, args.train_per_list, NPROBES[1:], folder))
            say(f"  {peers[-1].name}: build {peers[-1].build_s:.1f} s, {peers[-1].memory_mib:,.0f} MiB on disk")
        for m in peers:
            sweep(m, exact, args.targets, args.single_budget, say)
        methods += peers

        final = matched(methods, args.targets, Q, args.final_queries)
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    say("\n== Results ==")
    say(line)
    report(methods, args.targets, final, say)
    total = time.perf_counter() - t0
    say(f"\npeak RSS {peak_rss_mb():,.0f} MiB; total {total:.0f} s")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({
        "machine": machine_facts(), "vectors": line, "encoder": encoder, "rows": n, "dim": d, "queries": len(Q),
        "nlist": n_list, "ivf_quantizer": args.ivf_quantizer, "targets": args.targets, "total_s": total,
        "peak_rss_mib": peak_rss_mb(),
        "methods": [{"name": m.name, "library": m.library, "build": m.build, "build_s": m.build_s,
                     "memory_mib": m.memory_mib, "memory_note": m.memory_note,
                     "results": [{k: v for k, v in r.items() if k != "setting"} for r in m.results]}
                    for m in methods],
        "matched": {str(t): {**f, "rows": {k: {kk: vv for kk, vv in v.items() if kk != "setting"}
                                           for k, v in f["rows"].items()}} for t, f in final.items()},
    }, ensure_ascii=False, indent=1), encoding="utf-8")
    say(f"written {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
