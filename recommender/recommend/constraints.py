"""Hard constraints on programs: place, mode and schedule, budget. Filters, never soft scores.

Eligibility (the education ladder) lives in ``recommender.rules.eligibility``; this module holds the constraints a
worker's situation and choices impose. Each check returns ``None`` when the program passes, or an ``Exclusion``
naming the constraint and why, so an empty result can say which constraint excluded what.
"""

from __future__ import annotations

from dataclasses import dataclass

from recommender.catalog.model import College, Program, Worker
from recommender.rules.text import place_key

# Where a program can be studied from the worker's city, best first.
REACH_CITY = "city"  # taught in the worker's city (seat or teaching point)
REACH_PROVINCE = "province"  # taught elsewhere in the worker's province
REACH_ONLINE = "online"  # online only, reachable from anywhere
REACH_ORDER = (REACH_CITY, REACH_PROVINCE, REACH_ONLINE)
REACH_ZH = {REACH_CITY: "本市可上课", REACH_PROVINCE: "省内异地上课", REACH_ONLINE: "线上学习"}
REACH_EN = {REACH_CITY: "taught in your city", REACH_PROVINCE: "taught elsewhere in your province",
            REACH_ONLINE: "online"}

def same_place(a: str, b: str) -> bool:
    return bool(a) and place_key(a) == place_key(b)


# Place scopes a worker may choose: how far they will go.
PLACE_SCOPES = ("city", "province", "online", "any")
WORK_COMPATIBLE_SCHEDULES = ("晚间", "周末", "弹性")


@dataclass(frozen=True)
class Exclusion:
    constraint: str  # eligibility · place · mode · schedule · budget
    reason_zh: str
    reason_en: str


def reach(program: Program, college: College, worker: Worker) -> str | None:
    """How the worker would attend ``program``: ``city``, ``province``, ``online``; ``None`` when they cannot.

    A program in 线上 mode is reachable from anywhere; a 线下 or 混合 program needs a place in the worker's city
    (or, failing that, province). A worker with no city set can reach every program of their province, and online
    programs.
    """
    places = program.places or (() if program.study_mode == "线上" else college.cities)
    if worker.city and any(same_place(p, worker.city) for p in places):
        return REACH_CITY
    if program.study_mode == "线上":
        return REACH_ONLINE
    if not worker.province or same_place(college.province, worker.province):
        return REACH_PROVINCE if places else None
    return None


def check_place(program: Program, college: College, worker: Worker, scope: str = "any") -> tuple[str | None,
                                                                                                 Exclusion | None]:
    """The program's reach, or an exclusion when the worker cannot attend it within ``scope``."""
    how = reach(program, college, worker)
    if how is None:
        return None, Exclusion("place", f"{college.name}的项目不在您所在的城市或省份授课",
                               f"{college.name} does not teach this program in your city or province")
    allowed = {"city": (REACH_CITY,), "province": (REACH_CITY, REACH_PROVINCE), "online": (REACH_ONLINE,),
               "any": REACH_ORDER}[scope]
    if how not in allowed:
        return how, Exclusion("place", f"您选择了只看{_SCOPE_ZH[scope]}的项目，该项目为{REACH_ZH[how]}",
                              f"you chose {scope} programs only; this one is {REACH_EN[how]}")
    return how, None


_SCOPE_ZH = {"city": "本市", "province": "省内", "online": "线上", "any": "全部"}


def check_mode(program: Program, worker: Worker) -> Exclusion | None:
    """A worker who cannot stop working (不脱产) needs online study or evening/weekend/flexible classes."""
    if worker.preferred_modes and program.study_mode not in worker.preferred_modes:
        return Exclusion("mode", f"学习方式为{program.study_mode}，不在您选择的{'、'.join(worker.preferred_modes)}之内",
                         f"study mode {program.study_mode} is not among your choices")
    if not worker.can_stop_working and program.study_mode != "线上" and not any(
        s in WORK_COMPATIBLE_SCHEDULES for s in program.schedule
    ):
        return Exclusion("schedule", "不脱产学习需要线上或晚间、周末、弹性上课，该项目只有全日制",
                         "you keep working, so you need online, evening, weekend or flexible classes; "
                         "this program is full-time only")
    return None


def check_budget(net_cost: int, worker: Worker) -> Exclusion | None:
    """The net cost after subsidies must fit the worker's ceiling for the whole program."""
    if worker.budget_yuan is not None and net_cost > worker.budget_yuan:
        return Exclusion("budget", f"补贴后自付{net_cost:,}元，超过您的预算{worker.budget_yuan:,}元",
                         f"net cost {net_cost:,} yuan after subsidies exceeds your budget of "
                         f"{worker.budget_yuan:,} yuan")
    return None
