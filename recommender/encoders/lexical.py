"""A lexical encoder: hashed character n-grams and words, usable dense (Encoder protocol) or sparse."""

from __future__ import annotations

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import HashingVectorizer

from recommender.encoders.analysis import get_analyzer
from recommender.encoders.base import l2_normalise


class LexicalEncoder:
    """Sublinear term frequencies of hashed tokens, L2-normalised.

    Stateless (no vocabulary to fit), so the same text always gets the same vector and the embedding cache works
    across catalogs. ``encode_sparse`` gives the exact sparse vectors (2**20 buckets) for sparse scoring;
    ``encode`` folds them into ``dim`` dense buckets for a dense index.

    Parameters
    ----------
    analyzer : str
        A name from ``recommender.encoders.analysis.ANALYZERS``; the default mixes jieba words and character
        1–2-grams, which serves Chinese and English alike.
    dim : int
        Width of the dense vectors.

    Examples
    --------
    >>> enc = LexicalEncoder(dim=256)
    >>> enc.encode(["汽车维修工", "汽车修理"]).shape
    (2, 256)
    """

    def __init__(self, analyzer: str = "words+char1-2", dim: int = 4096):
        self.analyzer = analyzer
        self.dim = int(dim)
        self.name = f"lexical-{analyzer}-{self.dim}@1"
        self._sparse = HashingVectorizer(analyzer=get_analyzer(analyzer), n_features=2**20,
                                         alternate_sign=False, norm=None)
        self._dense = HashingVectorizer(analyzer=get_analyzer(analyzer), n_features=self.dim,
                                        alternate_sign=False, norm=None)

    @staticmethod
    def _finish(matrix: sparse.csr_matrix) -> sparse.csr_matrix:
        matrix = matrix.tocsr().astype(np.float32)
        matrix.data = np.log1p(matrix.data)
        norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        return sparse.diags(1.0 / norms).dot(matrix).tocsr()

    def encode_sparse(self, texts: list[str]) -> sparse.csr_matrix:
        """Return a (len(texts), 2**20) CSR matrix with L2-normalised rows."""
        return self._finish(self._sparse.transform(list(texts)))

    def encode(self, texts: list[str], *, show_progress: bool = False) -> np.ndarray:
        """Return a (len(texts), dim) float32 matrix with L2-normalised rows."""
        return l2_normalise(self._finish(self._dense.transform(list(texts))).toarray())
