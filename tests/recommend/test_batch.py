"""``Recommender.recommend_many`` gives exactly what ``recommend`` gives, worker by worker."""

from __future__ import annotations

from dataclasses import replace

import pytest

from recommender.catalog.model import Worker
from recommender.demo.scale import scale_workers
from recommender.recommend.build import DEFAULT_ENCODER_DIR, recommender_for
from recommender.rules.eligibility import EligibilityError

OPTIONS = (
    {},
    {"personalised": False, "limit": 5},
    {"language": "en", "place_scope": "city", "limit": 3, "courses_per_program": 2},
    {"place_scope": "online"},
)


def _population(demo_workers, n: int) -> list[Worker]:
    """Demo workers, then resampled ones: new ids and cities, so profiles and job texts repeat."""
    return list(demo_workers[:n]) + scale_workers(demo_workers, n)


def assert_same(recommender, workers, **options) -> None:
    expected = [recommender.recommend(w, **options) for w in workers]
    for cache_job_texts in (True, False):
        got = recommender.recommend_many(workers, cache_job_texts=cache_job_texts, batch_size=64, **options)
        assert len(got) == len(workers)
        for w, a, b in zip(workers, got, expected):
            assert a.worker is w
            assert a == b, f"{w.worker_id} {options} cache_job_texts={cache_job_texts}"
            assert a.to_dict() == b.to_dict()


@pytest.mark.parametrize("options", OPTIONS)
def test_recommend_many_equals_recommend_one_by_one(recommender, demo_workers, options):
    assert_same(recommender, _population(demo_workers, 150), **options)


def test_workers_with_the_same_profile_share_one_result_but_keep_their_own_worker(recommender, demo_workers):
    worker = demo_workers[1]
    twins = [worker, replace(worker, worker_id="TWIN")]
    a, b = recommender.recommend_many(twins)
    assert a.items == b.items and a.items  # one computation, shared
    assert a.worker is twins[0] and b.worker is twins[1]


def test_recommend_many_raises_like_recommend(recommender, demo_workers):
    bad = Worker("BAD", "焊工", education="幼儿园")
    with pytest.raises(EligibilityError):
        recommender.recommend(bad)
    with pytest.raises(EligibilityError):
        recommender.recommend_many([demo_workers[0], bad])
    assert recommender.recommend_many([]) == []


@pytest.mark.slow
def test_recommend_many_equals_recommend_with_the_default_encoder(demo_dir, demo_workers):
    """The shipped encoder adds the dense channel: batched matching must still give the same rankings."""
    if not (DEFAULT_ENCODER_DIR / "modules.json").exists():
        pytest.skip("the shipped encoder is not in models/")
    recommender = recommender_for(demo_dir / "catalog", f"st:{DEFAULT_ENCODER_DIR}").recommender
    for options in OPTIONS[:3]:
        assert_same(recommender, _population(demo_workers, 100), **options)
