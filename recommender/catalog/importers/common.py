"""What every importer of official data needs: where the data lives, reading its CSVs, cleaning OCR text."""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from recommender.catalog.loader import LIST_SEPARATORS, decode_text
from recommender.errors import UserError

DATA_DIR_ENV = "RECOMMENDER_DATA_DIR"


def repo_root() -> Path:
    """The project's root (the folder holding ``pyproject.toml``)."""
    return Path(__file__).resolve().parents[3]


def default_data_dir() -> Path:
    """``../shared/data`` relative to the project's root."""
    return repo_root() / ".." / "shared" / "data"


def resolve_data_dir(data_dir: str | Path | None = None) -> Path:
    """The official data folder: ``data_dir``, else ``$RECOMMENDER_DATA_DIR``, else ``../shared/data``.

    Raises
    ------
    UserError
        When the folder does not exist.
    """
    if data_dir:
        chosen, how = Path(data_dir), "--data-dir"
    elif os.environ.get(DATA_DIR_ENV):
        chosen, how = Path(os.environ[DATA_DIR_ENV]), f"${DATA_DIR_ENV}"
    else:
        chosen, how = default_data_dir(), "the default ../shared/data"
    if not chosen.is_dir():
        raise UserError(
            f"official data folder {chosen} (from {how}) does not exist; "
            f"pass --data-dir or set {DATA_DIR_ENV}"
        )
    return chosen


@dataclass
class ImportNote:
    """Something an import did that a person should know: a dropped link, a merged duplicate, a guess.

    ``severity`` is ``warning`` when data was dropped or repaired, ``note`` for an expected adjustment.
    """

    source: str
    message: str
    count: int
    examples: tuple[str, ...] = ()
    severity: str = "warning"

    def __str__(self) -> str:
        shown = f"; e.g. {', '.join(self.examples)}" if self.examples else ""
        return f"{self.source}: {self.message}: {self.count}{shown}"

    def to_dict(self) -> dict[str, object]:
        return {
            "source": self.source,
            "message": self.message,
            "count": self.count,
            "examples": list(self.examples),
            "severity": self.severity,
        }


@dataclass
class ImportLog:
    notes: list[ImportNote] = field(default_factory=list)

    def add(
        self,
        source: str,
        message: str,
        items: Iterable[str],
        severity: str = "warning",
        max_examples: int = 5,
    ) -> None:
        """Record ``message`` for ``items`` (nothing when there are none)."""
        items = list(dict.fromkeys(items))
        if items:
            self.notes.append(ImportNote(source, message, len(items), tuple(items[:max_examples]), severity))

    def count(self, source: str, message: str, count: int, severity: str = "note") -> None:
        if count:
            self.notes.append(ImportNote(source, message, count, (), severity))


def read_official_csv(path: Path, columns: Iterable[str]) -> list[dict[str, str]]:
    """Rows of an official CSV (UTF-8 or GB18030) as dicts of stripped text; ``columns`` must all be present.

    Raises
    ------
    UserError
        When the file is missing, undecodable, or lacks one of ``columns``.
    """
    if not path.is_file():
        raise UserError(f"official file {path} is missing; check --data-dir")
    text = decode_text(path.read_bytes())
    if text is None:
        raise UserError(f"cannot decode {path} as UTF-8 or GB18030")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in reader.fieldnames or []]
    reader.fieldnames = header
    missing = [c for c in columns if c not in header]
    if missing:
        raise UserError(f"{path}: columns {', '.join(missing)} are missing (found: {', '.join(header)})")
    return [{k: (v or "").strip().strip("\u3000") for k, v in row.items() if k is not None} for row in reader]


# CJK ideographs, CJK punctuation and full-width forms: OCR puts stray spaces between them.
_CJK = "\u2e80-\u2fff\u3001-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
_CJK_PUNCTUATION = "\u3001-\u303f\ufe30-\ufe4f\uff00-\uffef"
_SPACE_BETWEEN_CJK = re.compile(
    f"(?<=[{_CJK}])\\s+(?=[{_CJK}])|(?<=[{_CJK_PUNCTUATION}])\\s+|\\s+(?=[{_CJK_PUNCTUATION}])"
)
_SPACES = re.compile(r"\s+")
_LATEX_SPAN = re.compile(r"\$([^$]{1,80})\$")
_LATEX_COMMAND = re.compile(r"\\([A-Za-z]+)")
_LATEX_SYMBOLS = {
    "sim": "~",
    "gamma": "γ",
    "alpha": "α",
    "beta": "β",
    "times": "×",
    "pm": "±",
    "leq": "≤",
    "geq": "≥",
    "mu": "μ",
    "Omega": "Ω",
    "circ": "°",
}


def _latex_to_text(match: re.Match[str]) -> str:
    """``$1 0 \\mathrm { k V }$`` → ``10kV`` (formulas the OCR of the 专业简介 wrote as LaTeX)."""
    body = _LATEX_COMMAND.sub(lambda m: _LATEX_SYMBOLS.get(m.group(1), ""), match.group(1))
    return re.sub(r"[\s{}^_]", "", body)


def clean_text(text: str) -> str:
    """Remove the stray spaces OCR leaves between Chinese characters; collapse other runs of spaces; turn the
    OCR's LaTeX fragments back into text.

    >>> clean_text("邮轮人力资源 管理、 Linux 操作系统， $\\mathrm { C O } _ { 2 }$ 气体保护焊")
    '邮轮人力资源管理、Linux 操作系统，CO2 气体保护焊'
    """
    text = _LATEX_SPAN.sub(_latex_to_text, text)
    text = _SPACE_BETWEEN_CJK.sub("", text.replace("\u3000", " ").replace("\xa0", " "))
    return _SPACES.sub(" ", text).strip()


_SEPARATOR_IN_ITEM = re.compile(f"[{re.escape(LIST_SEPARATORS)}]")


def list_safe(item: str) -> str:
    """An item that can sit in a catalog list cell: separators inside it become '，'."""
    return _SEPARATOR_IN_ITEM.sub("，", item).strip("，")


def split_top_level(text: str, separators: str) -> list[str]:
    """Split on any of ``separators`` outside parentheses (``基础化学（无机、有机）、电工`` → 2 items)."""
    items, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch in "（(【[":
            depth += 1
        elif ch in "）)】]":
            depth = max(0, depth - 1)
        elif ch in separators and depth == 0:
            items.append(text[start:i])
            start = i + 1
    items.append(text[start:])
    return [s.strip() for s in items if s.strip()]
