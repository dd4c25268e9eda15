"""Tolerant matching of the names the rules compare: places, honours, certificates, job titles.

Workers and data files spell the same thing many ways (``苏州`` · ``苏州市`` · ``苏州市（演示）`` · ``Suzhou``;
``电工证（中级）`` · ``电工证(中级)`` · ``电工 证 中级``). These helpers fold those spellings onto one key, so the
rules compare keys, never raw strings.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_BRACKETS = str.maketrans({"【": "(", "】": ")", "[": "(", "]": ")", "〔": "(", "〕": ")", "{": "(", "}": ")"})
_DEMO_MARK = re.compile(r"\((?:演示|示例|demo)\)")
_PLACE_SUFFIXES = ("特别行政区", "自治区", "自治州", "地区", "province", "city", "省", "市", "区", "县")


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Fold a name for comparison: NFKC (full-width → half-width), one bracket style, no spaces, case-folded.

    Examples
    --------
    >>> fold("电工证（ 中级 ）")
    '电工证(中级)'
    >>> fold("Model  Worker")
    'modelworker'
    """
    text = unicodedata.normalize("NFKC", str(text)).translate(_BRACKETS)
    return re.sub(r"\s+", "", text).casefold()


@lru_cache(maxsize=4096)
def place_key(name: str) -> str:
    """The key of a place name: demo marks and administrative suffixes removed.

    Examples
    --------
    >>> place_key("江苏省（演示）"), place_key("苏州市"), place_key(" Suzhou City ")
    ('江苏', '苏州', 'suzhou')
    """
    key = _DEMO_MARK.sub("", fold(name))
    for suffix in _PLACE_SUFFIXES:
        if key.endswith(suffix) and len(key) > len(suffix) + 1:
            return key[: -len(suffix)]
    return key


def contains_any(text: str, terms: tuple[str, ...] | list[str]) -> str:
    """The first of ``terms`` whose folded form occurs in the folded ``text``; empty string if none."""
    folded = fold(text)
    for term in terms:
        if term and fold(term) in folded:
            return term
    return ""
