"""float32 elementwise ops TFLite Micro registers and lwai leaves to TVM's C code (ABS,
NEG, SQUARE, FLOOR, CEIL, ROUND, EXP, LOG, SQRT, RSQRT, SIN, COS, MAXIMUM, MINIMUM,
SQUARED_DIFFERENCE, DIV): 20 generated single-op cases each (tests/float_cells_cases.py;
odd shapes, broadcasting, each op's domain, ROUND's .5 ties), equal to tflite-micro within
1e-5 relative (+1e-6 absolute, for SIN/COS near their zeros) on host and qemu-cortex-m4,
where the libm differs from the host's. The coverage table lists these cells (CELLS)
with backend `tvm`.
"""

from __future__ import annotations

import float_cells_cases as fc
import int_io_cases as ic
import numpy as np
import pytest

from conftest import need_toolchain
from lwai import driver

N_CASES = 20
TARGETS = ["host", "qemu-cortex-m4"]
MAX_OUTPUTS = {"host": 15, "qemu-cortex-m4": 12}  # see tests/test_int_io.py
N_IMAGES = 6
# For scripts/gen_coverage.py: TFLite builtin -> the dtype labels this file checks (20 cases
# each on the host and qemu-cortex-m4, on TVM's C).
CELLS: dict[str, list[str]] = {op: ["float32"] for op in fc.OPS}


def _cases() -> list[ic.Case]:
    return [c for op in fc.OPS for c in fc.generate(op, N_CASES, 1600 + fc.OPS.index(op))]


def _images(target: str) -> list[list[ic.Case]]:
    return ic.images(_cases(), MAX_OUTPUTS[target])


def test_cases_cover_every_op():
    cases = _cases()
    for op in fc.OPS:
        assert sum(c.op == op for c in cases) >= 20, op
    rounds = np.concatenate([c.values[0].reshape(-1) for c in cases if c.op == "ROUND"])
    assert np.any(rounds == np.round(rounds) + 0.5)  # ties
    binary = [c for c in cases if len(c.operands) == 2]
    assert any(c.operands[0].shape != c.operands[1].shape for c in binary)
    for target in TARGETS:
        groups = _images(target)
        assert len(groups) <= N_IMAGES and sum(map(len, groups)) == len(cases)


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
    bad = []
    for c in cases:
        k, off, n = layout[c.name]
        got, ref = outs[k][off : off + n], refs[k][off : off + n]
        assert np.isfinite(ref).all(), c.name
        if got.dtype != np.float32 or not np.allclose(got, ref, rtol=1e-5, atol=1e-6):
            bad.append(f"{c.name}: max |diff| {np.abs(got - ref).max():.3g}")
    assert not bad, f"{target}: differ from tflite-micro: {bad}"
    assert {op["backend"] for op in info["report"]["ops"]} == {"tvm"}
