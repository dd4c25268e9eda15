"""Scenarios of the subsidy engine on the shipped demo policies, and the engine's stacking semantics."""

from __future__ import annotations

import pytest

from recommender.catalog.model import Program, Worker
from recommender.rules.eligibility import is_eligible
from recommender.rules.policy_files import load_policies, parse_policy_document
from recommender.rules.subsidies import evaluate_subsidies

DEMO = load_policies()  # the shipped demo set


def program(level: str = "高职专科", route: str = "开放教育注册", tuition: int = 9000) -> Program:
    return Program("P1", "C1", "530802", level, "线上", ("周末",), 1, tuition, route, ())


def member(**kw) -> Worker:
    base = {"worker_id": "W1", "job_title": "操作工", "education": "高中", "city": "南京市",
            "province": "江苏省（演示）", "union_member": True}
    return Worker(**(base | kw))


def amounts(result) -> dict[str, int]:
    return {line.rule_id: line.amount for line in result.lines}


# --- gig-worker city (南京) ---------------------------------------------------------------------------------------

def test_high_school_courier_in_the_gig_worker_city():
    courier = member(job_title="快递员", occupation_code="4-02-07-08")
    p = program()
    assert is_eligible(courier, p).allowed
    result = evaluate_subsidies(courier, p, 9000, DEMO)
    assert amounts(result) == {"NJ-GIG-1": 7200, "NAT-GRANT-1": 1000}
    assert result.total_subsidy == 8200 and result.net_cost == 800 and result.pay_now == 800
    gig = result.lines[0]
    assert gig.basis == "80% × 学费 9,000 元 = 7,200 元"
    assert "南京市（演示）新就业形态劳动者求学圆梦专项资助" in gig.citation and "演示政策" in gig.citation
    # the general city scheme shares the exclusive group and pays less, so it is reported as not stacked
    assert [s.rule_id for s in result.skipped] == ["NJ-TUITION-1"]


def test_gig_scheme_cap():
    courier = member(job_title="快递员", occupation_code="4-02-07-08")
    result = evaluate_subsidies(courier, program(tuition=15000), 15000, DEMO)
    assert amounts(result) == {"NJ-GIG-1": 8000, "NAT-GRANT-1": 1000}
    assert "上限" in result.lines[0].basis and "8,000" in result.lines[0].basis
    assert result.net_cost == 6000


def test_ride_hailing_driver_matched_by_title_not_by_the_shared_code():
    driver = member(job_title="网约车司机", occupation_code="4-02-02-01")
    taxi = member(job_title="出租车司机", occupation_code="4-02-02-01")
    assert "NJ-GIG-1" in amounts(evaluate_subsidies(driver, program(), 9000, DEMO))
    taxi_result = evaluate_subsidies(taxi, program(), 9000, DEMO)
    assert amounts(taxi_result) == {"NJ-TUITION-1": 5000, "NAT-GRANT-1": 1000}  # 60% = 5,400, capped at 5,000


@pytest.mark.parametrize("title", ["外卖小哥", "美团骑手", "送快递的", "滴滴司机", "闪送员", "Delivery rider"])
def test_gig_job_titles_as_workers_write_them(title):
    assert "NJ-GIG-1" in amounts(evaluate_subsidies(member(job_title=title), program(), 9000, DEMO))


def test_delivery_rider_matched_by_occupation_code_alone():
    rider = member(job_title="骑士", occupation_code="4-10-08-01")
    assert "NJ-GIG-1" in amounts(evaluate_subsidies(rider, program(), 9000, DEMO))


# --- tiered city scheme (苏州) -------------------------------------------------------------------------------------

def test_associate_electrician_municipal_model_worker_in_suzhou():
    electrician = member(job_title="电工", occupation_code="6-31-01-03", education="专科", city="苏州市",
                         honours=("市级劳动模范",))
    p = Program("P2", "C1", "460306", "职教本科", "混合", ("周末",), 2.5, 4800, "专升本", ("苏州市",))
    assert is_eligible(electrician, p).allowed
    result = evaluate_subsidies(electrician, p, None, DEMO)  # tuition from the program: 2.5 × 4,800
    assert result.tuition == 12000
    assert amounts(result) == {"SZ-TUITION-1": 12000}
    assert result.net_cost == 0 and result.pay_now == 0
    skipped = {s.rule_id: s.reason for s in result.skipped}
    assert "就高" in skipped["SZ-TUITION-5"]  # the 70% member tier is not added on top
    assert "已达学费" in skipped["NAT-GRANT-1"]  # the national grant would overshoot the tuition


@pytest.mark.parametrize(
    "honours, rule_id, percent",
    [(("区级劳动模范",), "SZ-TUITION-2", 90), (("技术能手",), "SZ-TUITION-3", 80),
     (("市技能竞赛获奖者",), "SZ-TUITION-3", 80), (("工会积极分子",), "SZ-TUITION-4", 80),
     ((), "SZ-TUITION-5", 70), (("江苏省五一劳动奖章",), "SZ-TUITION-1", 100)],
)
def test_suzhou_tiers(honours, rule_id, percent):
    worker = member(city="苏州", honours=honours)
    result = evaluate_subsidies(worker, program(tuition=10000), 10000, DEMO)
    city_lines = [line for line in result.lines if line.policy_id == "suzhou-union-tuition"]
    assert [(line.rule_id, line.amount) for line in city_lines] == [(rule_id, 100 * percent)]


def test_highest_tier_only_when_several_honours_match():
    worker = member(city="苏州市", honours=("工会积极分子", "区级劳动模范"))
    result = evaluate_subsidies(worker, program(tuition=10000), 10000, DEMO)
    assert amounts(result) == {"SZ-TUITION-2": 9000, "NAT-GRANT-1": 1000}
    assert {s.rule_id for s in result.skipped} == {"SZ-TUITION-4", "SZ-TUITION-5"}
    assert result.net_cost == 0


def test_other_member_in_suzhou_gets_seventy_percent_and_the_national_grant():
    result = evaluate_subsidies(member(city="苏州市"), program(tuition=10000), 10000, DEMO)
    assert amounts(result) == {"SZ-TUITION-5": 7000, "NAT-GRANT-1": 1000}
    assert result.lines[0].basis == "70% × 学费 10,000 元 = 7,000 元"
    assert result.net_cost == 2000


def test_non_member_gets_nothing_from_union_schemes():
    worker = member(city="苏州市", union_member=False, honours=("市级劳动模范",))
    result = evaluate_subsidies(worker, program(tuition=10000), 10000, DEMO)
    assert result.lines == () and result.total_subsidy == 0 and result.net_cost == 10000
    assert "没有适用的资助政策" in result.explain("zh")
    assert "No subsidy applies" in result.explain("en")


@pytest.mark.parametrize("city", ["苏州", "苏州市", "苏州市（演示）", " Suzhou ", "SUZHOU"])
def test_city_names_are_matched_tolerantly(city):
    result = evaluate_subsidies(member(city=city), program(tuition=10000), 10000, DEMO)
    assert "SZ-TUITION-5" in amounts(result)


# --- honours awards on graduation (无锡) and stacking --------------------------------------------------------------

def test_national_model_worker_stacking_in_wuxi():
    worker = member(city="无锡市", honours=("全国劳动模范",))
    result = evaluate_subsidies(worker, program(tuition=9000), 9000, DEMO)
    # the 6,000 graduation award and the 3,000 city aid share a group: the larger one is paid, not both;
    # the national grant stacks with either
    assert amounts(result) == {"NAT-GRANT-1": 1000, "WX-AWARD-1": 6000}
    assert [s.rule_id for s in result.skipped] == ["WX-TUITION-1"]
    assert "不重复享受" in result.skipped[0].reason
    assert result.pay_now == 8000 and result.refund_on_graduation == 6000 and result.net_cost == 2000
    text = result.explain("zh")
    assert "入学时实付 8,000 元" in text and "毕业后返还 6,000 元" in text and "最终自付 2,000 元" in text
    english = result.explain("en")
    assert "¥6,000 back after graduation" in english and "final cost is ¥2,000" in english


def test_award_is_cut_so_total_never_exceeds_tuition():
    worker = member(city="无锡", honours=("一线劳模",))
    result = evaluate_subsidies(worker, program(tuition=4000), 4000, DEMO)
    assert amounts(result) == {"NAT-GRANT-1": 1000, "WX-AWARD-2": 3000}
    award = result.lines[1]
    assert award.timing == "on_graduation"
    assert "定额 5,000 元" in award.basis and "按 3,000 元计" in award.basis
    assert result.net_cost == 0 and result.pay_now == 3000


def test_membership_is_a_condition_in_the_data_not_in_the_engine():
    # the 无锡 graduation award does not require membership; the union grants do
    worker = member(city="无锡市", honours=("全国五一劳动奖章",), union_member=False)
    result = evaluate_subsidies(worker, program(tuition=9000), 9000, DEMO)
    assert amounts(result) == {"WX-AWARD-1": 6000}
    assert result.pay_now == 9000 and result.net_cost == 3000


# --- where nothing city-level applies ------------------------------------------------------------------------------

def test_city_without_a_scheme_gets_only_the_national_grant():
    result = evaluate_subsidies(member(city="徐州市"), program(), 9000, DEMO)
    assert amounts(result) == {"NAT-GRANT-1": 1000}


@pytest.mark.parametrize("level, route", [("高职专科", "非学历"), ("中职", "成人高考")])
def test_national_grant_only_for_degree_programs_above_secondary(level, route):
    result = evaluate_subsidies(member(city="徐州市", education="初中"), program(level, route), 9000, DEMO)
    assert result.lines == ()


def test_lines_carry_rule_policy_amount_basis_and_citation():
    courier = member(job_title="快递员", occupation_code="4-02-07-08")
    for line in evaluate_subsidies(courier, program(), 9000, DEMO).to_dict()["lines"]:
        assert {"rule_id", "policy", "amount", "basis", "citation"} <= set(line)
        assert line["citation"].endswith("（演示政策，依据公开报道改编）")


def test_default_policies_and_tuition_come_from_the_package_and_program():
    courier = member(job_title="快递员", occupation_code="4-02-07-08")
    assert evaluate_subsidies(courier, program(tuition=9000)) == evaluate_subsidies(courier, program(), 9000, DEMO)


@pytest.mark.parametrize("bad", [-1, 12.5, "9000", True])
def test_bad_tuition_is_rejected(bad):
    with pytest.raises(ValueError, match="total_tuition"):
        evaluate_subsidies(member(), program(), bad, DEMO)


# --- engine semantics on hand-written policies ---------------------------------------------------------------------

def _doc(policies: list[dict], region: dict | None = None) -> dict:
    return {"format": 1, "region": region or {"scope": "national"}, "policies": policies}


def _policy(pid: str, rules: list[dict], **kw) -> dict:
    return {"policy_id": pid, "name": f"政策{pid}", "source": "测试", "rules": rules} | kw


def _rule(rid: str, amount: dict, **kw) -> dict:
    return {"rule_id": rid, "clause": "第一条", "description": rid, "amount": amount} | kw


def test_tiers_all_pays_every_matching_rule_under_the_policy_cap():
    policies = parse_policy_document(_doc([_policy("A", [
        _rule("A1", {"fixed": 2000}), _rule("A2", {"percent": 50}), _rule("A3", {"fixed": 700}),
    ], tiers="all", cap_yuan=5000)]), "test.json")
    result = evaluate_subsidies(member(), program(tuition=8000), 8000, policies)
    assert amounts(result) == {"A1": 2000, "A2": 3000}  # 50% = 4,000 is cut to the 3,000 left under the cap
    assert "本政策合计上限 5,000 元" in result.lines[1].basis
    assert [s.rule_id for s in result.skipped] == ["A3"]


def test_exclusive_group_tie_goes_to_the_lower_order():
    policies = parse_policy_document(_doc([
        _policy("late", [_rule("L1", {"fixed": 1000})], order=5, exclusive_group="g"),
        _policy("early", [_rule("E1", {"fixed": 1000})], order=1, exclusive_group="g"),
    ]), "test.json")
    result = evaluate_subsidies(member(), program(), 9000, policies)
    assert amounts(result) == {"E1": 1000}


def test_order_decides_which_line_is_cut_at_the_tuition():
    policies = parse_policy_document(_doc([
        _policy("first", [_rule("F1", {"percent": 80})], order=1),
        _policy("second", [_rule("S1", {"fixed": 5000})], order=2),
    ]), "test.json")
    result = evaluate_subsidies(member(), program(tuition=10000), 10000, policies)
    assert amounts(result) == {"F1": 8000, "S1": 2000}
    assert "剩余可资助 2,000 元" in result.lines[1].basis


def test_percent_rounds_down_to_the_yuan():
    policies = parse_policy_document(_doc([_policy("A", [_rule("A1", {"percent": 33.3})])]), "t.json")
    result = evaluate_subsidies(member(), program(tuition=1001), 1001, policies)
    assert result.lines[0].amount == 333  # 333.333 → 333
    assert result.lines[0].basis == "33.3% × 学费 1,001 元 = 333 元"


def test_province_scope_and_conditions():
    policies = parse_policy_document(_doc(
        [_policy("P", [_rule("P1", {"fixed": 500}, conditions={"education_any": ["高中", "中专"],
                                                                "honours_none": ["劳动模范"]})])],
        region={"scope": "province", "province": "江苏省（演示）", "aliases": ["Jiangsu"]}), "js.json")
    assert amounts(evaluate_subsidies(member(province="江苏"), program(), 9000, policies)) == {"P1": 500}
    assert amounts(evaluate_subsidies(member(province="Jiangsu Province"), program(), 9000, policies)) == {"P1": 500}
    assert evaluate_subsidies(member(province="浙江省"), program(), 9000, policies).lines == ()
    assert evaluate_subsidies(member(province=""), program(), 9000, policies).lines == ()
    assert evaluate_subsidies(member(education="专科"), program("职教本科"), 9000, policies).lines == ()
    assert evaluate_subsidies(member(honours=("区级劳动模范",)), program(), 9000, policies).lines == ()


def test_occupation_code_prefix_matches_whole_segments():
    policies = parse_policy_document(_doc([_policy("O", [_rule("O1", {"fixed": 100})],
                                                   conditions={"occupation": {"codes": ["4-02-07-00"]}})]), "o.json")
    assert amounts(evaluate_subsidies(member(occupation_code="4-02-07-08"), program(), 900, policies)) == {"O1": 100}
    assert evaluate_subsidies(member(occupation_code="4-02-70-01"), program(), 900, policies).lines == ()
    assert evaluate_subsidies(member(occupation_code=""), program(), 900, policies).lines == ()


def test_zero_tuition_pays_nothing():
    result = evaluate_subsidies(member(job_title="快递员"), program(tuition=0), 0, DEMO)
    assert result.lines == () and result.net_cost == 0
    assert result.skipped  # the grant matched but is reported as not paid
