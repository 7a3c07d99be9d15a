"""Issue 12: int16 (16x8) activations, bit-exact with tflite-micro.

Ops x dtype: CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED (int16 activations, int8 weights
per-tensor or per-channel, int64 bias), AVERAGE_POOL_2D, MAX_POOL_2D, ADD, MUL (int16,
zero points 0); TRANSPOSE_CONV and BATCH_MATMUL in int8 and int16 (TVM's importer crashed
on int16 TRANSPOSE_CONV). Cases: tests/int16_cases.py (20 per op x dtype, odd shapes,
broadcasting, fused activations, adj_x/adj_y, constant operands, scales over decades,
rescales near TFLite's 2^7 limit, 2^40 biases).

- every case through lwai's kernel call (emit_kernel_call) in one program per target, on
  the host and under qemu-cortex-m4;
- the product path (TFLite import -> compile -> image -> run) on batch models: AOT on the
  host and qemu-cortex-m4, the graph executor on the host; the report shows lwai's kernels;
- what lwai cannot compute exactly stops the compile naming the op and dtype.
"""

from __future__ import annotations

import itertools
from types import SimpleNamespace

import int16_cases as ic
import kernel_cases as kc
import numpy as np
import pytest

from conftest import need_toolchain, tflm_outputs
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
    "softmax": "lwai_softmax_s16",
    "transpose_conv_int8": "lwai_transpose_conv_s8",
    "transpose_conv_int16": "lwai_transpose_conv_s16",
    "transpose_conv_float32": "lwai_transpose_conv_f32",
    "batch_matmul_int8": "lwai_batch_matmul_s8",
    "batch_matmul_int16": "lwai_batch_matmul_s16",
}
# For scripts/gen_coverage.py: the cells test_kernels_bit_exact checks, COUNT cases each on
# the host and qemu-cortex-m4 (int16 = 16x8 where weights are involved).
CELLS: dict[str, list[str]] = {
    **{
        op: ["int16"]
        for op in (
            "CONV_2D",
            "DEPTHWISE_CONV_2D",
            "FULLY_CONNECTED",
            "AVERAGE_POOL_2D",
            "MAX_POOL_2D",
            "ADD",
            "MUL",
            "SOFTMAX",
        )
    },
    "TRANSPOSE_CONV": ["int8", "int16", "float32"],
    "BATCH_MATMUL": ["int8", "int16"],
}


@pytest.fixture(scope="module")
def cases_refs():
    cases = ic.all_cases(COUNT) + ic.more_cases(COUNT)
    return cases, [ic.tflm(c) for c in cases]


def test_cases_reach_the_corners(cases_refs):
    cases, refs = cases_refs
    for kind in ic.KINDS:
        assert sum(c.kind == kind for c in cases) >= 20, kind
    for kind, dtype in ic.MORE:
        assert sum(c.kind == kind and c.dtype == dtype for c in cases) >= 20, (kind, dtype)
    assert any(c.attrs.get("adj_x") for c in cases) and any(c.attrs.get("adj_y") for c in cases)
    assert any(c.kind == "batch_matmul" and c.inputs[1].data is not None for c in cases)
    assert all(unsupported_reason(ic.op_desc(c)) is None for c in cases)
    convs = [c for c in cases if c.kind in ("conv2d", "depthwise_conv2d", "fully_connected")]
    assert any(len(c.inputs[1].scale) > 1 for c in convs)  # per-channel
    assert any(len(c.inputs[1].scale) == 1 for c in convs)
    assert any(len(c.inputs) == 2 for c in convs)  # no bias
    assert any(len(c.inputs) == 3 and c.inputs[2].dtype == "int32" for c in convs)  # TFLM's
    assert any(len(c.inputs) == 3 and c.inputs[2].dtype == "int64" for c in convs)  # 2 modes
    assert any(
        len(c.inputs) == 3 and np.max(np.abs(c.inputs[2].data)) > 2**35 for c in convs
    )  # biases beyond int32
    shifts = [max(plan_kernel(ic.op_desc(c)).quant[1]) for c in convs]
    assert max(shifts) >= 5  # rescales near TFLite's 64-bit limit (2^7)
    bins = [c for c in cases if c.kind in ("add", "mul")]
    assert any(c.inputs[0].shape != c.inputs[1].shape for c in bins)  # broadcasting
    assert {c.attrs["activation"] for c in cases} == set(ic.ACTS)
    for c, r in zip(cases, refs, strict=True):
        assert r.dtype == np.dtype(c.output.dtype), c.name
    # most outputs take many values (not everything clamped)
    spread = [len(np.unique(r)) > 2 for r in refs if r.size > 2]
    assert sum(spread) >= 0.9 * len(spread)


@pytest.mark.parametrize("target", ["host", "qemu-cortex-m4"])
def test_kernels_bit_exact(cases_refs, target, tmp_path):
    need_toolchain(target)
    cases, refs = cases_refs
    exe = ic.build_harness(ic.harness_source(cases), tmp_path, target)
    got = ic.run_harness(exe, target, cases)
    assert ic.last_output.count("bad args refused") == 1  # ic.BAD_ARGS: all refused
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
    need_toolchain(target)
    monkeypatch.setenv("LWAI_CACHE_DIR", str(tmp_path / "cache"))
    per_kind, io = PRODUCT[(target, executor)]
    cases = [
        c
        for i, kind in enumerate(ic.KINDS)
        for c in ic.generate(kind, COUNT, 1600 + i)[4 - per_kind : 4]
    ]
    cases += [
        c
        for i, (kind, dtype) in enumerate(ic.MORE)
        for c in ic.generate_more(kind, dtype, COUNT, 1700 + i)[4 - per_kind : 4]
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


def test_refuses_int32_bias_on_depthwise(tmp_path):
    """TFLM's int16 DEPTHWISE_CONV_2D reads its bias as int64 whatever its type."""
    mb = ModelBuilder()
    x = mb.add_tensor("x", (1, 4, 4, 2), "int16", scale=0.001, zero_point=0)
    w = mb.add_tensor("w", (1, 1, 1, 2), "int8", data=np.ones((1, 1, 1, 2)), scale=0.01)
    b = mb.add_tensor("b", (2,), "int32", data=np.arange(2), scale=1e-5)
    y = mb.add_tensor("y", (1, 4, 4, 2), "int16", scale=0.002, zero_point=0)
    mb.add_op("DEPTHWISE_CONV_2D", [x, w, b], [y])
    mb.inputs, mb.outputs = [x], [y]
    msg = _compile_error(mb.build(), tmp_path)
    assert "DEPTHWISE_CONV_2D" in msg and "int16" in msg and "int32 bias" in msg


def test_refuses_int8_bias(tmp_path):
    msg = _compile_error(_conv_model(bias_dtype="int8"), tmp_path)
    assert "CONV_2D" in msg and "int16" in msg and "int8 bias" in msg


def test_int16_conv_imports_through_lwai(tmp_path):
    """The model TVM's importer could not take (issue 12) compiles to lwai's conv2d_s16."""
    from lwai.compiler import compile_model

    path = tmp_path / "ok.tflite"
    path.write_bytes(_conv_model())
    compile_model(path, tmp_path / "out")
    text = "".join(p.read_text() for p in (tmp_path / "out").rglob("*.c"))
    assert "lwai_conv2d_s16(" in text


def test_softmax_tables_are_generated():
    """kernels/reference/lwai_softmax_s16_lut.h is what scripts/gen_softmax_s16_lut.py
    computes (TFLM's gen_lut in float32); the softmax cases above prove it bit-exact."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "gen_softmax_s16_lut", ic.REPO / "scripts" / "gen_softmax_s16_lut.py"
    )
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    exp_lut, recip_lut = mod.tables()
    assert len(exp_lut) == len(recip_lut) == 513
    assert exp_lut[-1] == 32767 and 0 < exp_lut[0] < 4  # exp(0) clamped, exp(-10) * 2^15
    assert recip_lut[0] == 32767 and recip_lut[-1] == 16384  # 1/1 clamped, 1/2
    assert all(b >= a for a, b in itertools.pairwise(exp_lut))
    assert mod.HEADER.read_text() == mod.render(exp_lut, recip_lut)


def _chain_model() -> tuple[bytes, np.ndarray]:
    """A small 16x8 network: CONV_2D (RELU) -> DEPTHWISE_CONV_2D -> AVERAGE_POOL_2D -> ADD
    (with the pool's input branch pooled by MAX_POOL_2D) -> MUL -> FULLY_CONNECTED ->
    SOFTMAX, int16 activations throughout."""
    rng = np.random.default_rng(77)
    mb = ModelBuilder()

    def act(name, shape, scale):
        return mb.add_tensor(name, shape, "int16", scale=scale, zero_point=0)

    def weights(name, shape, axis_len, axis):
        sc = [float(s) for s in rng.uniform(0.004, 0.02, size=axis_len)]
        data = rng.integers(-127, 128, size=shape).astype(np.int8)
        return mb.add_tensor(name, shape, "int8", data=data, scale=sc, quantized_dimension=axis)

    def bias(name, n, scale):
        return mb.add_tensor(name, (n,), "int64", data=rng.integers(-9000, 9000, n), scale=scale)

    x = act("x", (1, 9, 9, 3), 1 / 4096)
    c1 = act("c1", (1, 9, 9, 6), 1 / 256)
    mb.add_op(
        "CONV_2D",
        [x, weights("w1", (6, 3, 3, 3), 6, 0), bias("b1", 6, 1e-6)],
        [c1],
        {"padding": "SAME", "activation": "RELU"},
    )
    d1 = act("d1", (1, 5, 5, 6), 1 / 128)
    mb.add_op(
        "DEPTHWISE_CONV_2D",
        [c1, weights("w2", (1, 3, 3, 6), 6, 3), bias("b2", 6, 1e-6)],
        [d1],
        {"padding": "SAME", "stride": (2, 2), "depth_multiplier": 1},
    )
    p1 = act("p1", (1, 4, 4, 6), 1 / 128)
    mb.add_op("AVERAGE_POOL_2D", [d1], [p1], {"filter": (2, 2), "stride": (1, 1)})
    p2 = act("p2", (1, 4, 4, 6), 1 / 128)
    mb.add_op("MAX_POOL_2D", [d1], [p2], {"filter": (2, 2), "stride": (1, 1)})
    s1 = act("s1", (1, 4, 4, 6), 6 / 32767)
    mb.add_op("ADD", [p1, p2], [s1], {"activation": "RELU6"})
    m1 = act("m1", (1, 4, 4, 6), 36 / 32767)
    mb.add_op("MUL", [s1, s1], [m1])
    f1 = act("f1", (1, 10), 1 / 32)
    mb.add_op("FULLY_CONNECTED", [m1, weights("w3", (10, 96), 1, 0), bias("b3", 10, 1e-6)], [f1])
    y = act("y", (1, 10), 1 / 32768)
    mb.add_op("SOFTMAX", [f1], [y], {"beta": 0.003})
    mb.inputs, mb.outputs = [x], [y]
    return mb.build(), rng.integers(-32768, 32768, size=(1, 9, 9, 3)).astype(np.int16)


@pytest.mark.parametrize("target", ["host", "qemu-cortex-m4"])
def test_int16_network(target, tmp_path, monkeypatch):
    """Seven int16 ops chained in one model, compiled and run: bit-exact with TFLM."""
    from lwai.driver import run_model

    need_toolchain(target)
    monkeypatch.setenv("LWAI_CACHE_DIR", str(tmp_path / "cache"))
    model, x = _chain_model()
    path = tmp_path / "net16.tflite"
    path.write_bytes(model)
    (ref,) = tflm_outputs(model, [x])
    assert len(np.unique(ref)) > 5  # the softmax is not saturated
    (got,), info = run_model(path, [x], tmp_path / "run", target=target)
    np.testing.assert_array_equal(np.asarray(got).reshape(ref.shape), ref)
    kernels = {o["kernel"] for o in info["report"]["ops"] if o["backend"] != "tvm"}
    assert {KERNELS[k] for k in ic.KINDS} <= kernels


def test_cli_refusal_is_one_line(tmp_path):
    """`lwai compile` on an int16 op lwai cannot compute exactly: exit 2, one line naming the
    model, the op and its dtype (the check runs before TVM's importer starts)."""
    import subprocess

    from conftest import LWAI

    path = tmp_path / "zp.tflite"
    path.write_bytes(_conv_model(zero_point=3))
    proc = subprocess.run(
        [str(LWAI), "compile", str(path), "-o", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert str(path) in lines[0] and "CONV_2D" in lines[0] and "(int16)" in lines[0]
