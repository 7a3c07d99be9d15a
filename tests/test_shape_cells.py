"""TFLite data-movement and shape builtins in float32, int32 and bool (the dtypes TFLite
Micro registers each for; /work/notes/cells.md) on TVM's C code, with lwai's converters
where TVM's importer fails or differs (lwai/frontend/shape_ops.py): 20 generated single-op
cases per op x dtype (tests/shape_cells_cases.py: odd shapes, ranks 0-5, masks, negative
strides and axes, both MIRROR_PAD modes, align_corners / half_pixel_centers, constant and
runtime indices), bit-identical to tflite-micro (float32 compared bit for bit,
RESIZE_BILINEAR included) on host and qemu-cortex-m4. One exception, TFLM's bug: the padding
of float SPACE_TO_BATCH_ND is uninitialized memory there; lwai's must be 0.0.

Many cases per image (two per target): operands cut from one flat input per dtype (SPLIT_V
trees on lwai's split kernel; bool, which TFLM does not split, by SLICE), results
CONCATENATEd into one output per dtype (a tree of 10-input concatenations). About 77 s of
CPU for the file (host + qemu-cortex-m4, 940 cases), measured with /usr/bin/time.
"""

from __future__ import annotations

import numpy as np
import pytest
import shape_cells_cases as sc

from conftest import arena_config, need_toolchain, tflm_outputs
from lwai import driver
from lwai.errors import LwaiError
from lwai.tflite_writer import ModelBuilder

N_CASES = 20
TARGETS = ["host", "qemu-cortex-m4"]
N_IMAGES = 2  # per target
# an image's ~500 results are live together until concatenated (mps2-an386: 4 MiB of RAM)
ARENA = 1 << 20
# For scripts/gen_coverage.py: TFLite builtin -> dtype labels checked here (host and M4).
CELLS = sc.CELLS


def _cases() -> list:
    return sc.all_cases(N_CASES)


def test_cases_cover_every_cell():
    cases = _cases()
    for op, dtypes in sc.CELLS.items():
        for dt in dtypes:
            # the label is the data's dtype; SHAPE's is its output's
            assert sum(c.op == op and c.out_dtype == dt for c in cases) >= 20, (op, dt)
    by_op: dict[str, list] = {}
    for c in cases:
        by_op.setdefault(c.op, []).append(c)
    ss = [c.options for c in by_op["STRIDED_SLICE"]]
    assert any(o["shrink_axis_mask"] for o in ss) and any(o["begin_mask"] for o in ss)
    strides = np.concatenate([c.operands[3].data for c in by_op["STRIDED_SLICE"]])
    assert (strides < 0).any()
    assert {c.options["mode"] for c in by_op["MIRROR_PAD"]} == {"REFLECT", "SYMMETRIC"}
    for op in ("RESIZE_BILINEAR", "RESIZE_NEAREST_NEIGHBOR"):
        modes = {(c.options["align_corners"], c.options["half_pixel_centers"]) for c in by_op[op]}
        assert modes == {(False, False), (True, False), (False, True)}
    for op in ("GATHER", "GATHER_ND"):  # index tensors both constant and runtime inputs
        assert {c.operands[1].data is None for c in by_op[op]} == {True, False}
    assert max(len(c.operands[0].shape) for c in by_op["TRANSPOSE"]) == 5
    assert any(sc.padded_positions(c).any() for c in by_op["SPACE_TO_BATCH_ND"])
    assert any(len(c.operands[0].shape) == 0 for c in by_op["EXPAND_DIMS"])
    assert len(_images()) == N_IMAGES and sum(map(len, _images())) == len(cases)


def _images() -> list[list]:
    return sc.images(_cases(), N_IMAGES)


def _bits(x: np.ndarray) -> np.ndarray:
    return x.view(np.uint32) if x.dtype == np.float32 else x


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
    outs, _ = driver.run_model(
        path, feeds, tmp_path / "w", target, config=arena_config(target, tmp_path, ARENA)
    )
    assert [o.dtype.name for o in outs] == layout["__outputs__"]
    bad = []
    for c in cases:
        k, off, n = layout[c.name]
        got, ref = outs[k][off : off + n], refs[k][off : off + n]
        pad = sc.padded_positions(c)
        if pad is not None:  # TFLM's float padding here is uninitialized memory
            ref = np.where(pad, np.float32(0.0), ref)
        if not np.array_equal(_bits(got), _bits(ref)):
            bad.append(c.name)
    assert not bad, f"{target}: differ from tflite-micro: {bad}"


# ---- what lwai refuses, with the op and attribute named --------------------------------------


def _single(tmp_path, op, x_shape, consts, y_shape, options=None, dtype="float32"):
    mb = ModelBuilder()
    x = mb.add_tensor("x", x_shape, dtype)
    args = [x]
    for k, v in enumerate(consts):
        v = np.asarray(v)
        args.append(mb.add_tensor(f"k{k}", v.shape, v.dtype.name, data=v))
    y = mb.add_tensor("y", y_shape, dtype)
    mb.add_op(op, args, [y], options or {})
    mb.inputs, mb.outputs = [x], [y]
    path = tmp_path / f"{op.lower()}.tflite"
    path.write_bytes(mb.build())
    return path


def _compile_error(path, tmp_path) -> str:
    from lwai.compiler import compile_model

    with pytest.raises(LwaiError) as err:
        compile_model(path, tmp_path / "out")
    return str(err.value)


def test_resize_with_both_alignments_is_refused(tmp_path):
    size = np.array([4, 6], np.int32)
    opts = {"align_corners": True, "half_pixel_centers": True}
    path = _single(tmp_path, "RESIZE_BILINEAR", (1, 2, 3, 1), [size], (1, 4, 6, 1), opts)
    assert "RESIZE_BILINEAR with both align_corners and half_pixel_centers" in _compile_error(
        path, tmp_path
    )


def test_mirror_pad_wider_than_reflect_allows_is_refused(tmp_path):
    pads = np.array([[0, 0], [3, 0]], np.int32)  # REFLECT takes at most dim - 1 = 2
    path = _single(tmp_path, "MIRROR_PAD", (2, 3), [pads], (2, 6), {"mode": "REFLECT"})
    msg = _compile_error(path, tmp_path)
    assert "MIRROR_PAD REFLECT: padding (3, 0) does not fit dimension 3" in msg


@pytest.mark.parametrize("what", ["ellipsis_mask", "new_axis_mask", "offset"])
def test_strided_slice_masks_tflm_lacks_are_refused(what, tmp_path):
    consts = [np.array(v, np.int32) for v in ([0, 1], [4, 2], [1, 1])]
    path = _single(tmp_path, "STRIDED_SLICE", (4, 3), consts, (4, 1), {what: 1})
    msg = _compile_error(path, tmp_path)
    assert (
        f"STRIDED_SLICE with {what}=1 is not supported (TFLite Micro does not implement it)" in msg
    )


# ---- outputs that fold to constants -----------------------------------------------------------


@pytest.mark.parametrize(
    "target,executor", [("host", "aot"), ("host", "graph"), ("qemu-cortex-m4", "aot")]
)
def test_shape_as_model_output(target, executor, tmp_path, monkeypatch):
    """SHAPE of a static tensor folds at compile; as a model output it is still written
    (a copy from flash), beside a computed output, equal to TFLM's."""
    need_toolchain(target)
    monkeypatch.setenv("LWAI_CACHE_DIR", str(tmp_path / "cache"))
    mb = ModelBuilder()
    x = mb.add_tensor("x", (3, 5, 7), "float32")
    shape = mb.add_tensor("shape", (3,), "int32")
    y = mb.add_tensor("y", (3, 5, 7), "float32")
    mb.add_op("SHAPE", [x], [shape], {"out_type": "int32"})
    mb.add_op("ABS", [x], [y])
    mb.inputs, mb.outputs = [x], [shape, y]
    path = tmp_path / "shape.tflite"
    path.write_bytes(mb.build())
    feeds = [np.random.default_rng(5).uniform(-2, 2, (3, 5, 7)).astype(np.float32)]
    refs = tflm_outputs(path, feeds, 2)
    outs, _ = driver.run_model(path, feeds, tmp_path / "w", target, executor=executor)
    assert outs[0].tolist() == refs[0].tolist() == [3, 5, 7]
    assert np.array_equal(outs[1], refs[1])
