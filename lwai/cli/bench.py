"""`lwai bench MODEL [--target T] [--kernels K] [--repeat N]`: build, run and measure the
model's image; prints one JSON object (lwai.bench.measure says what it holds)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from lwai.cli import args as shared


def register(sub) -> None:
    p = shared.add_command(sub, "bench", "build, run and measure a model on a target (JSON)", run)
    shared.add_model(p)
    shared.add_target(p)
    shared.add_config(p)
    p.add_argument(
        "--repeat",
        type=int,
        default=None,
        help="inferences per run (default 1 on QEMU boards, 20 elsewhere)",
    )
    shared.add_kernels(p)
    shared.add_executor(p)
    shared.add_inputs(p, help="input .npy, once per input (default: zeros)")
    p.add_argument(
        "--per-op",
        action="store_true",
        help="build with CONFIG_LWAI_PROFILING and add per_op: each op's count "
        "(instructions on QEMU boards, us elsewhere) with its backend",
    )


def run(args: argparse.Namespace) -> int:
    from lwai.bench import bench

    inputs = shared.load_inputs(args.input) if args.input else None
    result = bench(
        Path(args.model),
        args.target,
        args.config,
        args.defconfig,
        args.repeat,
        args.kernels,
        inputs=inputs,
        executor=args.executor,
        fmt=args.format,
        per_op=args.per_op,
    )
    print(json.dumps(result))
    return 0
