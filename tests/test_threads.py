"""Thread safety on L1/L2 (issue 14): tests/runtime_safety/threads.c runs two models
(person_detect and micro_speech, AOT), two instances of one AOT model, two instances of one
graph model (micro_speech from one .lwfb) and the TVM workspace protocol of generated code in
two threads at once. Every output must equal the job's lone output, which must equal TFLite
Micro's; on the host under ThreadSanitizer (no report allowed) and on L1 (Armv7-A,
qemu-arm, static glibc with threads)."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import numpy as np
import pytest
from safety_harness import (
    SAFETY_DIR,
    build,
    compiled,
    includes,
    kernel_sources,
    need,
    run,
    runtime_sources,
)

from conftest import REPO, random_inputs, shared_model, tflm_outputs

N_PD, N_MS = 2, 12
CJSON = "cJSON-1.7.19"  # as scripts/fetch_cjson.sh unpacks it  # person_detect costs ~0.5 s per inference under TSan


def _sources() -> tuple[list[Path], list[str]]:
    pd, _ = compiled("person_detect")
    ms, _ = compiled("micro_speech_quantized")
    sources = [*runtime_sources(json_loader=False), *kernel_sources()]
    for gen in (pd, ms):
        sources += sorted((gen / "src").glob("*.c"))
    sources.append(SAFETY_DIR / "threads.c")
    kinds = ["CONV2D", "DEPTHWISE_CONV2D", "FULLY_CONNECTED", "AVG_POOL2D", "SOFTMAX", "RESHAPE"]
    flags = [f"-DLWAI_KERNEL_IN_IMAGE_{k}=1" for k in kinds]
    return sources, flags + includes(pd / "include", ms / "include")


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> dict:
    d = tmp_path_factory.mktemp("thread_inputs")
    files, refs = {}, {}
    for name, key in (("person_detect", "pd"), ("micro_speech_quantized", "ms")):
        _, report = compiled(name)
        x = random_inputs(report["inputs"], seed=14)
        x[0].tofile(d / f"{key}.in")
        files[key] = d / f"{key}.in"
        refs[key] = tflm_outputs(shared_model(f"{name}.tflite"), x)[0]
    files["lwfb"] = compiled("micro_speech_quantized")[0] / "model.lwfb"
    return {"files": files, "refs": refs}


def _check(outdir: Path, stdout: str, inputs: dict, runs_pd: int, runs_ms: int) -> None:
    pairs = {
        m.group(1): (int(m.group(2)), int(m.group(3)), int(m.group(4)))
        for m in re.finditer(r"pair (\w+) runs (\d+) mismatches (\d+) failures (\d+)", stdout)
    }
    assert pairs == {
        "models": (runs_pd + runs_ms, 0, 0),
        "aot_twins": (2 * runs_ms, 0, 0),
        "graph_twins": (2 * runs_ms, 0, 0),
        "workspace": (100 * runs_ms, 0, 0),
    }, stdout
    refs = inputs["refs"]
    for job, key in (
        ("person_detect", "pd"),
        ("micro_speech_aot", "ms"),
        ("micro_speech_graph", "ms"),
    ):
        got = np.fromfile(outdir / f"{job}.bin", dtype=refs[key].dtype)
        np.testing.assert_array_equal(got, refs[key].reshape(-1), err_msg=job)


def _args(outdir: Path, inputs: dict, n_pd: int, n_ms: int) -> list[str]:
    f = inputs["files"]
    return [str(outdir), str(f["pd"]), str(f["ms"]), str(f["lwfb"]), str(n_pd), str(n_ms)]


def test_two_threads_under_thread_sanitizer(inputs, tmp_path):
    sources, flags = _sources()
    tsan = ["-fsanitize=thread", "-g", "-O1", "-pthread"]
    exe = build(tmp_path / "threads_tsan", sources, tsan + flags, libs=("-lm",))
    done = run([str(exe), *_args(tmp_path, inputs, N_PD, N_MS)], timeout=240)
    assert "WARNING: ThreadSanitizer" not in done.stderr, done.stderr[-8000:]
    assert done.returncode == 0, done.stdout + done.stderr[-4000:]
    _check(tmp_path, done.stdout, inputs, N_PD, N_MS)


def test_file_scope_workspace_would_race(tmp_path):
    """The detector works: the same workspace protocol with the pre-fix file-scope slot
    (LWAI_THREAD_LOCAL defined empty) is reported by TSan or corrupts a thread's blocks."""
    src = SAFETY_DIR / "workspace_race.c"
    flags = ["-fsanitize=thread", "-g", "-O1", "-pthread", "-DLWAI_THREAD_LOCAL=", *includes()]
    backend = REPO / "runtime" / "src" / "tvm_backend.c"
    exe = build(tmp_path / "race", [backend, src], flags, libs=())
    done = run([str(exe)], timeout=120)
    assert "WARNING: ThreadSanitizer: data race" in done.stderr
    assert "TVMBackendAllocWorkspace" in done.stderr or "lwai_workspace_open" in done.stderr


def test_two_threads_on_l1_qemu_arm(inputs, tmp_path):
    need("qemu-arm")
    sources, flags = _sources()
    arm = ["-O2", "-pthread", "-static", "-mcpu=cortex-a7", "-mfpu=neon-vfpv4", "-mfloat-abi=hard"]
    exe = build(tmp_path / "threads_arm", sources, arm + flags, cc="arm-linux-gnueabihf-gcc")
    done = run(["qemu-arm", str(exe), *_args(tmp_path, inputs, N_PD, N_MS)], timeout=240)
    assert done.returncode == 0, done.stdout + done.stderr[-4000:]
    _check(tmp_path, done.stdout, inputs, N_PD, N_MS)


def _cjson_tree() -> Path:
    """A cJSON source tree, as runtime/SConscript finds one (LWAI_CJSON_PATH, else the copy
    scripts/fetch_cjson.sh unpacks): TSan sees inside cJSON only when it is compiled here."""
    path = os.environ.get("LWAI_CJSON_PATH") or str(REPO / "build" / "third_party" / CJSON)
    if not (Path(path) / "cJSON.c").is_file():
        pytest.skip(
            f"no cJSON source tree at {path}: set LWAI_CJSON_PATH or run scripts/fetch_cjson.sh"
        )
    return Path(path)


def test_json_loads_in_two_threads_under_thread_sanitizer(tmp_path):
    """cJSON writes a global on every parse; the JSON loader serializes parses on L1/L2."""
    tree = _cjson_tree()
    ms, _ = compiled("micro_speech_quantized")
    kinds = ["CONV2D", "FULLY_CONNECTED", "SOFTMAX", "RESHAPE"]
    flags = ["-fsanitize=thread", "-g", "-O1", "-pthread", "-DLWAI_CJSON_FROM_SOURCE"]
    flags += [f"-DLWAI_KERNEL_IN_IMAGE_{k}=1" for k in kinds] + includes(tree)
    # cJSON itself is third-party code: its own warnings are not ours to fail on
    cjson = tmp_path / "cJSON.o"
    cmd = ["gcc", "-std=c99", *flags, "-c", str(tree / "cJSON.c"), "-o", str(cjson)]
    subprocess.run(cmd, check=True, capture_output=True)
    sources = [*runtime_sources(), *kernel_sources(), SAFETY_DIR / "json_loads.c"]
    exe = build(tmp_path / "json_loads", sources, flags, libs=(str(cjson), "-lm"))
    done = run([str(exe), str(ms / "model.json"), "4"], timeout=120)
    assert "WARNING: ThreadSanitizer" not in done.stderr, done.stderr[-8000:]
    assert done.returncode == 0 and "loads 8 refused 8 errors 0" in done.stdout, done.stdout


@pytest.mark.parametrize(
    "defconfig,cc,objdump,thread_local",
    [
        ("l0_mps2_an386", "arm-none-eabi-gcc", "arm-none-eabi-objdump", False),
        ("l1_armv7a_linux", "arm-linux-gnueabihf-gcc", "arm-linux-gnueabihf-objdump", True),
        ("l2_x86_64", "gcc", "objdump", True),
    ],
)
def test_workspace_record_is_thread_local_on_l1_l2_only(
    defconfig, cc, objdump, thread_local, tmp_path
):
    """With each profile's lwai_config.h, the workspace record and the canary report land in
    .tbss (thread-local) on L1/L2 and in .bss on L0, whose bare-metal toolchain has no thread
    pointer to put TLS behind."""
    from lwai.config import genconfig

    need(cc)
    genconfig(defconfig=defconfig, out_dir=tmp_path)
    flags = ["-std=c99", "-Wall", "-Wextra", "-Werror", "-Os", "-DLWAI_HAVE_CONFIG_H"]
    flags += ["-DCONFIG_LWAI_ARENA_CANARIES=1", f"-I{tmp_path}", *includes()]
    sections = {}
    for name, symbol in (("tvm_backend", "ws"), ("canary", "failed_node")):
        obj = tmp_path / f"{name}.o"
        src = REPO / "runtime" / "src" / f"{name}.c"
        subprocess.run([need(cc), *flags, "-c", str(src), "-o", str(obj)], check=True)
        table = subprocess.run(
            [need(objdump), "-t", str(obj)], capture_output=True, text=True, check=True
        ).stdout
        (line,) = [ln for ln in table.splitlines() if ln.split()[-1:] == [symbol]]
        sections[name] = line.split()[-3]
    # the canary report starts at UINT32_MAX ("no node"): initialized data
    tls = {"tvm_backend": ".tbss", "canary": ".tdata"}
    assert sections == (tls if thread_local else {"tvm_backend": ".bss", "canary": ".data"})
