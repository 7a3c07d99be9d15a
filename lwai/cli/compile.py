"""`lwai compile MODEL [--config F | --defconfig NAME] -o OUT`: the generated C sources,
OUT/model.lwfb, OUT/model.json and OUT/report.json."""

from __future__ import annotations

import argparse
from pathlib import Path

from lwai.cli import args as shared


def register(sub) -> None:
    p = shared.add_command(sub, "compile", "compile a model to C sources", run)
    shared.add_model(p)
    shared.add_output(p, "output directory")
    shared.add_config(p)


def run(args: argparse.Namespace) -> int:
    from lwai import progress
    from lwai.compiler import compile_model

    with progress.step(f"compile {Path(args.model).name}"):
        report = compile_model(
            args.model, args.output, config=args.config, defconfig=args.defconfig
        )
    print(
        f"lwai: compiled {report['model']}: arena {report['arena_bytes']} B, "
        f"weights {report['weights_bytes']} B -> {args.output}"
    )
    return 0
