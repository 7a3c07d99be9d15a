"""Issue 12: lwai's quantized elementwise and binary kernels against TFLite Micro.

Cells (tests/elementwise_cases.py, 20 generated cases each: ranks 1-4, odd sizes, NumPy
broadcasting, scales over decades, zero points at the int8 edges): ABS int8/int16, ELU
int8, RSQRT int8/int16, RELU/RELU6/LEAKY_RELU int16, PRELU int8/int16, SUB int16,
SQUARED_DIFFERENCE int8/int16, DIV int8, MAXIMUM/MINIMUM int8/int16 with differing
quantizations, EQUAL .. LESS_EQUAL int8 -> bool, ADD_N int8 (2 to 15 inputs).

- every case through lwai's frontend converter (lwai/frontend/elementwise.py: the OpDesc
  of the case's .tflite) and its kernel call, all cases in ONE C program per target, on the
  host and under qemu-cortex-m4: bit-exact with TFLM;
- the product path (``lwai.driver.run_model``: import, partition, plan, AOT C, image) with
  one case per cell on the host (and the graph executor) and one per kernel on
  qemu-cortex-m4, many cases per model: bit-exact, and run on lwai's kernels, not TVM.
"""

from __future__ import annotations

from collections import Counter

import elementwise_cases as ec
import numpy as np
import pytest

from conftest import need_toolchain, tflm_outputs
from lwai.driver import run_model
from lwai.tflite_writer import ModelBuilder

# For scripts/gen_coverage.py: TFLite builtin -> dtype labels checked with >= 20 cases each
# on the host and qemu-cortex-m4 (kernel calls from the frontend's OpDesc; the product path
# samples them).
CELLS: dict[str, list[str]] = {
    "ABS": ["int8", "int16"],
    "ELU": ["int8"],
    "RSQRT": ["int8", "int16"],
    "RELU": ["int16"],
    "RELU6": ["int16"],
    "LEAKY_RELU": ["int16"],
    "PRELU": ["int8", "int16"],
    "SUB": ["int16"],
    "SQUARED_DIFFERENCE": ["int8", "int16"],
    "DIV": ["int8"],
    "MAXIMUM": ["int8", "int16"],
    "MINIMUM": ["int8", "int16"],
    "ADD_N": ["int8"],
    "EQUAL": ["int8->bool"],
    "NOT_EQUAL": ["int8->bool"],
    "GREATER": ["int8->bool"],
    "GREATER_EQUAL": ["int8->bool"],
    "LESS": ["int8->bool"],
    "LESS_EQUAL": ["int8->bool"],
}

TARGETS = ["host", "qemu-cortex-m4"]
HOST_IO, QEMU_IO = 16, 8  # input files the host app / the semihosting command line take


_REFS: dict[str, np.ndarray] = {}


def _ref(case: ec.Case) -> np.ndarray:
    if case.name not in _REFS:
        _REFS[case.name] = ec.tflm_reference(case)
    return _REFS[case.name]


def test_cells_are_the_generated_ones():
    cells = {
        (op, "int8->bool" if op in ec.elementwise.COMPARISONS else dt) for op, dt in ec.GENERATORS
    }
    assert cells == {(op, label) for op, labels in CELLS.items() for label in labels}


def test_generators_reach_the_corners():
    cases = ec.all_cases()
    counts = Counter(c.cell for c in cases)
    assert len(counts) == 25 and min(counts.values()) >= 20
    binary = [c for c in cases if len(c.shapes) == 2]
    assert any(c.shapes[0] != c.shapes[1] for c in binary)  # broadcasting
    assert any(len(c.shapes[0]) != len(c.shapes[1]) for c in binary)  # rank broadcasting
    zps = {z for c in cases for _, z in c.qparams}
    assert -128 in zps and 127 in zps
    ratios = [max(s for s, _ in c.qparams) / min(s for s, _ in c.qparams) for c in cases]
    assert max(ratios) > 1000
    abs_cases = [c for c in cases if c.op == "ABS"]
    assert any(c.qparams[0] == c.qparams[1] for c in abs_cases)  # TFLM's no-rescale path
    assert any(c.qparams[0] != c.qparams[1] for c in abs_cases)
    prelu = [c for c in cases if c.op == "PRELU"]
    assert any(c.consts for c in prelu) and any(not c.consts for c in prelu)
    assert {c.options["activation"] for c in cases if c.op == "DIV"} == set(ec.ACTS)
    assert max(len(c.shapes) for c in cases if c.op == "ADD_N") == 15
    mm = [c for c in cases if c.op in ("MAXIMUM", "MINIMUM")]
    assert all(not (c.qparams[0] == c.qparams[1] == c.qparams[2]) for c in mm)


@pytest.mark.parametrize("target", TARGETS)
def test_kernels_match_tflm(target, tmp_path):
    """All cases: frontend OpDesc -> emit_kernel_call -> one C program on the target."""
    need_toolchain(target)
    cases = ec.all_cases()
    results = ec.run_program(cases, target, tmp_path)
    failures = [m for c, g in zip(cases, results) if (m := ec.compare(c, g, _ref(c)))]
    assert not failures, "\n".join(failures[:40])


def _batches(cases: list[ec.Case], max_io: int) -> list[list[ec.Case]]:
    out: list[list[ec.Case]] = [[]]
    for c in cases:
        if sum(len(x.feeds) for x in out[-1]) + len(c.feeds) > max_io:
            out.append([])
        out[-1].append(c)
    return out


def _run_batch(cases, target, tmp_path, tag, executor="aot") -> list[str]:
    mb = ModelBuilder()
    feeds = []
    for k, c in enumerate(cases):
        ins, out = c.add_to(mb, f"c{k}_")
        mb.inputs += ins
        mb.outputs.append(out)
        feeds += c.feeds
    model = mb.build()
    path = tmp_path / f"{tag}.tflite"
    path.write_bytes(model)
    got, info = run_model(path, feeds, tmp_path / f"run_{tag}", target=target, executor=executor)
    ref = tflm_outputs(model, feeds, n_outputs=len(cases))
    failures = [m for c, g, r in zip(cases, got, ref) if (m := ec.compare(c, g, r))]
    ops = info["report"]["ops"]
    if {o["backend"] for o in ops} != {"reference"} or len(ops) != len(cases):
        failures.append(f"{tag}: {[(o['backend'], o.get('kernel')) for o in ops]}")
    return failures


def _product_cases(target: str) -> list[ec.Case]:
    """Host: the second case of every cell; qemu-cortex-m4: of every kernel (dtype
    signature), which keeps the QEMU images few."""
    cases = [g()[1] for g in ec.GENERATORS.values()]
    if target == "host":
        return cases
    seen, picked = set(), []
    for c in cases:
        op = ec.op_desc(c)
        from lwai.codegen.kernels import plan_kernel

        kernel = plan_kernel(op).kernel
        if kernel not in seen:
            seen.add(kernel)
            picked.append(c)
    return picked


@pytest.mark.parametrize("target", TARGETS)
def test_product_path_matches_tflm(target, tmp_path, monkeypatch):
    need_toolchain(target)
    monkeypatch.setenv("LWAI_CACHE_DIR", str(tmp_path / "cache"))
    cases = _product_cases(target)
    failures = []
    for i, batch in enumerate(_batches(cases, HOST_IO if target == "host" else QEMU_IO)):
        failures += _run_batch(batch, target, tmp_path, f"{target}_{i}")
    assert not failures, "\n".join(failures)


def test_graph_executor_matches_tflm(tmp_path, monkeypatch):
    """One host image of the graph executor: the registry rows of every new kernel."""
    monkeypatch.setenv("LWAI_CACHE_DIR", str(tmp_path / "cache"))
    cases = _product_cases("qemu-cortex-m4")  # one per kernel
    failures = []
    for i, batch in enumerate(_batches(cases, HOST_IO)):
        failures += _run_batch(batch, "host", tmp_path, f"graph_{i}", executor="graph")
    assert not failures, "\n".join(failures)


def test_refusals_name_op_dtype_and_reason(tmp_path):
    """What TFLM refuses or lwai cannot match stops the compile with one clear line."""
    from lwai.compiler import compile_model
    from lwai.errors import LwaiError

    def model(op, dtype, zp, out_dtype=None):
        mb = ModelBuilder()
        a = mb.add_tensor("a", (2, 3), dtype, scale=0.001, zero_point=zp)
        b = mb.add_tensor("b", (2, 3), dtype, scale=0.002, zero_point=zp)
        q = {} if out_dtype == "bool" else {"scale": 0.004, "zero_point": zp}
        y = mb.add_tensor("y", (2, 3), out_dtype or dtype, **q)
        mb.add_op(op, [a, b], [y])
        mb.inputs, mb.outputs = [a, b], [y]
        path = tmp_path / f"{op}_{dtype}.tflite"
        path.write_bytes(mb.build())
        return path

    with pytest.raises(LwaiError) as err:
        compile_model(model("SUB", "int16", 3), tmp_path / "o1")
    assert "SUB 'y' (int16) has no lwai kernel: int16 zero points must be 0 (TFLM)" in str(
        err.value
    )
    # GREATER int16: TFLM leaves its scaling params unset (results vary between runs)
    with pytest.raises(LwaiError) as err:
        compile_model(model("GREATER", "int16", 0, "bool"), tmp_path / "o2")
    assert "op GREATER (int16, operator 0, output tensor 'y') has no lwai kernel" in str(err.value)
