"""The int8, int16, int64 and uint8 cells of TFLite's plain data-movement builtins (RESHAPE,
SQUEEZE, CONCATENATION, PACK, REVERSE_V2, BROADCAST_TO, BROADCAST_ARGS; the dtypes TFLite
Micro registers each for, lwai/spec/tflm_cells.json): 20 generated single-op cases per op x
dtype (tests/shape_cells_cases.py's generators and INT_CELLS: odd shapes, ranks 0-5,
negative axes, -1 in new shapes, shape as option and as tensor; int8/int16/uint8 tensors
quantized with a scale and zero point per case, the dtype's limits among them), bit-identical
to tflite-micro on host and qemu-cortex-m4.

uint8 REVERSE_V2 / BROADCAST_TO run on lwai's movement kernels (lwai/frontend/data_movement.py:
TVM's importer reverses one axis only); the int64 cells and RESHAPE / SQUEEZE are TVM's C.

All cases in one image per target (int8 + uint8, int16 and int64 inputs and outputs; int64
operands are MAXIMUM(model input, constant), computed at run time: TFLM slices no int64).
Also a few cases through the graph executor (host). About 52 s of CPU for the file (host +
qemu-cortex-m4, 260 cases; the graph executor check 12 s), measured with /usr/bin/time.
"""

from __future__ import annotations

import numpy as np
import pytest
import shape_cells_cases as sc

from conftest import need_toolchain, tflm_outputs
from lwai import driver

N_CASES = 20
TARGETS = ["host", "qemu-cortex-m4"]
N_IMAGES = 1  # per target
SEED = 5000
# For scripts/gen_coverage.py: TFLite builtin -> dtype labels checked here (host and M4).
CELLS = sc.INT_CELLS


def _cases() -> list:
    return sc.all_cases(N_CASES, SEED, CELLS)


def test_cases_cover_every_cell():
    cases = _cases()
    for op, dtypes in CELLS.items():
        for dt in dtypes:
            assert sum(c.op == op and c.out_dtype == dt for c in cases) >= 20, (op, dt)
    quant = [c.q for c in cases if c.out_dtype in sc.QUANTIZED]
    assert all(q is not None for q in quant)
    zps = {(c.out_dtype, c.q[1]) for c in cases if c.q}
    assert {("uint8", 0), ("uint8", 255), ("int8", -128), ("int8", 127)} <= zps
    assert all(c.q is None for c in cases if c.out_dtype == "int64")
    for dt in ("int64", "uint8"):  # several axes reversed at once (TVM's importer: one)
        rev = [c for c in cases if c.op == "REVERSE_V2" and c.out_dtype == dt]
        assert max(len(c.operands[1].data) for c in rev) >= 3
    big = np.concatenate([v.reshape(-1) for c in cases if c.op == "PACK" for v in c.values])
    assert big.min() < -(2**62) and big.max() > 2**62  # int64 values beyond int32
    assert len(_images()) == N_IMAGES and sum(map(len, _images())) == len(cases)


def _images() -> list[list]:
    return sc.images(_cases(), N_IMAGES)


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("image", range(N_IMAGES))
def test_matches_tflite_micro(image, target, tmp_path, monkeypatch):
    need_toolchain(target)
    monkeypatch.setenv("LWAI_CACHE_DIR", str(tmp_path / "cache"))
    cases = _images()[image]
    model, feeds, layout = sc.build(cases)
    refs = tflm_outputs(model, feeds, len(layout["__outputs__"]), arena=8_000_000)
    path = tmp_path / "m.tflite"
    path.write_bytes(model)
    outs, _ = driver.run_model(path, feeds, tmp_path / "w", target)
    assert [o.dtype.name for o in outs] == layout["__outputs__"]
    bad = []
    for c in cases:
        k, off, n = layout[c.name]
        if not np.array_equal(outs[k][off : off + n], refs[k][off : off + n]):
            bad.append(c.name)
    assert not bad, f"{target}: differ from tflite-micro: {bad}"


def test_graph_executor(tmp_path, monkeypatch):
    """A few cases through the graph executor (host): BROADCAST_ARGS int32/int64 (TVM
    padded the longer shape with an empty constant, which the .lwfb loader refuses;
    lwai/frontend/shape_ops.py), and uint8 REVERSE_V2 / BROADCAST_TO on lwai's kernels."""
    monkeypatch.setenv("LWAI_CACHE_DIR", str(tmp_path / "cache"))
    cases = [
        c
        for k, (op, dt) in enumerate(
            [("BROADCAST_ARGS", "int32"), ("BROADCAST_ARGS", "int64"), ("REVERSE_V2", "uint8")]
            + [("BROADCAST_TO", "uint8")]
        )
        for c in sc.generate(op, dt, 4, SEED + 500 + k)
    ]
    model, feeds, layout = sc.build(cases)
    refs = tflm_outputs(model, feeds, len(layout["__outputs__"]), arena=8_000_000)
    path = tmp_path / "m.tflite"
    path.write_bytes(model)
    outs, info = driver.run_model(path, feeds, tmp_path / "w", "host", executor="graph")
    bad = [
        c.name
        for c in cases
        for k, off, n in [layout[c.name]]
        if not np.array_equal(outs[k][off : off + n], refs[k][off : off + n])
    ]
    assert not bad, f"graph executor: differ from tflite-micro: {bad}"
    kinds = [op["kind"] for op in info["report"]["ops"]]
    assert kinds.count("reverse") == 4 and kinds.count("broadcast_to") == 4
