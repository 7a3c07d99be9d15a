"""`lwai run MODEL --input X.npy ... -o DIR [--target T] [--executor aot|graph]`: compile
(cached), build, run on the target; writes DIR/output_<i>.npy."""

from __future__ import annotations

import argparse
from pathlib import Path

from lwai.cli import args as shared


def register(sub) -> None:
    p = shared.add_command(sub, "run", "compile, build and run a model on a target", run)
    shared.add_model(p)
    shared.add_inputs(p)
    shared.add_output(p, "directory for output_<i>.npy")
    shared.add_target(p, checked=False)
    shared.add_executor(p)
    shared.add_config(p)
    shared.add_kernels(p)
    p.add_argument(
        "--invocations",
        type=int,
        default=None,
        metavar="N",
        help="run N invocations in one process, a stateful model's state (SVDF, LSTM) carried "
        "across them: each input file holds N slices along a new leading axis, each output "
        "is written stacked the same way",
    )


def run(args: argparse.Namespace) -> int:
    import numpy as np

    from lwai.driver import run_model

    inputs = shared.load_inputs(args.input)
    out_dir = Path(args.output)
    outputs, _ = run_model(
        args.model,
        inputs,
        out_dir / ".work",
        target=args.target,
        config=args.config,
        defconfig=args.defconfig,
        executor=args.executor,
        fmt=args.format,
        kernels=args.kernels,
        invocations=args.invocations,
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    for i, y in enumerate(outputs):
        np.save(out_dir / f"output_{i}.npy", y)
        print(f"output_{i}: shape {tuple(y.shape)} {y.dtype} -> {out_dir / f'output_{i}.npy'}")
    return 0
