"""UNIDIRECTIONAL_SEQUENCE_LSTM, bit-exact with tflite-micro over consecutive invocations
with the hidden and cell state carried, and after lwai_model_reset_state():

- the kernels directly: every generated int8 and int16 case (int8 8x8->16, int16 16x8; odd
  sizes, both layouts, edge quantization) and the MNIST LSTM's layer in one C program per
  target;
- the product path (import, compile, AOT image, `--invocations`, reset every 5): the
  generated cases batched into a few images (24 int8, 21 int16: 7 written out, 14 drawn at
  random), 20 float32 LSTMs (16 drawn at random: sizes, layouts, clipping, gains past the
  logistic cut-offs), and trained_lstm_int8.tflite;
- what lwai refuses (projection, CIFG, per-channel weights) stops with the op and dtype.

int8 and int16 are bit-exact everywhere; float32 is bit-exact on the host and within 3e-7
on qemu-cortex-m4 (newlib's expf, see test_float_models).

Helpers and cases: tests/lstm_cases.py. Cost (`/usr/bin/time .venv/bin/python -m pytest -q
tests/test_lstm.py`, empty LWAI_CACHE_DIR, 2 shared cores): about 90 s CPU, most of it
the 17 images of test_generated_models and test_float_models.
"""

from __future__ import annotations

import shutil
import types
from pathlib import Path

import lstm_cases as lc
import numpy as np
import pytest

from conftest import shared_model
from lwai import driver
from lwai.errors import LwaiError
from lwai.frontend import lstm

TARGETS = ["host", "qemu-cortex-m4"]
INVOCATIONS = 5
MNIST_LSTM = "trained_lstm_int8.tflite"
# For scripts/gen_coverage.py: 24 generated int8, 21 int16 (16x8) and 20 float32 cases on
# the host and qemu-cortex-m4 (test_case_count checks the counts).
CELLS: dict[str, list[str]] = {"UNIDIRECTIONAL_SEQUENCE_LSTM": ["int8", "int16", "float32"]}


def _need(target: str) -> None:
    tool = {"host": "gcc", "qemu-cortex-m4": "qemu-system-arm"}[target]
    if shutil.which(tool) is None or (
        target != "host" and shutil.which("arm-none-eabi-gcc") is None
    ):
        pytest.skip(f"{tool} / arm-none-eabi-gcc not installed")


def _short_dir(tmp_path: Path, name: str) -> Path:
    # The Cortex-M app gets its file arguments over semihosting (2 KiB command line).
    d = tmp_path / name
    d.mkdir(parents=True, exist_ok=True)
    return d


# ---- tables and Python twins -------------------------------------------------------------


def test_sigmoid_table_is_tflms():
    """kernels/reference/lwai_sigmoid_lut.h is what scripts/gen_sigmoid_lut.py measures from
    the installed tflite-micro interpreter."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "gen_sigmoid_lut", lc.REPO / "scripts" / "gen_sigmoid_lut.py"
    )
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    table = mod.measure()
    assert len(table) == 256 and table[0] == 32768 and table[-1] == 65535
    assert mod.HEADER.read_text() == mod.render(table)


def test_params_follow_tflm_rules():
    q = lstm.LstmQuant(1 / 255, -128, [0.01] * 4, [0.02] * 4, 2.0**-7, 0, 2.0**-12)
    p = lstm.lstm_params(q, time_major=False, cell_clip=10.0)
    assert p["input_offset"] == 128 and p["hidden_zero_point"] == 0
    # f * cell: 2^-15 * s / s = 2^-15 exactly -> 2^30 * 2^(-14 - 31)
    assert (p["forget_cell_multiplier"], p["forget_cell_shift"]) == (1 << 30, -14)
    assert p["cell_scale_power"] == -12
    assert p["cell_clip"] == 32767  # 10 / 2^-12 = 40960, clamped to int16
    assert lstm.lstm_params(q, time_major=True, cell_clip=0.0)["cell_clip"] == -1
    assert lstm.quantized_cell_clip(0.7, 2.0**-11) == 1433  # 1433.6 truncated
    # TFLite's CheckedLog2 rounds a non-power-of-two scale: log2(0.000377) = -11.37
    assert lstm.checked_log2(0.000377) == -11
    # FC rescale: the float32 product of the scales, then / 2^-12 in double
    m, s = lstm.gate_fc_multiplier(0.1, 0.3)
    prod = float(np.float32(np.float32(0.1) * np.float32(0.3)))
    assert abs(m * 2.0 ** (s - 31) - prod * 4096) < 1e-9 * prod * 4096


# ---- the kernels directly ----------------------------------------------------------------


@pytest.fixture(scope="module")
def direct_items():
    items, refs = [], []
    for case in lc.cases():
        model = lc.build(case)
        x = lc.random_inputs(case, INVOCATIONS, seed=100 + case.seed)
        items.append((case, x))
        refs.append(lc.tflm_run(model, x))
    case, model = lc.case_from_model(shared_model(MNIST_LSTM))
    x = lc.random_inputs(case, INVOCATIONS, seed=7)
    items.append((case, x))
    refs.append(lc.tflm_run(model, x))
    return items, refs


def test_case_count(direct_items):
    items, refs = direct_items
    generated = lc.cases() + lc.float_cases()
    for label in CELLS["UNIDIRECTIONAL_SEQUENCE_LSTM"]:
        assert sum(c.dtype == label for c in generated) >= 20, label  # dtype = cell label
    assert {c.dtype for c in lc.float_cases()} == {"float32"}
    assert {c.dtype for c, _ in items} == {"int8", "int16"}
    for dtype in ("int16", "float32"):  # both layouts, batches, clipping
        mine = [c for c in generated if c.dtype == dtype]
        assert {c.time_major for c in mine} == {False, True}, dtype
        assert {c.batch for c in mine} >= {1, 2, 3} and {c.steps for c in mine} >= {1, 5}
        assert any(c.cell_clip > 0 for c in mine) and any(c.n_in == 1 for c in mine)
    for (case, _), ref in zip(items, refs, strict=True):
        assert len(np.unique(ref)) > 1, f"{case.name}: TFLM's outputs are constant"
    # the state is carried: some invocation differs from a fresh run of the same input
    carried = 0
    for (case, x), ref in zip(items[:8], refs[:8], strict=True):
        fresh = lc.tflm_run(lc.build(case), x[1:2])[0]
        carried += not np.array_equal(fresh, ref[1])
    assert carried > 0


@pytest.mark.parametrize("target", TARGETS)
def test_kernels_bit_exact(direct_items, target, tmp_path):
    """Every case, N invocations with the state carried, then reset and invocation 0 again,
    plus lwai_lstm_*_get_state_size against its Python twin."""
    _need(target)
    items, refs = direct_items
    exe = lc.build_harness(lc.harness_source(items), tmp_path, target)
    text = lc.run_harness(exe, target)
    got = lc.parse_harness(text, items)
    bad = [
        c.name for (c, _), r, g in zip(items, refs, got, strict=True) if not np.array_equal(r, g)
    ]
    assert not bad, f"{target}: differ from tflite-micro: {bad}"
    assert lc.parse_bad_args(text) == 5  # every bad call refused with INVALID_ARG
    sizes = lc.parse_state_sizes(text)
    for ci, (case, _) in enumerate(items):
        kernel = {"int8": "lstm_s8", "int16": "lstm_s16"}[case.dtype]
        plan = types.SimpleNamespace(
            kernel=kernel,
            operands=[types.SimpleNamespace(dims=(case.batch, case.steps, 1, case.n_cell))],
        )
        twin = [lstm.state_size(plan, 0), lstm.state_size(plan, 1), -1]
        assert sizes[ci] == twin, case.name


# ---- the product path ----------------------------------------------------------------------


def _run_twice(model: Path, xs: list[np.ndarray], work: Path, target: str, **kw):
    """N invocations, lwai_model_reset_state(), the same N again, in one process."""
    doubled = [np.concatenate([x, x]) for x in xs]
    outs, _ = driver.run_model(
        model,
        doubled,
        work,
        target,
        invocations=2 * INVOCATIONS,
        reset_every=INVOCATIONS,
        **kw,
    )
    return outs


# Cortex-M images take at most ~18 file arguments (semihosting: 40 argv entries): 8 LSTMs
# (8 inputs + 8 outputs) per image there; the host app takes 16 files of each kind.
GROUP = {"host": 15, "qemu-cortex-m4": 8}


@pytest.mark.parametrize(
    "target, executor", [("host", "aot"), ("qemu-cortex-m4", "aot"), ("host", "graph")]
)
def test_generated_models(target, executor, tmp_path):
    _need(target)
    cases = lc.cases()
    n = GROUP[target]
    bad = []
    for gi in range(0, len(cases), n):
        group = cases[gi : gi + n]
        model = tmp_path / f"g{gi}.tflite"
        model.write_bytes(lc.build_batch(group))
        xs = [lc.random_inputs(c, INVOCATIONS, seed=100 + c.seed) for c in group]
        refs = lc.tflm_run_multi(model.read_bytes(), xs)
        outs = _run_twice(model, xs, _short_dir(tmp_path, f"w{gi}"), target, executor=executor)
        for case, ref, out in zip(group, refs, outs, strict=True):
            if not (np.array_equal(out[:INVOCATIONS], ref[:INVOCATIONS])):
                bad.append(case.name)
            elif not np.array_equal(out[INVOCATIONS:], ref[:INVOCATIONS]):
                bad.append(case.name + " (after reset)")
    assert not bad, f"{target} ({executor}): differ from tflite-micro: {bad}"


@pytest.mark.parametrize("target", TARGETS)
def test_float_models(target, tmp_path):
    """float32 LSTMs (lwai_lstm_f32, TFLM's operation order): bit-exact on the host. On
    qemu-cortex-m4 within 3e-7 absolute + 1e-6 relative (outputs lie in (-1, 1): about 2
    ulp of 1.0): the reference runs on the host with glibc's expf, the Cortex-M image with
    newlib's, which differs from glibc's in the last bit for ~10% of arguments (measured
    on [-9, 16]); tanhf agreed there. Seen: at most 1.2e-7."""
    _need(target)
    cases = lc.float_cases()
    n = GROUP[target]
    for gi in range(0, len(cases), n):
        group = cases[gi : gi + n]
        model = tmp_path / f"f{gi}.tflite"
        model.write_bytes(lc.build_batch(group))
        xs = [lc.random_inputs(c, INVOCATIONS, seed=100 + c.seed) for c in group]
        refs = lc.tflm_run_multi(model.read_bytes(), xs)
        outs = _run_twice(model, xs, _short_dir(tmp_path, f"w{gi}"), target)
        for case, ref, out in zip(group, refs, outs, strict=True):
            assert ref.std() > 1e-3, case.name
            if target == "host":
                np.testing.assert_array_equal(out[:INVOCATIONS], ref[:INVOCATIONS], case.name)
            else:
                np.testing.assert_allclose(
                    out[:INVOCATIONS], ref[:INVOCATIONS], atol=3e-7, rtol=1e-6, err_msg=case.name
                )
            np.testing.assert_array_equal(out[INVOCATIONS:], out[:INVOCATIONS], case.name)


@pytest.mark.parametrize("executor", ["aot", "graph"])
@pytest.mark.parametrize("target", TARGETS)
def test_trained_lstm(target, executor, tmp_path):
    """Acceptance: the MNIST LSTM (LSTM -> RESHAPE -> FULLY_CONNECTED -> SOFTMAX), 5
    invocations with the state carried, reset, the same 5 again: bit-exact with TFLM, on
    the AOT code and on the graph executor (model.lwfb)."""
    _need(target)
    model = shared_model(MNIST_LSTM)
    x = lc.stroke_images(INVOCATIONS, seed=0)
    ref = lc.tflm_run(model, x)
    assert len(np.unique(ref)) > 10  # spread over classes, not saturated
    (out,) = _run_twice(model, [x], _short_dir(tmp_path, "w"), target, executor=executor)
    np.testing.assert_array_equal(out[:INVOCATIONS], ref[:INVOCATIONS])
    np.testing.assert_array_equal(out[INVOCATIONS:], ref[:INVOCATIONS])
    # the state matters: fresh runs of the later inputs give other outputs
    fresh = [lc.tflm_run(model, x[k : k + 1])[0] for k in range(1, INVOCATIONS)]
    assert any(not np.array_equal(f, ref[k + 1]) for k, f in enumerate(fresh))


# ---- what lwai refuses -------------------------------------------------------------------


def _compile_error(model: bytes, tmp_path: Path) -> str:
    from lwai.compiler import compile_model

    path = tmp_path / "bad.tflite"
    path.write_bytes(model)
    with pytest.raises(LwaiError) as e:
        compile_model(path, tmp_path / "out")
    return str(e.value)


def test_refuses_per_channel_weights(tmp_path):
    from lwai.tflite_writer import ModelBuilder

    case = lc.LstmCase("pc", n_in=3, n_cell=2, steps=2)
    mb = ModelBuilder()
    x, y = lc.add_lstm(mb, case, "")
    w = mb.tensors[1]  # input_to_input weights: give them per-channel scales
    w.scale, w.zero_point, w.quantized_dimension = [0.01, 0.02], [0, 0], 0
    mb.inputs, mb.outputs = [x], [y]
    msg = _compile_error(mb.build(), tmp_path)
    assert "UNIDIRECTIONAL_SEQUENCE_LSTM" in msg and "int8" in msg
    assert "per-tensor" in msg


def test_refuses_cifg(tmp_path):
    from lwai.tflite_writer import ModelBuilder

    case = lc.LstmCase("cifg", n_in=3, n_cell=2, steps=2)
    mb = ModelBuilder()
    x, y = lc.add_lstm(mb, case, "")
    op = mb.ops[0]
    op.inputs[lstm.INPUT_WEIGHTS[0]] = -1  # no input gate: coupled input and forget gates
    op.inputs[lstm.RECURRENT_WEIGHTS[0]] = -1
    op.inputs[lstm.BIASES[0]] = -1
    mb.inputs, mb.outputs = [x], [y]
    msg = _compile_error(mb.build(), tmp_path)
    assert "UNIDIRECTIONAL_SEQUENCE_LSTM" in msg and "CIFG" in msg
