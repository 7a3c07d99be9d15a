"""Builds the C programs of the runtime-safety tests (tests/runtime_safety/*.c) straight
with a compiler, like test_graph_fuzz.py does, so that each test picks its sanitizer, its
registry contents and its test defines: the runtime (model API, TVM backend, node hook,
canaries), the graph executor and loaders, the reference kernels and compiled models."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import REPO, shared_model

SAFETY_DIR = REPO / "tests" / "runtime_safety"
CJSON_HEADER = Path("/usr/include/cjson/cJSON.h")
WARNINGS = ["-std=c99", "-Wall", "-Wextra", "-Werror"]


def compiled(model: str) -> tuple[Path, dict]:
    """`lwai compile` output for the host (cached): (dir with src/, include/, model.lwfb, ...,
    report)."""
    from lwai.driver import compile_cached

    out, report, _ = compile_cached(shared_model(f"{model}.tflite"), "host")
    gen = out / "gen" if (out / "gen").is_dir() else out
    return gen, report


def runtime_sources(json_loader: bool = True) -> list[Path]:
    """Every runtime file: model API, TVM backend, node hook, canaries, graph executor and
    registry, the .lwfb loader and (when asked) the JSON one."""
    src = REPO / "runtime" / "src"
    files = sorted(src.glob("*.c")) + sorted((src / "graph").glob("*.c"))
    files.append(src / "loaders" / "flatbuffer.c")
    if json_loader:
        files.append(src / "loaders" / "json.c")
    return files


def kernel_sources() -> list[Path]:
    return sorted((REPO / "kernels" / "reference").glob("*.c"))


def includes(*extra: Path) -> list[str]:
    dirs = [REPO / d for d in ("runtime/include", "kernels/include", "runtime/src/graph")]
    return [f"-I{d}" for d in (*dirs, *extra)]


def need(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.skip(f"{tool} is not installed (scripts/setup_system.sh installs it)")
    return path


def need_cjson() -> None:
    if not CJSON_HEADER.is_file():
        pytest.fail(f"{CJSON_HEADER} is missing: scripts/setup_system.sh installs libcjson-dev")


def build(
    exe: Path,
    sources: list[Path],
    flags: list[str],
    cc: str = "gcc",
    per_file: dict[Path, list[str]] | None = None,
    libs: tuple[str, ...] = ("-lm",),
) -> Path:
    """Compiles each source to an object (per_file adds flags to one file: a test define that
    swaps a kernel), then links them; fails the test with the compiler's message."""
    compiler = need(cc)
    objdir = exe.parent / f"{exe.name}.o"
    objdir.mkdir(parents=True, exist_ok=True)
    objects = []
    for i, src in enumerate(sources):
        obj = objdir / f"{i:03d}_{src.stem}.o"
        cmd = [compiler, *WARNINGS, *flags, *(per_file or {}).get(src, []), "-c", str(src)]
        done = subprocess.run([*cmd, "-o", str(obj)], capture_output=True, text=True, check=False)
        assert done.returncode == 0, f"{src.name}: {' '.join(cmd)}\n{done.stderr[-4000:]}"
        objects.append(str(obj))
    link = [compiler, *flags, *objects, *libs, "-o", str(exe)]
    done = subprocess.run(link, capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"link {exe.name}:\n{done.stderr[-4000:]}"
    return exe


def sanitizer_env() -> dict[str, str]:
    env = dict(os.environ)
    env["ASAN_OPTIONS"] = "abort_on_error=0:halt_on_error=1:exitcode=23:detect_leaks=1"
    env["UBSAN_OPTIONS"] = "print_stacktrace=1:halt_on_error=1:exitcode=24"
    env["TSAN_OPTIONS"] = "halt_on_error=0:exitcode=66:second_deadlock_stack=1"
    return env


def run(cmd: list[str], timeout: int = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        cmd,
        capture_output=True,
        text=True,
        errors="replace",
        env=sanitizer_env(),
        timeout=timeout,
        check=False,
    )
