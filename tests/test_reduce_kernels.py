"""Issue 12: quantized MEAN, SUM, REDUCE_MAX, REDUCE_MIN, L2_NORMALIZATION, LOG_SOFTMAX and
RESIZE_BILINEAR on lwai's kernels (lwai/frontend/reduce_ops.py) against TFLite Micro.

20 generated cases per op and dtype TFLM computes (CELLS), many per image
(tests/reduce_cases.py), through the product path: lwai compiles, builds and runs them
on the host and under qemu-cortex-m4 (AOT), and on the host's graph executor (.lwfb);
every output must equal TFLM's bit for bit and every case's op must run on lwai's kernel.
Attribute combinations TFLM refuses or lwai cannot reproduce stop the import with a line
naming the op, its dtype and the attribute.
"""

from __future__ import annotations

import shutil

import numpy as np
import pytest
import reduce_cases as rc

from lwai import driver
from lwai.errors import LwaiError
from lwai.frontend.tflite import import_tflite
from lwai.tflite_writer import ModelBuilder

CELLS: dict[str, list[str]] = rc.CELLS
N_CASES = 20  # per op and dtype, on each target
MAX_OUTPUTS = {"host": 15, "qemu-cortex-m4": 12}
KERNELS = {
    "MEAN": "reduce_sum",
    "SUM": "reduce_sum",
    "REDUCE_MAX": "reduce_max",
    "REDUCE_MIN": "reduce_min",
    "L2_NORMALIZATION": "l2norm",
    "LOG_SOFTMAX": "log_softmax",
    "RESIZE_BILINEAR": "resize_bilinear",
}


def _cases() -> list[rc.Case]:
    return [c for op, dt in rc.PAIRS for c in rc.generate(op, dt, N_CASES)]


def _images(target: str) -> list[list[rc.Case]]:
    return rc.images(_cases(), MAX_OUTPUTS[target])


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    """One compile cache for the module: the host AOT and graph runs share compiles."""
    return tmp_path_factory.mktemp("reduce_cache")


def _run(group: list[rc.Case], target: str, executor: str, tmp_path) -> list[str]:
    model, feeds, layout = rc.build(group)
    path = tmp_path / "cases.tflite"
    path.write_bytes(model)
    n_out = 1 + max(k for k, _, _ in layout.values())
    refs = rc.tflm_outputs(model, feeds, n_out)
    outs, info = driver.run_model(path, feeds, tmp_path / "w", target, executor=executor)
    failures = []
    for c in group:
        k, off, n = layout[c.name]
        got = np.asarray(outs[k]).reshape(-1)[off : off + n]
        ref = np.asarray(refs[k]).reshape(-1)[off : off + n]
        if not np.array_equal(got, ref):
            bad = int(np.flatnonzero(got != ref)[0])
            failures.append(
                f"{c.name} {c.shape}->{c.out_shape} q{c.q_in}->{c.q_out} {c.options} "
                f"const={None if c.const is None else c.const.tolist()}: element {bad} "
                f"lwai {got[bad]} TFLM {ref[bad]} ({int(np.sum(got != ref))} of {n} differ)"
            )
    ops = info["report"]["ops"]
    lwai_ops = [o for o in ops if o["backend"] == "reference"]
    if len(lwai_ops) != len(group):  # one lwai kernel per case; only data movement on TVM
        failures.append(f"{len(lwai_ops)} lwai kernels for {len(group)} cases: {ops}")
    want = {f"lwai_{KERNELS[c.op]}_{'s8' if c.dtype == 'int8' else 's16'}" for c in group}
    if {o["kernel"] for o in lwai_ops} != want:
        failures.append(f"kernels {sorted({o['kernel'] for o in lwai_ops})}, wanted {want}")
    return failures


def test_every_cell_has_its_cases():
    cases = _cases()
    for op, dt in rc.PAIRS:
        assert sum(1 for c in cases if (c.op, c.dtype) == (op, dt)) >= 20, (op, dt)
    for target in MAX_OUTPUTS:
        groups = _images(target)
        assert [c.name for g in groups for c in g] == [c.name for c in cases]
        assert len(groups) <= 2, target  # the test's cost: two images per target


@pytest.mark.parametrize("image", range(2))
@pytest.mark.parametrize(
    "target",
    [
        "host",
        pytest.param(
            "qemu-cortex-m4",
            marks=pytest.mark.skipif(
                shutil.which("qemu-system-arm") is None, reason="no qemu-system-arm"
            ),
        ),
    ],
)
def test_matches_tflite_micro(target, image, cache, tmp_path, monkeypatch):
    monkeypatch.setenv("LWAI_CACHE_DIR", str(cache))
    groups = _images(target)
    if image >= len(groups):
        pytest.skip("fewer images")
    failures = _run(groups[image], target, "aot", tmp_path)
    assert not failures, "\n".join(failures)


def test_graph_executor_matches(cache, tmp_path, monkeypatch):
    """Two cases of every cell from model.lwfb on the host's graph executor: each
    kernel's registry row and parameter layout (the AOT tests above cover the values)."""
    monkeypatch.setenv("LWAI_CACHE_DIR", str(cache))
    group = [c for op, dt in rc.PAIRS for c in rc.generate(op, dt, 2)]
    failures = _run(group, "host", "graph", tmp_path)
    assert not failures, "\n".join(failures)


def test_generators_reach_the_corners():
    cases = _cases()
    red = [c for c in cases if c.op in ("MEAN", "SUM")]
    assert any(c.q_in == c.q_out for c in red) and any(c.q_in != c.q_out for c in red)
    assert any(c.options["keep_dims"] for c in red) and not all(c.options["keep_dims"] for c in red)
    assert any(int(v) < 0 for c in red for v in c.const)  # negative axes
    assert any(len(set(c.const.tolist())) < len(c.const) for c in red)  # repeated axes
    assert any(len(set(c.const.tolist())) == len(c.shape) for c in red)  # all axes
    assert any(len(c.shape) == 5 for c in red)
    zps = {c.q_in[1] for c in cases if c.dtype == "int8"}
    assert {-128, 127} <= zps
    modes = {tuple(sorted(c.options)) for c in cases if c.op == "RESIZE_BILINEAR"}
    assert modes == {(), ("align_corners",), ("half_pixel_centers",)}
    resize = [c for c in cases if c.op == "RESIZE_BILINEAR"]
    assert any(c.out_shape[1] < c.shape[1] for c in resize)  # downscaling
    assert any(c.out_shape[1] > c.shape[1] for c in resize)


# ---- refusals --------------------------------------------------------------------------


def _model(op, dtype, shape, out_shape, q_in, q_out, const=None, options=None) -> bytes:
    c = rc.Case("x", op, dtype, shape, out_shape, q_in, q_out, const, options or {})
    return rc.single(c)


AX = np.array([1], np.int32)
REFUSED = [
    # (model, words the error must contain)
    (
        _model("REDUCE_MAX", "int8", (2, 3), (2,), (0.1, 0), (0.2, 0), AX),
        ["REDUCE_MAX", "int8", "quantization differ"],
    ),
    (
        _model("REDUCE_MIN", "int16", (2, 3), (2,), (0.1, 0), (0.1, 0), AX),
        ["REDUCE_MIN", "int16", "float32 and int8"],
    ),
    (
        _model("MEAN", "int8", (2, 3), (2,), (0.5, 0), (1e-10, 0), AX),
        ["MEAN", "int8", "output scale >= 2^30"],
    ),
    (
        _model(
            "MEAN",
            "int8",
            (2, 2, 2, 2, 2),
            (2, 2),
            (0.1, 0),
            (0.1, 0),
            np.array([0, 2, 4], np.int32),
        ),
        ["MEAN", "int8", "more than 4 alternating"],
    ),
    (
        _model(
            "L2_NORMALIZATION",
            "int8",
            (2, 3),
            (2, 3),
            (0.1, 0),
            (1 / 128, 0),
            options={"activation": "RELU"},
        ),
        ["L2_NORMALIZATION", "int8", "fused activation RELU"],
    ),
    (
        _model("L2_NORMALIZATION", "int8", (2, 3), (2, 3), (0.1, 0), (0.1, 0)),
        ["L2_NORMALIZATION", "int8", "scale 1/128"],
    ),
    (
        _model("L2_NORMALIZATION", "int16", (2, 3), (2, 3), (0.1, 0), (1 / 128, 0)),
        ["L2_NORMALIZATION", "int16", "float32 and int8"],
    ),
    (
        _model("LOG_SOFTMAX", "int8", (2, 3), (2, 3), (0.1, 0), (1 / 256, -128)),
        ["LOG_SOFTMAX", "int8", "16/256"],
    ),
    (
        _model(
            "RESIZE_BILINEAR",
            "int8",
            (1, 2, 2, 1),
            (1, 4, 4, 1),
            (0.1, 0),
            (0.1, 0),
            np.array([4, 4], np.int32),
            {"align_corners": True, "half_pixel_centers": True},
        ),
        ["RESIZE_BILINEAR", "int8", "align_corners and half_pixel_centers"],
    ),
    (
        _model(
            "RESIZE_BILINEAR",
            "int8",
            (1, 2, 2, 1),
            (1, 4, 4, 1),
            (0.1, 0),
            (0.2, 0),
            np.array([4, 4], np.int32),
        ),
        ["RESIZE_BILINEAR", "int8", "quantization differ"],
    ),
    (
        _model(
            "RESIZE_BILINEAR",
            "int16",
            (1, 2, 2, 1),
            (1, 4, 4, 1),
            (0.1, 0),
            (0.1, 0),
            np.array([4, 4], np.int32),
        ),
        ["RESIZE_BILINEAR", "int16", "float32 and int8"],
    ),
]


@pytest.mark.parametrize(
    "model,words", REFUSED, ids=lambda v: "-".join(v) if isinstance(v, list) else ""
)
def test_unsupported_attributes_are_named(model, words, tmp_path):
    path = tmp_path / "m.tflite"
    path.write_bytes(model)
    with pytest.raises(LwaiError) as err:
        import_tflite(path, model)
    text = str(err.value)
    assert str(path) in text and "has no lwai kernel" in text, text
    for w in words:
        assert w in text, (w, text)


def test_runtime_axis_is_refused(tmp_path):
    """An axis tensor computed at run time (a graph input) cannot be planned."""
    mb = ModelBuilder()
    x = mb.add_tensor("x", (2, 3), "int8", scale=0.1, zero_point=0)
    a = mb.add_tensor("a", (1,), "int32")
    y = mb.add_tensor("y", (2,), "int8", scale=0.1, zero_point=0)
    mb.add_op("SUM", [x, a], [y], {"keep_dims": False})
    mb.inputs, mb.outputs = [x, a], [y]
    model = mb.build()
    path = tmp_path / "m.tflite"
    path.write_bytes(model)
    with pytest.raises(LwaiError, match=r"SUM 'y' \(int8\): the axis is not constant"):
        import_tflite(path, model)
