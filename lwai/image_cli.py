"""`lwai bench` and `lwai image`: build a model's image for a target, measure it.

Register with ``from lwai.image_cli import register; register(sub)`` in lwai/cli.py.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
from pathlib import Path

from lwai.errors import LwaiError

REPO = Path(__file__).resolve().parent.parent


def load_config(config: str | None, defconfig: str | None) -> dict | None:
    if not config and not defconfig:
        return None
    try:
        from lwai.config import load_config as _load
    except ImportError as err:
        raise LwaiError(
            config or defconfig, "config support (lwai.config) is not installed"
        ) from err
    return _load(config=config, defconfig=defconfig)


def _compiler_stamp() -> str:
    """Changes whenever lwai's Python or C sources change, so cached compiles stay honest."""
    h = hashlib.sha1()
    for p in sorted(REPO.glob("lwai/**/*.py")):
        st = p.stat()
        h.update(f"{p}:{st.st_mtime_ns}:{st.st_size}".encode())
    return h.hexdigest()


def compile_cached(
    model: Path, work: Path, config: dict | None = None, defconfig: str | None = None
) -> Path:
    """Compiles model into work/model (reused while model, config and lwai are unchanged)."""
    from lwai.compiler import compile_model

    model = Path(model)
    if not model.exists():
        raise LwaiError(model, "no such model file")
    key = hashlib.sha1(model.read_bytes())
    key.update(json.dumps(config, sort_keys=True, default=str).encode())
    key.update(str(defconfig).encode())
    key.update(_compiler_stamp().encode())
    out = Path(work) / "model"
    stamp = out / ".lwai-compile-key"
    if stamp.exists() and stamp.read_text() == key.hexdigest() and (out / "report.json").exists():
        return out
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    if config is not None:
        compile_model(model, out, config=config)
    else:
        compile_model(model, out, defconfig=defconfig)
    stamp.write_text(key.hexdigest())
    return out


def default_work_dir(model: Path, target: str) -> Path:
    return REPO / "build" / "lwai" / f"{Path(model).stem}-{target}"


def build_for(
    model: Path, target: str, work: Path, config: dict | None, defconfig: str | None = None
) -> tuple[Path, Path]:
    """Compiles (cached) and builds; returns (model_dir, image)."""
    from lwai.build import build_image

    model_dir = compile_cached(model, work, config, defconfig)
    exe = build_image(model_dir, target, Path(work) / "build", config=config)
    return model_dir, exe


def bench(
    model: Path,
    target: str,
    work: Path | None = None,
    config: dict | None = None,
    defconfig: str | None = None,
    repeat: int | None = None,
) -> dict:
    """Builds and runs the image with zero-filled inputs. Returns the bench JSON object."""
    from lwai.elfsize import size_report
    from lwai.targets import is_qemu_board, run_image

    work = Path(work) if work else default_work_dir(model, target)
    model_dir, exe = build_for(model, target, work, config, defconfig)
    report = json.loads((model_dir / "report.json").read_text())
    runs = repeat or (1 if is_qemu_board(target) else 20)
    res = run_image(target, exe, [], [], repeat=runs)
    sizes = size_report(exe)
    out: dict = {"model": report.get("model", Path(model).stem), "target": target}
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
    )
    return out


def _cmd_bench(args: argparse.Namespace) -> int:
    config = load_config(args.config, None) if args.config else None
    result = bench(
        Path(args.model),
        args.target,
        Path(args.work) if args.work else None,
        config=config,
        defconfig=args.defconfig,
        repeat=args.repeat,
    )
    print(json.dumps(result))
    return 0


def _cmd_image(args: argparse.Namespace) -> int:
    from lwai.elfsize import size_report
    from lwai.targets import target_from_config

    config = load_config(args.config, args.defconfig)
    target = args.target or target_from_config(config)
    if target is None:
        raise LwaiError(
            args.defconfig or args.config or "lwai image",
            "cannot tell the target from the config",
            "Pass --target.",
        )
    out = Path(args.output)
    _, exe = build_for(Path(args.model), target, out, config, args.defconfig)
    sizes = size_report(exe)
    print(
        f"lwai: image {exe} ({target}): flash {sizes['flash_bytes']} B, ram {sizes['ram_bytes']} B"
    )
    return 0


def register(sub) -> None:
    """Adds `bench` and `image` to the lwai CLI's subparsers."""
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
    p.add_argument("--work", help="work directory (default build/lwai/<model>-<target>)")
    p.set_defaults(func=_cmd_bench)

    p = sub.add_parser("image", help="compile a model and build its image")
    p.add_argument("model")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--config", help="a Kconfig .config file")
    g.add_argument("--defconfig", help="a defconfig name from configs/")
    p.add_argument("--target", choices=TARGETS, help="default: from the config's board")
    p.add_argument("-o", "--output", required=True, help="output directory")
    p.set_defaults(func=_cmd_image)
