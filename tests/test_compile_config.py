"""Issue 3, acceptance 4 and "every consumer obeys the config": `lwai compile` reads Kconfig."""

from __future__ import annotations

import subprocess

from conftest import LWAI, shared_model


def lwai(*args, cwd):
    return subprocess.run(
        [str(LWAI), *map(str, args)],
        capture_output=True,
        check=False,
        text=True,
        cwd=cwd,
        timeout=600,
    )


def configure(tmp_path, **symbols) -> str:
    """An L0 .config with some symbols changed, made the Kconfig way (defconfig + edit +
    olddefconfig)."""
    assert lwai("defconfig", "l0_mps2_an386", cwd=tmp_path).returncode == 0
    cfg = tmp_path / ".config"
    lines = cfg.read_text().splitlines()
    for name, value in symbols.items():
        key = f"CONFIG_{name}"
        lines = [
            ln for ln in lines if not ln.startswith(f"{key}=") and f" {key} is not set" not in ln
        ]
        lines.append(f"# {key} is not set" if value == "n" else f"{key}={value}")
    cfg.write_text("\n".join(lines) + "\n")
    assert lwai("olddefconfig", cwd=tmp_path).returncode == 0
    return str(cfg)


def test_arena_limit_from_config_fails_with_bytes(tmp_path):
    cfg = configure(tmp_path, LWAI_ARENA_SIZE=32768)
    assert "CONFIG_LWAI_ARENA_SIZE=32768" in (tmp_path / ".config").read_text()
    proc = lwai(
        "compile",
        shared_model("person_detect.tflite"),
        "--config",
        cfg,
        "-o",
        tmp_path / "out",
        cwd=tmp_path,
    )
    assert proc.returncode == 2
    msg = proc.stderr.strip()
    assert len(msg.splitlines()) == 1 and "Traceback" not in msg
    # 55,296 B of activations (the op bound) + 64 B of optimized-conv scratch no gap holds
    assert "arena" in msg and "55360" in msg and "32768" in msg and "person_detect" in msg


def test_default_l0_arena_fits_person_detect(tmp_path):
    proc = lwai(
        "compile",
        shared_model("person_detect.tflite"),
        "--defconfig",
        "l0_mps2_an386",
        "-o",
        tmp_path / "out",
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    assert "arena 55360 B" in proc.stdout  # the op bound + 64 B of scratch (optimized kernels)


def test_disabled_kernel_stops_the_compile(tmp_path):
    """With FULLY_CONNECTED off in the explicit kernel list, the int8 dense layers would be
    TVM's float arithmetic (off by an LSB): the compile stops naming op, dtype and reason
    (issue 12, acceptance 3)."""
    model = shared_model("hello_world_int8.tflite")
    cfg = configure(
        tmp_path,
        LWAI_KERNELS_MODEL_ONLY="n",
        LWAI_KERNELS_LIST="y",
        LWAI_KERNEL_FULLY_CONNECTED="n",
    )
    text = (tmp_path / ".config").read_text()
    assert "# CONFIG_LWAI_KERNEL_FULLY_CONNECTED is not set" in text
    proc = lwai("compile", model, "-o", tmp_path / "out", "--config", cfg, cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    (line,) = proc.stderr.strip().splitlines()
    assert "op" in line and "FULLY_CONNECTED (int8, operator 0" in line, line
    assert "the fully_connected int8 kernel is disabled in the configuration" in line, line
