"""IF, WHILE, CALL_ONCE and resource variables (lwai/frontend/control_flow.py).

- IF: 20 generated cases per data dtype (float32, int32, bool, int64, and quantized int8,
  int16, uint8; tests/control_flow_cases.py: a run-time condition, branches of ops lwai
  computes exactly on the dtype, float32/int32/bool ones sometimes with a nested IF), in one
  image per target, equal to tflite-micro on host and qemu-cortex-m4 (both branches
  computed, one selected: float32 within 1e-5 as tests/test_float_cells.py, the others
  exact); an IF with two outputs of two dtypes on the host.
- CALL_ONCE + VAR_HANDLE + READ_VARIABLE of a variable the init subgraph sets to a constant
  and nothing writes: equal to tflite-micro over several invocations (host, M4).
- WHILE whose trip count follows from constants (a counter from a constant start, a constant
  limit and step; 0 to 5 trips; 20 cases per data dtype, the same seven): unrolled, in a
  second image per target, equal to tflite-micro on host and qemu-cortex-m4.
- WHILE with a run-time trip count, ASSIGN_VARIABLE at run time, an IF branch dividing
  integers: refused at compile, naming the op and why.

CPU time (/usr/bin/time, whole file, 2-core machine shared with other jobs): 144 s user +
6 s sys (280 IF/WHILE cases in 4 images: ~20 s per IF image, ~38 s per WHILE image).
"""

from __future__ import annotations

import control_flow_cases as cf
import data_movement_cases as dc
import int_io_cases as ic
import numpy as np
import pytest

from conftest import need_toolchain
from lwai import driver
from lwai.errors import LwaiError
from lwai.frontend.tflite import import_tflite
from lwai.tflite_writer import ModelBuilder

TARGETS = ["host", "qemu-cortex-m4"]
MAX_FILES = 13  # model inputs + outputs: the Cortex-M semihosting command line holds ~14
N_CASES = 20
# For scripts/gen_coverage.py: TFLite builtin -> dtype labels checked here (>= 20 cases,
# host and qemu-cortex-m4, vs tflite-micro). IF's and WHILE's label: the data they carry.
CELLS: dict[str, list[str]] = {"IF": list(cf.DTYPES), "WHILE": list(cf.WHILE_DTYPES)}


def _cases() -> list[ic.Case]:
    return [c for k, d in enumerate(cf.DTYPES) for c in cf.generate(d, N_CASES, 1900 + k)]


def _while_cases() -> list[ic.Case]:
    return [
        c for k, d in enumerate(cf.WHILE_DTYPES) for c in cf.generate_while(d, N_CASES, 1950 + k)
    ]


IMAGES = (_cases, _while_cases)  # one image each per target
N_IMAGES = len(IMAGES)


def test_if_cases():
    cases = _cases()
    for d in cf.DTYPES:
        mine = [c for c in cases if c.out_dtype == d]
        assert len(mine) >= 20
        assert {bool(c.values[0]) for c in mine} == {True, False}
        ops = {b["op"] for c in mine for b in c.options["branches"] if "op" in b}
        assert len(ops) >= 3, (d, ops)
        if d in cf.NESTED:
            assert any("if" in b for c in mine for b in c.options["branches"])  # nested IF
    assert cf.files(cases) <= MAX_FILES


def test_while_cases():
    cases = _while_cases()
    for d in cf.WHILE_DTYPES:
        mine = [c for c in cases if c.out_dtype == d]
        assert len(mine) >= 20
        trips = set()
        for c in mine:
            cmp, limit, step, _ = c.options["loop"]
            start = int(c.operands[-1].data)
            trips.add((limit - start) // step + (cmp == "LESS_EQUAL"))
        assert min(trips) == 0 and max(trips) >= 5, (d, trips)
    assert cf.files(cases) <= MAX_FILES


@pytest.mark.parametrize("image", range(N_IMAGES))
@pytest.mark.parametrize("target", TARGETS)
def test_matches_tflite_micro(image, target, tmp_path, monkeypatch):
    need_toolchain(target)
    monkeypatch.setenv("LWAI_CACHE_DIR", str(tmp_path / "cache"))
    cases = IMAGES[image]()
    model, feeds, layout = cf.build(cases)
    refs = dc.tflm_outputs(model, feeds, len(ic.model_outputs(model)))
    path = tmp_path / "cf.tflite"
    path.write_bytes(model)
    outs, _ = driver.run_model(path, feeds, tmp_path / "w", target)
    bad = []
    for c in cases:
        k, off, n = layout[c.name]
        got, ref = outs[k].reshape(-1)[off : off + n], refs[k].reshape(-1)[off : off + n]
        if ref.dtype == np.float32:
            same = np.allclose(got, ref, rtol=1e-5, atol=1e-6)
        else:
            same = np.array_equal(got, ref)
        if got.dtype != ref.dtype or not same:
            bad.append(f"{c.name}: {got} != {ref}")
    assert not bad, f"{target}: differ from tflite-micro: {bad}"


def _var_model(assign: bool) -> bytes:
    """y = READ_VARIABLE(acc) + x, acc set to [1, 2, 3, 4] by CALL_ONCE's init subgraph;
    with ``assign``, ASSIGN_VARIABLE(acc, y) too (an accumulator)."""
    mb = ModelBuilder("vars")
    x = mb.add_tensor("x", (4,), "float32")
    h = mb.add_tensor("h", (), "resource")
    v = mb.add_tensor("v", (4,), "float32")
    y = mb.add_tensor("y", (4,), "float32")
    mb.add_op("CALL_ONCE", [], [], {"init_subgraph_index": 1})
    mb.add_op("VAR_HANDLE", [], [h], {"shared_name": "acc"})
    mb.add_op("READ_VARIABLE", [h], [v])
    mb.add_op("ADD", [v, x], [y])
    if assign:
        mb.add_op("ASSIGN_VARIABLE", [h, y], [])
    mb.inputs, mb.outputs = [x], [y]
    init = ModelBuilder()
    h1 = init.add_tensor("h1", (), "resource")
    c = init.add_tensor("c", (4,), "float32", data=np.array([1, 2, 3, 4], np.float32))
    init.add_op("VAR_HANDLE", [], [h1], {"shared_name": "acc"})
    init.add_op("ASSIGN_VARIABLE", [h1, c], [])
    mb.subgraphs = [init]
    return mb.build()


@pytest.mark.parametrize("target", TARGETS)
def test_read_only_variable_matches_tflite_micro(target, tmp_path, monkeypatch):
    from tflite_micro.python.tflite_micro import runtime

    need_toolchain(target)
    monkeypatch.setenv("LWAI_CACHE_DIR", str(tmp_path / "cache"))
    model = _var_model(assign=False)
    xs = np.random.default_rng(3).standard_normal((3, 4)).astype(np.float32)
    it = runtime.Interpreter.from_bytes(model)
    refs = []
    for x in xs:
        it.set_input(x, 0)
        it.invoke()
        refs.append(it.get_output(0).copy())
    path = tmp_path / "v.tflite"
    path.write_bytes(model)
    outs, info = driver.run_model(path, [xs], tmp_path / "w", target, invocations=3)
    assert np.array_equal(outs[0], np.stack(refs))
    assert np.array_equal(outs[0][0], xs[0] + np.float32([1, 2, 3, 4]))
    assert info["report"]["state_bytes"] == 16  # persistent state, not a folded constant
    # TFLM's reset() zeroes resource variables and does not rerun CALL_ONCE: lwai differs
    # there, its reset re-applies the init value (lwai/frontend/variables.py).
    it.reset()
    it.set_input(xs[0], 0)
    it.invoke()
    assert np.array_equal(it.get_output(0), xs[0])


def _if_int_div_model() -> bytes:
    mb = ModelBuilder()
    c = mb.add_tensor("c", (), "bool")
    a = mb.add_tensor("a", (3,), "int32")
    b = mb.add_tensor("b", (3,), "int32")
    y = mb.add_tensor("y", (3,), "int32")
    mb.add_op("IF", [c, a, b], [y], {"then_subgraph_index": 1, "else_subgraph_index": 2})
    mb.inputs, mb.outputs = [c, a, b], [y]
    for op in ("DIV", "SUB"):
        g = ModelBuilder()
        ga, gb = g.add_tensor("a", (3,), "int32"), g.add_tensor("b", (3,), "int32")
        gy = g.add_tensor("y", (3,), "int32")
        g.add_op(op, [ga, gb], [gy])
        g.inputs, g.outputs = [ga, gb], [gy]
        mb.subgraphs.append(g)
    return mb.build()


def _if_assign_model() -> bytes:
    """An IF whose then branch ASSIGN_VARIABLEs (lwai computes both branches: refused)."""
    mb = ModelBuilder()
    c, x = mb.add_tensor("c", (), "bool"), mb.add_tensor("x", (4,), "float32")
    h, y = mb.add_tensor("h", (), "resource"), mb.add_tensor("y", (4,), "float32")
    mb.add_op("VAR_HANDLE", [], [h], {"shared_name": "acc"})
    mb.add_op("ASSIGN_VARIABLE", [h, x], [])
    mb.add_op("IF", [c, x], [y], {"then_subgraph_index": 1, "else_subgraph_index": 2})
    mb.inputs, mb.outputs = [c, x], [y]
    for assign in (True, False):
        g = ModelBuilder()
        gx, gy = g.add_tensor("x", (4,), "float32"), g.add_tensor("y", (4,), "float32")
        if assign:
            gh = g.add_tensor("h", (), "resource")
            g.add_op("VAR_HANDLE", [], [gh], {"shared_name": "acc"})
            g.add_op("ASSIGN_VARIABLE", [gh, gx], [])
        g.add_op("ABS", [gx], [gy])
        g.inputs, g.outputs = [gx], [gy]
        mb.subgraphs.append(g)
    return mb.build()


def _while_model(limit: int = 3, start: int | None = None) -> bytes:
    """(i, x) -> i < limit: (i + 1, x + x); i from the graph input i0, or constant ``start``."""
    mb = ModelBuilder()
    data = None if start is None else np.array(start, np.int32)
    i0, x = mb.add_tensor("i0", (), "int32", data=data), mb.add_tensor("x", (4,), "float32")
    io, y = mb.add_tensor("io", (), "int32"), mb.add_tensor("y", (4,), "float32")
    mb.add_op("WHILE", [i0, x], [io, y], {"cond_subgraph_index": 1, "body_subgraph_index": 2})
    mb.inputs, mb.outputs = ([i0] if start is None else []) + [x], [y]
    cond, body = ModelBuilder(), ModelBuilder()
    ci, cx = cond.add_tensor("i", (), "int32"), cond.add_tensor("x", (4,), "float32")
    lim = cond.add_tensor("lim", (), "int32", data=np.int32(limit))
    cb = cond.add_tensor("b", (), "bool")
    cond.add_op("LESS", [ci, lim], [cb])
    cond.inputs, cond.outputs = [ci, cx], [cb]
    bi, bx = body.add_tensor("i", (), "int32"), body.add_tensor("x", (4,), "float32")
    one = body.add_tensor("one", (), "int32", data=np.int32(1))
    bi2, bx2 = body.add_tensor("i2", (), "int32"), body.add_tensor("x2", (4,), "float32")
    body.add_op("ADD", [bi, one], [bi2])
    body.add_op("ADD", [bx, bx], [bx2])
    body.inputs, body.outputs = [bi, bx], [bi2, bx2]
    mb.subgraphs = [cond, body]
    return mb.build()


@pytest.mark.parametrize(
    "name, model, message",
    [
        (
            "assign-in-if",
            _if_assign_model,
            "ASSIGN_VARIABLE (operator 1) of variable 'acc' inside an IF branch or WHILE body",
        ),
        (
            "while",
            _while_model,
            "WHILE (operator 0) is not supported: its trip count is decided at run time",
        ),
        (
            "while-long",
            lambda: _while_model(limit=1000, start=0),
            "WHILE (operator 0) is not supported: it runs more than 64 iterations",
        ),
        (
            "if-int-div",
            _if_int_div_model,
            "IF (operator 0): branch subgraph 1 has an integer DIV (operator 0); lwai runs",
        ),
    ],
)
def test_refused(name, model, message, tmp_path):
    with pytest.raises(LwaiError) as err:
        import_tflite(tmp_path / f"{name}.tflite", model())
    assert str(err.value).startswith(f"{tmp_path / name}.tflite: error: ")
    assert message in str(err.value)


def _if_two_outputs() -> bytes:
    """IF with a float32 and an int32 output; the else branch passes its int32 input through."""
    mb = ModelBuilder("if2")
    c = mb.add_tensor("c", (), "bool")
    x, k = mb.add_tensor("x", (2, 3), "float32"), mb.add_tensor("k", (3,), "int32")
    y1, y2 = mb.add_tensor("y1", (2, 3), "float32"), mb.add_tensor("y2", (3,), "int32")
    mb.add_op("IF", [c, x, k], [y1, y2], {"then_subgraph_index": 1, "else_subgraph_index": 2})
    mb.inputs, mb.outputs = [c, x, k], [y1, y2]
    for unary, add in (("ABS", True), ("EXP", False)):
        g = ModelBuilder()
        a, b = g.add_tensor("a", (2, 3), "float32"), g.add_tensor("b", (3,), "int32")
        o1 = g.add_tensor("o1", (2, 3), "float32")
        g.add_op(unary, [a], [o1])
        o2 = b
        if add:
            o2 = g.add_tensor("o2", (3,), "int32")
            g.add_op("ADD", [b, b], [o2])
        g.inputs, g.outputs = [a, b], [o1, o2]
        mb.subgraphs.append(g)
    return mb.build()


@pytest.mark.parametrize("cond", [True, False])
def test_if_two_outputs(cond, tmp_path, monkeypatch):
    monkeypatch.setenv("LWAI_CACHE_DIR", str(tmp_path.parent / "if2_cache"))
    model = _if_two_outputs()
    x = (np.arange(6, dtype=np.float32).reshape(2, 3) - 3) * np.float32(0.7)
    feeds = [np.array(cond), x, np.array([1, -2, 5], np.int32)]
    refs = ic.tflm_outputs(model, feeds)
    path = tmp_path / "if2.tflite"
    path.write_bytes(model)
    outs, _ = driver.run_model(path, feeds, tmp_path / "w", "host")
    assert outs[0].dtype == np.float32 and np.allclose(outs[0], refs[0], rtol=1e-5, atol=1e-6)
    assert outs[1].dtype == np.int32 and np.array_equal(outs[1], refs[1])
    assert np.array_equal(refs[1], [2, -4, 10] if cond else [1, -2, 5])
