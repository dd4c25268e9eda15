"""The link predictor fits on the cross-fitted companions' similarities for linked occupations, and only there."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

import recommender.matching.matcher as matcher_module
from recommender.encoders.crossfit import crossfit_fold
from recommender.encoders.lexical import LexicalEncoder
from recommender.encoders.registry import get_encoder
from recommender.evaluation.toy import QUERIES, write_toy_bench
from recommender.matching.corpus import MatchingCorpus
from recommender.matching.link_prediction import LinkPredictor, LinkPredictorConfig
from recommender.matching.matcher import Matcher


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> MatchingCorpus:
    return MatchingCorpus.from_bench(write_toy_bench(tmp_path_factory.mktemp("toy-crossfit")))


def companions(k: int) -> list[LexicalEncoder]:
    """Stand-ins for fold models: encoders whose similarities differ from the main (lexical) one."""
    return [LexicalEncoder(analyzer="char1-2", dim=64 + 16 * f) for f in range(k)]


def similarities(encoder, corpus) -> tuple[np.ndarray, np.ndarray]:
    occs, items = corpus.occupations, corpus.items
    content = encoder.encode([o.content_text for o in occs]) @ encoder.encode([i.full_text for i in items]).T
    names = encoder.encode([o.label_texts[0] for o in occs]) @ encoder.encode([i.name for i in items]).T
    return content, names


def test_linked_rows_take_their_folds_similarities_and_unlinked_rows_the_main_encoders(corpus):
    main, folds = get_encoder("lexical"), companions(2)
    predictor = LinkPredictor(corpus, main)
    x = predictor.features(folds)
    names = predictor.feature_names
    fold_of = np.array([crossfit_fold(o.code, 2) for o in corpus.occupations])
    assert predictor.linked.any() and (~predictor.linked).any() and len(set(fold_of[predictor.linked])) == 2
    expected_content, expected_names = similarities(main, corpus)
    for f, encoder in enumerate(folds):
        rows = predictor.linked & (fold_of == f)
        content, label = similarities(encoder, corpus)
        expected_content[rows], expected_names[rows] = content[rows], label[rows]
    np.testing.assert_allclose(x[..., names.index("dense_content")], expected_content, atol=1e-5)
    np.testing.assert_allclose(x[..., names.index("dense_name")], expected_names, atol=1e-5)
    assert not np.allclose(x[..., names.index("dense_content")], similarities(main, corpus)[0])  # it did change
    # the other features do not depend on the companions
    plain = LinkPredictor(corpus, main).features()
    for j, name in enumerate(names):
        if not name.startswith("dense_"):
            np.testing.assert_array_equal(x[..., j], plain[..., j])


def test_fit_reports_the_companions_it_used_and_can_be_told_not_to(corpus):
    folds = companions(3)
    predictor = LinkPredictor(corpus, get_encoder("lexical"))
    relevance = predictor.fit(folds)
    assert predictor.crossfit_folds == 3 and np.isfinite(relevance).all()
    off = LinkPredictor(corpus, get_encoder("lexical"), LinkPredictorConfig(crossfit=False))
    off.fit(folds)
    np.testing.assert_array_equal(off.features(), LinkPredictor(corpus, get_encoder("lexical")).features())
    assert off.crossfit_folds == 0
    no_dense = LinkPredictor(corpus, get_encoder("lexical"), LinkPredictorConfig(use_dense=False))
    no_dense.fit(folds)
    assert "dense_content" not in no_dense.feature_names and no_dense.crossfit_folds == 0


def test_companions_are_taken_one_at_a_time(corpus):
    """Each companion is asked for when its fold's rows are computed and released before the next is loaded
    (the shipped model's five companions held together cost about 200 MiB)."""
    import gc
    import weakref

    class OneByOne(Sequence):
        def __init__(self, k):
            self.k, self.alive, self.taken = k, [], []

        def __len__(self):
            return self.k

        def __getitem__(self, fold):
            gc.collect()
            self.taken.append((fold, sum(ref() is not None for ref in self.alive)))
            encoder = companions(self.k)[fold]
            self.alive.append(weakref.ref(encoder))
            return encoder

    folds = OneByOne(3)
    x = LinkPredictor(corpus, get_encoder("lexical")).features(folds)
    assert folds.taken == [(0, 0), (1, 0), (2, 0)]  # fold order, and no earlier companion still held
    np.testing.assert_array_equal(x, LinkPredictor(corpus, get_encoder("lexical")).features(companions(3)))


def test_the_matcher_fits_its_predictor_on_the_encoders_companions(corpus, monkeypatch):
    seen = []

    def fake_companions(encoder):
        seen.append(encoder)
        return companions(2)

    class Full(LexicalEncoder):
        calls = 0

        def encode(self, texts, **kwargs):
            Full.calls += 1
            return super().encode(texts, **kwargs)

    asked = []
    monkeypatch.setattr(matcher_module, "crossfit_encoders", fake_companions)
    monkeypatch.setattr(matcher_module, "predictor_encoder", lambda encoder: asked.append(encoder) or Full(dim=48))
    matcher = Matcher(corpus, get_encoder("lexical")).fit()
    assert len(seen) == 1 and seen[0] is matcher.encoder and asked == [matcher.encoder]
    assert matcher.predictor.crossfit_folds == 2
    assert Full.calls > 0  # the predictor encoded with the members' full model, not the averaged encoder
    assert matcher.predictor.encoder is None  # and let it go after the fit
    results = matcher.rank([q[1] for q in QUERIES], k=5)
    for (qid, text, _, gold), result in zip(QUERIES, results):
        assert {i for i, _ in result.items[: len(gold)]} == set(gold), (qid, text, result.items)


def test_a_pickled_predictor_keeps_its_matrices_but_not_its_encoder(corpus):
    import pickle

    predictor = LinkPredictor(corpus, get_encoder("lexical"))
    relevance = predictor.fit(companions(2))
    loaded = pickle.loads(pickle.dumps(predictor))
    assert loaded.encoder is None and predictor.encoder is not None
    np.testing.assert_array_equal(loaded.relevance(), relevance)
