"""`lwai bench` and `lwai image`: build a model's image for a target, measure it.

Register with ``from lwai.image_cli import register; register(sub)`` in lwai/cli.py.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from lwai.errors import LwaiError

REPO = Path(__file__).resolve().parent.parent


def load_config(config: str | None, defconfig: str | None) -> dict | None:
    if not config and not defconfig:
        return None
    from lwai.config import load_config as _load

    return _load(config=config, defconfig=defconfig)


def build_for(
    model: Path,
    target: str,
    config: str | None = None,
    defconfig: str | None = None,
    kernels: str | None = None,
) -> tuple[Path, dict, Path]:
    """Compiles (cached by lwai.driver, with the target's defconfig unless told otherwise)
    and builds incrementally beside the cached sources; returns (model_dir, report, image)."""
    from lwai.driver import build_cached, compile_cached, with_kernels

    config = with_kernels(kernels, target, config, defconfig)
    out, report, cfg = compile_cached(Path(model), target, config, defconfig)
    exe = build_cached(out, target, cfg)
    return out / "gen", report, exe


def bench(
    model: Path,
    target: str,
    config: str | None = None,
    defconfig: str | None = None,
    repeat: int | None = None,
    kernels: str | None = None,
) -> dict:
    """Builds and runs the image with zero-filled inputs; returns the bench JSON object:
    ``instructions`` per inference on the QEMU boards (deterministic, -icount shift=0) or
    ``us`` per inference on host and qemu-arm (wall time), plus sizes from the ELF."""
    from lwai.elfsize import size_report
    from lwai.targets import is_qemu_board, run_image

    _, report, exe = build_for(model, target, config, defconfig, kernels)
    runs = repeat or (1 if is_qemu_board(target) else 20)
    res = run_image(target, exe, [], [], repeat=runs)
    sizes = size_report(exe)
    out: dict = {
        "model": report.get("model", Path(model).stem),
        "target": target,
        "kernels": report.get("kernel_backends", ["reference"]),
        "ops": [
            {k: op[k] for k in ("name", "kind", "backend", "kernel") if k in op}
            for op in report.get("ops", [])
        ],
    }
    if is_qemu_board(target):
        out["instructions"] = res.ticks
    else:
        out["us"] = round(res.total_ticks * 1e6 / res.tick_hz / res.runs, 3)
    out.update(
        runs=res.runs,
        arena_bytes=int(report["arena_bytes"]),
        weights_bytes=int(report.get("weights_bytes", 0)),
        flash_bytes=sizes["flash_bytes"],
        ram_bytes=sizes["ram_bytes"],
        breakdown=sizes.get("breakdown", {}),
        image=str(exe),
    )
    return out


def build_image_dir(
    model: Path,
    out: Path,
    config: str | None = None,
    defconfig: str | None = None,
    target: str | None = None,
    kernels: str | None = None,
) -> Path:
    """`lwai image`: compiles into out/gen and builds into out/build; returns the image."""
    from lwai.build import build_image
    from lwai.compiler import compile_model
    from lwai.targets import target_from_config

    if kernels is not None:
        from lwai.driver import TARGET_DEFCONFIG, with_kernels

        base = target or target_from_config(load_config(config, defconfig))
        config = with_kernels(
            kernels, base or "host", config, defconfig or TARGET_DEFCONFIG.get(base or "host")
        )
        defconfig = None
    cfg = load_config(config, defconfig)
    target = target or target_from_config(cfg)
    if target is None:
        raise LwaiError(
            defconfig or config or "lwai image",
            "cannot tell the target from the config",
            "Pass --target or a config that sets a board.",
        )
    out = Path(out)
    compile_model(Path(model), out / "gen", config=config, defconfig=defconfig)
    return build_image(out / "gen", target, out / "build", config=cfg)


def _cmd_bench(args: argparse.Namespace) -> int:
    result = bench(
        Path(args.model), args.target, args.config, args.defconfig, args.repeat, args.kernels
    )
    print(json.dumps(result))
    return 0


def _cmd_image(args: argparse.Namespace) -> int:
    from lwai.elfsize import size_report

    exe = build_image_dir(
        Path(args.model), Path(args.output), args.config, args.defconfig, args.target, args.kernels
    )
    sizes = size_report(exe)
    print(f"lwai: image {exe}: flash {sizes['flash_bytes']} B, ram {sizes['ram_bytes']} B")
    return 0


def register(sub) -> None:
    """Adds `bench` and `image` to the lwai CLI's subparsers."""
    from lwai.cli import add_kernels_arg
    from lwai.targets import TARGETS

    p = sub.add_parser("bench", help="build, run and measure a model on a target (JSON)")
    p.add_argument("model")
    p.add_argument("--target", default="host", choices=TARGETS)
    g = p.add_mutually_exclusive_group()
    g.add_argument("--config", help="a Kconfig .config file")
    g.add_argument("--defconfig", help="a defconfig name from configs/")
    p.add_argument(
        "--repeat",
        type=int,
        default=None,
        help="inferences per run (default 1 on QEMU boards, 20 elsewhere)",
    )
    add_kernels_arg(p)
    p.set_defaults(func=_cmd_bench)

    p = sub.add_parser("image", help="compile a model and build its image")
    p.add_argument("model")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--config", help="a Kconfig .config file")
    g.add_argument("--defconfig", help="a defconfig name from configs/")
    p.add_argument("--target", choices=TARGETS, help="default: from the config's board")
    p.add_argument("-o", "--output", required=True, help="output directory")
    add_kernels_arg(p)
    p.set_defaults(func=_cmd_image)
