"""Learned reranking: the fused engine's best candidates reordered by a model fitted on labelled queries.

The matcher fuses its channels with fixed weights (``Matcher.fuse``) and an ensemble averages its members with
equal weights. Where labelled queries exist (a bench's labelled split: a query and the items that fit it), a
logistic regression over each candidate's channel scores and ranks learns how much to trust which channel for
which kind of candidate, e.g. an item that only the link predictor proposes against one that a known link of
the linked occupation carries. It reorders the ``RERANK_DEPTH`` best candidates of the fixed fusion; the rest
keep their order below them.

Features of a candidate (per member matcher, then for the whole):

- the member's fused score (min-max normalised per query) and its rank;
- each channel's score (min-max normalised) and rank: ``links``, ``lexical``, ``dense``;
- the links channel's raw score, split into the part from known links and the part from the link predictor;
- each of these scores times the member linker's probability of its best occupation (how much to trust the
  links channel, and the content channels instead, depends on how sure the linker is);
- the fixed fusion's score, rank and distance to the query's best score.

Ranks are kept as positions (0 = best): the model is linear, so it sees "in the channel's top few" only
through them. Query-level quantities on their own (how sure the linker is, the query's length) are left out: a
linear pointwise model gives every candidate of a query the same shift for them, which cannot reorder anything;
they matter only through the products above.

Training rows must be scored the way the ranked queries will be: by a matcher whose linker has not learned
from the row's own label (``recommender.evaluation.bench.rank_split`` scores them in folds).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

from recommender.errors import UserError
from recommender.matching.matcher import MajorMatching, RankedItems, top_items
from recommender.matching.scoring import minmax_rows

RERANK_DEPTH = 50
CHANNEL_ORDER = ("links", "lexical", "dense")


def _ranks(scores: np.ndarray) -> np.ndarray:
    """Position of each entry in its row, 0 = the largest (ties in column order)."""
    return np.argsort(np.argsort(-scores, axis=1, kind="stable"), axis=1, kind="stable").astype(np.float32)


@dataclass(frozen=True)
class Candidates:
    """A batch's ``depth`` best items by the fixed fusion (``rows``: item positions, (n, depth), best first), their
    features (n, depth, f) named by ``feature_names``, the fixed fusion's scores (n, items) and the linked
    occupations."""

    rows: np.ndarray
    features: np.ndarray
    feature_names: tuple[str, ...]
    scores: np.ndarray
    linked: list[list[tuple[str, float]]]

    def labels(self, item_ids: Sequence[str], relevant: Sequence[set[str]]) -> np.ndarray:
        """(n, depth) booleans: is the candidate among its query's relevant item ids."""
        ids = np.asarray(item_ids, dtype=object)
        return np.array([[i in rel for i in ids[row]] for row, rel in zip(self.rows, relevant)], dtype=bool)


def candidates(matcher, queries: Sequence[str], depth: int = RERANK_DEPTH) -> Candidates:
    """Score ``queries`` with ``matcher`` (a ``Matcher`` or an ensemble: anything with ``members`` and
    ``combine``) and describe the ``depth`` best items of each (see the module docstring for the features)."""
    queries = list(queries)
    columns: dict[str, np.ndarray] = {}
    results = []
    for m, member in enumerate(matcher.members):
        channels = member.channel_scores(queries, with_known=True)
        fused = member.fuse(channels.parts)
        results.append((fused, channels.linked))
        columns[f"m{m}.fused"] = minmax_rows(fused)
        columns[f"m{m}.fused_rank"] = _ranks(fused)
        for name in CHANNEL_ORDER:
            if name in channels.parts:
                columns[f"m{m}.{name}"] = minmax_rows(channels.parts[name])
                columns[f"m{m}.{name}_rank"] = _ranks(channels.parts[name])
        if channels.known is not None:
            columns[f"m{m}.links_known"] = channels.known
            columns[f"m{m}.links_predicted"] = channels.parts["links"] - channels.known
        confidence = np.array([[occs[0][1] if occs else 0.0] for occs in channels.linked], dtype=np.float32)
        for name in [n for n in columns if n.startswith(f"m{m}.") and not n.endswith("_rank")]:
            columns[f"{name}×confidence"] = columns[name] * confidence
    scores, linked = matcher.combine(results)
    columns["fused"] = minmax_rows(scores)
    columns["fused_rank"] = _ranks(scores)
    columns["fused_gap"] = columns["fused"].max(axis=1, keepdims=True) - columns["fused"]
    depth = min(depth, scores.shape[1])
    rows = np.argsort(-scores, axis=1, kind="stable")[:, :depth]
    names = tuple(columns)
    features = np.stack([np.take_along_axis(columns[name], rows, axis=1) for name in names], axis=-1)
    return Candidates(rows, features.astype(np.float32), names, scores, linked)


class LearnedReranker:
    """Logistic regression (standardised features, L2 ``C``) of "this candidate is relevant" over a query's
    candidates; reorders them by its probability.

    Examples
    --------
    >>> cand = candidates(matcher, texts)                                               # doctest: +SKIP
    >>> reranker = LearnedReranker().fit([(cand, cand.labels(matcher.item_ids, relevant))])  # doctest: +SKIP
    >>> scores = reranker.rerank(candidates(matcher, new_texts))                         # doctest: +SKIP
    """

    def __init__(self, C: float = 1.0):
        self.C = C
        self.feature_names: tuple[str, ...] = ()
        self.training_queries = 0
        self._scaler: StandardScaler | None = None
        self._model: LogisticRegression | None = None

    @property
    def fitted(self) -> bool:
        return self._model is not None

    def fit(self, batches: Sequence[tuple[Candidates, np.ndarray]]) -> LearnedReranker:
        """Fit on ``(candidates, labels)`` batches (labels: ``Candidates.labels``); all batches must come from
        matchers of the same shape (same feature names)."""
        batches = [(c, y) for c, y in batches if len(c.rows)]
        if not batches:
            raise UserError("the reranker needs labelled queries to learn from")
        names = {c.feature_names for c, _ in batches}
        if len(names) != 1:
            raise UserError("the reranker's training batches have different features (different matchers)")
        self.feature_names = names.pop()
        x = np.concatenate([c.features.reshape(-1, len(self.feature_names)) for c, _ in batches])
        y = np.concatenate([labels.reshape(-1) for _, labels in batches])
        if y.all() or not y.any():
            raise UserError("the reranker needs both relevant and other candidates among its training queries")
        self.training_queries = sum(len(c.rows) for c, _ in batches)
        self._scaler = StandardScaler().fit(x)
        self._model = LogisticRegression(C=self.C, max_iter=2000).fit(self._scaler.transform(x), y)
        return self

    def probabilities(self, cand: Candidates) -> np.ndarray:
        """(n, depth): the model's probability that each candidate is relevant."""
        if not self.fitted:
            raise RuntimeError("fit() the reranker first")
        if cand.feature_names != self.feature_names:
            raise UserError("the reranker was fitted on another matcher's features: "
                            f"{', '.join(self.feature_names)} against {', '.join(cand.feature_names)}")
        n, depth, f = cand.features.shape
        if n == 0:
            return np.zeros((0, depth), dtype=np.float32)
        x = self._scaler.transform(cand.features.reshape(-1, f))
        return self._model.predict_proba(x)[:, 1].reshape(n, depth).astype(np.float32)

    def rerank(self, cand: Candidates) -> np.ndarray:
        """Scores (n, items): the candidates get 1 + their probability, in the order the model gives them; the
        other items keep the fixed fusion's normalised score (at most 1), so they stay below, in their order."""
        out = minmax_rows(cand.scores)
        np.put_along_axis(out, cand.rows, 1.0 + self.probabilities(cand), axis=1)
        return out

    def coefficients(self) -> dict[str, float]:
        """The model's weight per feature (per standard deviation)."""
        if not self.fitted:
            return {}
        return {n: round(float(c), 3) for n, c in zip(self.feature_names, self._model.coef_[0])}


class RerankedMatcher(MajorMatching):
    """A matcher (or an ensemble) whose ``depth`` best candidates a fitted ``LearnedReranker`` reorders. It has the
    matcher's ranking surface (``score``, ``rank``, ``match`` / ``match_many``)."""

    def __init__(self, matcher, reranker: LearnedReranker, depth: int = RERANK_DEPTH):
        if not reranker.fitted:
            raise UserError("a reranked matcher needs a fitted reranker")
        self.matcher, self.reranker, self.depth = matcher, reranker, depth

    @property
    def corpus(self):
        return self.matcher.corpus

    @property
    def item_ids(self) -> list[str]:
        return self.matcher.item_ids

    @property
    def members(self) -> list:
        return self.matcher.members

    def score(self, queries: Sequence[str]) -> tuple[np.ndarray, list[list[tuple[str, float]]]]:
        cand = candidates(self.matcher, queries, self.depth)
        return self.reranker.rerank(cand), cand.linked

    def rank(self, queries: Sequence[str], k: int = 100, allowed: set[str] | None = None) -> list[RankedItems]:
        scores, linked = self.score(queries)
        return top_items(scores, linked, self.item_ids, k, allowed)


def mean_coefficients(rerankers: Sequence[LearnedReranker]) -> Mapping[str, float]:
    """The rerankers' weights averaged per feature (the folds of a cross-validated run)."""
    fitted = [r.coefficients() for r in rerankers if r.fitted]
    if not fitted:
        return {}
    return {name: round(float(np.mean([c[name] for c in fitted])), 3) for name in fitted[0]}
