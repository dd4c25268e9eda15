"""The demo province: a 江苏-like province with the 13 real prefecture-level cities."""

from __future__ import annotations

PROVINCE = "江苏省（演示）"

# (city, weight): the weight sets how many colleges sit in the city and how many workers live there.
CITIES: tuple[tuple[str, float], ...] = (
    ("南京市", 3.2),
    ("无锡市", 1.3),
    ("徐州市", 1.3),
    ("常州市", 1.2),
    ("苏州市", 1.9),
    ("南通市", 1.0),
    ("连云港市", 0.6),
    ("淮安市", 0.8),
    ("盐城市", 0.8),
    ("扬州市", 0.9),
    ("镇江市", 0.9),
    ("泰州市", 0.7),
    ("宿迁市", 0.6),
)

CITY_NAMES: tuple[str, ...] = tuple(c for c, _ in CITIES)


def short_city(city: str) -> str:
    """``南京市`` → ``南京`` (college and enterprise names use the short form)."""
    return city.removesuffix("市")
