"""RECOMMENDER_ENCODER=A+B: the recommender runs on an ensemble of matchers, saved and loaded like one."""

from __future__ import annotations

import pytest

from recommender.catalog.loader import load_catalog
from recommender.matching.ensemble import MatcherEnsemble
from recommender.matching.matcher import Matcher
from recommender.recommend.build import DEFAULT_ENCODER_DIR, index_dir, load_or_build_matcher
from recommender.recommend.engine import Recommender

pytestmark = pytest.mark.skipif(not (DEFAULT_ENCODER_DIR / "modules.json").is_file(), reason="shipped model missing")
ENSEMBLE = f"lexical+st:{DEFAULT_ENCODER_DIR}"


def test_an_ensemble_recommender_is_built_saved_and_loaded(demo_dir, demo_workers):
    catalog_dir = demo_dir / "catalog"
    catalog = load_catalog(catalog_dir)
    built = load_or_build_matcher(catalog, catalog_dir, ENSEMBLE)
    assert isinstance(built, MatcherEnsemble) and len(built.members) == 2
    assert all(isinstance(m, Matcher) and m.encoder is not None for m in built.members)
    saved = list(index_dir(catalog_dir).glob("matcher-*.pkl"))
    assert len(saved) == 1
    loaded = load_or_build_matcher(catalog, catalog_dir, ENSEMBLE)  # from the file this time
    assert loaded is not built and all(m.encoder is not None for m in loaded.members)
    assert [m.encoder.name for m in loaded.members] == [m.encoder.name for m in built.members]
    worker = next(w for w in demo_workers if w.job_title)
    first, again = Recommender(catalog, built).recommend(worker), Recommender(catalog, loaded).recommend(worker)
    assert first.to_dict() == again.to_dict() and first.items and first.occupations
    occupations, majors = built.match(worker.job_text, levels=None, k=5)
    assert len(majors) == 5 and occupations
    assert [m.major_code for m in majors] == [c.major_code for c in loaded.match(worker.job_text, k=5)[1]]


def test_a_saved_matcher_holds_no_encoder(demo_dir):
    import pickle

    catalog_dir = demo_dir / "catalog"
    matcher = load_or_build_matcher(load_catalog(catalog_dir), catalog_dir, f"st:{DEFAULT_ENCODER_DIR}")
    assert matcher.encoder is not None and matcher.linker.encoder is matcher.encoder
    copy = pickle.loads(pickle.dumps(matcher))
    assert copy.encoder is None and copy.linker.encoder is None and matcher.encoder is not None
    copy.encoder = matcher.encoder  # what loading does: the linker gets it too
    assert copy.linker.encoder is matcher.encoder
    assert [m.major_code for m in copy.match("维修电工", k=5)[1]] == [m.major_code for m in matcher.match("维修电工", k=5)[1]]
