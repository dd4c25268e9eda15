"""The lexical index keeps one query vectorizer: same scores as a fresh one, rebuilt after fit, load and unpickling."""

from __future__ import annotations

import pickle

import numpy as np

from recommender.indexes.lexical import LexicalIndex

DOCS = ["汽车检测与维修技术 汽车维护、故障诊断与修理", "智能焊接技术 焊接方法与设备", "大数据与会计 会计核算 出纳",
        "烹饪工艺与营养 中式烹调 中式面点", "Welding Technology/Welder", "Registered Nursing"]
IDS = ["500211", "460110", "530302", "540202", "w", "n"]
QUERIES = ["汽修师傅 汽车维修", "电焊工", "会计", "面点师", "不存在的词", "", "welders", "nurse 护士"]


def _fresh_scores(index: LexicalIndex, queries: list[str]) -> np.ndarray:
    """The scores as computed before the vectorizer was kept: a new CountVectorizer per call."""
    q = index._vectorizer(index.vocabulary).transform(queries).tocsr()
    q.data[:] = 1.0
    return np.asarray((q @ index.doc_weights.T).todense(), dtype=np.float32)


def test_scores_are_identical_to_a_fresh_vectorizer_and_it_is_built_once():
    index = LexicalIndex().fit(DOCS, IDS)
    first = index.score_all(QUERIES)
    vectorizer = index._query_vectorizer
    assert vectorizer is not None
    np.testing.assert_array_equal(first, _fresh_scores(index, QUERIES))
    for query in QUERIES:  # one at a time, as the matcher asks
        np.testing.assert_array_equal(index.score_all([query])[0], first[QUERIES.index(query)])
    assert index._query_vectorizer is vectorizer
    assert first[1].argmax() == 1 and first[4].max() == 0


def test_refit_rebuilds_the_vectorizer():
    index = LexicalIndex().fit(DOCS, IDS)
    index.score_all(["会计"])
    index.fit(DOCS[:2], IDS[:2])
    assert index._query_vectorizer is None
    np.testing.assert_array_equal(index.score_all(QUERIES), _fresh_scores(index, QUERIES))


def test_saved_and_pickled_indexes_score_the_same(tmp_path):
    index = LexicalIndex().fit(DOCS, IDS)
    expected = index.score_all(QUERIES)
    index.save(tmp_path)
    np.testing.assert_array_equal(LexicalIndex.load(tmp_path).score_all(QUERIES), expected)
    unpickled = pickle.loads(pickle.dumps(index))
    assert unpickled._query_vectorizer is None  # derived state is not pickled
    np.testing.assert_array_equal(unpickled.score_all(QUERIES), expected)


def test_indexes_pickled_before_the_vectorizer_was_kept_still_work():
    index = LexicalIndex().fit(DOCS, IDS)
    expected = index.score_all(QUERIES)
    old = LexicalIndex.__new__(LexicalIndex)
    state = {k: v for k, v in index.__dict__.items() if k != "_query_vectorizer"}
    old.__dict__.update(state)  # what unpickling an old index without __setstate__ would leave
    restored = pickle.loads(pickle.dumps(old))
    np.testing.assert_array_equal(restored.score_all(QUERIES), expected)
