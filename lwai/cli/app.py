"""The `lwai` parser: one subcommand per module of lwai/cli (COMMANDS), and main()."""

from __future__ import annotations

import argparse
import importlib
import sys

from lwai.errors import LwaiError

# The modules under lwai/cli that add commands, in `lwai --help` order; each has
# register(sub). kconfig adds menuconfig, defconfig, savedefconfig, olddefconfig, genconfig.
COMMANDS = ("compile", "convert", "run", "bench", "image", "report", "demo", "kconfig")

DESCRIPTION = """The `lwai` command line: compile TFLite/ONNX models to C, build and run them
on a target, measure and report. Expected errors print one line and exit 2."""


def build_parser() -> argparse.ArgumentParser:
    from lwai.cli.args import formatter_class

    parser = argparse.ArgumentParser(
        prog="lwai", description=DESCRIPTION, formatter_class=formatter_class()
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"lwai.cli.{name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    from lwai import progress

    args = build_parser().parse_args(argv)
    progress.configure(not getattr(args, "quiet", True))
    try:
        return int(args.func(args) or 0)
    except LwaiError as err:
        print(f"lwai: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
