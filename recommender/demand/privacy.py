"""Small-cell suppression for every figure that leaves the union: k distinct workers, and no differencing.

The method (one for the whole package)
--------------------------------------
A published figure is a count of **distinct workers**, never of events. Figures come in *groups*: a total and the
parts it splits into, where the parts are a **partition** of the total's workers (each worker is counted in exactly
one part, so ``total == sum(parts)``). The views are built that way on purpose: a monthly trend counts a worker in
the month of their *first* signal, occupations behind a demanded major count a worker under one occupation, and so
on. On top of that:

1. **Primary suppression.** A cell with 1 to k−1 workers is withheld. Zero is published (it identifies nobody).
2. **Complementary suppression.** In every group whose total is published, the withheld parts must add up to
   ``0`` or to ``≥ k`` workers, so ``published total − Σ published parts`` is either 0 or at least k and no withheld
   cell can be recovered by subtraction. While they add up to 1…k−1, the smallest published non-zero part (ties:
   the first in the group) is withheld too. The same happens when the withheld parts are *pinned*: when their sum
   equals ``n × (k−1)`` or ``n`` for n withheld parts, each would be known exactly (all k−1, or all 1). When no part
   is left to withhold, the total itself is withheld.
3. **Withheld totals hide their breakdown.** When a group's total is withheld (below k, or as a complement in a
   parent group), every part of it is withheld too, so the total cannot be rebuilt from its parts.

Steps 2–3 run to a fixed point over all the groups of a view (a cell may sit in several groups, e.g. a city ×
month table with row and column totals), so each group ends safe. Withholding only ever adds cells, so it ends.

What it does not claim: figures of *different* dimensions that are not parts of one another (a program's demand
and a city's demand for the program's major) are protected each on its own; colleges see only their own view (the
service enforces it), and region figures are always sums of the same published city cells, so two colleges'
views never difference into a withheld city.

Amounts in yuan (projected subsidy spend) are not counts: their totals are sums of the published rows only.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

DEFAULT_K = 10


@dataclass(frozen=True)
class Group:
    """A total and the parts that partition its workers (``counts[total] == sum(counts[p] for p in parts)``)."""

    total: Hashable
    parts: tuple[Hashable, ...]


@dataclass(frozen=True)
class Suppression:
    """The outcome of :func:`suppress`: which cells are withheld, and their published values."""

    k: int | None
    counts: Mapping[Hashable, int]
    withheld: frozenset

    def value(self, key: Hashable) -> int | None:
        """The published value of ``key`` (``None``: withheld). A key never counted is 0."""
        if key in self.withheld:
            return None
        return int(self.counts.get(key, 0))

    def published(self, key: Hashable) -> bool:
        return key not in self.withheld


def check_k(k: int | None) -> int | None:
    """Validate a k (``None``: exact figures, for the union's own eyes only); raise ``ValueError`` if bad."""
    if k is None:
        return None
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ValueError(f"k must be a whole number ≥ 1 (distinct workers per published figure), got {k!r}")
    return k


def suppress(counts: Mapping[Hashable, int], groups: Sequence[Group], k: int | None,
             *, check_partitions: bool = True) -> Suppression:
    """Withhold the cells of ``counts`` that a reader could tie to fewer than ``k`` workers.

    Parameters
    ----------
    counts : mapping
        Cell key → distinct workers (≥ 0). Keys absent from it count as 0.
    groups : sequence of Group
        Totals and their partitions (see the module docstring). A cell may be a part of several groups and the
        total of some.
    k : int or None
        Smallest number of distinct workers behind a published figure; ``None`` publishes everything exactly.
    check_partitions : bool, default True
        Verify ``total == sum(parts)`` for each group and raise ``ValueError`` if not (a view built wrong).

    Returns
    -------
    Suppression

    Examples
    --------
    >>> s = suppress({"all": 25, "a": 17, "b": 5, "c": 3}, [Group("all", ("a", "b", "c"))], k=10)
    >>> s.value("all"), s.value("a"), s.value("b"), s.value("c")  # 5 + 3 < 10: a is withheld too
    (25, None, None, None)
    >>> s = suppress({"all": 31, "a": 20, "b": 9, "c": 2}, [Group("all", ("a", "b", "c"))], k=10)
    >>> [s.value(x) for x in ("all", "a", "b", "c")]  # b and c add up to 11 ≥ 10: safe
    [31, 20, None, None]
    """
    k = check_k(k)

    def n(key: Hashable) -> int:
        return int(counts.get(key, 0))

    if check_partitions:
        for g in groups:
            if n(g.total) != sum(n(p) for p in g.parts):
                raise ValueError(f"group {g.total!r}: total {n(g.total)} ≠ sum of its parts "
                                 f"{sum(n(p) for p in g.parts)}; the parts must partition the total's workers")
    if k is None or k <= 1:
        return Suppression(k, counts, frozenset())
    primary = {key for key, v in counts.items() if 0 < int(v) < k}
    for g in groups:  # totals and parts not in counts are zeros: published
        primary |= {key for key in (g.total, *g.parts) if 0 < n(key) < k}
    withheld = set(primary)

    def unsafe(parts: Iterable[Hashable]) -> bool:
        hidden = [p for p in parts if p in withheld]
        if not hidden:
            return False
        left = sum(n(p) for p in hidden)
        if 0 < left < k:
            return True
        positive = [p for p in hidden if n(p) > 0]
        # pinned: every hidden part must be k-1 (all below k), or 1 (all non-zero)
        return bool(positive) and (left == len(hidden) * (k - 1) or left == len(positive) == len(hidden))

    changed = True
    while changed:
        changed = False
        for g in groups:
            if g.total in withheld:
                missing = [p for p in g.parts if p not in withheld]
                if missing:
                    withheld.update(missing)
                    changed = True
                continue
            while unsafe(g.parts):
                candidates = [p for p in g.parts if p not in withheld and n(p) > 0]
                if not candidates:
                    withheld.add(g.total)
                    withheld.update(g.parts)
                    changed = True
                    break
                order = {p: i for i, p in enumerate(g.parts)}
                withheld.add(min(candidates, key=lambda p: (n(p), order[p])))
                changed = True
    return Suppression(k, counts, frozenset(withheld))


def residual(total: int | None, parts: Iterable[int | None]) -> int | None:
    """``total − Σ published parts`` as a reader computes it (``None`` when the total is withheld)."""
    if total is None:
        return None
    return total - sum(p for p in parts if p is not None)


def shown(value: int | None, k: int | None) -> str:
    """A figure as printed: the number, or ``<k`` when withheld."""
    return f"<{k}" if value is None else f"{value:,}"
