"""The SCons build and the generic app on the host (L2), with a hand-written model
(boards/testdata/tiny_model) so that none of this needs the compiler."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from lwai.build import REPO, build_image, scons_command
from lwai.elfsize import size_report
from lwai.errors import LwaiError
from lwai.targets import run_image

TINY = REPO / "boards" / "testdata" / "tiny_model"
WEIGHTS = np.array([1, 2, 3, -4], dtype=np.int8)


def tiny_expected(x: np.ndarray) -> np.ndarray:
    return (x.astype(np.int32) * WEIGHTS + 1).astype(np.int8)


def copy_tiny(dest: Path, **report_changes) -> Path:
    shutil.copytree(TINY, dest)
    if report_changes:
        report = json.loads((dest / "report.json").read_text())
        report.update(report_changes)
        (dest / "report.json").write_text(json.dumps(report))
    return dest


@pytest.fixture(scope="module")
def host_image(tmp_path_factory):
    d = tmp_path_factory.mktemp("tiny_host")
    return build_image(copy_tiny(d / "model"), "host", d / "build"), d


def test_host_run_matches(host_image):
    exe, d = host_image
    x = np.array([5, -7, 40, 31], dtype=np.int8)
    x.tofile(d / "in.bin")
    res = run_image("host", exe, [d / "in.bin"], [d / "out.bin"], repeat=3)
    assert np.array_equal(np.fromfile(d / "out.bin", dtype=np.int8), tiny_expected(x))
    assert res.runs == 3 and res.unit == "ns" and res.ticks is not None
    assert "lwai: ok ticks=" in res.stdout


def test_input_size_mismatch_is_named(host_image):
    exe, d = host_image
    (d / "short.bin").write_bytes(b"\x01\x02\x03")
    with pytest.raises(LwaiError, match=r"input 'x' wants 4 bytes but .*short.bin' has 3"):
        run_image("host", exe, [d / "short.bin"], [d / "o.bin"])


def test_wrong_file_count_and_missing_file(host_image):
    exe, d = host_image
    with pytest.raises(LwaiError, match=r"1 input\(s\) and 1 output\(s\)"):
        run_image("host", exe, [d / "a.bin", d / "b.bin"], [d / "o.bin"])
    with pytest.raises(LwaiError, match="cannot read input file"):
        run_image("host", exe, [d / "does_not_exist.bin"], [d / "o.bin"])


def test_bench_mode_without_files(host_image):
    exe, _ = host_image
    res = run_image("host", exe, [], [], repeat=5)
    assert res.runs == 5


def test_incremental_rebuild_is_a_no_op(host_image):
    exe, d = host_image
    before = exe.stat().st_mtime_ns
    build_image(d / "model", "host", d / "build")
    assert exe.stat().st_mtime_ns == before
    assert "up to date" in (d / "build" / "build.log").read_text()


def test_compile_error_surfaces(tmp_path):
    model = copy_tiny(tmp_path / "model")
    (model / "src" / "broken.c").write_text("int lwai_broken(void) { return undeclared_name; }\n")
    with pytest.raises(LwaiError, match="undeclared_name"):
        build_image(model, "host", tmp_path / "build")


def test_size_report_host(host_image):
    exe, _ = host_image
    r = size_report(exe)
    assert r["arena_bytes"] == 32
    b = r["breakdown"]
    assert b["model_code"] > 0 and b["weights"] > 0 and b["runtime_text"] > 0


def _scons(tmp_path, *extra, env=None):
    cmd = scons_command(None, "host", tmp_path / "b", None) + list(extra)
    return subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)


def test_cflags_from_environment_and_command_line(tmp_path):
    model = copy_tiny(tmp_path / "model")
    env = dict(os.environ, CFLAGS="-DLWAI_TINY_MUST_NOT_BUILD")
    p = _scons(tmp_path, f"MODEL_DIR={model}", env=env)
    assert p.returncode != 0 and "LWAI_TINY_MUST_NOT_BUILD" in p.stdout + p.stderr
    p = _scons(tmp_path, f"MODEL_DIR={model}", "CFLAGS=-DLWAI_TINY_MUST_NOT_BUILD")
    assert p.returncode != 0 and "LWAI_TINY_MUST_NOT_BUILD" in p.stdout + p.stderr
    env = dict(os.environ, CC="gcc -DLWAI_TINY_MUST_NOT_BUILD")
    p = _scons(tmp_path, f"MODEL_DIR={model}", env=env)
    assert p.returncode != 0 and "LWAI_TINY_MUST_NOT_BUILD" in p.stdout + p.stderr


def test_object_cache_serves_other_build_directories(tmp_path):
    """LWAI_SCONS_CACHE (SConstruct): a second build directory gets every object from the
    cache and links the same image as a build without it; other flags compile afresh."""
    model = copy_tiny(tmp_path / "model")
    cached = dict(os.environ, LWAI_SCONS_CACHE=str(tmp_path / "cache"))
    plain = {k: v for k, v in os.environ.items() if k != "LWAI_SCONS_CACHE"}

    def build(name, env, *extra):
        cmd = scons_command(model, "host", tmp_path / name, None, ["image"]) + list(extra)
        p = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
        assert p.returncode == 0, p.stdout + p.stderr
        compiled = [ln for ln in p.stdout.splitlines() if " -c " in ln]
        return compiled, p.stdout.count("from cache"), (tmp_path / name / "lwai_app").read_bytes()

    first, hits, image = build("b1", cached)
    assert len(first) > 5 and hits == 0
    again, hits, image2 = build("b2", cached)
    assert again == [] and hits == len(first)
    assert image2 == image == build("b3", plain)[2]
    flagged, hits, _ = build("b4", cached, "CFLAGS=-DLWAI_OTHER_FLAGS")
    assert len(flagged) == len(first) and hits == 0


def test_install_with_prefix_and_install_root(tmp_path):
    model = copy_tiny(tmp_path / "model")
    root = tmp_path / "image" / "usr"
    p = _scons(
        tmp_path,
        f"MODEL_DIR={model}",
        "PREFIX=/usr",
        "prefix=/usr",
        f"install_root={root}",
        "install",
    )
    assert p.returncode == 0, p.stdout + p.stderr
    for rel in (
        "bin/lwai_tiny",
        "lib/liblwai.a",
        "lib/liblwai.so",
        "include/lwai/model.h",
        "include/lwai/kernels.h",
        "include/lwai_model_tiny.h",
    ):
        assert (root / rel).exists(), rel
    out = subprocess.run(
        [str(root / "bin" / "lwai_tiny")], capture_output=True, text=True, check=False
    )
    assert out.returncode == 0 and "lwai: ok" in out.stdout


def test_libraries_without_a_model(tmp_path):
    p = _scons(tmp_path)
    assert p.returncode == 0, p.stdout + p.stderr
    assert (tmp_path / "b" / "liblwai.a").exists() and (tmp_path / "b" / "liblwai.so").exists()
    nm = subprocess.run(
        ["nm", "-D", "--defined-only", str(tmp_path / "b" / "liblwai.so")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "lwai_model_init" in nm


def test_unknown_board_is_an_error(tmp_path):
    cmd = [
        sys.executable,
        "-m",
        "SCons",
        "-Q",
        "-C",
        str(REPO),
        "BOARD=nonesuch",
        f"BUILD_DIR={tmp_path}",
    ]
    p = subprocess.run(cmd, capture_output=True, text=True, check=False)
    assert p.returncode != 0 and "unknown BOARD 'nonesuch'" in p.stdout + p.stderr
