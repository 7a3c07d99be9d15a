"""Resource variables as persistent arena state (lwai/frontend/variables.py): VAR_HANDLE,
READ_VARIABLE, ASSIGN_VARIABLE and CALL_ONCE for float32, int8, int16, int32, int64, bool and
uint8 variables (the label: the variable's dtype).

tests/variable_cases.py generates >= 20 cases per dtype (accumulators, counters, delay lines,
swaps of two variables, constant assignments; odd shapes; a CALL_ONCE init subgraph setting
most variables to constants, some twice or through an ADD, some left to TFLM's default fill;
quantized int8/int16/uint8 groups with edge zero points -128, 255, 128), packed into five
images. Each image runs on host and qemu-cortex-m4 (AOT executor; one compile shared by both
targets) for 3 invocations, every one equal to tflite-micro's (float32 too: the updates are
single IEEE operations, no tolerance needed), then lwai_model_reset_state and 3 more, which
repeat the first 3. (TFLM's reset() instead leaves CALL_ONCE done and the variables at their
default fill: lwai/frontend/variables.py says why lwai re-applies the init values;
test_reset_differs_from_tflm pins that difference.)

The graph executor runs them too (a ``variable`` node per variable, whose reset writes its
value; reads and writes are ``reshape`` byte copies), every image once: two on the host
(.lwfb), two on qemu-cortex-m4 (.lwfb), one through the JSON loader, with the same checks;
damaged ``variable`` nodes are refused at load (LWAI_ERR_BAD_MODEL).
CPU time: 79 s user + 9 s system for the whole file (/usr/bin/time, 2 cores; 21 tests).
"""

from __future__ import annotations

import numpy as np
import pytest
import variable_cases as vc

from conftest import need_toolchain
from lwai import driver
from lwai.errors import LwaiError
from lwai.frontend.tflite import import_tflite
from lwai.tflite_writer import ModelBuilder

TARGETS = ["host", "qemu-cortex-m4"]
INVOCATIONS = 3
N_CASES = 20
OPS = ("VAR_HANDLE", "READ_VARIABLE", "ASSIGN_VARIABLE", "CALL_ONCE")
# For scripts/gen_coverage.py: TFLite builtin -> dtype labels (the variable's dtype) checked
# here (>= 20 cases, host and qemu-cortex-m4, vs tflite-micro).
CELLS: dict[str, list[str]] = {op: list(vc.DTYPES) for op in OPS}


def _tflm(model: bytes, feeds: list[np.ndarray], n_out: int, reset: bool = False) -> list:
    """TFLM's outputs of INVOCATIONS invocations (after one reset() with ``reset``)."""
    from tflite_micro.python.tflite_micro import runtime

    it = runtime.Interpreter.from_bytes(model, arena_size=300_000)
    runs = []
    for rounds in range(2 if reset else 1):
        if rounds:
            it.reset()
            runs = []
        for i in range(INVOCATIONS):
            for j, f in enumerate(feeds):
                it.set_input(f[i], j)
            it.invoke()
            runs.append([np.array(it.get_output(j)) for j in range(n_out)])
    return runs


def test_cases():
    """>= 20 cases per dtype, every kind, init variety, and both quantized edge zero points."""
    cases = [c for image in vc.images() for _, _, cs in image for c in cs]
    for d in vc.DTYPES:
        mine = [c for c in cases if c.dtype == d]
        assert len(mine) >= N_CASES, d
        kinds = {c.kind for c in mine}
        assert {"delay", "swap", "const"} <= kinds
        if vc.OPS[d]:
            assert {"acc", "counter"} <= kinds
        inits = [i if i is None else i[0] for c in mine for i in c.inits]
        assert None in inits and "set" in inits and "twice" in inits
    zps = {q[1] for image in vc.images() for _, q, _ in image if q}
    assert {-128, 255, 128, 0} <= zps  # (0: int16)
    assert all(len(image) for image in vc.images())


# (executor, graph file format, target, image): AOT every image on both targets; the graph
# executor every image once: two on the host (.lwfb), two on the M4, one through JSON.
RUNS = (
    [("aot", "", t, k) for t in TARGETS for k in range(len(vc.IMAGES))]
    + [("graph", "lwfb", "host", k) for k in (1, 3)]
    + [("graph", "lwfb", "qemu-cortex-m4", k) for k in (0, 2)]
    + [("graph", "json", "host", 4)]
)


@pytest.mark.parametrize("executor, fmt, target, image", RUNS)
def test_matches_tflite_micro(executor, fmt, target, image, tmp_path_factory, monkeypatch):
    need_toolchain(target)
    # one compile per image for every run (the cache is keyed by the model's bytes)
    monkeypatch.setenv("LWAI_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "vars_cache"))
    tmp = tmp_path_factory.mktemp(f"vars{image}_{target}_{executor}{fmt}")
    model, feeds, layout = vc.build(vc.images()[image], INVOCATIONS, 77 + image)
    n_out = 1 + max(o for o, _, _ in layout.values())
    refs = _tflm(model, feeds, n_out)
    path = tmp / "vars.tflite"
    path.write_bytes(model)
    outs, info = driver.run_model(
        path,
        [np.concatenate([f, f]) for f in feeds],
        tmp / "w",
        target,
        invocations=2 * INVOCATIONS,
        reset_every=INVOCATIONS,
        executor=executor,
        **({"fmt": fmt} if fmt else {}),
    )
    assert info["report"]["state_bytes"] > 0
    assert "variable" in info["report"]["graph_kernels"]
    bad = []
    for name, (o, off, n) in layout.items():
        for i in range(2 * INVOCATIONS):  # after the reset: the first INVOCATIONS again
            got, ref = outs[o][i][off : off + n], refs[i % INVOCATIONS][o][off : off + n]
            if got.dtype != ref.dtype or not np.array_equal(got, ref):
                bad.append(f"{name} invocation {i}: {got} != {ref}")
                break
    assert not bad, f"{target}: differ from tflite-micro: {bad}"
    # the state changes between invocations (else the reset check above would be empty)
    assert any(not np.array_equal(outs[o][0], outs[o][1]) for o in range(n_out))


def _counter(init: bool = True) -> bytes:
    """v = v + x; y = v; CALL_ONCE sets v to 10 (with ``init``)."""
    mb = ModelBuilder("counter")
    x = mb.add_tensor("x", (2,), "int32")
    h = mb.add_tensor("h", (), "resource")
    r, y = mb.add_tensor("r", (2,), "int32"), mb.add_tensor("y", (2,), "int32")
    if init:
        mb.add_op("CALL_ONCE", [], [], {"init_subgraph_index": 1})
    mb.add_op("VAR_HANDLE", [], [h], {"shared_name": "v"})
    mb.add_op("READ_VARIABLE", [h], [r])
    mb.add_op("ADD", [r, x], [y])
    mb.add_op("ASSIGN_VARIABLE", [h, y], [])
    mb.inputs, mb.outputs = [x], [y]
    if init:
        g = ModelBuilder()
        h1 = g.add_tensor("h1", (), "resource")
        c = g.add_tensor("c", (2,), "int32", data=np.array([10, 20], np.int32))
        g.add_op("VAR_HANDLE", [], [h1], {"shared_name": "v"})
        g.add_op("ASSIGN_VARIABLE", [h1, c], [])
        mb.subgraphs = [g]
    return mb.build()


def test_reset_differs_from_tflm(tmp_path, monkeypatch):
    """After reset, lwai re-applies CALL_ONCE's init value; TFLM's reset() leaves the
    variable at 0 and CALL_ONCE done. Without CALL_ONCE both agree after reset too."""
    monkeypatch.setenv("LWAI_CACHE_DIR", str(tmp_path / "cache"))
    x = np.array([[1, 2]] * INVOCATIONS, np.int32)
    for init in (True, False):
        model = _counter(init)
        path = tmp_path / f"c{init}.tflite"
        path.write_bytes(model)
        outs, info = driver.run_model(
            path,
            [np.concatenate([x, x])],
            tmp_path / f"w{init}",
            "host",
            invocations=2 * INVOCATIONS,
            reset_every=INVOCATIONS,
        )
        tflm = [r[0] for r in _tflm(model, [x], 1, reset=True)]
        fresh = [r[0] for r in _tflm(model, [x], 1)]
        start = 10 if init else 0
        assert np.array_equal(outs[0][:INVOCATIONS], np.stack(fresh))
        assert np.array_equal(outs[0][INVOCATIONS:], np.stack(fresh))
        assert outs[0][0].tolist() == [start + 1, 2 * start + 2]
        assert np.array_equal(np.stack(tflm), np.stack(fresh)) == (not init)
        assert info["report"]["state"][0]["fill"] == ("init" if init else 0)


def _refused_models():
    def read_unassigned():
        mb = ModelBuilder()
        x = mb.add_tensor("x", (2,), "int32")
        h, r = mb.add_tensor("h", (), "resource"), mb.add_tensor("r", (2,), "int32")
        y = mb.add_tensor("y", (2,), "int32")
        mb.add_op("VAR_HANDLE", [], [h], {"shared_name": "nobody"})
        mb.add_op("READ_VARIABLE", [h], [r])
        mb.add_op("ADD", [r, x], [y])
        mb.inputs, mb.outputs = [x], [y]
        return mb.build()

    def size_mismatch():
        mb = ModelBuilder()
        x = mb.add_tensor("x", (2,), "int32")
        h, y = mb.add_tensor("h", (), "resource"), mb.add_tensor("y", (3,), "int32")
        mb.add_op("VAR_HANDLE", [], [h], {"shared_name": "v"})
        mb.add_op("ASSIGN_VARIABLE", [h, x], [])
        mb.add_op("READ_VARIABLE", [h], [y])
        mb.inputs, mb.outputs = [x], [y]
        return mb.build()

    def call_once_late():
        mb = ModelBuilder()
        x = mb.add_tensor("x", (2,), "int32")
        h, y = mb.add_tensor("h", (), "resource"), mb.add_tensor("y", (2,), "int32")
        mb.add_op("VAR_HANDLE", [], [h], {"shared_name": "v"})
        mb.add_op("READ_VARIABLE", [h], [y])
        mb.add_op("ASSIGN_VARIABLE", [h, x], [])
        mb.add_op("CALL_ONCE", [], [], {"init_subgraph_index": 1})
        mb.inputs, mb.outputs = [x], [y]
        g = ModelBuilder()
        h1 = g.add_tensor("h1", (), "resource")
        c = g.add_tensor("c", (2,), "int32", data=np.array([1, 2], np.int32))
        g.add_op("VAR_HANDLE", [], [h1], {"shared_name": "v"})
        g.add_op("ASSIGN_VARIABLE", [h1, c], [])
        mb.subgraphs = [g]
        return mb.build()

    return [
        ("read-unassigned", read_unassigned, "READ_VARIABLE (operator 1) of variable 'nobody'"),
        ("size", size_mismatch, "READ_VARIABLE (operator 2) of variable 'v' (int32 [2]) with"),
        ("late", call_once_late, "CALL_ONCE (operator 3) after READ_VARIABLE (operator 1)"),
    ]


@pytest.mark.parametrize("name, model, message", _refused_models())
def test_refused(name, model, message, tmp_path):
    with pytest.raises(LwaiError) as err:
        import_tflite(tmp_path / f"{name}.tflite", model())
    assert message in str(err.value)


def test_hostile_variable_nodes_refused(tmp_path, monkeypatch):
    """A damaged ``variable`` node (graph file bytes are hostile) is refused at load: its
    size parameter past the state, its output not its state tensor, its init shorter."""
    from lwai.codegen.graph import read_graph, write_graph
    from lwai.targets import run_image

    monkeypatch.setenv("LWAI_CACHE_DIR", str(tmp_path / "cache"))
    model = _counter()
    path = tmp_path / "c.tflite"
    path.write_bytes(model)
    x = np.array([[1, 2]], np.int32)
    outs, info = driver.run_model(
        path, [x], tmp_path / "w", "host", invocations=1, executor="graph", fmt="lwfb"
    )
    assert outs[0][0].tolist() == [11, 22]
    graph = read_graph(info["out"] / "gen" / "model.lwfb")
    (k,) = [i for i, n in enumerate(graph["nodes"]) if n["kernel"] == "variable"]
    node = graph["nodes"][k]
    init, state = node["inputs"]
    other = graph["inputs"][0]  # the input x: the same size as the variable

    def too_big(g):
        g["nodes"][k]["params"] = [node["params"][0] + 4]

    def elsewhere(g):
        g["nodes"][k]["outputs"] = [other]

    def short_init(g):
        g["tensors"][init] = {**g["tensors"][init], "shape": [1], "data": b"\0\0\0\0"}
        g["nodes"][k]["dims"] = [1, 1, 1, 1] + node["dims"][4:]

    def state_is_const(g):
        g["nodes"][k]["inputs"] = [init, init]

    for name, damage in (
        ("too-big", too_big),
        ("elsewhere", elsewhere),
        ("short-init", short_init),
        ("const-state", state_is_const),
    ):
        g = read_graph(info["out"] / "gen" / "model.lwfb")
        damage(g)
        bad = tmp_path / f"{name}.lwfb"
        write_graph(g, bad)
        x.tofile(tmp_path / "in.bin")
        with pytest.raises(LwaiError) as err:
            run_image(
                "host", info["image"], [tmp_path / "in.bin"], [tmp_path / "o.bin"], model_file=bad
            )
        assert "cannot load" in str(err.value) and "status -5" in str(err.value), name
    assert state == graph["nodes"][k]["outputs"][0]
