"""The indexes the matcher serves from, built together and persisted as one versioned directory.

``ItemIndexes`` holds a dense index and a lexical index over the items' text and a dense index over the
occupations' text. ``publish`` writes them through an ``IndexStore`` (next to the catalog, e.g.
``<catalog>/.index``): a failed or interrupted build leaves the previous version serving.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from recommender.encoders.base import Encoder
from recommender.indexes.dense import DenseIndex, DenseIndexConfig
from recommender.indexes.lexical import LexicalIndex
from recommender.indexes.store import IndexStore


@dataclass
class ItemIndexes:
    items_dense: DenseIndex
    items_lexical: LexicalIndex
    occupations_dense: DenseIndex
    encoder_name: str

    @classmethod
    def build(cls, corpus, encoder: Encoder, config: DenseIndexConfig | None = None,
              show_progress: bool = False) -> ItemIndexes:
        """Encode and index a ``MatchingCorpus``'s items and occupations."""
        items = corpus.items
        item_vectors = encoder.encode([i.full_text for i in items], show_progress=show_progress)
        occ_vectors = encoder.encode([o.content_text for o in corpus.occupations], show_progress=show_progress)
        return cls(DenseIndex.build(item_vectors, [i.item_id for i in items], config),
                   LexicalIndex().fit([i.full_text for i in items], [i.item_id for i in items]),
                   DenseIndex.build(occ_vectors, [o.code for o in corpus.occupations], config),
                   encoder.name)

    def save(self, directory: str | Path) -> None:
        directory = Path(directory)
        self.items_dense.save(directory, "items_dense")
        self.items_lexical.save(directory, "items_lexical")
        self.occupations_dense.save(directory, "occupations_dense")
        (directory / "indexes.json").write_text(json.dumps({"encoder": self.encoder_name}), encoding="utf-8")

    @classmethod
    def load(cls, directory: str | Path) -> ItemIndexes:
        directory = Path(directory)
        meta = json.loads((directory / "indexes.json").read_text(encoding="utf-8"))
        return cls(DenseIndex.load(directory, "items_dense"), LexicalIndex.load(directory, "items_lexical"),
                   DenseIndex.load(directory, "occupations_dense"), meta["encoder"])

    def publish(self, root: str | Path) -> Path:
        """Write into a new version under ``root`` and switch to it atomically; returns the version directory."""
        return IndexStore(root).publish(self.save, metadata={"encoder": self.encoder_name,
                                                             "items": len(self.items_dense)})

    @classmethod
    def load_current(cls, root: str | Path) -> ItemIndexes:
        """The version ``root`` currently serves."""
        return IndexStore(root).read(cls.load)
