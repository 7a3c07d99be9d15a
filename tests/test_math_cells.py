"""Math, reduction and activation builtins on float32 / bool / int32 (and quantized int8
ARG_MAX/ARG_MIN inputs) that lwai leaves to TVM's C code (SUB float32: lwai's kernel or TVM's
C), equal to tflite-micro on host and qemu-cortex-m4: 20 generated single-op cases per op x
dtype (tests/math_cells_cases.py), many per image. Floats within 1e-5 relative (+1e-6
absolute, as tests/test_float_cells.py), integers and bools bit-exact.

Also the fixes of lwai/frontend/math_ops.py on their own: ARG_MAX/ARG_MIN int64 outputs
(TFLM refuses them: numpy is the reference) and the refusal of a run-time axis. (Repeated
and negative reduction axes, TFLite's L2_NORMALIZATION epsilon, CUMSUM reverse and int32
SQUARED_DIFFERENCE are in the generated cases.)
"""

from __future__ import annotations

import int_io_cases as ic
import math_cells_cases as mc
import numpy as np
import pytest

from conftest import need_toolchain
from lwai import driver
from lwai.errors import LwaiError
from lwai.tflite_writer import ModelBuilder

N_CASES = 20
TARGETS = ["host", "qemu-cortex-m4"]
MAX_OUTPUTS = {"host": 15, "qemu-cortex-m4": 12}  # see tests/test_int_io.py
# Results per model output by operand count: lwai's TVM functions take <= 16 tensors.
MAX_ARGS = 16
N_IMAGES = 6
# For scripts/gen_coverage.py: TFLite builtin -> dtype labels checked here (>= 20 cases each,
# host and qemu-cortex-m4, vs tflite-micro).
CELLS: dict[str, list[str]] = {op: list(labels) for op, labels in mc.CELLS.items()}


def _images(target: str) -> list[list[ic.Case]]:
    return ic.images(mc.all_cases(N_CASES), MAX_OUTPUTS[target], MAX_ARGS)


def _label(c: ic.Case) -> str:
    src = c.operands[0].dtype
    return src if src == c.out_dtype else f"{src}->{c.out_dtype}"


def test_cases_cover_every_cell():
    cases = mc.all_cases(N_CASES)
    counts: dict[tuple[str, str], int] = {}
    for c in cases:
        counts[(c.op, _label(c))] = counts.get((c.op, _label(c)), 0) + 1
    assert counts == {(op, lab): N_CASES for op, labels in CELLS.items() for lab in labels}
    reduce = [c for c in cases if c.op in mc.REDUCE]
    axes = [np.atleast_1d(c.operands[1].data) for c in reduce]
    assert any(len(set(a % len(c.operands[0].shape))) < len(a) for a, c in zip(axes, reduce))
    assert any((a < 0).any() for a in axes) and any(len(a) > 1 for a in axes)
    assert {c.options["keep_dims"] for c in reduce} == {False, True}
    l2 = np.concatenate([c.values[0].reshape(-1) for c in cases if c.op == "L2_NORMALIZATION"])
    assert np.any((l2 != 0) & (np.abs(l2) < 1e-6))  # rows below TFLite's epsilon
    for target in TARGETS:
        groups = _images(target)
        assert len(groups) <= N_IMAGES and sum(map(len, groups)) == len(cases)


def _close(got: np.ndarray, ref: np.ndarray) -> bool:
    if got.dtype != ref.dtype:
        return False
    if ref.dtype == np.float32:
        return bool(np.allclose(got, ref, rtol=1e-5, atol=1e-6))
    return bool(np.array_equal(got, ref))


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("image", range(N_IMAGES))
def test_matches_tflite_micro(image, target, tmp_path, monkeypatch):
    need_toolchain(target)
    groups = _images(target)
    if image >= len(groups):
        pytest.skip(f"{target} needs {len(groups)} images")
    monkeypatch.setenv("LWAI_CACHE_DIR", str(tmp_path / "cache"))
    cases = groups[image]
    model, feeds, layout = ic.build(cases, quant=mc.QUANT, max_args=MAX_ARGS)
    refs = ic.tflm_outputs(model, feeds)
    path = tmp_path / "m.tflite"
    path.write_bytes(model)
    outs, info = driver.run_model(path, feeds, tmp_path / "w", target)
    bad = []
    for c in cases:
        k, off, n = layout[c.name]
        got, ref = outs[k][off : off + n], refs[k][off : off + n]
        if ref.dtype == np.float32:
            assert np.isfinite(ref).all(), c.name
        if not _close(got, ref):
            diff = np.abs(got.astype(np.float64) - ref.astype(np.float64)).max()
            bad.append(f"{c.name}: max |diff| {diff:.3g}")
    assert not bad, f"{target}: differ from tflite-micro: {bad}"
    assert {op["backend"] for op in info["report"]["ops"]} <= {"tvm", "reference"}


def _argmax_model(out_type: str) -> bytes:
    """x [3,4,5] int8 -> ARG_MAX over axis 1 and ARG_MIN over axis -1 (out_type)."""
    mb = ModelBuilder("arg int8")
    x = mb.add_tensor("x", (3, 4, 5), "int8")
    ax1 = mb.add_tensor("ax1", (1,), "int32", data=[1])
    axm = mb.add_tensor("axm", (), "int32", data=np.int32(-1))
    y1 = mb.add_tensor("y1", (3, 5), out_type)
    y2 = mb.add_tensor("y2", (3, 4), out_type)
    mb.add_op("ARG_MAX", [x, ax1], [y1], {"output_type": out_type})
    mb.add_op("ARG_MIN", [x, axm], [y2], {"output_type": out_type})
    mb.inputs, mb.outputs = [x], [y1, y2]
    return mb.build()


def _arg_input() -> np.ndarray:
    rng = np.random.default_rng(7)
    return rng.integers(-4, 4, (3, 4, 5)).astype(np.int8)  # many ties


def test_argmax_int64_output(tmp_path, monkeypatch):
    """output_type int64 (TFLM refuses it: "Only int32_t are supported"): numpy's argmax."""
    monkeypatch.setenv("LWAI_CACHE_DIR", str(tmp_path / "cache"))
    path = tmp_path / "a64.tflite"
    path.write_bytes(_argmax_model("int64"))
    x = _arg_input()
    outs, _ = driver.run_model(path, [x], tmp_path / "w", "host")
    assert outs[0].dtype == np.int64 and np.array_equal(outs[0], np.argmax(x, axis=1))
    assert outs[1].dtype == np.int64 and np.array_equal(outs[1], np.argmin(x, axis=-1))


@pytest.mark.parametrize("op", ["MEAN", "ARG_MAX", "CUMSUM"])
def test_runtime_axis_refused(op, tmp_path):
    from lwai.frontend.tflite import import_tflite

    mb = ModelBuilder()
    x = mb.add_tensor("x", (2, 3), "float32")
    ax = mb.add_tensor("ax", (1,) if op != "CUMSUM" else (), "int32")
    out_shape = {"MEAN": (2,), "ARG_MAX": (2,), "CUMSUM": (2, 3)}[op]
    y = mb.add_tensor("y", out_shape, "int32" if op == "ARG_MAX" else "float32")
    mb.add_op(op, [x, ax], [y])
    mb.inputs, mb.outputs = [x, ax], [y]
    data = mb.build()
    with pytest.raises(LwaiError) as err:
        import_tflite(tmp_path / "m.tflite", data)
    assert str(err.value).startswith(f"{tmp_path / 'm.tflite'}: error: ")
    assert f"{op} with a run-time axis (tensor 'ax')" in str(err.value)
