"""The domain model: what the catalog, the workers and the enterprises are made of.

Plain frozen dataclasses; validation happens once, at the boundary (``recommender.catalog.loader``), and code
inside the library trusts these objects. Codes are always strings (``"460306"``, ``"4-12-01-01"``, ``"01.0101"``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Vocabularies. The order of EDUCATION_LEVELS and MAJOR_LEVELS is meaningful (lowest first).
COLLEGE_KINDS = ("本科", "专科", "开放大学", "成人高校")
MAJOR_LEVELS = ("中职", "高职专科", "职教本科", "普通本科")
STUDY_MODES = ("线上", "线下", "混合")
SCHEDULES = ("全日制", "晚间", "周末", "弹性")
ENTRY_ROUTES = ("成人高考", "开放教育注册", "自学考试", "专升本", "高职扩招", "非学历")
EDUCATION_LEVELS = ("初中", "高中", "中专", "职高", "技校", "专科", "本科", "研究生")
OCCUPATION_TAXONOMIES = ("dadian2022", "soc2018")
MAJOR_TAXONOMIES = ("moe-vocational", "moe-undergraduate", "cip2020")


@dataclass(frozen=True)
class College:
    college_id: str
    name: str
    province: str
    city: str
    kind: str  # one of COLLEGE_KINDS
    is_partner: bool = True
    teaching_points: tuple[str, ...] = ()  # cities where the college teaches besides its seat
    is_demo: bool = False

    @property
    def cities(self) -> tuple[str, ...]:
        """Every city where the college teaches: its seat first, then its teaching points."""
        return (self.city, *[c for c in self.teaching_points if c != self.city])


@dataclass(frozen=True)
class Occupation:
    occupation_code: str  # 大典 2022 code "4-12-01-01" or SOC "49-3023"
    name: str
    level: int = 4  # 1 大类, 2 中类, 3 小类, 4 细类
    definition: str = ""
    tasks: str = ""
    aliases: tuple[str, ...] = ()
    soc_code: str = ""  # the English equivalent, when known
    taxonomy: str = "dadian2022"

    @property
    def parent_codes(self) -> tuple[str, ...]:
        """Codes of the enclosing 小类, 中类 and 大类 for a 大典 code (``4-12-01-01`` → ``4-12-01-00``, …)."""
        if self.taxonomy != "dadian2022":
            return ()
        parts = self.occupation_code.split("-")
        out = []
        for keep in (3, 2, 1):
            if keep < len(parts):
                code = "-".join(parts[:keep] + ["00"] * (len(parts) - keep))
                if code != self.occupation_code:
                    out.append(code)
        return tuple(dict.fromkeys(out))


@dataclass(frozen=True)
class Major:
    major_code: str
    name: str
    level: str  # one of MAJOR_LEVELS
    category: str = ""  # 专业大类
    subcategory: str = ""  # 专业类
    description: str = ""  # 专业简介: training goal and abilities
    main_courses: tuple[str, ...] = ()
    target_occupations: str = ""  # 职业面向 text
    years: str = ""
    taxonomy: str = "moe-vocational"


@dataclass(frozen=True)
class MajorOccupation:
    major_code: str
    occupation_code: str
    source: str = "official"


@dataclass(frozen=True)
class Program:
    """A major offered by a college at a level, in a mode, for a fee, somewhere."""

    program_id: str
    college_id: str
    major_code: str
    level: str  # one of MAJOR_LEVELS
    study_mode: str  # one of STUDY_MODES
    schedule: tuple[str, ...]  # subset of SCHEDULES
    years: float
    tuition_per_year: int  # yuan
    entry_route: str  # one of ENTRY_ROUTES
    places: tuple[str, ...]  # cities where it is taught (online programs: empty)
    enrolment_start: str = ""  # ISO date
    enrolment_end: str = ""

    @property
    def total_tuition(self) -> int:
        return round(self.tuition_per_year * self.years)


@dataclass(frozen=True)
class Course:
    course_id: str
    name: str
    major_code: str
    program_id: str = ""  # empty: a course of the major, taught in every program of it
    description: str = ""
    credits: float = 0.0
    mode: str = ""  # one of STUDY_MODES, or empty for the program's own mode


@dataclass(frozen=True)
class Worker:
    worker_id: str
    job_title: str
    duties: str = ""
    occupation_code: str = ""
    education: str = "高中"  # one of EDUCATION_LEVELS
    city: str = ""
    province: str = ""
    can_stop_working: bool = False  # False: 不脱产, needs online / evening / weekend study
    preferred_modes: tuple[str, ...] = ()
    budget_yuan: int | None = None  # ceiling on out-of-pocket cost for the whole program
    honours: tuple[str, ...] = ()  # e.g. 市级劳动模范, 技能竞赛获奖者
    union_member: bool = True
    certificates: tuple[str, ...] = ()

    @property
    def job_text(self) -> str:
        return f"{self.job_title}，{self.duties}" if self.duties else self.job_title


@dataclass(frozen=True)
class Enterprise:
    enterprise_id: str
    name: str
    city: str
    industry: str
    roster: tuple[Worker, ...] = ()


@dataclass(frozen=True)
class SubsidyRule:
    """One line of a subsidy policy; evaluated by ``recommender.rules.subsidies``.

    The policy file format (conditions, amounts, timing, caps) is documented in ``recommender.rules.policy_files``.
    """

    rule_id: str
    policy: str  # policy_id of the enclosing policy
    region: str
    description: str
    conditions: dict = field(default_factory=dict)
    amount: dict = field(default_factory=dict)  # {"percent": 70} of tuition, or {"fixed": 1000} yuan
    clause: str = ""  # where in the policy text, e.g. 第三条第（一）项
    clause_en: str = ""
    description_en: str = ""
    timing: str = "upfront"  # one of SUBSIDY_TIMINGS
    cap_yuan: int | None = None  # ceiling on this rule's amount


SUBSIDY_TIMINGS = ("upfront", "on_graduation")  # paid at enrolment (reduces what is paid now) · refunded later
SUBSIDY_TIER_MODES = ("highest", "all")  # within a policy: the single largest matching rule · every one


@dataclass(frozen=True)
class SubsidyPolicy:
    policy_id: str
    name: str
    region: str  # display name: 全国, 江苏省（演示）苏州市
    rules: tuple[SubsidyRule, ...] = ()
    source: str = ""  # source note, e.g. 演示政策，依据公开报道改编
    name_en: str = ""
    source_en: str = ""
    province: str = ""  # empty with city empty: national
    city: str = ""
    region_aliases: tuple[str, ...] = ()  # other spellings of the city or province (苏州, Suzhou)
    conditions: dict = field(default_factory=dict)  # apply to every rule of the policy
    tiers: str = "highest"  # one of SUBSIDY_TIER_MODES
    exclusive_group: str = ""  # policies sharing a group do not stack: only the largest amount is paid
    order: int = 100  # order of application (lowest first) when the total reaches the tuition
    cap_yuan: int | None = None  # ceiling on the policy's total
    demo: bool = False
    source_file: str = ""
