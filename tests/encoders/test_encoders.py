"""Encoders chosen by name: shapes, normalisation, offline loading, and errors that say what to do."""

from __future__ import annotations

import numpy as np
import pytest

from recommender.encoders.analysis import char_ngrams, language_of, stem, words
from recommender.encoders.base import Encoder
from recommender.encoders.lexical import LexicalEncoder
from recommender.encoders.registry import get_encoder
from recommender.errors import UserError


def _check(matrix: np.ndarray, n: int, dim: int) -> None:
    assert matrix.dtype == np.float32 and matrix.shape == (n, dim)
    np.testing.assert_allclose(np.linalg.norm(matrix, axis=1), 1.0, rtol=1e-4)


def test_analysis_handles_chinese_without_spaces_and_english_words():
    assert char_ngrams("焊工", 1, 2) == ["焊", "工", "焊工"]
    assert "维修" in words("汽车维修工")
    assert stem("engineers") == stem("engineering") == "engineer"
    assert language_of(["汽车维修工", "焊工"]) == "zh" and language_of(["Welders", "Nurses"]) == "en"


def test_lexical_encoder_dense_and_sparse():
    enc = get_encoder("lexical")
    assert isinstance(enc, Encoder) and isinstance(enc, LexicalEncoder)
    dense = enc.encode(["汽车维修工", "汽车修理工", "会计"])
    _check(dense, 3, enc.dim)
    assert dense[0] @ dense[1] > dense[0] @ dense[2]
    sparse = enc.encode_sparse(["汽车维修工", "汽车修理工"])
    assert sparse.shape[0] == 2 and (sparse @ sparse.T).toarray()[0, 1] > 0


def test_use_encoder_is_multilingual_and_offline(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    enc = get_encoder("use")
    out = enc.encode(["焊工", "welder", "会计"])
    _check(out, 3, 512)
    assert "use-multilingual-v3" in enc.name
    alone = enc.encode(["焊工"])  # a text's vector does not depend on the texts encoded with it (no padding)
    np.testing.assert_array_equal(alone[0], out[0])
    np.testing.assert_array_equal(enc.encode(["负责配电柜检修以及电气设备的安装调试与维护保养", "焊工"])[1], out[0])


def test_minilm_encoder_loads_from_the_package():
    enc = get_encoder("minilm")
    out = enc.encode(["welder", "welding technician", "accountant"])
    _check(out, 3, 384)
    assert out[0] @ out[1] > out[0] @ out[2]


def test_st_path_loads_a_local_static_embedding_model(tmp_path):
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.models import StaticEmbedding
    from tokenizers import Tokenizer, models, pre_tokenizers

    vocab = {"[UNK]": 0, "welder": 1, "welding": 2, "accountant": 3}
    tok = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    emb = np.array([[0, 0, 1], [1, 0.1, 0], [1, 0.2, 0], [0, 1, 0]], dtype=np.float32)
    SentenceTransformer(modules=[StaticEmbedding(tok, embedding_weights=emb)]).save(str(tmp_path / "tiny"))
    enc = get_encoder(f"st:{tmp_path / 'tiny'}")
    out = enc.encode(["welder", "welding", "accountant"])
    _check(out, 3, 3)
    assert out[0] @ out[1] > 0.9 and out[0] @ out[2] < 0.2
    assert enc.name.startswith("st:tiny@")
    assert get_encoder(str(tmp_path / "tiny")).name == enc.name  # a bare directory works too


def test_unknown_names_and_missing_paths_are_user_errors(tmp_path):
    with pytest.raises(UserError, match="unknown encoder"):
        get_encoder("bert-large")
    with pytest.raises(UserError, match="no model directory"):
        get_encoder(f"st:{tmp_path / 'missing'}")
    (tmp_path / "empty").mkdir()
    with pytest.raises(UserError, match="not a sentence-transformers model folder"):
        get_encoder(f"st:{tmp_path / 'empty'}")


def test_registry_wraps_in_cache(tmp_path):
    enc = get_encoder("lexical", cache_dir=tmp_path)
    enc.encode(["焊工"])
    assert enc.last_encoded == 1
    enc.encode(["焊工"])
    assert enc.last_encoded == 0
