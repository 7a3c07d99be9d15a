"""Issue 12 cells nobody else covers, against tflite-micro on the host and qemu-cortex-m4:
CAST between float32/int8/int16/int32/bool (all 25 pairs), QUANTIZE int32 -> int8/int16 and
int8 <-> uint8, DEQUANTIZE uint8, LESS .. NOT_EQUAL / MAXIMUM / MINIMUM on int64, EQUAL /
NOT_EQUAL on bool, SELECT_V2 int8/int16, EMBEDDING_LOOKUP int8 -> float32 (hybrid),
BATCH_MATMUL float32 (within cast_cases.BMM_TOL), CUMSUM int8, FILL int8, ZEROS_LIKE
int8/int64, DIV int32 (with activations). Everything else bit for bit (floats by their
bytes: NaN, -0 and infinities too).

20 generated single-op cases per cell (tests/cast_cases.py), packed into three images per
target; the lwai kernels (lwai/frontend/cast_ops.py) must be the ones that ran. Also: uint8
graph inputs and outputs, ZEROS_LIKE as a model output, DIV int32 by zero (lwai's defined
result), the graph executor, and the compile errors for what lwai refuses.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import cast_cases as cc
import numpy as np
import pytest

from conftest import arena_config, need_toolchain
from lwai import driver
from lwai.errors import LwaiError
from lwai.tflite_writer import ModelBuilder

N_CASES = 20
TARGETS = ["host", "qemu-cortex-m4"]
MAX_FILES = 13  # inputs + outputs: the Cortex-M semihosting command line holds about 14
ARENA = 256 * 1024  # qemu-cortex-m4 (mps2-an386, 4 MiB of data RAM): the L0 default is 96 KiB
# For scripts/gen_coverage.py: every cell here has N_CASES cases on both targets.
CELLS: dict[str, list[str]] = cc.CELLS
# lwai kernels the images must run (the other cells are TVM's C code)
KERNELS = {
    "cast_s8_f32",
    "cast_s8_b",
    "cast_s16_f32",
    "cast_s16_s8",
    "cast_s16_b",
    "quantize_s32_s8",
    "quantize_s32_s16",
    "quantize_s8_u8",
    "quantize_u8_s8",
    "dequantize_u8_f32",
    "select_s8",
    "select_s16",
    "cumsum_s8",
    "zeros_like",
}


INT64_OPS = (*cc.COMPARE, "MAXIMUM", "MINIMUM", "ZEROS_LIKE")


def _images() -> list[tuple[list[cc.Case], int]]:
    """(cases, chain) per image: CAST and DIV (float32/int8/int16/int32/bool in and out, one
    output per dtype); the int64 cells; all the others (cc.CHAIN results per output)."""
    cases = cc.all_cases(N_CASES)
    first = [c for c in cases if c.op in ("CAST", "DIV")]
    wide = [c for c in cases if c.op in INT64_OPS and "int64" in c.label]
    rest = [c for c in cases if c not in first and c not in wide]
    return [(first, 0), (wide, cc.CHAIN), (rest, cc.CHAIN)]


def test_cases_cover_every_cell():
    tflm = json.loads((Path(__file__).parents[1] / "lwai/spec/tflm_cells.json").read_text())
    for op, labels in CELLS.items():
        for label in labels:  # cells.md's labels: the input dtype, "A->B" when it changes
            assert label in tflm["cells"][op], (op, label)
    cases = cc.all_cases(N_CASES)
    for op, label in cc.PAIRS:
        assert sum(1 for c in cases if (c.op, c.label) == (op, label)) >= 20, (op, label)
    images = _images()
    assert sum(len(g) for g, _ in images) == len(cases)
    assert all(cc.files(g, chain) <= MAX_FILES for g, chain in images)
    # the corners the generators promise
    pairs = {(c.operands[0].dtype, c.out_dtype) for c in cases if c.op == "CAST"}
    assert pairs == set(cc.CASTS)
    casts = [c.values[0] for c in cases if c.op == "CAST"]
    floats = np.concatenate([v.reshape(-1) for v in casts if v.dtype == np.float32])
    assert np.isnan(floats).any() and np.isinf(floats).any()
    assert any(np.signbit(v) and v == 0 for v in floats)  # -0.0
    ints = np.concatenate([v.reshape(-1).astype(np.int64) for v in casts if v.dtype == np.int32])
    assert ints.min() == -(2**31) and ints.max() == 2**31 - 1
    assert any(c.operands[0].shape != c.operands[-1].shape for c in cases if c.op == "LESS")
    qs = [c for c in cases if c.op == "QUANTIZE" and c.label == "int8->uint8"]
    assert any(c.operands[0].q[0] == c.out_q[0] for c in qs)  # TFLM's bit-flip path
    assert any(c.operands[0].q[0] != c.out_q[0] for c in qs)
    sel = [c for c in cases if c.op == "SELECT_V2"]
    assert any(c.operands[1].q != c.out_q for c in sel) and any(
        c.operands[1].q == c.out_q for c in sel
    )
    cum = [c for c in cases if c.op == "CUMSUM"]
    assert {(c.options["exclusive"], c.options["reverse"]) for c in cum} == {
        (a, b) for a in (False, True) for b in (False, True)
    }


@pytest.fixture
def short_path():
    """A directory with a short name: the Cortex-M app's command line (every input and
    output file's absolute path) is cut off silently near 1 KiB, which 13 files under
    pytest's long tmp_path names exceed."""
    d = Path(tempfile.mkdtemp(prefix="lwai-"))
    yield d
    shutil.rmtree(d, ignore_errors=True)


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("image", range(3))
def test_matches_tflite_micro(image, target, short_path, monkeypatch):
    need_toolchain(target)
    tmp_path = short_path
    monkeypatch.setenv("LWAI_CACHE_DIR", str(tmp_path / "c"))
    cases, chain = _images()[image]
    model, feeds, layout = cc.build(cases, chain)
    refs = cc.tflm_outputs(model, feeds, len(layout["__outputs__"]))
    path = tmp_path / "m.tflite"
    path.write_bytes(model)
    outs, info = driver.run_model(
        path, feeds, tmp_path / "w", target, config=arena_config(target, tmp_path, ARENA)
    )
    assert [o.dtype.name for o in outs] == layout["__outputs__"]
    bad = []
    for c in cases:
        k, off, n = layout[c.name]
        msg = cc.compare(c, outs[k][off : off + n], refs[k][off : off + n])
        if msg:
            bad.append(msg)
    assert not bad, f"{target}: {len(bad)} cases differ from tflite-micro:\n" + "\n".join(bad)
    ran = {o.get("kernel", "").removeprefix("lwai_") for o in info["report"]["ops"]}
    cast = {k for k in KERNELS if k.startswith("cast_")}
    want = [cast, {"zeros_like"}, KERNELS - cast][image]
    assert want <= ran, f"lwai kernels that did not run: {sorted(want - ran)}"


def _edges_model() -> bytes:
    """Graph inputs and outputs straight at the ops: x uint8 (scale 0.05, zero point 200) ->
    DEQUANTIZE -> float32; y int8 (0.1, -3) -> QUANTIZE -> uint8 (0.1, 125); ZEROS_LIKE of
    an int8 (zero point 5) and an int64 input; DIV int32."""
    mb = ModelBuilder("edges")
    x = mb.add_tensor("x", (7,), "uint8", scale=0.05, zero_point=200)
    f = mb.add_tensor("f", (7,), "float32")
    y = mb.add_tensor("y", (7,), "int8", scale=0.1, zero_point=-3)
    u = mb.add_tensor("u", (7,), "uint8", scale=0.1, zero_point=125)
    mb.add_op("DEQUANTIZE", [x], [f])
    mb.add_op("QUANTIZE", [y], [u])
    ins, outs = [x, y], [f, u]
    for dt, q in (("int8", {"scale": 0.5, "zero_point": 5}), ("int64", {})):
        z = mb.add_tensor(f"z_{dt}", (2, 3), dt, **q)
        zo = mb.add_tensor(f"zeros_{dt}", (2, 3), dt, **q)
        mb.add_op("ZEROS_LIKE", [z], [zo])
        ins.append(z)
        outs.append(zo)
    a = mb.add_tensor("a", (6,), "int32")
    b = mb.add_tensor("b", (6,), "int32")
    q = mb.add_tensor("q", (6,), "int32")
    mb.add_op("DIV", [a, b], [q])
    mb.inputs, mb.outputs = [*ins, a, b], [*outs, q]
    return mb.build()


@pytest.mark.parametrize("target", TARGETS)
def test_edges(target, short_path, monkeypatch):
    """uint8 graph inputs and outputs (the images carry uint8 inside the model); ZEROS_LIKE
    straight to model outputs (lwai's kernel: a computed output, raw zeros as TFLM); and
    lwai's choice where TFLM's int32 DIV is undefined (its C++ division traps on x86):
    x / 0 = 0 and INT32_MIN / -1 = INT32_MIN on every target (Cortex-M SDIV's results)."""
    need_toolchain(target)
    monkeypatch.setenv("LWAI_CACHE_DIR", str(short_path / "c"))
    model = _edges_model()
    path = short_path / "e.tflite"
    path.write_bytes(model)
    x = np.array([0, 1, 127, 128, 199, 200, 255], np.uint8)
    y = np.array([-128, -4, -3, 0, 1, 100, 127], np.int8)
    z8 = np.arange(-3, 3).reshape(2, 3).astype(np.int8)
    z64 = np.array([[-(2**63), -1, 0], [1, 2, 2**63 - 1]], np.int64)
    a = np.array([7, -7, -(2**31), 5, -(2**31), 2**31 - 1], np.int32)
    b = np.array([2, 2, -1, 0, 1, -1], np.int32)
    got, info = driver.run_model(path, [x, y, z8, z64, a, b], short_path / "w", target)
    # TFLM without the two undefined divisions (it would trap)
    b_ok = np.array([2, 2, 3, 4, 1, -1], np.int32)
    refs = cc.tflm_outputs(model, [x, y, z8, z64, a, b_ok], 5)
    assert got[0].dtype == np.float32 and got[0].tobytes() == refs[0].tobytes()
    assert got[1].dtype == np.uint8 and got[1].tolist() == refs[1].tolist()
    assert got[1].tolist() == [0, 124, 125, 128, 129, 228, 255]  # y + 128, clamped
    for g, r in zip(got[2:4], refs[2:4]):
        assert g.dtype == r.dtype and g.tolist() == r.tolist() == [[0, 0, 0], [0, 0, 0]]
    assert got[4].tolist() == [3, -3, -(2**31), 0, -(2**31), -(2**31) + 1]
    assert [got[4][k] for k in (0, 1, 4, 5)] == [refs[4][k] for k in (0, 1, 4, 5)]
    kernels = [o["kernel"] for o in info["report"]["ops"]]
    assert kernels.count("lwai_zeros_like") == 2
    assert {"lwai_dequantize_u8_f32", "lwai_quantize_s8_u8"} <= set(kernels)


def _compile_error(tmp_path, mb: ModelBuilder) -> str:
    from lwai.compiler import compile_model

    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / "bad.tflite"
    path.write_bytes(mb.build())
    with pytest.raises(LwaiError) as e:
        compile_model(path, tmp_path / "out")
    return str(e.value)


def test_refusals_name_op_dtype_and_reason(tmp_path):
    # EMBEDDING_LOOKUP int8 -> float32 from a run-time table
    mb = ModelBuilder()
    idx = mb.add_tensor("idx", (2,), "int32")
    table = mb.add_tensor("table", (4, 3), "int8", scale=0.5, zero_point=0)
    y = mb.add_tensor("emb", (2, 3), "float32")
    mb.add_op("EMBEDDING_LOOKUP", [idx, table], [y])
    mb.inputs, mb.outputs = [idx, table], [y]
    msg = _compile_error(tmp_path / "a", mb)
    assert "EMBEDDING_LOOKUP 'emb' (int8->float32) has no lwai kernel: a run-time value" in msg
    # CUMSUM int8 with a run-time axis
    mb = ModelBuilder()
    x = mb.add_tensor("x", (2, 3), "int8", scale=0.1, zero_point=0)
    axis = mb.add_tensor("axis", (1,), "int32")
    y = mb.add_tensor("cs", (2, 3), "int8", scale=0.2, zero_point=0)
    mb.add_op("CUMSUM", [x, axis], [y])
    mb.inputs, mb.outputs = [x, axis], [y]
    msg = _compile_error(tmp_path / "b", mb)
    assert "CUMSUM 'cs' (int8) has no lwai kernel: a run-time axis" in msg
    # QUANTIZE int32 -> int8 with an input zero point beyond lwai_quantize_params' range
    mb = ModelBuilder()
    x = mb.add_tensor("x", (3,), "int32", scale=0.001, zero_point=40000)
    y = mb.add_tensor("q", (3,), "int8", scale=0.1, zero_point=0)
    mb.add_op("QUANTIZE", [x], [y])
    mb.inputs, mb.outputs = [x], [y]
    msg = _compile_error(tmp_path / "c", mb)
    assert "QUANTIZE 'q' (int32) has no lwai kernel: input zero point 40000 beyond int16" in msg
    # CUMSUM int8 whose output scale is too small for TFLM's multiplier (< 1 required)
    mb = ModelBuilder()
    x = mb.add_tensor("x", (4,), "int8", scale=1.0, zero_point=0)
    axis = mb.add_tensor("axis", (1,), "int32", data=[0])
    y = mb.add_tensor("cs", (4,), "int8", scale=1e-7, zero_point=0)
    mb.add_op("CUMSUM", [x, axis], [y])
    mb.inputs, mb.outputs = [x], [y]
    msg = _compile_error(tmp_path / "d", mb)
    assert "CUMSUM 'cs' (int8) has no lwai kernel: 2 * input scale / (2^20 * output scale)" in msg


# The cells lwai's kernels compute (the others are TVM's C code, which the graph executor
# runs as for any model).
KERNEL_CELLS = [
    ("CAST", "int8->float32"),
    ("CAST", "int8->bool"),
    ("CAST", "int16->float32"),
    ("CAST", "int16->int8"),
    ("CAST", "int16->bool"),
    ("QUANTIZE", "int32->int8"),
    ("QUANTIZE", "int32->int16"),
    ("QUANTIZE", "int8->uint8"),
    ("QUANTIZE", "uint8->int8"),
    ("DEQUANTIZE", "uint8->float32"),
    ("SELECT_V2", "int8"),
    ("SELECT_V2", "int16"),
    ("CUMSUM", "int8"),
    ("ZEROS_LIKE", "int8"),
]


@pytest.mark.parametrize("target", TARGETS)
def test_graph_executor(target, tmp_path, monkeypatch):
    """Each lwai kernel through the graph executor's registry (2 cases per kernel cell)."""
    need_toolchain(target)
    monkeypatch.setenv("LWAI_CACHE_DIR", str(tmp_path / "cache"))
    cases = [
        c for k, (op, label) in enumerate(KERNEL_CELLS) for c in cc.generate(op, label, 2, 2900 + k)
    ]
    model, feeds, layout = cc.build(cases)
    refs = cc.tflm_outputs(model, feeds, len(layout["__outputs__"]))
    path = tmp_path / "g.tflite"
    path.write_bytes(model)
    outs, _ = driver.run_model(path, feeds, tmp_path / "w", target, executor="graph")
    bad = []
    for c in cases:
        k, off, n = layout[c.name]
        msg = cc.compare(c, outs[k][off : off + n], refs[k][off : off + n])
        if msg:
            bad.append(msg)
    assert not bad, "\n".join(bad)
