"""Dynamic-range ("hybrid") models: float32 activations, int8 weights, which TFLite Micro
refuses. lwai imports FULLY_CONNECTED, CONV_2D, DEPTHWISE_CONV_2D and BATCH_MATMUL (float
LHS, constant int8 RHS) hybrids itself (lwai/frontend/hybrid.py: TFLite's on-the-fly input
quantization, int32 dot products and float rescale, on TVM's C code) and must match LiteRT's
reference kernels (BUILTIN_REF). Hybrid SVDF (float input and state, int8 weights) runs its
feature product in Relax and the rest on lwai's float SVDF kernel (persistent state), compared
over 5 invocations, a reset and 5 more. Hybrid UNIDIRECTIONAL_SEQUENCE_LSTM is refused with an
error naming the op and "hybrid" (tested).

Tolerance: |lwai - LiteRT| <= 1e-5 * |LiteRT| + 1e-6 * max|LiteRT| per case. The input
quantization and the int32 accumulation are reproduced exactly; what remains is float
rounding of the final ``acc * scale + bias`` (LiteRT's build may contract it into an FMA,
~1 ulp of the terms; measured 2026-12-01: <= 2e-7 relative, CONV_2D/DEPTHWISE_CONV_2D
equal). A single input value quantized one step differently changes an output by ~1e-3
relative, far above this.
Cases: 21 generated models per op (tests/hybrid_cases.py), on host and qemu-cortex-m4; the
BATCH_MATMUL and SVDF cases share one model (one flat input sliced, results concatenated).
"""

from __future__ import annotations

import hybrid_cases as hc
import numpy as np
import pytest

from conftest import need_toolchain
from lwai import driver

N_CASES = 21
SEEDS = {
    "FULLY_CONNECTED": 1401,
    "CONV_2D": 1402,
    "DEPTHWISE_CONV_2D": 1403,
    "BATCH_MATMUL": 1404,
    "SVDF": 1405,
}
PACKED = ("BATCH_MATMUL",)  # all cases in one model (hc.packed_model)
STATEFUL = ("SVDF",)  # packed too, several invocations with a reset
UNPACKED = tuple(k for k in hc.KINDS if k not in PACKED + STATEFUL)  # one input/output each
INVOCATIONS = 5  # per stateful run; the run repeats after lwai_model_reset_state
# For scripts/gen_coverage.py: TFLite builtin -> the cells this file checks ("hybrid": float32
# activations with int8 weights, which TFLM refuses; 21 cases each vs LiteRT, host and M4).
CELLS: dict[str, list[str]] = {k: ["hybrid"] for k in hc.KINDS}
# Cases (one input and one output file each) per image: the host app takes 16 files of each
# kind, the Cortex-M semihosting command line 8 + 8. All kinds share images.
IO_PER_IMAGE = {"host": 16, "qemu-cortex-m4": 8}
N_IMAGES = 8  # upper bound (the parametrization below)


def _cases(kind: str) -> list[hc.Case]:
    return hc.generate(kind, N_CASES, SEEDS[kind])


def _mismatch(case: hc.Case, got: np.ndarray, ref: np.ndarray) -> str | None:
    if got.shape != ref.shape or got.dtype != np.float32:
        return f"{case.name}: got {got.dtype}{got.shape}, expected float32{ref.shape}"
    ref64, got64 = ref.astype(np.float64), got.astype(np.float64)
    tol = 1e-5 * np.abs(ref64) + 1e-6 * max(float(np.abs(ref64).max()), 1e-30)
    bad = np.abs(got64 - ref64) > tol
    if bad.any():
        i = int(np.argmax(bad.reshape(-1)))
        return (
            f"{case.name}: {int(bad.sum())}/{ref.size} differ, e.g. [{i}] "
            f"{got.reshape(-1)[i]!r} vs {ref.reshape(-1)[i]!r}"
        )
    return None


def test_generated_cases_reach_the_features():
    fc = _cases("FULLY_CONNECTED")
    assert {c.options["asymmetric_quantize_inputs"] for c in fc} == {True, False}
    assert any(len(c.in_shape) == 3 for c in fc)
    modes = {(c.options["asymmetric_quantize_inputs"], len(c.w_scale) > 1) for c in fc}
    assert len(modes) == 4  # symmetric/asymmetric inputs x per-tensor/per-channel weights
    assert any(c.bias is None for c in fc) and any(c.in_shape[0] > 1 for c in fc)
    conv = _cases("CONV_2D")
    per_channel = [len(set(c.w_scale)) > 1 for c in conv]
    assert any(per_channel) and not all(per_channel)
    assert any(len(c.w_scale) > 1 and len(set(c.w_scale)) == 1 for c in conv)
    for kind in UNPACKED:
        cases = _cases(kind)
        assert len(cases) >= 20
        assert {c.options["activation"] for c in cases} == set(hc.ACTS), kind
        if kind != "FULLY_CONNECTED":
            assert {c.options["padding"] for c in cases} == {"SAME", "VALID"}
            assert any(max(c.options["stride"]) > 1 for c in cases)
            assert any(max(c.options["dilation"]) > 1 for c in cases)
    assert any(c.options["depth_multiplier"] > 1 for c in _cases("DEPTHWISE_CONV_2D"))
    # Edge inputs: an all-zero batch, all-positive and all-negative inputs.
    xs = [c.x for k in UNPACKED for c in _cases(k)]
    assert any(x.shape[0] > 1 and not x[0].any() for x in xs)
    assert any(x.min() >= 0 for x in xs) and any(x.max() <= 0 for x in xs)


def test_batch_matmul_cases_reach_the_features():
    cases = _cases("BATCH_MATMUL")
    assert len(cases) >= 20
    opts = [c.options for c in cases]
    for key in ("adj_x", "adj_y", "asymmetric_quantize_inputs"):
        assert {o[key] for o in opts} == {True, False}, key
    assert any(len(c.in_shape) == 2 and len(c.weights.shape) == 2 for c in cases)
    assert any(len(c.weights.shape) > len(c.in_shape) for c in cases)  # RHS batch dims only
    assert any(len(c.in_shape) > 2 and len(c.weights.shape) > 2 for c in cases)

    # Broadcast batch dimensions both ways (a 1 against a larger one).
    def bcast(a, b):
        n = min(len(a), len(b)) - 2
        return any(a[-3 - i] == 1 < b[-3 - i] for i in range(n))

    assert any(bcast(c.in_shape, c.weights.shape) for c in cases)
    assert any(bcast(c.weights.shape, c.in_shape) for c in cases)
    assert any(c.x.min() >= 0 for c in cases) and any(c.x.max() <= 0 for c in cases)


def _images(target: str) -> list[list[hc.Case]]:
    cases = [c for k in UNPACKED for c in _cases(k)]
    n = IO_PER_IMAGE[target]
    return [cases[i : i + n] for i in range(0, len(cases), n)]


@pytest.mark.parametrize("target", ["host", "qemu-cortex-m4"])
@pytest.mark.parametrize("image", range(N_IMAGES))
def test_matches_litert_reference(image, target, tmp_path, monkeypatch):
    need_toolchain(target)
    groups = _images(target)
    assert len(groups) <= N_IMAGES
    if image >= len(groups):
        pytest.skip(f"{target} needs {len(groups)} images")
    monkeypatch.setenv("LWAI_CACHE_DIR", str(tmp_path / "cache"))
    group = groups[image]
    model = hc.batch_model(group)
    feeds = [c.x for c in group]
    refs = hc.litert_reference(model, feeds)
    path = tmp_path / "h.tflite"
    path.write_bytes(model)
    outs, info = driver.run_model(path, feeds, tmp_path / "w", target)
    failures = [m for c, g, r in zip(group, outs, refs, strict=True) if (m := _mismatch(c, g, r))]
    assert not failures, "\n".join(failures)
    # Float activations: the converted ops run on TVM's C code (no lwai kernel).
    assert all(op["backend"] == "tvm" for op in info["report"]["ops"])


def test_svdf_cases_reach_the_features():
    cases = _cases("SVDF")
    assert len(cases) >= 20
    assert {c.options["asymmetric_quantize_inputs"] for c in cases} == {True, False}
    assert {c.options["activation"] for c in cases} == set(hc.ACTS)
    assert any(c.options["rank"] > 1 for c in cases) and any(c.in_shape[0] > 1 for c in cases)
    assert any(c.bias is None for c in cases) and any(c.wt.shape[1] > 4 for c in cases)
    assert any(not x.any() for c in cases for x in c.x)  # an all-zero invocation


@pytest.mark.parametrize("target", ["host", "qemu-cortex-m4"])
def test_packed_matches_litert_reference(target, tmp_path, monkeypatch):
    """The BATCH_MATMUL and hybrid SVDF cases in one model (one input, 8 outputs): 5
    invocations (SVDF state carried), lwai_model_reset_state, the same 5 again; LiteRT runs
    the same with reset_all_variables()."""
    need_toolchain(target)
    monkeypatch.setenv("LWAI_CACHE_DIR", str(tmp_path / "cache"))
    cases = [c for k in PACKED + STATEFUL for c in _cases(k)]
    model, feed, layout = hc.packed_model(cases, invocations=INVOCATIONS)
    feed = np.concatenate([feed, feed])
    refs = hc.litert_invocations(model, feed, reset_every=INVOCATIONS)
    path = tmp_path / "p.tflite"
    path.write_bytes(model)
    outs, info = driver.run_model(
        path,
        [feed],
        tmp_path / "w",
        target,
        invocations=2 * INVOCATIONS,
        reset_every=INVOCATIONS,
    )
    assert len(outs) == len(refs) <= IO_PER_IMAGE["qemu-cortex-m4"]
    failures, varying = [], 0
    for c, (k, off, n) in zip(cases, layout, strict=True):
        got, ref = outs[k][:, off : off + n], refs[k][:, off : off + n]
        shape = (2 * INVOCATIONS, *c.out_shape)
        if m := _mismatch(c, got.reshape(shape), ref.reshape(shape)):
            failures.append(m)
        # the reset restarts the sequence exactly; an SVDF's state makes invocations differ
        assert np.array_equal(got[:INVOCATIONS], got[INVOCATIONS:]), c.name
        if c.kind == "SVDF":
            varying += len({got[i].tobytes() for i in range(INVOCATIONS)}) > 1
    assert not failures, "\n".join(failures)
    assert varying >= N_CASES * 2 // 3, varying
    kernels = [op.get("kernel") for op in info["report"]["ops"] if op["backend"] != "tvm"]
    assert kernels == ["lwai_svdf_f32"] * N_CASES, kernels


def test_tflite_micro_refuses_hybrid_models(capfd):
    """What docs/operators.md says: TFLite Micro has no hybrid kernels."""
    from tflite_micro.python.tflite_micro import runtime

    expected = {
        "FULLY_CONNECTED": "Input type: FLOAT32 with filter type: INT8 not supported",
        "CONV_2D": "Hybrid models are not supported on TFLite Micro",
        "DEPTHWISE_CONV_2D": "Hybrid models are not supported on TFLite Micro",
        "BATCH_MATMUL": "lhs_data->type == rhs_data->type was not true",
        "SVDF": "weights_feature->type != kTfLiteFloat32",
    }
    for kind, message in expected.items():
        model = hc.batch_model(_cases(kind)[:1])
        with pytest.raises(RuntimeError, match="failed to allocate tensors"):
            runtime.Interpreter.from_bytes(model)
        captured = capfd.readouterr()
        assert message in captured.out + captured.err, kind


def test_graph_executor(tmp_path, monkeypatch):
    """The same arithmetic through the graph executor's TVM nodes (host)."""
    monkeypatch.setenv("LWAI_CACHE_DIR", str(tmp_path / "cache"))
    cases = [c for k in UNPACKED + PACKED for c in _cases(k)[:4]]
    model = hc.batch_model(cases)
    feeds = [c.x for c in cases]
    refs = hc.litert_reference(model, feeds)
    path = tmp_path / "g.tflite"
    path.write_bytes(model)
    outs, _ = driver.run_model(path, feeds, tmp_path / "w", "host", executor="graph")
    failures = [m for c, g, r in zip(cases, outs, refs, strict=True) if (m := _mismatch(c, g, r))]
    assert not failures, "\n".join(failures)


def test_weights_stay_int8(tmp_path, monkeypatch):
    """A hybrid model's point is 1-byte weights: the image holds them as int8 constants."""
    import re

    from lwai.tflite_writer import ModelBuilder

    monkeypatch.setenv("LWAI_CACHE_DIR", str(tmp_path / "cache"))
    rng = np.random.default_rng(11)
    mb = ModelBuilder()
    x = mb.add_tensor("x", (1, 96), "float32")
    w = mb.add_tensor("w", (80, 96), "int8", data=rng.integers(-127, 128, (80, 96)), scale=0.01)
    y = mb.add_tensor("y", (1, 80), "float32")
    mb.add_op("FULLY_CONNECTED", [x, w, -1], [y], {"asymmetric_quantize_inputs": True})
    mb.inputs, mb.outputs = [x], [y]
    path = tmp_path / "fc.tflite"
    path.write_bytes(mb.build())
    out, _, _ = driver.compile_cached(path)
    text = "\n".join(p.read_text() for p in sorted((out / "gen" / "src").glob("*.c")))
    arrays = re.findall(r"static const (\w+) \w+\[(\d+)\]", text)
    assert ("int8_t", str(80 * 96)) in arrays
    assert not any(int(n) >= 80 * 96 and t != "int8_t" for t, n in arrays), arrays


def test_bad_hybrid_weights_are_a_clear_error(tmp_path):
    from lwai.errors import LwaiError
    from lwai.tflite_writer import ModelBuilder

    mb = ModelBuilder()
    x = mb.add_tensor("x", (1, 8), "float32")
    w = mb.add_tensor("w", (4, 8), "int8", data=np.ones((4, 8)), scale=0.1, zero_point=3)
    y = mb.add_tensor("y", (1, 4), "float32")
    mb.add_op("FULLY_CONNECTED", [x, w, -1], [y])
    mb.inputs, mb.outputs = [x], [y]
    path = tmp_path / "zp.tflite"
    path.write_bytes(mb.build())
    with pytest.raises(LwaiError, match="hybrid FULLY_CONNECTED 'w': weight zero points must be 0"):
        driver.run_model(path, [np.zeros((1, 8), np.float32)], tmp_path / "w", "host")


@pytest.mark.parametrize("kind", hc.REFUSED)
def test_unconverted_hybrid_ops_are_a_clear_error(kind, tmp_path):
    """Hybrid SVDF / LSTM: LiteRT runs them; lwai stops with an error naming op and "hybrid"."""
    from lwai.errors import LwaiError

    model = hc.refused_model(kind)
    shape = (2, 6) if kind == "SVDF" else (1, 3, 5)
    x = np.random.default_rng(3).standard_normal(shape).astype(np.float32)
    (ref,) = hc.litert_reference(model, [x])  # a valid hybrid model
    assert np.isfinite(ref).all() and np.abs(ref).max() > 0
    path = tmp_path / "r.tflite"
    path.write_bytes(model)
    with pytest.raises(LwaiError, match=f"hybrid {kind} .*int8 weights.* not supported"):
        driver.run_model(path, [x], tmp_path / "w", "host")


def test_hybrid_batch_matmul_with_two_batch_dims_is_a_clear_error(tmp_path):
    """TFLite's reference kernel indexes per-row scales by one matrix per batch index in each
    dimension; lwai refuses an LHS with two batch dimensions > 1 rather than differ."""
    from lwai.errors import LwaiError
    from lwai.tflite_writer import ModelBuilder

    mb = ModelBuilder()
    x = mb.add_tensor("x", (2, 3, 4, 5), "float32")
    w = mb.add_tensor("w", (5, 6), "int8", data=np.ones((5, 6)), scale=0.1)
    y = mb.add_tensor("y", (2, 3, 4, 6), "float32")
    mb.add_op("BATCH_MATMUL", [x, w], [y])
    mb.inputs, mb.outputs = [x], [y]
    path = tmp_path / "bmm.tflite"
    path.write_bytes(mb.build())
    with pytest.raises(LwaiError, match=r"hybrid BATCH_MATMUL with a LHS of several batch"):
        driver.run_model(path, [np.zeros((2, 3, 4, 5), np.float32)], tmp_path / "w", "host")
