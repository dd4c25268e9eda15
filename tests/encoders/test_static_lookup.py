"""The table-lookup path of StaticEmbedding models gives what ``SentenceTransformer.encode`` gives."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest

from recommender.encoders.sentence_transformer import SentenceTransformerEncoder

SHIPPED = Path(__file__).resolve().parents[2] / "models" / "worker-job-static-zh-en"

ZH_WORDS = ["汽车", "维修", "工", "焊接", "电工", "会计", "出纳", "护士", "中式", "烹调", "面点师", "数控", "车床",
            "操作员", "物流", "仓储", "管理", "销售", "代表", "软件", "开发", "工程师", "幼儿", "教师", "保育员",
            "（急招）", "包吃住", "月薪8000", "3年经验", "学徒", "高级", "技师"]
EN_WORDS = ["Registered", "Nurse", "welder", "Welding", "technician", "CNC", "machinist", "accountant", "Truck",
            "driver", "software", "DEVELOPER", "warehouse", "forklift", "operator", "chef", "sous-chef", "HVAC",
            "installer", "2nd", "shift", "urgent!", "e-commerce", "ops"]
ODD = ["", " ", "   \t", "!!!", "☃☃☃", "𠀀𠀁𠀂", "ꙮ", "🙂🙂", "ⅣⅫ", "ｆｕｌｌｗｉｄｔｈ　全角", "é à ü ß", "\u200b", "٣٤٥",
       "ㄅㄆㄇ", "한국어 직업", "Ω≈ç√"]


def _texts(n: int = 400, seed: int = 7) -> list[str]:
    """Job-like Chinese, English and mixed texts, plus empty, blank and unknown-character ones."""
    rng = random.Random(seed)
    out = list(ODD)
    while len(out) < n:
        kind = rng.random()
        if kind < 0.4:
            text = "".join(rng.choices(ZH_WORDS, k=rng.randint(1, 6)))
        elif kind < 0.7:
            text = " ".join(rng.choices(EN_WORDS, k=rng.randint(1, 6)))
        elif kind < 0.9:
            text = " ".join(rng.choices(ZH_WORDS + EN_WORDS + ODD, k=rng.randint(1, 8)))
        else:  # random code points from the CJK block and beyond, many unknown to the vocabulary
            text = "".join(chr(rng.choice([rng.randint(0x4E00, 0x9FFF), rng.randint(0x3400, 0x4DBF),
                                           rng.randint(0x20000, 0x2A6DF), rng.randint(0x21, 0x7E)]))
                           for _ in range(rng.randint(1, 12)))
        out.append(text)
    return out


def _assert_matches_sentence_transformers(encoder: SentenceTransformerEncoder, texts: list[str]) -> np.ndarray:
    expected = encoder._model.encode(texts, batch_size=64, normalize_embeddings=True, convert_to_numpy=True,
                                     show_progress_bar=False)
    got = encoder.encode(texts)
    assert got.dtype == np.float32 and got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-6)
    return got


def _save_tiny(directory: Path, *, normalize: bool, dense: bool = False) -> Path:
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Dense, Normalize, StaticEmbedding
    from tokenizers import Tokenizer, models, pre_tokenizers

    vocab = {"[UNK]": 0, "welder": 1, "welding": 2, "accountant": 3, "焊": 4, "工": 5}
    tokenizer = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    weights = np.array([[0, 0, 0.5], [1, 0.1, 0], [1, 0.2, 0], [0, 1, 0], [3, 0, 1], [0, 2, 2]], dtype=np.float32)
    modules = [StaticEmbedding(tokenizer, embedding_weights=weights)]
    if dense:
        modules.append(Dense(3, 2))
    if normalize:
        modules.append(Normalize())
    SentenceTransformer(modules=modules).save(str(directory))
    return directory


@pytest.fixture(scope="module")
def shipped() -> SentenceTransformerEncoder:
    if not (SHIPPED / "modules.json").is_file():
        pytest.skip(f"{SHIPPED} not built")
    return SentenceTransformerEncoder(SHIPPED)


def test_shipped_model_takes_the_lookup_and_matches_sentence_transformers(shipped):
    assert shipped._static is not None
    assert shipped.name.startswith("st:worker-job-static-zh-en@")  # the cache key is unchanged
    texts = _texts()
    got = _assert_matches_sentence_transformers(shipped, texts)
    norms = np.linalg.norm(got, axis=1)
    assert np.all(norms[[0, 1, 2]] == 0)  # empty and blank texts: the zero vector, as EmbeddingBag gives
    np.testing.assert_allclose(norms[norms > 0], 1.0, atol=1e-5)
    assert (norms > 0).sum() > 300  # most texts are known to the vocabulary: the check is not vacuous


def test_a_text_encodes_the_same_alone_and_in_a_batch(shipped):
    texts = _texts(2100, seed=11)  # over 1,024: the progress bar encodes in chunks
    batch = shipped.encode(texts)
    alone = np.vstack([shipped.encode([t]) for t in texts])
    np.testing.assert_array_equal(batch, alone)
    np.testing.assert_array_equal(shipped.encode(texts, show_progress=True), batch)


@pytest.mark.parametrize("normalize", [True, False])
def test_tiny_static_models_take_the_lookup(tmp_path, normalize):
    encoder = SentenceTransformerEncoder(_save_tiny(tmp_path / "tiny", normalize=normalize))
    assert encoder._static is not None
    texts = ["welder", "welding welder", "accountant 焊 工", "unknown words", "", "焊焊工", "welder\tfoo"]
    got = _assert_matches_sentence_transformers(encoder, texts)
    assert np.linalg.norm(got[4]) == 0 and got[3] @ np.array([0, 0, 1]) == pytest.approx(1.0)  # [UNK] vector


def test_other_models_go_through_sentence_transformers(tmp_path):
    encoder = SentenceTransformerEncoder(_save_tiny(tmp_path / "dense", normalize=True, dense=True))
    assert encoder._static is None
    _assert_matches_sentence_transformers(encoder, ["welder", "accountant", "焊 工"])
