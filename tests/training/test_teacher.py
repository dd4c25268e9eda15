"""English pieces start from a teacher's vectors (PCA to the model's dimension); Chinese pieces stay random."""

from __future__ import annotations

import numpy as np
import pytest

from recommender.training.knowledge import load_knowledge
from recommender.training.static_encoder import TrainConfig, train_static_encoder
from recommender.training.teacher import english_pieces, teacher_init


def fake_teacher(pieces: list[str]) -> np.ndarray:
    """Pieces sharing their first three letters get nearly the same vector."""
    rng = np.random.default_rng(0)
    base = {p[:3]: rng.normal(size=32) for p in pieces}
    return np.stack([base[p[:3]] + 0.01 * rng.normal(size=32) for p in pieces])


def test_english_pieces_skip_chinese_single_letters_and_unk():
    vocab = {"[UNK]": 0, "nurse": 1, "a": 2, "电工": 3, "nursing": 4, "x9": 5, "9x": 6}
    assert english_pieces(vocab) == [("nurse", 1), ("nursing", 4), ("x9", 5)]


def test_teacher_init_keeps_the_teachers_neighbours_at_the_random_starts_scale():
    vocab = {"[UNK]": 0, "nurse": 1, "nursing": 2, "carpenter": 3, "carpentry": 4, "welder": 5, "电工": 6}
    ids, vectors = teacher_init(vocab, dim=8, teacher="minilm", scale=0.1, encode=fake_teacher)
    assert ids.tolist() == [1, 2, 3, 4, 5] and vectors.shape == (5, 8) and vectors.dtype == np.float32
    assert vectors.std() == pytest.approx(0.1, rel=1e-3)
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    assert unit[0] @ unit[1] > 0.95 and unit[2] @ unit[3] > 0.95 and unit[0] @ unit[2] < 0.9
    with pytest.raises(ValueError, match="unknown teacher 'bert'"):
        teacher_init(vocab, dim=8, teacher="bert", scale=0.1)


def test_training_starts_english_tokens_from_the_teacher(tiny_sources):
    data, bench = tiny_sources
    kg = load_knowledge(data, bench)
    config = TrainConfig(dim=16, epochs=1, batch_size=8, english_vocab_size=150, min_word_count=1,
                         english_init="minilm", lr=1e-9)  # learning rate ~0: the start is what comes out
    encoder = train_static_encoder(kg, config, show_progress=False, teacher_encode=fake_teacher)
    vocab = encoder.tokenizer.get_vocab()
    ids, expected = teacher_init(vocab, 16, "minilm", scale=1 / 4, encode=fake_teacher)
    trained = encoder.weights[ids]
    used = np.any(trained != 0, axis=1)  # pieces no training text holds are zeroed on save
    assert used.sum() > 5
    np.testing.assert_allclose(trained[used], expected[used], atol=1e-4)


def test_mix_overrides_are_typed_and_checked():
    from recommender.commands.train_encoder import parse_mix
    from recommender.errors import UserError

    mix = parse_mix(["related_titles_per_occupation=48", "related_bonus=0.1", "related_languages=en,cn"])
    assert mix.related_titles_per_occupation == 48 and mix.related_bonus == 0.1
    assert mix.related_languages == ("en", "cn")
    with pytest.raises(UserError, match="FIELD one of"):
        parse_mix(["no_such_field=1"])
    with pytest.raises(UserError, match="not a valid int"):
        parse_mix(["titles_per_occupation=many"])
