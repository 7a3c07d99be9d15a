"""Build an lwai image (runtime + selected kernels + compiled model + app) with SCons.

``build_image(model_dir, target, build_dir)`` runs the repository's ``SConstruct`` through the
running interpreter's SCons (``python -m SCons``), so it needs nothing beyond the venv and the
toolchains. Builds are incremental: the same build_dir rebuilds only what changed.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from lwai.errors import LwaiError
from lwai.targets import board_of

REPO = Path(__file__).resolve().parent.parent

_RAM_OVERFLOW = re.compile(r"region `RAM' overflowed by (\d+) bytes")
_FLASH_OVERFLOW = re.compile(r"region `FLASH' overflowed by (\d+) bytes")
# Lines worth showing from a failed build (not the command lines: "-Werror" is no error).
_ERROR_LINE = re.compile(
    r"\berror\b|\bwarning\b|undefined reference|overflowed|multiple definition|scons: \*\*\*"
)


def image_name(target: str) -> str:
    return "lwai_app.elf" if target in ("qemu-cortex-m4", "qemu-cortex-m55") else "lwai_app"


def _write_if_changed(path: Path, text: str) -> None:
    if not path.exists() or path.read_text() != text:
        path.write_text(text)


def _write_config(config: dict, build_dir: Path) -> Path:
    """Writes the config where SConstruct reads it; with lwai.config present, via genconfig
    (lwai_config.h beside the JSON is then on the include path)."""
    cdir = build_dir / "config"
    cdir.mkdir(parents=True, exist_ok=True)
    try:
        from lwai.config import genconfig
    except ImportError:
        genconfig = None
    if genconfig is not None:
        try:
            genconfig(config, out_dir=cdir)
        except TypeError:
            genconfig = None
    path = cdir / "lwai_config.json"
    if genconfig is None or not path.exists():
        _write_if_changed(path, json.dumps(config, indent=1, sort_keys=True, default=str) + "\n")
    return path


def scons_command(
    model_dir: Path | None,
    board: str,
    build_dir: Path,
    config_path: Path | None = None,
    targets: list[str] | None = None,
    jobs: int | None = None,
    executor: str = "aot",
) -> list[str]:
    jobs = jobs or max(1, min(os.cpu_count() or 1, 8))
    cmd = [
        sys.executable,
        "-m",
        "SCons",
        "-Q",
        "-j",
        str(jobs),
        "-C",
        str(REPO),
        f"BOARD={board}",
        f"BUILD_DIR={build_dir}",
    ]
    if model_dir is not None:
        cmd.append(f"MODEL_DIR={model_dir}")
    if config_path is not None:
        cmd.append(f"CONFIG={config_path}")
    if executor != "aot":
        cmd.append(f"EXECUTOR={executor}")
    return cmd + list(targets or [])


def _first_errors(text: str, limit: int = 12) -> str:
    lines = [ln for ln in text.splitlines() if _ERROR_LINE.search(ln)]
    return "\n".join((lines or text.strip().splitlines()[-limit:])[:limit])


def build_image(
    model_dir: Path | None,
    target: str,
    build_dir: Path,
    config: dict | None = None,
    executor: str = "aot",
) -> Path:
    """Builds the image of the compiled model in model_dir for target; returns its path
    (an ELF for the QEMU boards, an executable otherwise). ``executor="graph"`` builds the
    app that loads model files instead (model_dir, optional then, adds its TVM functions
    and picks its kernels). Raises LwaiError with the compiler's or linker's first error
    lines on failure."""
    build_dir = Path(build_dir).resolve()
    board = board_of(target)
    if model_dir is None:
        if executor != "graph":
            raise LwaiError("build", "an AOT image needs a compiled model directory")
        label: Path = build_dir
    else:
        model_dir = label = Path(model_dir).resolve()
    if model_dir is not None and not (model_dir / "report.json").exists():
        raise LwaiError(model_dir, "no report.json here", "Run `lwai compile MODEL -o DIR` first.")
    build_dir.mkdir(parents=True, exist_ok=True)
    config_path = _write_config(config, build_dir) if config else None
    cmd = scons_command(model_dir, board, build_dir, config_path, ["image"], executor=executor)
    proc = subprocess.run(
        cmd, check=False, capture_output=True, text=True, stdin=subprocess.DEVNULL
    )
    (build_dir / "build.log").write_text(" ".join(cmd) + "\n" + proc.stdout + proc.stderr)
    if proc.returncode != 0:
        text = proc.stdout + proc.stderr
        m = _RAM_OVERFLOW.search(text)
        if m:
            raise LwaiError(
                label,
                f"the image needs {m.group(1)} bytes more RAM than board "
                f"'{board}' has (arena + data + bss + stack)",
                "Pick a board with more RAM or a smaller model/arena.",
            )
        m = _FLASH_OVERFLOW.search(text)
        if m:
            raise LwaiError(
                label,
                f"code + weights exceed the flash of board '{board}' by {m.group(1)} bytes",
                "Pick a board with more flash.",
            )
        raise LwaiError(
            label,
            f"build for {target} failed:\n{_first_errors(text)}",
            f"Full log: {build_dir / 'build.log'}",
        )
    exe = build_dir / image_name(target)
    if not exe.exists():
        raise LwaiError(build_dir, f"scons succeeded but {exe.name} is missing")
    return exe
