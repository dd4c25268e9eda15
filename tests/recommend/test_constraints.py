"""The hard constraints: place (reach), mode and schedule, budget."""

from recommender.catalog.model import College, Program, Worker
from recommender.recommend.constraints import check_budget, check_mode, check_place, reach

COLLEGE = College("C1", "苏州示范职业技术学院（演示）", "江苏省（演示）", "苏州市", "专科", teaching_points=("无锡市",))


def program(**kw) -> Program:
    base = {"program_id": "P1", "college_id": "C1", "major_code": "460306", "level": "高职专科", "study_mode": "线下",
                "schedule": ("晚间",), "years": 3, "tuition_per_year": 3000, "entry_route": "成人高考", "places": ("苏州市",)}
    return Program(**(base | kw))


def worker(**kw) -> Worker:
    base = {"worker_id": "w", "job_title": "电工", "education": "高中", "city": "苏州市", "province": "江苏省（演示）"}
    return Worker(**(base | kw))


def test_reach_same_city_counts_teaching_points_and_spelling():
    assert reach(program(places=("无锡",)), COLLEGE, worker(city="无锡市")) == "city"
    assert reach(program(places=()), COLLEGE, worker(city="无锡")) == "city"  # no places: the college's cities


def test_reach_province_online_and_out_of_province():
    assert reach(program(), COLLEGE, worker(city="南京市")) == "province"
    assert reach(program(study_mode="线上", places=()), COLLEGE, worker(city="北京市", province="北京市")) == "online"
    assert reach(program(), COLLEGE, worker(city="北京市", province="北京市")) is None


def test_place_scope_is_respected():
    how, exclusion = check_place(program(), COLLEGE, worker(city="南京市"), "city")
    assert how == "province" and exclusion.constraint == "place"
    assert check_place(program(), COLLEGE, worker(city="南京市"), "province")[1] is None
    assert check_place(program(study_mode="线上", places=()), COLLEGE, worker(city="南京市"), "online")[1] is None


def test_worker_who_cannot_stop_working_needs_online_or_evening_or_weekend():
    full_time = program(schedule=("全日制",))
    assert check_mode(full_time, worker()).constraint == "schedule"
    assert check_mode(full_time, worker(can_stop_working=True)) is None
    assert check_mode(program(study_mode="线上", schedule=("全日制",)), worker()) is None
    assert check_mode(program(), worker(preferred_modes=("线上",))).constraint == "mode"


def test_budget_is_on_net_cost():
    assert check_budget(5000, worker(budget_yuan=4999)).constraint == "budget"
    assert check_budget(5000, worker(budget_yuan=5000)) is None
    assert check_budget(10**6, worker()) is None
