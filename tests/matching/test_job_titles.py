"""Labelled job titles teach the occupation linker how real titles name occupations."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from recommender.encoders.registry import get_encoder
from recommender.evaluation.toy import write_toy_bench
from recommender.matching.corpus import MatchingCorpus
from recommender.matching.linker import ABSENT_CLASS, FEATURES, TITLE_FEATURES, OccupationLinker
from recommender.matching.matcher import Matcher

# Slang the toy occupations' labels do not contain: only the labelled titles connect it to 焊工 / 保育师.
TITLES = [("打铁花师傅", "6-25-03-01"), ("铁花工", "6-25-03-01"), ("打铁花学徒", "6-25-03-01"),
          ("带娃阿姨", "4-10-01-06"), ("带娃保姆", "4-10-01-06"), ("住家带娃", "4-10-01-06")]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> MatchingCorpus:
    return MatchingCorpus.from_bench(write_toy_bench(tmp_path_factory.mktemp("toy")))


def test_corpus_keeps_titles_of_known_occupations_once(corpus):
    taught = replace(corpus, job_titles=TITLES + [TITLES[0], ("某某", "9-99-99-99"), ("  ", "6-25-03-01")])
    assert taught.job_titles == TITLES


def test_titles_add_their_features_and_link_unseen_slang(corpus):
    plain = OccupationLinker(corpus, get_encoder("lexical")).fit()
    taught = OccupationLinker(replace(corpus, job_titles=TITLES), get_encoder("lexical")).fit()
    assert plain.features == FEATURES and taught.features == FEATURES + TITLE_FEATURES
    for query, code in (("铁花学徒", "6-25-03-01"), ("带娃住家阿姨", "4-10-01-06")):
        assert plain.link_codes(query)[0][0] != code
        assert taught.link_codes(query)[0][0] == code
    # what the labels already knew still holds
    assert taught.link_codes("急招电焊工 月薪8000+")[0][0] == "6-25-03-01"


def test_title_features_hide_a_training_title_from_itself(corpus):
    linker = OccupationLinker(replace(corpus, job_titles=TITLES), get_encoder("lexical")).fit()
    welder = corpus.occupation_index["6-25-03-01"]
    row = linker.title_source.index("铁花工")
    vq = linker._vectorize([linker.title_text[row]])
    margins = linker._class_scores([linker.title_text[row]])
    seen = linker._title_features(vq, None, {}, margins)
    hidden = linker._title_features(vq, None, {0: linker.title_same[row]}, margins)
    assert seen[0, welder, 0] == pytest.approx(1.0)  # its own text, verbatim
    assert hidden[0, welder, 0] < 1.0
    assert hidden[0, welder, 3] == pytest.approx(np.log1p(2))  # the count leaves it out: 2 other welder titles
    assert seen[0, welder, 3] == pytest.approx(np.log1p(3))


def test_title_classifier_margins_and_out_of_fold_scores(corpus):
    linker = OccupationLinker(replace(corpus, job_titles=TITLES), get_encoder("lexical")).fit()
    welder, carer = corpus.occupation_index["6-25-03-01"], corpus.occupation_index["4-10-01-06"]
    margins = linker._class_scores(["铁花学徒", "带娃阿姨"])
    assert margins[0, welder] > margins[0, carer] and margins[1, carer] > margins[1, welder]
    others = [k for k in range(len(corpus.occupations)) if k not in (welder, carer)]
    assert (margins[:, others] == ABSENT_CLASS).all()
    oof = linker._out_of_fold_class_scores(folds=3)
    assert oof.shape == (len(TITLES), len(corpus.occupations))
    # a title's out-of-fold margin comes from a classifier that did not see it: never its in-sample margin
    in_sample = linker._class_scores(linker.title_text)
    assert not np.allclose(oof[:, [welder, carer]], in_sample[:, [welder, carer]])


def test_query_path_and_training_path_give_the_same_title_features(corpus):
    linker = OccupationLinker(replace(corpus, job_titles=TITLES), get_encoder("lexical")).fit()
    queries = ["铁花学徒", "带娃住家阿姨（包吃住）", "汽修学徒"]
    cand, x = linker.featurize(queries)
    fast_cand, fast_x = linker.query_features(queries)
    np.testing.assert_array_equal(cand, fast_cand)
    np.testing.assert_allclose(fast_x[..., len(FEATURES):], x[..., len(FEATURES):], atol=1e-6)


def test_matcher_learn_titles_refits_only_the_linker(corpus):
    matcher = Matcher(corpus, get_encoder("lexical")).fit()
    predictor, lexical = matcher.predictor, matcher.lexical_index
    before = matcher.rank(["带娃住家阿姨"], k=3)[0]
    matcher.learn_titles(TITLES)
    after = matcher.rank(["带娃住家阿姨"], k=3)[0]
    assert matcher.predictor is predictor and matcher.lexical_index is lexical
    assert after.occupations[0][0] == "4-10-01-06" != before.occupations[0][0]
    assert after.items[0][0] == "570101"  # 婴幼儿托育服务与管理, the 保育师's major
    assert matcher.learn_titles([]).linker.features == FEATURES


def test_a_linker_taught_by_titles_is_the_same_on_every_fit(corpus):
    """The title classifier is seeded: cross-validated figures repeat exactly (they moved by ±0.002 between runs
    while liblinear drew its shuffle from NumPy's global random state)."""
    fits = []
    for global_seed in (1, 2):
        np.random.seed(global_seed)
        linker = OccupationLinker(replace(corpus, job_titles=TITLES), get_encoder("lexical")).fit()
        fits.append((linker.title_classifier[1].coef_, linker.link(["铁花学徒", "带娃住家阿姨", "电焊"])[1]))
    np.testing.assert_array_equal(fits[0][0], fits[1][0])
    np.testing.assert_array_equal(fits[0][1], fits[1][1])
