"""`lwai image MODEL [--config F | --defconfig NAME] [--target T] -o OUT`: compile into
OUT/gen and build the image into OUT/build."""

from __future__ import annotations

import argparse
from pathlib import Path

from lwai.cli import args as shared
from lwai.errors import LwaiError


def register(sub) -> None:
    p = shared.add_command(sub, "image", "compile a model and build its image", run)
    shared.add_model(p)
    shared.add_config(p)
    shared.add_target(p, default=None, help="default: from the config's board")
    shared.add_output(p, "output directory")
    shared.add_kernels(p)


def _load_config(config: str | None, defconfig: str | None) -> dict | None:
    if not config and not defconfig:
        return None
    from lwai.config import load_config

    return load_config(config=config, defconfig=defconfig)


def build_image_dir(
    model: Path,
    out: Path,
    config: str | None = None,
    defconfig: str | None = None,
    target: str | None = None,
    kernels: str | None = None,
) -> Path:
    """Compiles into out/gen and builds into out/build; returns the image."""
    from lwai import progress
    from lwai.build import build_image
    from lwai.compiler import compile_model
    from lwai.targets import target_from_config

    if kernels is not None:
        from lwai.driver import TARGET_DEFCONFIG, with_kernels

        base = target or target_from_config(_load_config(config, defconfig))
        config = with_kernels(
            kernels, base or "host", config, defconfig or TARGET_DEFCONFIG.get(base or "host")
        )
        defconfig = None
    cfg = _load_config(config, defconfig)
    target = target or target_from_config(cfg)
    if target is None:
        raise LwaiError(
            defconfig or config or "lwai image",
            "cannot tell the target from the config",
            "Pass --target or a config that sets a board.",
        )
    out = Path(out)
    with progress.step(f"compile {Path(model).name}"):
        compile_model(Path(model), out / "gen", config=config, defconfig=defconfig)
    with progress.step(f"build the {target} image"):
        return build_image(out / "gen", target, out / "build", config=cfg)


def run(args: argparse.Namespace) -> int:
    from lwai.elfsize import size_report

    exe = build_image_dir(
        Path(args.model), Path(args.output), args.config, args.defconfig, args.target, args.kernels
    )
    sizes = size_report(exe)
    print(f"lwai: image {exe}: flash {sizes['flash_bytes']} B, ram {sizes['ram_bytes']} B")
    return 0
