"""The demo province: a fictional 江苏-like province (13 real cities, 170+ fictional partner colleges), real
occupations and majors, sample workers and enterprise rosters — everything the product needs to show itself.

>>> from recommender.demo import generate_demo_province  # doctest: +SKIP
>>> province = generate_demo_province("var/demo")  # doctest: +SKIP
"""

from recommender.demo.people import (
    load_enterprises,
    load_roster_roles,
    load_target_roles,
    load_worker_truth,
    load_workers,
)
from recommender.demo.province import DemoProvince, generate_demo_province, read_demo_province

__all__ = [
    "DemoProvince",
    "generate_demo_province",
    "load_enterprises",
    "load_roster_roles",
    "load_target_roles",
    "load_worker_truth",
    "load_workers",
    "read_demo_province",
]
