"""Text analysis shared by the lexical encoder, the lexical index and the matcher.

Chinese has no whitespace between words, so every analyzer works on *runs*: a CJK run is cut into character
n-grams (or jieba words), a run of Latin letters and digits is one word. English words are lower-cased and lightly
stemmed (``engineers``/``engineering`` → ``engineer``) so that job titles meet program names.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache, partial
from itertools import pairwise

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUNS = re.compile(rf"[{_CJK}]+|[a-z0-9]+(?:[+#][a-z0-9+#]*)?")
_HAS_CJK = re.compile(rf"[{_CJK}]")

ENGLISH_STOPWORDS = frozenset((
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "in", "into", "is", "it", "its", "of", "on", "or",
    "such", "that", "the", "their", "them", "these", "they", "this", "those", "to", "with", "within", "without",
    "other", "others", "all", "include", "includes", "including", "may", "also", "related", "various",
))


def normalise(text: str) -> str:
    """NFKC (full-width → half-width), lower case, collapsed whitespace."""
    return " ".join(unicodedata.normalize("NFKC", text or "").lower().split())


def has_cjk(text: str) -> bool:
    return bool(_HAS_CJK.search(text or ""))


def language_of(texts: list[str]) -> str:
    """``"zh"`` when at least a fifth of the (sampled) texts contain Chinese characters, else ``"en"``."""
    sample = [t for t in texts[:: max(1, len(texts) // 500)] if t]
    if not sample:
        return "en"
    return "zh" if sum(has_cjk(t) for t in sample) * 5 >= len(sample) else "en"


def stem(word: str) -> str:
    """A light English stemmer (plurals, -ing, -ed, -ist, final e), enough to meet titles and program names."""
    if len(word) <= 3 or not word.isalpha():
        return word
    for suffix, repl, keep in (("ies", "y", 3), ("sses", "ss", 3), ("ing", "", 4), ("ers", "er", 3),
                               ("ors", "or", 3), ("ist", "", 4), ("ists", "", 4), ("ed", "", 4), ("s", "", 3)):
        if word.endswith(suffix) and len(word) - len(suffix) >= keep:
            if suffix == "s" and word.endswith(("ss", "us", "is")):
                return word
            word = word[: len(word) - len(suffix)] + repl
            break
    return word[:-1] if len(word) > 4 and word.endswith("e") else word


def runs(text: str) -> list[str]:
    """CJK runs and Latin/digit words of the normalised text, in order."""
    return _RUNS.findall(normalise(text))


def char_ngrams(text: str, n_min: int = 1, n_max: int = 3) -> list[str]:
    """Character n-grams inside CJK runs; Latin words as whole (stemmed) tokens."""
    out: list[str] = []
    for run in runs(text):
        if _HAS_CJK.match(run):
            for n in range(n_min, n_max + 1):
                out.extend(run[i: i + n] for i in range(len(run) - n + 1))
        elif run not in ENGLISH_STOPWORDS:
            out.append(stem(run))
    return out


@lru_cache(maxsize=1)
def _jieba():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def words(text: str) -> list[str]:
    """Words: jieba in search mode (short and long words) for Chinese runs, single characters dropped; stemmed
    English words without stopwords."""
    return list(_words(text))


@lru_cache(maxsize=65536)
def _words(text: str) -> tuple[str, ...]:
    out: list[str] = []
    for run in runs(text):
        if _HAS_CJK.match(run):
            out.extend(w for w in _jieba().lcut_for_search(run) if len(w) >= 2)
        elif run not in ENGLISH_STOPWORDS:
            out.append(stem(run))
    return tuple(out)


def word_bigrams(text: str) -> list[str]:
    """Stemmed words plus adjacent-word bigrams (English phrases such as ``social work``)."""
    ws = words(text)
    return ws + [f"{a} {b}" for a, b in pairwise(ws)]


def words_and_char_ngrams(text: str) -> list[str]:
    """Words plus character 1–2-grams: the default for Chinese."""
    return words(text) + char_ngrams(text, 1, 2)


# Module-level callables (partials, not lambdas), so fitted indexes and vectorizers pickle.
ANALYZERS: dict[str, Callable[[str], list[str]]] = {
    "char1-2": partial(char_ngrams, n_min=1, n_max=2),
    "char1-3": partial(char_ngrams, n_min=1, n_max=3),
    "char2-3": partial(char_ngrams, n_min=2, n_max=3),
    "words": words,
    "words+bigrams": word_bigrams,
    "words+char1-2": words_and_char_ngrams,
}


def get_analyzer(name: str) -> Callable[[str], list[str]]:
    """The analyzer called ``name`` (one of ``ANALYZERS``)."""
    try:
        return ANALYZERS[name]
    except KeyError:
        raise ValueError(f"unknown analyzer {name!r}; choose one of {', '.join(ANALYZERS)}") from None


def default_analyzer(language: str) -> str:
    """Character 1–2-grams plus words for Chinese, words and bigrams for English."""
    return "words+char1-2" if language == "zh" else "words+bigrams"
