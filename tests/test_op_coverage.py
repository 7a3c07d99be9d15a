"""Issue 12, acceptance 3: a quantized op lwai has no kernel for stops the compile.

Every case is a generated single-op (or two-op) quantized TFLite model of an op lwai has
no kernel for. TVM imports these and would compute them through float (dequantize -> float
op -> quantize), off by an LSB from TFLite now and then; ``lwai compile`` must stop with
one line naming the op, its dtype and its tensor instead, exit 2, no traceback. Float
models of the same ops stay with TVM's C, and data movement on int8 stays exact.
"""

from __future__ import annotations

import functools
import subprocess
from pathlib import Path

import numpy as np
import pytest
import tvm
from tvm import relax

from conftest import LWAI
from lwai.compiler import compile_model
from lwai.errors import LwaiError
from lwai.passes.exactness import inexact_bindings
from lwai.tflite_writer import ModelBuilder

HINT = (
    "TVM would compute it through float, which is not bit-exact with TFLite; add the kernel "
    "(docs/operators.md) or keep the op in float"
)
QPARAMS = {"int8": (0.05, -10), "int16": (0.001, 0), "uint8": (0.05, 128)}

# (builtin, dtype, number of activation inputs): ops TVM imports quantized, lwai lacks.
MISSING = [
    ("EXP", "int8", 1),
    ("NEG", "int8", 1),
]

# Ops whose lwai kernels take other dtypes: the partitioner's reason joins the message.
REFUSED: dict[tuple[str, str], str] = {}  # SUB/RELU int16: lwai/frontend/elementwise.py

# Clamps and selections: exact on TVM with equal input and output quantization (see the
# tests at the end), a requantization through float otherwise.
REQUANTIZED = ("MAXIMUM", "MINIMUM", "RELU")


def single_op(path: Path, op: str, dtype: str, n_inputs: int, out_q=None) -> Path:
    mb = ModelBuilder()
    q = {}
    if dtype in QPARAMS:
        q = dict(zip(("scale", "zero_point"), QPARAMS[dtype]))
    ins = [mb.add_tensor(f"x{i}", (1, 3, 5), dtype, **q) for i in range(n_inputs)]
    y = mb.add_tensor("y", (1, 3, 5), dtype, **(out_q or q))
    mb.add_op(op, ins, [y])
    mb.inputs, mb.outputs = ins, [y]
    path.write_bytes(mb.build())
    return path


def compile_error(path: Path, tmp_path: Path) -> str:
    with pytest.raises(LwaiError) as err:
        compile_model(path, tmp_path / "out")
    return str(err.value)


@pytest.mark.parametrize("op,dtype,n", MISSING, ids=[f"{o}-{d}" for o, d, _ in MISSING])
def test_quantized_op_without_kernel_stops(op, dtype, n, tmp_path):
    out_q = None
    if op in REQUANTIZED:  # exact only with equal input and output quantization
        s, z = QPARAMS[dtype]
        out_q = {"scale": s * 1.37, "zero_point": z // 2}
    path = single_op(tmp_path / f"{op.lower()}_{dtype}.tflite", op, dtype, n, out_q)
    msg = compile_error(path, tmp_path)
    hint = HINT
    if (op, dtype) in REFUSED:  # lwai has the op for another dtype: its reason is given
        hint = HINT.replace("TFLite;", f"TFLite (lwai refused it: {REFUSED[op, dtype]});")
    assert msg == (
        f"{path}: error: op {op} ({dtype}, operator 0, output tensor 'y') has no lwai "
        f"kernel. {hint}"
    )


def test_cli_one_line_exit_2(tmp_path):
    path = single_op(tmp_path / "m.tflite", "EXP", "int8", 1)
    proc = subprocess.run(
        [str(LWAI), "compile", str(path), "-o", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    expected = (
        f"lwai: {path}: error: op EXP (int8, operator 0, output tensor 'y') has no "
        f"lwai kernel. {HINT}"
    )
    assert proc.stderr.strip().splitlines() == [expected]
    assert not (tmp_path / "out" / "report.json").exists()


def test_every_missing_op_is_named_once(tmp_path):
    """Two lacking ops between lwai kernels: both named, in model order, one line."""
    mb = ModelBuilder()
    s, z = QPARAMS["int8"]
    x = mb.add_tensor("x", (1, 8), "int8", scale=s, zero_point=z)
    a = mb.add_tensor("a", (1, 8), "int8", scale=1 / 16, zero_point=-128)
    b = mb.add_tensor("b", (1, 8), "int8", scale=1 / 128, zero_point=0)
    c = mb.add_tensor("c", (1, 8), "int8", scale=1 / 128, zero_point=0)
    shape = mb.add_tensor("shape", (2,), "int32", data=np.array([1, 8], np.int32))
    mb.add_op("EXP", [x], [a])
    mb.add_op("NEG", [a], [b])
    mb.add_op("RESHAPE", [b, shape], [c])  # lwai's reshape takes this one
    mb.inputs, mb.outputs = [x], [c]
    path = tmp_path / "two.tflite"
    path.write_bytes(mb.build())
    assert compile_error(path, tmp_path) == (
        f"{path}: error: ops EXP (int8, operator 0, output tensor 'a'), "
        f"NEG (int8, operator 1, output tensor 'b') have no lwai kernel. {HINT}"
    )


def test_unimportable_quantized_op_names_dtype(tmp_path):
    """An op TVM cannot import quantized (SQUARE: float only in TFLM too) stops at import,
    dtype named."""
    mb = ModelBuilder()
    x = mb.add_tensor("x", (1, 3, 4, 2), "int8", scale=0.05, zero_point=-10)
    y = mb.add_tensor("y", (1, 3, 4, 2), "int8", scale=0.05, zero_point=-10)
    mb.add_op("SQUARE", [x], [y])
    mb.inputs, mb.outputs = [x], [y]
    path = tmp_path / "square.tflite"
    path.write_bytes(mb.build())
    assert compile_error(path, tmp_path) == (
        f"{path}: error: unsupported operator SQUARE (int8). Replace it in the model or add "
        "a kernel for it (see docs/operators.md)"
    )


def test_disabled_kernel_reason_is_given(tmp_path):
    """An op lwai has a kernel for but refuses: the refusal reason is in the message."""
    mb = ModelBuilder()
    x = mb.add_tensor("x", (1, 6), "int8", scale=0.1, zero_point=3)
    y = mb.add_tensor("y", (1, 6), "int8", scale=0.1, zero_point=3)  # not 1/256, -128
    mb.add_op("SOFTMAX", [x], [y], {"beta": 1.0})
    mb.inputs, mb.outputs = [x], [y]
    path = tmp_path / "sm.tflite"
    path.write_bytes(mb.build())
    msg = compile_error(path, tmp_path)
    assert msg.startswith(
        f"{path}: error: op SOFTMAX (int8, operator 0, output tensor 'y') has no lwai kernel."
    )
    assert "lwai refused it: int8 softmax output must have scale 1/256" in msg, msg


@pytest.mark.parametrize("op,n", [("LOGISTIC", 1), ("TANH", 1), ("SUB", 2), ("MAXIMUM", 2)])
def test_float_ops_stay_with_tvm(op, n, tmp_path):
    path = single_op(tmp_path / f"{op.lower()}.tflite", op, "float32", n)
    report = compile_model(path, tmp_path / "out")
    assert [o["backend"] for o in report["ops"]] == ["tvm"], report["ops"]


# ---- the rule on Relax, directly -----------------------------------------------------------


def _main(build) -> relax.Function:
    bb = relax.BlockBuilder()
    x = relax.Var("x", relax.TensorType((1, 4), "int8"))
    y = relax.Var("y", relax.TensorType((1, 4), "int8"))
    with bb.function("main", [x, y]):
        with bb.dataflow():
            out = bb.emit_output(build(bb, x, y))
        bb.emit_func_output(out)
    return bb.get()["main"]


def _deq(bb, v, s, z):
    return bb.emit(
        relax.op.dequantize(v, relax.const(s, "float32"), relax.const(z, "int8"), axis=-1)
    )


def _q(bb, v, s, z, dtype="int8"):
    return bb.emit(
        relax.op.quantize(
            v, relax.const(s, "float32"), relax.const(z, "int8"), axis=-1, out_dtype=dtype
        )
    )


def _reasons(func) -> list[str]:
    return [why for _, why in inexact_bindings(func)]


def test_rule_data_movement_on_int8_is_exact():
    def build(bb, x, y):
        c = bb.emit(relax.op.concat([x, y], axis=1))
        t = bb.emit(relax.op.permute_dims(c, [1, 0]))
        r = bb.emit(relax.op.reshape(t, (2, 4)))
        s = bb.emit(relax.op.strided_slice(r, axes=[0], begin=[1], end=[2]))
        return bb.emit(relax.op.nn.pad(s, pad_width=[0, 0, 1, 1], pad_value=-10.0))

    assert _reasons(_main(build)) == []


def test_rule_requantize_through_float_same_params_is_exact():
    def build(bb, x, y):
        a, b = _deq(bb, x, 0.05, -10), _deq(bb, y, 0.05, -10)
        c = bb.emit(relax.op.concat([a, b], axis=1))
        return _q(bb, c, 0.05, -10)

    assert _reasons(_main(build)) == []


def test_rule_requantize_with_other_params_is_not():
    def build(bb, x, y):
        a, b = _deq(bb, x, 0.05, -10), _deq(bb, y, 0.1, -10)
        c = bb.emit(relax.op.concat([a, b], axis=1))
        return _q(bb, c, 0.05, -10)

    reasons = _reasons(_main(build))
    assert reasons == [
        "int8 dequantized to float for TVM",
        "int8 dequantized to float for TVM",
        "float result quantized by TVM",
    ]


def test_rule_float_arithmetic_between_qdq_is_not():
    def build(bb, x, y):
        a = _deq(bb, x, 0.05, -10)
        return _q(bb, bb.emit(relax.op.sigmoid(a)), 1 / 256, -128)

    assert _reasons(_main(build)) == [
        "int8 dequantized to float for TVM",
        "float result quantized by TVM",
    ]


def test_rule_integer_arithmetic_on_widened_int8_is_not():
    """TVM's int8 average pool: astype(int32) -> avg_pool2d -> astype(int8)."""

    def build(bb, x, y):
        w = bb.emit(relax.op.astype(relax.op.reshape(x, (1, 1, 4, 1)), "int32"))
        p = bb.emit(relax.op.nn.avg_pool2d(w, pool_size=(1, 2), layout="NHWC"))
        return bb.emit(relax.op.astype(p, "int8"))

    reasons = _reasons(_main(build))
    assert reasons == ["relax.nn.avg_pool2d on int32 data by TVM", "int32 cast to int8 by TVM"]


def test_rule_float_graph_is_left_alone():
    bb = relax.BlockBuilder()
    x = relax.Var("x", relax.TensorType((1, 4), "float32"))
    with bb.function("main", [x]):
        with bb.dataflow():
            out = bb.emit_output(bb.emit(relax.op.sigmoid(relax.op.exp(x))))
        bb.emit_func_output(out)
    assert inexact_bindings(bb.get()["main"]) == []
    assert isinstance(bb.get(), tvm.IRModule)


# ---- the coverage table (acceptance 4) -----------------------------------------------------


def _script(name: str):
    import importlib.util
    import sys

    path = Path(__file__).resolve().parents[1] / "scripts" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(name, mod)
    spec.loader.exec_module(mod)
    return mod


@functools.cache
def _gen_coverage():
    return _script("gen_coverage")


@functools.cache
def _probe():
    return _script("probe_tflm_cells")


def test_tflm_resolver_is_read_from_the_package():
    gc = _gen_coverage()
    builtins = gc.tflm_builtins()
    assert len(builtins) >= 90
    for name in ("CONV_2D", "SVDF", "UNIDIRECTIONAL_SEQUENCE_LSTM", "PAD", "HARD_SWISH"):
        assert name in builtins
    for name in ("TOPK_V2", "LSH_PROJECTION", "NON_MAX_SUPPRESSION_V5"):  # TFLite only
        assert name not in builtins
    assert "signal WINDOW" in gc.tflm_custom_ops()


def test_tflm_cells_file_is_current():
    """Every cell re-probed with the installed tflite_micro (a few seconds) equals the
    checked-in lwai/spec/tflm_cells.json."""
    import json

    pt = _probe()
    data = json.loads(pt.DATA.read_text())
    assert data["tflite_micro"] == pt.tflm_version(), f"stale: run {pt.COMMAND}"
    assert pt.dump(pt.generate()) == pt.DATA.read_text(), f"stale: run {pt.COMMAND}"


def test_tflm_cells_are_what_tflm_does():
    """The probe finds the cells TFLM is known for, and its refusals are TFLM's dtype checks."""
    data = _gen_coverage().tflm_cells()
    cells, refused = data["cells"], data["refused"]
    assert list(data["builtins"]) == list(_gen_coverage().tflm_builtins())
    assert set(cells) | set(data["hand"]) == set(data["builtins"])
    assert all(cells[op] for op in cells), [op for op in cells if not cells[op]]
    for op in ("CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED", "TRANSPOSE_CONV"):
        assert cells[op] == ["float32", "int8", "int16"], op  # int16: 16x8
    assert {"int8->int16", "float32->int8", "int16->int32", "int8"} <= set(cells["QUANTIZE"])
    assert "int8->int16" in cells["SOFTMAX"]
    assert cells["LOGICAL_AND"] == ["bool"] and cells["SVDF"] == ["float32", "int8"]
    assert cells["ARG_MAX"] == ["float32->int32", "int8->int32"]
    assert "INT64" in refused["ARG_MAX"]["float32->int64"]  # "Only int32_t are supported"
    assert "INT16" in refused["GATHER"]["int16"]
    assert sum(map(len, cells.values())) >= 250
    signal = data["custom_cells"]
    assert signal["SignalWindow"] == ["int16"] and signal["SignalEnergy"] == ["int16->uint32"]
    assert signal["SignalRfft"] == ["float32", "int16", "int32"]
    assert "INT32" in refused["SignalWindow"]["int32"]


def test_unreachable_custom_registrations():
    """The registrations the table lists without cells (probe_tflm_cells.CUSTOM_NOT_OPS)
    are ones no model reaches: TFLM's interpreter finds no op under their custom code (or
    their own name), while it does find a registered one (CIRCULAR_BUFFER)."""
    pt = _probe()
    assert set(pt.CUSTOM_NOT_OPS) == set(pt.CUSTOM_NOT_OPS_CODE)
    customs = _gen_coverage().tflm_custom_ops()
    assert set(pt.CUSTOM_NOT_OPS) <= set(customs)  # the wheel exports them

    def found(code: str) -> bool:
        mb = ModelBuilder()
        x, y = mb.add_tensor("x", (4,), "int8"), mb.add_tensor("y", (4,), "int8")
        mb.add_custom_op(code, [x], [y])
        mb.inputs, mb.outputs = [x], [y]
        run = subprocess.run(
            [str(Path(LWAI).parent / "python"), "-c", _CREATE],
            input=mb.build(),
            capture_output=True,
            check=False,  # the interpreter fails either way: its message tells
        )
        return b"Failed to get registration" not in run.stdout + run.stderr

    assert found("CIRCULAR_BUFFER")
    for name, code in pt.CUSTOM_NOT_OPS_CODE.items():
        for c in {name, code} - {None}:
            assert not found(c), c


_CREATE = (
    "import sys\n"
    "from tflite_micro.python.tflite_micro import runtime\n"
    "try:\n"
    "    runtime.Interpreter.from_bytes(sys.stdin.buffer.read())\n"
    "except Exception:\n"
    "    pass\n"
)


def test_cells_are_read_from_every_test_file():
    """CELLS are found by scanning tests/test_*.py, computed dicts included, and every label
    names a cell TFLM has (or a custom op, or "hybrid")."""
    gc = _gen_coverage()
    found = gc.test_cells()
    assert found["test_op_coverage.py"] == {
        op: ("int8",) if op in INT8_ONLY else ("int8", "int16") for op in MOVES
    }
    assert {"test_float_cells.py", "test_int_io.py", "test_hybrid.py"} <= set(found)
    assert found["test_hybrid.py"]["CONV_2D"] == ("hybrid",)
    names = {p.name for p in (Path(__file__).parent).glob("test_*.py")}
    assert set(found) <= names
    assert "test_cli.py" not in found  # no CELLS there
    assert gc.cells_errors() == {}
    rows = gc.cell_rows()
    assert gc.unmatched_labels(rows, gc.tflm_custom_ops()) == []


def test_cell_status_is_classified():
    gc = _gen_coverage()
    kern = gc.classify("CONV_2D", "int8", {"ops": [["optimized", "lwai_conv2d_opt_s8"]]})
    assert kern[0] == "kernel" and "`lwai_conv2d_s8`" in kern[1] and "cmsis-nn" in kern[1]
    assert gc.classify("RESHAPE", "int8", {"ops": []})[0] == "alias"
    moved = [
        ["reference", "lwai_dequantize_s8_f32"],
        ["tvm", "f"],
        ["reference", "lwai_quantize_f32_s8"],
    ]
    assert gc.classify("MAXIMUM", "int8", {"ops": moved})[0] == "tvm-exact"
    glue = {"ops": [["reference", "lwai_signal_fft_auto_scale_s16"], ["tvm", "slice"]]}
    assert gc.classify("SignalFftAutoScale", "int16", glue)[0] == "kernel"
    assert gc.classify("ADD", "int32", {"ops": [["tvm", "f"]]})[0] == "tvm-exact"
    assert gc.classify("LESS", "float32->bool", {"ops": [["tvm", "f"]]})[0] == "tvm-float"
    err = {"error": "op ABS (int8, operator 0, output tensor 'y') has no lwai kernel"}
    assert gc.classify("ABS", "int8", err) == (
        "refused",
        "refused: op ABS (int8) has no lwai kernel",
    )
    err = {"error": "TVM could not import the model: boom"}
    assert gc.classify("MEAN", "int8", err)[0] == "missing"


def test_coverage_table_is_current_and_complete():
    gc = _gen_coverage()
    section = gc.coverage_section()
    doc = (Path(__file__).resolve().parents[1] / "docs" / "operators.md").read_text()
    assert section in doc, "docs/operators.md is stale: run python -m tests.onnx_cases --write-doc"
    table = section[section.index("| TFLM builtin |") : section.index("\nCustom ops")]
    rows = [ln.split(" | ") for ln in table.splitlines()[2:] if ln.startswith("| ")]
    data = gc.tflm_cells()
    want = []
    for op in data["builtins"]:
        labels = ["(not probed)"] if op in data["hand"] else data["cells"][op]
        want += [(op, lab) for lab in labels]
    assert [(r[0][2:], r[1]) for r in rows] == want
    probed = len(want) - len(data["hand"])
    assert f"| TFLM cells (builtin x dtype, probed) | {probed} |" in section
    counts = [int(ln.split("|")[2]) for ln in section.splitlines() if ln.startswith("| cells ")]
    assert sum(counts[:6]) == probed and sum(counts[6:8]) == probed  # categories; tested + not
    tested = {(r[0][2:], r[1]): r[3] for r in rows}
    assert "test_op_coverage.py" in tested[("PAD", "int16")]
    assert "test_int16_kernels.py" in tested[("CONV_2D", "int16")]


# ---- exact without an lwai kernel: int8/int16 data movement and clamps on TVM's C -------------

# Data movement (TVM's C moves the integers), and clamps/selections with equal input and
# output quantization (TVM's float op between lwai's dequantize and quantize kernels gives
# TFLite's integers: lwai/passes/exactness.py).
MOVES = (
    "PAD",
    "PADV2",
    "TRANSPOSE",
    "SLICE",
    "STRIDED_SLICE",
    "SQUEEZE",
    "GATHER",
    "CONCATENATION",
    "DEPTH_TO_SPACE",
    "SPACE_TO_DEPTH",
    "MAXIMUM",
    "MINIMUM",
)
TWO_INPUTS = ("MAXIMUM", "MINIMUM", "CONCATENATION")
# TFLM registers these for int8 only.
INT8_ONLY = ("DEPTH_TO_SPACE", "SPACE_TO_DEPTH", "GATHER")
# Per op and dtype, on the host and on qemu-cortex-m4 (the issue asks for 20 on both).
MOVE_CASES = 20
MOVE_BATCH = 16  # the host app takes 16 input and 16 output files
# qemu-cortex-m4: the semihosting command line holds 8 inputs and 8 outputs.
QEMU_CASES, QEMU_BATCH = 20, 8
# For scripts/gen_coverage.py: test_exact_on_tvm's cells (MOVE_CASES / QEMU_CASES each).
CELLS: dict[str, list[str]] = {
    op: ["int8"] if op in INT8_ONLY else ["int8", "int16"] for op in MOVES
}


def _move_case(mb: ModelBuilder, rng, op: str, dtype: str, tag: str):
    info = np.iinfo(dtype)
    rank = int(rng.integers(1, 5))
    shape = [int(d) for d in rng.integers(1, 7, size=rank)]
    if dtype == "int8":
        zp = int(rng.choice([-128, 127, *rng.integers(-128, 128, 2)]))
    else:
        zp = 0  # TFLite's int16 activations are symmetric
    scale = float(np.float32(10 ** rng.uniform(-4, 0)))
    q = {"scale": scale, "zero_point": zp}
    consts: list[int] = []
    options: dict = {}
    if op in ("DEPTH_TO_SPACE", "SPACE_TO_DEPTH"):
        bs = int(rng.integers(2, 4))
        options["block_size"] = bs
        h, w, c = (int(d) for d in rng.integers(1, 4, size=3))
        if op == "DEPTH_TO_SPACE":
            shape, out = [1, h, w, c * bs * bs], [1, h * bs, w * bs, c]
        else:
            shape, out = [1, h * bs, w * bs, c], [1, h, w, c * bs * bs]
    elif op in ("PAD", "PADV2"):
        pads = rng.integers(0, 4, size=(rank, 2)).astype(np.int32)
        out = [d + int(p.sum()) for d, p in zip(shape, pads)]
        consts.append(mb.add_tensor(f"{tag}pads", (rank, 2), "int32", data=pads))
        if op == "PADV2":
            value = np.array([rng.integers(info.min, info.max + 1)], dtype=dtype)
            consts.append(mb.add_tensor(f"{tag}value", (1,), dtype, data=value, **q))
    elif op == "TRANSPOSE":
        perm = rng.permutation(rank).astype(np.int32)
        out = [shape[p] for p in perm]
        consts.append(mb.add_tensor(f"{tag}perm", (rank,), "int32", data=perm))
    elif op == "SLICE":
        begin = np.array([rng.integers(0, d) for d in shape], np.int32)
        size = np.array([rng.integers(1, d - b + 1) for d, b in zip(shape, begin)], np.int32)
        size[rng.random(rank) < 0.25] = -1  # to the end
        out = [d - b if s < 0 else s for d, b, s in zip(shape, begin, size)]
        consts.append(mb.add_tensor(f"{tag}begin", (rank,), "int32", data=begin))
        consts.append(mb.add_tensor(f"{tag}size", (rank,), "int32", data=size))
    elif op == "STRIDED_SLICE":
        begin = np.array([rng.integers(0, d) for d in shape], np.int32)
        end = np.array([rng.integers(b + 1, d + 1) for d, b in zip(shape, begin)], np.int32)
        strides = rng.integers(1, 4, size=rank).astype(np.int32)
        options["begin_mask"] = int(rng.integers(0, 1 << rank))
        options["end_mask"] = int(rng.integers(0, 1 << rank))
        out = []
        for i, d in enumerate(shape):
            b = 0 if options["begin_mask"] >> i & 1 else int(begin[i])
            e = d if options["end_mask"] >> i & 1 else int(end[i])
            out.append(len(range(b, e, int(strides[i]))))
        for name, v in (("begin", begin), ("end", end), ("strides", strides)):
            consts.append(mb.add_tensor(f"{tag}{name}", (rank,), "int32", data=v))
    elif op == "SQUEEZE":
        shape = [d if rng.random() < 0.5 else 1 for d in shape] + [1]
        ones = [i for i, d in enumerate(shape) if d == 1]
        dims = sorted(rng.choice(ones, size=int(rng.integers(1, len(ones) + 1)), replace=False))
        if rng.random() < 0.25:
            dims = []  # every size-1 dim
        options["squeeze_dims"] = [int(d) for d in dims]
        out = [d for i, d in enumerate(shape) if not (d == 1 and (not dims or i in dims))]
    elif op == "GATHER":
        axis = int(rng.integers(0, rank))
        idx = rng.integers(0, shape[axis], size=int(rng.integers(1, 5))).astype(np.int32)
        options["axis"] = axis
        out = shape[:axis] + [len(idx)] + shape[axis + 1 :]
        consts.append(mb.add_tensor(f"{tag}idx", (len(idx),), "int32", data=idx))
    elif op == "CONCATENATION":
        axis = int(rng.integers(0, rank))
        other = list(shape)
        other[axis] = int(rng.integers(1, 5))
        options["axis"] = axis
        out = list(shape)
        out[axis] += other[axis]
        x2 = mb.add_tensor(f"{tag}x2", tuple(other), dtype, **q)
        feed2 = rng.integers(info.min, info.max + 1, size=other).astype(dtype)
    elif op in ("MAXIMUM", "MINIMUM"):
        other = [d if rng.random() < 0.7 else 1 for d in shape]  # broadcasting
        if rng.random() < 0.5:
            shape, other = other, shape
        out = [max(a, b) for a, b in zip(shape, other)]
        x2 = mb.add_tensor(f"{tag}x2", tuple(other), dtype, **q)
        feed2 = rng.integers(info.min, info.max + 1, size=other).astype(dtype)
    else:
        out = list(shape)
    x = mb.add_tensor(f"{tag}x", tuple(shape), dtype, **q)
    y = mb.add_tensor(f"{tag}y", tuple(out), dtype, **q)
    feed = rng.integers(info.min, info.max + 1, size=shape).astype(dtype)
    if op in TWO_INPUTS:
        mb.add_op(op, [x, x2], [y], options)
        return [x, x2], y, [feed, feed2]
    mb.add_op(op, [x, *consts], [y], options)
    return [x], y, [feed]


def move_batches(
    dtype: str, per_op: int = MOVE_CASES, batch: int = MOVE_BATCH
) -> list[tuple[bytes, list[np.ndarray], list[str]]]:
    """``per_op`` cases of each op in MOVES, ``batch`` per model (MAXIMUM/MINIMUM count
    twice: two inputs; a model takes at most ``batch`` inputs)."""
    moves = [op for op in MOVES if dtype == "int8" or op not in INT8_ONLY]
    ops = [op for op in moves for _ in range(per_op)]
    out = []
    groups: list[list[tuple[int, str]]] = [[]]
    for i, op in enumerate(ops):
        width = 2 if op in TWO_INPUTS else 1
        if sum(2 if o in TWO_INPUTS else 1 for _, o in groups[-1]) + width > batch:
            groups.append([])
        groups[-1].append((i, op))
    for group in groups:
        mb = ModelBuilder()
        names, feeds = [], []
        for k, (i, op) in enumerate(group):
            # One generator per case: the first cases are the same in every batching.
            rng = np.random.default_rng([1300, dtype == "int16", MOVES.index(op), i % per_op])
            xs, y, fs = _move_case(mb, rng, op, dtype, f"c{k}_")
            mb.inputs += xs
            mb.outputs.append(y)
            feeds += fs
            names.append(f"{op}[{i % per_op}]")
        out.append((mb.build(), feeds, names))
    return out


@pytest.mark.parametrize("target", ["host", "qemu-cortex-m4"])
@pytest.mark.parametrize("dtype", ["int8", "int16"])
def test_exact_on_tvm(dtype, target, tmp_path, monkeypatch):
    """MOVES on quantized data, lwai lets them pass to TVM; every case is checked bit for bit
    against TFLM (MOVE_CASES per op and dtype on the host, QEMU_CASES on qemu-cortex-m4)."""
    import shutil

    from conftest import tflm_outputs
    from lwai.driver import run_model

    if target != "host" and shutil.which("qemu-system-arm") is None:
        pytest.skip("no qemu-system-arm")
    monkeypatch.setenv("LWAI_CACHE_DIR", str(tmp_path / "cache"))
    failures = []
    batches = (
        move_batches(dtype) if target == "host" else move_batches(dtype, QEMU_CASES, QEMU_BATCH)
    )
    for k, (model, feeds, names) in enumerate(batches):
        path = tmp_path / f"moves_{k}.tflite"
        path.write_bytes(model)
        got, info = run_model(path, feeds, tmp_path / f"run{k}", target=target)
        ref = tflm_outputs(model, feeds, n_outputs=len(names))
        for name, g, r in zip(names, got, ref):
            if g.dtype != r.dtype or not np.array_equal(g.reshape(r.shape), r):
                failures.append(name)
        assert "tvm" in {o["backend"] for o in info["report"]["ops"]}
    assert not failures, failures
