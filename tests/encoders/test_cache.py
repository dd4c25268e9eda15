"""The embedding cache: a rebuild encodes only new or changed texts; encoders never share vectors."""

from __future__ import annotations

import numpy as np

from recommender.encoders.base import Encoder, l2_normalise
from recommender.encoders.cache import CachedEncoder, EmbeddingCache, text_key


class CountingEncoder:
    """Deterministic fake encoder that records what it was asked to encode."""

    def __init__(self, name: str = "fake@1", dim: int = 8):
        self.name, self.dim = name, dim
        self.calls: list[list[str]] = []

    def encode(self, texts, *, show_progress=False):
        self.calls.append(list(texts))
        rows = [np.random.default_rng(int(text_key(t)[:8], 16)).normal(size=self.dim) for t in texts]
        return l2_normalise(np.array(rows, dtype=np.float32).reshape(len(texts), self.dim))


def test_rebuild_encodes_only_new_and_changed_texts(tmp_path):
    inner = CountingEncoder()
    enc = CachedEncoder(inner, tmp_path)
    first = enc.encode(["焊工", "汽车维修工", "焊工"])
    assert inner.calls == [["焊工", "汽车维修工"]]  # duplicates encoded once
    assert enc.last_encoded == 2
    # a "rebuild" in a new process: a fresh wrapper over the same directory
    inner2 = CountingEncoder()
    enc2 = CachedEncoder(inner2, tmp_path)
    second = enc2.encode(["焊工", "汽车维修工（新）", "汽车维修工"])
    assert inner2.calls == [["汽车维修工（新）"]]
    assert enc2.last_encoded == 1
    np.testing.assert_allclose(second[0], first[0])
    np.testing.assert_allclose(second[2], first[1])
    enc2.encode(["焊工", "汽车维修工"])
    assert enc2.last_encoded == 0 and len(inner2.calls) == 1


def test_cache_is_keyed_by_encoder_name(tmp_path):
    a = CachedEncoder(CountingEncoder("model-a@1"), tmp_path)
    b_inner = CountingEncoder("model-b@1")
    b = CachedEncoder(b_inner, tmp_path)
    a.encode(["焊工"])
    b.encode(["焊工"])
    assert b_inner.calls == [["焊工"]]  # b did not reuse a's vector
    assert EmbeddingCache(tmp_path, "model-a@1", 8).path != EmbeddingCache(tmp_path, "model-b@1", 8).path


def test_cached_encoder_follows_the_protocol(tmp_path):
    enc = CachedEncoder(CountingEncoder(), tmp_path)
    assert isinstance(enc, Encoder)
    out = enc.encode(["a", "b"])
    assert out.dtype == np.float32 and out.shape == (2, 8)
    np.testing.assert_allclose(np.linalg.norm(out, axis=1), 1.0, rtol=1e-5)
    assert enc.encode([]).shape == (0, 8)
