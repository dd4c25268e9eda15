"""The suppression engine: small cells withheld, no withheld cell recoverable from a total and its parts."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recommender.demand.privacy import Group, residual, suppress


def _check_group(s, group: Group, k: int) -> None:
    """What a reader can do with a published group: subtract; nothing under k may come out, nor a pinned cell."""
    total = s.value(group.total)
    parts = [s.value(p) for p in group.parts]
    for v in [total, *parts]:
        assert v is None or v == 0 or v >= k, f"published {v} < k={k}"
    left = residual(total, parts)
    if left is None:
        assert all(p is None for p in parts), "a withheld total must hide its breakdown"
        return
    assert left == 0 or left >= k, f"total − published parts = {left}: a withheld cell is recoverable"
    hidden = [s.counts.get(p, 0) for p in group.parts if s.value(p) is None]
    if hidden and left > 0:
        assert left != len(hidden) * (k - 1), "withheld parts pinned at k−1 each"
        assert not (left == len(hidden) and all(h > 0 for h in hidden)), "withheld parts pinned at 1 each"


def test_small_cells_are_withheld_and_complemented():
    s = suppress({"all": 31, "a": 20, "b": 6, "c": 5}, [Group("all", ("a", "b", "c"))], k=10)
    assert [s.value(x) for x in ("all", "a", "b", "c")] == [31, 20, None, None]  # 6 + 5 ≥ 10: safe
    # one small cell alone would be recovered by subtraction: its smallest neighbour is withheld too
    s = suppress({"all": 50, "a": 30, "b": 16, "c": 4}, [Group("all", ("a", "b", "c"))], k=10)
    assert [s.value(x) for x in ("all", "a", "b", "c")] == [50, 30, None, None]


def test_zero_is_published_and_k_none_is_exact():
    s = suppress({"all": 12, "a": 12, "b": 0}, [Group("all", ("a", "b"))], k=10)
    assert (s.value("a"), s.value("b")) == (12, 0)
    exact = suppress({"all": 3, "a": 2, "b": 1}, [Group("all", ("a", "b"))], k=None)
    assert [exact.value(x) for x in ("all", "a", "b")] == [3, 2, 1]


def test_pinned_cells_are_protected():
    # two cells of 9 under k=10: 40 − 22 = 18 = 2 × 9 would give both away
    s = suppress({"all": 40, "a": 22, "b": 9, "c": 9}, [Group("all", ("a", "b", "c"))], k=10)
    assert s.value("a") is None
    # nothing left to withhold: the total goes
    s = suppress({"all": 18, "b": 9, "c": 9}, [Group("all", ("b", "c"))], k=10)
    assert s.value("all") is None


def test_withheld_total_hides_its_parts_across_groups():
    counts = {"all": 40, "x": 8, "y": 32, "x1": 5, "x2": 3, "y1": 20, "y2": 12}
    groups = [Group("all", ("x", "y")), Group("x", ("x1", "x2")), Group("y", ("y1", "y2"))]
    s = suppress(counts, groups, k=10)
    for g in groups:
        _check_group(s, g, 10)
    # x (8) is small, so y complements it in 'all'; y's parts would rebuild y, so they are withheld too
    assert [s.value(x) for x in ("all", "x", "y", "y1", "y2")] == [40, None, None, None, None]


def test_parts_must_partition_the_total():
    with pytest.raises(ValueError, match="partition"):
        suppress({"all": 10, "a": 3, "b": 3}, [Group("all", ("a", "b"))], k=5)


def test_bad_k():
    with pytest.raises(ValueError, match="k must be"):
        suppress({"a": 1}, [], k=0)


@st.composite
def _nested(draw):
    """A total → parts → sub-parts tree with random small counts (leaves first, sums upwards)."""
    counts, groups = {}, []
    parts = []
    for i in range(draw(st.integers(1, 5))):
        leaves = draw(st.lists(st.integers(0, 25), min_size=1, max_size=5))
        for j, v in enumerate(leaves):
            counts[f"p{i}.{j}"] = v
        counts[f"p{i}"] = sum(leaves)
        groups.append(Group(f"p{i}", tuple(f"p{i}.{j}" for j in range(len(leaves)))))
        parts.append(f"p{i}")
    counts["all"] = sum(counts[p] for p in parts)
    groups.append(Group("all", tuple(parts)))
    return counts, groups


@st.composite
def _grid(draw):
    """A rows × columns table with row, column and grand totals (like cities × months)."""
    rows, cols = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    cells = {(r, c): draw(st.integers(0, 20)) for r in range(rows) for c in range(cols)}
    counts = {("cell", r, c): v for (r, c), v in cells.items()}
    counts.update({("row", r): sum(cells[r, c] for c in range(cols)) for r in range(rows)})
    counts.update({("col", c): sum(cells[r, c] for r in range(rows)) for c in range(cols)})
    counts[("all",)] = sum(cells.values())
    groups = [Group(("row", r), tuple(("cell", r, c) for c in range(cols))) for r in range(rows)]
    groups += [Group(("col", c), tuple(("cell", r, c) for r in range(rows))) for c in range(cols)]
    groups += [Group(("all",), tuple(("row", r) for r in range(rows))),
               Group(("all",), tuple(("col", c) for c in range(cols)))]
    return counts, groups


@settings(max_examples=300, deadline=None)
@given(data=st.one_of(_nested(), _grid()), k=st.sampled_from([2, 3, 5, 10]))
def test_no_group_reveals_a_withheld_cell(data, k):
    counts, groups = data
    s = suppress(counts, groups, k)
    for g in groups:
        _check_group(s, g, k)
