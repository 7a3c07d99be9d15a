"""Issue 14: reproducible builds.

The same model and config give byte-identical generated sources, model files (.lwfb,
.json) and images across two builds in different directories at different times: the
source tree is copied to two temporary directories, person_detect is compiled into each
(a second apart) and the image is built from each copy with SCons into its own build
directory. Built with ``-g`` too, so that absolute paths in debug info would show
(SConstruct maps the tree, model and build directories with ``-ffile-prefix-map``).

Not compared: report.json (it records the compile time; its other fields are compared),
the linker map and SCons's signature database (both name the directories by design).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import REPO, shared_model

# The source tree SConstruct builds from (no venv, caches, build outputs or tests).
_IGNORE = shutil.ignore_patterns(
    ".venv", "build", ".git", "__pycache__", "*.egg-info", "tests", ".ruff_cache", "*.pyc"
)


def _build(root: Path, source: Path, model: Path, board: str, defconfig: str, cflags: str) -> Path:
    from lwai.build import _write_config
    from lwai.compiler import compile_model
    from lwai.config import load_config

    tree = root / "tree"
    shutil.copytree(source, tree)
    compile_model(model, root / "gen", defconfig=defconfig)
    config = _write_config(load_config(defconfig=defconfig), root / "build")
    cmd = [
        sys.executable,
        "-m",
        "SCons",
        "-Q",
        "-j",
        "2",
        "-C",
        str(tree),
        f"BOARD={board}",
        f"BUILD_DIR={root / 'build'}",
        f"MODEL_DIR={root / 'gen'}",
        f"CONFIG={config}",
        f"CFLAGS={cflags}",
        "image",
        "libs",
    ]
    # Without the tests' shared object cache: the second tree must compile its own objects.
    env = {k: v for k, v in os.environ.items() if k != "LWAI_SCONS_CACHE"}
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, check=False, env=env)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "Retrieved" not in proc.stdout
    return root


def _files(root: Path) -> dict[str, bytes]:
    """Every generated and built file that must not depend on where or when it was made."""
    out = {}
    for sub in ("gen/src", "gen/include", "build/obj"):
        for f in sorted((root / sub).rglob("*")):
            if f.is_file():
                out[str(f.relative_to(root))] = f.read_bytes()
    for name in ("gen/model.lwfb", "gen/model.json"):
        out[name] = (root / name).read_bytes()
    for f in sorted((root / "build").glob("lwai_app*")) + sorted((root / "build").glob("liblwai*")):
        if f.suffix != ".map":
            out[str(f.relative_to(root))] = f.read_bytes()
    report = json.loads((root / "gen" / "report.json").read_text())
    report.pop("compile_seconds")
    out["gen/report.json (less compile_seconds)"] = json.dumps(report, sort_keys=True).encode()
    return out


@pytest.mark.parametrize(
    "board,defconfig,image",
    [("mps2-an386", "l0_mps2_an386", "lwai_app.elf"), ("host", "l2_x86_64", "lwai_app")],
    ids=["L0-qemu-cortex-m4", "L2-host"],
)
def test_two_builds_are_byte_identical(board, defconfig, image, tmp_path):
    model = shared_model("person_detect.tflite")
    # One snapshot of the tree for both builds (the work tree may change meanwhile).
    source = tmp_path / "snapshot"
    shutil.copytree(REPO, source, ignore=_IGNORE)
    a = _build(tmp_path / "first", source, model, board, defconfig, "-g")
    time.sleep(1.1)  # different seconds: a timestamp anywhere would differ
    b = _build(tmp_path / "second-build-elsewhere", source, model, board, defconfig, "-g")
    fa, fb = _files(a), _files(b)
    assert f"build/{image}" in fa
    assert "gen/model.lwfb" in fa and any(k.startswith("gen/src/") for k in fa)
    assert sorted(fa) == sorted(fb)
    differ = [k for k in fa if fa[k] != fb[k]]
    assert not differ, f"differ between the two builds: {differ}"
    # The debug info names no directory of either build (it would, without the prefix maps).
    elf = fa[f"build/{image}"]
    assert b".debug_info" in elf
    for root in (a, b):
        assert str(root).encode() not in elf
