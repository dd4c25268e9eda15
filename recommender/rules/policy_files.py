"""Subsidy policy files: one JSON file per region, validated when loaded.

A policy directory holds one ``<region>.json`` file per region (``national.json``, ``jiangsu-suzhou.json``, …);
the product ships demo files in ``recommender/rules/policies/``, and a deployment points elsewhere with the
``RECOMMENDER_POLICY_DIR`` environment variable or the CLI's ``--policies DIR``. Loading validates every file and
rejects the whole set on the first bad file, with messages that name the file and the field
(``jiangsu-suzhou.json: policies[0].rules[2].amount.percent: 120 is not a percentage in (0, 100]``).

File format (version 1)
-----------------------
::

    {
      "format": 1,
      "region": {"scope": "city", "province": "江苏省（演示）", "city": "苏州市", "aliases": ["苏州", "Suzhou"]},
      "demo": true,
      "policies": [
        {
          "policy_id": "suzhou-union-tuition",
          "name": "苏州市（演示）职工求学圆梦学费资助办法",
          "name_en": "Suzhou (demo) tuition aid for union members",
          "source": "演示政策，依据公开报道改编",
          "order": 20,
          "tiers": "highest",
          "exclusive_group": "suzhou-city-aid",
          "cap_yuan": null,
          "conditions": {"union_member": true, "program_levels": ["高职专科", "职教本科", "普通本科"]},
          "rules": [
            {"rule_id": "SZ-TUITION-1", "clause": "第三条第（一）项", "clause_en": "Art. 3(1)",
             "description": "市级及以上劳动模范资助全部学费", "description_en": "model workers: full tuition",
             "conditions": {"honours_any": ["市级劳动模范", "全国劳动模范"]},
             "amount": {"percent": 100}, "timing": "upfront"}
          ]
        }
      ]
    }

``region``
    ``scope`` is ``national``, ``province`` or ``city``. A city policy applies to workers whose ``city`` matches
    ``city`` or one of ``aliases``; a province policy to workers whose ``province`` matches ``province`` or an
    alias; a national policy to everyone. Place names are compared tolerantly: ``苏州`` = ``苏州市`` =
    ``苏州市（演示）``, and case-insensitively for Latin letters (see ``recommender.rules.text.place_key``).
``demo``
    ``true`` for made-up demo policies; each policy's ``source`` must then say ``演示``.
Policy fields
    ``policy_id`` (unique across all files), ``name`` and ``source`` (the citation: every amount shown cites the
    policy name, the rule's clause and this source note) are required. ``name_en``, ``source_en`` optional.
    ``order`` (integer, default 100): policies are applied lowest first; when the running total reaches the
    tuition, later lines are cut. ``tiers``: ``highest`` (default: only the largest matching rule of the policy
    is paid, i.e. "take the highest tier only") or ``all`` (every matching rule is paid). ``exclusive_group``:
    policies that share a group do not stack; only the one with the largest amount is paid (ties: lower
    ``order``, then ``policy_id``). Policies in different groups, or with no group, stack. ``cap_yuan``: a
    ceiling on the policy's total. ``conditions`` apply to every rule of the policy, in addition to the rule's own.
Rule fields
    ``rule_id`` (unique across all files), ``clause`` and ``description`` required; ``clause_en``,
    ``description_en`` optional. ``amount`` is exactly one of ``{"percent": p}`` (p % of the total tuition,
    0 < p ≤ 100, rounded down to the yuan) or ``{"fixed": n}`` (n yuan, an integer ≥ 0). ``cap_yuan`` caps the
    rule's amount. ``timing``: ``upfront`` (default; paid or deducted at enrolment, lowers what the worker pays
    now) or ``on_graduation`` (refunded after graduation).
Conditions (all given keys must hold)
    ``union_member`` (true/false) · ``honours_any`` (the worker holds an honour containing one of these terms) ·
    ``honours_none`` (holds none of them) · ``occupation`` (``{"codes": [...], "title_keywords": [...]}``: the
    worker's 大典 occupation code starts with one of the codes, compared by whole segments, ``4-02-07-00`` =
    ``4-02-07``; or the job title contains one of the keywords) · ``program_levels`` (subset of
    ``MAJOR_LEVELS``) · ``entry_routes`` (subset of ``ENTRY_ROUTES``) · ``education_any`` (the worker's
    education is one of these) · ``cities`` (the worker's city is one of these).
Whatever the data says, the engine never pays more than the tuition in total: net cost is never negative.
A ``note`` string is allowed anywhere for comments; any other unknown key is an error.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from pathlib import Path

from recommender.catalog.model import (
    ENTRY_ROUTES,
    MAJOR_LEVELS,
    SUBSIDY_TIER_MODES,
    SUBSIDY_TIMINGS,
    SubsidyPolicy,
    SubsidyRule,
)
from recommender.errors import UserError
from recommender.rules.eligibility import EligibilityError, normalize_education

FORMAT_VERSION = 1
POLICY_DIR = Path(__file__).with_name("policies")
POLICY_DIR_ENV = "RECOMMENDER_POLICY_DIR"
SCOPES = ("national", "province", "city")
CONDITION_KEYS = ("union_member", "honours_any", "honours_none", "occupation", "program_levels", "entry_routes",
                  "education_any", "cities")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
_OCCUPATION_CODE = re.compile(r"^\d(?:-\d{2}){0,3}$")


class PolicyFileError(UserError):
    """A policy file that cannot be used; the message names the file and the field."""


class _Problems:
    """Collects the problems of one file, each with its field path."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.items: list[str] = []

    def add(self, where: str, problem: str) -> None:
        self.items.append(f"{where}: {problem}" if where else problem)

    def raise_if_any(self) -> None:
        if self.items:
            lines = "\n  ".join(self.items)
            raise PolicyFileError(f"{self.source}: {len(self.items)} problem(s)\n  {lines}")


def _keys(obj: dict, where: str, allowed: Iterable[str], required: Iterable[str], problems: _Problems) -> None:
    allowed = set(allowed) | {"note"}
    for key in obj:
        if key not in allowed:
            problems.add(f"{where}.{key}" if where else key,
                         f"unknown key; expected one of {', '.join(sorted(allowed))}")
    for key in required:
        if key not in obj:
            problems.add(f"{where}.{key}" if where else key, "missing")


def _text(obj: dict, key: str, where: str, problems: _Problems, required: bool = False) -> str:
    if required and key not in obj:
        problems.add(f"{where}.{key}", "missing")
        return ""
    value = obj.get(key, "")
    if not isinstance(value, str):
        problems.add(f"{where}.{key}", f"must be a string, got {value!r}")
        return ""
    if required and not value.strip():
        problems.add(f"{where}.{key}", "must not be empty")
    return value.strip()


def _cap(obj: dict, where: str, problems: _Problems) -> int | None:
    value = obj.get("cap_yuan")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        problems.add(f"{where}.cap_yuan", f"must be a whole number of yuan ≥ 0 or null, got {value!r}")
        return None
    return value


def _string_list(value, where: str, problems: _Problems, choices: tuple[str, ...] = ()) -> list[str]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
        problems.add(where, f"must be a non-empty list of non-empty strings, got {value!r}")
        return []
    if choices:
        for v in value:
            if v not in choices:
                problems.add(where, f"{v!r} is not one of {', '.join(choices)}")
    return [v.strip() for v in value]


def _conditions(value, where: str, problems: _Problems) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        problems.add(where, f"must be an object, got {value!r}")
        return {}
    _keys(value, where, CONDITION_KEYS, (), problems)
    out: dict = {}
    for key, v in value.items():
        at = f"{where}.{key}"
        if key == "union_member":
            if not isinstance(v, bool):
                problems.add(at, f"must be true or false, got {v!r}")
            out[key] = v
        elif key in ("honours_any", "honours_none", "cities"):
            out[key] = tuple(_string_list(v, at, problems))
        elif key == "program_levels":
            out[key] = tuple(_string_list(v, at, problems, MAJOR_LEVELS))
        elif key == "entry_routes":
            out[key] = tuple(_string_list(v, at, problems, ENTRY_ROUTES))
        elif key == "education_any":
            levels = []
            for item in _string_list(v, at, problems):
                try:
                    levels.append(normalize_education(item))
                except EligibilityError as exc:
                    problems.add(at, str(exc))
            out[key] = tuple(dict.fromkeys(levels))
        elif key == "occupation":
            out[key] = _occupation(v, at, problems)
    return out


def _occupation(value, where: str, problems: _Problems) -> dict:
    if not isinstance(value, dict):
        problems.add(where, f'must be an object {{"codes": [...], "title_keywords": [...]}}, got {value!r}')
        return {}
    _keys(value, where, ("codes", "title_keywords"), (), problems)
    if not value.get("codes") and not value.get("title_keywords"):
        problems.add(where, "needs codes or title_keywords")
    out = {}
    if "codes" in value:
        codes = _string_list(value["codes"], f"{where}.codes", problems)
        for code in codes:
            if not _OCCUPATION_CODE.match(code):
                problems.add(f"{where}.codes", f"{code!r} is not a 大典 code or prefix like 4-02-07-08 or 4-02-07")
        out["codes"] = tuple(codes)
    if "title_keywords" in value:
        out["title_keywords"] = tuple(_string_list(value["title_keywords"], f"{where}.title_keywords", problems))
    return out


def _amount(value, where: str, problems: _Problems) -> dict:
    if not isinstance(value, dict) or len(value) != 1 or next(iter(value)) not in ("percent", "fixed"):
        problems.add(where, f'must be exactly one of {{"percent": p}} or {{"fixed": yuan}}, got {value!r}')
        return {}
    kind, number = next(iter(value.items()))
    if kind == "percent":
        if isinstance(number, bool) or not isinstance(number, (int, float)) or not 0 < number <= 100:
            problems.add(f"{where}.percent", f"{number!r} is not a percentage in (0, 100]")
    elif isinstance(number, bool) or not isinstance(number, int) or number < 0:
        problems.add(f"{where}.fixed", f"{number!r} is not a whole number of yuan ≥ 0")
    return {kind: number}


def _region(value, problems: _Problems) -> dict:
    if not isinstance(value, dict):
        problems.add("region", f"must be an object, got {value!r}")
        return {"scope": "national", "province": "", "city": "", "aliases": ()}
    _keys(value, "region", ("scope", "province", "city", "aliases"), ("scope",), problems)
    scope = value.get("scope")
    if "scope" in value and scope not in SCOPES:
        problems.add("region.scope", f"{scope!r} is not one of {', '.join(SCOPES)}")
    province = _text(value, "province", "region", problems, required=scope == "province")
    city = _text(value, "city", "region", problems, required=scope == "city")
    if scope == "national" and (province or city):
        problems.add("region", "a national region has no province or city")
    if scope == "province" and city:
        problems.add("region.city", "a province region has no city")
    aliases = tuple(_string_list(value["aliases"], "region.aliases", problems)) if "aliases" in value else ()
    return {"scope": scope, "province": province, "city": city if scope == "city" else "", "aliases": aliases}


def parse_policy_document(doc, source: str) -> tuple[SubsidyPolicy, ...]:
    """Validate one parsed policy file and build its policies.

    Parameters
    ----------
    doc : dict
        The file's JSON content.
    source : str
        The file name, used in error messages.

    Returns
    -------
    tuple of SubsidyPolicy

    Raises
    ------
    PolicyFileError
        Listing every problem found, each with its field path.
    """
    problems = _Problems(source)
    if not isinstance(doc, dict):
        problems.add("", f"the file must hold a JSON object, got {type(doc).__name__}")
        problems.raise_if_any()
    _keys(doc, "", ("format", "region", "demo", "policies"), ("format",), problems)
    if "format" in doc and doc["format"] != FORMAT_VERSION:
        problems.add("format", f"{doc['format']!r} is not a supported format version; expected {FORMAT_VERSION}")
    region = _region(doc.get("region"), problems)
    demo = doc.get("demo", False)
    if not isinstance(demo, bool):
        problems.add("demo", f"must be true or false, got {demo!r}")
        demo = False
    display = {"national": "全国", "province": region["province"]}.get(
        region["scope"], f"{region['province']}{region['city']}")
    raw_policies = doc.get("policies")
    if not isinstance(raw_policies, list) or not raw_policies:
        problems.add("policies", "must be a non-empty list of policies")
        raw_policies = []
    policies = []
    seen_rules: set[str] = set()
    seen_policies: set[str] = set()
    for i, raw in enumerate(raw_policies):
        where = f"policies[{i}]"
        if not isinstance(raw, dict):
            problems.add(where, f"must be an object, got {raw!r}")
            continue
        _keys(raw, where, ("policy_id", "name", "name_en", "source", "source_en", "order", "tiers",
                           "exclusive_group", "cap_yuan", "conditions", "rules"),
              (), problems)
        policy_id = _text(raw, "policy_id", where, problems, required=True)
        if policy_id and not _ID.match(policy_id):
            problems.add(f"{where}.policy_id", f"{policy_id!r}: use letters, digits, '_', '.', '-'")
        if policy_id in seen_policies:
            problems.add(f"{where}.policy_id", f"{policy_id!r} is used twice")
        seen_policies.add(policy_id)
        name = _text(raw, "name", where, problems, required=True)
        source_note = _text(raw, "source", where, problems, required=True)
        if demo and source_note and "演示" not in source_note:
            problems.add(f"{where}.source", "a demo file's source note must say 演示 (e.g. 演示政策，依据公开报道改编)")
        order = raw.get("order", 100)
        if isinstance(order, bool) or not isinstance(order, int):
            problems.add(f"{where}.order", f"must be an integer, got {order!r}")
            order = 100
        tiers = raw.get("tiers", "highest")
        if tiers not in SUBSIDY_TIER_MODES:
            problems.add(f"{where}.tiers", f"{tiers!r} is not one of {', '.join(SUBSIDY_TIER_MODES)}")
        group = _text(raw, "exclusive_group", where, problems)
        policy_conditions = _conditions(raw.get("conditions"), f"{where}.conditions", problems)
        rules = []
        raw_rules = raw.get("rules")
        if not isinstance(raw_rules, list) or not raw_rules:
            problems.add(f"{where}.rules", "must be a non-empty list of rules")
            raw_rules = []
        for j, rule in enumerate(raw_rules):
            at = f"{where}.rules[{j}]"
            if not isinstance(rule, dict):
                problems.add(at, f"must be an object, got {rule!r}")
                continue
            _keys(rule, at, ("rule_id", "clause", "clause_en", "description", "description_en", "conditions",
                             "amount", "cap_yuan", "timing"), (),
                  problems)
            rule_id = _text(rule, "rule_id", at, problems, required=True)
            if rule_id and not _ID.match(rule_id):
                problems.add(f"{at}.rule_id", f"{rule_id!r}: use letters, digits, '_', '.', '-'")
            if rule_id in seen_rules:
                problems.add(f"{at}.rule_id", f"{rule_id!r} is used twice")
            seen_rules.add(rule_id)
            timing = rule.get("timing", "upfront")
            if timing not in SUBSIDY_TIMINGS:
                problems.add(f"{at}.timing", f"{timing!r} is not one of {', '.join(SUBSIDY_TIMINGS)}")
            rules.append(SubsidyRule(
                rule_id=rule_id,
                policy=policy_id,
                region=display,
                description=_text(rule, "description", at, problems, required=True),
                conditions=_conditions(rule.get("conditions"), f"{at}.conditions", problems),
                amount=_amount(rule.get("amount"), f"{at}.amount", problems),
                clause=_text(rule, "clause", at, problems, required=True),
                clause_en=_text(rule, "clause_en", at, problems),
                description_en=_text(rule, "description_en", at, problems),
                timing=timing,
                cap_yuan=_cap(rule, at, problems),
            ))
        policies.append(SubsidyPolicy(
            policy_id=policy_id,
            name=name,
            region=display,
            rules=tuple(rules),
            source=source_note,
            name_en=_text(raw, "name_en", where, problems),
            source_en=_text(raw, "source_en", where, problems),
            province=region["province"],
            city=region["city"],
            region_aliases=region["aliases"],
            conditions=policy_conditions,
            tiers=tiers,
            exclusive_group=group,
            order=order,
            cap_yuan=_cap(raw, where, problems),
            demo=demo,
            source_file=source,
        ))
    problems.raise_if_any()
    return tuple(policies)


def load_policy_file(path: str | Path) -> tuple[SubsidyPolicy, ...]:
    """Read and validate one policy file (see the module docstring for the format).

    Raises
    ------
    PolicyFileError
        If the file is missing, is not JSON, or breaks the format.
    """
    path = Path(path)
    try:
        doc = json.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise PolicyFileError(f"{path}: no such policy file") from None
    except json.JSONDecodeError as exc:
        raise PolicyFileError(f"{path.name}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") \
            from None
    return parse_policy_document(doc, path.name)


def default_policy_dir() -> Path:
    """``$RECOMMENDER_POLICY_DIR`` if set, else the demo policies shipped with the package."""
    env = os.environ.get(POLICY_DIR_ENV, "").strip()
    return Path(env) if env else POLICY_DIR


def load_policies(source: str | Path | Iterable[str | Path] | None = None) -> tuple[SubsidyPolicy, ...]:
    """Load every policy of a directory (all ``*.json`` files) or of the given files, validated as one set.

    Parameters
    ----------
    source : path, iterable of paths, or None
        A directory, one file, or several files. None: ``default_policy_dir()``.

    Returns
    -------
    tuple of SubsidyPolicy
        In file-name order, then file order.

    Raises
    ------
    PolicyFileError
        On the first bad file, or when a policy_id or rule_id appears in two files.
    """
    if source is None:
        source = default_policy_dir()
    if isinstance(source, (str, Path)):
        root = Path(source)
        if root.is_dir():
            files = sorted(root.glob("*.json"))
            if not files:
                raise PolicyFileError(f"{root}: no *.json policy files in this directory")
        else:
            files = [root]
    else:
        files = [Path(p) for p in source]
    policies: list[SubsidyPolicy] = []
    owner_of: dict[str, str] = {}
    for path in files:
        for policy in load_policy_file(path):
            for key in (f"policy {policy.policy_id}", *(f"rule {r.rule_id}" for r in policy.rules)):
                if key in owner_of:
                    raise PolicyFileError(f"{path.name}: {key} is already defined in {owner_of[key]}; ids must be "
                                          "unique across policy files")
                owner_of[key] = path.name
            policies.append(policy)
    return tuple(policies)
