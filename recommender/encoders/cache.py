"""An on-disk embedding cache keyed by (encoder name, sha256 of the text).

One SQLite file per encoder under the cache directory; a rebuild encodes only texts it has not seen with that
encoder (the encoder's name carries its version, so a new model never reads an old model's vectors).
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
from pathlib import Path

import numpy as np

from recommender.encoders.base import Encoder


def text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class EmbeddingCache:
    """Vectors of one encoder, stored by text hash.

    Parameters
    ----------
    directory : str or Path
        Where the SQLite files live (created when missing).
    encoder_name : str
        The ``Encoder.name``; part of the file name.
    dim : int
        Vector width; a stored vector of another width is treated as missing.
    """

    def __init__(self, directory: str | Path, encoder_name: str, dim: int):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        slug = re.sub(r"[^A-Za-z0-9._-]+", "_", encoder_name)[:60]
        digest = hashlib.sha256(encoder_name.encode()).hexdigest()[:10]
        self.path = self.directory / f"{slug}-{digest}.sqlite"
        self.dim = int(dim)
        with self._connect() as db:
            db.execute("CREATE TABLE IF NOT EXISTS embedding (key TEXT PRIMARY KEY, vector BLOB NOT NULL)")

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=60)
        db.execute("PRAGMA journal_mode=WAL")
        return db

    def get_many(self, keys: list[str]) -> dict[str, np.ndarray]:
        """The stored vectors of those keys that are present."""
        out: dict[str, np.ndarray] = {}
        with self._connect() as db:
            for start in range(0, len(keys), 900):
                chunk = keys[start: start + 900]
                marks = ",".join("?" * len(chunk))
                for key, blob in db.execute(f"SELECT key, vector FROM embedding WHERE key IN ({marks})", chunk):
                    vec = np.frombuffer(blob, dtype=np.float32)
                    if vec.shape[0] == self.dim:
                        out[key] = vec
        return out

    def put_many(self, items: dict[str, np.ndarray]) -> None:
        with self._connect() as db:
            db.executemany("INSERT OR REPLACE INTO embedding (key, vector) VALUES (?, ?)",
                           [(k, np.asarray(v, dtype=np.float32).tobytes()) for k, v in items.items()])

    def __len__(self) -> int:
        with self._connect() as db:
            return int(db.execute("SELECT COUNT(*) FROM embedding").fetchone()[0])


class CachedEncoder:
    """Wraps an encoder with an ``EmbeddingCache``; same ``name``, ``dim`` and ``encode`` as the wrapped one.

    ``last_encoded`` is the number of texts the last call actually sent to the wrapped encoder (what a rebuild
    cost); ``total_encoded`` sums it over the object's life.
    """

    def __init__(self, encoder: Encoder, directory: str | Path):
        self.encoder = encoder
        self.name = encoder.name
        self.dim = encoder.dim
        self.cache = EmbeddingCache(directory, encoder.name, encoder.dim)
        self.last_encoded = 0
        self.total_encoded = 0

    def encode(self, texts: list[str], *, show_progress: bool = False) -> np.ndarray:
        """Return a (len(texts), dim) float32 matrix with L2-normalised rows, encoding only unseen texts."""
        keys = [text_key(t) for t in texts]
        found = self.cache.get_many(list(dict.fromkeys(keys)))
        missing: dict[str, str] = {}
        for key, text in zip(keys, texts):
            if key not in found and key not in missing:
                missing[key] = text
        if missing:
            vectors = self.encoder.encode(list(missing.values()), show_progress=show_progress)
            new = dict(zip(missing.keys(), vectors))
            self.cache.put_many(new)
            found.update(new)
        self.last_encoded = len(missing)
        self.total_encoded += len(missing)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, key in enumerate(keys):
            out[row] = found[key]
        return out

    def encode_sparse(self, texts: list[str]):
        """Sparse vectors of the wrapped encoder, when it has them (not cached: they are cheap)."""
        return self.encoder.encode_sparse(texts)  # type: ignore[attr-defined]
