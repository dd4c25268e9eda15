"""The subsidy rules engine: policies as data, evaluated deterministically for a (worker, program) pair.

Every amount is a line that names its rule, says how it was computed (``70% × 学费 12,000 元 = 8,400 元``) and cites
the policy clause and its source. The policy file format, conditions and stacking semantics are documented in
``recommender.rules.policy_files``. Evaluation, in this order:

1. For each policy whose region and conditions hold, the rules whose conditions hold are priced on the total
   tuition (percent rounded down to the yuan, then the rule's ``cap_yuan``). ``tiers: highest`` keeps the largest
   one (ties: the earlier rule in the file); ``tiers: all`` keeps each. The policy's ``cap_yuan`` trims the kept
   lines in rule order.
2. Policies that share an ``exclusive_group`` do not stack: the one with the largest total is kept (ties: lower
   ``order``, then ``policy_id``).
3. The kept policies are applied by ``order`` (then ``policy_id``); a line is cut to what is left of the tuition,
   so the total never exceeds the tuition and the net cost is never negative.

Whatever was matched but not paid is reported in ``SubsidyResult.skipped`` with the reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from decimal import ROUND_FLOOR, Decimal
from functools import cached_property

from recommender.catalog.model import Program, SubsidyPolicy, SubsidyRule, Worker
from recommender.errors import UserError
from recommender.rules.eligibility import normalize_education
from recommender.rules.policy_files import default_policy_dir, load_policies
from recommender.rules.text import contains_any, fold, place_key

TIMING_ZH = {"upfront": "入学时兑现", "on_graduation": "毕业后返还"}
TIMING_EN = {"upfront": "at enrolment", "on_graduation": "refunded after graduation"}


@dataclass(frozen=True)
class SubsidyLine:
    """One amount paid, the rule it came from, how it was computed and the clause it cites."""

    rule_id: str
    policy_id: str
    policy: str  # the policy's name
    amount: int  # yuan, > 0
    timing: str  # upfront · on_graduation
    basis: str  # how it was computed, zh
    basis_en: str
    citation: str  # policy name + clause + source note, zh
    citation_en: str


@dataclass(frozen=True)
class SkippedRule:
    """A rule whose conditions held but that paid nothing, and why."""

    rule_id: str
    policy_id: str
    amount: int  # what it would have paid on its own
    reason: str
    reason_en: str


@dataclass(frozen=True)
class SubsidyResult:
    """The subsidies a worker gets for a program: lines, totals and what they leave to pay, now and in the end."""

    tuition: int
    lines: tuple[SubsidyLine, ...]
    skipped: tuple[SkippedRule, ...] = ()

    # The totals are read for every program a worker is shown, ranked or filtered by: computed once.
    @cached_property
    def total_subsidy(self) -> int:
        return sum(line.amount for line in self.lines)

    @cached_property
    def upfront_subsidy(self) -> int:
        return sum(line.amount for line in self.lines if line.timing == "upfront")

    @cached_property
    def refund_on_graduation(self) -> int:
        return sum(line.amount for line in self.lines if line.timing == "on_graduation")

    @cached_property
    def pay_now(self) -> int:
        """What the worker pays at enrolment: tuition less the upfront lines."""
        return self.tuition - self.upfront_subsidy

    @cached_property
    def net_cost(self) -> int:
        """What the worker pays in the end, after the graduation refunds too; never negative."""
        return self.tuition - self.total_subsidy

    def to_dict(self) -> dict:
        return {
            "tuition": self.tuition,
            "total_subsidy": self.total_subsidy,
            "pay_now": self.pay_now,
            "refund_on_graduation": self.refund_on_graduation,
            "net_cost": self.net_cost,
            "lines": [asdict(line) for line in self.lines],
            "skipped": [asdict(s) for s in self.skipped],
        }

    def explain(self, lang: str = "zh") -> str:
        """A plain explanation of every amount and the totals, in Chinese (``zh``) or English (``en``)."""
        return _explain_en(self) if lang == "en" else _explain_zh(self)


_CACHE: dict[tuple, tuple[SubsidyPolicy, ...]] = {}


def default_policies() -> tuple[SubsidyPolicy, ...]:
    """The policies of ``default_policy_dir()``, loaded once and reloaded when a file changes."""
    root = default_policy_dir()
    files = sorted(root.glob("*.json")) if root.is_dir() else [root]
    key = (str(root), *((f.name, f.stat().st_mtime_ns, f.stat().st_size) for f in files if f.exists()))
    if key not in _CACHE:
        _CACHE.clear()
        _CACHE[key] = load_policies(root)
    return _CACHE[key]


def _yuan(n: int) -> str:
    return f"{n:,}"


def _percent_text(p) -> str:
    return f"{Decimal(str(p)).normalize():f}%"


def _price(rule: SubsidyRule, tuition: int) -> tuple[int, str, str]:
    """The rule's own amount on the total tuition (its cap applied), and how it was computed."""
    if "percent" in rule.amount:
        pct = rule.amount["percent"]
        amount = int((Decimal(str(pct)) * tuition / 100).to_integral_value(rounding=ROUND_FLOOR))
        zh = f"{_percent_text(pct)} × 学费 {_yuan(tuition)} 元 = {_yuan(amount)} 元"
        en = f"{_percent_text(pct)} × tuition ¥{_yuan(tuition)} = ¥{_yuan(amount)}"
    else:
        amount = int(rule.amount["fixed"])
        zh, en = f"定额 {_yuan(amount)} 元", f"fixed ¥{_yuan(amount)}"
    if rule.cap_yuan is not None and amount > rule.cap_yuan:
        amount = rule.cap_yuan
        zh += f"，超过本项上限，按上限 {_yuan(amount)} 元计"
        en += f", over this rule's cap, so ¥{_yuan(amount)}"
    return amount, zh, en


def _region_holds(policy: SubsidyPolicy, worker: Worker) -> bool:
    if policy.city:
        keys = {place_key(policy.city), *(place_key(a) for a in policy.region_aliases)}
        return bool(worker.city) and place_key(worker.city) in keys
    if policy.province:
        keys = {place_key(policy.province), *(place_key(a) for a in policy.region_aliases)}
        return bool(worker.province) and place_key(worker.province) in keys
    return True


def _code_matches(code: str, prefix: str) -> bool:
    parts = prefix.split("-")
    while len(parts) > 1 and parts[-1] == "00":
        parts.pop()
    prefix = "-".join(parts)
    return code == prefix or code.startswith(prefix + "-")


def _has_honour(worker: Worker, terms: Sequence[str]) -> bool:
    return any(contains_any(h, terms) for h in worker.honours)


def conditions_hold(conditions: dict, worker: Worker, program: Program) -> bool:
    """Whether every condition (see ``recommender.rules.policy_files``) holds for this worker and program."""
    for key, value in conditions.items():
        if key == "union_member":
            ok = worker.union_member == value
        elif key == "honours_any":
            ok = _has_honour(worker, value)
        elif key == "honours_none":
            ok = not _has_honour(worker, value)
        elif key == "occupation":
            code = fold(worker.occupation_code)
            ok = (bool(code) and any(_code_matches(code, fold(c)) for c in value.get("codes", ()))) or bool(
                contains_any(worker.job_title, value.get("title_keywords", ())))
        elif key == "program_levels":
            ok = program.level in value
        elif key == "entry_routes":
            ok = program.entry_route in value
        elif key == "education_any":
            ok = normalize_education(worker.education) in value
        elif key == "cities":
            ok = bool(worker.city) and place_key(worker.city) in {place_key(c) for c in value}
        else:  # the loader rejects unknown keys; a hand-built policy must not pass silently
            raise ValueError(f"unknown subsidy condition {key!r}")
        if not ok:
            return False
    return True


def _citation(policy: SubsidyPolicy, rule: SubsidyRule) -> tuple[str, str]:
    zh = f"{policy.name} {rule.clause}（{policy.source}）"
    source_en = policy.source_en or ("demo policy adapted from public reports" if policy.demo else policy.source)
    en = f"{policy.name_en or policy.name}, {rule.clause_en or rule.clause} ({source_en})"
    return zh, en


@dataclass
class _Draft:
    rule: SubsidyRule
    amount: int
    basis: str
    basis_en: str


def _applicable_rules(policy: SubsidyPolicy, worker: Worker, program: Program) -> tuple[SubsidyRule, ...]:
    """The policy's rules whose conditions hold, in file order; none when the policy's region or conditions fail."""
    if not _region_holds(policy, worker) or not conditions_hold(policy.conditions, worker, program):
        return ()
    return tuple(rule for rule in policy.rules if conditions_hold(rule.conditions, worker, program))


def _policy_drafts(policy: SubsidyPolicy, rules: Sequence[SubsidyRule], tuition: int,
                   skipped: list[SkippedRule]) -> list[_Draft]:
    """Step 1: the policy's lines on their own, from its rules that hold (rule caps, highest tier, policy cap)."""
    drafts = [_Draft(rule, *_price(rule, tuition)) for rule in rules]
    if policy.tiers == "highest" and len(drafts) > 1:
        best = max(drafts, key=lambda d: d.amount)  # max keeps the first of equals: the earlier rule
        for d in drafts:
            if d is not best:
                skipped.append(SkippedRule(
                    d.rule.rule_id, policy.policy_id, d.amount,
                    f"同一政策就高享受，已按 {best.rule.rule_id}（{best.rule.description}）计",
                    f"highest tier only: {best.rule.rule_id} applies instead"))
        drafts = [best]
    if policy.cap_yuan is not None:
        left = policy.cap_yuan
        for d in drafts:
            if d.amount > left:
                d.basis += f"，本政策合计上限 {_yuan(policy.cap_yuan)} 元，按 {_yuan(left)} 元计"
                d.basis_en += f"; the policy's total cap of ¥{_yuan(policy.cap_yuan)} leaves ¥{_yuan(left)}"
                d.amount = left
            left -= d.amount
    return drafts


def _check_tuition(tuition) -> None:
    if isinstance(tuition, bool) or not isinstance(tuition, int) or tuition < 0:
        raise ValueError(f"total_tuition must be a whole number of yuan ≥ 0, got {tuition!r}")


def evaluate_subsidies(worker: Worker, program: Program, total_tuition: int | None = None,
                       policies: Sequence[SubsidyPolicy] | None = None) -> SubsidyResult:
    """Evaluate every subsidy policy for a worker enrolling in a program.

    Parameters
    ----------
    worker : Worker
        Reads city, province, union_member, honours, occupation_code, job_title, education.
    program : Program
        Reads level and entry_route (and total_tuition when ``total_tuition`` is None).
    total_tuition : int, optional
        The tuition of the whole program in yuan (≥ 0); defaults to ``program.total_tuition``.
    policies : sequence of SubsidyPolicy, optional
        Defaults to ``default_policies()`` (``$RECOMMENDER_POLICY_DIR`` or the shipped demo policies, cached).
        Their order in the sequence does not matter.

    Returns
    -------
    SubsidyResult
        ``lines`` (each with rule_id, policy, amount, basis and citation), ``total_subsidy``, ``pay_now``,
        ``refund_on_graduation``, ``net_cost`` (0 ≤ net_cost ≤ tuition) and ``skipped``.

    Examples
    --------
    >>> from recommender.catalog.model import Program, Worker
    >>> w = Worker("W1", "快递员", occupation_code="4-02-07-08", city="南京市", union_member=True)
    >>> p = Program("P1", "C1", "530802", "高职专科", "线上", ("周末",), 3, 3000, "开放教育注册", ())
    >>> r = evaluate_subsidies(w, p)
    >>> r.tuition, r.total_subsidy, r.net_cost
    (9000, 8200, 800)
    """
    tuition = program.total_tuition if total_tuition is None else total_tuition
    _check_tuition(tuition)
    if policies is None:
        policies = default_policies()
    ordered = sorted(policies, key=lambda p: (p.order, p.policy_id))
    applicable = [(policy, rules) for policy in ordered if (rules := _applicable_rules(policy, worker, program))]
    return _settle(applicable, tuition)


def _settle(applicable: Sequence[tuple[SubsidyPolicy, Sequence[SubsidyRule]]], tuition: int) -> SubsidyResult:
    """Steps 1–3 for the rules that hold, per policy in application order: the result depends on nothing else."""
    skipped: list[SkippedRule] = []
    outcomes = [(policy, _policy_drafts(policy, rules, tuition, skipped)) for policy, rules in applicable]
    outcomes = [(p, drafts) for p, drafts in outcomes if drafts]

    # Step 2: one policy per exclusive group, the largest (ties: the earlier in application order).
    winners: dict[str, tuple[SubsidyPolicy, int]] = {}
    for policy, drafts in outcomes:
        total = sum(d.amount for d in drafts)
        if policy.exclusive_group and (policy.exclusive_group not in winners
                                       or total > winners[policy.exclusive_group][1]):
            winners[policy.exclusive_group] = (policy, total)
    lines: list[SubsidyLine] = []
    left = tuition
    for policy, drafts in outcomes:
        winner = winners[policy.exclusive_group][0] if policy.exclusive_group else policy
        for d in drafts:
            if winner is not policy:
                skipped.append(SkippedRule(
                    d.rule.rule_id, policy.policy_id, d.amount,
                    f"与「{winner.name}」不重复享受（就高），已按该政策计",
                    f"does not stack with '{winner.name_en or winner.name}'; the larger one applies"))
                continue
            # Step 3: never more than the tuition in total.
            if d.amount > left:
                if left == 0:
                    skipped.append(SkippedRule(d.rule.rule_id, policy.policy_id, d.amount,
                                               "资助总额已达学费，本项不再发放",
                                               "total aid already equals the tuition; nothing more is paid"))
                    continue
                d.basis += f"；资助总额不超过学费，剩余可资助 {_yuan(left)} 元，按 {_yuan(left)} 元计"
                d.basis_en += f"; total aid may not exceed tuition, ¥{_yuan(left)} was left, so ¥{_yuan(left)}"
                d.amount = left
            if d.amount <= 0:
                skipped.append(SkippedRule(d.rule.rule_id, policy.policy_id, 0, f"金额为 0 元（{d.basis}）",
                                           f"amounts to ¥0 ({d.basis_en})"))
                continue
            citation, citation_en = _citation(policy, d.rule)
            lines.append(SubsidyLine(d.rule.rule_id, policy.policy_id, policy.name, d.amount, d.rule.timing,
                                     d.basis, d.basis_en, citation, citation_en))
            left -= d.amount
    return SubsidyResult(tuition=tuition, lines=tuple(lines), skipped=tuple(skipped))


# -- many evaluations ---------------------------------------------------------------------------------------------
PROGRAM_CONDITIONS = ("program_levels", "entry_routes")  # the conditions that read the program; all others the worker


def _split_conditions(conditions: dict) -> tuple[dict, dict]:
    worker_part = {k: v for k, v in conditions.items() if k not in PROGRAM_CONDITIONS}
    program_part = {k: v for k, v in conditions.items() if k in PROGRAM_CONDITIONS}
    return worker_part, program_part


def _level_route_hold(conditions: dict, level: str, entry_route: str) -> bool:
    """The program part of a condition set (``PROGRAM_CONDITIONS``) for a program of this level and entry route."""
    return all(level in v if k == "program_levels" else entry_route in v for k, v in conditions.items())


class SubsidyEvaluator:
    """``evaluate_subsidies`` for many (worker, program) pairs over one set of policies, with the same results.

    A result depends only on which rules hold and on the tuition, and most of the conditions read the worker
    alone. So the conditions are split once into their worker and program parts (``PROGRAM_CONDITIONS``); for a
    worker, the worker parts are checked once (``for_worker``); for a program, only its level and entry route are
    checked, and the settled result is remembered by (rules that hold, tuition), up to ``memo_size`` results.
    tests/rules/test_subsidy_properties.py checks the equality on generated policies, workers and programs.

    Examples
    --------
    >>> from recommender.catalog.model import Program, Worker
    >>> w = Worker("W1", "快递员", occupation_code="4-02-07-08", city="南京市", union_member=True)
    >>> p = Program("P1", "C1", "530802", "高职专科", "线上", ("周末",), 3, 3000, "开放教育注册", ())
    >>> SubsidyEvaluator().for_worker(w)(p).net_cost
    800
    """

    def __init__(self, policies: Sequence[SubsidyPolicy] | None = None, memo_size: int = 65536):
        self.policies = tuple(default_policies() if policies is None else policies)
        self.ordered = sorted(self.policies, key=lambda p: (p.order, p.policy_id))
        self._split = [(_split_conditions(p.conditions), [_split_conditions(r.conditions) for r in p.rules])
                       for p in self.ordered]
        self.memo_size = memo_size
        self._settled: dict[tuple, SubsidyResult] = {}
        self._signatures: dict[tuple, dict[tuple[str, str], tuple]] = {}  # worker key → (level, route) → rules

    def evaluate(self, worker: Worker, program: Program, total_tuition: int | None = None) -> SubsidyResult:
        """``evaluate_subsidies(worker, program, total_tuition, self.policies)``."""
        return self.for_worker(worker)(program, total_tuition)

    def for_worker(self, worker: Worker):
        """A function ``(program, total_tuition=None) → SubsidyResult`` for this worker."""
        key = self.worker_key(worker)
        if key is None:  # the reference raises (or not) as it would
            return lambda program, total_tuition=None: evaluate_subsidies(worker, program, total_tuition,
                                                                          self.policies)
        return self.for_key(key)

    def for_key(self, key: tuple):
        """``for_worker(w)`` for every worker ``w`` with ``worker_key(w) == key``."""

        def evaluate(program: Program, total_tuition: int | None = None) -> SubsidyResult:
            tuition = program.total_tuition if total_tuition is None else total_tuition
            _check_tuition(tuition)
            return self.evaluate_key(key, program.level, program.entry_route, tuition)

        return evaluate

    def worker_key(self, worker: Worker) -> tuple | None:
        """What of the policies holds for ``worker`` alone: per policy (in application order), ``None`` when its
        region or worker conditions fail, else the indexes of its rules whose worker conditions hold.

        Workers with the same key get the same result for every program (``evaluate_key``). ``None`` when a
        condition cannot be checked for this worker (``evaluate_subsidies`` then raises, or not, as it would).
        """
        try:
            key = []
            for policy, ((policy_worker, _), rule_parts) in zip(self.ordered, self._split):
                if not _region_holds(policy, worker) or not conditions_hold(policy_worker, worker, None):
                    key.append(None)
                    continue
                key.append(tuple(j for j, (rule_worker, _) in enumerate(rule_parts)
                                 if conditions_hold(rule_worker, worker, None)))
        except (UserError, ValueError, TypeError, AttributeError):
            return None
        return tuple(key)

    def evaluate_key(self, key: tuple, level: str, entry_route: str, tuition: int) -> SubsidyResult:
        """The result for workers of ``key`` (``worker_key``) and a program of this level, entry route and total
        tuition (a whole number of yuan ≥ 0, checked by the caller)."""
        signatures = self._signatures.get(key)
        if signatures is None:
            if len(self._signatures) >= self.memo_size:
                self._signatures.clear()
            signatures = self._signatures[key] = {}
        signature = signatures.get((level, entry_route))
        if signature is None:
            held_by_policy = []
            for i, held in enumerate(key):
                if held is None:
                    continue
                (_, policy_program), rule_parts = self._split[i]
                if not _level_route_hold(policy_program, level, entry_route):
                    continue
                rules = tuple(j for j in held if _level_route_hold(rule_parts[j][1], level, entry_route))
                if rules:
                    held_by_policy.append((i, rules))
            signature = signatures[(level, entry_route)] = tuple(held_by_policy)
        return self._settle(signature, tuition)

    def _settle(self, signature: tuple, tuition: int) -> SubsidyResult:
        memo_key = (signature, tuition)
        result = self._settled.get(memo_key)
        if result is None:
            if len(self._settled) >= self.memo_size:
                self._settled.clear()
            applicable = [(self.ordered[i], tuple(self.ordered[i].rules[j] for j in held)) for i, held in signature]
            result = self._settled[memo_key] = _settle(applicable, tuition)
        return result


def _explain_zh(r: SubsidyResult) -> str:
    out = [f"学费合计 {_yuan(r.tuition)} 元。"]
    if not r.lines:
        out.append(f"没有适用的资助政策，需自付全部学费 {_yuan(r.tuition)} 元。")
    else:
        out.append("资助明细：")
        for i, line in enumerate(r.lines, 1):
            out.append(f"  {i}. {line.policy}：{line.basis}（{TIMING_ZH[line.timing]}）")
            out.append(f"     依据：{line.citation}")
        summary = f"资助合计 {_yuan(r.total_subsidy)} 元。入学时实付 {_yuan(r.pay_now)} 元"
        if r.refund_on_graduation:
            summary += f"，毕业后返还 {_yuan(r.refund_on_graduation)} 元"
        out.append(summary + f"，最终自付 {_yuan(r.net_cost)} 元。")
    if r.skipped:
        out.append("未计入：")
        out.extend(f"  - {s.rule_id}：{s.reason}" for s in r.skipped)
    return "\n".join(out)


def _explain_en(r: SubsidyResult) -> str:
    out = [f"Total tuition: ¥{_yuan(r.tuition)}."]
    if not r.lines:
        out.append(f"No subsidy applies; you pay the full tuition of ¥{_yuan(r.tuition)}.")
    else:
        out.append("Subsidies:")
        for i, line in enumerate(r.lines, 1):
            out.append(f"  {i}. {line.basis_en} ({TIMING_EN[line.timing]})")
            out.append(f"     Source: {line.citation_en}")
        summary = f"Total aid ¥{_yuan(r.total_subsidy)}. You pay ¥{_yuan(r.pay_now)} at enrolment"
        if r.refund_on_graduation:
            summary += f", get ¥{_yuan(r.refund_on_graduation)} back after graduation"
        out.append(summary + f", and your final cost is ¥{_yuan(r.net_cost)}.")
    if r.skipped:
        out.append("Not counted:")
        out.extend(f"  - {s.rule_id}: {s.reason_en}" for s in r.skipped)
    return "\n".join(out)
