"""The matcher on the toy bench: linking, link prediction for occupations without links, fusion, protocol."""

from __future__ import annotations

import numpy as np
import pytest

from recommender.encoders.registry import get_encoder
from recommender.errors import UserError
from recommender.evaluation.toy import QUERIES, write_toy_bench
from recommender.matching.corpus import MatchingCorpus
from recommender.matching.link_prediction import MODELS, LinkPredictor, LinkPredictorConfig
from recommender.matching.linker import OccupationLinker
from recommender.matching.matcher import Matcher, MatcherConfig
from recommender.matching.scoring import ChoiceModel, group_max


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> MatchingCorpus:
    return MatchingCorpus.from_bench(write_toy_bench(tmp_path_factory.mktemp("toy")))


@pytest.fixture(scope="module")
def matcher(corpus) -> Matcher:
    return Matcher(corpus, get_encoder("lexical")).fit()


def test_linker_finds_the_occupation_behind_noisy_titles(corpus):
    linker = OccupationLinker(corpus, get_encoder("lexical")).fit()
    assert linker.link_codes("急招电焊工 月薪8000+")[0][0] == "6-25-03-01"
    assert linker.link_codes("月嫂 五险一金")[0][0] == "4-10-01-06"
    codes, probs = linker.link(["汽修学徒", "面点师傅"])
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-5)
    assert corpus.occupations[codes[1][0]].code == "4-03-02-02"


def test_pseudo_queries_leave_their_alias_out(corpus):
    linker = OccupationLinker(corpus, None)
    texts, leave, truth = linker.pseudo_queries()
    assert len(texts) == len(leave) == len(truth) > 5
    left_out = [j for j in leave if j is not None]
    assert left_out and all(linker.label_text[j] == t for j, t in zip(leave, texts) if j is not None)
    cand, x = linker.featurize([texts[k] for k, j in enumerate(leave) if j is not None][:3], left_out[:3])
    exact = x[:, :, -2]
    own = cand == truth[[k for k, j in enumerate(leave) if j is not None][:3], None]
    assert (exact[own] == 0).all()  # the left-out alias cannot match its own occupation verbatim


def test_link_prediction_fills_occupations_without_links_from_their_family(corpus):
    predictor = LinkPredictor(corpus, get_encoder("lexical"))
    relevance = predictor.fit()
    moto = corpus.occupation_index["4-12-01-02"]  # no known links; sibling of 汽车维修工
    top = [corpus.items[j].item_id for j in np.argsort(-relevance[moto])[:2]]
    assert set(top) == {"500211", "500212"}
    welder = corpus.occupation_index["6-25-03-01"]
    assert relevance[welder, corpus.item_index["460110"]] >= 1.0  # known links stay on top
    assert predictor.feature_names[0] == "family0" and "lex_content" in predictor.feature_names


@pytest.mark.parametrize("model", MODELS)
def test_every_link_predictor_model_fills_unlinked_rows_with_probabilities(corpus, model):
    predictor = LinkPredictor(corpus, get_encoder("lexical"), LinkPredictorConfig(model=model))
    relevance = predictor.fit()
    assert relevance.shape == predictor.known.shape
    assert ((predictor.probabilities >= 0) & (predictor.probabilities <= 1)).all()
    weights = predictor.coefficients()
    if model == "gbdt":  # trees learn little from the toy's ten links; no weights to show
        assert weights == {}
    else:  # a linear score: one weight per feature, the item's content match counts for it
        assert list(weights) == predictor.feature_names and weights["lex_content"] > 0
        moto = corpus.occupation_index["4-12-01-02"]  # no known links; sibling of 汽车维修工
        assert corpus.items[int(np.argmax(relevance[moto]))].item_id in {"500211", "500212"}


def test_link_predictor_model_must_be_known():
    with pytest.raises(UserError, match="choose from listwise, lr, gbdt"):
        LinkPredictorConfig(model="svm")


def test_matcher_ranks_every_toy_query_right(matcher):
    results = matcher.rank([q[1] for q in QUERIES], k=5)
    for (qid, text, _, gold), result in zip(QUERIES, results):
        top = [i for i, _ in result.items[: len(gold)]]
        assert set(top) == set(gold), (qid, text, result.items)
        assert result.occupations and 0 < result.occupations[0][1] <= 1


def test_rank_respects_allowed_items(matcher):
    result = matcher.rank(["电焊工"], k=3, allowed={"460104", "530605"})[0]
    assert {i for i, _ in result.items} <= {"460104", "530605"}


def test_match_follows_the_recommender_protocol(matcher):
    from recommender.recommend.engine import LinkedOccupation, MajorCandidate

    occupations, majors = matcher.match("急招电焊工", levels=["高职专科"], k=3)
    assert isinstance(occupations[0], LinkedOccupation) and occupations[0].name == "焊工"
    assert isinstance(majors[0], MajorCandidate) and majors[0].major_code == "460110"
    assert "6-25-03-01" in majors[0].occupations
    assert matcher.match("急招电焊工", levels=["中职"], k=3)[1] == []


@pytest.mark.parametrize("channels", [("lexical",), ("dense",), ("links",), ("links", "lexical")])
def test_every_channel_subset_ranks(corpus, channels):
    matcher = Matcher(corpus, get_encoder("lexical"), MatcherConfig(channels=channels)).fit()
    result = matcher.rank(["电焊工"], k=3)[0]
    assert result.items[0][0] == "460110"


def test_configuration_errors_say_what_to_fix(corpus):
    with pytest.raises(UserError, match="unknown channel"):
        MatcherConfig(channels=("links", "bm25"))
    with pytest.raises(UserError, match="needs an encoder"):
        Matcher(corpus, None, MatcherConfig(channels=("dense",)))


def test_choice_model_learns_which_candidate_is_right():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 5, 2)).astype(np.float32)
    targets = np.zeros((200, 5), dtype=bool)
    targets[np.arange(200), x[:, :, 0].argmax(axis=1)] = True  # the answer is the largest first feature
    model = ChoiceModel(hidden=0).fit(x, targets)
    assert (model.logits(x).argmax(axis=1) == x[:, :, 0].argmax(axis=1)).mean() > 0.95
    first, second = model.linear_weights()
    assert first > 0 and abs(second) < first / 5  # the deciding feature carries the weight
    with pytest.raises(ValueError, match="hidden layer"):
        ChoiceModel(hidden=4).fit(x, targets).linear_weights()


def test_group_max():
    m = np.array([[1.0, 5.0, 2.0, 0.0]], dtype=np.float32)
    np.testing.assert_array_equal(group_max(m, np.array([0, 0, 2, 2]), 3), [[5.0, -1.0, 2.0]])
