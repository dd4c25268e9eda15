"""Benchmark runs: rank a split's queries over a bench folder, write the run file, then (separately) score it.

Ranking and scoring are separate on purpose: ``rank_split`` reads the ranked split's ``queries.csv`` and the
bench's knowledge files, never the ranked split's ``qrels.csv``; ``score_run`` opens it, after the run file is
written.

Labelled splits teach the occupation linker (``labelled_titles``): by default, every *other* split folder of the
bench that has a ``qrels.csv`` (for a hidden ``test`` split: the public ``dev``; for ``dev`` itself: nothing).
Their queries also teach a reranker of the best candidates (``recommender.matching.reranker``;
``teacher_candidates``). To measure what learning from a split's own labels brings without ranking any query with
its own label, ``rank_split(..., cross_validate=K)`` ranks each of K folds with a linker and a reranker taught by
the other folds only.
"""

from __future__ import annotations

import csv
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from recommender.errors import UserError

RUN_COLUMNS = ("qid", "item_id", "rank", "score")


@dataclass(frozen=True)
class Query:
    qid: str
    text: str
    slice: str = "all"


@dataclass
class RunResult:
    rows: list[tuple[str, str, int, float]]
    queries: list[Query]
    timings: dict[str, float] = field(default_factory=dict)
    info: dict[str, object] = field(default_factory=dict)


def _read(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def read_queries(split_dir: str | Path) -> list[Query]:
    """The split's ``queries.csv`` (``qid,text[,slice]``)."""
    path = Path(split_dir) / "queries.csv"
    if not path.is_file():
        raise UserError(f"{path} not found: a split folder holds queries.csv (qid,text,slice)")
    rows = _read(path)
    if rows and not {"qid", "text"} <= set(rows[0]):
        raise UserError(f"{path}: expected columns qid,text[,slice]")
    return [Query(r["qid"], r["text"] or "", r.get("slice") or "all") for r in rows]


def read_relevant(split_dir: str | Path) -> dict[str, set[str]]:
    """The split's ``qrels.csv`` as relevant item ids by query (relevance > 0)."""
    gold: dict[str, set[str]] = defaultdict(set)
    for r in _read(Path(split_dir) / "qrels.csv"):
        if float(r.get("relevance") or 1) > 0:
            gold[r["qid"]].add(r["item_id"])
    return gold


def labelled_titles(corpus, split_dir: str | Path, qids: set[str] | None = None) -> list[tuple[str, str]]:
    """``(query text, occupation code)`` pairs a labelled split teaches: a query whose relevant items are exactly
    the known links of an occupation is labelled with it (with each, when several occupations have those links);
    other queries teach nothing. Only the queries in ``qids`` when given. Reads the split's ``qrels.csv``: never
    call it for the split being ranked (cross-validation calls it for the other folds)."""
    split = Path(split_dir)
    if not (split / "qrels.csv").is_file():
        raise UserError(f"{split} has no qrels.csv: it cannot teach the linker")
    by_links: dict[frozenset[str], list[str]] = defaultdict(list)
    links_of: dict[str, set[str]] = defaultdict(set)
    for item_id, code in corpus.links:
        links_of[code].add(item_id)
    for code, items in links_of.items():
        by_links[frozenset(items)].append(code)
    relevant = read_relevant(split)
    return [(q.text, code) for q in read_queries(split) if (qids is None or q.qid in qids) and q.text.strip()
            for code in by_links.get(frozenset(relevant.get(q.qid, ())), ())]


def learning_splits(bench_dir: str | Path, split_dir: str | Path, learn_from: str | Sequence[str | Path] = "auto"
                    ) -> list[Path]:
    """The labelled splits that teach the linker: ``"auto"``: every folder of the bench holding ``queries.csv``
    and ``qrels.csv`` except the ranked split; ``"none"``: none; else the given folders (never the ranked split)."""
    ranked = Path(split_dir).resolve()
    if learn_from == "none":
        return []
    if learn_from == "auto":
        return sorted(d for d in Path(bench_dir).iterdir() if d.is_dir() and d.resolve() != ranked
                      and (d / "queries.csv").is_file() and (d / "qrels.csv").is_file())
    out = []
    for d in learn_from:
        d = Path(d)
        if d.resolve() == ranked:
            raise UserError(f"--learn-from {d} is the split being ranked: its labels would leak into its ranking "
                            "(use --cross-validate K to learn from a split's own labels fold by fold)")
        if not (d / "queries.csv").is_file() or not (d / "qrels.csv").is_file():
            raise UserError(f"--learn-from {d}: a labelled split folder holds queries.csv and qrels.csv")
        out.append(d)
    return out


CV_UNITS = ("query", "occupation")


def cross_validation_folds(queries: Sequence[Query], k: int, seed: int = 13,
                           groups: Sequence[object] | None = None) -> np.ndarray:
    """Fold number of every query: a seeded shuffle dealt round-robin into ``k`` folds of near-equal size; with
    ``groups``, whole groups are dealt (shuffled, then each to the fold with the fewest queries so far)."""
    n_groups = len(set(groups)) if groups is not None else len(queries)
    if k < 2 or k > n_groups:
        raise UserError(f"--cross-validate {k}: need 2 ≤ K ≤ the number of queries or groups ({n_groups})")
    rng = np.random.default_rng(seed)
    folds = np.empty(len(queries), dtype=np.int64)
    if groups is None:
        folds[rng.permutation(len(queries))] = np.arange(len(queries)) % k
        return folds
    members: dict[object, list[int]] = {}
    for row, g in enumerate(groups):
        members.setdefault(g, []).append(row)
    sizes = np.zeros(k, dtype=np.int64)
    for g in rng.permutation(len(members)):
        rows = list(members.values())[g]
        f = int(np.argmin(sizes))
        folds[rows] = f
        sizes[f] += len(rows)
    return folds


def encoder_names(spec: str, language: str) -> list[str]:
    """The encoders an ``evaluate --encoder`` value names: ``A+B`` is an ensemble of one matcher per encoder
    (``recommender.matching.ensemble``); ``auto`` is the best measured choice for the corpus's language: for
    Chinese, multilingual USE and our shipped static model together, for English our model alone (without the
    shipped model: USE, and all-MiniLM-L6-v2 for English).

    Examples
    --------
    >>> encoder_names("use+lexical", "zh")
    ['use', 'lexical']
    """
    from recommender.encoders.registry import encoder_members
    from recommender.recommend.build import DEFAULT_ENCODER_DIR

    if spec.strip() == "auto":
        ours = f"st:{DEFAULT_ENCODER_DIR}" if (DEFAULT_ENCODER_DIR / "modules.json").is_file() else None
        if language == "zh":
            return ["use", ours] if ours else ["use"]
        return [ours or "minilm"]
    return encoder_members(spec)


def rank_split(bench_dir: str | Path, split_dir: str | Path, *, encoder: str = "auto",
               channels: tuple[str, ...] = ("links", "lexical", "dense"), data_dir: str | Path | None = None,
               cache_dir: str | Path | None = None, k: int = 100, show_progress: bool = False,
               learn_from: str | Sequence[str | Path] = "auto", cross_validate: int = 0,
               cv_unit: str = "query", rerank: bool = True) -> RunResult:
    """Rank the bench's items for every query of the split (its qrels are never read here, except with
    ``cross_validate``, where each fold is ranked by a linker and a reranker taught by the other folds' labels
    only).

    ``encoder``: one name, several joined by ``+`` (an ensemble), or ``auto`` (``encoder_names``); ``learn_from``:
    see ``learning_splits``. ``cv_unit``: ``query`` deals queries to folds (a fold's titles are new, their
    occupations may have other labelled titles, as for a split of new titles); ``occupation`` keeps queries with
    the same relevant items in one fold (a fold's occupations have no labelled title, as for a split of new
    occupations). ``rerank``: when there are labelled queries to learn from (the learning splits, or the other
    folds), reorder each query's best candidates with a ``LearnedReranker`` fitted on them
    (``recommender.matching.reranker``); without labelled queries nothing is reranked.
    """
    from recommender.encoders.registry import get_encoder
    from recommender.matching.corpus import MatchingCorpus
    from recommender.matching.ensemble import MatcherEnsemble
    from recommender.matching.matcher import Matcher, MatcherConfig, top_items
    from recommender.matching.reranker import (
        RERANK_DEPTH,
        LearnedReranker,
        RerankedMatcher,
        candidates,
        mean_coefficients,
    )

    timings = {}
    t0 = time.perf_counter()
    queries = read_queries(split_dir)
    if data_dir is not None and not Path(data_dir).is_dir():
        data_dir = None
    corpus = MatchingCorpus.from_bench(bench_dir, data_dir)
    teachers = learning_splits(bench_dir, split_dir, learn_from)
    taught = [pair for d in teachers for pair in labelled_titles(corpus, d)]
    corpus = replace(corpus, job_titles=taught)
    names = encoder_names(encoder, corpus.language) if "dense" in channels else [None]
    encoders = [get_encoder(name, cache_dir=cache_dir) if name else None for name in names]
    timings["load"] = time.perf_counter() - t0
    t1 = time.perf_counter()
    members = [Matcher(corpus, enc, MatcherConfig(channels=tuple(channels)), show_progress=show_progress).fit()
               for enc in encoders]
    matcher = members[0] if len(members) == 1 else MatcherEnsemble(members)
    timings["fit"] = time.perf_counter() - t1
    rerank = rerank and "links" in channels  # the reranker's features describe the links channel
    teacher_batches = []
    if rerank and teachers:
        t = time.perf_counter()
        teacher_batches = teacher_candidates(matcher, corpus, teachers)
        if not cross_validate:  # cross-validation teaches each fold's linker itself
            matcher.learn_titles(taught)
        timings["rerank_training"] = time.perf_counter() - t
    rerankers: list[LearnedReranker] = []
    t2 = time.perf_counter()
    if cross_validate:
        if cv_unit not in CV_UNITS:
            raise UserError(f"cross-validation unit {cv_unit!r}: choose from {', '.join(CV_UNITS)}")
        relevant = read_relevant(split_dir)
        groups = None
        if cv_unit == "occupation":
            groups = [frozenset(relevant.get(q.qid, ())) or q.qid for q in queries]
        folds = cross_validation_folds(queries, cross_validate, groups=groups)
        results = [None] * len(queries)
        fold_batches = []
        for f in range(cross_validate):
            others = {q.qid for q, g in zip(queries, folds) if g != f}
            matcher.learn_titles(taught + labelled_titles(corpus, split_dir, others))
            rows = np.flatnonzero(folds == f)
            texts = [queries[r].text for r in rows]
            if rerank:
                cand = candidates(matcher, texts, RERANK_DEPTH)
                fold_batches.append((rows, cand, cand.labels(matcher.item_ids,
                                                             [relevant.get(queries[r].qid, set()) for r in rows])))
            else:
                for r, res in zip(rows, matcher.rank(texts, k=k)):
                    results[r] = res
        for f, (rows, cand, _) in enumerate(fold_batches):
            reranker = LearnedReranker().fit(teacher_batches + [(c, y) for g, (_, c, y) in enumerate(fold_batches)
                                                                if g != f])
            rerankers.append(reranker)
            for r, res in zip(rows, top_items(reranker.rerank(cand), cand.linked, matcher.item_ids, k)):
                results[r] = res
    else:
        if teacher_batches:
            rerankers.append(LearnedReranker().fit(teacher_batches))
            matcher = RerankedMatcher(matcher, rerankers[0])
        results = matcher.rank([q.text for q in queries], k=k)
    timings["rank"] = time.perf_counter() - t2
    rows = [(q.qid, item_id, r + 1, score)
            for q, res in zip(queries, results) for r, (item_id, score) in enumerate(res.items)]
    timings["total"] = time.perf_counter() - t0
    info = {"encoder": " + ".join(e.name for e in encoders) if encoders[0] is not None else None,
            "channels": list(channels),
            "language": corpus.language, "items": len(corpus.items), "occupations": len(corpus.occupations),
            "links": len(corpus.links), "queries": len(queries),
            "learned_from": [str(d) for d in teachers], "learned_titles": len(taught),
            "cross_validation_folds": cross_validate, "cross_validation_unit": cv_unit if cross_validate else None,
            "reranker": {"depth": RERANK_DEPTH, "models": len(rerankers),
                         "training_queries": max(r.training_queries for r in rerankers),
                         "coefficients": mean_coefficients(rerankers)} if rerankers else None}
    predictors = [(e, m.predictor) for e, m in zip(encoders, members) if m.predictor is not None]
    if predictors:  # one entry per member encoder in an ensemble
        info["link_predictor"] = predictors[0][1].coefficients() if len(members) == 1 else {
            e.name: p.coefficients() for e, p in predictors}
        info["link_predictor_crossfit_folds"] = max(p.crossfit_folds for _, p in predictors)
    return RunResult(rows, queries, timings, info)


TEACHER_FOLDS = 5


def teacher_candidates(matcher, corpus, teachers: Sequence[Path], folds: int = TEACHER_FOLDS) -> list:
    """The labelled splits' queries as reranker training batches ``(candidates, labels)``: scored in ``folds``
    folds, each by the matcher whose linker learned the other folds' labelled titles only, so a training row is
    scored as a new query will be. Leaves the linker taught by the last fold's complement: the caller teaches it
    what it needs next."""
    from recommender.matching.reranker import RERANK_DEPTH, candidates

    pooled = [(d, q) for d in teachers for q in read_queries(d) if q.text.strip()]
    if len(pooled) < 2:
        return []
    relevant = {d: read_relevant(d) for d in teachers}
    fold_of = cross_validation_folds([q for _, q in pooled], min(folds, len(pooled)))
    batches = []
    for f in range(int(fold_of.max()) + 1):
        titles = [pair for d in teachers for pair in labelled_titles(
            corpus, d, {q.qid for (src, q), g in zip(pooled, fold_of) if src == d and g != f})]
        matcher.learn_titles(titles)
        rows = np.flatnonzero(fold_of == f).tolist()
        cand = candidates(matcher, [pooled[r][1].text for r in rows], RERANK_DEPTH)
        batches.append((cand, cand.labels(matcher.item_ids,
                                          [relevant[pooled[r][0]].get(pooled[r][1].qid, set()) for r in rows])))
    return batches


def write_run(rows, path: str | Path) -> None:
    """Write ``qid,item_id,rank,score`` (the bench run format)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(RUN_COLUMNS)
        for qid, item_id, rank, score in rows:
            w.writerow((qid, item_id, rank, f"{score:.6f}"))


def read_run(run_path: str | Path) -> dict[str, list[str]]:
    """A run file (``qid,item_id,rank[,score]``) as item ids by query, best first."""
    path = Path(run_path)
    if not path.is_file():
        raise UserError(f"run file {path} not found")
    rows = _read(path)
    if rows and not {"qid", "item_id", "rank"} <= set(rows[0]):
        raise UserError(f"{path}: expected columns qid,item_id,rank[,score]")
    ranked: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for line, r in enumerate(rows, start=2):
        try:
            ranked[r["qid"]].append((int(r["rank"]), r["item_id"]))
        except ValueError:
            raise UserError(f"{path}, line {line}: rank {r['rank']!r} is not a whole number") from None
    return {qid: [it for _, it in sorted(v)] for qid, v in ranked.items()}


def score_run(split_dir: str | Path, run_path: str | Path) -> dict[str, dict[str, float]] | None:
    """Score a written run against the split's ``qrels.csv``; None when the split has no qrels."""
    from recommender.evaluation.metrics import evaluate

    split = Path(split_dir)
    if not (split / "qrels.csv").is_file():
        return None
    slices = {q.qid: q.slice for q in read_queries(split)}
    return evaluate(read_run(run_path), read_relevant(split), slices)


def compare_runs(split_dir: str | Path, run_path: str | Path, baseline_path: str | Path, resamples: int = 10_000,
                 seed: int = 13, by_relevant_set: bool = False) -> dict[str, dict]:
    """Two run files of one split, scored side by side with paired-bootstrap intervals
    (``recommender.evaluation.metrics.compare``)."""
    from recommender.evaluation.metrics import compare

    split = Path(split_dir)
    if not (split / "qrels.csv").is_file():
        raise UserError(f"{split / 'qrels.csv'} not found: comparing runs needs the split's relevance labels")
    queries = read_queries(split)
    known = {q.qid for q in queries}
    runs = [read_run(path) for path in (run_path, baseline_path)]
    for path, run in zip((run_path, baseline_path), runs):
        stray = sorted(set(run) - known)
        if stray and len(stray) == len(run):
            raise UserError(f"{path}: none of its queries is in {split / 'queries.csv'} (e.g. {stray[0]}): "
                            "is it a run of another split?")
    return compare(runs[0], runs[1], read_relevant(split), {q.qid: q.slice for q in queries},
                   resamples=resamples, seed=seed, by_relevant_set=by_relevant_set)
