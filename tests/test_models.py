"""Issue 2, acceptance 1: real models on the host, outputs equal to TFLite Micro's."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import random_inputs, shared_model, tflm_outputs
from lwai.driver import compile_cached, run_host, run_model

MODELS = [
    "hello_world_int8.tflite",
    "hello_world_float.tflite",
    "simple_add_model.tflite",
    "micro_speech_quantized.tflite",
    "person_detect.tflite",
]
SEEDS = range(10)


@pytest.mark.parametrize("name", MODELS)
def test_model_matches_tflite_micro(name, tmp_path):
    model = shared_model(name)
    _, report, _ = compile_cached(model, "host")
    for seed in SEEDS:
        inputs = random_inputs(report["inputs"], seed)
        got = run_host(model, inputs, tmp_path / f"seed{seed}")
        ref = tflm_outputs(model, inputs, len(report["outputs"]))
        assert len(got) == len(report["outputs"])
        for g, r in zip(got, ref):
            assert g.shape == r.shape and g.dtype == r.dtype
            if g.dtype == np.float32:
                tol = 1e-5 * max(1.0, float(np.max(np.abs(r))))
                np.testing.assert_allclose(g, r, rtol=0, atol=tol, err_msg=f"{name} seed {seed}")
            else:
                np.testing.assert_array_equal(g, r, err_msg=f"{name} seed {seed}")


@pytest.mark.parametrize(
    "name",
    [
        "hello_world_int8.tflite",
        "micro_speech_quantized.tflite",
        "person_detect.tflite",
        "simple_add_model.tflite",
    ],
)
def test_quantized_models_run_on_lwai_kernels(name):
    """The int8 hot ops go to lwai's kernels, not TVM's float emulation."""
    _, report, _ = compile_cached(shared_model(name), "host")
    backends = {op["kind"]: op["backend"] for op in report["ops"]}
    assert backends and all(b == "reference" for b in backends.values()), backends


def test_person_detect_arena_within_op_bound():
    """Acceptance 5: arena <= 1.10 x the largest op's live inputs and outputs (55,296 B)."""
    _, report, _ = compile_cached(shared_model("person_detect.tflite"), "host")
    assert report["arena_bytes"] <= 60_825, report["arena_bytes"]
    assert report["arena_bytes"] >= 55_296  # the bound itself: a plan below it is a bug
    offsets = [(b["offset"], b["bytes"], b["first"], b["last"]) for b in report["memory_plan"]]
    for i, a in enumerate(offsets):  # no two buffers live at once overlap in the arena
        for b in offsets[i + 1 :]:
            live = a[2] <= b[3] and b[2] <= a[3]
            overlap = a[0] < b[0] + b[1] and b[0] < a[0] + a[1]
            assert not (live and overlap), (a, b)


def test_report_contract(tmp_path):
    from lwai.compiler import compile_model

    report = compile_model(shared_model("hello_world_int8.tflite"), tmp_path / "out")
    for key in ("model", "profile", "target", "arena_bytes", "weights_bytes", "ops", "kernels"):
        assert key in report
    assert report["kernels"] == ["fully_connected"]
    # The default profile (L0, Cortex-M4) prefers lwai's optimized kernels.
    assert report["kernel_backends"] == ["optimized", "reference"]
    assert [op["backend"] for op in report["ops"]] == ["optimized"] * 3
    assert [op["kernel"] for op in report["ops"]] == ["lwai_fully_connected_opt_s8"] * 3
    assert report["backend_kernels"] == ["optimized:fully_connected"]
    # 16 + 256 + 16 int8 weights, 16 + 16 + 1 int32 biases, at least
    assert report["weights_bytes"] >= 288 + 4 * 33
    assert (tmp_path / "out" / "include" / "lwai_model_hello_world_int8.h").is_file()
    assert list((tmp_path / "out" / "src").glob("*.c"))


@pytest.mark.parametrize("target", ["host", "qemu-cortex-m4"])
def test_repeated_runs_give_the_same_outputs(target, tmp_path):
    """The plan reuses input bytes; every repeated run must still see the real inputs."""
    model = shared_model("person_detect.tflite")
    _, report, _ = compile_cached(model, target)
    inputs = random_inputs(report["inputs"], 7)
    once, _ = run_model(model, inputs, tmp_path / "once", target=target)
    thrice, info = run_model(model, inputs, tmp_path / "thrice", target=target, repeat=3)
    assert info["result"].runs == 3
    np.testing.assert_array_equal(once[0], thrice[0])
    np.testing.assert_array_equal(once[0], tflm_outputs(model, inputs)[0])
