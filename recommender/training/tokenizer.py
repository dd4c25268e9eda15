"""A Chinese + English tokenizer for static embeddings, as one ``tokenizers.Tokenizer`` (saved in tokenizer.json).

Pipeline: NFKC + lower-casing; text is split at anything that is not a letter or digit, and runs of CJK characters
are isolated from Latin letters and digits (``AI训练师`` → ``ai`` ``训练师``). A unigram model then segments each
piece with the Viterbi path over its vocabulary:

- Chinese: every CJK character of the corpus, plus the 2–4 character words that jieba finds at least
  ``min_word_count`` times in it, scored by their corpus frequency (so ``电气自动化技术`` → ``电气`` ``自动化`` ``技术``);
- English and digits: unigram pieces trained on the corpus by ``tokenizers`` (whole frequent words, sub-words for
  the rest, so unseen titles such as ``endodontist`` still get pieces).

No hub download is involved, and the result loads with ``Tokenizer.from_file`` wherever ``tokenizers`` is installed.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable

from tokenizers import Regex, Tokenizer, models, normalizers, pre_tokenizers, trainers

UNK = "[UNK]"
CJK_RUN = r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+"
_CJK_RUN = re.compile(CJK_RUN)
_NON_WORD = r"[^\p{L}\p{N}]+"


def _normalizer() -> normalizers.Normalizer:
    return normalizers.Sequence([normalizers.NFKC(), normalizers.Lowercase()])


def _pre_tokenizer() -> pre_tokenizers.PreTokenizer:
    return pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(_NON_WORD), behavior="removed"),
        pre_tokenizers.Split(Regex(CJK_RUN), behavior="isolated"),
        pre_tokenizers.Split(Regex(r"\p{N}+"), behavior="isolated"),
    ])


def chinese_vocabulary(texts: Iterable[str], min_word_count: int = 3, max_word_len: int = 4) -> Counter[str]:
    """Count CJK characters and jieba words (2..max_word_len characters) over the CJK runs of ``texts``.

    Returns a Counter holding every character seen and the words seen at least ``min_word_count`` times.
    """
    import jieba

    jieba.setLogLevel(60)
    chars: Counter[str] = Counter()
    words: Counter[str] = Counter()
    for text in texts:
        for run in _CJK_RUN.findall(text):
            chars.update(run)
            for word in jieba.lcut(run, HMM=False):
                if 2 <= len(word) <= max_word_len:
                    words[word] += 1
    vocab = Counter(chars)
    vocab.update({w: n for w, n in words.items() if n >= min_word_count})
    return vocab


def build_tokenizer(
    texts: list[str],
    *,
    english_vocab_size: int = 16000,
    min_word_count: int = 3,
    max_word_len: int = 4,
    show_progress: bool = False,
) -> Tokenizer:
    """Train the Chinese + English unigram tokenizer on ``texts``.

    Parameters
    ----------
    texts : list of str
        The training corpus (every text of the knowledge graph).
    english_vocab_size : int
        Size of the unigram vocabulary trained on the non-CJK parts of the corpus.
    min_word_count : int
        A jieba word becomes a token when it occurs at least this often.
    max_word_len : int
        Longest Chinese word kept as one token.

    Returns
    -------
    tokenizers.Tokenizer
        Deterministic for a given corpus; ``[UNK]`` has id 0.
    """
    cn_counts = chinese_vocabulary(texts, min_word_count=min_word_count, max_word_len=max_word_len)
    latin_texts = [_CJK_RUN.sub(" ", t) for t in texts]

    latin = Tokenizer(models.Unigram())
    latin.normalizer = _normalizer()
    latin.pre_tokenizer = _pre_tokenizer()
    trainer = trainers.UnigramTrainer(
        vocab_size=english_vocab_size, special_tokens=[UNK], unk_token=UNK, show_progress=show_progress,
        max_piece_length=16, shrinking_factor=0.75, n_sub_iterations=2,
    )
    latin.train_from_iterator(latin_texts, trainer=trainer)
    import json

    latin_vocab: list[list] = json.loads(latin.to_str())["model"]["vocab"]

    # The unigram trainer sums scores in hash-map order: round them and sort, so that the same corpus always
    # gives the same ids (the ids fix the seeded initial vectors).
    # Single characters (which the trainer adds with tie-breaking offsets in no fixed order) all get one score
    # below every other piece.
    latin_scores = {p: round(float(s), 5) for p, s in latin_vocab if p != UNK and not _CJK_RUN.search(p)}
    floor = min((s for p, s in latin_scores.items() if len(p) > 1), default=0.0) - 1.0
    latin_scores.update({p: floor for p in latin_scores if len(p) == 1})
    latin_pieces = sorted(latin_scores.items(), key=lambda ps: (-ps[1], ps[0]))
    total = sum(cn_counts.values())
    vocab: list[tuple[str, float]] = [(UNK, 0.0)]
    seen = {UNK}
    for piece, score in latin_pieces:
        if piece not in seen:
            vocab.append((piece, score))
            seen.add(piece)
    for piece, count in sorted(cn_counts.items(), key=lambda kv: (-kv[1], kv[0])):
        if piece not in seen:
            vocab.append((piece, round(math.log(count / total), 5)))
            seen.add(piece)

    tokenizer = Tokenizer(models.Unigram(vocab, unk_id=0, byte_fallback=False))
    tokenizer.normalizer = _normalizer()
    tokenizer.pre_tokenizer = _pre_tokenizer()
    tokenizer.no_padding()
    tokenizer.no_truncation()
    return tokenizer
