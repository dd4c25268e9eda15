"""How the demo province's partner colleges are named and what they teach (all fictional, written by us)."""

from __future__ import annotations

# How many colleges of each kind (model.COLLEGE_KINDS); the open university is added on top.
COLLEGE_COUNTS = {"本科": 43, "专科": 104, "成人高校": 24}

# Two-character words that make a fictional name out of a city and a kind; every demo name also ends in （演示）.
NAME_WORDS = (
    "明远", "致远", "弘毅", "启明", "博睿", "青禾", "云帆", "嘉禾", "澄明", "秋实", "知行", "鼎新", "润泽",
    "恒远", "砺行", "笃行", "景行", "思源", "远帆", "汇智", "锦程", "晨曦", "长风", "朗润", "清源", "文澜",
    "凌云", "逸安", "和畅", "沁园", "拓新", "行健",
)
DEMO_MARK = "（演示）"

# Profiles: (name suffix, weight, {cluster: weight}) per college kind. 本科 profiles whose suffix contains
# 职业技术大学 teach 职教本科 majors.
PROFILES: dict[str, tuple[tuple[str, float, dict[str, float]], ...]] = {
    "本科": (
        ("大学", 3, {"logistics": 2, "electrical": 2, "nursing": 1, "costing": 2, "hr": 2, "childcare": 1,
                   "property": 1, "auto": 1, "catering": 1, "ecommerce": 1, "express": 1, "transport": 1,
                   "wellness": 1, "hotel": 1}),
        ("理工学院", 3, {"electrical": 3, "auto": 2, "machining": 2, "costing": 1, "logistics": 1, "hr": 1,
                     "robotics": 1, "welding": 1, "industrial": 2, "energy": 1, "electronics": 1, "garment": 1}),
        ("工程学院", 2, {"electrical": 3, "costing": 2, "construction": 2, "auto": 2, "logistics": 1, "decoration": 1,
                     "safety": 1, "hvac": 1, "elevator": 1, "energy": 1, "industrial": 1}),
        ("医药学院", 1, {"nursing": 4, "wellness": 2, "eldercare": 2, "catering": 1, "hr": 1}),
        ("师范学院", 1, {"childcare": 4, "hr": 2, "logistics": 1, "property": 1}),
        ("财经学院", 1, {"logistics": 3, "hr": 3, "costing": 2, "property": 1, "ecommerce": 2, "express": 1,
                     "hotel": 1}),
        ("职业技术大学", 2, {"electrical": 2, "machining": 2, "auto": 2, "construction": 2, "logistics": 2,
                       "ecommerce": 1, "nursing": 1, "wellness": 1, "eldercare": 1, "safety": 1, "elevator": 1,
                       "express": 1, "transport": 1, "industrial": 1, "energy": 1, "decoration": 1, "welding": 1,
                       "robotics": 1, "electronics": 1, "hvac": 1, "property": 1, "childcare": 1, "catering": 1,
                       "garment": 1, "hr": 1, "hotel": 1}),
    ),
    "专科": (
        ("职业技术学院", 4, {"electrical": 2, "machining": 2, "auto": 2, "logistics": 2, "ecommerce": 2,
                       "construction": 1, "nursing": 1, "eldercare": 1, "childcare": 1, "hr": 1, "property": 1}),
        ("工业职业技术学院", 2, {"machining": 3, "welding": 2, "robotics": 2, "electrical": 3, "electronics": 2,
                         "safety": 1}),
        ("机电职业技术学院", 2, {"electrical": 3, "robotics": 2, "machining": 2, "elevator": 2, "hvac": 1, "welding": 1,
                         "auto": 1}),
        ("交通职业技术学院", 2, {"auto": 4, "logistics": 3, "express": 2, "ecommerce": 1}),
        ("建筑职业技术学院", 2, {"construction": 4, "costing": 3, "safety": 2, "elevator": 1, "hvac": 1, "property": 2,
                         "electrical": 1}),
        ("卫生职业技术学院", 2, {"nursing": 4, "wellness": 2, "eldercare": 3, "childcare": 2, "beauty": 1}),
        ("商贸职业学院", 2, {"ecommerce": 4, "logistics": 3, "express": 2, "hr": 2, "catering": 1}),
        ("信息职业技术学院", 1, {"electronics": 3, "ecommerce": 2, "electrical": 2, "robotics": 1}),
        ("旅游职业学院", 1, {"catering": 4, "beauty": 2, "property": 1, "ecommerce": 1}),
        ("服装职业技术学院", 1, {"garment": 4, "ecommerce": 2, "logistics": 1}),
        ("城市职业学院", 2, {"property": 3, "eldercare": 2, "childcare": 2, "catering": 1, "hr": 1, "ecommerce": 1,
                       "express": 1}),
    ),
    "成人高校": (
        ("职工大学", 3, {"electrical": 2, "machining": 1, "logistics": 2, "hr": 2, "ecommerce": 1, "eldercare": 1,
                     "construction": 1, "costing": 1, "safety": 1, "property": 1, "express": 1}),
        ("职工业余大学", 1, {"electrical": 2, "welding": 1, "logistics": 1, "hr": 2, "auto": 1, "childcare": 1}),
        ("教育学院", 1, {"childcare": 3, "hr": 2, "ecommerce": 1, "eldercare": 1}),
        ("管理干部学院", 1, {"hr": 3, "logistics": 2, "property": 2, "costing": 1, "safety": 1}),
    ),
}

OPEN_UNIVERSITY_NAME = "江苏示范开放大学" + DEMO_MARK
OPEN_UNIVERSITY_SEAT = "南京市"
# What the open university teaches: clusters weighted for 高职专科 programs; every 普通本科 major is offered too.
OPEN_UNIVERSITY_CLUSTERS = {
    "logistics": 3, "express": 2, "ecommerce": 3, "electrical": 2, "hr": 2, "eldercare": 2, "childcare": 2,
    "property": 2, "costing": 1, "safety": 1, "auto": 1, "catering": 1, "nursing": 1, "construction": 1,
}
OPEN_UNIVERSITY_PROGRAMS = 16  # 高职专科 programs, besides its 本科 programs
# The 普通本科 majors the open university teaches (专升本 by 开放教育, online or mixed in every city): the most
# common ones.
OPEN_UNIVERSITY_BACHELOR = ("120601", "080601", "120105", "120103", "120209", "101101K", "040106", "120206")

# How many colleges (besides the open university) offer each major, at least and at most, by level: every major
# is taught somewhere, and every 本科 major in several cities so that a worker with a 专科 diploma can go on
# (专升本) near home. Colleges are drawn by their profile's weight for the major's cluster, one city at a time.
OFFER_SPREAD = {"高职专科": (2, 3), "职教本科": (4, 6), "普通本科": (4, 6)}
# The study modes of the first colleges drawn for a major, in order (the others choose their own): every major
# can be studied online from anywhere, and mixed (weekend classes plus online study) somewhere.
OFFER_MODES = ("线上", "混合")
# Which kinds of college may be drawn to teach a level; a 职业技术大学 (a 本科 college teaching 职教本科) is drawn
# four times as often for 职教本科 and never for 普通本科.
OFFER_KINDS = {"高职专科": ("专科", "成人高校", "本科"), "职教本科": ("本科",), "普通本科": ("本科",)}

# Enrolment windows in 2027 per entry route: (start, end) as (month, day); a college may shift them by days.
ENROLMENT_WINDOWS: dict[str, tuple[tuple[tuple[int, int], tuple[int, int]], ...]] = {
    "成人高考": (((8, 20), (9, 10)),),
    "开放教育注册": (((1, 5), (3, 15)), ((7, 1), (9, 20))),
    "自学考试": (((3, 1), (3, 20)), ((9, 1), (9, 20))),
    "专升本": (((3, 1), (4, 15)),),
    "高职扩招": (((6, 1), (8, 31)),),
}
ENROLMENT_YEAR = 2027
