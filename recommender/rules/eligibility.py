"""Who may enrol in what: the education ladder and the entry-route requirements, as data tables.

The 求学圆梦 programmes fund a step up the ladder (学历提升): a worker enrols in the level just above the
education they hold. ``LEVEL_LADDER`` is that table; ``ROUTE_REQUIREMENTS`` adds what an entry route demands on top
(专升本 needs a 专科 diploma or higher; 高职扩招 takes 高中-stage graduates; 非学历 courses have no threshold).
Every decision names the table row it came from (``rule_id``) and says why, in Chinese and English.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from recommender.catalog.model import EDUCATION_LEVELS, ENTRY_ROUTES, MAJOR_LEVELS, Program, Worker
from recommender.errors import UserError
from recommender.rules.text import fold


class EligibilityError(UserError):
    """An education level the ladder does not know."""


@dataclass(frozen=True)
class LadderRung:
    """One row of the ladder: holders of any of ``educations`` may enrol in ``levels``."""

    rule_id: str
    educations: tuple[str, ...]
    levels: tuple[str, ...]
    note: str  # zh
    note_en: str


@dataclass(frozen=True)
class RouteRequirement:
    """What an entry route asks of the applicant's education, beyond the ladder."""

    rule_id: str
    route: str
    educations: tuple[str, ...] | None  # None: whoever the ladder admits
    bypass_ladder: bool  # True: the route is open to every education (non-degree courses)
    note: str
    note_en: str


LEVEL_LADDER: tuple[LadderRung, ...] = (
    LadderRung("ladder-junior-secondary", ("初中",), ("中职",),
               "初中学历可报读中职", "a junior-secondary (初中) education qualifies for 中职 (secondary vocational)"),
    LadderRung("ladder-senior-secondary", ("高中", "中专", "职高", "技校"), ("高职专科",),
               "高中阶段学历（高中、中专、职高、技校）可报读高职专科",
               "a senior-secondary education (高中/中专/职高/技校) qualifies for 高职专科 (associate)"),
    LadderRung("ladder-associate", ("专科",), ("职教本科", "普通本科"),
               "专科学历可报读职教本科或普通本科（专升本）",
               "an associate (专科) diploma qualifies for 职教本科 or 普通本科 (bachelor, 专升本)"),
    LadderRung("ladder-bachelor", ("本科", "研究生"), ("职教本科", "普通本科"),
               "本科及以上学历可报读第二本科学历或非学历课程",
               "a bachelor's degree or higher qualifies for a second bachelor's degree or non-degree courses"),
)

_SENIOR_SECONDARY = ("高中", "中专", "职高", "技校")
ROUTE_REQUIREMENTS: tuple[RouteRequirement, ...] = (
    RouteRequirement("route-upgrade", "专升本", ("专科", "本科", "研究生"), False,
                     "专升本须已取得专科或以上学历", "专升本 requires an associate (专科) diploma or higher"),
    RouteRequirement("route-expansion", "高职扩招", _SENIOR_SECONDARY, False,
                     "高职扩招面向高中阶段毕业生（高中、中专、职高、技校）",
                     "高职扩招 admits senior-secondary graduates (高中/中专/职高/技校)"),
    RouteRequirement("route-open", "开放教育注册", None, False,
                     "开放教育注册入学，符合报读层次即可", "open-education registration: meeting the level is enough"),
    RouteRequirement("route-adult-exam", "成人高考", None, False,
                     "成人高考，符合报读层次即可参加", "adult college entrance exam: meeting the level is enough"),
    RouteRequirement("route-self-study", "自学考试", None, False,
                     "自学考试，符合报读层次即可", "self-study exam: meeting the level is enough"),
    RouteRequirement("route-non-degree", "非学历", None, True,
                     "非学历课程不设学历门槛", "non-degree courses are open to every education level"),
)

EDUCATION_EN = {
    "初中": "junior secondary", "高中": "senior high school", "中专": "secondary vocational school",
    "职高": "vocational high school", "技校": "technical school", "专科": "associate (专科)",
    "本科": "bachelor's", "研究生": "postgraduate",
}
LEVEL_EN = {
    "中职": "secondary vocational (中职)", "高职专科": "higher vocational associate (高职专科)",
    "职教本科": "vocational bachelor (职教本科)", "普通本科": "bachelor (普通本科)",
}

# Other spellings of the education levels, folded (see recommender.rules.text.fold).
EDUCATION_ALIASES: dict[str, str] = {
    "初中及以下": "初中", "初级中学": "初中", "junior high": "初中", "junior high school": "初中",
    "junior secondary": "初中", "middle school": "初中", "junior middle school": "初中",
    "普通高中": "高中", "high school": "高中", "senior high": "高中", "senior high school": "高中",
    "中职": "中专", "中等专业学校": "中专", "secondary vocational": "中专", "secondary vocational school": "中专",
    "职业高中": "职高", "vocational high school": "职高",
    "技工学校": "技校", "技工院校": "技校", "technical school": "技校",
    "大专": "专科", "高职": "专科", "高职专科": "专科", "associate": "专科", "associate degree": "专科",
    "junior college": "专科", "college diploma": "专科",
    "大学本科": "本科", "学士": "本科", "bachelor": "本科", "bachelor's": "本科", "bachelors": "本科",
    "bachelor's degree": "本科", "undergraduate": "本科",
    "硕士": "研究生", "博士": "研究生", "硕士研究生": "研究生", "博士研究生": "研究生", "master": "研究生",
    "master's": "研究生", "masters": "研究生", "master's degree": "研究生", "phd": "研究生", "doctorate": "研究生",
    "postgraduate": "研究生", "graduate": "研究生",
}
_ALIASES_FOLDED = {fold(k): v for k, v in EDUCATION_ALIASES.items()} | {fold(e): e for e in EDUCATION_LEVELS}
_RUNG_BY_EDUCATION = {edu: rung for rung in LEVEL_LADDER for edu in rung.educations}
_ROUTE_BY_NAME = {r.route: r for r in ROUTE_REQUIREMENTS}

assert set(_RUNG_BY_EDUCATION) == set(EDUCATION_LEVELS), "every education level needs a ladder row"
assert set(_ROUTE_BY_NAME) == set(ENTRY_ROUTES), "every entry route needs a requirement row"
assert all(level in MAJOR_LEVELS for rung in LEVEL_LADDER for level in rung.levels)


@dataclass(frozen=True)
class Decision:
    """Whether a worker may enrol in a program, why (zh, en), and the table row that decided it."""

    allowed: bool
    reason_zh: str
    reason_en: str
    rule_id: str

    def reason(self, lang: str = "zh") -> str:
        return self.reason_en if lang == "en" else self.reason_zh

    def to_dict(self) -> dict:
        return {"allowed": self.allowed, "reason_zh": self.reason_zh, "reason_en": self.reason_en,
                "rule_id": self.rule_id}


def normalize_education(education: str) -> str:
    """Map an education as typed (``大专``, ``中职``, ``Bachelor's``) onto one of ``EDUCATION_LEVELS``.

    Parameters
    ----------
    education : str
        The worker's highest education, in Chinese or English.

    Returns
    -------
    str
        One of ``EDUCATION_LEVELS``.

    Raises
    ------
    EligibilityError
        If the value is unknown; the message lists the accepted values.

    Examples
    --------
    >>> normalize_education("大专"), normalize_education(" High School ")
    ('专科', '高中')
    """
    key = fold(education).replace("学历", "").replace("毕业", "") if education else ""
    if key in _ALIASES_FOLDED:
        return _ALIASES_FOLDED[key]
    raise EligibilityError(
        f"unknown education {education!r}; accepted values: {', '.join(EDUCATION_LEVELS)} "
        f"(also: 大专, 中职, 硕士, high school, associate, bachelor, master …)"
    )


def _entry_education(level: str) -> str | None:
    """The lowest education whose ladder row admits ``level``."""
    return next((rung.educations[0] for rung in LEVEL_LADDER if level in rung.levels), None)


def eligible_levels(education: str) -> tuple[str, ...]:
    """The program levels a worker with this education may enrol in (the ladder's next rung).

    Parameters
    ----------
    education : str
        One of ``EDUCATION_LEVELS`` or an accepted alias (see ``normalize_education``).

    Returns
    -------
    tuple of str
        Levels from ``MAJOR_LEVELS``, lowest first. Non-degree courses (entry route 非学历) are open to every
        education and are not listed here.

    Examples
    --------
    >>> eligible_levels("高中")
    ('高职专科',)
    >>> eligible_levels("专科")
    ('职教本科', '普通本科')
    """
    return _RUNG_BY_EDUCATION[normalize_education(education)].levels


def is_eligible(worker: Worker, program: Program) -> Decision:
    """Decide whether ``worker`` may enrol in ``program``: the ladder, then the entry route's requirement.

    Parameters
    ----------
    worker : Worker
        Only ``worker.education`` is read.
    program : Program
        Its ``level`` and ``entry_route`` are read.

    Returns
    -------
    Decision
        ``allowed``, the reason in Chinese and English, and the ``rule_id`` of the deciding table row.

    Raises
    ------
    EligibilityError
        If the worker's education is unknown.

    Examples
    --------
    >>> from recommender.catalog.model import Program, Worker
    >>> p = Program("P1", "C1", "530802", "高职专科", "线上", ("周末",), 2.5, 3000, "开放教育注册", ())
    >>> is_eligible(Worker("W1", "快递员", education="高中"), p).reason_zh
    '高中学历可报读高职专科（开放教育注册入学，符合报读层次即可）'
    """
    education = normalize_education(worker.education)
    if program.entry_route not in _ROUTE_BY_NAME:
        raise EligibilityError(
            f"program {program.program_id}: unknown entry route {program.entry_route!r}; "
            f"accepted values: {', '.join(ENTRY_ROUTES)}"
        )
    return _decide(education, program.level, program.entry_route)


@lru_cache(maxsize=4096)
def _decide(education: str, level: str, entry_route: str) -> Decision:
    """The decision for a normalised education, a program level and a known entry route (a table lookup)."""
    route = _ROUTE_BY_NAME[entry_route]
    edu_en = EDUCATION_EN[education]
    level_en = LEVEL_EN.get(level, level)
    if route.bypass_ladder:
        return Decision(True, f"{route.note}，{education}学历可报读", f"{route.note_en}; {edu_en} qualifies",
                        route.rule_id)
    rung = _RUNG_BY_EDUCATION[education]
    if level not in rung.levels:
        allowed_zh = "、".join(rung.levels)
        allowed_en = ", ".join(LEVEL_EN[lvl] for lvl in rung.levels)
        needed = _entry_education(level)
        if needed is not None and MAJOR_LEVELS.index(level) > MAJOR_LEVELS.index(rung.levels[-1]):
            why_zh, why_en = f"须先取得{needed}学历", f"it needs {EDUCATION_EN[needed]} first"
        else:
            why_zh, why_en = "低于可报读层次，不属于学历提升", "it is below the next step up"
        return Decision(
            False,
            f"{education}学历可报读{allowed_zh}，不能报读{level}（{why_zh}）",
            f"an education of {edu_en} qualifies for {allowed_en}, not for {level_en} ({why_en})",
            rung.rule_id,
        )
    if route.educations is not None and education not in route.educations:
        return Decision(False, f"{route.note}，{education}学历不符合", f"{route.note_en}; {edu_en} does not qualify",
                        route.rule_id)
    return Decision(
        True,
        f"{education}学历可报读{level}（{route.note}）",
        f"an education of {edu_en} qualifies for {level_en}; {route.note_en}",
        rung.rule_id,
    )
