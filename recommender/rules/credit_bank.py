"""The credit bank (学分银行): certificates a worker holds → credits transferred to a program's courses.

The conversions are a table, ``credit_bank.csv`` beside this module (a demo table authored for this project; a
deployment passes its own with ``rules=load_credit_rules(path)``). Columns:

``rule_id``
    unique id, cited by every transfer.
``certificate_terms``
    ``;``-separated terms; a certificate matches when its name contains one of them (compared after folding
    full-width/half-width characters, brackets and spaces, see ``recommender.rules.text.fold``).
``min_level``
    empty, or the lowest skill level the certificate must show: 初级/五级 < 中级/四级 < 高级/三级 < 技师/二级 <
    高级技师/一级. The level is read from the certificate name: ``电工证（中级）``, ``养老护理员四级``,
    ``中级焊工证``, ``老年照护职业技能等级证书(初级)``. A name with no level word meets no ``min_level``.
``course_keywords``, ``major_codes``
    ``;``-separated; a course matches when its name contains one of the keywords (if any are given) and its major
    code starts with one of the codes (if any are given). At least one of the two columns is filled.
``credits``
    the most credits the rule transfers to one matching course; the transfer is the smaller of this and the
    course's own credits (courses with unknown credits, 0, get nothing).
``note``
    what the rule says, in Chinese (cited with the transfer).

Each course is credited once (the largest transfer wins; ties: the earlier rule, then the earlier certificate).
A program accepts transferred credits up to ``MAX_TRANSFER_SHARE`` of its credits (one third by default); whole
transfers are kept, largest first, while they fit under the cap.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from pathlib import Path

from recommender.catalog.model import Course
from recommender.errors import UserError
from recommender.rules.text import contains_any, fold

CREDIT_BANK_CSV = Path(__file__).with_name("credit_bank.csv")
MAX_TRANSFER_SHARE = Fraction(1, 3)  # demo rule: at most a third of a program's credits come from the credit bank
COLUMNS = ("rule_id", "certificate_terms", "min_level", "course_keywords", "major_codes", "credits", "note")

# Skill levels of the national vocational qualification system, lowest 1; several names for each.
LEVEL_RANKS: dict[str, int] = {
    "初级": 1, "初级工": 1, "五级": 1,
    "中级": 2, "中级工": 2, "四级": 2,
    "高级": 3, "高级工": 3, "三级": 3,
    "技师": 4, "二级": 4,
    "高级技师": 5, "一级": 5,
}
_LEVELS_LONGEST_FIRST = sorted(LEVEL_RANKS, key=len, reverse=True)
_PREFIX_LEVELS = ("高级技师", "初级", "中级", "高级")  # 一级/二级 as a prefix name other titles (一级建造师)
_NAME_SUFFIXES = ("职业技能等级证书", "职业资格证书", "操作证", "证书", "证")
_SEPARATORS = re.compile(r"[;；、|]")
_BRACKETED = re.compile(r"\(([^()]*)\)")


class CreditBankError(UserError):
    """A credit-bank table that cannot be used; the message names the file, row and column."""


@dataclass(frozen=True)
class CreditRule:
    rule_id: str
    certificate_terms: tuple[str, ...]
    min_level: int  # 0: any
    course_keywords: tuple[str, ...]
    major_codes: tuple[str, ...]
    credits: Fraction
    note: str


@dataclass(frozen=True)
class Transfer:
    """Credits a certificate earns towards one course, and the rule that grants them."""

    certificate: str
    course_id: str
    course_name: str
    credits: float
    rule_id: str
    note: str = ""


def certificate_level(name: str) -> int:
    """The skill level a certificate name shows (1 初级/五级 … 5 高级技师/一级), 0 when it shows none.

    Examples
    --------
    >>> certificate_level("电工职业技能等级证书（高级）"), certificate_level("养老护理员 四级")
    (3, 2)
    >>> certificate_level("中级焊工证"), certificate_level("电工证（低压电工作业）"), certificate_level("一级建造师")
    (2, 0, 0)
    """
    text = fold(name)
    for inside in _BRACKETED.findall(text):
        for token in re.split(r"[/,，、;；\s]", inside):
            if token in LEVEL_RANKS:
                return LEVEL_RANKS[token]
    base = _BRACKETED.sub("", text)
    for suffix in _NAME_SUFFIXES:
        if base.endswith(suffix) and len(base) > len(suffix):
            base = base[: -len(suffix)]
            break
    for word in _LEVELS_LONGEST_FIRST:
        if base.endswith(word) and len(base) > len(word):
            return LEVEL_RANKS[word]
    for word in _PREFIX_LEVELS:
        if base.startswith(word) and len(base) > len(word):
            return LEVEL_RANKS[word]
    return 0


def _split(value: str) -> tuple[str, ...]:
    return tuple(t.strip() for t in _SEPARATORS.split(value or "") if t.strip())


def load_credit_rules(path: str | Path | None = None) -> tuple[CreditRule, ...]:
    """Read and validate a credit-bank table (see the module docstring for the columns).

    Parameters
    ----------
    path : path, optional
        A CSV file (UTF-8, with or without BOM); defaults to the demo table shipped with the package.

    Raises
    ------
    CreditBankError
        Naming the file, the row (as a line number) and the column of every problem.
    """
    path = Path(path) if path is not None else CREDIT_BANK_CSV
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise CreditBankError(f"{path}: no such credit-bank table") from None
    reader = csv.DictReader(text.splitlines())
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or ())]
    if missing:
        raise CreditBankError(f"{path.name}: missing column(s) {', '.join(missing)}; expected {', '.join(COLUMNS)}")
    problems: list[str] = []
    rules: list[CreditRule] = []
    seen: set[str] = set()
    for line_no, row in enumerate(reader, start=2):
        def bad(column: str, problem: str, line_no=line_no) -> None:
            problems.append(f"line {line_no}, column {column}: {problem}")

        rule_id = (row.get("rule_id") or "").strip()
        if not rule_id:
            bad("rule_id", "empty")
        elif rule_id in seen:
            bad("rule_id", f"{rule_id!r} is used twice")
        seen.add(rule_id)
        terms = _split(row.get("certificate_terms", ""))
        if not terms:
            bad("certificate_terms", "empty; give at least one term")
        level_text = (row.get("min_level") or "").strip()
        if level_text and level_text not in LEVEL_RANKS:
            bad("min_level", f"{level_text!r} is not one of {', '.join(LEVEL_RANKS)}")
        keywords, codes = _split(row.get("course_keywords", "")), _split(row.get("major_codes", ""))
        if not keywords and not codes:
            bad("course_keywords", "course_keywords and major_codes are both empty; fill at least one")
        try:
            credits = Fraction((row.get("credits") or "").strip())
            if credits <= 0:
                raise ValueError
        except (ValueError, ZeroDivisionError):
            bad("credits", f"{row.get('credits')!r} is not a number of credits > 0")
            credits = Fraction(0)
        rules.append(CreditRule(rule_id, terms, LEVEL_RANKS.get(level_text, 0), keywords, codes, credits,
                                (row.get("note") or "").strip()))
    if problems:
        raise CreditBankError(f"{path.name}: {len(problems)} problem(s)\n  " + "\n  ".join(problems))
    return tuple(rules)


_DEFAULT_RULES: tuple[CreditRule, ...] | None = None


def _default_rules() -> tuple[CreditRule, ...]:
    global _DEFAULT_RULES
    if _DEFAULT_RULES is None:
        _DEFAULT_RULES = load_credit_rules()
    return _DEFAULT_RULES


def _course_matches(rule: CreditRule, course: Course) -> bool:
    if rule.course_keywords and not contains_any(course.name, rule.course_keywords):
        return False
    return not rule.major_codes or any(str(course.major_code).startswith(c) for c in rule.major_codes)


@lru_cache(maxsize=65536)
def _credits_fraction(credits: float) -> Fraction:
    """A course's credits as an exact fraction (its decimal spelling: 2.5 → 5/2)."""
    return Fraction(str(credits or 0))


class _RuleMatches:
    """Which rules match a course (by its name and major code), remembered for the last table of rules used:
    the rules do not change between calls and course names repeat across programs and workers."""

    def __init__(self, rules: tuple[CreditRule, ...]):
        self.rules = rules
        self._by_text: dict[tuple[str, str], tuple[int, ...]] = {}

    def of(self, course: Course) -> tuple[int, ...]:
        key = (course.name, str(course.major_code))
        found = self._by_text.get(key)
        if found is None:
            found = self._by_text[key] = tuple(ri for ri, rule in enumerate(self.rules)
                                               if _course_matches(rule, course))
        return found


_MATCHES: _RuleMatches | None = None


def _rule_matches(rules: tuple[CreditRule, ...]) -> _RuleMatches:
    global _MATCHES
    if _MATCHES is None or _MATCHES.rules is not rules:
        _MATCHES = _RuleMatches(rules)
    return _MATCHES


def credit_transfers(certificates: Iterable[str], courses: Sequence[Course], *,
                     rules: Sequence[CreditRule] | None = None,
                     program_credits: float | None = None,
                     max_share: Fraction = MAX_TRANSFER_SHARE) -> list[Transfer]:
    """The credits a worker's certificates transfer to a program's courses, within the program's cap.

    Parameters
    ----------
    certificates : iterable of str
        Certificate names as the worker gives them (``电工证（中级）``, ``焊工证``, ``养老护理员四级``).
    courses : sequence of Course
        The program's courses (``Catalog.courses_of_program``); reads course_id, name, major_code, credits.
    rules : sequence of CreditRule, optional
        Defaults to the demo table ``credit_bank.csv``.
    program_credits : float, optional
        The program's total credits; defaults to the sum of the courses' credits.
    max_share : Fraction
        The largest share of ``program_credits`` that transfers may cover (default one third).

    Returns
    -------
    list of Transfer
        In course order; each course at most once; total credits ≤ ``max_share × program_credits``.

    Examples
    --------
    >>> from recommender.catalog.model import Course
    >>> courses = [Course("C1", "焊接工艺基础", "660105", credits=4), Course("C2", "机械制图", "660105", credits=8)]
    >>> [(t.course_id, t.credits, t.rule_id) for t in credit_transfers(["焊工证"], courses)]
    [('C1', 4.0, 'CB-WELD-01')]
    """
    rules = _default_rules() if rules is None else tuple(rules)
    certificates = [c for c in dict.fromkeys(str(c).strip() for c in certificates) if c]
    given_total = Fraction(str(program_credits)) if program_credits is not None else None
    best: dict[int, tuple[Fraction, int, int, CreditRule, str]] = {}
    if not certificates:
        return []
    levels = {c: certificate_level(c) for c in certificates}
    matches = _rule_matches(rules)
    holds: dict[int, list[tuple[int, str]]] = {}  # rule → the certificates it accepts
    for ci, course in enumerate(courses):
        course_rules = matches.of(course)
        if not course_rules:
            continue
        course_credits = _credits_fraction(course.credits)
        if course_credits <= 0:
            continue
        for ri in course_rules:
            rule = rules[ri]
            accepted = holds.get(ri)
            if accepted is None:
                accepted = holds[ri] = [(ki, cert) for ki, cert in enumerate(certificates)
                                        if levels[cert] >= rule.min_level
                                        and contains_any(cert, rule.certificate_terms)]
            for ki, cert in accepted:
                candidate = (min(rule.credits, course_credits), -ri, -ki, rule, cert)
                if ci not in best or candidate[:3] > best[ci][:3]:
                    best[ci] = candidate
    if not best:
        return []
    if given_total is not None:
        total = given_total
    else:  # the exact sum, one fraction per distinct credit value
        per_value = Counter(c.credits for c in courses)
        total = sum((_credits_fraction(value) * n for value, n in per_value.items()), Fraction(0))
    cap = total * max_share
    kept: list[int] = []
    used = Fraction(0)
    for ci in sorted(best, key=lambda i: (-best[i][0], i)):
        if used + best[ci][0] <= cap:
            kept.append(ci)
            used += best[ci][0]
    out = []
    for ci in sorted(kept):
        credits, _, _, rule, cert = best[ci]
        course = courses[ci]
        out.append(Transfer(cert, course.course_id, course.name, float(credits), rule.rule_id, rule.note))
    return out
