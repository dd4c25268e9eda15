"""Plain tables: what the views hand to the exporters (CSV, Excel) and what tests check for published groups."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Table:
    """A named table of display-ready cells (withheld counts already written as ``<k``)."""

    name: str  # short, file-safe: programs, unmet, …
    title: str  # what a person reads
    columns: tuple[str, ...]
    rows: tuple[tuple[object, ...], ...]

    def to_dict(self) -> dict:
        return {"name": self.name, "title": self.title, "columns": list(self.columns),
                "rows": [list(r) for r in self.rows]}


@dataclass(frozen=True)
class PublishedGroup:
    """A published total and its published parts, as a reader sees them (``None``: withheld).

    The parts partition the total's workers; so ``total − Σ published parts`` is the sum of the withheld parts,
    which the suppression keeps at 0 or at least k.
    """

    name: str
    total: int | None
    parts: tuple[int | None, ...]

    @property
    def residual(self) -> int | None:
        if self.total is None:
            return None
        return self.total - sum(p for p in self.parts if p is not None)


def cell(value: int | None, k: int | None) -> object:
    """A count as exported: the number, or the text ``<k`` when withheld."""
    return f"<{k}" if value is None else value
