"""int32 and bool graph inputs and outputs: integer arithmetic, comparisons (bool out),
logical ops (bool in and out), CAST, SELECT_V2 and GATHER with a runtime index input, on
TVM's C code (integer ops are exact there), equal to tflite-micro on host and
qemu-cortex-m4; `lwai run` round-trips the .npy dtypes (bool as one byte per element).

Cases: tests/int_io_cases.py, 20 per op, many per image (operands SLICEd from one flat
input per dtype, results CONCATENATEd into one output per dtype).
"""

from __future__ import annotations

import subprocess
import sys

import int_io_cases as ic
import numpy as np
import pytest

from conftest import need_toolchain
from lwai import driver
from lwai.errors import LwaiError
from lwai.tflite_writer import ModelBuilder

N_CASES = 20
TARGETS = ["host", "qemu-cortex-m4"]
# Outputs per image besides the <= 3 inputs: the host app takes 16 files of each kind, the
# Cortex-M semihosting command line about 15 files in all.
MAX_OUTPUTS = {"host": 15, "qemu-cortex-m4": 12}
N_IMAGES = 6  # upper bound of images per target (the parametrization below)
# For scripts/gen_coverage.py: TFLite builtin -> the cells this file checks with N_CASES
# cases each on TVM's C (host and qemu-cortex-m4). Not claimed: the comparisons (their 20
# cases per op are split between int32 and float32 inputs, ~10 per cell) and CAST (5 per
# pair of ic.CASTS).
CELLS: dict[str, list[str]] = {
    **{op: ["int32"] for op in ic.ARITH},
    **{op: ["bool"] for op in (*ic.LOGICAL, "LOGICAL_NOT")},
    "SELECT_V2": ["float32"],  # float32 values, bool condition
    "GATHER": ["float32"],  # float32 table, int32 index input
}


def _cases(ops) -> list[ic.Case]:
    return [c for op in ops for c in ic.generate(op, N_CASES, 1500 + ic.OPS.index(op))]


def test_case_counts_and_dtypes():
    for op in ic.OPS:
        cases = ic.generate(op, N_CASES, 1500 + ic.OPS.index(op))
        assert len(cases) >= 20
    cases = _cases(ic.OPS)
    _, feeds, layout = ic.build(cases)
    assert sorted(x.dtype.name for x in feeds) == ["bool", "float32", "int32"]
    assert set(layout["__outputs__"]) == {"bool", "float32", "int32"}
    shapes = [(c.operands[0].shape, c.operands[-1].shape) for c in cases if len(c.operands) > 1]
    assert any(a != b for a, b in shapes)  # broadcasting
    casts = {(c.operands[0].dtype, c.out_dtype) for c in cases if c.op == "CAST"}
    assert casts == set(ic.CASTS)


def _images(target: str) -> list[list[ic.Case]]:
    return ic.images(_cases(ic.OPS), MAX_OUTPUTS[target])


def test_images_cover_every_case():
    for target in TARGETS:
        groups = _images(target)
        assert len(groups) <= N_IMAGES
        assert sum(len(g) for g in groups) == N_CASES * len(ic.OPS)


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("image", range(N_IMAGES))
def test_matches_tflite_micro(image, target, tmp_path, monkeypatch):
    need_toolchain(target)
    groups = _images(target)
    if image >= len(groups):
        pytest.skip(f"{target} needs {len(groups)} images")
    monkeypatch.setenv("LWAI_CACHE_DIR", str(tmp_path / "cache"))
    cases = groups[image]
    model, feeds, layout = ic.build(cases)
    refs = ic.tflm_outputs(model, feeds)
    path = tmp_path / "m.tflite"
    path.write_bytes(model)
    outs, info = driver.run_model(path, feeds, tmp_path / "w", target)
    assert [o.dtype.name for o in outs] == layout["__outputs__"]
    assert [r.dtype.name for r in refs] == layout["__outputs__"]
    bad = [c.name for c in cases if not np.array_equal(*_slices(layout[c.name], outs, refs))]
    assert not bad, f"{target}: differ from tflite-micro: {bad}"
    assert {s["dtype"] for s in info["report"]["inputs"]} == {x.dtype.name for x in feeds}


@pytest.mark.parametrize("target", TARGETS)
def test_graph_executor(target, tmp_path, monkeypatch):
    """The graph executor binds int32/bool graph inputs and outputs too (2 cases per op)."""
    need_toolchain(target)
    monkeypatch.setenv("LWAI_CACHE_DIR", str(tmp_path / "cache"))
    cases = [c for op in ic.OPS for c in ic.generate(op, 2, 1700 + ic.OPS.index(op))]
    model, feeds, layout = ic.build(cases)
    refs = ic.tflm_outputs(model, feeds)
    path = tmp_path / "m.tflite"
    path.write_bytes(model)
    outs, _ = driver.run_model(path, feeds, tmp_path / "w", target, executor="graph")
    assert [o.dtype.name for o in outs] == layout["__outputs__"]
    bad = [c.name for c in cases if not np.array_equal(*_slices(layout[c.name], outs, refs))]
    assert not bad, bad


def _slices(where, outs, refs):
    k, off, n = where
    return outs[k][off : off + n], refs[k][off : off + n]


@pytest.mark.parametrize("target", TARGETS)
def test_int64_graph_output(target, tmp_path, monkeypatch):
    """An ONNX ArgMax: an int64 graph output, 8 bytes per element through the board app."""
    need_toolchain(target)
    import onnx
    from onnx import TensorProto, helper

    monkeypatch.setenv("LWAI_CACHE_DIR", str(tmp_path / "cache"))
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [3, 7])
    y = helper.make_tensor_value_info("y", TensorProto.INT64, [3])
    node = helper.make_node("ArgMax", ["x"], ["y"], axis=1, keepdims=0)
    graph = helper.make_graph([node], "argmax", [x], [y])
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    m.ir_version = 8
    path = tmp_path / "argmax.onnx"
    onnx.save(m, path)
    xv = np.random.default_rng(3).standard_normal((3, 7)).astype(np.float32)
    outs, _ = driver.run_model(path, [xv], tmp_path / "w", target)
    assert outs[0].dtype == np.int64 and outs[0].tolist() == np.argmax(xv, axis=1).tolist()


def _less_cast_model() -> bytes:
    """x int32 [5] < y int32 [5] -> bool; CAST(bool -> float32); x + y int32."""
    mb = ModelBuilder()
    x = mb.add_tensor("x", (5,), "int32")
    y = mb.add_tensor("y", (5,), "int32")
    m = mb.add_tensor("mask", (5,), "bool")
    f = mb.add_tensor("maskf", (5,), "float32")
    s = mb.add_tensor("sum", (5,), "int32")
    mb.add_op("LESS", [x, y], [m])
    mb.add_op("CAST", [m], [f])
    mb.add_op("ADD", [x, y], [s])
    mb.inputs, mb.outputs = [x, y], [m, f, s]
    return mb.build()


@pytest.mark.parametrize("target", TARGETS)
def test_lwai_run_round_trips_npy_dtypes(target, tmp_path, monkeypatch):
    need_toolchain(target)
    monkeypatch.setenv("LWAI_CACHE_DIR", str(tmp_path / "cache"))
    model = tmp_path / "m.tflite"
    model.write_bytes(_less_cast_model())
    x = np.array([3, -7, 2**30, 0, 5], np.int32)
    y = np.array([4, -8, -(2**30), 0, 6], np.int32)
    np.save(tmp_path / "x.npy", x)
    np.save(tmp_path / "y.npy", y)
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "lwai.cli", "run", str(model), "--target", target, "-o"]
    cmd += [str(out), "--input", str(tmp_path / "x.npy"), "--input", str(tmp_path / "y.npy")]
    r = subprocess.run(cmd, check=False, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    mask = np.load(out / "output_0.npy")
    assert mask.dtype == np.bool_ and mask.tolist() == [True, False, False, False, True]
    maskf = np.load(out / "output_1.npy")
    assert maskf.dtype == np.float32 and maskf.tolist() == [1.0, 0.0, 0.0, 0.0, 1.0]
    total = np.load(out / "output_2.npy")
    assert total.dtype == np.int32 and total.tolist() == (x + y).tolist()
    # bool travels as one byte per element
    assert (out / ".work" / "output_0.bin").stat().st_size == 5


def test_wrong_input_dtype_is_a_clear_error(tmp_path):
    """numpy's default int64 indices for an int32 input: named, not reinterpreted."""
    model = tmp_path / "m.tflite"
    model.write_bytes(_less_cast_model())
    x = np.arange(5)  # int64
    with pytest.raises(LwaiError, match=r"input 0 \('x'\) must be int32, got int64"):
        driver.run_model(model, [x, x.astype(np.int32)], tmp_path / "w", "host")


def test_gather_refuses_batch_dims(tmp_path):
    mb = ModelBuilder()
    p = mb.add_tensor("p", (2, 3), "float32", data=np.zeros((2, 3)))
    i = mb.add_tensor("i", (2, 1), "int32")
    y = mb.add_tensor("y", (2, 1), "float32")
    mb.add_op("GATHER", [p, i], [y], {"axis": 1, "batch_dims": 1})
    mb.inputs, mb.outputs = [i], [y]
    model = tmp_path / "g.tflite"
    model.write_bytes(mb.build())
    with pytest.raises(LwaiError, match="GATHER with batch_dims=1"):
        driver.run_model(model, [np.zeros((2, 1), np.int32)], tmp_path / "w", "host")
