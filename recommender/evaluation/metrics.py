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
to 4 decimals like score.py.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

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
    per: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for qid, slice_name in slices.items():
        gold = qrels.get(qid)
        if not gold:
            continue
        m = query_metrics(list(rankings.get(qid, ())), gold)
        for key in ("all", slice_name or "all"):
            for name, value in m.items():
                per[key][name].append(value)
    return {s: {k: round(sum(v) / len(v), 4) for k, v in ms.items()} | {"queries": len(ms["mrr"])}
            for s, ms in per.items()}
