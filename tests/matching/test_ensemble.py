"""Matcher ensembles: one matcher per encoder, normalised scores averaged; `auto` and `A+B` in evaluate."""

from __future__ import annotations

import numpy as np
import pytest

from recommender.encoders.registry import get_encoder
from recommender.errors import UserError
from recommender.evaluation.bench import encoder_names, rank_split
from recommender.evaluation.toy import QUERIES, write_toy_bench
from recommender.matching.corpus import MatchingCorpus
from recommender.matching.ensemble import MatcherEnsemble
from recommender.matching.matcher import Matcher
from recommender.matching.scoring import minmax_rows
from recommender.recommend.build import DEFAULT_ENCODER_DIR

OURS = f"st:{DEFAULT_ENCODER_DIR}"
needs_ours = pytest.mark.skipif(not (DEFAULT_ENCODER_DIR / "modules.json").is_file(), reason="shipped model missing")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> MatchingCorpus:
    return MatchingCorpus.from_bench(write_toy_bench(tmp_path_factory.mktemp("toy")))


@pytest.fixture(scope="module")
def lexical_matcher(corpus) -> Matcher:
    return Matcher(corpus, get_encoder("lexical")).fit()


@pytest.fixture(scope="module")
def ours_matcher(corpus) -> Matcher:
    if not (DEFAULT_ENCODER_DIR / "modules.json").is_file():
        pytest.skip("shipped model missing")
    return Matcher(corpus, get_encoder(OURS)).fit()


TEXTS = [t for _, t, _, _ in QUERIES]


def test_scores_are_the_weighted_mean_of_the_members_normalised_scores(lexical_matcher, ours_matcher):
    ensemble = MatcherEnsemble([lexical_matcher, ours_matcher], weights=[3, 1])
    scores, linked = ensemble.score(TEXTS)
    a, linked_a = lexical_matcher.score(TEXTS)
    b, linked_b = ours_matcher.score(TEXTS)
    np.testing.assert_allclose(scores, 0.75 * minmax_rows(a) + 0.25 * minmax_rows(b), rtol=1e-6)
    for row, la, lb in zip(linked, linked_a, linked_b):
        pa, pb = dict(la), dict(lb)
        for code, p in row:
            assert p == pytest.approx(0.75 * pa.get(code, 0.0) + 0.25 * pb.get(code, 0.0), rel=1e-6)
        assert [p for _, p in row] == sorted((p for _, p in row), reverse=True) and len(row) <= 10
    ranked = ensemble.rank(TEXTS, k=3, allowed={"500211", "500212", "460110"})
    assert all(len(r.items) <= 3 and {i for i, _ in r.items} <= {"500211", "500212", "460110"} for r in ranked)
    assert ranked[0].items[0][0] in {"500211", "500212"}  # 汽修学徒 → 汽车检测与维修技术 / its sibling


def test_an_ensemble_of_one_matcher_twice_ranks_like_the_matcher(lexical_matcher):
    single = lexical_matcher.rank(TEXTS, k=5)
    twice = MatcherEnsemble([lexical_matcher, lexical_matcher]).rank(TEXTS, k=5)
    assert [[i for i, _ in r.items] for r in twice] == [[i for i, _ in r.items] for r in single]


def test_learn_titles_teaches_every_member(corpus):
    members = [Matcher(corpus, get_encoder("lexical")).fit() for _ in range(2)]
    ensemble = MatcherEnsemble(members)
    assert ensemble.learn_titles([("汽修小工", "4-12-01-01")]) is ensemble
    assert all(m.corpus.job_titles == [("汽修小工", "4-12-01-01")] for m in members)


def test_bad_ensembles_are_user_errors(corpus, lexical_matcher):
    with pytest.raises(UserError, match="at least two"):
        MatcherEnsemble([lexical_matcher])
    with pytest.raises(UserError, match="weight"):
        MatcherEnsemble([lexical_matcher, lexical_matcher], weights=[1, -1])
    with pytest.raises(UserError, match="weight"):
        MatcherEnsemble([lexical_matcher, lexical_matcher], weights=[1])
    other = Matcher(MatchingCorpus(list(corpus.items[:-1]), list(corpus.occupations), [], language="zh"),
                    get_encoder("lexical"))
    with pytest.raises(UserError, match="same items"):
        MatcherEnsemble([lexical_matcher, other])


def test_encoder_names():
    assert encoder_names("use", "zh") == ["use"]
    assert encoder_names(" use + st:models/x ", "zh") == ["use", "st:models/x"]
    for bad in ("use+", "use+use", "+"):
        with pytest.raises(UserError, match="joined by"):
            encoder_names(bad, "zh")


@needs_ours
def test_auto_is_use_with_our_model_for_chinese_and_our_model_for_english():
    assert encoder_names("auto", "zh") == ["use", OURS]
    assert encoder_names("auto", "en") == [OURS]


@needs_ours
def test_rank_split_with_an_ensemble(tmp_path):
    bench = write_toy_bench(tmp_path / "toy")
    result = rank_split(bench, bench / "dev", encoder=f"lexical+{OURS}", cache_dir=tmp_path / "cache")
    lexical, ours = result.info["encoder"].split(" + ")
    assert lexical.startswith("lexical") and ours.startswith("st:worker-job-static-zh-en@")
    assert set(result.info["link_predictor"]) == {lexical, ours}
    assert len({q for q, *_ in result.rows}) == len(QUERIES)
    no_dense = rank_split(bench, bench / "dev", encoder=f"lexical+{OURS}", channels=("links", "lexical"))
    assert no_dense.info["encoder"] is None  # no dense channel: one matcher, no encoder


def test_auto_falls_back_to_the_installed_encoders_without_the_shipped_model(tmp_path, monkeypatch):
    from recommender.recommend import build

    monkeypatch.setattr(build, "DEFAULT_ENCODER_DIR", tmp_path / "missing")
    assert encoder_names("auto", "zh") == ["use"]
    assert encoder_names("auto", "en") == ["minilm"]
