"""``recommender demo``: build the demo province and show what the product does (placeholder until the generator lands)."""

from __future__ import annotations


def register(subparsers) -> None:
    p = subparsers.add_parser("demo", help="build the demo province and show recommendations for sample workers")
    p.set_defaults(func=run)


def run(args) -> int:
    print("demo: not built yet")
    return 1
