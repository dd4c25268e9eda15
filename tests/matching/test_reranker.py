"""The learned reranker: candidates and their features, the fit, the reordering, and the matcher wrapper."""

from __future__ import annotations

import numpy as np
import pytest

from recommender.encoders.registry import get_encoder
from recommender.errors import UserError
from recommender.evaluation.toy import QUERIES, write_toy_bench
from recommender.matching.corpus import MatchingCorpus
from recommender.matching.ensemble import MatcherEnsemble
from recommender.matching.matcher import Matcher, MatcherConfig
from recommender.matching.reranker import Candidates, LearnedReranker, RerankedMatcher, candidates

TEXTS = [t for _, t, _, _ in QUERIES]
RELEVANT = [set(g) for _, _, _, g in QUERIES]


@pytest.fixture(scope="module")
def matcher(tmp_path_factory) -> Matcher:
    corpus = MatchingCorpus.from_bench(write_toy_bench(tmp_path_factory.mktemp("toy")))
    return Matcher(corpus, get_encoder("lexical")).fit()


def test_fusing_the_channel_scores_is_the_matchers_score(matcher):
    channels = matcher.channel_scores(TEXTS, with_known=True)
    scores, linked = matcher.score(TEXTS)
    np.testing.assert_array_equal(matcher.fuse(channels.parts), scores)
    assert channels.linked == linked and set(channels.parts) == {"links", "lexical", "dense"}
    links, known = channels.parts["links"], channels.known
    assert known.shape == links.shape and (known >= 0).all() and (known <= links + 1e-6).all()
    assert matcher.channel_scores(TEXTS).known is None  # only when asked


def test_candidates_are_the_best_items_of_the_fixed_fusion_with_named_features(matcher):
    cand = candidates(matcher, TEXTS, depth=4)
    scores, linked = matcher.score(TEXTS)
    assert cand.rows.shape == (len(TEXTS), 4) and cand.features.shape == (len(TEXTS), 4, len(cand.feature_names))
    np.testing.assert_array_equal(cand.rows, np.argsort(-scores, axis=1, kind="stable")[:, :4])
    assert cand.linked == linked
    names = cand.feature_names
    assert {"m0.fused", "m0.links", "m0.links_known", "m0.links_predicted", "m0.dense_rank", "fused_gap"} <= set(names)
    rank = cand.features[:, :, names.index("fused_rank")]
    np.testing.assert_array_equal(rank, np.tile(np.arange(4, dtype=np.float32), (len(TEXTS), 1)))
    labels = cand.labels(matcher.item_ids, RELEVANT)
    ids = np.asarray(matcher.item_ids)
    assert labels[0].tolist() == [i in RELEVANT[0] for i in ids[cand.rows[0]]]


def test_an_ensembles_candidates_describe_every_member(matcher):
    lexical_only = Matcher(matcher.corpus, None, MatcherConfig(channels=("links", "lexical"))).fit()
    cand = candidates(MatcherEnsemble([matcher, lexical_only]), TEXTS, depth=3)
    assert "m0.dense" in cand.feature_names and "m1.lexical" in cand.feature_names
    assert "m1.dense" not in cand.feature_names


def _synthetic(n: int, depth: int, seed: int) -> tuple[Candidates, np.ndarray]:
    """Candidates whose second feature says which are relevant (with noise), the first is noise."""
    rng = np.random.default_rng(seed)
    labels = rng.random((n, depth)) < 0.2
    features = np.stack([rng.normal(size=(n, depth)), labels + 0.3 * rng.normal(size=(n, depth))], -1)
    rows = np.tile(np.arange(depth), (n, 1))
    scores = np.tile(np.linspace(1, 0, depth + 3), (n, 1)).astype(np.float32)  # 3 items beyond the candidates
    return Candidates(rows, features.astype(np.float32), ("noise", "signal"), scores, [[] for _ in range(n)]), labels


def test_the_reranker_learns_which_feature_tells_relevance_and_reorders_the_candidates_only():
    train = _synthetic(200, 10, seed=1)
    reranker = LearnedReranker().fit([train])
    weights = reranker.coefficients()
    assert weights["signal"] > 1.0 and abs(weights["noise"]) < 0.3 and reranker.training_queries == 200
    test, labels = _synthetic(50, 10, seed=2)
    scores = reranker.rerank(test)
    assert scores.shape == test.scores.shape
    assert (scores[:, :10] > 1).all() and (scores[:, 10:] <= 1).all()  # candidates above, the rest below
    assert (np.diff(scores[:, 10:], axis=1) <= 0).all()  # in their old order
    best = np.argmax(scores, axis=1)
    has_relevant = labels.any(axis=1)
    assert labels[np.arange(50), best][has_relevant].mean() > 0.9  # the fixed order alone: about 0.2


def test_reranker_errors_are_plain():
    with pytest.raises(UserError, match="labelled queries"):
        LearnedReranker().fit([])
    cand, labels = _synthetic(5, 4, seed=3)
    with pytest.raises(UserError, match="both relevant and other"):
        LearnedReranker().fit([(cand, np.zeros_like(labels))])
    reranker = LearnedReranker().fit([_synthetic(30, 4, seed=4)])
    other = Candidates(cand.rows, cand.features, ("a", "b"), cand.scores, cand.linked)
    with pytest.raises(UserError, match="another matcher"):
        reranker.rerank(other)
    with pytest.raises(UserError, match="different features"):
        LearnedReranker().fit([(cand, labels), (other, labels)])
    with pytest.raises(RuntimeError, match="fit"):
        LearnedReranker().rerank(cand)
    with pytest.raises(UserError, match="fitted reranker"):
        RerankedMatcher(object(), LearnedReranker())


def test_a_reranked_matcher_ranks_and_matches_like_a_matcher(matcher):
    cand = candidates(matcher, TEXTS)
    reranker = LearnedReranker().fit([(cand, cand.labels(matcher.item_ids, RELEVANT))])
    reranked = RerankedMatcher(matcher, reranker)
    results = reranked.rank(TEXTS, k=5)
    assert all(len(r.items) == 5 for r in results)
    expected = reranker.rerank(cand)
    for row, result in zip(expected, results):
        top = np.argsort(-row, kind="stable")[:5]
        assert [i for i, _ in result.items] == [matcher.item_ids[j] for j in top]
    occupations, majors = reranked.match(TEXTS[0], k=3)
    assert occupations and len(majors) == 3 and reranked.members == [matcher]
    assert reranked.rank(TEXTS[:1], k=3, allowed={"460110"})[0].items[0][0] == "460110"
