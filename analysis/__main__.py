"""``python -m analysis``: the command-line interface (see README, "CLI").

Subcommands live in ``analysis/cli_*.py`` modules, each exposing ``register(subparsers)`` which
adds its parser and sets ``func`` (args -> exit code). Errors meant for users
(:class:`~analysis.errors.StancemapError`) print one line on stderr and exit 2, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from .errors import StancemapError

# Order is the order of `--help`. A module missing here (work in progress) is skipped.
COMMAND_MODULES: tuple[str, ...] = ("cli_analyze", "cli_models")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m analysis",
        description="Stancemap: statements, speakers, countries, sentiment and stance in news.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"analysis.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"analysis.{name}":
                continue
            raise
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    try:
        return int(args.func(args) or 0)
    except StancemapError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
