"""``recommender recommend``: programs, courses, net cost and reasons for one worker."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from recommender.catalog.model import STUDY_MODES, Worker
from recommender.errors import UserError
from recommender.recommend.constraints import PLACE_SCOPES
from recommender.recommend.engine import Recommendations


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "recommend",
        help="recommend programs, courses and net cost for one worker",
        description="Match a worker's job to majors and rank the programs at partner colleges they can enter, "
        "reach and afford, with the courses that matter for the job, the subsidies (each citing its rule) and a "
        "reason. Runs on the demo province unless --catalog names another catalog directory.",
    )
    p.add_argument("--job", required=True, help="job title, e.g. 外卖骑手 or 维修电工")
    p.add_argument("--duties", default="", help="what the job involves, e.g. 负责配电柜检修")
    p.add_argument("--education", required=True, help="highest education: 初中 高中 中专 职高 技校 专科 本科 研究生")
    p.add_argument("--city", default="", help="city where the worker lives, e.g. 苏州市")
    p.add_argument("--province", default="", help="province (default: the catalog's, for the demo 江苏省（演示）)")
    p.add_argument("--mode", action="append", choices=STUDY_MODES, default=[],
                   help="accepted study mode (repeatable); default any")
    p.add_argument("--can-stop-working", action="store_true",
                   help="the worker can study full-time (脱产); default: 不脱产, so only online/evening/weekend")
    p.add_argument("--budget", type=int, default=None, metavar="YUAN",
                   help="most the worker will pay out of pocket for the whole program, after subsidies")
    p.add_argument("--honour", action="append", default=[], help="an honour, e.g. 市级劳动模范 (repeatable)")
    p.add_argument("--certificate", action="append", default=[], help="a certificate held (repeatable)")
    p.add_argument("--not-union-member", action="store_true", help="the worker is not a union member")
    p.add_argument("--place", choices=PLACE_SCOPES, default="any",
                   help="how far the worker will go: city, province, online, any (default any, nearest first)")
    p.add_argument("--not-personalised", action="store_true",
                   help="rank by public criteria only (cost, place); the job text is not used")
    p.add_argument("--limit", type=int, default=5, help="how many programs (default 5)")
    p.add_argument("--lang", choices=("zh", "en"), default="zh", help="language of reasons")
    p.add_argument("--catalog", type=Path, default=None, metavar="DIR",
                   help="catalog directory (default: the demo province, built if absent)")
    p.add_argument("--json", action="store_true", help="print JSON (fields documented in the README)")
    p.set_defaults(func=run)


def run(args) -> int:
    from recommender.recommend.build import default_recommender, recommender_for

    if args.budget is not None and args.budget < 0:
        raise UserError("--budget must be zero or more yuan")
    if args.limit < 1:
        raise UserError("--limit must be at least 1")
    rec = recommender_for(args.catalog) if args.catalog else default_recommender()
    province = args.province or rec.default_province
    worker = Worker(
        worker_id="cli",
        job_title=args.job.strip(),
        duties=args.duties.strip(),
        education=args.education,
        city=args.city,
        province=province,
        can_stop_working=args.can_stop_working,
        preferred_modes=tuple(args.mode),
        budget_yuan=args.budget,
        honours=tuple(args.honour),
        union_member=not args.not_union_member,
        certificates=tuple(args.certificate),
    )
    if not worker.job_title and not args.not_personalised:
        raise UserError("--job is empty; give the job title, or use --not-personalised")
    result = rec.recommender.recommend(worker, limit=args.limit, personalised=not args.not_personalised,
                                       place_scope=args.place, language=args.lang)
    if args.json:
        json.dump(result.to_dict(), sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        print(format_recommendations(result, args.lang))
    return 0


def format_recommendations(result: Recommendations, lang: str = "zh") -> str:
    """Readable text for a person: one block per program."""
    en = lang == "en"
    lines = []
    if result.occupations:
        occ = "、".join(f"{o.name}（{o.code}，{o.confidence:.0%}）" for o in result.occupations[:3])
        lines.append(("Linked occupations: " if en else "对应职业：") + occ)
    if not result.items:
        lines.append(result.message)
        return "\n".join(lines)
    for r in result.items:
        p = r.program
        lines.append(f"{r.rank}. {r.major_name}（{p.major_code}，{p.level}）· {r.college_name}")
        lines.append(f"   {p.study_mode} · {'、'.join(p.schedule)} · {p.years:g}年 · {p.entry_route} · "
                     + (f"tuition {r.subsidy.tuition:,}, subsidies {r.subsidy.total_subsidy:,}, "
                        f"you pay {r.subsidy.net_cost:,} yuan" if en else
                        f"学费{r.subsidy.tuition:,}元 · 补贴{r.subsidy.total_subsidy:,}元 · 自付{r.subsidy.net_cost:,}元"))
        for line in r.subsidy.lines:
            lines.append(f"   · {line.basis_en if en else line.basis}  [{line.citation_en if en else line.citation}]")
        if r.courses:
            lines.append(("   courses: " if en else "   相关课程：") + "；".join(
                m.course.name + (f"（{'、'.join(m.evidence[:2])}）" if m.evidence else "") for m in r.courses))
        for t in r.credit_transfers:
            lines.append(f"   · {t.certificate} → {t.course_name} {t.credits:g}" + (" credits" if en else "学分")
                         + f" [{t.rule_id}]")
        lines.append(("   why: " if en else "   理由：") + r.reason)
    return "\n".join(lines)
