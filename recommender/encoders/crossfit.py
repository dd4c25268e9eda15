"""Cross-fitted companions of a trained encoder: the same model trained K more times, each time without the known
item links of one fold of the occupations.

Why: our encoder learns from the known occupation ↔ item links, so it rates a linked pair more similar than an
equally related pair whose link it never saw. The link predictor learns, from the linked occupations, how far to
trust those similarities, and then applies them to occupations whose links are unknown; fitted on the inflated
ones it trusts them wrongly. With cross-fitting, the similarities of a linked occupation's training rows come from
the fold model that never saw its links: they look like those of an unlinked occupation under the main model.

The encoder in MODEL itself is then an *average* of token vectors (a model soup: models that share their random
start average into one model of the same size and speed that is better than each alone; see
``docs/ENCODER_EXPERIMENTS.md``): of the members themselves, or (the shipped recipe) of the same six models
trained again with the link predictor as the teacher of open-world titles (``recommender.training.open_world``;
the manifest's ``model_is`` says which). The link predictor keeps working with the members themselves, all single
self-trained models: the full model for the unlinked occupations, the companions for the linked ones, so the
similarities it fits on and the ones it applies to come from models of the same kind.

Layout, inside the model's folder::

    MODEL/                            the averaged encoder: what queries, indexes and the linker use
    MODEL/teacher_targets.json        the link predictor's targets the serving model learnt (if taught)
    MODEL/crossfit/crossfit.json      {"folds": K, "fold_of": "crc32(occupation code) mod K", "full": "full", ...}
    MODEL/crossfit/full/              the model trained on every known link (the link predictor's encoder)
    MODEL/crossfit/fold-0/ … fold-{K-1}/   sentence-transformers folders like MODEL itself

A model without that folder simply has no members; everything else works unchanged (the link predictor then uses
MODEL itself). A manifest without ``full`` (an older layout) means MODEL itself is the full model.
"""

from __future__ import annotations

import gc
import json
import zlib
from collections.abc import Sequence
from pathlib import Path

from recommender.encoders.base import Encoder
from recommender.errors import UserError

CROSSFIT_DIR = "crossfit"
CROSSFIT_FILE = "crossfit.json"
FULL_DIR = "full"
FOLD_RULE = "crc32(occupation code) mod K"


def crossfit_fold(code: str, folds: int) -> int:
    """The fold of an occupation, from its code alone (``cn:occ:4-12-01-01`` and ``4-12-01-01`` are in the same
    fold), so training and the link predictor agree without sharing a table."""
    if folds < 2:
        raise UserError(f"cross-fitting needs at least 2 folds, got {folds}")
    return zlib.crc32(code.rsplit(":", 1)[-1].encode("utf-8")) % folds


def fold_dir(model_dir: str | Path, fold: int) -> Path:
    return Path(model_dir) / CROSSFIT_DIR / f"fold-{fold}"


def full_dir(model_dir: str | Path) -> Path:
    """Where the member trained on every link is kept once ``model_dir`` holds the members' average."""
    return Path(model_dir) / CROSSFIT_DIR / FULL_DIR


TRAINED_WITHOUT = "the known item links of the fold's occupations"
MODEL_IS_AVERAGE = f"the average of the token vectors of {FULL_DIR} and the folds"
MODEL_IS_TAUGHT = ("the average of the token vectors of the same models trained again with the link predictor's "
                   "targets for open-world titles (recommender.training.open_world; not kept)")


def write_manifest(model_dir: str | Path, folds: int, description: str, model_is: str = MODEL_IS_AVERAGE) -> Path:
    """Record that ``model_dir`` has ``folds`` fold models beside ``crossfit/full``, and what ``model_dir`` itself
    holds (written after the last file is saved)."""
    path = Path(model_dir) / CROSSFIT_DIR / CROSSFIT_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    record = {"folds": folds, "fold_of": FOLD_RULE, "trained_without": description, "full": FULL_DIR,
              "model_is": model_is}
    path.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def _manifest(model_dir: str | Path) -> dict | None:
    path = Path(model_dir) / CROSSFIT_DIR / CROSSFIT_FILE
    if not path.is_file():
        return None
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        int(record["folds"])
    except (ValueError, KeyError, TypeError) as e:
        raise UserError(f"{path}: not a cross-fitting manifest ({e})") from None
    return record


def crossfit_folds(model_dir: str | Path) -> int:
    """Number of fold models of ``model_dir`` (0 when it has none); a damaged set is an error, not a silent 0."""
    path = Path(model_dir) / CROSSFIT_DIR / CROSSFIT_FILE
    record = _manifest(model_dir)
    if record is None:
        return 0
    folds = int(record["folds"])
    needed = [fold_dir(model_dir, f) for f in range(folds)] + ([full_dir(model_dir)] if record.get("full") else [])
    missing = [str(d) for d in needed if not (d / "modules.json").is_file()]
    if folds < 2 or missing:
        raise UserError(f"{path} announces {folds} fold models but "
                        + (f"these are missing: {', '.join(missing)}" if missing else "at least 2 are needed")
                        + "; retrain them with `recommender train-encoder --crossfit-only --out MODEL`")
    return folds


class FoldEncoders(Sequence[Encoder]):
    """The fold encoders of a model folder, in fold order, each loaded when it is taken and not kept: a caller
    that goes through them one by one holds one companion in memory at a time (five held together cost about
    200 MiB at province scale). Empty for an encoder without companions."""

    def __init__(self, encoder: Encoder | None, path: Path | None, folds: int):
        self._encoder, self._path, self._folds = encoder, path, folds

    def __len__(self) -> int:
        return self._folds

    def __getitem__(self, fold: int) -> Encoder:
        if not -self._folds <= fold < self._folds:
            raise IndexError(f"fold {fold} of {self._folds}")
        fold %= self._folds
        gc.collect()  # a released SentenceTransformer holds reference cycles: only the collector frees it
        return _member(self._encoder, fold_dir(self._path, fold), f"crossfit-{fold}")


def crossfit_encoders(encoder: Encoder | None) -> FoldEncoders:
    """The fold encoders of ``encoder`` (fold order, loaded one at a time: ``FoldEncoders``), wrapped in the same
    embedding cache as it; none for an encoder without them (any encoder that is not a local sentence-transformers
    model with a ``crossfit`` folder). A damaged set of folds is an error here, before any is loaded."""
    path = _model_path(encoder)
    return FoldEncoders(encoder, path, crossfit_folds(path) if path is not None else 0)


def predictor_encoder(encoder: Encoder | None) -> Encoder | None:
    """The encoder the link predictor uses for every occupation whose links it predicts: the member trained on
    every link when ``encoder``'s folder holds the members' average, else ``encoder`` itself."""
    path = _model_path(encoder)
    if path is None or not crossfit_folds(path) or not (_manifest(path) or {}).get("full"):
        return encoder
    return _member(encoder, full_dir(path), "crossfit-full")


def _unwrapped(encoder: Encoder | None) -> Encoder | None:
    from recommender.encoders.cache import CachedEncoder

    return encoder.encoder if isinstance(encoder, CachedEncoder) else encoder


def _model_path(encoder: Encoder | None) -> Path | None:
    """The folder of a local sentence-transformers model behind ``encoder`` (cached or not); ``None`` otherwise."""
    from recommender.encoders.sentence_transformer import SentenceTransformerEncoder

    inner = _unwrapped(encoder)
    return inner.path if isinstance(inner, SentenceTransformerEncoder) else None


def _member(encoder: Encoder, path: Path, label: str) -> Encoder:
    """A member model of ``encoder``'s folder, sharing its embedding cache (under its own name)."""
    from recommender.encoders.cache import CachedEncoder
    from recommender.encoders.sentence_transformer import SentenceTransformerEncoder

    member = SentenceTransformerEncoder(path, label=f"{_unwrapped(encoder).name}/{label}")
    return CachedEncoder(member, encoder.cache.directory) if isinstance(encoder, CachedEncoder) else member
