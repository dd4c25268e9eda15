"""Ranking metrics with the definitions of ``../shared/bench/score.py``.

A ranking is a list of item ids, best first (duplicates after the first occurrence are ignored, and only the
first ``cutoff`` = 100 count); ``gold`` is the set of relevant ids of the query.

- ``recall_at_k``: relevant ids in the top k / all relevant ids;
- ``reciprocal_rank``: 1 / rank of the first relevant id within the cutoff, else 0 (MRR when averaged);
- ``ndcg_at_k``: binary-gain DCG of the top k / the ideal DCG of min(k, |gold|) hits;
- ``average_precision``: mean of precision@rank over the relevant ids' ranks within the cutoff, divided by |gold|;
- ``answered``: 1 if the ranking is not empty (``coverage`` of the queries);
- ``catalog_coverage``: share of the catalog that appears in some top k.

``evaluate`` averages them overall (``all``) and per slice, skipping queries without relevant ids, and rounds
to 4 decimals like score.py (whose ``queries`` count, in a split without a slice column, counts every query twice;
ours counts it once, and the means agree either way). ``compare`` sets two rankings of the same queries side by side: the difference of
each mean with a 95 % paired-bootstrap interval (queries resampled with replacement, the same resample for both
runs), so a change can be told from the noise of a finite query set.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence

import numpy as np

CUTOFF = 100


def _dedup(ranking: Sequence[str], cutoff: int = CUTOFF) -> list[str]:
    seen: set[str] = set()
    out = []
    for item in ranking:
        if item not in seen:
            seen.add(item)
            out.append(item)
    return out[:cutoff]


def recall_at_k(ranking: Sequence[str], gold: set[str], k: int = 10) -> float:
    if not gold:
        return 0.0
    return sum(1 for item in _dedup(ranking)[:k] if item in gold) / len(gold)


def reciprocal_rank(ranking: Sequence[str], gold: set[str], cutoff: int = CUTOFF) -> float:
    for i, item in enumerate(_dedup(ranking, cutoff)):
        if item in gold:
            return 1.0 / (i + 1)
    return 0.0


def ndcg_at_k(ranking: Sequence[str], gold: set[str], k: int = 10) -> float:
    if not gold:
        return 0.0
    dcg = sum(1 / math.log2(i + 2) for i, item in enumerate(_dedup(ranking)[:k]) if item in gold)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(k, len(gold))))
    return dcg / ideal


def average_precision(ranking: Sequence[str], gold: set[str], cutoff: int = CUTOFF) -> float:
    if not gold:
        return 0.0
    hits, total = 0, 0.0
    for i, item in enumerate(_dedup(ranking, cutoff)):
        if item in gold:
            hits += 1
            total += hits / (i + 1)
    return total / len(gold)


def catalog_coverage(rankings: Iterable[Sequence[str]], catalog_size: int, k: int = 10) -> float:
    if catalog_size <= 0:
        return 0.0
    shown = {item for ranking in rankings for item in _dedup(ranking)[:k]}
    return len(shown) / catalog_size


def query_metrics(ranking: Sequence[str], gold: set[str]) -> dict[str, float]:
    """The per-query metrics, named as score.py names them (plus ``map``)."""
    return {
        "answered": 1.0 if ranking else 0.0,
        "recall@10": recall_at_k(ranking, gold, 10),
        "mrr": reciprocal_rank(ranking, gold),
        "ndcg@10": ndcg_at_k(ranking, gold, 10),
        "map": average_precision(ranking, gold),
    }


def per_query(rankings: Mapping[str, Sequence[str]], qrels: Mapping[str, set[str]],
              slices: Mapping[str, str], group_of: Callable[[str], object] | None = None) -> dict[str, dict[str, list]]:
    """Per-query metrics grouped overall (``all``) and per slice: ``{slice: {metric: [value per query]}}``, the
    queries in the order of ``slices`` (queries without relevant ids are skipped; a missing ranking is a miss).
    ``group_of``: instead of the metrics, each query's group under ``"group"`` (``group_of(qid)``), same order."""
    per: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for qid, slice_name in slices.items():
        gold = qrels.get(qid)
        if not gold:
            continue
        m = {"group": group_of(qid)} if group_of else query_metrics(list(rankings.get(qid, ())), gold)
        for key in dict.fromkeys(("all", slice_name or "all")):
            for name, value in m.items():
                per[key][name].append(value)
    return per


def evaluate(rankings: Mapping[str, Sequence[str]], qrels: Mapping[str, set[str]],
             slices: Mapping[str, str]) -> dict[str, dict[str, float]]:
    """Average metrics overall and per slice.

    Parameters
    ----------
    rankings : qid → item ids, best first (missing qid: an empty ranking, a miss)
    qrels : qid → relevant item ids
    slices : qid → slice name, for every query of the split (queries without relevant ids are skipped)

    Returns
    -------
    dict
        ``{"all": {...}, "<slice>": {...}}`` with recall@10, mrr, ndcg@10, map, answered and queries.
    """
    per = per_query(rankings, qrels, slices)
    return {s: {k: round(sum(v) / len(v), 4) for k, v in ms.items()} | {"queries": len(ms["mrr"])}
            for s, ms in per.items()}


def paired_bootstrap(values: Sequence[float], baseline: Sequence[float], resamples: int = 10_000,
                     seed: int = 13, groups: Sequence[object] | None = None) -> dict[str, float]:
    """Difference of means ``values - baseline`` (paired by position) with its 95 % bootstrap interval.

    ``groups`` (one key per position): resample whole groups instead of single queries (a cluster bootstrap),
    for queries that are not independent, such as many titles of one occupation; the interval widens with the
    correlation inside the groups.

    Returns ``diff``, ``low``, ``high`` (2.5th and 97.5th percentiles of the resampled differences) and ``p``:
    the two-sided bootstrap p-value, twice the smaller share of resampled differences on either side of zero
    (1.0 when the runs agree on every query).

    Examples
    --------
    >>> r = paired_bootstrap([1, 1, 1, 0], [0, 0, 0, 0], resamples=2000)
    >>> r["diff"], r["low"] > 0
    (0.75, True)
    """
    a, b = np.asarray(values, dtype=np.float64), np.asarray(baseline, dtype=np.float64)
    if a.shape != b.shape or a.ndim != 1 or len(a) == 0:
        raise ValueError(f"paired_bootstrap needs two equally long, non-empty lists (got {a.shape} and {b.shape})")
    if resamples < 100:
        raise ValueError(f"resamples={resamples}: use at least 100")
    d = a - b
    if groups is None:
        keys = np.arange(len(d))
    elif len(groups) != len(d):
        raise ValueError(f"paired_bootstrap: {len(groups)} groups for {len(d)} values")
    else:
        number: dict[object, int] = {}  # groups numbered by first appearance
        keys = np.array([number.setdefault(g, len(number)) for g in groups])
    sums = np.bincount(keys, weights=d)  # per group: sum of differences and count, resampled together
    counts = np.bincount(keys).astype(np.float64)
    rng = np.random.default_rng(seed)
    means = np.empty(resamples)
    for start in range(0, resamples, 1000):  # blocks keep memory flat for large query sets
        n = min(1000, resamples - start)
        pick = rng.integers(0, len(sums), size=(n, len(sums)))
        means[start:start + n] = sums[pick].sum(axis=1) / counts[pick].sum(axis=1)
    low, high = np.percentile(means, [2.5, 97.5])
    p = 1.0 if not d.any() else min(1.0, 2 * min((means <= 0).mean(), (means >= 0).mean()))
    return {"diff": float(d.mean()), "low": float(low), "high": float(high), "p": float(p)}


def compare(rankings: Mapping[str, Sequence[str]], baseline: Mapping[str, Sequence[str]],
            qrels: Mapping[str, set[str]], slices: Mapping[str, str],
            metrics: Sequence[str] = ("recall@10", "mrr", "ndcg@10"), resamples: int = 10_000,
            seed: int = 13, by_relevant_set: bool = False) -> dict[str, dict[str, dict[str, float]]]:
    """Both runs' means and their paired difference, overall and per slice.

    Returns ``{slice: {metric: {"run", "baseline", "diff", "low", "high", "p"}, "queries": n, "groups": g}}``; the
    interval and p-value come from ``paired_bootstrap`` over the slice's queries, or, with ``by_relevant_set``,
    over groups of queries with the same relevant ids (titles of one occupation), resampled together.
    """
    ours, theirs = per_query(rankings, qrels, slices), per_query(baseline, qrels, slices)
    keys = per_query({}, qrels, slices, group_of=lambda qid: "|".join(sorted(qrels[qid]))) if by_relevant_set else {}
    out: dict[str, dict] = {}
    for name, values in ours.items():
        groups = keys[name]["group"] if by_relevant_set else None
        row: dict = {"queries": len(values["mrr"]), "groups": len(set(groups)) if groups else len(values["mrr"])}
        for metric in metrics:
            a, b = values[metric], theirs[name][metric]
            row[metric] = {"run": round(float(np.mean(a)), 4), "baseline": round(float(np.mean(b)), 4)} | {
                k: round(v, 4) for k, v in paired_bootstrap(a, b, resamples, seed, groups).items()}
        out[name] = row
    return out
