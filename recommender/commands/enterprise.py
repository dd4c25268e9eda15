"""``recommender enterprise design``: cohorts and training classes for an enterprise's staff roster."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from recommender.errors import UserError


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "enterprise",
        help="enterprises: group a staff roster into cohorts and design training classes with partner colleges",
        description="Operations for enterprises. `design` imports a staff roster, groups the workers into cohorts "
        "by what they need to learn, and proposes per cohort a curriculum and the partner colleges that can teach "
        "it (place, schedule, class size, cost per head before and after subsidies, degree track or not).",
    )
    sub = p.add_subparsers(dest="enterprise_command", metavar="SUBCOMMAND")
    d = sub.add_parser(
        "design",
        help="cohorts and training classes for a roster",
        description="Import ROSTER (CSV in UTF-8/GB18030 or Excel; columns employee_id, job_title, duties, education, "
        "city, certificates or 工号, 岗位, 工作内容, 学历, 城市, 证书; only the first two required), pseudonymise the "
        "employee ids (HMAC-SHA256 with $RECOMMENDER_PSEUDONYM_KEY, else a one-off salt), group the workers into "
        "cohorts and design a training class per cohort. Runs on the demo province's catalog unless --catalog names "
        "another; `--demo E01` designs for a demo enterprise.",
    )
    d.add_argument("roster", nargs="?", type=Path, help="the roster file (.csv, .xlsx or .parquet)")
    d.add_argument("--demo", metavar="ENTERPRISE_ID", help="use a demo enterprise's roster, city and target role "
                   "(E01 … E20; the demo province is built under var/demo when absent)")
    d.add_argument("--enterprise-city", default="", metavar="CITY",
                   help="the enterprise's city, e.g. 苏州市 (decides 送教上门 and the local subsidies)")
    d.add_argument("--enterprise-id", default="", help="the enterprise's id (default: the roster file's name)")
    d.add_argument("--enterprise-name", default="", help="the enterprise's name, for the outputs")
    d.add_argument("--target-role", default=None, metavar="ROLE",
                   help="the role to train towards: a 大典 code (4-02-06-03) or a job name (物流主管); default: each "
                   "cohort's own occupation (degree content of their job); with --demo, the demo's target role")
    d.add_argument("--min-cohort", type=int, default=15, help="smallest cohort; smaller ones are merged (default 15)")
    d.add_argument("--max-cohorts", type=int, default=12, help="most cohorts (default 12)")
    d.add_argument("--max-courses", type=int, default=12, help="most courses per curriculum (default 12)")
    d.add_argument("--max-colleges", type=int, default=5, help="most colleges proposed per cohort (default 5)")
    d.add_argument("--class-size", type=int, default=40, help="most workers per class (default 40)")
    d.add_argument("--catalog", type=Path, default=None, metavar="DIR",
                   help="catalog directory (default: the demo province's, built if absent)")
    d.add_argument("--json", action="store_true", help="print the design as JSON")
    d.add_argument("--excel", type=Path, default=None, metavar="OUT.xlsx",
                   help="also write the design as an Excel workbook (a summary sheet and one sheet per cohort)")
    d.set_defaults(func=run_design)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


def _demo_enterprise(enterprise_id: str) -> tuple[Path, Path, str, str, str]:
    """(roster path, catalog dir, city, name, target role) of a demo enterprise."""
    from recommender.commands.demo import DEFAULT_OUT, ensure_province
    from recommender.demo import load_enterprises, load_target_roles
    from recommender.demo.province import DEFAULT_ENTERPRISES, DEFAULT_WORKERS

    province, _ = ensure_province(Path.cwd() / DEFAULT_OUT, None, DEFAULT_WORKERS, DEFAULT_ENTERPRISES, False)
    enterprises = {e.enterprise_id: e for e in load_enterprises(province.enterprises_dir)}
    if enterprise_id not in enterprises:
        raise UserError(f"no demo enterprise {enterprise_id!r}; choose one of {', '.join(sorted(enterprises))}")
    e = enterprises[enterprise_id]
    roster = province.enterprises_dir / "rosters" / f"{enterprise_id}.csv"
    target = load_target_roles(province.enterprises_dir).get(enterprise_id, "")
    return roster, province.catalog_dir, e.city, e.name, target


def run_design(args) -> int:
    from recommender.enterprise.design import design_training
    from recommender.enterprise.linking import RosterLinker
    from recommender.enterprise.report import write_excel
    from recommender.enterprise.roster import load_roster
    from recommender.recommend.build import recommender_for

    if (args.roster is None) == (args.demo is None):
        raise UserError("give a ROSTER file or --demo ENTERPRISE_ID (one of the two)")
    for name in ("min_cohort", "max_cohorts", "max_courses", "max_colleges", "class_size"):
        if getattr(args, name) < 1:
            raise UserError(f"--{name.replace('_', '-')} must be at least 1")
    city, name, enterprise_id, target = args.enterprise_city, args.enterprise_name, args.enterprise_id, None
    catalog_dir = args.catalog
    if args.demo:
        roster_path, demo_catalog, demo_city, demo_name, target = _demo_enterprise(args.demo)
        city, name, enterprise_id = city or demo_city, name or demo_name, enterprise_id or args.demo
        catalog_dir = catalog_dir or demo_catalog
    else:
        roster_path = args.roster
    if catalog_dir is None:
        from recommender.recommend.build import default_recommender

        built = default_recommender()
    else:
        built = recommender_for(catalog_dir)
    catalog = built.recommender.catalog
    if args.target_role is not None:
        target = args.target_role
    roster = load_roster(roster_path, enterprise_id=enterprise_id or None, city=city, name=name)
    linker = RosterLinker(catalog, linker=built.recommender.matcher)
    design = design_training(roster, catalog, target or None, city=city, min_cohort=args.min_cohort,
                             max_cohorts=args.max_cohorts, max_courses=args.max_courses,
                             max_colleges=args.max_colleges, class_size=args.class_size, linker=linker,
                             show_progress=not args.json)
    if args.excel is not None:
        write_excel(design, args.excel)
    if args.json:
        json.dump(design.to_dict(), sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        print(design.summary())
        if args.excel is not None:
            print(f"\nExcel workbook written: {args.excel}")
    return 0
