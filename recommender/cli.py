"""The ``recommender`` command line: one subcommand per operation, the same names as the Python API.

Each subcommand lives in its own module under ``recommender.commands`` and exposes ``register(subparsers)``,
which adds its parser and sets ``func`` (called with the parsed arguments, returns the exit status).
"""

from __future__ import annotations

import argparse
import importlib
import sys

from recommender import __version__
from recommender.errors import UserError

# Explicit list: one module per subcommand (or group of subcommands).
COMMAND_MODULES = (
    "recommender.commands.demo",
    "recommender.commands.catalog",
    "recommender.commands.rules",
    "recommender.commands.demand",
    "recommender.commands.recommend",
    "recommender.commands.serve",
    "recommender.commands.enterprise",
    "recommender.commands.evaluate",
    "recommender.commands.compare",
    "recommender.commands.train_encoder",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="recommender",
        description="Match workers' jobs to majors, programs and courses at partner colleges (求学圆梦行动).",
    )
    parser.add_argument("--version", action="version", version=f"recommender {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
