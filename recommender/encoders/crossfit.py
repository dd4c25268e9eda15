"""Cross-fitted companions of a trained encoder: the same model trained K more times, each time without the known
item links of one fold of the occupations.

Why: our encoder learns from the known occupation ↔ item links, so it rates a linked pair more similar than an
equally related pair whose link it never saw. The link predictor learns, from the linked occupations, how far to
trust those similarities, and then applies them to occupations whose links are unknown; fitted on the inflated
ones it trusts them wrongly. With cross-fitting, the similarities of a linked occupation's training rows come from
the fold model that never saw its links: they look like those of an unlinked occupation under the main model.

Layout, inside the main model's folder::

    MODEL/crossfit/crossfit.json      {"folds": K, "fold_of": "crc32(occupation code) mod K", ...}
    MODEL/crossfit/fold-0/ … fold-{K-1}/   sentence-transformers folders like MODEL itself

A model without that folder simply has no companions; everything else works unchanged.
"""

from __future__ import annotations

import json
import zlib
from pathlib import Path

from recommender.encoders.base import Encoder
from recommender.errors import UserError

CROSSFIT_DIR = "crossfit"
CROSSFIT_FILE = "crossfit.json"
FOLD_RULE = "crc32(occupation code) mod K"


def crossfit_fold(code: str, folds: int) -> int:
    """The fold of an occupation, from its code alone (``cn:occ:4-12-01-01`` and ``4-12-01-01`` are in the same
    fold), so training and the link predictor agree without sharing a table."""
    if folds < 2:
        raise UserError(f"cross-fitting needs at least 2 folds, got {folds}")
    return zlib.crc32(code.rsplit(":", 1)[-1].encode("utf-8")) % folds


def fold_dir(model_dir: str | Path, fold: int) -> Path:
    return Path(model_dir) / CROSSFIT_DIR / f"fold-{fold}"


def write_manifest(model_dir: str | Path, folds: int, description: str) -> Path:
    """Record that ``model_dir`` has ``folds`` fold models (written after the last one is saved)."""
    path = Path(model_dir) / CROSSFIT_DIR / CROSSFIT_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"folds": folds, "fold_of": FOLD_RULE, "trained_without": description},
                               indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def crossfit_folds(model_dir: str | Path) -> int:
    """Number of fold models of ``model_dir`` (0 when it has none); a damaged set is an error, not a silent 0."""
    path = Path(model_dir) / CROSSFIT_DIR / CROSSFIT_FILE
    if not path.is_file():
        return 0
    try:
        folds = int(json.loads(path.read_text(encoding="utf-8"))["folds"])
    except (ValueError, KeyError, TypeError) as e:
        raise UserError(f"{path}: not a cross-fitting manifest ({e})") from None
    missing = [str(fold_dir(model_dir, f)) for f in range(folds) if not (fold_dir(model_dir, f) / "modules.json").is_file()]
    if folds < 2 or missing:
        raise UserError(f"{path} announces {folds} fold models but "
                        + (f"these are missing: {', '.join(missing)}" if missing else "at least 2 are needed")
                        + "; retrain them with `recommender train-encoder --crossfit-only --out MODEL`")
    return folds


def crossfit_encoders(encoder: Encoder | None) -> list[Encoder]:
    """The fold encoders of ``encoder`` (fold order), wrapped in the same embedding cache as it; ``[]`` for an
    encoder without them (any encoder that is not a local sentence-transformers model with a ``crossfit`` folder)."""
    from recommender.encoders.cache import CachedEncoder
    from recommender.encoders.sentence_transformer import SentenceTransformerEncoder

    inner = encoder.encoder if isinstance(encoder, CachedEncoder) else encoder
    if not isinstance(inner, SentenceTransformerEncoder):
        return []
    folds = crossfit_folds(inner.path)
    out: list[Encoder] = []
    for f in range(folds):
        fold = SentenceTransformerEncoder(fold_dir(inner.path, f), label=f"{inner.name}/crossfit-{f}")
        out.append(CachedEncoder(fold, encoder.cache.directory) if isinstance(encoder, CachedEncoder) else fold)
    return out
