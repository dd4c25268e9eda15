"""Tokenizer, int8 storage and a tiny end-to-end training run that saves a model SentenceTransformer loads offline."""

from __future__ import annotations

import json

import numpy as np

from recommender.training.knowledge import load_knowledge
from recommender.training.pairs import PairMix
from recommender.training.static_encoder import TrainConfig, quantize_int8, save_model, train_static_encoder
from recommender.training.tokenizer import build_tokenizer


def test_tokenizer_segments_chinese_words_and_english_pieces():
    corpus = ["电气自动化技术", "电气设备安装", "自动化生产线", "电气自动化", "自动化技术",
              "Registered nurses provide nursing care", "Electricians install wiring"] * 3
    tok = build_tokenizer(corpus, english_vocab_size=120, min_word_count=2)
    assert tok.encode("电气自动化技术", add_special_tokens=False).tokens == ["电气", "自动化", "技术"]
    assert tok.encode("ＡＩ电气", add_special_tokens=False).tokens[-1] == "电气"  # NFKC, CJK isolated from Latin
    english = tok.encode("Nurses, nursing!", add_special_tokens=False).tokens
    assert "," not in english and "!" not in english and all(t == t.lower() for t in english)
    assert tok.encode("焱", add_special_tokens=False).ids == [0]  # unseen character → [UNK] (id 0, zero vector)


def test_int8_storage_is_close_to_float():
    weights = np.random.default_rng(0).normal(size=(50, 16)).astype(np.float32)
    weights[3] = 0.0
    q, scale = quantize_int8(weights)
    assert q.dtype == np.int8 and scale.dtype == np.float32
    assert np.abs(q * scale[:, None] - weights).max() < np.abs(weights).max() / 100
    assert not np.any(q[3])


def test_tiny_training_run_saves_an_offline_sentence_transformer(tiny_sources, tmp_path, monkeypatch):
    data, bench = tiny_sources
    kg = load_knowledge(data, bench)
    config = TrainConfig(dim=16, epochs=2, batch_size=8, english_vocab_size=150, min_word_count=1,
                         mix=PairMix(self_training_from_epoch=1))
    encoder = train_static_encoder(kg, config, show_progress=False)
    assert len(encoder.history) == 2 and all(np.isfinite(h["loss"]) for h in encoder.history)
    again = train_static_encoder(kg, config, show_progress=False)
    np.testing.assert_allclose(encoder.weights, again.weights, rtol=1e-5, atol=1e-6)  # seeded

    out = tmp_path / "model"
    save_model(encoder, out, model_name="tiny", card="# tiny\n")
    assert json.loads((out / "training_run.json").read_text())["dim"] == 16
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(out), device="cpu", local_files_only=True)
    vectors = model.encode(["电工", "Registered Nurse", "焱"], convert_to_numpy=True)
    assert vectors.shape == (3, 16) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors[:2], axis=1), 1.0, atol=1e-4)
    np.testing.assert_allclose(vectors[:2], encoder.encode(["电工", "Registered Nurse"]), atol=0.02)  # int8 storage
