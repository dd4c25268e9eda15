"""The education ladder and the entry-route requirements."""

from __future__ import annotations

import pytest

from recommender.catalog.model import EDUCATION_LEVELS, ENTRY_ROUTES, MAJOR_LEVELS, Program, Worker
from recommender.rules.eligibility import (
    LEVEL_LADDER,
    EligibilityError,
    eligible_levels,
    is_eligible,
    normalize_education,
)

# The ladder as the product owner states it: education → levels it may enrol in (degree routes).
EXPECTED_LADDER = {
    "初中": ("中职",),
    "高中": ("高职专科",),
    "中专": ("高职专科",),
    "职高": ("高职专科",),
    "技校": ("高职专科",),
    "专科": ("职教本科", "普通本科"),
    "本科": ("职教本科", "普通本科"),
    "研究生": ("职教本科", "普通本科"),
}


def program(level: str, route: str = "成人高考") -> Program:
    return Program("P1", "C1", "460306", level, "线上", ("周末",), 2.5, 4000, route, ())


def worker(education: str) -> Worker:
    return Worker("W1", "电工", education=education)


def test_ladder_covers_every_education_once():
    educations = [e for rung in LEVEL_LADDER for e in rung.educations]
    assert sorted(educations) == sorted(EDUCATION_LEVELS)


@pytest.mark.parametrize("education", EDUCATION_LEVELS)
def test_eligible_levels_table(education):
    assert eligible_levels(education) == EXPECTED_LADDER[education]


@pytest.mark.parametrize("education", EDUCATION_LEVELS)
@pytest.mark.parametrize("level", MAJOR_LEVELS)
def test_is_eligible_follows_the_ladder_on_open_routes(education, level):
    for route in ("成人高考", "开放教育注册", "自学考试"):
        decision = is_eligible(worker(education), program(level, route))
        assert decision.allowed == (level in EXPECTED_LADDER[education]), (education, level, route)
        assert decision.reason_zh and decision.reason_en and decision.rule_id


def test_reason_names_education_and_level_in_both_languages():
    decision = is_eligible(worker("高中"), program("高职专科", "开放教育注册"))
    assert decision.allowed
    assert decision.reason_zh.startswith("高中学历可报读高职专科")
    assert "开放教育" in decision.reason_zh
    assert "senior high school" in decision.reason_en and "高职专科" in decision.reason_en
    assert decision.rule_id == "ladder-senior-secondary"


def test_denied_reason_says_what_comes_first():
    decision = is_eligible(worker("高中"), program("普通本科"))
    assert not decision.allowed
    assert "须先取得专科学历" in decision.reason_zh
    below = is_eligible(worker("本科"), program("高职专科"))
    assert not below.allowed and "不属于学历提升" in below.reason_zh


def test_upgrade_route_requires_an_associate_diploma_or_higher():
    assert is_eligible(worker("专科"), program("普通本科", "专升本")).allowed
    assert is_eligible(worker("本科"), program("职教本科", "专升本")).allowed  # second degree
    denied = is_eligible(worker("高中"), program("普通本科", "专升本"))
    assert not denied.allowed


def test_expansion_route_only_takes_senior_secondary_graduates():
    assert is_eligible(worker("技校"), program("高职专科", "高职扩招")).allowed
    # 专科 holders may enrol in 职教本科 by the ladder, but not through 高职扩招
    denied = is_eligible(worker("专科"), program("职教本科", "高职扩招"))
    assert not denied.allowed
    assert denied.rule_id == "route-expansion"
    assert "高职扩招" in denied.reason_zh


@pytest.mark.parametrize("education", EDUCATION_LEVELS)
def test_non_degree_courses_are_open_to_everyone(education):
    decision = is_eligible(worker(education), program("普通本科", "非学历"))
    assert decision.allowed
    assert decision.rule_id == "route-non-degree"


@pytest.mark.parametrize(
    "typed, expected",
    [("大专", "专科"), ("中职", "中专"), ("高中学历", "高中"), ("技工学校", "技校"), ("硕士", "研究生"),
     (" High School ", "高中"), ("Associate degree", "专科"), ("BACHELOR", "本科"), ("master's", "研究生"),
     ("专科", "专科"), ("本 科", "本科")],
)
def test_education_aliases(typed, expected):
    assert normalize_education(typed) == expected


@pytest.mark.parametrize("bad", ["", "小学", "幼儿园", "college-ish"])
def test_unknown_education_lists_accepted_values(bad):
    with pytest.raises(EligibilityError) as err:
        eligible_levels(bad)
    message = str(err.value)
    assert all(level in message for level in EDUCATION_LEVELS)


def test_unknown_entry_route_is_an_error():
    with pytest.raises(EligibilityError, match="entry route"):
        is_eligible(worker("高中"), program("高职专科", "走后门"))


def test_every_entry_route_has_a_requirement():
    for route in ENTRY_ROUTES:
        assert is_eligible(worker("专科"), program("普通本科", route)).rule_id
