"""Issue 14: hostile models at the compiler.

Every case is a damaged or absurd .tflite/.onnx file; `lwai compile` must print exactly one
line ``lwai: FILE: error: WHAT`` on stderr and exit 2: no traceback, no TVM noise, no hang.
The expected line is asserted exactly. Most cases run in-process through ``lwai.cli.main``
(the function the console script calls, so the same message and exit code); a sample runs
through the real ``.venv/bin/lwai`` in a subprocess.

Sources of cases:
- real models (person_detect, hello_world_int8) patched in place: a field of the flatbuffer
  is overwritten at its byte position (a negative or huge dimension, an unknown type, a
  zero/NaN scale, an out-of-range zero point, a dangling tensor/buffer/opcode index, ...);
- small models written with lwai.tflite_writer (cycles, missing buffers, wrong buffer
  sizes, empty subgraphs, shape rules) and ONNX graphs written with onnx.helper;
- hypothesis-generated shapes, scales, zero points and indices (derandomized), checked
  against the rule stated in the test.
"""

from __future__ import annotations

import math
import signal
import struct
import subprocess
from pathlib import Path

import numpy as np
import pytest
import tflite
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import LWAI, SHARED_MODELS
from lwai.tflite_writer import ModelBuilder

LIMIT = 2**31 - 1
LIMIT_TEXT = f"over lwai's limit of {LIMIT} bytes per tensor"
CASE_SECONDS = 60  # one compile of a hostile model; a hang fails the test


@pytest.fixture(autouse=True)
def _time_limit():
    def expire(signum, frame):
        raise TimeoutError(f"a hostile model took over {CASE_SECONDS} s (a hang?)")

    old = signal.signal(signal.SIGALRM, expire)
    signal.alarm(CASE_SECONDS)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)


def compile_in_process(path: Path, out: Path, capfd) -> tuple[int, str]:
    from lwai.cli import main

    capfd.readouterr()
    rc = main(["compile", str(path), "-o", str(out)])
    return rc, capfd.readouterr().err


def assert_error(path: Path, tmp_path: Path, capfd, what: str) -> None:
    rc, err = compile_in_process(path, tmp_path / "out", capfd)
    assert err.splitlines() == [f"lwai: {path}: error: {what}"], err
    assert rc == 2


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# ---- patching real models in place ---------------------------------------------------------


def _short(s: str, limit: int = 60) -> str:
    return s if len(s) <= limit else s[: limit - 3] + "..."


class Patched:
    """A TFLite file and the byte positions of its fields (the ``tflite`` accessors)."""

    def __init__(self, data: bytes):
        self.data = bytearray(data)
        self.model = tflite.Model.GetRootAsModel(bytes(data), 0)
        self.sg = self.model.Subgraphs(0)

    def tensor(self, t: int):
        return self.sg.Tensors(t)

    def label(self, t: int) -> str:
        name = self.tensor(t).Name()
        return f"tensor {t}" + (f" '{_short(name.decode())}'" if name else "")

    @staticmethod
    def field(table, slot: int) -> int | None:
        o = table._tab.Offset(slot)
        return table._tab.Pos + o if o else None

    @staticmethod
    def element(table, slot: int, j: int, size: int) -> int | None:
        o = table._tab.Offset(slot)
        return table._tab.Vector(o) + j * size if o else None

    def put(self, pos: int, fmt: str, value) -> bytes:
        data = bytearray(self.data)
        struct.pack_into(fmt, data, pos, value)
        return bytes(data)

    def used(self) -> set[int]:
        used = set(self.sg.InputsAsNumpy()) | set(self.sg.OutputsAsNumpy())
        for o in range(self.sg.OperatorsLength()):
            op = self.sg.Operators(o)
            used |= {int(t) for t in op.InputsAsNumpy() if t >= 0}
            used |= {int(t) for t in op.OutputsAsNumpy()}
        return used

    def op_name(self, o: int) -> str:
        code = self.model.OperatorCodes(self.sg.Operators(o).OpcodeIndex())
        builtin = max(code.BuiltinCode(), code.DeprecatedBuiltinCode())
        return {v: k for k, v in vars(tflite.BuiltinOperator).items()}[builtin]


_TYPE_BYTES = {0: ("float32", 4), 2: ("int32", 4), 3: ("uint8", 1), 9: ("int8", 1)}
_ZP_RANGE = {"int8": (-128, 127), "uint8": (0, 255), "int32": (-(2**31), 2**31 - 1)}


def _cases_for(model_name: str, stride: int = 1) -> list[tuple[str, bytes, str]]:
    """(id, mutated bytes, expected error) for one shared model: every mutation of every
    ``stride``-th used tensor and operator (the full sweep of person_detect is ~1700 cases,
    too slow for CI; each kind of mutation is still applied to several tensors)."""
    path = SHARED_MODELS / model_name
    if not path.is_file():
        return []
    p = Patched(path.read_bytes())
    n_t, n_b = p.sg.TensorsLength(), p.model.BuffersLength()
    n_codes = p.model.OperatorCodesLength()
    cases = []
    stem = model_name.split(".")[0]
    for t in sorted(p.used())[::stride]:
        T = p.tensor(t)
        lab = p.label(t)
        dtype, size = _TYPE_BYTES[T.Type()]
        shape = [int(d) for d in T.ShapeAsNumpy()]
        dim0 = p.element(T, 4, 0, 4)
        for bad in (-1, 0):
            cases.append(
                (
                    f"{stem}-t{t}-dim{bad}",
                    p.put(dim0, "<i", bad),
                    f"{lab} has dimension 0 of size {bad}; lwai needs positive static sizes",
                )
            )
        big = [2**30] + shape[1:]
        nbytes = math.prod(big) * size
        if nbytes > LIMIT:
            cases.append(
                (
                    f"{stem}-t{t}-huge",
                    p.put(dim0, "<i", 2**30),
                    f"{lab} of shape {big} {dtype} is {nbytes} bytes, {LIMIT_TEXT}",
                )
            )
        name_pos = p.element(T, 10, 0, 1)
        if name_pos is not None and T.Name():
            cases.append(
                (
                    f"{stem}-t{t}-name-utf8",
                    p.put(name_pos, "<B", 0xFF),
                    f"tensor {t} has a name that is not UTF-8 text",
                )
            )
        type_pos = p.field(T, 6)
        if type_pos is not None:
            for code, name in ((5, "STRING"), (10, "FLOAT64"), (16, "UINT16"), (18, "BFLOAT16")):
                cases.append(
                    (
                        f"{stem}-t{t}-type{code}",
                        p.put(type_pos, "<b", code),
                        f"{lab} has type {name}, which lwai does not support",
                    )
                )
            cases.append(
                (f"{stem}-t{t}-type99", p.put(type_pos, "<b", 99), f"{lab} has unknown type 99")
            )
        buf_pos = p.field(T, 8)
        if buf_pos is not None:
            cases.append(
                (
                    f"{stem}-t{t}-buffer",
                    p.put(buf_pos, "<I", 9999),
                    f"{lab} names buffer 9999, which does not exist (the model has {n_b} buffers)",
                )
            )
        q = T.Quantization()
        if q is not None and q.ScaleLength():
            ns = q.ScaleLength()
            chan = " (channel 0)" if ns > 1 else ""
            s0 = p.element(q, 8, 0, 4)
            for v, shown in ((0.0, "0"), (float("nan"), "nan"), (-0.5, "-0.5"), (math.inf, "inf")):
                cases.append(
                    (
                        f"{stem}-t{t}-scale{shown}",
                        p.put(s0, "<f", v),
                        f"{lab} has quantization scale {shown}{chan}; scales must be finite and > 0",
                    )
                )
            z0 = p.element(q, 10, 0, 8)
            lo, hi = _ZP_RANGE[dtype]
            for z in (hi + 1, lo - 1):
                cases.append(
                    (
                        f"{stem}-t{t}-zp{z}",
                        p.put(z0, "<q", z),
                        f"{lab} has zero point {z}{chan}, outside the {dtype} range [{lo}, {hi}]",
                    )
                )
            qd_pos = p.field(q, 16)
            if ns > 1 and qd_pos is not None and len(shape) == 4:
                cases.append(
                    (
                        f"{stem}-t{t}-qdim7",
                        p.put(qd_pos, "<i", 7),
                        f"{lab} has quantized_dimension 7, outside its 4 dimensions",
                    )
                )
                cases.append(
                    (
                        f"{stem}-t{t}-qdim1",
                        p.put(qd_pos, "<i", 1),
                        (
                            f"{lab} has {ns} quantization scales for {shape[1]} channels along "
                            "dimension 1"
                        ),
                    )
                )
    for o in range(0, p.sg.OperatorsLength(), stride):
        op = p.sg.Operators(o)
        name = p.op_name(o)
        cases.append(
            (
                f"{stem}-op{o}-opcode",
                p.put(p.field(op, 4) or 0, "<I", 40) if p.field(op, 4) else b"",
                f"operator {o} has opcode index 40, but the model has {n_codes} operator codes",
            )
        )
        for role, slot, bad in (("input", 6, n_t + 3), ("input", 6, -7), ("output", 8, -1)):
            cases.append(
                (
                    f"{stem}-op{o}-{role}{bad}",
                    p.put(p.element(op, slot, 0, 4), "<i", bad),
                    (
                        f"operator {o} ({name}) {role} 0 is tensor {bad}, which does not exist "
                        f"(the subgraph has {n_t} tensors)"
                    ),
                )
            )
    for role, slot in (("input", 6), ("output", 8)):
        cases.append(
            (
                f"{stem}-subgraph-{role}",
                p.put(p.element(p.sg, slot, 0, 4), "<i", 5000),
                (
                    f"subgraph 0 {role} 0 is tensor 5000, which does not exist "
                    f"(the subgraph has {n_t} tensors)"
                ),
            )
        )
    version = p.field(p.model, 4)
    for v in (0, 2, 4, 2**31):
        cases.append(
            (
                f"{stem}-version{v}",
                p.put(version, "<I", v),
                f"unsupported TFLite schema version {v} (lwai reads version 3)",
            )
        )
    return [c for c in cases if c[1]]


PATCH_CASES = (
    _cases_for("person_detect.tflite", stride=11)
    + _cases_for("hello_world_int8.tflite")
    + _cases_for("micro_speech_quantized.tflite", stride=3)
)


@pytest.mark.skipif(not PATCH_CASES, reason=f"shared models not in {SHARED_MODELS}")
@pytest.mark.parametrize("data,what", [c[1:] for c in PATCH_CASES], ids=[c[0] for c in PATCH_CASES])
def test_patched_real_model(data, what, tmp_path, capfd):
    assert_error(write(tmp_path, "hostile.tflite", data), tmp_path, capfd, what)


def test_patched_case_count():
    """The issue asks for >= 300 hostile inputs; the patched real models alone give that."""
    if not PATCH_CASES:
        pytest.skip(f"shared models not in {SHARED_MODELS}")
    assert len(PATCH_CASES) >= 300, len(PATCH_CASES)


# ---- truncation and garbage -------------------------------------------------------------------

# Cut points of person_detect (300568 bytes): the converter writes the model table first and
# the operator codes last, so a cut lands in one of them.
TRUNCATIONS = (
    [(k, "the model table") for k in (8, 12, 16, 20, 24, 32, 48)]
    + [(k, "the operator code vector") for k in (64, 100, 1000, 75142, 150284, 300268, 300468)]
    + [(k, "operator code 0") for k in (300552, 300564, 300567)]
)


@pytest.mark.parametrize("cut,what", TRUNCATIONS, ids=[str(k) for k, _ in TRUNCATIONS])
def test_truncated(cut, what, tmp_path, capfd):
    src = SHARED_MODELS / "person_detect.tflite"
    if not src.is_file():
        pytest.skip(f"{src} not present")
    path = write(tmp_path, "cut.tflite", src.read_bytes()[:cut])
    assert_error(
        path,
        tmp_path,
        capfd,
        f"malformed or truncated TFLite file: {what} lies outside the {cut}-byte file",
    )


NOT_TFLITE = "not a TFLite flatbuffer (missing the 'TFL3' identifier)"


@pytest.mark.parametrize(
    "data,what",
    [
        (b"", NOT_TFLITE),
        (b"TFL", NOT_TFLITE),
        (b"\x00\x00\x00\x00TFL", NOT_TFLITE),
        (b"\x00" * 64, NOT_TFLITE),
        (b"PK\x03\x04" + b"\x00" * 60, NOT_TFLITE),
        (
            b"\xff\xff\xff\x7fTFL3",
            "malformed or truncated TFLite file: the model table lies outside the 8-byte file",
        ),
        (
            b"\x08\x00\x00\x00TFL3" + b"\x00" * 8,
            "malformed TFLite file: the model table has a corrupt field table",
        ),
        (
            b"\x08\x00\x00\x00TFL3\x00\x00\x00\x00",
            "malformed TFLite file: the model table has a corrupt field table",
        ),
        (
            b"\x08\x00\x00\x00TFL3\xf0\xff\xff\xff",
            (
                "malformed or truncated TFLite file: the "
                "field table of the model table lies outside the 12-byte file"
            ),
        ),
    ],
    ids=[
        "empty",
        "3-bytes",
        "7-bytes",
        "zeros",
        "zip",
        "root-past-end",
        "zero-vtable",
        "vtable-self",
        "vtable-past-end",
    ],
)
def test_not_a_flatbuffer(data, what, tmp_path, capfd):
    assert_error(write(tmp_path, "junk.tflite", data), tmp_path, capfd, what)


# ---- small models written with lwai.tflite_writer --------------------------------------------


def relu_model(shape=(1, 4), dtype="float32", **quant) -> ModelBuilder:
    mb = ModelBuilder()
    x = mb.add_tensor("x", shape, dtype, **quant)
    y = mb.add_tensor("y", shape, dtype, **quant)
    mb.add_op("RELU", [x], [y])
    mb.inputs, mb.outputs = [x], [y]
    return mb


def conv_model(x=(1, 8, 8, 3), w=(4, 3, 3, 3), b=4, **opts) -> ModelBuilder:
    mb = ModelBuilder()
    xi = mb.add_tensor("x", x, "float32")
    wi = mb.add_tensor("w", w, "float32", data=np.zeros(w))
    bi = mb.add_tensor("b", (b,), "float32", data=np.zeros(b))
    yi = mb.add_tensor("y", (1, 6, 6, w[0]), "float32")
    mb.add_op("CONV_2D", [xi, wi, bi], [yi], opts)
    mb.inputs, mb.outputs = [xi], [yi]
    return mb


def _two_relus(first_in, second_in) -> ModelBuilder:
    mb = ModelBuilder()
    x = mb.add_tensor("x", (1, 4), "float32")
    a = mb.add_tensor("a", (1, 4), "float32")
    b = mb.add_tensor("b", (1, 4), "float32")
    ids = {"x": x, "a": a, "b": b}
    mb.add_op("RELU", [ids[first_in]], [a])
    mb.add_op("RELU", [ids[second_in]], [b])
    mb.inputs, mb.outputs = [x], [b]
    return mb


def _no_ops():
    mb = ModelBuilder()
    x = mb.add_tensor("x", (1, 4), "float32")
    mb.inputs, mb.outputs = [x], [x]
    return mb


def _no_outputs():
    mb = relu_model()
    mb.outputs = []
    return mb


def _no_inputs():
    mb = relu_model()
    mb.inputs = []
    return mb


def _with(mb: ModelBuilder, t: int, **fields) -> ModelBuilder:
    for k, v in fields.items():
        setattr(mb.tensors[t], k, v)
    return mb


def _add(a, b) -> ModelBuilder:
    mb = ModelBuilder()
    x = mb.add_tensor("x", a, "float32")
    z = mb.add_tensor("z", b, "float32")
    y = mb.add_tensor("y", a, "float32")
    mb.add_op("ADD", [x, z], [y])
    mb.inputs, mb.outputs = [x, z], [y]
    return mb


def _fc(x, w) -> ModelBuilder:
    mb = ModelBuilder()
    xi = mb.add_tensor("x", x, "float32")
    wi = mb.add_tensor("w", w, "float32", data=np.zeros(w))
    yi = mb.add_tensor("y", (1, w[0]), "float32")
    mb.add_op("FULLY_CONNECTED", [xi, wi, -1], [yi])
    mb.inputs, mb.outputs = [xi], [yi]
    return mb


def _pool(x, filt, padding="VALID", stride=1) -> ModelBuilder:
    mb = ModelBuilder()
    xi = mb.add_tensor("x", x, "float32")
    yi = mb.add_tensor("y", (1, 1, 1, x[-1]), "float32")
    mb.add_op("MAX_POOL_2D", [xi], [yi], {"filter": filt, "padding": padding, "stride": stride})
    mb.inputs, mb.outputs = [xi], [yi]
    return mb


def _reshape(a, b) -> ModelBuilder:
    mb = ModelBuilder()
    x = mb.add_tensor("x", a, "float32")
    y = mb.add_tensor("y", b, "float32")
    mb.add_op("RESHAPE", [x], [y], {"new_shape": list(b)})
    mb.inputs, mb.outputs = [x], [y]
    return mb


def _writes(kind) -> ModelBuilder:
    mb = ModelBuilder()
    x = mb.add_tensor("x", (1, 4), "float32")
    c = mb.add_tensor("c", (1, 4), "float32", data=np.ones((1, 4)))
    y = mb.add_tensor("y", (1, 4), "float32")
    target = {"input": x, "const": c, "twice": y}[kind]
    mb.add_op("RELU", [x], [y])
    mb.add_op("RELU", [y], [target])
    mb.inputs, mb.outputs = [x], [y]
    return mb


def _dw(x=(1, 8, 8, 4), w=(1, 3, 3, 6)) -> ModelBuilder:
    mb = ModelBuilder()
    xi = mb.add_tensor("x", x, "float32")
    wi = mb.add_tensor("w", w, "float32", data=np.zeros(w))
    bi = mb.add_tensor("b", (w[3],), "float32", data=np.zeros(w[3]))
    yi = mb.add_tensor("y", (1, 6, 6, w[3]), "float32")
    mb.add_op("DEPTHWISE_CONV_2D", [xi, wi, bi], [yi], {"depth_multiplier": 1})
    mb.inputs, mb.outputs = [xi], [yi]
    return mb


def _out_of_order() -> ModelBuilder:
    mb = ModelBuilder()
    x = mb.add_tensor("x", (1, 4), "float32")
    a = mb.add_tensor("a", (1, 4), "float32")
    b = mb.add_tensor("b", (1, 4), "float32")
    mb.add_op("RELU", [a], [b])
    mb.add_op("RELU", [x], [a])
    mb.inputs, mb.outputs = [x], [b]
    return mb


def _dangling() -> ModelBuilder:
    mb = ModelBuilder()
    x = mb.add_tensor("x", (1, 4), "float32")
    y = mb.add_tensor("y", (1, 4), "float32")
    ghost = mb.add_tensor("ghost", (1, 4), "float32")
    mb.add_op("RELU", [ghost], [y])
    mb.inputs, mb.outputs = [x], [y]
    return mb


def _unwritten_output() -> ModelBuilder:
    mb = relu_model()
    z = mb.add_tensor("z", (1, 4), "float32")
    mb.outputs = [1, z]
    return mb


def _buffer_size(data: bytes) -> ModelBuilder:
    mb = conv_model()
    mb.tensors[1].data = data
    return mb


def _quant(t_fields: dict, dtype="int8", shape=(1, 4)) -> ModelBuilder:
    mb = relu_model(shape, dtype, scale=0.5, zero_point=0)
    return _with(mb, 0, **t_fields)


def _op_inputs(inputs) -> ModelBuilder:
    mb = relu_model()
    mb.ops[0].inputs = list(inputs)
    return mb


F32 = "float32"
BUILT = [
    ("no-operators", _no_ops, "subgraph 0 has no operators"),
    ("no-outputs", _no_outputs, "subgraph 0 has no outputs"),
    ("no-inputs", _no_inputs, "subgraph 0 has no inputs"),
    (
        "cycle-of-two",
        lambda: _two_relus("b", "a"),
        "the operators form a cycle: operator 0 -> operator 1 -> operator 0",
    ),
    (
        "self-loop",
        lambda: _two_relus("a", "a"),
        "the operators form a cycle: operator 0 -> operator 0",
    ),
    (
        "out-of-order",
        _out_of_order,
        (
            "operator 0 (RELU) reads tensor 1 'a' before operator 1 writes it "
            "(operators must be stored in execution order)"
        ),
    ),
    (
        "dangling-read",
        _dangling,
        (
            "operator 0 (RELU) reads tensor 2 'ghost', which is not a graph input, not a constant "
            "and not written by any operator"
        ),
    ),
    (
        "output-never-written",
        _unwritten_output,
        "subgraph 0 output tensor 2 'z' is not written by any operator",
    ),
    (
        "writes-input",
        lambda: _writes("input"),
        "operator 1 (RELU) writes tensor 0 'x', a graph input",
    ),
    (
        "writes-constant",
        lambda: _writes("const"),
        "operator 1 (RELU) writes tensor 1 'c', a constant",
    ),
    (
        "written-twice",
        lambda: _writes("twice"),
        "tensor 2 'y' is written by both operator 0 and operator 1",
    ),
    (
        "buffer-short",
        lambda: _buffer_size(b"\0" * 100),
        "tensor 1 'w' has 100 bytes of data in buffer 2; shape [4, 3, 3, 3] float32 needs 432",
    ),
    (
        "buffer-long",
        lambda: _buffer_size(b"\0" * 433),
        "tensor 1 'w' has 433 bytes of data in buffer 2; shape [4, 3, 3, 3] float32 needs 432",
    ),
    (
        "buffer-one-byte",
        lambda: _buffer_size(b"\1"),
        "tensor 1 'w' has 1 bytes of data in buffer 2; shape [4, 3, 3, 3] float32 needs 432",
    ),
    (
        "rank-7",
        lambda: relu_model((1,) * 7),
        "tensor 0 'x' has rank 7; lwai supports at most 6 dimensions",
    ),
    (
        "rank-40",
        lambda: relu_model((1,) * 40),
        "tensor 0 'x' has rank 40; lwai supports at most 6 dimensions",
    ),
    (
        "int32-overflow",
        lambda: relu_model((65536, 65536)),
        f"tensor 0 'x' of shape [65536, 65536] float32 is 17179869184 bytes, {LIMIT_TEXT}",
    ),
    (
        "just-over-limit",
        lambda: relu_model((2**29, 1)),
        f"tensor 0 'x' of shape [536870912, 1] float32 is 2147483648 bytes, {LIMIT_TEXT}",
    ),
    (
        "int64-product",
        lambda: relu_model((2**31 - 1,) * 3),
        (
            f"tensor 0 'x' of shape [{2**31 - 1}, {2**31 - 1}, {2**31 - 1}] float32 is "
            f"{(2**31 - 1) ** 3 * 4} bytes, {LIMIT_TEXT}"
        ),
    ),
    (
        "min-int-dim",
        lambda: relu_model((1, -(2**31))),
        f"tensor 0 'x' has dimension 1 of size {-(2**31)}; lwai needs positive static sizes",
    ),
    (
        "zero-points-no-scale",
        lambda: _with(relu_model(), 0, scale=[], zero_point=[3]),
        "tensor 0 'x' has 1 zero points and no scale",
    ),
    (
        "zero-point-count",
        lambda: _quant({"scale": [0.5], "zero_point": [0, 0]}),
        "tensor 0 'x' has 2 zero points for 1 scales",
    ),
    (
        "per-channel-count",
        lambda: _quant({"scale": [0.5] * 3, "zero_point": [0] * 3, "quantized_dimension": 1}),
        "tensor 0 'x' has 3 quantization scales for 4 channels along dimension 1",
    ),
    (
        "per-channel-axis",
        lambda: _quant({"scale": [0.5] * 4, "zero_point": [0] * 4, "quantized_dimension": 2}),
        "tensor 0 'x' has quantized_dimension 2, outside its 2 dimensions",
    ),
    (
        "per-channel-nan",
        lambda: _quant(
            {
                "scale": [0.5, 0.5, float("nan"), 0.5],
                "zero_point": [0] * 4,
                "quantized_dimension": 1,
            }
        ),
        "tensor 0 'x' has quantization scale nan (channel 2); scales must be finite and > 0",
    ),
    (
        "uint8-zero-point",
        lambda: _quant({"zero_point": [256]}, dtype="uint8"),
        "tensor 0 'x' has zero point 256, outside the uint8 range [0, 255]",
    ),
    (
        "uint8-negative-zero-point",
        lambda: _quant({"zero_point": [-1]}, dtype="uint8"),
        "tensor 0 'x' has zero point -1, outside the uint8 range [0, 255]",
    ),
    (
        "int16-zero-point",
        lambda: _quant({"zero_point": [40000]}, dtype="int16"),
        "tensor 0 'x' has zero point 40000, outside the int16 range [-32768, 32767]",
    ),
    (
        "int64-min-zero-point",
        lambda: _quant({"zero_point": [-(2**63)]}),
        f"tensor 0 'x' has zero point {-(2**63)}, outside the int8 range [-128, 127]",
    ),
    (
        "denormal-zero-scale",
        lambda: _quant({"scale": [-0.0]}),
        "tensor 0 'x' has quantization scale -0; scales must be finite and > 0",
    ),
    (
        "op-input-dangling",
        lambda: _op_inputs([7]),
        "operator 0 (RELU) input 0 is tensor 7, which does not exist (the subgraph has 2 tensors)",
    ),
    (
        "op-input-int-min",
        lambda: _op_inputs([-(2**31)]),
        (
            f"operator 0 (RELU) input 0 is tensor {-(2**31)}, which does not exist "
            "(the subgraph has 2 tensors)"
        ),
    ),
    (
        "conv-channels",
        lambda: conv_model(w=(4, 3, 3, 5)),
        "operator 0 (CONV_2D): input has 3 channels, the filter [4, 3, 3, 5] takes 5",
    ),
    (
        "conv-bias",
        lambda: conv_model(b=5),
        "operator 0 (CONV_2D): bias has shape [5]; it needs 4 values",
    ),
    (
        "conv-filter-3d",
        lambda: conv_model(w=(4, 3, 3)),
        "operator 0 (CONV_2D): filter has shape [4, 3, 3]; it must be 4-D",
    ),
    (
        "conv-input-2d",
        lambda: conv_model(x=(8, 3)),
        "operator 0 (CONV_2D): input has shape [8, 3]; it must be 4-D (NHWC)",
    ),
    (
        "conv-filter-too-big",
        lambda: conv_model(w=(4, 9, 3, 3)),
        "operator 0 (CONV_2D): the filter height 9 (dilation 1) exceeds the input height 8",
    ),
    (
        "conv-dilation-too-big",
        lambda: conv_model(dilation=(1, 5)),
        "operator 0 (CONV_2D): the filter width 3 (dilation 5) exceeds the input width 8",
    ),
    (
        "conv-stride-0",
        lambda: conv_model(stride=(0, 1)),
        "operator 0 (CONV_2D) has stride_h 0; it must be >= 1",
    ),
    (
        "conv-stride-neg",
        lambda: conv_model(stride=(1, -3)),
        "operator 0 (CONV_2D) has stride_w -3; it must be >= 1",
    ),
    (
        "conv-dilation-0",
        lambda: conv_model(dilation=(0, 1)),
        "operator 0 (CONV_2D) has dilation_h_factor 0; it must be >= 1",
    ),
    (
        "conv-one-input",
        lambda: _with_inputs(conv_model(), [0]),
        "operator 0 (CONV_2D) needs 2 input tensors, it has 1",
    ),
    (
        "conv-missing-filter",
        lambda: _with_inputs(conv_model(), [0, -1, 2]),
        "operator 0 (CONV_2D) needs 2 input tensors, it has 3",
    ),
    (
        "depthwise-channels",
        lambda: _dw(w=(1, 3, 3, 6)),
        (
            "operator 0 (DEPTHWISE_CONV_2D): filter [1, 3, 3, 6] has 6 channels, not input "
            "channels 4 x depth_multiplier 1"
        ),
    ),
    (
        "add-broadcast",
        lambda: _add((1, 8), (1, 7)),
        "operator 0 (ADD): input shapes [1, 8] and [1, 7] do not broadcast",
    ),
    (
        "add-broadcast-rank",
        lambda: _add((2, 3, 4), (5, 4)),
        "operator 0 (ADD): input shapes [2, 3, 4] and [5, 4] do not broadcast",
    ),
    (
        "fc-depth",
        lambda: _fc((1, 8), (4, 7)),
        "operator 0 (FULLY_CONNECTED): input shape [1, 8] does not split into rows of depth 7",
    ),
    (
        "fc-weights-3d",
        lambda: _fc((1, 8), (4, 2, 4)),
        (
            "operator 0 (FULLY_CONNECTED): weights have shape [4, 2, 4]; they must be 2-D "
            "[units, depth]"
        ),
    ),
    (
        "pool-filter-too-big",
        lambda: _pool((1, 4, 4, 2), 9),
        "operator 0 (MAX_POOL_2D): the filter height 9 (dilation 1) exceeds the input height 4",
    ),
    (
        "pool-filter-0",
        lambda: _pool((1, 4, 4, 2), 0),
        "operator 0 (MAX_POOL_2D) has filter_height 0; it must be >= 1",
    ),
    (
        "pool-stride-0",
        lambda: _pool((1, 4, 4, 2), 2, stride=0),
        "operator 0 (MAX_POOL_2D) has stride_h 0; it must be >= 1",
    ),
    (
        "reshape-count",
        lambda: _reshape((1, 8), (3, 3)),
        "operator 0 (RESHAPE): reshapes [1, 8] (8 elements) to [3, 3]",
    ),
]


def _with_inputs(mb: ModelBuilder, inputs) -> ModelBuilder:
    mb.ops[0].inputs = list(inputs)
    return mb


@pytest.mark.parametrize("make,what", [c[1:] for c in BUILT], ids=[c[0] for c in BUILT])
def test_built_model(make, what, tmp_path, capfd):
    path = write(tmp_path, "built.tflite", make().build())
    assert_error(path, tmp_path, capfd, what)


# ---- ONNX --------------------------------------------------------------------------------


def _onnx(nodes=None, inputs=None, outputs=None, inits=(), opset=17, name="g"):
    from onnx import TensorProto, helper

    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])
    nodes = [helper.make_node("Relu", ["x"], ["y"])] if nodes is None else nodes
    graph = helper.make_graph(
        nodes,
        name,
        [x] if inputs is None else inputs,
        [y] if outputs is None else outputs,
        list(inits),
    )
    opsets = [helper.make_opsetid("", opset)] if opset is not None else []
    model = helper.make_model(graph, opset_imports=opsets)
    return model.SerializeToString()


def _onnx_init(tensor_fn, op="Add"):
    from onnx import helper

    return _onnx([helper.make_node(op, ["x", "w"], ["y"])], inits=[tensor_fn()])


def _tensor(name="w", dtype=None, dims=(1, 4), raw=None, **typed):
    from onnx import TensorProto

    t = TensorProto()
    t.name = name
    t.data_type = TensorProto.FLOAT if dtype is None else dtype
    t.dims.extend(dims)
    if raw is not None:
        t.raw_data = raw
    for k, v in typed.items():
        getattr(t, k).extend(v)
    return t


def _vi(name, dims, elem=1):
    from onnx import helper

    return helper.make_tensor_value_info(name, elem, dims)


def _node(op, ins, outs, **attrs):
    from onnx import helper

    return helper.make_node(op, ins, outs, **attrs)


def _quantize(scale, zp=None, zp_type=None):
    from onnx import TensorProto, helper

    s = np.asarray(scale, np.float32)
    inits = [helper.make_tensor("s", TensorProto.FLOAT, s.shape, s.ravel().tolist())]
    ins = ["x", "s"]
    if zp is not None:
        zp_type = zp_type or TensorProto.INT8
        field = "float_data" if zp_type == TensorProto.FLOAT else "int32_data"
        inits.append(_tensor("zp", zp_type, (), **{field: [zp]}))
        ins.append("zp")
    y = _vi("y", [1, 4], TensorProto.INT8)
    return _onnx([_node("QuantizeLinear", ins, ["y"])], outputs=[y], inits=inits)


def _conv(**attrs):
    from onnx import TensorProto, helper

    w = helper.make_tensor("w", TensorProto.FLOAT, [2, 1, 3, 3], [0.0] * 18)
    x = _vi("x", [1, 1, 8, 8])
    y = _vi("y", [1, 2, 6, 6])
    return _onnx([_node("Conv", ["x", "w"], ["y"], **attrs)], [x], [y], [w])


def _onnx_cases():
    import onnx
    from onnx import TensorProto

    newest = onnx.defs.onnx_opset_version()
    relu = _onnx()
    decode = "malformed or truncated ONNX file (DecodeError)"
    big = f"over lwai's limit of {LIMIT} bytes per tensor"
    return [
        ("garbage", b"\xff" * 40, decode),
        ("truncated-tag", relu[:1], decode),
        ("truncated-half", relu[: len(relu) // 2], decode),
        ("truncated-minus-1", relu[:-1], decode),
        (
            "opset-999",
            _onnx(opset=999),
            f"the model imports ONNX opset 999; lwai reads opsets 1 to {newest}",
        ),
        (
            "opset-0",
            _onnx(opset=0),
            f"the model imports ONNX opset 0; lwai reads opsets 1 to {newest}",
        ),
        ("no-opset", _onnx(opset=None), "the model imports no version of the default ONNX opset"),
        ("no-nodes", _onnx(nodes=[]), "graph 'g' has no nodes"),
        ("no-outputs", _onnx(outputs=[]), "graph 'g' has no outputs"),
        (
            "init-string",
            _onnx_init(lambda: _tensor(dtype=TensorProto.STRING, string_data=[b"a"] * 4)),
            "initializer 'w' has element type STRING, which lwai does not support",
        ),
        (
            "init-complex",
            _onnx_init(lambda: _tensor(dtype=TensorProto.COMPLEX64, float_data=[0.0] * 8)),
            "initializer 'w' has element type COMPLEX64, which lwai does not support",
        ),
        (
            "init-undefined",
            _onnx_init(lambda: _tensor(dtype=0, float_data=[0.0] * 4)),
            "initializer 'w' has element type UNDEFINED, which lwai does not support",
        ),
        (
            "init-type-77",
            _onnx_init(lambda: _tensor(dtype=77, float_data=[0.0] * 4)),
            "initializer 'w' has element type 77, which lwai does not support",
        ),
        (
            "init-negative-dim",
            _onnx_init(lambda: _tensor(dims=(1, -4), float_data=[0.0] * 4)),
            "initializer 'w' has dimension 1 of size -4",
        ),
        (
            "init-huge",
            _onnx_init(lambda: _tensor(dims=(2**20, 2**20))),
            f"initializer 'w' of shape [1048576, 1048576] FLOAT is 4398046511104 bytes, {big}",
        ),
        (
            "init-raw-short",
            _onnx_init(lambda: _tensor(raw=b"\0" * 15)),
            "initializer 'w' has 15 bytes of data; shape [1, 4] FLOAT needs 16",
        ),
        (
            "init-raw-long",
            _onnx_init(lambda: _tensor(raw=b"\0" * 17)),
            "initializer 'w' has 17 bytes of data; shape [1, 4] FLOAT needs 16",
        ),
        (
            "init-no-data",
            _onnx_init(lambda: _tensor()),
            "initializer 'w' has 0 values; shape [1, 4] needs 4",
        ),
        (
            "init-typed-count",
            _onnx_init(lambda: _tensor(float_data=[1.0] * 3)),
            "initializer 'w' has 3 values; shape [1, 4] needs 4",
        ),
        (
            "init-external",
            _onnx_init(lambda: _external()),
            "initializer 'w' keeps its data in an external file; lwai reads self-contained models",
        ),
        (
            "init-int8-range",
            _onnx_init(lambda: _tensor(dtype=TensorProto.INT8, int32_data=[0, 1, 300, 2])),
            "initializer 'w' holds 300 at index 2, outside the int8 range [-128, 127]",
        ),
        (
            "init-uint8-range",
            _onnx_init(lambda: _tensor(dtype=TensorProto.UINT8, int32_data=[-1, 0, 0, 0])),
            "initializer 'w' holds -1 at index 0, outside the uint8 range [0, 255]",
        ),
        (
            "init-bool-range",
            _onnx_init(lambda: _tensor(dtype=TensorProto.BOOL, int32_data=[0, 2, 0, 0])),
            "initializer 'w' holds 2 at index 1, outside the bool range [0, 1]",
        ),
        (
            "input-negative-dim",
            _onnx(inputs=[_vi("x", [1, -3])]),
            "input 'x' has dimension 1 of size -3",
        ),
        (
            "input-huge",
            _onnx(inputs=[_vi("x", [65536, 65536])]),
            f"input 'x' of shape [65536, 65536] FLOAT is 17179869184 bytes, {big}",
        ),
        (
            "dangling",
            _onnx([_node("Relu", ["ghost"], ["y"])]),
            (
                "node 0 (Relu) reads 'ghost', which is not a graph input, not an initializer and "
                "not produced by any node"
            ),
        ),
        (
            "out-of-order",
            _onnx([_node("Relu", ["a"], ["y"]), _node("Relu", ["x"], ["a"])]),
            (
                "node 0 (Relu) reads 'a' before node 1 produces it (nodes must be sorted "
                "topologically)"
            ),
        ),
        (
            "cycle",
            _onnx([_node("Relu", ["y"], ["a"]), _node("Relu", ["a"], ["y"])]),
            "the nodes form a cycle: node 0 -> node 1 -> node 0",
        ),
        (
            "self-loop",
            _onnx([_node("Add", ["x", "y"], ["y"])]),
            "the nodes form a cycle: node 0 -> node 0",
        ),
        (
            "two-producers",
            _onnx([_node("Relu", ["x"], ["y"]), _node("Relu", ["x"], ["y"])]),
            "value 'y' is produced by node 0 and node 1",
        ),
        (
            "overwrites-input",
            _onnx([_node("Relu", ["x"], ["y"]), _node("Relu", ["y"], ["x"])]),
            "node 1 (Relu) overwrites 'x', a graph input",
        ),
        (
            "output-not-produced",
            _onnx(outputs=[_vi("y", [1, 4]), _vi("z", [1, 4])]),
            "graph output 'z' is not produced by any node",
        ),
        (
            "quant-scale-0",
            _quantize(0.0),
            "node 0 (QuantizeLinear): scale 's' is 0; scales must be finite and > 0",
        ),
        (
            "quant-scale-nan",
            _quantize(float("nan")),
            "node 0 (QuantizeLinear): scale 's' is nan; scales must be finite and > 0",
        ),
        (
            "quant-scale-negative",
            _quantize(-0.25),
            "node 0 (QuantizeLinear): scale 's' is -0.25; scales must be finite and > 0",
        ),
        (
            "quant-scale-inf",
            _quantize(float("inf")),
            "node 0 (QuantizeLinear): scale 's' is inf; scales must be finite and > 0",
        ),
        (
            "quant-zero-point-range",
            _quantize(0.5, 200),
            "initializer 'zp' holds 200 at index 0, outside the int8 range [-128, 127]",
        ),
        (
            "quant-zero-point-float",
            _quantize(0.5, 1.0, TensorProto.FLOAT),
            "node 0 (QuantizeLinear): zero point 'zp' is FLOAT; it must be an integer type",
        ),
        (
            "conv-stride-0",
            _conv(strides=[0, 1]),
            "node 0 (Conv) has strides [0, 1]; each must be >= 1",
        ),
        (
            "conv-dilation-neg",
            _conv(dilations=[1, -2]),
            "node 0 (Conv) has dilations [1, -2]; each must be >= 1",
        ),
        (
            "conv-kernel-0",
            _conv(kernel_shape=[0, 3]),
            "node 0 (Conv) has kernel_shape [0, 3]; each must be >= 1",
        ),
        (
            "conv-pads-neg",
            _conv(pads=[0, 0, -1, 0]),
            "node 0 (Conv) has pads [0, 0, -1, 0]; each must be >= 0",
        ),
        ("conv-group-0", _conv(group=0), "node 0 (Conv) has group 0; it must be >= 1"),
        (
            "constant-huge",
            _onnx([_constant(_tensor("c", dims=(2**20, 2**20))), _node("Add", ["x", "c"], ["y"])]),
            (
                f"node 0 (Constant) attribute 'value' of shape [1048576, 1048576] FLOAT is "
                f"4398046511104 bytes, {big}"
            ),
        ),
        (
            "constant-raw-short",
            _onnx([_constant(_tensor("c", raw=b"\0" * 3)), _node("Add", ["x", "c"], ["y"])]),
            "node 0 (Constant) attribute 'value' has 3 bytes of data; shape [1, 4] FLOAT needs 16",
        ),
        (
            "op-type-newline",
            _onnx([_node("Re\nlu", ["x"], ["y"])]),
            "graph node 0 op type 'Re\\nlu' is not printable UTF-8 text",
        ),
        (
            "attribute-name-not-utf8",
            _conv(strides=[1, 1]).replace(b"strides", b"str\xb8des"),
            "graph node 0 attribute name b'str\\xb8des' is not printable UTF-8 text",
        ),
        (
            "value-name-not-utf8",
            _onnx([_node("Relu", ["x"], ["y"])], name="gg").replace(b"gg", b"g\xff"),
            "the name of graph b'g\\xff' is not printable UTF-8 text",
        ),
        (
            "output-without-name",
            _onnx(outputs=[_vi("y", [1, 4]), _vi("", [1, 4])]),
            "graph output 1 has no name",
        ),
    ]


def _constant(t):
    from onnx import helper

    return helper.make_node("Constant", [], ["c"], value=t)


def _external():
    from onnx import TensorProto

    t = _tensor()
    t.data_location = TensorProto.EXTERNAL
    e = t.external_data.add()
    e.key, e.value = "location", "weights.bin"
    return t


try:
    ONNX_CASES = _onnx_cases()
except ImportError:  # pragma: no cover - onnx is a dependency of lwai
    ONNX_CASES = []


@pytest.mark.parametrize("data,what", [c[1:] for c in ONNX_CASES], ids=[c[0] for c in ONNX_CASES])
def test_onnx_model(data, what, tmp_path, capfd):
    assert_error(write(tmp_path, "hostile.onnx", data), tmp_path, capfd, what)


# ---- hypothesis: generated shapes, scales, zero points and indices ---------------------------

FAST = settings(
    max_examples=25,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.filter_too_much,
        HealthCheck.too_slow,
    ],
)
INT32 = st.integers(-(2**31), 2**31 - 1)


def expected_shape_error(shape: list[int]) -> str | None:
    """The rule: rank <= 6, every dimension > 0, at most 2^31 - 1 bytes (float32)."""
    if len(shape) > 6:
        return f"tensor 0 'x' has rank {len(shape)}; lwai supports at most 6 dimensions"
    for j, d in enumerate(shape):
        if d <= 0:
            return f"tensor 0 'x' has dimension {j} of size {d}; lwai needs positive static sizes"
    if math.prod(shape) * 4 > LIMIT:
        return (
            f"tensor 0 'x' of shape {shape} float32 is {math.prod(shape) * 4} bytes, {LIMIT_TEXT}"
        )
    return None


@FAST
@given(
    shape=st.lists(
        st.one_of(st.integers(-3, 2), st.integers(2**12, 2**31 - 1), INT32), min_size=1, max_size=9
    )
)
def test_generated_shapes(shape, tmp_path, capfd):
    what = expected_shape_error(shape)
    if what is None:
        return  # a legal shape: not a hostile case
    path = write(tmp_path, "shape.tflite", relu_model(tuple(shape)).build())
    assert_error(path, tmp_path, capfd, what)


@FAST
@given(scale=st.floats(width=32) | st.sampled_from([0.0, -0.0, math.nan, math.inf, -math.inf]))
def test_generated_scales(scale, tmp_path, capfd):
    v = float(np.float32(scale))
    if math.isfinite(v) and v > 0:
        return
    mb = _with(relu_model((1, 4), "int8", scale=0.5, zero_point=0), 0, scale=[v])
    path = write(tmp_path, "scale.tflite", mb.build())
    what = f"tensor 0 'x' has quantization scale {v:g}; scales must be finite and > 0"
    assert_error(path, tmp_path, capfd, what)


ZP_RANGES = {"int8": (-128, 127), "uint8": (0, 255), "int16": (-32768, 32767)}


@FAST
@given(
    dtype=st.sampled_from(sorted(ZP_RANGES)),
    zp=st.integers(-(2**63), 2**63 - 1) | st.integers(-300, 300),
)
def test_generated_zero_points(dtype, zp, tmp_path, capfd):
    lo, hi = ZP_RANGES[dtype]
    if lo <= zp <= hi:
        return
    mb = _with(relu_model((1, 4), dtype, scale=0.5, zero_point=0), 0, zero_point=[zp])
    path = write(tmp_path, "zp.tflite", mb.build())
    what = f"tensor 0 'x' has zero point {zp}, outside the {dtype} range [{lo}, {hi}]"
    assert_error(path, tmp_path, capfd, what)


@FAST
@given(index=INT32.filter(lambda i: not -1 <= i <= 1))
def test_generated_tensor_indices(index, tmp_path, capfd):
    path = write(tmp_path, "index.tflite", _op_inputs([index]).build())
    what = (
        f"operator 0 (RELU) input 0 is tensor {index}, which does not exist "
        "(the subgraph has 2 tensors)"
    )
    assert_error(path, tmp_path, capfd, what)


@FAST
@given(buffer=st.integers(13, 2**32 - 1))
def test_generated_buffer_indices(buffer, tmp_path, capfd):
    src = SHARED_MODELS / "hello_world_int8.tflite"
    if not src.is_file():
        pytest.skip(f"{src} not present")
    p = Patched(src.read_bytes())
    data = p.put(p.field(p.tensor(0), 8), "<I", buffer)
    what = f"{p.label(0)} names buffer {buffer}, which does not exist (the model has 13 buffers)"
    assert_error(write(tmp_path, "buffer.tflite", data), tmp_path, capfd, what)


@settings(FAST, max_examples=30)
@given(data=st.data())
def test_random_corruption_is_one_line(data, tmp_path, capfd):
    """Bytes overwritten anywhere: whatever the outcome, never a traceback or a second line."""
    src = SHARED_MODELS / "hello_world_int8.tflite"
    if not src.is_file():
        pytest.skip(f"{src} not present")
    raw = bytearray(src.read_bytes())
    for _ in range(data.draw(st.integers(1, 8))):
        pos = data.draw(st.integers(0, len(raw) - 1))
        raw[pos] = data.draw(st.integers(0, 255))
    path = write(tmp_path, "corrupt.tflite", bytes(raw))
    rc, err = compile_in_process(path, tmp_path / "out", capfd)
    assert rc in (0, 2), err
    if rc == 2:
        lines = err.splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"lwai: {path}: error: "), err


# ---- a sample through the real command -------------------------------------------------------

SUBPROCESS_SAMPLE = [
    ("cycle-of-two", "tflite"),
    ("rank-7", "tflite"),
    ("int32-overflow", "tflite"),
    ("conv-channels", "tflite"),
    ("add-broadcast", "tflite"),
    ("reshape-count", "tflite"),
    ("cycle", "onnx"),
    ("quant-scale-0", "onnx"),
    ("init-raw-short", "onnx"),
    ("truncated-half", "onnx"),
]


@pytest.mark.parametrize("case,fmt", SUBPROCESS_SAMPLE, ids=[c for c, _ in SUBPROCESS_SAMPLE])
def test_real_command(case, fmt, tmp_path):
    if fmt == "tflite":
        make, what = {c[0]: c[1:] for c in BUILT}[case]
        data = make().build()
    else:
        data, what = {c[0]: c[1:] for c in ONNX_CASES}[case]
    path = write(tmp_path, f"{case}.{fmt}", data)
    proc = subprocess.run(
        [str(LWAI), "compile", str(path), "-o", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        timeout=CASE_SECONDS,
        check=False,
    )
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stderr.splitlines() == [f"lwai: {path}: error: {what}"]
    assert proc.stdout == ""


def _shared_shape_model(n_tensors: int, rank: int) -> bytes:
    """A flatbuffer whose tensors vector points ``n_tensors`` times at one tensor table with a
    ``rank``-entry shape: small on disk, ``n_tensors * rank`` reads for a naive walk."""
    import flatbuffers

    from lwai.tflite_writer import Model, SubGraph, Tensor, _int32_vector

    b = flatbuffers.Builder(0)
    shape = _int32_vector(b, [1] * rank)
    Tensor.TensorStart(b)
    Tensor.TensorAddShape(b, shape)
    tensor = Tensor.TensorEnd(b)
    SubGraph.SubGraphStartTensorsVector(b, n_tensors)
    for _ in range(n_tensors):
        b.PrependUOffsetTRelative(tensor)
    tensors = b.EndVector()
    SubGraph.SubGraphStart(b)
    SubGraph.SubGraphAddTensors(b, tensors)
    subgraph = SubGraph.SubGraphEnd(b)
    Model.ModelStartSubgraphsVector(b, 1)
    b.PrependUOffsetTRelative(subgraph)
    subgraphs = b.EndVector()
    Model.ModelStart(b)
    Model.ModelAddVersion(b, 3)
    Model.ModelAddSubgraphs(b, subgraphs)
    b.Finish(Model.ModelEnd(b), file_identifier=b"TFL3")
    return bytes(b.Output())


def test_shared_vectors_do_not_hang(tmp_path, capfd):
    """50,000 tensors sharing one 50,000-entry shape: 2.5 * 10^9 reads unchecked (a hang);
    the walk stops once it has read 8 times the file."""
    data = _shared_shape_model(50_000, 50_000)
    path = write(tmp_path, "shared.tflite", data)
    what = (
        f"malformed TFLite file: its tables reference more than 8 times its {len(data)} bytes "
        "(tables that overlap or share vectors)"
    )
    assert_error(path, tmp_path, capfd, what)


def test_codes_in_builtin_code_only(tmp_path):
    """A file whose operator codes (< 127) sit only in ``builtin_code``, the deprecated
    8-bit field left 0 (ADD), as TFLM's model compressor writes them: TFLite reads
    max(both), and so must lwai -- the ``tflite`` package alone would import every op as
    ADD. SUB, MUL and MAXIMUM here, compared with tflite-micro on the host."""
    from conftest import tflm_outputs
    from lwai import driver

    mb = ModelBuilder()
    x = mb.add_tensor("x", (5,), "float32")
    cs = np.array([3, -1, 0.5, 2, -4], np.float32)
    c = mb.add_tensor("c", (5,), "float32", data=cs)
    t1, t2, y = (mb.add_tensor(n, (5,), "float32") for n in ("t1", "t2", "y"))
    mb.add_op("SUB", [x, c], [t1])
    mb.add_op("MUL", [t1, c], [t2])
    mb.add_op("MAXIMUM", [t2, x], [y])
    mb.inputs, mb.outputs = [x], [y]
    data = bytearray(mb.build())
    model = tflite.Model.GetRootAsModel(data, 0)
    for i in range(model.OperatorCodesLength()):
        code = model.OperatorCodes(i)
        assert code.BuiltinCode() != tflite.BuiltinOperator.ADD
        data[code._tab.Pos + code._tab.Offset(4)] = 0  # deprecated_builtin_code := ADD
    model = tflite.Model.GetRootAsModel(bytes(data), 0)
    assert model.OperatorCodes(0).BuiltinCode() == tflite.BuiltinOperator.ADD  # the trap
    path = tmp_path / "codes.tflite"
    path.write_bytes(bytes(data))
    xs = np.array([1.5, -2, 7, 0.25, -3], np.float32)
    got, _ = driver.run_model(path, [xs], tmp_path / "run")
    want = tflm_outputs(bytes(data), [xs])
    assert np.array_equal(got[0], want[0]), (got[0], want[0])
    assert not np.array_equal(want[0], xs + cs + cs + xs)  # what three ADDs would give
