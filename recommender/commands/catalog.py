"""``recommender import official`` and ``recommender catalog check|stats``: build and inspect catalogs."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

from recommender.catalog.catalog import Catalog
from recommender.catalog.importers import DATA_DIR_ENV, import_official
from recommender.catalog.importers.cn import read_partner_list
from recommender.catalog.importers.en import DEFAULT_MAX_ALIASES
from recommender.catalog.loader import CatalogError, load_catalog, write_catalog


def register(subparsers) -> None:
    imp = subparsers.add_parser(
        "import",
        help="build a catalog directory from a data source",
        description="Build a catalog directory from a data source.",
    )
    imp_sources = imp.add_subparsers(dest="import_source", metavar="SOURCE", required=True)
    official = imp_sources.add_parser(
        "official",
        help="the official public lists (专业目录, 大典 2022, MOE college lists, CIP 2020, O*NET)",
        description=(
            "Import the official public data into a catalog directory, validate it, and print counts. "
            f"The data folder is --data-dir, else ${DATA_DIR_ENV}, else ../shared/data beside the project."
        ),
    )
    official.add_argument(
        "--data-dir", metavar="DIR", help="folder holding cn/ and en/ (default ../shared/data)"
    )
    official.add_argument(
        "--only",
        choices=("cn", "en", "all"),
        default="all",
        help="cn: Chinese lists · en: CIP 2020 and O*NET · all (default)",
    )
    official.add_argument(
        "--out",
        required=True,
        metavar="CATALOG_DIR",
        help="catalog directory to write (replaced atomically if it exists)",
    )
    official.add_argument(
        "--partners",
        metavar="FILE",
        help="colleges of the programme, one 学校标识码 or 学校名称 per line (is_partner true)",
    )
    official.add_argument(
        "--max-aliases",
        type=int,
        default=DEFAULT_MAX_ALIASES,
        metavar="N",
        help=f"alternate titles kept per O*NET occupation (default {DEFAULT_MAX_ALIASES})",
    )
    official.add_argument("--json", action="store_true", help="print the result as JSON")
    official.set_defaults(func=run_import_official)

    cat = subparsers.add_parser(
        "catalog",
        help="check a catalog directory or print its statistics",
        description="Check a catalog directory or print its statistics.",
    )
    cat_commands = cat.add_subparsers(dest="catalog_command", metavar="COMMAND", required=True)
    check = cat_commands.add_parser(
        "check",
        help="validate a catalog directory; list every problem (exit 2) or print its statistics",
        description="Validate a catalog directory in one pass. Prints every problem with file, row, column "
        "and "
        "reason, and exits with status 2; prints statistics when it is valid.",
    )
    check.add_argument("directory", metavar="DIR")
    check.add_argument("--json", action="store_true", help="print the result as JSON")
    check.set_defaults(func=run_check)
    stats = cat_commands.add_parser(
        "stats",
        help="print a valid catalog directory's statistics",
        description="Load a catalog directory and print its statistics.",
    )
    stats.add_argument("directory", metavar="DIR")
    stats.add_argument("--json", action="store_true", help="print the statistics as JSON")
    stats.set_defaults(func=run_stats)


def catalog_summary(catalog: Catalog) -> dict[str, object]:
    """:meth:`Catalog.stats` plus majors and occupations per taxonomy."""
    summary = dict(catalog.stats())
    summary["majors_per_taxonomy"] = dict(Counter(m.taxonomy for m in catalog.majors.values()))
    summary["occupations_per_taxonomy"] = dict(Counter(o.taxonomy for o in catalog.occupations.values()))
    return summary


def _breakdown(counts: dict) -> str:
    return " · ".join(f"{k} {v}" for k, v in counts.items()) or "none"


def _print_summary(summary: dict) -> None:
    print(f"majors: {summary['majors']} ({_breakdown(summary['majors_per_level'])})")
    print(f"  per taxonomy: {_breakdown(summary['majors_per_taxonomy'])}")
    print(
        f"occupations: {summary['occupations']} ({_breakdown(summary['occupations_per_taxonomy'])}); "
        f"detailed (细类 / SOC): {summary['detailed_occupations']}"
    )
    print(f"major-occupation links: {summary['major_occupation_links']}")
    print(
        f"colleges: {summary['colleges']} ({_breakdown(summary['colleges_per_kind'])}); "
        f"partners: {summary['partner_colleges']}; cities: {summary['cities']}"
    )
    print(f"programs: {summary['programs']}; courses: {summary['courses']}")


def run_import_official(args) -> int:
    partners = read_partner_list(Path(args.partners)) if args.partners else None
    result = import_official(
        args.data_dir, only=args.only, partners=partners, progress=True, max_aliases=args.max_aliases
    )
    print(f"writing and validating {args.out} ...", file=sys.stderr)
    write_catalog(result.tables, args.out)  # validates with load_catalog before swapping into place
    catalog = load_catalog(args.out)
    summary = catalog_summary(catalog)
    warnings = [n for n in result.notes if n.severity == "warning"]
    notes = [n for n in result.notes if n.severity != "warning"]
    if args.json:
        print(
            json.dumps(
                {
                    "out": str(args.out),
                    "data_dir": str(result.data_dir),
                    "only": args.only,
                    "valid": True,
                    "counts": summary,
                    "warnings": [n.to_dict() for n in warnings],
                    "notes": [n.to_dict() for n in notes],
                    "attributions": result.attributions,
                },
                ensure_ascii=False,
                indent=2,
            )
        )
        return 0
    print(f"imported official data ({args.only}) from {result.data_dir.resolve()} into {args.out}: valid")
    _print_summary(summary)
    print(f"warnings ({len(warnings)}):" if warnings else "warnings: none")
    for n in warnings:
        print(f"  - {n}")
    if notes:
        print(f"notes ({len(notes)}):")
        for n in notes:
            print(f"  - {n}")
    for attribution in result.attributions:
        print(f"attribution: {attribution}")
    return 0


def run_check(args) -> int:
    try:
        catalog = load_catalog(args.directory)
    except CatalogError as exc:
        if args.json:
            print(
                json.dumps(
                    {
                        "directory": str(args.directory),
                        "valid": False,
                        "problems": [p.to_dict() for p in exc.problems],
                    },
                    ensure_ascii=False,
                    indent=2,
                )
            )
        else:
            print(str(exc))
        return 2
    summary = catalog_summary(catalog)
    if args.json:
        print(
            json.dumps(
                {"directory": str(args.directory), "valid": True, "problems": [], "counts": summary},
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        print(f"catalog {args.directory} is valid")
        _print_summary(summary)
    return 0


def run_stats(args) -> int:
    summary = catalog_summary(load_catalog(args.directory))  # CatalogError: printed by the CLI, exit 2
    if args.json:
        print(json.dumps(summary, ensure_ascii=False, indent=2))
    else:
        _print_summary(summary)
    return 0
