"""Data movement and multi-output ops on lwai's kernels (lwai/frontend/data_movement.py,
kernels/reference/{split,pack,reverse,broadcast_to,mirror_pad,batch_to_space,space_to_batch,
resize_nearest,gather_nd}.c) vs tflite-micro, bit-exact, on the host and qemu-cortex-m4.

- Cells: 20 generated single-op cases per builtin x dtype (tests/data_movement_cases.py),
  packed into two images per target (int8; int16 + float32 + int32).
- A model whose SPLIT / UNPACK outputs feed different later ops and are graph outputs,
  through AOT and the graph executor (.lwfb and .json), with the memory plan checked (each
  output its own buffer, live until its last reader) and report.json's per-op outputs.
- The graph file writers keep every output of a node; the C loaders refuse a split node
  whose output count or dims do not match (bounds checks on hostile files).
"""

from __future__ import annotations

import json

import data_movement_cases as dc
import numpy as np
import pytest

from conftest import need_toolchain
from lwai import driver
from lwai.errors import LwaiError
from lwai.tflite_writer import ModelBuilder

N_CASES = 20
TARGETS = ["host", "qemu-cortex-m4"]
IMAGES = [("int8",), ("int16", "float32", "int32")]
# For scripts/gen_coverage.py: TFLite builtin -> dtypes checked here (>= 20 cases each,
# bit-exact with tflite-micro on host and qemu-cortex-m4).
CELLS: dict[str, list[str]] = {op: list(d) for op, d in dc.CELLS.items()}


KIND = {  # builtin -> lwai kernel kind (EXPAND_DIMS: an aliased reshape, no step)
    "SPLIT": "split",
    "SPLIT_V": "split",
    "UNPACK": "split",
    "PACK": "pack",
    "REVERSE_V2": "reverse",
    "BROADCAST_TO": "broadcast_to",
    "MIRROR_PAD": "mirror_pad",
    "BATCH_TO_SPACE_ND": "batch_to_space",
    "SPACE_TO_BATCH_ND": "space_to_batch",
    "RESIZE_NEAREST_NEIGHBOR": "resize_nearest",
    "GATHER_ND": "gather_nd",
    "EMBEDDING_LOOKUP": "gather_nd",
}
SAME_KIND = {k: {b for b, kk in KIND.items() if kk == k} for k in set(KIND.values())}


def _cases(dtypes) -> list[dc.Case]:
    ops = list(dc.CELLS)
    return [
        c
        for d in dtypes
        for k, op in enumerate(ops)
        if d in dc.CELLS[op]
        for c in dc.generate(op, d, N_CASES, 7100 + 37 * k + len(d))
    ]


def test_case_counts_and_variety():
    cases = _cases([d for image in IMAGES for d in image])
    for op, dtypes in CELLS.items():
        for d in dtypes:
            assert sum(1 for c in cases if c.op == op and c.label == d) >= 20, (op, d)
    splits = [c for c in cases if c.op in dc.CELLS and c.op in ("SPLIT", "SPLIT_V", "UNPACK")]
    assert max(len(c.outputs) for c in splits) >= 4 and min(len(c.outputs) for c in splits) == 1
    assert any(c.options.get("axis", 0) < 0 for c in splits if c.op == "UNPACK")
    assert any(-1 in c.inputs[1].tolist() for c in splits if c.op == "SPLIT_V")
    resize = {
        (c.options["align_corners"], c.options["half_pixel_centers"])
        for c in cases
        if c.op == "RESIZE_NEAREST_NEIGHBOR"
    }
    assert resize == {(False, False), (True, False), (False, True)}
    assert any(len(c.inputs[0]) == 3 for c in cases if c.op == "BATCH_TO_SPACE_ND")


def _compare(cases, layout, outs, refs) -> list[str]:
    bad = []
    for c in cases:
        for k, off, n in layout[c.name]:
            got = outs[k].reshape(-1)[off : off + n]
            want = refs[k].reshape(-1)[off : off + n]
            if got.dtype != want.dtype or not np.array_equal(got, want):
                bad.append(c.name)
                break
    return bad


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("image", range(len(IMAGES)))
def test_matches_tflite_micro(image, target, tmp_path, monkeypatch):
    need_toolchain(target)
    monkeypatch.setenv("LWAI_CACHE_DIR", str(tmp_path / "cache"))
    cases = _cases(IMAGES[image])
    model, feeds, layout = dc.build(cases)
    n_out = 1 + max(k for v in layout.values() for k, _, _ in v)
    refs = dc.tflm_outputs(model, feeds, n_out)
    path = tmp_path / "m.tflite"
    path.write_bytes(model)
    outs, info = driver.run_model(path, feeds, tmp_path / "w", target)
    bad = _compare(cases, layout, outs, refs)
    assert not bad, f"{target}: differ from tflite-micro: {bad}"
    report = info["report"]
    kinds = {op["kind"] for op in report["ops"] if op["backend"] != "tvm"}
    want = {"split", "pack"} if image == 0 else {"split"}
    assert want <= kinds
    multi = [op for op in report["ops"] if len(op.get("outputs", [])) > 1]
    assert multi and all(len(set(op["outputs"])) == len(op["outputs"]) for op in multi)


@pytest.mark.parametrize("target", TARGETS)
def test_graph_executor_runs_every_kernel(target, tmp_path, monkeypatch):
    """Every data movement kernel through the graph executor's registry (2 cases per cell,
    one image of every dtype), equal to tflite-micro."""
    need_toolchain(target)
    monkeypatch.setenv("LWAI_CACHE_DIR", str(tmp_path / "cache"))
    cases = [
        c
        for k, (op, labels) in enumerate(dc.CELLS.items())
        for d in labels
        for c in dc.generate(op, d, 2, 9100 + 37 * k + len(d))
    ]
    model, feeds, layout = dc.build(cases)
    n_out = 1 + max(k for v in layout.values() for k, _, _ in v)
    refs = dc.tflm_outputs(model, feeds, n_out)
    path = tmp_path / "m.tflite"
    path.write_bytes(model)
    outs, info = driver.run_model(path, feeds, tmp_path / "w", target, executor="graph")
    bad = _compare(cases, layout, outs, refs)
    assert not bad, f"{target} graph executor: differ from tflite-micro: {bad}"
    # every case ran on lwai's kernel of its kind (none went to another converter)
    kinds = [op["kind"] for op in info["report"]["ops"]]
    for kind, builtins in SAME_KIND.items():  # split: the input's SPLIT_V tree adds more
        assert kinds.count(kind) >= sum(1 for c in cases if c.op in builtins), kind


# ---- a model with several-output ops feeding different ops and graph outputs --------------

Q = {"scale": 0.05, "zero_point": 3}


def _split_model() -> bytes:
    """x int8 [2, 6, 4]: SPLIT along axis 1 into a, b, c [2, 2, 4]; UNPACK c along axis 2
    into u0..u3 [2, 2]. Outputs: MAXIMUM(a, b), b itself, ADD(u0, u3), u2, RESHAPE(u1)."""
    mb = ModelBuilder("lwai multi-output")
    x = mb.add_tensor("x", (2, 6, 4), "int8", **Q)
    ax = mb.add_tensor("axis", (), "int32", data=np.array(1, np.int32))
    a, b, c = (mb.add_tensor(n, (2, 2, 4), "int8", **Q) for n in "abc")
    mb.add_op("SPLIT", [ax, x], [a, b, c], {"num_splits": 3})
    u = [mb.add_tensor(f"u{i}", (2, 2), "int8", **Q) for i in range(4)]
    mb.add_op("UNPACK", [c], u, {"num": 4, "axis": -1})
    m = mb.add_tensor("max_ab", (2, 2, 4), "int8", **Q)
    mb.add_op("MAXIMUM", [a, b], [m])
    s = mb.add_tensor("u0_plus_u3", (2, 2), "int8", scale=0.1, zero_point=-2)
    mb.add_op("ADD", [u[0], u[3]], [s])
    r = mb.add_tensor("u1_flat", (4,), "int8", **Q)
    mb.add_op("RESHAPE", [u[1]], [r], {"new_shape": [4]})
    mb.inputs = [x]
    mb.outputs = [m, b, s, u[2], r]
    return mb.build()


@pytest.fixture(scope="module")
def split_cache(tmp_path_factory):
    """One compile cache for the split model's runs (AOT and graph share the compile)."""
    return tmp_path_factory.mktemp("split_cache")


@pytest.fixture(scope="module")
def split_model(tmp_path_factory):
    path = tmp_path_factory.mktemp("split") / "multi.tflite"
    path.write_bytes(_split_model())
    x = np.random.default_rng(11).integers(-128, 128, (2, 6, 4)).astype(np.int8)
    refs = dc.tflm_outputs(path.read_bytes(), [x], 5)
    return path, x, refs


@pytest.mark.parametrize(
    "target,executor,fmt",
    [
        ("host", "aot", "lwfb"),
        ("host", "graph", "lwfb"),
        ("host", "graph", "json"),
        ("qemu-cortex-m4", "aot", "lwfb"),
        ("qemu-cortex-m4", "graph", "lwfb"),
    ],
)
def test_split_outputs_feed_ops_and_graph_outputs(
    split_model, split_cache, target, executor, fmt, tmp_path, monkeypatch
):
    need_toolchain(target)
    monkeypatch.setenv("LWAI_CACHE_DIR", str(split_cache))
    path, x, refs = split_model
    outs, info = driver.run_model(path, [x], tmp_path / "w", target, executor=executor, fmt=fmt)
    assert len(outs) == 5
    for got, want in zip(outs, refs):
        assert got.dtype == want.dtype and np.array_equal(got.reshape(want.shape), want)
    report = info["report"]
    splits = [op for op in report["ops"] if op["kind"] == "split"]
    assert [len(op["outputs"]) for op in splits] == [3, 4]
    assert splits[0]["output_shapes"] == [[2, 2, 4]] * 3
    assert splits[1]["output_shapes"] == [[2, 2]] * 4


def test_memory_plan_gives_each_output_its_buffer(split_model, tmp_path):
    from lwai.compiler import compile_model

    path, _, _ = split_model
    report = compile_model(path, tmp_path / "out")
    plan = {b["name"]: b for b in report["memory_plan"]}
    ops = report["ops"]
    first, second = (op for op in ops if op["kind"] == "split")
    bufs = first["outputs"] + second["outputs"]
    assert len(set(bufs)) == 7
    # every split output is live from its split until its last reader, and no two buffers
    # live at the same step share bytes
    for i, op in enumerate(ops):
        for name in op.get("outputs", [op["output"]]):
            assert plan[name]["first"] <= i <= plan[name]["last"]
            for reader, later in enumerate(ops):
                if name in later["inputs"]:
                    assert plan[name]["last"] >= reader
    live = list(plan.values())
    for p in live:
        for q in live:
            if p is q or p["last"] < q["first"] or q["last"] < p["first"]:
                continue
            assert (
                p["offset"] + p["bytes"] <= q["offset"] or q["offset"] + q["bytes"] <= p["offset"]
            ), (p["name"], q["name"])
    # split outputs that are graph outputs keep their TFLite names
    assert len(report["outputs"]) == 5
    assert {"b", "u2"} <= {o["name"] for o in report["outputs"]}


def test_graph_files_keep_every_output(split_model, tmp_path):
    from lwai.codegen.graph import read_graph
    from lwai.compiler import compile_model

    path, _, _ = split_model
    compile_model(path, tmp_path / "out")
    lwfb = read_graph(tmp_path / "out" / "model.lwfb")
    js = read_graph(tmp_path / "out" / "model.json")
    assert lwfb == js
    nodes = [n for n in js["nodes"] if n["kernel"] == "split"]
    assert [len(n["outputs"]) for n in nodes] == [3, 4]
    for n in nodes:  # 4 dims per operand: one input, then each output
        assert len(n["dims"]) == 4 * (1 + len(n["outputs"]))
        assert len(set(n["outputs"])) == len(n["outputs"])


def _bad_copies(doc: dict) -> dict[str, dict]:
    """model.json with the first split node damaged in one way each."""
    out = {}
    i = next(k for k, n in enumerate(doc["nodes"]) if n["kernel"] == "split")

    def damaged(fn):
        d = json.loads(json.dumps(doc))
        fn(d["nodes"][i])
        return d

    out["output dropped"] = damaged(lambda n: n["outputs"].pop())
    # consistent counts, but the outputs no longer cover the split axis (the kernel's check)
    out["output and its dims dropped"] = damaged(lambda n: (n["outputs"].pop(), n["dims"].pop()))
    out["output added"] = damaged(lambda n: n["outputs"].append(n["outputs"][0]))
    out["dims of an output"] = damaged(lambda n: n["dims"][1].__setitem__(2, 3))
    out["elem_bytes"] = damaged(lambda n: n["params"].__setitem__("elem_bytes", 2))
    out["sixteen outputs"] = damaged(
        lambda n: (
            n["outputs"].extend([n["outputs"][0]] * 13),
            n["dims"].extend([n["dims"][1]] * 13),
        )
    )
    out["output index"] = damaged(lambda n: n["outputs"].__setitem__(1, 100000))
    return out


def test_loaders_refuse_damaged_split_nodes(split_model, split_cache, tmp_path, monkeypatch):
    from lwai.targets import run_image

    monkeypatch.setenv("LWAI_CACHE_DIR", str(split_cache))
    path, x, refs = split_model
    outs, info = driver.run_model(path, [x], tmp_path / "w", "host", executor="graph", fmt="json")
    assert np.array_equal(outs[1], refs[1])
    model_json = next(split_cache.rglob("gen/model.json"))
    doc = json.loads(model_json.read_text())
    x.tofile(tmp_path / "x.bin")
    for what, bad in _bad_copies(doc).items():
        f = tmp_path / f"bad_{what.replace(' ', '_')}.json"
        f.write_text(json.dumps(bad))
        outs_f = [tmp_path / f"o{i}.bin" for i in range(5)]
        with pytest.raises(LwaiError) as err:
            run_image("host", info["image"], [tmp_path / "x.bin"], outs_f, model_file=f)
        assert "BAD_MODEL" in str(err.value) or "bad model" in str(err.value).lower(), (
            what,
            str(err.value),
        )


def test_requantizing_split_is_refused(tmp_path):
    """Moving bytes cannot requantize: a SPLIT whose output scale differs stops the compile
    naming the op."""
    from lwai.compiler import compile_model

    mb = ModelBuilder()
    x = mb.add_tensor("x", (4,), "int8", **Q)
    ax = mb.add_tensor("axis", (1,), "int32", data=[0])
    a = mb.add_tensor("a", (2,), "int8", **Q)
    b = mb.add_tensor("b", (2,), "int8", scale=0.1, zero_point=3)
    mb.add_op("SPLIT", [ax, x], [a, b], {"num_splits": 2})
    mb.inputs, mb.outputs = [x], [a, b]
    path = tmp_path / "m.tflite"
    path.write_bytes(mb.build())
    with pytest.raises(LwaiError, match="SPLIT 'a'.*quantized differently"):
        compile_model(path, tmp_path / "out")


def test_space_to_batch_pads_with_the_zero_point(tmp_path, monkeypatch):
    """Padding is the output zero point (TFLite's kernel; TFLite Micro's leaves its pad value
    uninitialized, so the cells above use no padding): x (1, 3, 1), block 2, pads (0, 3)."""
    monkeypatch.setenv("LWAI_CACHE_DIR", str(tmp_path / "cache"))
    mb = ModelBuilder()
    x = mb.add_tensor("x", (1, 3, 1), "int8", **Q)
    block = mb.add_tensor("block", (1,), "int32", data=[2])
    pads = mb.add_tensor("pads", (1, 2), "int32", data=[[0, 3]])
    y = mb.add_tensor("y", (2, 3, 1), "int8", **Q)
    mb.add_op("SPACE_TO_BATCH_ND", [x, block, pads], [y])
    mb.inputs, mb.outputs = [x], [y]
    path = tmp_path / "s2b.tflite"
    path.write_bytes(mb.build())
    xv = np.array([-94, -11, 98], np.int8).reshape(1, 3, 1)
    (out,), _ = driver.run_model(path, [xv], tmp_path / "w", "host")
    zp = Q["zero_point"]
    assert out.reshape(-1).tolist() == [-94, 98, zp, -11, zp, zp]


def test_nearest_table_matches_tflite_formula():
    from lwai.frontend.data_movement import nearest_table

    assert nearest_table(4, 8, False, False).tolist() == [0, 0, 1, 1, 2, 2, 3, 3]
    assert nearest_table(3, 5, True, False).tolist() == [0, 1, 1, 2, 2]  # round(0.5) = 1
    assert nearest_table(4, 2, False, True).tolist() == [1, 3]
    assert nearest_table(2, 3, False, True).tolist() == [0, 1, 1]
