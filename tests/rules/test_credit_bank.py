"""The credit bank: certificate names matched robustly, levels, course matching, the per-program cap."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recommender.catalog.model import Course
from recommender.rules.credit_bank import (
    COLUMNS,
    CreditBankError,
    certificate_level,
    credit_transfers,
    load_credit_rules,
)

WELDING = [  # 智能焊接技术-like program, 30 credits in all
    Course("W1", "焊接方法及设备使用", "460110", credits=4),
    Course("W2", "焊接工艺基础", "460110", credits=3),
    Course("W3", "焊接检验", "460110", credits=3),
    Course("W4", "电工电子技术", "460110", credits=4),
    Course("W5", "机械制图与计算机绘图", "460110", credits=8),
    Course("W6", "焊接综合实训", "460110", credits=2),
    Course("W7", "岗位实习", "460110", credits=6),
]
ELECTRICAL = [
    Course("E1", "电工基础", "460306", credits=4),
    Course("E2", "电机与电气控制", "460306", credits=4),
    Course("E3", "可编程控制器技术与应用", "460306", credits=4),
    Course("E4", "工厂供配电", "460306", credits=4),
    Course("E5", "工业机器人操作与编程", "460306", credits=8),
    Course("E6", "人工智能导论", "460306", credits=6),
]


def by_course(transfers) -> dict[str, tuple[float, str]]:
    return {t.course_id: (t.credits, t.rule_id) for t in transfers}


def test_welder_gets_credits_for_welding_process_courses():
    transfers = credit_transfers(["焊工证"], WELDING)
    assert by_course(transfers) == {"W1": (4.0, "CB-WELD-01"), "W2": (3.0, "CB-WELD-01")}
    assert all(t.certificate == "焊工证" and t.note.startswith("演示规则") for t in transfers)


def test_higher_level_welder_also_gets_inspection_within_the_cap():
    transfers = credit_transfers(["焊工（高级）"], WELDING)
    # candidates: W1 4, W2 3, W3 3 = 10 credits; the cap is 30 / 3 = 10
    assert by_course(transfers) == {"W1": (4.0, "CB-WELD-01"), "W2": (3.0, "CB-WELD-01"),
                                    "W3": (3.0, "CB-WELD-02")}


def test_cap_on_credit_transfer():
    certificates = ["焊工证（高级）", "电工证（中级）", "江苏省职业技能大赛焊工项目二等奖", "企业培训结业证书"]
    uncapped = credit_transfers(certificates, WELDING, max_share=Fraction(1))
    assert sum(t.credits for t in uncapped) == 4 + 3 + 3 + 4 + 2 + 2  # W7 岗位实习: min(rule 2, course 6)
    capped = credit_transfers(certificates, WELDING)
    assert sum(t.credits for t in capped) <= 10  # one third of 30
    assert sum(t.credits for t in capped) == 10
    tight = credit_transfers(certificates, WELDING, program_credits=12)  # cap 4
    assert by_course(tight) == {"W1": (4.0, "CB-WELD-01")}  # the largest transfer that fits is kept whole


@pytest.mark.parametrize(
    "name",
    ["电工证（中级）", "电工证(中级)", "电工证 （ 中级 ）", "电工证【中级】", "中级电工证", "电工中级",
     "电工职业技能等级证书（中级）", "电工证（四级/中级工）", "电工证（高级）", "电工证　（中级）"],
)
def test_certificate_spellings_match_the_same_rule(name):
    assert by_course(credit_transfers([name], ELECTRICAL))["E1"] == (4.0, "CB-ELEC-02")


def test_level_below_the_minimum_does_not_match():
    assert "E1" not in by_course(credit_transfers(["电工证（初级）"], ELECTRICAL))
    assert "E2" not in by_course(credit_transfers(["电工证（中级）"], ELECTRICAL))
    assert by_course(credit_transfers(["电工证（高级）"], ELECTRICAL))["E2"] == (4.0, "CB-ELEC-03")


def test_special_operation_certificate_without_level():
    assert by_course(credit_transfers(["电工证（低压电工作业）"], ELECTRICAL)) == {"E1": (3.0, "CB-ELEC-01")}


def test_each_course_credited_once_with_the_largest_transfer():
    transfers = credit_transfers(["电工证（低压电工作业）", "电工证（中级）"], ELECTRICAL)
    assert [t.course_id for t in transfers].count("E1") == 1
    assert by_course(transfers)["E1"] == (4.0, "CB-ELEC-02")


def test_care_worker_levels():
    courses = [Course("A1", "老年人生活与基础照护实务", "590302", credits=4),
               Course("A2", "老年健康照护", "590302", credits=3),
               Course("A3", "老龄事业与产业发展", "590302", credits=5)]
    assert by_course(credit_transfers(["养老护理员（五级）"], courses)) == {}
    assert by_course(credit_transfers(["养老护理员四级"], courses)) == {"A1": (4.0, "CB-ELDER-01")}
    assert by_course(credit_transfers(["养老护理员（三级）"], courses, max_share=Fraction(1))) == {
        "A1": (4.0, "CB-ELDER-01"), "A2": (3.0, "CB-ELDER-02")}


def test_major_code_restricts_a_rule():
    logistics = Course("L1", "智慧仓配运营", "530802", credits=4)
    welding = Course("L2", "焊接车间仓储管理", "460110", credits=4)
    filler = Course("L3", "物流法律法规", "530802", credits=20)
    assert by_course(credit_transfers(["叉车证"], [logistics, welding, filler])) == {"L1": (2.0, "CB-FORK-01")}


def test_transfer_never_exceeds_the_course_credits_and_unknown_credits_get_nothing():
    courses = [Course("K1", "快递运营管理", "530802", credits=1), Course("K2", "末端配送实务", "530802"),
               Course("K3", "物流法律法规", "530802", credits=8)]
    assert by_course(credit_transfers(["快递员（中级）"], courses)) == {"K1": (1.0, "CB-EXPRESS-01")}


@pytest.mark.parametrize("certificates", [["保育师"], ["育婴员（四级）"], ["互联网营销师"], ["汽车维修工（中级）"],
                                          ["数控车工（中级）"], ["物流服务师"]])
def test_every_demo_family_transfers_something(certificates):
    courses = [Course(f"X{i}", name, "000000", credits=3) for i, name in enumerate(
        ["婴幼儿回应性照料", "婴幼儿营养与喂养", "直播销售", "汽车发动机检修", "数控加工工艺", "智慧仓配运营"])]
    courses.append(Course("X9", "思想道德与法治", "000000", credits=30))
    assert credit_transfers(certificates, courses)


def test_no_certificates_or_unrelated_ones_transfer_nothing():
    assert credit_transfers([], WELDING) == []
    assert credit_transfers(["一级建造师", "驾驶证"], WELDING + ELECTRICAL) == []


@pytest.mark.parametrize(
    "name, level",
    [("电工职业技能等级证书（高级）", 3), ("养老护理员 四级", 2), ("中级焊工证", 2), ("焊工证", 0),
     ("高级技师焊工", 5), ("电工技师", 4), ("一级建造师", 0), ("电工证(低压电工作业)", 0), ("育婴员（五级/初级工）", 1),
     ("老年照护职业技能等级证书（初级）", 1), ("电工中级工证", 2), ("互联网营销师（直播销售员）职业技能等级证书（四级）", 2),
     ("叉车证（N1）", 0), ("安全员证（C证）", 0)],
)
def test_certificate_level(name, level):
    assert certificate_level(name) == level


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["焊工证（高级）", "电工证（中级）", "电工证（高级）", "电工证(低压电工作业)",
                                 "技能大赛获奖证书", "企业培训证书", "叉车证"]), max_size=5),
       st.permutations(WELDING + ELECTRICAL), st.sampled_from([Fraction(1, 3), Fraction(1, 2), Fraction(1, 5)]))
def test_transfers_respect_cap_and_are_deterministic(certificates, courses, share):
    transfers = credit_transfers(certificates, courses, max_share=share)
    total = sum(Fraction(str(c.credits)) for c in courses)
    assert sum(Fraction(str(t.credits)) for t in transfers) <= total * share
    assert len({t.course_id for t in transfers}) == len(transfers)
    credits_of = {c.course_id: c.credits for c in courses}
    assert all(0 < t.credits <= credits_of[t.course_id] for t in transfers)
    assert credit_transfers(certificates, courses, max_share=share) == transfers
    reordered = credit_transfers(list(reversed(certificates)), courses, max_share=share)
    assert {(t.course_id, t.credits, t.rule_id) for t in reordered} == {
        (t.course_id, t.credits, t.rule_id) for t in transfers}


def _table(tmp_path, rows: list[str], header: str = ",".join(COLUMNS)):
    path = tmp_path / "bank.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def test_shipped_table_loads():
    rules = load_credit_rules()
    assert len(rules) >= 15 and all(r.note.startswith("演示规则") for r in rules)


def test_custom_table(tmp_path):
    rules = load_credit_rules(_table(tmp_path, ["R1,叉车,,叉车驾驶,,2,自定义"]))
    transfers = credit_transfers(["叉车证"], [Course("C1", "叉车驾驶实务", "x", credits=2),
                                             Course("C2", "其他", "x", credits=10)], rules=rules)
    assert by_course(transfers) == {"C1": (2.0, "R1")}


@pytest.mark.parametrize(
    "rows, message",
    [
        (["R1,焊工,,焊接,,abc,x"], "line 2, column credits: 'abc' is not a number"),
        (["R1,焊工,,焊接,,0,x"], "line 2, column credits"),
        (["R1,焊工,特级,焊接,,2,x"], "line 2, column min_level: '特级' is not one of"),
        (["R1,,,焊接,,2,x"], "line 2, column certificate_terms: empty"),
        (["R1,焊工,,,,2,x"], "line 2, column course_keywords"),
        (["R1,焊工,,焊接,,2,x", "R1,电工,,电工,,2,x"], "line 3, column rule_id: 'R1' is used twice"),
    ],
)
def test_malformed_table_names_line_and_column(tmp_path, rows, message):
    with pytest.raises(CreditBankError) as err:
        load_credit_rules(_table(tmp_path, rows))
    assert str(err.value).startswith("bank.csv:") and message in str(err.value)


def test_missing_column_and_file(tmp_path):
    with pytest.raises(CreditBankError, match="missing column.*credits"):
        load_credit_rules(_table(tmp_path, [], header="rule_id,certificate_terms,min_level,course_keywords,"
                                                       "major_codes,note"))
    with pytest.raises(CreditBankError, match="no such credit-bank table"):
        load_credit_rules(tmp_path / "nope.csv")


@pytest.mark.parametrize(
    "certificate, course, rule_id",
    [("焊工证（熔化焊接与热切割作业）", "焊条电弧焊", "CB-WELD-01"), ("特种设备作业人员证（叉车司机）", "智慧仓配运营", "CB-FORK-01"),
     ("低压电工作业证", "电工基础", "CB-ELEC-01"), ("母婴护理员证", "婴幼儿营养与喂养", "CB-INFANT-01"),
     ("车工职业技能等级证书（中级）", "数控编程技术", "CB-CNC-01"), ("快递员职业技能等级证书（初级）", "末端配送实务", "CB-EXPRESS-01")],
)
def test_certificates_as_the_demo_workers_write_them(certificate, course, rule_id):
    courses = [Course("C1", course, "530802", credits=2), Course("C2", "思想道德与法治", "530802", credits=10)]
    assert by_course(credit_transfers([certificate], courses)) == {"C1": (2.0, rule_id)}


def reference_transfers(certificates, courses, rules, max_share=Fraction(1, 3)):
    """``credit_transfers`` as first written: every rule tried on every course, every call."""
    from recommender.rules.credit_bank import Transfer, _course_matches
    from recommender.rules.text import contains_any

    certificates = [c for c in dict.fromkeys(str(c).strip() for c in certificates) if c]
    levels = {c: certificate_level(c) for c in certificates}
    best = {}
    for ci, course in enumerate(courses):
        course_credits = Fraction(str(course.credits or 0))
        if course_credits <= 0:
            continue
        for ri, rule in enumerate(rules):
            if not _course_matches(rule, course):
                continue
            for ki, cert in enumerate(certificates):
                if levels[cert] < rule.min_level or not contains_any(cert, rule.certificate_terms):
                    continue
                candidate = (min(rule.credits, course_credits), -ri, -ki, rule, cert)
                if ci not in best or candidate[:3] > best[ci][:3]:
                    best[ci] = candidate
    cap = sum((Fraction(str(c.credits or 0)) for c in courses), Fraction(0)) * max_share
    kept, used = [], Fraction(0)
    for ci in sorted(best, key=lambda i: (-best[i][0], i)):
        if used + best[ci][0] <= cap:
            kept.append(ci)
            used += best[ci][0]
    return [Transfer(best[ci][4], courses[ci].course_id, courses[ci].name, float(best[ci][0]), best[ci][3].rule_id,
                     best[ci][3].note) for ci in sorted(kept)]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(["焊工证（高级）", "电工证（中级）", "电工证（高级）", "电工证(低压电工作业)",
                                 "养老护理员四级", "叉车证", "焊工证", " 电工证（中级） "]), max_size=4),
       st.lists(st.sampled_from(WELDING + ELECTRICAL + [Course("Z", "焊接工艺基础", "460110", credits=2.5),
                                                        Course("N", "电工基础", "460306")]), max_size=12),
       st.sampled_from([Fraction(1, 3), Fraction(1, 2), Fraction(1)]))
def test_transfers_equal_the_plain_reference(certificates, courses, share):
    rules = load_credit_rules()
    expected = reference_transfers(certificates, courses, rules, share)
    assert credit_transfers(certificates, courses, max_share=share) == expected
    assert credit_transfers(certificates, courses, rules=list(rules), max_share=share) == expected
