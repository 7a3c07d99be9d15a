"""Issue 12 cell GREATER int16 -> bool, the one TFLM cell whose TFLM result is undefined.

TFLM registers GREATER for int16 but its Prepare sets the rescaling parameters only for
int8, so int16 compares through parameters nobody wrote: with tflite-micro
0.dev20261023182759 and both inputs at scale 1, zero point 0, it answers 10 > 20 as true
(every run here). The reference for this cell is therefore TFLite's reference kernels
(LiteRT, ``OpResolverType.BUILTIN_REF``), which compare the raw int16 values. lwai computes
the comparison on TVM's C from the dequantized values when both inputs share their scale and
zero point (lwai/passes/exactness.py COMPARE_OPS: order and equalities kept, so the same
truth values as the integers') and refuses other quantizations, naming the op, because
there the raw integers (LiteRT) and the real numbers they stand for disagree.

20 generated cases (odd shapes, broadcasting on both sides, ties, the int16 limits, zero
points at the extremes, scales 1e-4..1e4), packed into one model as tests/cast_cases.py
packs its cases, on the host and qemu-cortex-m4, each result equal to LiteRT's and to the
comparison of the integers.

Cost: about 10 s of CPU (one small image per target).
"""

from __future__ import annotations

import shutil

import cast_cases as cc
import numpy as np
import pytest

from lwai import driver
from lwai.errors import LwaiError
from lwai.tflite_writer import ModelBuilder

N_CASES = 20
TARGETS = ["host", "qemu-cortex-m4"]
# For scripts/gen_coverage.py (reference: LiteRT's reference kernels, see above).
CELLS: dict[str, list[str]] = {"GREATER": ["int16->bool"]}
I16 = np.iinfo(np.int16)


def _cases() -> list[cc.Case]:
    rng = np.random.default_rng(1612)
    out = []
    for i in range(N_CASES):
        a, b, shape = cc._broadcast(rng)
        zp = int(rng.choice([0, I16.min, I16.max, int(rng.integers(-300, 300))]))
        q = (float(10.0 ** rng.uniform(-4, 4)), zp)
        ops = [cc.Operand("int16", a, q=q), cc.Operand("int16", b, q=q)]
        c = cc.Case(f"gt16_{i}", "GREATER", "int16->bool", ops, "bool", shape)
        x = rng.integers(I16.min, I16.max + 1, a, dtype=np.int16)
        y = rng.integers(I16.min, I16.max + 1, b, dtype=np.int16)
        few = np.array([I16.min, I16.max, 0, -1, 1, zp], np.int16)  # ties and limits
        for v in (x, y):
            pick = rng.random(v.shape) < 0.5
            v[pick] = rng.choice(few, int(pick.sum()))
        c.values = [x, y]
        out.append(c)
    return out


def _litert(model: bytes, feeds: list[np.ndarray], n: int) -> list[np.ndarray]:
    from ai_edge_litert.interpreter import Interpreter, OpResolverType

    it = Interpreter(model_content=model, experimental_op_resolver_type=OpResolverType.BUILTIN_REF)
    it.allocate_tensors()
    for d, x in zip(it.get_input_details(), feeds):
        it.set_tensor(d["index"], x)
    it.invoke()
    return [it.get_tensor(d["index"]).copy() for d in it.get_output_details()[:n]]


def test_cases():
    cases = _cases()
    assert len(cases) >= 20
    assert any(c.operands[0].shape != c.operands[1].shape for c in cases)
    assert {I16.min, I16.max} <= {c.operands[0].q[1] for c in cases}
    vals = np.concatenate([v.reshape(-1) for c in cases for v in c.values])
    assert vals.min() == I16.min and vals.max() == I16.max


@pytest.mark.parametrize("target", TARGETS)
def test_matches_litert_reference(target, tmp_path, monkeypatch):
    if target != "host" and shutil.which("qemu-system-arm") is None:
        pytest.skip("qemu-system-arm not installed")
    monkeypatch.setenv("LWAI_CACHE_DIR", str(tmp_path / "c"))
    cases = _cases()
    model, feeds, layout = cc.build(cases)
    refs = _litert(model, feeds, len(layout["__outputs__"]))
    path = tmp_path / "m.tflite"
    path.write_bytes(model)
    outs, info = driver.run_model(path, feeds, tmp_path / "w", target)
    bad = []
    for c in cases:
        k, off, n = layout[c.name]
        want = np.greater(*np.broadcast_arrays(*c.values)).reshape(-1)
        assert np.array_equal(refs[k][off : off + n], want), c.name  # LiteRT: the integers
        got = outs[k][off : off + n]
        if not np.array_equal(got, want):
            bad.append(f"{c.name}: {int(np.sum(got != want))} of {n} differ")
    assert not bad, "\n".join(bad)
    assert any(o.get("op") == "GREATER" or "greater" in str(o) for o in info["report"]["ops"])


def test_different_quantizations_refused(tmp_path):
    mb = ModelBuilder()
    a = mb.add_tensor("a", (4,), "int16", scale=0.5, zero_point=0)
    b = mb.add_tensor("b", (4,), "int16", scale=1.0, zero_point=0)
    y = mb.add_tensor("y", (4,), "bool")
    mb.add_op("GREATER", [a, b], [y])
    mb.inputs, mb.outputs = [a, b], [y]
    path = tmp_path / "g.tflite"
    path.write_bytes(mb.build())
    from lwai.compiler import compile_model

    with pytest.raises(LwaiError, match=r"GREATER \(int16, operator 0, output tensor 'y'\)"):
        compile_model(path, tmp_path / "out")
