"""Kernel backends on whole models (issue 11): the shared int8 models compiled for the
Cortex-M boards with `--kernels optimized` (lwai's DSP/MVE kernels) and `--kernels
cmsis-nn` (Arm's library, from LWAI_CMSIS_NN_PATH) give tflite-micro's outputs bit for
bit, report.json names each op's backend and kernel, and the image holds exactly the
sources of the backends the report names. The single-op sweeps of each backend are in
tests/test_kernels_optimized.py and tests/test_cmsis_nn.py."""

from __future__ import annotations

import os
import shutil

import numpy as np
import pytest

from conftest import random_inputs, shared_model, tflm_outputs
from lwai.driver import compile_cached, run_model, with_kernels

BOARDS = ("qemu-cortex-m4", "qemu-cortex-m55")
MODELS = ("hello_world_int8", "simple_add_model", "micro_speech_quantized", "person_detect")
QEMU = shutil.which("qemu-system-arm") and shutil.which("arm-none-eabi-gcc")
needs_qemu = pytest.mark.skipif(not QEMU, reason="needs qemu-system-arm and arm-none-eabi-gcc")
CMSIS = os.environ.get("LWAI_CMSIS_NN_PATH")
NEEDS_CMSIS = pytest.mark.skipif(
    not CMSIS, reason="LWAI_CMSIS_NN_PATH is not set (no registry ships CMSIS-NN)"
)
SETS = ["optimized", pytest.param("cmsis-nn", marks=NEEDS_CMSIS)]


# The Cortex-A7 (L1, qemu-arm) has the Armv7E-M kernels' SIMD32 instructions too.
L1 = pytest.param(
    "qemu-arm",
    "optimized",
    marks=pytest.mark.skipif(
        not (shutil.which("qemu-arm") and shutil.which("arm-linux-gnueabihf-gcc")),
        reason="needs qemu-arm and arm-linux-gnueabihf-gcc",
    ),
)


@needs_qemu
@pytest.mark.parametrize(
    "target,kernels",
    [(t, "optimized") for t in BOARDS]
    + [pytest.param(t, "cmsis-nn", marks=NEEDS_CMSIS) for t in BOARDS]
    + [L1],
)
@pytest.mark.parametrize("model", MODELS)
def test_models_bit_exact_with_tflm(model, target, kernels, tmp_path):
    path = shared_model(f"{model}.tflite")
    config = with_kernels(kernels, target, None, None)
    _, report, _ = compile_cached(path, target, config)
    inputs = random_inputs(report["inputs"], seed=23)
    expected = tflm_outputs(path, inputs, len(report["outputs"]))
    outputs, info = run_model(path, inputs, tmp_path, target=target, kernels=kernels)
    for got, ref in zip(outputs, expected):
        np.testing.assert_array_equal(got, ref, err_msg=f"{model} {target} {kernels}")
    ops = info["report"]["ops"]
    fast = [op for op in ops if op["backend"] == kernels]
    assert fast, f"no op of {model} went to {kernels}: {ops}"
    tag = {"optimized": "_opt_", "cmsis-nn": "_cmsis_"}[kernels]
    assert all(tag in op["kernel"] for op in fast)
    assert all(op["backend"] in (kernels, "reference") for op in ops)


@needs_qemu
def test_image_holds_the_backend_sources_the_report_names(tmp_path):
    """The build takes exactly the kernel files of report.json's backend_kernels (plus the
    reference file of each kind, which the fast kernels fall back to)."""
    path = shared_model("micro_speech_quantized.tflite")
    target = "qemu-cortex-m4"
    _, info = run_model(
        path, [np.zeros((1, 1960), np.int8)], tmp_path, target=target, kernels="optimized"
    )
    report = info["report"]
    root = info["image"].parent / "obj" / "kernels"
    kinds = {item.partition(":")[2] for item in report["backend_kernels"]}
    built = {
        o.relative_to(root).with_suffix("").as_posix()
        for o in root.rglob("*.o")
        if o.stem in kinds or "optimized" in o.parts
    }
    expected = {f"reference/{k}" for k in kinds} | {
        f"optimized/armv7em/{item.partition(':')[2]}"
        for item in report["backend_kernels"]
        if item.startswith("optimized:")
    }
    assert built == expected
    assert any(item.startswith("optimized:") for item in report["backend_kernels"])


@needs_qemu
@pytest.mark.parametrize("kernels", SETS)
@pytest.mark.parametrize("target", BOARDS)
@pytest.mark.parametrize("model", ["micro_speech_quantized", "person_detect"])
def test_graph_executor_runs_the_backend_kernels(model, target, kernels, tmp_path):
    """A graph-executor image takes the same backend kernels as the AOT image (LWAI_FAST_*
    in the registry, scratch placed after the loader's records): same outputs as TFLM, and
    within 5% of the AOT image's instructions (the reference kernels take 10-70x more)."""
    path = shared_model(f"{model}.tflite")
    config = with_kernels(kernels, target, None, None)
    _, report, _ = compile_cached(path, target, config)
    inputs = random_inputs(report["inputs"], seed=29)
    expected = tflm_outputs(path, inputs, len(report["outputs"]))
    runs = {
        ex: run_model(path, inputs, tmp_path / ex, target, executor=ex, kernels=kernels)
        for ex in ("aot", "graph")
    }
    for ex, (outputs, _) in runs.items():
        np.testing.assert_array_equal(outputs[0], expected[0], err_msg=f"{model} {target} {ex}")
    aot, graph = runs["aot"][1], runs["graph"][1]
    assert graph["ticks"] <= 1.05 * aot["ticks"], (graph["ticks"], aot["ticks"])
    scratch = max(op["scratch_bytes"] for op in report["ops"])
    assert graph["result"].arena_needed >= report["arena_bytes"] + scratch


@needs_qemu
def test_cli_image_and_bench_take_kernels(tmp_path):
    """`lwai image|bench --kernels` override the config's backend order and say so."""
    import json
    import subprocess

    from conftest import LWAI

    model = shared_model("micro_speech_quantized.tflite")
    env = {"PATH": os.environ["PATH"], "LWAI_CACHE_DIR": str(tmp_path / "cache")}
    backends = {}
    for kernels in ("reference", "optimized"):
        out = tmp_path / kernels
        cmd = [str(LWAI), "image", str(model), "--target", "qemu-cortex-m4", "-o", str(out)]
        proc = subprocess.run(
            [*cmd, "--kernels", kernels], capture_output=True, text=True, env=env, check=False
        )
        assert proc.returncode == 0, proc.stderr
        report = json.loads((out / "gen" / "report.json").read_text())
        backends[kernels] = {op["backend"] for op in report["ops"]}
    assert backends == {"reference": {"reference"}, "optimized": {"optimized", "reference"}}
    cmd = [str(LWAI), "bench", str(model), "--target", "qemu-cortex-m4", "--kernels", "optimized"]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["kernels"] == ["optimized", "reference"]
    assert {op["backend"] for op in result["ops"]} == {"optimized", "reference"}
