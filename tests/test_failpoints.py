import time

import pytest

from recommender import failpoints


def test_pause_sleeps_only_at_the_named_point(monkeypatch):
    monkeypatch.setenv(failpoints.ENV, "a=0.2, b=0")
    started = time.perf_counter()
    failpoints.pause("b")
    failpoints.pause("unknown")
    assert time.perf_counter() - started < 0.1
    failpoints.pause("a")
    assert time.perf_counter() - started >= 0.2


def test_unset_is_a_no_op_and_a_bad_spec_is_named(monkeypatch):
    monkeypatch.delenv(failpoints.ENV, raising=False)
    failpoints.pause("a")
    monkeypatch.setenv(failpoints.ENV, "a=soon")
    with pytest.raises(ValueError, match="'a=soon' is not NAME=SECONDS"):
        failpoints.pause("a")
