"""Build a ready-to-use ``Recommender`` for a catalog directory (or the demo province).

The matcher is fitted over the catalog's majors, occupations and links, with the encoder named in configuration
(``RECOMMENDER_ENCODER``; default ``DEFAULT_ENCODER``). The CLI, the demo and the service all call these functions,
so they recommend the same way.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from recommender.catalog.catalog import Catalog
from recommender.catalog.loader import load_catalog
from recommender.recommend.engine import Recommender

ENCODER_ENV = "RECOMMENDER_ENCODER"
REPO_ROOT = Path(__file__).resolve().parents[2]
# Our own trained encoder (issue 5) when it ships in models/, else lexical channels only.
DEFAULT_ENCODER_DIR = REPO_ROOT / "models" / "worker-job-static-zh-en"


def default_encoder_name() -> str:
    """``$RECOMMENDER_ENCODER``, else our shipped model when present, else ``none`` (links and lexical only)."""
    name = os.environ.get(ENCODER_ENV, "").strip()
    if name:
        return name
    return f"st:{DEFAULT_ENCODER_DIR}" if (DEFAULT_ENCODER_DIR / "modules.json").exists() else "none"


@dataclass(frozen=True)
class BuiltRecommender:
    recommender: Recommender
    catalog_dir: Path
    encoder: str

    @property
    def default_province(self) -> str:
        """The province most of the catalog's partner colleges sit in (the worker's default)."""
        provinces = [c.province for c in self.recommender.catalog.colleges.values() if c.is_partner]
        return max(set(provinces), key=provinces.count) if provinces else ""


def build_matcher(catalog: Catalog, encoder_name: str | None = None, *, show_progress: bool = True,
                  encoders: list | None = None):
    """A fitted ``recommender.matching.matcher.Matcher`` over ``catalog`` (``none``: links and lexical only;
    several encoder names joined by ``+``: a ``MatcherEnsemble`` of one matcher per encoder). ``encoders``: those
    of ``encoder_name`` when the caller has loaded them already."""
    from recommender.matching.corpus import MatchingCorpus
    from recommender.matching.ensemble import MatcherEnsemble
    from recommender.matching.matcher import Matcher, MatcherConfig

    encoder_name = encoder_name or default_encoder_name()
    corpus = MatchingCorpus.from_catalog(catalog)
    if encoder_name == "none":
        members = [Matcher(corpus, None, MatcherConfig(channels=("links", "lexical")), show_progress).fit()]
    else:
        encoders = encoders if encoders is not None else _encoders(encoder_name)
        members = [Matcher(corpus, encoder, MatcherConfig(), show_progress).fit() for encoder in encoders]
    for member in members:
        member.show_progress = False  # progress for the fit only, never per query
    return members[0] if len(members) == 1 else MatcherEnsemble(members)


def _encoders(encoder_name: str) -> list:
    """The encoders ``encoder_name`` names (``none``: no encoder, one matcher without the dense channel)."""
    from recommender.encoders.registry import encoder_members, get_encoder

    return [None] if encoder_name == "none" else [get_encoder(name) for name in encoder_members(encoder_name)]


def _attach(matcher, encoders: list) -> None:
    """Give each matcher of a loaded ``matcher`` (itself, or an ensemble's members) its encoder, in order."""
    for member, encoder in zip(matcher.members, encoders, strict=True):
        member.encoder = encoder
        member.show_progress = False


def _fingerprint(catalog_dir: Path, encoder_name: str) -> str:
    """Changes whenever a catalog file, the encoder or the matching code changes."""
    digest = hashlib.sha256(encoder_name.encode())
    for path in sorted(catalog_dir.iterdir()):
        if path.is_file():
            digest.update(path.name.encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    for package in ("matching", "indexes", "encoders"):
        for path in sorted((REPO_ROOT / "recommender" / package).glob("*.py")):
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def index_dir(catalog_dir: Path) -> Path:
    """Where the fitted matcher of a catalog is kept: ``index/`` beside the catalog directory."""
    return catalog_dir.parent / "index"


def load_or_build_matcher(catalog: Catalog, catalog_dir: Path, encoder_name: str):
    """The fitted matcher from ``index_dir`` when its fingerprint matches, else fitted now and saved atomically.

    The saved file is written under a temporary name and renamed into place, so a crash mid-write leaves the
    previous file serving; a file that does not load is rebuilt.
    """
    folder = index_dir(catalog_dir)
    path = folder / f"matcher-{_fingerprint(catalog_dir, encoder_name)}.pkl"
    encoders = _encoders(encoder_name)
    if path.exists():
        try:
            with open(path, "rb") as f:
                matcher = pickle.load(f)
            _attach(matcher, encoders)
            return matcher
        except Exception:  # noqa: BLE001, S110 - a stale or damaged file fails in many ways: rebuild below
            pass
    matcher = build_matcher(catalog, encoder_name, encoders=encoders)
    folder.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    try:  # encoders are configuration, loaded on their own: a matcher pickles without them
        with open(tmp, "wb") as f:
            pickle.dump(matcher, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    for old in folder.glob("matcher-*.pkl"):
        if old != path:
            old.unlink(missing_ok=True)
    return matcher


@lru_cache(maxsize=4)
def recommender_for(catalog_dir: str | Path, encoder_name: str | None = None) -> BuiltRecommender:
    """Load ``catalog_dir``, load or fit the matcher and return the recommender (cached per directory, encoder)."""
    catalog_dir = Path(catalog_dir)
    catalog = load_catalog(catalog_dir)
    encoder_name = encoder_name or default_encoder_name()
    matcher = load_or_build_matcher(catalog, catalog_dir, encoder_name)
    return BuiltRecommender(Recommender(catalog, matcher), catalog_dir, encoder_name)


def default_recommender(out: Path | None = None) -> BuiltRecommender:
    """The recommender over the demo province (generated under ``var/demo`` first when absent)."""
    from recommender.commands.demo import DEFAULT_OUT, ensure_province
    from recommender.demo.province import DEFAULT_ENTERPRISES, DEFAULT_WORKERS

    out = out or DEFAULT_OUT
    ensure_province(out, None, DEFAULT_WORKERS, DEFAULT_ENTERPRISES, False)
    return recommender_for(out / "catalog")
