"""``recommender rules``: the deterministic rules — the education ladder, subsidies, credit-bank transfers.

Subcommands: ``ladder``, ``eligibility``, ``subsidies``, ``policies`` (validate and list policy files), ``credits``.
"""

from __future__ import annotations

import json
import sys

from recommender.catalog.model import ENTRY_ROUTES, MAJOR_LEVELS, Course, Program, Worker
from recommender.errors import UserError


def register(subparsers) -> None:
    p = subparsers.add_parser("rules", help="eligibility ladder, subsidy policies and credit-bank transfers",
                              description=__doc__)
    sub = p.add_subparsers(dest="rules_command", metavar="RULES_COMMAND")
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])

    q = sub.add_parser("ladder", help="the education ladder: which levels each education may enrol in")
    q.add_argument("--education", help="show one education only (Chinese or English, e.g. 大专, high school)")
    q.add_argument("--json", action="store_true", help="print JSON")
    q.set_defaults(func=run_ladder)

    q = sub.add_parser("eligibility", help="may a worker with this education enrol in this level and route?")
    q.add_argument("--education", required=True)
    q.add_argument("--level", required=True, choices=MAJOR_LEVELS)
    q.add_argument("--entry-route", default="成人高考", choices=ENTRY_ROUTES)
    q.add_argument("--json", action="store_true", help="print JSON")
    q.set_defaults(func=run_eligibility)

    q = sub.add_parser("subsidies", help="the subsidies a worker gets for a program, line by line, with citations")
    q.add_argument("--tuition", type=int, required=True, help="total tuition of the program, yuan")
    q.add_argument("--level", required=True, choices=MAJOR_LEVELS, help="program level")
    q.add_argument("--entry-route", default="成人高考", choices=ENTRY_ROUTES)
    q.add_argument("--city", default="", help="the worker's city (苏州, 苏州市, Suzhou …)")
    q.add_argument("--province", default="")
    q.add_argument("--education", default="高中")
    q.add_argument("--job-title", default="", help="e.g. 快递员, 网约车司机")
    q.add_argument("--occupation-code", default="", help="大典 2022 code, e.g. 4-02-07-08")
    q.add_argument("--honour", action="append", default=[], help="an honour held (repeatable): 市级劳动模范 …")
    q.add_argument("--not-member", action="store_true", help="the worker is not a union member")
    q.add_argument("--policies", help="policy directory or file (default: $RECOMMENDER_POLICY_DIR or the demo set)")
    q.add_argument("--lang", choices=("zh", "en"), default="zh")
    q.add_argument("--json", action="store_true", help="print JSON")
    q.set_defaults(func=run_subsidies)

    q = sub.add_parser("policies", help="validate the policy files and list their policies and rules")
    q.add_argument("--policies", help="policy directory or file (default: $RECOMMENDER_POLICY_DIR or the demo set)")
    q.add_argument("--json", action="store_true", help="print JSON")
    q.set_defaults(func=run_policies)

    q = sub.add_parser("credits", help="credits that certificates transfer to a program's courses (credit bank)")
    q.add_argument("--certificate", action="append", default=[], required=True,
                   help="a certificate held (repeatable), e.g. 电工证（中级）")
    q.add_argument("--course", action="append", default=[], required=True,
                   help="a course as NAME:CREDITS (repeatable), e.g. 焊接工艺基础:4")
    q.add_argument("--major-code", default="", help="major code of the courses (for major-restricted rules)")
    q.add_argument("--program-credits", type=float, help="the program's total credits (default: sum of courses)")
    q.add_argument("--table", help="credit-bank CSV (default: the demo table)")
    q.add_argument("--json", action="store_true", help="print JSON")
    q.set_defaults(func=run_credits)


def _print_json(obj) -> None:
    json.dump(obj, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def run_ladder(args) -> int:
    from recommender.rules.eligibility import LEVEL_LADDER, normalize_education

    wanted = normalize_education(args.education) if args.education else None
    rows = [
        {"rule_id": r.rule_id, "educations": list(r.educations), "levels": list(r.levels), "note": r.note,
         "note_en": r.note_en}
        for r in LEVEL_LADDER if wanted is None or wanted in r.educations
    ]
    if args.json:
        _print_json(rows)
    else:
        for r in rows:
            print(f"{'/'.join(r['educations'])} → {'、'.join(r['levels'])}    [{r['rule_id']}] {r['note']}")
        print("非学历课程（entry route 非学历）不设学历门槛。")
    return 0


def run_eligibility(args) -> int:
    from recommender.rules.eligibility import is_eligible

    worker = Worker("cli", "", education=args.education)
    program = Program("cli", "", "", args.level, "线上", (), 1, 0, args.entry_route, ())
    decision = is_eligible(worker, program)
    if args.json:
        _print_json(decision.to_dict())
    else:
        print(("可以报读" if decision.allowed else "不能报读") + f"：{decision.reason_zh}  [{decision.rule_id}]")
        print(decision.reason_en)
    return 0 if decision.allowed else 1


def run_subsidies(args) -> int:
    from recommender.rules.policy_files import load_policies
    from recommender.rules.subsidies import evaluate_subsidies

    if args.tuition < 0:
        raise UserError(f"--tuition must be ≥ 0, got {args.tuition}")
    worker = Worker("cli", args.job_title, occupation_code=args.occupation_code, education=args.education,
                    city=args.city, province=args.province, honours=tuple(args.honour),
                    union_member=not args.not_member)
    program = Program("cli", "", "", args.level, "线上", (), 1, args.tuition, args.entry_route, ())
    result = evaluate_subsidies(worker, program, args.tuition, load_policies(args.policies))
    if args.json:
        _print_json(result.to_dict())
    else:
        print(result.explain(args.lang))
    return 0


def run_policies(args) -> int:
    from recommender.rules.policy_files import default_policy_dir, load_policies

    policies = load_policies(args.policies)
    if args.json:
        _print_json([
            {"policy_id": p.policy_id, "name": p.name, "region": p.region, "file": p.source_file, "order": p.order,
             "tiers": p.tiers, "exclusive_group": p.exclusive_group, "cap_yuan": p.cap_yuan,
             "rules": [{"rule_id": r.rule_id, "clause": r.clause, "description": r.description,
                        "amount": r.amount, "cap_yuan": r.cap_yuan, "timing": r.timing} for r in p.rules]}
            for p in policies
        ])
        return 0
    print(f"{len(policies)} policies, {sum(len(p.rules) for p in policies)} rules, all valid "
          f"({args.policies or default_policy_dir()})")
    for p in policies:
        group = f", 不与同组 {p.exclusive_group} 叠加" if p.exclusive_group else ""
        print(f"\n[{p.source_file}] {p.policy_id}: {p.name}（{p.region}；顺序 {p.order}，{p.tiers}{group}）")
        for r in p.rules:
            amount = f"{r.amount['percent']}% 学费" if "percent" in r.amount else f"{r.amount['fixed']:,} 元"
            cap = f"，上限 {r.cap_yuan:,} 元" if r.cap_yuan is not None else ""
            print(f"  {r.rule_id} {r.clause}: {amount}{cap}，{r.timing} — {r.description}")
    return 0


def run_credits(args) -> int:
    from recommender.rules.credit_bank import MAX_TRANSFER_SHARE, credit_transfers, load_credit_rules

    courses = []
    for i, spec in enumerate(args.course, 1):
        name, sep, credits = spec.rpartition(":")
        try:
            courses.append(Course(f"C{i}", name.strip(), args.major_code, credits=float(credits)))
        except ValueError:
            raise UserError(f"--course {spec!r}: expected NAME:CREDITS, e.g. 焊接工艺基础:4") from None
        if not sep or not name.strip():
            raise UserError(f"--course {spec!r}: expected NAME:CREDITS, e.g. 焊接工艺基础:4")
    rules = load_credit_rules(args.table) if args.table else None
    transfers = credit_transfers(args.certificate, courses, rules=rules, program_credits=args.program_credits)
    if args.json:
        _print_json([t.__dict__ for t in transfers])
        return 0
    if not transfers:
        print("没有可转换的学分。 No credits transfer.")
    for t in transfers:
        print(f"{t.course_name}（{t.course_id}）: {t.credits:g} 学分 ← {t.certificate}  [{t.rule_id}] {t.note}")
    total = args.program_credits if args.program_credits is not None else sum(c.credits for c in courses)
    print(f"合计 {sum(t.credits for t in transfers):g} 学分；上限为专业总学分 {total:g} 的 "
          f"{MAX_TRANSFER_SHARE}（{float(total * MAX_TRANSFER_SHARE):.4g} 学分）")
    return 0
