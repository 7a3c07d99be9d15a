"""Issue 12 cells: LESS, LESS_EQUAL, GREATER, GREATER_EQUAL, EQUAL, NOT_EQUAL on float32 and
int32 inputs (TVM's C code), QUANTIZE float32 -> int8/int16, int8 -> int8/int16/int32,
int16 -> int16 and DEQUANTIZE int8/int16 -> float32 (lwai's kernels), against tflite-micro
on the host and qemu-cortex-m4, bit for bit (bool and integer results; DEQUANTIZE's float32
by its bytes: TFLM's scale * (q - zp) is exact in double and rounded once to float, as
lwai's).

20 generated single-op cases per cell (tests/quant_compare_cases.py): broadcasting (both
sides too), odd shapes, ties, signed zeros, subnormals, infinities, NaN (false but for
NOT_EQUAL in both) and the int32 limits for the comparisons; zero points at the dtype's
extremes, scales from subnormal to 1e33, scale ratios above and below 1 (equal, powers of
two with products on .5, below 2^-31: multiplier 0), saturating values and float values on
and beside .5 rounding boundaries for the quantizations. Packed into two images per target
(the comparisons; the quantizations), plus a graph-executor image of 2 cases per lwai kernel.

Cost: `/usr/bin/time .venv/bin/python -m pytest -q tests/test_quant_compare_cells.py` (all 7
tests, cold compile cache): 74 s user + 3 s system CPU, 283 s wall on the shared 2 cores.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import cast_cases as cc
import numpy as np
import pytest
import quant_compare_cases as qc

from conftest import arena_config, need_toolchain
from lwai import driver

N_CASES = 20
TARGETS = ["host", "qemu-cortex-m4"]
MAX_FILES = 13  # inputs + outputs: see tests/test_cast_cells.py
ARENA = 256 * 1024  # qemu-cortex-m4: the L0 default (96 KiB) is too small for the images
# For scripts/gen_coverage.py: every cell here has N_CASES cases on both targets.
CELLS: dict[str, list[str]] = qc.CELLS
# the lwai kernels of the QUANTIZE / DEQUANTIZE cells (the comparisons are TVM's C code)
KERNEL_CELLS = {
    ("QUANTIZE", "float32->int8"): "quantize_f32_s8",
    ("QUANTIZE", "float32->int16"): "quantize_f32_s16",
    ("QUANTIZE", "int8"): "quantize_s8_s8",
    ("QUANTIZE", "int8->int16"): "quantize_s8_s16",
    ("QUANTIZE", "int8->int32"): "quantize_s8_s32",
    ("QUANTIZE", "int16"): "quantize_s16_s16",
    ("DEQUANTIZE", "int8->float32"): "dequantize_s8_f32",
    ("DEQUANTIZE", "int16->float32"): "dequantize_s16_f32",
}


def _images() -> list[list[cc.Case]]:
    """The comparisons; the quantizations (cc.CHAIN results per output each)."""
    cases = qc.all_cases(N_CASES)
    return [[c for c in cases if c.op in qc.COMPARE], [c for c in cases if c.op not in qc.COMPARE]]


def test_cases_cover_every_cell():
    tflm = json.loads((Path(__file__).parents[1] / "lwai/spec/tflm_cells.json").read_text())
    for op, labels in CELLS.items():
        for label in labels:
            assert label in tflm["cells"][op], (op, label)
    cases = qc.all_cases(N_CASES)
    for op, label in qc.PAIRS:
        assert sum(1 for c in cases if (c.op, c.label) == (op, label)) >= 20, (op, label)
    images = _images()
    assert sum(map(len, images)) == len(cases)
    assert all(cc.files(g, cc.CHAIN) <= MAX_FILES for g in images)
    # the corners the generators promise
    cmp_ = [c for c in cases if c.op in qc.COMPARE]
    assert any(c.operands[0].shape != c.operands[1].shape for c in cmp_)
    floats = np.concatenate([v.reshape(-1) for c in cmp_ for v in c.values if v.dtype == "f"])
    assert np.isinf(floats).any() and any(np.signbit(v) and v == 0 for v in floats)
    assert np.isnan(floats).any()
    assert (floats[floats != 0] < 1.2e-38).any()  # subnormals
    ints = np.concatenate([v.reshape(-1) for c in cmp_ for v in c.values if v.dtype == "i4"])
    assert ints.min() == -(2**31) and ints.max() == 2**31 - 1
    quant = [c for c in cases if c.op == "QUANTIZE"]
    zps = {c.out_q[1] for c in quant}
    assert {-128, 127, -32768, 32767} <= zps
    f32 = [c for c in quant if c.label.startswith("float32")]
    halves = [(c.values[0].astype(np.float64) / c.out_q[0]) % 1 == 0.5 for c in f32]
    assert sum(int(h.sum()) for h in halves) > 100
    ratios = [c.operands[0].q[0] / c.out_q[0] for c in quant if c.operands[0].q]
    assert min(ratios) < 2**-31 and max(ratios) > 1e5 and 1.0 in ratios
    halves = 0  # requantized products exactly on .5 (TFLM rounds them twice)
    for c in quant:
        if c.operands[0].q:
            (si, zi), (so, _) = c.operands[0].q, c.out_q
            v = (c.values[0].astype(np.float64) - zi) * (si / so)
            halves += int(np.sum(np.abs(v % 1) == 0.5))
    assert halves > 50
    deq = [c.operands[0].q[0] for c in cases if c.op == "DEQUANTIZE"]
    assert min(deq) < 1.17e-38 and max(deq) > 1e33  # subnormal and huge scales


@pytest.fixture
def short_path():
    """A short directory name (see tests/test_cast_cells.py: the Cortex-M command line)."""
    d = Path(tempfile.mkdtemp(prefix="lwai-"))
    yield d
    shutil.rmtree(d, ignore_errors=True)


def _check(cases, outs, refs, layout) -> list[str]:
    bad = []
    for c in cases:
        k, off, n = layout[c.name]
        msg = cc.compare(c, outs[k][off : off + n], refs[k][off : off + n])
        if msg:
            bad.append(msg)
    return bad


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("image", range(2))
def test_matches_tflite_micro(image, target, short_path, monkeypatch):
    need_toolchain(target)
    monkeypatch.setenv("LWAI_CACHE_DIR", str(short_path / "c"))
    cases = _images()[image]
    model, feeds, layout = cc.build(cases, cc.CHAIN)
    refs = cc.tflm_outputs(model, feeds, len(layout["__outputs__"]))
    path = short_path / "m.tflite"
    path.write_bytes(model)
    outs, info = driver.run_model(
        path, feeds, short_path / "w", target, config=arena_config(target, short_path, ARENA)
    )
    assert [o.dtype.name for o in outs] == layout["__outputs__"]
    bad = _check(cases, outs, refs, layout)
    assert not bad, f"{target}: {len(bad)} cases differ from tflite-micro:\n" + "\n".join(bad)
    ran = {o.get("kernel", "").removeprefix("lwai_") for o in info["report"]["ops"]}
    if image == 1:
        want = set(KERNEL_CELLS.values())
        assert want <= ran, f"lwai kernels that did not run: {sorted(want - ran)}"


@pytest.mark.parametrize("target", TARGETS)
def test_graph_executor(target, short_path, monkeypatch):
    """Each lwai kernel through the graph executor's registry (2 cases per kernel cell)."""
    need_toolchain(target)
    monkeypatch.setenv("LWAI_CACHE_DIR", str(short_path / "c"))
    cases = [
        c for k, (op, label) in enumerate(KERNEL_CELLS) for c in qc.generate(op, label, 2, 4900 + k)
    ]
    model, feeds, layout = cc.build(cases)
    refs = cc.tflm_outputs(model, feeds, len(layout["__outputs__"]))
    path = short_path / "g.tflite"
    path.write_bytes(model)
    outs, _ = driver.run_model(path, feeds, short_path / "w", target, executor="graph")
    bad = _check(cases, outs, refs, layout)
    assert not bad, "\n".join(bad)
