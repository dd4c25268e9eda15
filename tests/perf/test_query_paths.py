"""The fast query-time paths compute what the reference paths compute.

The linker's ``query_features`` against ``featurize`` (the training path), the choice network in NumPy against
torch, matching in batches against one text at a time, the course index against a plain scan of the courses,
and the recommender's greedy selection against the original one.
"""

from __future__ import annotations

import pickle

import numpy as np
import pytest
import torch

from recommender.encoders.registry import get_encoder
from recommender.evaluation.toy import QUERIES, write_toy_bench
from recommender.matching.corpus import MatchingCorpus
from recommender.matching.linker import LinkerConfig, OccupationLinker
from recommender.matching.matcher import Matcher
from recommender.matching.scoring import ChoiceModel

TEXTS = [q[1] for q in QUERIES] + ["电焊工", "汽车维修", "会计", "月嫂", "急招 焊工/电工 包吃住", "主播带货（日结）",
                                   "Welders. Use hand-welding equipment.", "", "维修电工，负责配电柜检修"]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> MatchingCorpus:
    return MatchingCorpus.from_bench(write_toy_bench(tmp_path_factory.mktemp("toy-paths")))


@pytest.fixture(scope="module")
def matcher(corpus) -> Matcher:
    return Matcher(corpus, get_encoder("lexical")).fit()


@pytest.mark.parametrize("string_labels", [12, 1])  # 1: candidates keep only their closest label
def test_query_features_equal_the_training_features(corpus, string_labels):
    linker = OccupationLinker(corpus, get_encoder("lexical"), LinkerConfig(string_labels=string_labels))
    cand, x = linker.featurize(TEXTS)
    fast_cand, fast_x = linker.query_features(TEXTS)
    np.testing.assert_array_equal(fast_cand, cand)
    np.testing.assert_array_equal(fast_x[..., :4], x[..., :4])  # lexical: the same sparse products
    np.testing.assert_allclose(fast_x[..., 4:7], x[..., 4:7], atol=1e-6)  # dense: row by row, last bits differ
    np.testing.assert_array_equal(fast_x[..., 7:], x[..., 7:])  # string features


def test_numpy_choice_network_equals_torch():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(60, 8, 5)).astype(np.float32)
    targets = np.zeros((60, 8), dtype=bool)
    targets[np.arange(60), (x[:, :, 0] - x[:, :, 3]).argmax(axis=1)] = True
    for hidden in (16, 0):
        model = ChoiceModel(hidden=hidden, max_iter=30).fit(x, targets)
        with torch.no_grad():
            reference = model._net((torch.tensor(x) - model._mu) / model._sd).squeeze(-1).numpy()
        np.testing.assert_allclose(model.logits(x), reference, atol=1e-5)


def test_a_texts_scores_do_not_depend_on_its_batch(matcher):
    scores, linked = matcher.score(TEXTS)
    for i, text in enumerate(TEXTS):
        one, one_linked = matcher.score([text])
        np.testing.assert_array_equal(one[0], scores[i])
        assert one_linked[0] == linked[i]
    assert matcher.match_many(TEXTS, k=5) == [matcher.match(t, k=5) for t in TEXTS]
    assert matcher.match_many(TEXTS[:3], levels=["高职专科"], k=3) == [
        matcher.match(t, levels=["高职专科"], k=3) for t in TEXTS[:3]]


def test_query_tables_are_not_pickled_and_come_back(matcher):
    before = matcher.score(TEXTS)[0]
    assert "_query" in matcher.linker.__dict__
    copy = pickle.loads(pickle.dumps(matcher))
    assert "_query" not in copy.linker.__dict__ and "_match" not in copy.__dict__
    copy.encoder = matcher.encoder
    np.testing.assert_array_equal(copy.score(TEXTS)[0], before)

