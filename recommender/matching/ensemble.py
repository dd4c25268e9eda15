"""Several matchers over one corpus, one per encoder, their scores averaged.

Each member is a whole ``Matcher`` (linker, link predictor, lexical and dense channels) built with its own
encoder, so each encoder shapes the linker's and the predictor's features as well as the dense channel. The
ensemble min-max-normalises each member's item scores per query and averages them (equal weights unless
given); the linked occupations are the members' probabilities averaged. Encoders that err differently add up:
on cn-titles dev, multilingual USE and our static model together rank better than either alone (README,
"Quality on the benchmarks").

The ensemble has the matcher's surface (``fit``, ``learn_titles``, ``score``, ``rank``, and the recommender's
``match`` / ``match_many``), so ``evaluate --encoder A+B`` and ``RECOMMENDER_ENCODER=A+B`` both build one. The
product's default stays one fast matcher (our static model): USE costs milliseconds per query where ours costs
a fraction of one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import numpy as np

from recommender.errors import UserError
from recommender.matching.corpus import MatchingCorpus
from recommender.matching.matcher import MajorMatching, Matcher, RankedItems, top_items
from recommender.matching.scoring import minmax_rows


class MatcherEnsemble(MajorMatching):
    """Average of ``members``' min-max-normalised scores (``weights``: one per member, default equal).

    Examples
    --------
    >>> ensemble = MatcherEnsemble([Matcher(corpus, use), Matcher(corpus, ours)]).fit()   # doctest: +SKIP
    >>> ensemble.rank(["汽车维修机修工"], k=10)[0].items[:3]                               # doctest: +SKIP
    """

    def __init__(self, members: Sequence[Matcher], weights: Sequence[float] | None = None):
        members = list(members)
        if len(members) < 2:
            raise UserError(f"an ensemble needs at least two matchers (got {len(members)})")
        ids = members[0].item_ids
        if any(m.item_ids != ids for m in members[1:]):
            raise UserError("the matchers of an ensemble must rank the same items in the same order")
        weights = [1.0] * len(members) if weights is None else [float(w) for w in weights]
        if len(weights) != len(members) or min(weights) < 0 or sum(weights) <= 0:
            raise UserError(f"ensemble weights {weights}: one non-negative weight per matcher, not all zero")
        self.members = members
        self.weights = np.asarray(weights, dtype=np.float32) / sum(weights)

    @property
    def item_ids(self) -> list[str]:
        return self.members[0].item_ids

    @property
    def corpus(self) -> MatchingCorpus:
        return self.members[0].corpus

    def fit(self) -> MatcherEnsemble:
        for member in self.members:
            member.fit()
        return self

    def learn_titles(self, job_titles: Sequence[tuple[str, str]]) -> MatcherEnsemble:
        """Teach every member's linker the same labelled titles (``Matcher.learn_titles``). Returns self."""
        for member in self.members:
            member.learn_titles(job_titles)
        self.__dict__.pop("_match", None)
        return self

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state.pop("_match", None)  # derived lookups, rebuilt on the first match after loading
        return state

    def score(self, queries: Sequence[str]) -> tuple[np.ndarray, list[list[tuple[str, float]]]]:
        """Scores (n, items): the weighted mean of the members' per-query min-max-normalised scores; the linked
        occupations of each query: the members' probabilities averaged with the same weights, the 10 best."""
        queries = list(queries)
        return self.combine([member.score(queries) for member in self.members])

    def combine(self, results: Sequence[tuple[np.ndarray, list[list[tuple[str, float]]]]]
                ) -> tuple[np.ndarray, list[list[tuple[str, float]]]]:
        """The members' ``score`` results (one per member, in order) as the ensemble's (see ``score``)."""
        total = np.zeros_like(results[0][0], dtype=np.float32)
        linked: list[dict[str, float]] = [defaultdict(float) for _ in results[0][1]]
        for (scores, occupations), weight in zip(results, self.weights):
            total += weight * minmax_rows(scores)
            for acc, occs in zip(linked, occupations):
                for code, p in occs:
                    acc[code] += float(weight) * p
        return total, [sorted(acc.items(), key=lambda x: -x[1])[:10] for acc in linked]

    def rank(self, queries: Sequence[str], k: int = 100, allowed: set[str] | None = None) -> list[RankedItems]:
        """The ``k`` best items per query (only ``allowed`` item ids when given), with the linked occupations."""
        scores, linked = self.score(queries)
        return top_items(scores, linked, self.item_ids, k, allowed)
