"""A lexical index: BM25 over a sparse term matrix, for Chinese (character n-grams + jieba words) and English
(stemmed words + bigrams). Scores every document at once with one sparse product, so it also serves as a
scoring channel for fusion."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer

from recommender.encoders.analysis import default_analyzer, get_analyzer, language_of


class LexicalIndex:
    """Okapi BM25.

    Parameters
    ----------
    analyzer : str, optional
        A name from ``recommender.encoders.analysis.ANALYZERS``; by default chosen from the documents' language.
    k1, b : float
        The BM25 parameters.

    Examples
    --------
    >>> index = LexicalIndex().fit(["汽车检测与维修技术", "焊接技术与自动化"], ["500211", "460110"])
    >>> index.search(["汽车维修工"], k=1)[0][0][0]
    '500211'
    """

    def __init__(self, analyzer: str | None = None, k1: float = 1.2, b: float = 0.75):
        self.analyzer = analyzer
        self.k1 = k1
        self.b = b
        self.ids: list[str] = []
        self.vocabulary: dict[str, int] = {}
        self.doc_weights: sparse.csr_matrix | None = None  # (n_docs, n_terms) BM25 term weights
        self._query_vectorizer: CountVectorizer | None = None  # built on first use; see ``_vectorizer_for_queries``

    def __getstate__(self) -> dict:
        # The query vectorizer is derived state (rebuilt on first use), so pickles stay small and independent of it.
        state = self.__dict__.copy()
        state.pop("_query_vectorizer", None)
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._query_vectorizer = None  # also for indexes pickled before this attribute existed

    def _vectorizer(self, vocabulary: dict[str, int] | None = None) -> CountVectorizer:
        return CountVectorizer(analyzer=get_analyzer(self.analyzer or "words"), vocabulary=vocabulary,
                               dtype=np.float32)

    def _vectorizer_for_queries(self) -> CountVectorizer:
        """One vectorizer over the index's vocabulary, built once per index: its first ``transform`` validates the
        vocabulary (the costly part of a short query) and later ones reuse it.

        ``fit`` resets it and ``load``/unpickling start without one, so it always matches ``vocabulary``.
        """
        if self._query_vectorizer is None:
            self._query_vectorizer = self._vectorizer(self.vocabulary)
        return self._query_vectorizer

    def fit(self, documents: Sequence[str], ids: Sequence[str]) -> LexicalIndex:
        """Index ``documents`` under ``ids``."""
        if len(documents) != len(ids):
            raise ValueError(f"{len(ids)} ids for {len(documents)} documents")
        self.analyzer = self.analyzer or default_analyzer(language_of(list(documents)))
        vec = self._vectorizer()
        tf = vec.fit_transform(list(documents)).tocsr().astype(np.float32)
        self.vocabulary = {t: int(i) for t, i in vec.vocabulary_.items()}
        self.ids = list(ids)
        n_docs = tf.shape[0]
        df = np.bincount(tf.indices, minlength=tf.shape[1])
        idf = np.log1p((n_docs - df + 0.5) / (df + 0.5)).astype(np.float32)
        lengths = np.asarray(tf.sum(axis=1)).ravel()
        norm = self.k1 * (1 - self.b + self.b * lengths / max(lengths.mean(), 1e-9))
        weights = tf.copy()
        row_of = np.repeat(np.arange(n_docs), np.diff(tf.indptr))
        weights.data = idf[tf.indices] * tf.data * (self.k1 + 1) / (tf.data + norm[row_of])
        self.doc_weights = weights.tocsc().tocsr()
        self._query_vectorizer = None
        return self

    def query_matrix(self, queries: Sequence[str]) -> sparse.csr_matrix:
        """Binary query-term matrix in the index's vocabulary (unknown terms dropped)."""
        q = self._vectorizer_for_queries().transform(list(queries)).tocsr()
        q.data[:] = 1.0
        return q

    def score_all(self, queries: Sequence[str]) -> np.ndarray:
        """BM25 score of every document for every query: a (len(queries), len(ids)) float32 matrix."""
        if self.doc_weights is None:
            raise RuntimeError("the index is empty: call fit() first")
        return np.asarray((self.query_matrix(queries) @ self.doc_weights.T).todense(), dtype=np.float32)

    def search(self, queries: Sequence[str], k: int = 10, allowed: Iterable[str] | None = None
               ) -> list[list[tuple[str, float]]]:
        """The ``k`` best ids and scores per query (positive scores only); only ``allowed`` ids when given."""
        scores = self.score_all(queries)
        if allowed is not None:
            mask = np.zeros(len(self.ids), dtype=bool)
            allowed_set = set(allowed)
            mask[[i for i, x in enumerate(self.ids) if x in allowed_set]] = True
            scores[:, ~mask] = -np.inf
        out = []
        for row in scores:
            top = np.argsort(-row, kind="stable")[:k]
            out.append([(self.ids[j], float(row[j])) for j in top if row[j] > 0 and np.isfinite(row[j])])
        return out

    def save(self, directory: str | Path, name: str = "lexical") -> None:
        directory = Path(directory)
        sparse.save_npz(directory / f"{name}.npz", self.doc_weights)
        meta = {"ids": self.ids, "analyzer": self.analyzer, "k1": self.k1, "b": self.b,
                "vocabulary": self.vocabulary}
        (directory / f"{name}.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, directory: str | Path, name: str = "lexical") -> LexicalIndex:
        directory = Path(directory)
        meta = json.loads((directory / f"{name}.json").read_text(encoding="utf-8"))
        index = cls(meta["analyzer"], meta["k1"], meta["b"])
        index.ids, index.vocabulary = meta["ids"], meta["vocabulary"]
        index.doc_weights = sparse.load_npz(directory / f"{name}.npz").tocsr()
        return index
