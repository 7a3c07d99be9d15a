"""Issue 12, acceptance 2 for the core float32 cells and int8 SOFTMAX: ADD, MUL, CONV_2D,
DEPTHWISE_CONV_2D, FULLY_CONNECTED, AVERAGE_POOL_2D, MAX_POOL_2D, SOFTMAX in float32 (TVM's
C code; MAX_POOL_2D on lwai_max_pool2d_f32) and SOFTMAX int8 (lwai_softmax_s8), >= 20
generated single-op cases per cell (tests/core_cells_cases.py: odd shapes, SAME/VALID
padding, strides, dilations, depth multipliers, fused NONE/RELU/RELU6/RELU_N1_TO_1,
broadcasting, softmax betas that are and are not powers of two; int8 softmax with input
scales from 1e-3 to 10, zero points -128..127, rows of 1 to 300, constant rows) through
the product path (TFLite import -> compile -> image -> run) on the host and qemu-cortex-m4,
against tflite-micro.

Tolerance: int8 bit for bit. float32 bit for bit too, except SOFTMAX on the Cortex-M4:
TVM's C calls expf, which is newlib's there and glibc's on the host (where TFLM runs), and
the two differ by an ulp for some arguments. With each e_j = expf(.) within 2^-23 relative,
the sum of K of them (same order both sides) and the division add at most (K + 2) * 2^-24,
so |lwai - TFLM| <= (K + 3) * 2^-23 * |TFLM| (+ FLT_MIN for results that underflow);
measured: <= 2 ulps. The summation orders of TVM's conv/depthwise/FC/average pool equal
TFLM's reference kernels', so those are exact on both targets (no FMA contraction either).
The float SOFTMAX with beta != 1 was not exact before: lwai scaled x * beta and TVM
subtracted max(x * beta); TFLite rounds (x - max) * beta (lwai/frontend/tflite.py now does).

CMSIS-NN's softmax adapter (lwai_softmax_cmsis_s8) is checked against the reference kernel
and TFLM by tests/test_cmsis_nn.py when LWAI_CMSIS_NN_PATH names a checkout.

Many cases per image (2 on the host, 3 on the Cortex-M4): operands SLICEd from one flat
input per (dtype, quantization), results CONCATENATEd (core_cells_cases.build). About 65 s
of CPU for the file (host + qemu-cortex-m4, 214 cases each), measured with /usr/bin/time.
"""

from __future__ import annotations

import core_cells_cases as cc
import kernel_cases as kc
import numpy as np
import pytest

from conftest import arena_config, need_toolchain
from lwai import driver

N_CASES = 20
TARGETS = ["host", "qemu-cortex-m4"]
# Per image (inputs, outputs, both): the host app takes 16 files of each kind; the Cortex-M
# semihosting command line about 14 in all (tests/test_cast_cells.py).
LIMITS = {"host": (16, 16, 32), "qemu-cortex-m4": (13, 13, 13)}
N_IMAGES = 3  # per target, at most
ARENA = 256 * 1024  # qemu-cortex-m4 (mps2-an386, 4 MiB of data RAM): the default is 96 KiB
# For scripts/gen_coverage.py: TFLite builtin -> dtype labels checked here (host and M4).
CELLS: dict[str, list[str]] = {op: ["float32"] for op in cc.FLOAT_GROUPS.values()}
CELLS["SOFTMAX"] = ["float32", "int8"]
# Kernels lwai may run here besides TVM's C: int8 softmax (and the int8 <-> float32 glue of
# its concatenated outputs), float max pool.
LWAI_KERNELS = {
    "lwai_softmax_s8",
    "lwai_max_pool2d_f32",
    "lwai_quantize_f32_s8",
    "lwai_dequantize_s8_f32",
}


def _cases() -> list[kc.Case]:
    return cc.all_cases(N_CASES)


def _images(target: str) -> list[list[kc.Case]]:
    return cc.images(_cases(), *LIMITS[target])


def test_cases_cover_every_cell():
    cases = _cases()
    for op, labels in CELLS.items():
        for label in labels:
            assert sum(cc.cell(c) == (op, label) for c in cases) >= 20, (op, label)
    by: dict[tuple[str, str], list[kc.Case]] = {}
    for c in cases:
        by.setdefault(cc.cell(c), []).append(c)
    convs = by[("CONV_2D", "float32")] + by[("DEPTHWISE_CONV_2D", "float32")]
    assert {c.options["padding"] for c in convs} == {"SAME", "VALID"}
    assert any(max(c.options["stride"]) > 1 for c in convs)
    assert any(max(c.options["dilation"]) > 1 for c in convs)
    assert any(c.options.get("depth_multiplier", 1) > 1 for c in convs)
    assert any(len(c.inputs) == 2 for c in convs) and any(len(c.inputs) == 3 for c in convs)
    for op in ("CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED", "ADD", "MUL"):
        acts = {c.options["activation"] for c in by[(op, "float32")]}
        assert {"NONE", "RELU", "RELU6"} <= acts, op
    for op in ("AVERAGE_POOL_2D", "MAX_POOL_2D"):
        pools = by[(op, "float32")]
        assert {c.options["padding"] for c in pools} == {"SAME", "VALID"}, op
        assert any(c.options["filter"] == c.inputs[0].shape[1:3] for c in pools), op
    for op in ("ADD", "MUL"):
        assert any(c.inputs[0].shape != c.inputs[1].shape for c in by[(op, "float32")]), op
    betas = {c.options["beta"] for c in by[("SOFTMAX", "float32")]}
    assert any(np.log2(b) % 1 for b in betas if b > 0) and 1.0 in betas
    s8 = by[("SOFTMAX", "int8")]
    scales = [c.inputs[0].scale[0] for c in s8]
    assert max(scales) / min(scales) > 1000
    zps = {c.inputs[0].zero_point[0] for c in s8}
    assert {-128, 127} <= zps
    assert max(c.inputs[0].shape[-1] for c in s8) >= 255
    assert any(c.inputs[0].shape[-1] == 1 for c in s8)
    assert any(len(np.unique(c.feeds[0])) == 1 for c in s8)  # constant rows
    for target in TARGETS:
        groups = _images(target)
        assert len(groups) <= N_IMAGES and sum(map(len, groups)) == len(cases)


def _float_mismatch(c: kc.Case, got: np.ndarray, ref: np.ndarray, target: str) -> str | None:
    """None when ``got`` is TFLM's ``ref`` as the module docstring says, else a message."""
    if got.dtype != ref.dtype:
        return f"{c.name}: dtype {got.dtype} != {ref.dtype}"
    if c.kind == "softmax" and target != "host":
        k = c.inputs[0].shape[-1]
        tol = (k + 3) * 2.0**-23 * np.abs(ref.astype(np.float64)) + np.finfo(np.float32).tiny
        err = np.abs(got.astype(np.float64) - ref.astype(np.float64))
        if np.all(err <= tol):
            return None
        i = int(np.argmax(err - tol))
        return f"{c.name}: at {i}: {got[i]!r} != {ref[i]!r} (tolerance {tol[i]:.3g})"
    if np.array_equal(got.view(np.uint32), ref.view(np.uint32)):
        return None
    i = int(np.flatnonzero(got.view(np.uint32) != ref.view(np.uint32))[0])
    return f"{c.name}: at {i}: {got[i]!r} != {ref[i]!r} (bit-exact expected)"


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("image", range(N_IMAGES))
def test_matches_tflite_micro(image, target, tmp_path, monkeypatch):
    need_toolchain(target)
    groups = _images(target)
    if image >= len(groups):
        pytest.skip(f"{target} needs {len(groups)} images")
    monkeypatch.setenv("LWAI_CACHE_DIR", str(tmp_path / "cache"))
    cases = groups[image]
    model, feeds, layout = cc.build(cases)
    n_out = 1 + max(k for k, _, _ in layout.values())
    refs = cc.tflm(model, feeds, n_out)
    path = tmp_path / "m.tflite"
    path.write_bytes(model)
    outs, info = driver.run_model(
        path, feeds, tmp_path / "w", target, config=arena_config(target, tmp_path, ARENA)
    )
    bad = []
    for c in cases:
        k, off, n = layout[c.name]
        got = np.asarray(outs[k]).reshape(-1)[off : off + n]
        ref = np.asarray(refs[k]).reshape(-1)[off : off + n]
        if ref.dtype.kind == "f":
            assert np.isfinite(ref).all(), c.name
            msg = _float_mismatch(c, got, ref, target)
        else:
            msg = kc.compare(c, got, ref)
        if msg:
            bad.append(msg)
    assert not bad, f"{target}: {len(bad)} of {len(cases)} differ from tflite-micro:\n" + (
        "\n".join(bad[:20])
    )
    # The cells ran where the coverage table says: int8 SOFTMAX and float MAX_POOL_2D on
    # lwai's kernels (one call per case), the other float ops on TVM's C.
    ops = info["report"]["ops"]
    kernels = [o["kernel"] for o in ops if o["backend"] != "tvm"]
    assert set(kernels) <= LWAI_KERNELS, set(kernels) - LWAI_KERNELS
    for kernel, cell in (
        ("lwai_softmax_s8", ("SOFTMAX", "int8")),
        ("lwai_max_pool2d_f32", ("MAX_POOL_2D", "float32")),
    ):
        assert kernels.count(kernel) == sum(cc.cell(c) == cell for c in cases), kernel
