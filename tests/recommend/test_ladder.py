"""From majors at any level to the majors a worker can enter."""

import doctest

from recommender.recommend import courses, ladder
from recommender.recommend.engine import MajorCandidate
from recommender.recommend.ladder import MajorLadder


def test_docstring_examples():
    for module in (ladder, courses):
        assert doctest.testmod(module).failed == 0


def test_a_vocational_match_lends_its_fit_to_its_continuation_at_the_workers_level(recommender):
    catalog = recommender.catalog
    code_of = {m.name: code for code, m in catalog.majors.items()}
    matches = [MajorCandidate(code_of["邮政快递运营管理"], 1.0), MajorCandidate(code_of["智能交通管理"], 0.01)]
    fits = MajorLadder(catalog).fit_at_levels(matches, ("职教本科", "普通本科"))
    assert fits and catalog.majors[fits[0].major_code].name == "邮政快递管理"
    assert fits[0].via == code_of["邮政快递运营管理"]
    assert all(catalog.majors[f.major_code].level in ("职教本科", "普通本科") for f in fits)
    fit_of = {f.major_code: f.fit for f in fits}
    # same 专业大类 only: a weaker continuation than the same 专业类
    assert fit_of.get(code_of["智能交通管理"], 0) < fit_of[code_of["邮政快递管理"]]


def test_direct_matches_at_the_level_keep_their_own_fit(recommender):
    catalog = recommender.catalog
    code = next(c for c, m in catalog.majors.items() if m.level == "高职专科")
    fits = MajorLadder(catalog).fit_at_levels([MajorCandidate(code, 2.0)], ("高职专科",))
    assert fits[0].major_code == code and fits[0].fit == 1.0 and not fits[0].via
