"""Hand-written worker scenarios with the properties a person would expect of their recommendations."""

import json

import pytest

from recommender.catalog.model import Worker
from recommender.cli import main
from recommender.rules.eligibility import eligible_levels

PROVINCE = "江苏省（演示）"


def worker(job, education="高中", city="南京市", **kw) -> Worker:
    return Worker(worker_id="t", job_title=job, education=education, city=city, province=PROVINCE, **kw)


def rule_ids(rec) -> set[str]:
    return {line.rule_id for line in rec.subsidy.lines}


def test_high_school_courier_in_a_city_with_the_gig_worker_scheme(recommender):
    result = recommender.recommend(worker("快递员", duties="派送快件，上门揽收"))
    assert result.items
    assert result.occupations[0].code == "4-02-07-08"
    assert all(r.program.level == "高职专科" for r in result.items)
    assert all("NJ-GIG-1" in rule_ids(r) for r in result.items)
    assert all(r.subsidy.net_cost < r.subsidy.tuition for r in result.items)


def test_delivery_rider_gets_delivery_majors_and_the_gig_scheme(recommender):
    result = recommender.recommend(worker("外卖骑手", duties="送外卖，按时把餐送到顾客手里"))
    assert result.occupations[0].code == "4-10-08-01"
    top = result.items[0]
    assert "NJ-GIG-1" in rule_ids(top)
    assert "网约配送员" in top.reason


def test_ride_hailing_driver_is_funded_by_title_keyword(recommender):
    result = recommender.recommend(worker("网约车司机", duties="开滴滴接送乘客"))
    assert result.items and all("NJ-GIG-1" in rule_ids(r) for r in result.items)


def test_associate_degree_electrician_model_worker_pays_nothing_in_suzhou(recommender):
    w = worker("维修电工", education="专科", city="苏州市", duties="负责配电柜检修", honours=("市级劳动模范",))
    result = recommender.recommend(w)
    assert result.items
    assert all(r.program.level in ("职教本科", "普通本科") for r in result.items)
    for r in result.items:
        assert "SZ-TUITION-1" in rule_ids(r)
        assert r.subsidy.net_cost == 0


def test_electrician_duties_pick_the_distribution_courses(recommender):
    result = recommender.recommend(worker("维修电工", duties="负责配电柜检修，排查线路故障"))
    top_course = result.items[0].courses[0]
    assert top_course.evidence
    assert any(word in top_course.course.name + top_course.course.description for word in ("配电", "电气", "线路"))


def test_welding_certificate_transfers_credits(recommender):
    result = recommender.recommend(worker("焊工", duties="手工电弧焊焊接钢结构", certificates=("焊工证（中级）",)))
    assert any(r.credit_transfers for r in result.items)
    transfer = next(t for r in result.items for t in r.credit_transfers)
    assert "焊" in transfer.course_name and transfer.credits > 0 and transfer.rule_id


def test_electrician_certificate_transfers_credits_and_the_reason_says_so(recommender):
    result = recommender.recommend(worker("电工", certificates=("电工证（中级）",)))
    rec = next(r for r in result.items if r.credit_transfers)
    assert "学分" in rec.reason


def test_junior_secondary_worker_gets_an_explained_empty_list(recommender):
    result = recommender.recommend(worker("保洁员", education="初中"))
    assert eligible_levels("初中") == ("中职",)
    assert not result.items
    assert "中职" in result.message or "学历层次" in result.message


def test_zero_budget_non_member_without_scheme_gets_nothing_and_the_budget_is_named(recommender):
    w = worker("仓库管理员", city="宿迁市", budget_yuan=0, union_member=False)
    result = recommender.recommend(w)
    assert not result.items
    assert result.excluded.get("budget", 0) > 0
    assert "预算" in result.message


def test_budget_is_a_ceiling_on_the_net_cost(recommender):
    result = recommender.recommend(worker("快递员", budget_yuan=1500))
    assert result.items and all(r.subsidy.net_cost <= 1500 for r in result.items)


def test_worker_who_keeps_working_never_sees_full_time_only_classes(recommender):
    result = recommender.recommend(worker("养老护理员", city="镇江市", education="中专"), limit=10)
    assert result.items
    for r in result.items:
        assert r.program.study_mode == "线上" or set(r.program.schedule) & {"晚间", "周末", "弹性"}


def test_city_scope_keeps_only_programs_taught_in_the_city(recommender):
    result = recommender.recommend(worker("汽车维修工", city="徐州市"), place_scope="city", limit=10)
    assert result.items and all(r.reach == "city" for r in result.items)


def test_online_scope_and_online_mode_choice(recommender):
    online = recommender.recommend(worker("电子商务运营", city="盐城市"), place_scope="online")
    assert online.items and all(r.program.study_mode == "线上" for r in online.items)
    chosen = recommender.recommend(worker("电子商务运营", city="盐城市", preferred_modes=("线上",)))
    assert chosen.items and all(r.program.study_mode == "线上" for r in chosen.items)


def test_worker_outside_the_province_only_sees_online_programs(recommender):
    w = Worker(worker_id="t", job_title="快递员", education="高中", city="北京市", province="北京市")
    result = recommender.recommend(w)
    assert result.items and all(r.reach == "online" for r in result.items)


def test_nearest_first_city_before_province_before_online(recommender):
    result = recommender.recommend(worker("电工", city="苏州市"), limit=10)
    reaches = [r.reach for r in result.items]
    assert reaches[0] == "city"


def test_non_member_gets_no_union_grant(recommender):
    result = recommender.recommend(worker("电工", union_member=False))
    assert result.items and all("NAT-GRANT-1" not in rule_ids(r) for r in result.items)


def test_national_model_worker_award_is_refunded_on_graduation(recommender):
    result = recommender.recommend(worker("数控车工", city="无锡市", honours=("全国劳动模范",)))
    rec = result.items[0]
    assert "WX-AWARD-1" in rule_ids(rec) or "WX-AWARD-2" in rule_ids(rec)
    assert rec.subsidy.refund_on_graduation > 0 and rec.subsidy.pay_now > rec.subsidy.net_cost


def test_bachelor_holder_is_offered_only_bachelor_level_programs(recommender):
    result = recommender.recommend(worker("人力资源专员", education="本科"))
    assert result.items and all(r.program.level in eligible_levels("本科") for r in result.items)


def test_not_personalised_ignores_the_job_and_personal_attributes(recommender):
    a = recommender.recommend(worker("电工", honours=("市级劳动模范",)), personalised=False)
    b = recommender.recommend(worker("养老护理员"), personalised=False)
    assert [r.program.program_id for r in a.items] == [r.program.program_id for r in b.items]
    assert a.items and all("非个性化" in r.reason for r in a.items)
    assert not a.occupations


def test_reasons_in_english(recommender):
    result = recommender.recommend(worker("快递员"), language="en")
    assert result.items and all("yuan" in r.reason for r in result.items)


def test_at_most_two_programs_per_college(recommender):
    result = recommender.recommend(worker("护士", education="专科"), limit=10)
    colleges = [r.program.college_id for r in result.items]
    assert len(colleges) >= 3
    assert all(colleges.count(c) <= 2 for c in colleges)


def test_cli_json_output_and_a_clear_error_for_bad_education(built, capsys):
    catalog = str(built.catalog_dir)
    assert main(["recommend", "--job", "快递员", "--education", "高中", "--city", "南京市", "--catalog", catalog,
                 "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    first = data["recommendations"][0]
    for field in ("program_id", "college", "major", "level", "net_cost", "subsidy", "courses", "reason"):
        assert field in first
    assert main(["recommend", "--job", "快递员", "--education", "小学", "--catalog", catalog]) == 2
    assert "accepted values" in capsys.readouterr().err


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_cli_text_output(built, capsys, lang):
    assert main(["recommend", "--job", "焊工", "--education", "高中", "--city", "常州市", "--lang", lang,
                 "--catalog", str(built.catalog_dir)]) == 0
    out = capsys.readouterr().out
    assert "1. " in out
