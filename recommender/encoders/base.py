"""The encoder interface every implementation follows.

An encoder turns texts into an L2-normalised float32 matrix, one row per text. Implementations are chosen by
name in configuration (see ``recommender.encoders.registry``) and never download anything at run time.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import numpy as np


@runtime_checkable
class Encoder(Protocol):
    name: str  # stable identifier, part of the embedding cache key (include the model version)
    dim: int

    def encode(self, texts: list[str], *, show_progress: bool = False) -> np.ndarray:
        """Return an (len(texts), dim) float32 matrix with L2-normalised rows."""
        ...


def l2_normalise(matrix: np.ndarray) -> np.ndarray:
    matrix = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return matrix / norms
