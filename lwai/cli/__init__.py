"""The `lwai` command line (console script ``lwai = "lwai.cli:main"``).

One module per command (compile, convert, run, bench, image, report, demo; kconfig holds
menuconfig, defconfig, savedefconfig, olddefconfig and genconfig), the options several
commands share in lwai/cli/args.py, the parser and main() in lwai/cli/app.py. This file
imports nothing, so the Kconfig commands load with kconfiglib alone.
"""

from __future__ import annotations


def main(argv: list[str] | None = None) -> int:
    from lwai.cli.app import main as _main

    return _main(argv)


def build_parser():
    from lwai.cli.app import build_parser as _build_parser

    return _build_parser()
