"""Issue 12: int16 (16x8) activations, bit-exact with tflite-micro.

Ops x dtype: CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED (int16 activations, int8 weights
per-tensor or per-channel, int64 bias), AVERAGE_POOL_2D, MAX_POOL_2D, ADD, MUL (int16,
zero points 0). Cases: tests/int16_cases.py (20 per op, odd shapes, broadcasting, fused
activations, scales over decades, rescales near TFLite's 2^7 limit, 2^40 biases).

- every case through lwai's kernel call (emit_kernel_call) in one program per target, on
  the host and under qemu-cortex-m4;
- the product path (TFLite import -> compile -> image -> run) on batch models: AOT on the
  host and qemu-cortex-m4, the graph executor on the host; the report shows lwai's kernels;
- what lwai cannot compute exactly stops the compile naming the op and dtype.
"""

from __future__ import annotations

import shutil
from types import SimpleNamespace

import int16_cases as ic
import kernel_cases as kc
import numpy as np
import pytest

from conftest import tflm_outputs
from lwai.codegen.kernels import plan_kernel, unsupported_reason
from lwai.errors import LwaiError
from lwai.tflite_writer import ModelBuilder

COUNT = 20
# The kernels these cases run (the coverage table, scripts/gen_coverage.py, finds this file
# by these names).
KERNELS = {
    "conv2d": "lwai_conv2d_s16",
    "depthwise_conv2d": "lwai_depthwise_conv2d_s16",
    "fully_connected": "lwai_fully_connected_s16",
    "avg_pool2d": "lwai_avg_pool2d_s16",
    "max_pool2d": "lwai_max_pool2d_s16",
    "add": "lwai_add_s16",
    "mul": "lwai_mul_s16",
}


def _need(target: str) -> None:
    if target != "host" and (
        shutil.which("qemu-system-arm") is None or shutil.which("arm-none-eabi-gcc") is None
    ):
        pytest.skip("qemu-system-arm / arm-none-eabi-gcc not installed")


@pytest.fixture(scope="module")
def cases_refs():
    cases = ic.all_cases(COUNT)
    return cases, [ic.tflm(c) for c in cases]


def test_cases_reach_the_corners(cases_refs):
    cases, refs = cases_refs
    for kind in ic.KINDS:
        assert sum(c.kind == kind for c in cases) >= 20, kind
    assert all(unsupported_reason(c.op_desc()) is None for c in cases)
    convs = [c for c in cases if c.kind in ("conv2d", "depthwise_conv2d", "fully_connected")]
    assert any(len(c.inputs[1].scale) > 1 for c in convs)  # per-channel
    assert any(len(c.inputs[1].scale) == 1 for c in convs)
    assert any(len(c.inputs) == 2 for c in convs)  # no bias
    assert any(
        len(c.inputs) == 3 and np.max(np.abs(c.inputs[2].data)) > 2**35 for c in convs
    )  # biases beyond int32
    shifts = [max(plan_kernel(c.op_desc()).quant[1]) for c in convs]
    assert max(shifts) >= 5  # rescales near TFLite's 64-bit limit (2^7)
    bins = [c for c in cases if c.kind in ("add", "mul")]
    assert any(c.inputs[0].shape != c.inputs[1].shape for c in bins)  # broadcasting
    assert {c.attrs["activation"] for c in cases} == set(ic.ACTS)
    for c, r in zip(cases, refs, strict=True):
        assert r.dtype == np.int16, c.name
    # most outputs take many values (not everything clamped)
    spread = [len(np.unique(r)) > 2 for r in refs if r.size > 2]
    assert sum(spread) >= 0.9 * len(spread)


@pytest.mark.parametrize("target", ["host", "qemu-cortex-m4"])
def test_kernels_bit_exact(cases_refs, target, tmp_path):
    _need(target)
    cases, refs = cases_refs
    exe = ic.build_harness(ic.harness_source(cases), tmp_path, target)
    got = ic.run_harness(exe, target, cases)
    bad = []
    for c, r, g in zip(cases, refs, got, strict=True):
        msg = g if isinstance(g, str) else kc.compare(c, g, r)
        if msg:
            bad.append(msg)
    assert not bad, f"{target}: {len(bad)} of {len(cases)} differ from tflite-micro:\n" + (
        "\n".join(bad[:20])
    )


def _batch_run(cases, target, executor, tmp_path, tag):
    from lwai.driver import run_model

    model, feeds = kc.batch_model(cases)
    path = tmp_path / f"{tag}.tflite"
    path.write_bytes(model)
    got, info = run_model(path, feeds, tmp_path / f"r{tag}", target=target, executor=executor)
    ref = tflm_outputs(model, feeds, n_outputs=len(cases))
    bad = [kc.compare(SimpleNamespace(name=c.name), g, r) for c, g, r in zip(cases, got, ref)]
    bad = [b for b in bad if b]
    ops = info["report"]["ops"]
    kernels = {o.get("kernel", "") for o in ops}
    backends = {o["backend"] for o in ops}
    if backends != {"reference"}:
        bad.append(f"{tag}: ran on {sorted(backends)}")
    return bad, kernels


# Per image: the host app takes 16 input files, the Cortex-M app 8 (semihosting).
PRODUCT = {
    ("host", "aot"): (4, 16),
    ("qemu-cortex-m4", "aot"): (2, 8),
    ("host", "graph"): (2, 16),
}


@pytest.mark.parametrize("target, executor", list(PRODUCT))
def test_product_path(target, executor, tmp_path, monkeypatch):
    """TFLite import (lwai's int16 path, not TVM's) -> compile -> image -> run."""
    _need(target)
    monkeypatch.setenv("LWAI_CACHE_DIR", str(tmp_path / "cache"))
    per_kind, io = PRODUCT[(target, executor)]
    cases = [
        c for i, kind in enumerate(ic.KINDS) for c in ic.generate(kind, COUNT, 1600 + i)[:per_kind]
    ]
    bad, ran = [], set()
    for i, group in enumerate(kc.batches(cases, io)):
        b, kernels = _batch_run(group, target, executor, tmp_path, f"g{i}")
        bad += b
        ran |= kernels
    assert not bad, "\n".join(bad)
    assert ran == set(KERNELS.values())


# ---- what lwai refuses -------------------------------------------------------------------


def _conv_model(zero_point: int = 0, bias_dtype: str = "int64", act: str = "NONE") -> bytes:
    mb = ModelBuilder()
    x = mb.add_tensor("x", (1, 4, 4, 2), "int16", scale=0.001, zero_point=zero_point)
    w = mb.add_tensor("w", (3, 1, 1, 2), "int8", data=np.ones((3, 1, 1, 2)), scale=0.01)
    b = mb.add_tensor("b", (3,), bias_dtype, data=np.arange(3), scale=1e-5)
    y = mb.add_tensor("y", (1, 4, 4, 3), "int16", scale=0.002, zero_point=0)
    mb.add_op("CONV_2D", [x, w, b], [y], {"activation": act})
    mb.inputs, mb.outputs = [x], [y]
    return mb.build()


def _compile_error(model: bytes, tmp_path) -> str:
    from lwai.compiler import compile_model

    path = tmp_path / "bad.tflite"
    path.write_bytes(model)
    with pytest.raises(LwaiError) as e:
        compile_model(path, tmp_path / "out")
    return str(e.value)


def test_refuses_nonzero_zero_point(tmp_path):
    msg = _compile_error(_conv_model(zero_point=3), tmp_path)
    assert "CONV_2D" in msg and "int16" in msg and "zero point 0" in msg


def test_refuses_int32_bias(tmp_path):
    msg = _compile_error(_conv_model(bias_dtype="int32"), tmp_path)
    assert "CONV_2D" in msg and "int16" in msg and "int32 bias" in msg


def test_int16_conv_imports_through_lwai(tmp_path):
    """The model TVM's importer could not take (issue 12) compiles to lwai's conv2d_s16."""
    from lwai.compiler import compile_model

    path = tmp_path / "ok.tflite"
    path.write_bytes(_conv_model())
    compile_model(path, tmp_path / "out")
    text = "".join(p.read_text() for p in (tmp_path / "out").rglob("*.c"))
    assert "lwai_conv2d_s16(" in text
