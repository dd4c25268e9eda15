"""From the majors that fit a job (at any level) to the majors a worker can actually enter.

A 专科 courier fits 邮政快递运营管理 (高职专科) best, but can only enrol at 职教本科 or 普通本科. The continuation of a
major at a higher level is found from the catalog itself: the same 专业类 (subcategory) in the same 专业大类, else
the same 专业大类, else a similar name (邮政快递运营管理 → 邮政快递管理, 电气自动化技术 → 电气工程及其自动化). A major
at an eligible level then fits as well as its own match, or as a discounted share of the match of the major it
continues, whichever is higher.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from recommender.catalog.catalog import Catalog

SAME_SUBCATEGORY = 0.85
SAME_CATEGORY = 0.5
NAME_SIMILARITY = 0.85  # × the Dice coefficient of the names' character bigrams
MIN_NAME_DICE = 0.4


@dataclass(frozen=True)
class MajorFit:
    major_code: str
    fit: float  # 0..1, share of the best match at any level
    via: str = ""  # the major (of another level) this one continues, when the fit comes from it


# Words every other major name carries; they say nothing about the field (餐饮智能管理 is not 智能交通管理).
GENERIC_NAME_WORDS = ("及其", "技术", "管理", "工程", "现代", "智能", "智慧", "服务", "应用", "运营", "与", "及", "和")


@lru_cache(maxsize=16384)
def _bigrams(name: str) -> frozenset[str]:
    for word in GENERIC_NAME_WORDS:
        name = name.replace(word, "")
    return frozenset({name[i: i + 2] for i in range(len(name) - 1)} or {name})


def name_dice(a: str, b: str) -> float:
    """Dice coefficient of the character bigrams of two major names, generic words removed (0..1).

    Examples
    --------
    >>> name_dice("电气自动化技术", "电气工程及其自动化")
    1.0
    >>> name_dice("餐饮智能管理", "智能交通管理")
    0.0
    """
    x, y = _bigrams(a), _bigrams(b)
    return 2 * len(x & y) / (len(x) + len(y))


class MajorLadder:
    """Continuation weights between majors of different levels, computed once per catalog."""

    def __init__(self, catalog: Catalog):
        self.catalog = catalog
        self._level_of = {code: m.level for code, m in catalog.majors.items()}
        self._continuations: dict[str, list[tuple[str, float]]] = {}  # lower → [(upper, weight > 0)], lazily
        self._continuations_by_levels: dict[tuple[str, tuple[str, ...]], list[tuple[str, float]]] = {}

    def continuation(self, lower: str, upper: str) -> float:
        """How well major ``upper`` continues major ``lower`` (0..1)."""
        a, b = self.catalog.majors[lower], self.catalog.majors[upper]
        weight = 0.0
        if a.category and a.category == b.category:
            weight = SAME_SUBCATEGORY if a.subcategory and a.subcategory == b.subcategory else SAME_CATEGORY
        dice = name_dice(a.name, b.name)
        if dice >= MIN_NAME_DICE:
            weight = max(weight, NAME_SIMILARITY * dice)
        return weight

    def _continuations_of(self, lower: str) -> list[tuple[str, float]]:
        """Every major of another level that continues ``lower``, with its weight; computed once per major."""
        if lower not in self._continuations:
            level = self.catalog.majors[lower].level
            pairs = ((code, self.continuation(lower, code)) for code, major in self.catalog.majors.items()
                     if major.level != level)
            self._continuations[lower] = [(code, w) for code, w in pairs if w > 0]
        return self._continuations[lower]

    def _continuations_at(self, lower: str, levels: Sequence[str]) -> list[tuple[str, float]]:
        """``_continuations_of(lower)`` restricted to majors of ``levels``, in the same order; kept per levels."""
        key = (lower, tuple(levels))
        found = self._continuations_by_levels.get(key)
        if found is None:
            wanted = set(levels)
            found = self._continuations_by_levels[key] = [
                (code, w) for code, w in self._continuations_of(lower) if self.catalog.majors[code].level in wanted]
        return found

    def fit_at_levels(self, matches: Iterable, levels: Sequence[str], *, min_fit: float = 0.2,
                      sources: int = 10) -> list[MajorFit]:
        """Majors of ``levels`` ranked by fit, from the matcher's ranked majors at every level.

        Parameters
        ----------
        matches : iterable of objects with ``major_code`` and ``score``
            The matcher's majors, best first, at any level.
        levels : sequence of str
            The levels the worker may enter.
        min_fit : float
            Drop majors whose fit is below this share of the best match.
        sources : int
            How many of the best-matching majors of other levels lend their fit to their continuations.
        """
        level_of = self._level_of
        known = [(m.major_code, m.score, level) for m in matches
                 if (level := level_of.get(m.major_code)) is not None]
        if not known:
            return []
        best = max([score for _, score, _ in known])
        if best <= 0:
            return []
        wanted = set(levels)
        fit: dict[str, float] = {}
        lower: list[tuple[str, float]] = []  # the first ``sources`` matches of other levels
        for code, score, level in known:
            if level in wanted:
                fit[code] = (0.0 if 0.0 > score else score) / best  # noqa: FURB136 - max(score, 0.0) minus a call
            elif len(lower) < sources:
                lower.append((code, score))
        via: dict[str, str] = {}
        for source, score in lower:
            share = (0.0 if 0.0 > score else score) / best  # noqa: FURB136
            for code, weight in self._continuations_at(source, levels):
                inherited = share * weight
                if inherited > fit.get(code, 0.0):
                    fit[code] = inherited
                    via[code] = source
        ranked = sorted((code for code, f in fit.items() if f >= min_fit), key=lambda c: (-fit[c], c))
        return [MajorFit(code, fit[code], via.get(code, "")) for code in ranked]
