"""Checks a TFLite flatbuffer before anything else reads it.

The ``tflite`` package reads fields at whatever offset the file names, and TVM's converter
trusts what it reads: a truncated file, an index past a vector's end or a scale of zero
surfaces as an IndexError, a struct.error or a TVM check deep in an import (or as a loop
over a length of 2^31). This module walks every table lwai and TVM read with bounds checks
of its own, then checks the model's meaning: indices in range, shapes positive and small
enough for lwai's 32-bit sizes, buffer sizes matching shapes, sane quantization and
operator options, and a data flow in execution order without cycles. The first problem
found raises one ``LwaiError`` naming the tensor, operator or index and the limit.

Field slots are the schema's vtable offsets (4 + 2 * field id, tensorflow/lite/schema).
"""

from __future__ import annotations

import math
import struct
from pathlib import Path

import tflite
from tflite.BuiltinOperator import BuiltinOperator

from lwai.errors import LwaiError

# lwai_tensor_info keeps 6 dims; sizes and arena offsets are 32-bit in the C API, so a
# tensor (and every offset) stays below 2^31 bytes.
MAX_RANK = 6
MAX_TENSOR_BYTES = 2**31 - 1
SCHEMA_VERSION = 3

# TensorType -> (name, bytes per element) for the types TVM's converter reads.
_TYPES = {
    tflite.TensorType.FLOAT32: ("float32", 4),
    tflite.TensorType.FLOAT16: ("float16", 2),
    tflite.TensorType.INT32: ("int32", 4),
    tflite.TensorType.UINT8: ("uint8", 1),
    tflite.TensorType.INT64: ("int64", 8),
    tflite.TensorType.BOOL: ("bool", 1),
    tflite.TensorType.INT16: ("int16", 2),
    tflite.TensorType.INT8: ("int8", 1),
    tflite.TensorType.UINT32: ("uint32", 4),
    tflite.TensorType.UINT64: ("uint64", 8),
}
_TYPE_NAMES = {v: k for k, v in vars(tflite.TensorType).items() if not k.startswith("_")}
_ZERO_POINT_RANGE = {
    "int8": (-(2**7), 2**7 - 1),
    "uint8": (0, 2**8 - 1),
    "int16": (-(2**15), 2**15 - 1),
    "int32": (-(2**31), 2**31 - 1),
    "uint32": (0, 2**32 - 1),
}
_BUILTIN_NAMES = {v: k for k, v in vars(BuiltinOperator).items() if not k.startswith("_")}
_PADDINGS = (tflite.Padding.SAME, tflite.Padding.VALID)
_ACTIVATIONS = {v for k, v in vars(tflite.ActivationFunctionType).items() if not k.startswith("_")}


def _text(raw: bytes | None, limit: int = 60) -> str:
    """A name from the file, safe for a one-line message."""
    if not raw:
        return ""
    s = "".join(c if c.isprintable() else "?" for c in raw.decode("utf-8", errors="replace"))
    return s if len(s) <= limit else s[: limit - 3] + "..."


class _Reader:
    """Bounds-checked reads of a flatbuffer (the Python runtime checks nothing)."""

    def __init__(self, path: Path, data: bytes):
        self.path = path
        self.data = data
        self.n = len(data)
        # Tables may point at one another's vectors: a file of 300 KB whose 75,000 tensors
        # all share one 75,000-entry shape would take 5 * 10^9 reads. A real model reads each
        # byte about once; past 8 times the file, the walk stops.
        self.budget = 8 * self.n + 65536

    def charge(self, nbytes: int) -> None:
        self.budget -= nbytes
        if self.budget < 0:
            raise LwaiError(
                self.path,
                f"malformed TFLite file: its tables reference more than 8 times its "
                f"{self.n} bytes (tables that overlap or share vectors)",
            )

    def outside(self, what: str) -> LwaiError:
        return LwaiError(
            self.path,
            f"malformed or truncated TFLite file: {what} lies outside the {self.n}-byte file",
        )

    def _unpack(self, fmt: str, pos: int, what: str):
        size = struct.calcsize(fmt)
        if pos < 0 or pos + size > self.n:
            raise self.outside(what)
        return struct.unpack_from(fmt, self.data, pos)[0]

    def table(self, pos: int, what: str) -> _Table:
        soffset = self._unpack("<i", pos, what)
        vt = pos - soffset
        vt_size = self._unpack("<H", vt, f"the field table of {what}")
        obj_size = self._unpack("<H", vt + 2, f"the field table of {what}")
        if vt_size < 4 or vt_size % 2 or obj_size < 4:
            raise LwaiError(self.path, f"malformed TFLite file: {what} has a corrupt field table")
        if vt + vt_size > self.n or pos + obj_size > self.n:
            raise self.outside(what)
        self.charge(vt_size + 4)
        slots = {}
        for slot in range(4, vt_size, 2):
            off = struct.unpack_from("<H", self.data, vt + slot)[0]
            if off and off >= obj_size:
                raise LwaiError(
                    self.path, f"malformed TFLite file: {what} has a corrupt field table"
                )
            slots[slot] = off
        return _Table(self, pos, obj_size, slots, what)


class _Table:
    def __init__(self, r: _Reader, pos: int, size: int, slots: dict[int, int], what: str):
        self.r, self.pos, self.size, self.slots, self.what = r, pos, size, slots, what

    def _field(self, slot: int, size: int) -> int | None:
        off = self.slots.get(slot, 0)
        if not off:
            return None
        if off + size > self.size:
            raise LwaiError(
                self.r.path, f"malformed TFLite file: {self.what} has a corrupt field table"
            )
        return self.pos + off

    def scalar(self, slot: int, fmt: str, default=0):
        p = self._field(slot, struct.calcsize(fmt))
        return default if p is None else struct.unpack_from(fmt, self.r.data, p)[0]

    def _vector(self, slot: int, elem: int, what: str) -> tuple[int, int]:
        """(first element position, length); (0, 0) when the field is absent."""
        p = self._field(slot, 4)
        if p is None:
            return 0, 0
        vec = p + struct.unpack_from("<I", self.r.data, p)[0]
        length = self.r._unpack("<I", vec, what)
        if vec + 4 + length * elem > self.r.n:
            raise self.r.outside(what)
        self.r.charge(4 + length * elem)
        return vec + 4, length

    def numbers(self, slot: int, fmt: str, what: str) -> list:
        start, length = self._vector(slot, struct.calcsize(fmt), what)
        return list(struct.unpack_from(f"<{length}{fmt[-1]}", self.r.data, start)) if length else []

    def byte_length(self, slot: int, what: str) -> int:
        return self._vector(slot, 1, what)[1]

    def string(self, slot: int, what: str) -> bytes | None:
        start, length = self._vector(slot, 1, what)
        return bytes(self.r.data[start : start + length]) if start else None

    def table(self, slot: int, what: str) -> _Table | None:
        p = self._field(slot, 4)
        if p is None:
            return None
        return self.r.table(p + struct.unpack_from("<I", self.r.data, p)[0], what)

    def tables(self, slot: int, what: str) -> list[_Table]:
        start, length = self._vector(slot, 4, f"the {what} vector")
        out = []
        for i in range(length):
            e = start + 4 * i
            out.append(self.r.table(e + struct.unpack_from("<I", self.r.data, e)[0], f"{what} {i}"))
        return out


class _Tensor:
    def __init__(self, index: int, t: _Table, where: str):
        self.index = index
        raw = t.string(10, f"the name of {where}tensor {index}")
        try:
            (raw or b"").decode("utf-8")
        except UnicodeDecodeError:  # TVM decodes names as UTF-8
            raise LwaiError(
                t.r.path, f"{where}tensor {index} has a name that is not UTF-8 text"
            ) from None
        self.name = _text(raw)
        self.label = f"{where}tensor {index}" + (f" '{self.name}'" if self.name else "")
        self.shape = t.numbers(4, "<i", f"the shape of {self.label}")
        self.type = t.scalar(6, "<b")
        self.buffer = t.scalar(8, "<I")
        self.is_variable = bool(t.scalar(14, "<B"))
        q = t.table(12, f"the quantization of {self.label}")
        self.scale: list[float] = []
        self.zero_point: list[int] = []
        self.quantized_dimension = 0
        if q is not None:
            self.scale = q.numbers(8, "<f", f"the scales of {self.label}")
            self.zero_point = q.numbers(10, "<q", f"the zero points of {self.label}")
            self.quantized_dimension = q.scalar(16, "<i")
        t.numbers(18, "<i", f"the shape signature of {self.label}")
        self.has_data = False


class _Op:
    def __init__(self, index: int, t: _Table, where: str):
        self.index = index
        self.table = t
        self.opcode_index = t.scalar(4, "<I")
        label = f"{where}operator {index}"
        self.inputs = t.numbers(6, "<i", f"the inputs of {label}")
        self.outputs = t.numbers(8, "<i", f"the outputs of {label}")
        self.options_type = t.scalar(10, "<B")
        self.options = t.table(12, f"the options of {label}")
        t.byte_length(14, f"the custom options of {label}")
        t.numbers(20, "<i", f"the intermediates of {label}")
        self.name = ""
        self.label = label


def validate_tflite(path: Path, data: bytes) -> None:
    """Raises LwaiError for the first problem of the model in ``data``; None if it is sane."""
    path = Path(path)
    if len(data) < 8 or data[4:8] != b"TFL3":
        raise LwaiError(path, "not a TFLite flatbuffer (missing the 'TFL3' identifier)")
    r = _Reader(path, data)
    model = r.table(struct.unpack_from("<I", data, 0)[0], "the model table")
    version = model.scalar(4, "<I")
    if version != SCHEMA_VERSION:
        raise LwaiError(path, f"unsupported TFLite schema version {version} (lwai reads version 3)")
    codes = []
    for c in model.tables(6, "operator code"):
        dep = c.scalar(4, "<b")
        builtin = c.scalar(10, "<i")
        custom = c.string(6, "a custom operator name")
        if custom and _text(custom, limit=10**6) != custom.decode("utf-8", errors="replace"):
            raise LwaiError(
                path, f"operator code {len(codes)} has a custom name that is not printable text"
            )
        codes.append(max(int(dep), int(builtin)))
    subgraphs = model.tables(8, "subgraph")
    buffers = model.tables(12, "buffer")
    if not subgraphs:
        raise LwaiError(path, "TFLite model has no subgraph")
    buffer_bytes = []
    for b, buf in enumerate(buffers):
        length = buf.byte_length(4, f"the data of buffer {b}")
        offset, size = buf.scalar(6, "<Q"), buf.scalar(8, "<Q")
        if offset > 1:
            raise LwaiError(
                path,
                f"buffer {b} keeps its data outside the flatbuffer (offset {offset}, size "
                f"{size}); lwai reads models whose weights are inside the file",
            )
        buffer_bytes.append(length)
    for s, sg in enumerate(subgraphs):
        _check_subgraph(path, s, sg, codes, buffer_bytes)


def _check_subgraph(path, s: int, sg: _Table, codes: list[int], buffer_bytes: list[int]) -> None:
    where = f"subgraph {s} " if s else ""
    tensors = [_Tensor(i, t, where) for i, t in enumerate(sg.tables(4, f"{where}tensor"))]
    inputs = sg.numbers(6, "<i", f"the inputs of subgraph {s}")
    outputs = sg.numbers(8, "<i", f"the outputs of subgraph {s}")
    ops = [_Op(i, t, where) for i, t in enumerate(sg.tables(10, f"{where}operator"))]
    sg.string(12, f"the name of subgraph {s}")
    if not ops:
        raise LwaiError(path, f"subgraph {s} has no operators")
    for op in ops:
        _check_indices(path, op, codes, tensors)
    for role, idx in (("input", inputs), ("output", outputs)):
        if not idx and s == 0:  # (a CALL_ONCE init subgraph has neither)
            raise LwaiError(path, f"subgraph {s} has no {role}s")
        for j, t in enumerate(idx):
            if not 0 <= t < len(tensors):
                raise LwaiError(
                    path,
                    f"subgraph {s} {role} {j} is tensor {t}, which does not exist "
                    f"(the subgraph has {len(tensors)} tensors)",
                )
    # Tensors no operator reads or writes (an LSTM's intermediates, shape [0]) are not checked.
    used = set(inputs) | set(outputs)
    for op in ops:
        used.update(t for t in op.inputs + op.outputs if t >= 0)
    # Resource variable handles (VAR_HANDLE's output, READ/ASSIGN_VARIABLE's first input)
    # carry no data: lwai/frontend/control_flow.py.
    handles = {op.outputs[0] for op in ops if op.name == "VAR_HANDLE" and op.outputs}
    handles |= {
        op.inputs[0] for op in ops if op.name in ("READ_VARIABLE", "ASSIGN_VARIABLE") and op.inputs
    }
    for t in tensors:
        if t.index in handles and t.type == tflite.TensorType.RESOURCE:
            continue
        if t.index in used:
            _check_tensor(path, t, buffer_bytes)
    for op in ops:
        _check_options(path, op)
        _check_shapes(path, op, tensors)
    _check_flow(path, s, ops, tensors, inputs, outputs, codes)


def _check_tensor(path: Path, t: _Tensor, buffer_bytes: list[int]) -> None:
    if t.type not in _TYPES:
        name = _TYPE_NAMES.get(t.type)
        raise LwaiError(
            path,
            f"{t.label} has unknown type {t.type}"
            if name is None
            else f"{t.label} has type {name}, which lwai does not support",
        )
    dtype, size = _TYPES[t.type]
    if len(t.shape) > MAX_RANK:
        raise LwaiError(
            path, f"{t.label} has rank {len(t.shape)}; lwai supports at most {MAX_RANK} dimensions"
        )
    for j, d in enumerate(t.shape):
        if d <= 0:
            raise LwaiError(
                path, f"{t.label} has dimension {j} of size {d}; lwai needs positive static sizes"
            )
    nbytes = math.prod(t.shape) * size
    if nbytes > MAX_TENSOR_BYTES:
        raise LwaiError(
            path,
            f"{t.label} of shape {list(t.shape)} {dtype} is {nbytes} bytes, over lwai's limit "
            f"of {MAX_TENSOR_BYTES} bytes per tensor",
        )
    if t.buffer >= len(buffer_bytes):
        raise LwaiError(
            path,
            f"{t.label} names buffer {t.buffer}, which does not exist "
            f"(the model has {len(buffer_bytes)} buffers)",
        )
    have = buffer_bytes[t.buffer]
    t.has_data = have > 0
    if have and have != nbytes:
        raise LwaiError(
            path,
            f"{t.label} has {have} bytes of data in buffer {t.buffer}; shape "
            f"{list(t.shape)} {dtype} needs {nbytes}",
        )
    _check_quantization(path, t, dtype)


def _check_quantization(path: Path, t: _Tensor, dtype: str) -> None:
    if not t.scale:
        if t.zero_point:
            raise LwaiError(path, f"{t.label} has {len(t.zero_point)} zero points and no scale")
        return
    for c, sc in enumerate(t.scale):
        if not math.isfinite(sc) or sc <= 0:
            chan = f" (channel {c})" if len(t.scale) > 1 else ""
            raise LwaiError(
                path,
                f"{t.label} has quantization scale {sc:g}{chan}; scales must be finite and > 0",
            )
    if t.zero_point and len(t.zero_point) != len(t.scale):
        raise LwaiError(
            path, f"{t.label} has {len(t.zero_point)} zero points for {len(t.scale)} scales"
        )
    lo_hi = _ZERO_POINT_RANGE.get(dtype)
    for c, z in enumerate(t.zero_point):
        if lo_hi and not lo_hi[0] <= z <= lo_hi[1]:
            chan = f" (channel {c})" if len(t.zero_point) > 1 else ""
            raise LwaiError(
                path,
                f"{t.label} has zero point {z}{chan}, outside the {dtype} range "
                f"[{lo_hi[0]}, {lo_hi[1]}]",
            )
    if len(t.scale) > 1:
        rank = len(t.shape)
        # TFLite Micro reads 1-D tensors (biases) along axis 0 whatever the field says.
        axis = 0 if rank == 1 else t.quantized_dimension
        if not 0 <= axis < rank:
            raise LwaiError(
                path,
                f"{t.label} has quantized_dimension {axis}, outside its {rank} dimensions",
            )
        if t.shape[axis] != len(t.scale):
            raise LwaiError(
                path,
                f"{t.label} has {len(t.scale)} quantization scales for {t.shape[axis]} "
                f"channels along dimension {axis}",
            )


def _op_name(code: int) -> str:
    return _BUILTIN_NAMES.get(code, f"builtin#{code}")


def _check_indices(path: Path, op: _Op, codes: list[int], tensors: list[_Tensor]) -> None:
    if op.opcode_index >= len(codes):
        raise LwaiError(
            path,
            f"{op.label} has opcode index {op.opcode_index}, but the model has "
            f"{len(codes)} operator codes",
        )
    op.name = _op_name(codes[op.opcode_index])
    op.label = f"{op.label} ({op.name})"
    for role, idx in (("input", op.inputs), ("output", op.outputs)):
        for j, t in enumerate(idx):
            if (role == "input" and t == -1) or 0 <= t < len(tensors):
                continue
            raise LwaiError(
                path,
                f"{op.label} {role} {j} is tensor {t}, which does not exist "
                f"(the subgraph has {len(tensors)} tensors)",
            )
    if not op.outputs and op.name not in ("CALL_ONCE", "ASSIGN_VARIABLE"):  # these have none
        raise LwaiError(path, f"{op.label} has no outputs")


# op -> (options type, class name, [(field, accessor)] that must be >= 1)
_OPTIONS = {
    "CONV_2D": (
        "Conv2DOptions",
        ["StrideH", "StrideW", "DilationHFactor", "DilationWFactor"],
    ),
    "DEPTHWISE_CONV_2D": (
        "DepthwiseConv2DOptions",
        ["StrideH", "StrideW", "DilationHFactor", "DilationWFactor", "DepthMultiplier"],
    ),
    "AVERAGE_POOL_2D": (
        "Pool2DOptions",
        ["StrideH", "StrideW", "FilterHeight", "FilterWidth"],
    ),
    "MAX_POOL_2D": ("Pool2DOptions", ["StrideH", "StrideW", "FilterHeight", "FilterWidth"]),
}
_SNAKE = {
    "StrideH": "stride_h",
    "StrideW": "stride_w",
    "DilationHFactor": "dilation_h_factor",
    "DilationWFactor": "dilation_w_factor",
    "DepthMultiplier": "depth_multiplier",
    "FilterHeight": "filter_height",
    "FilterWidth": "filter_width",
}


def _check_options(path: Path, op: _Op) -> None:
    spec = _OPTIONS.get(op.name)
    if op.name == "FULLY_CONNECTED" and op.options is not None:
        if op.options_type != tflite.BuiltinOptions.FullyConnectedOptions:
            raise LwaiError(path, f"{op.label} has options of the wrong type {op.options_type}")
        act = op.options.scalar(4, "<b")
        if act not in _ACTIVATIONS:
            raise LwaiError(path, f"{op.label} has unknown fused activation {act}")
    if spec is None:
        return
    cls_name, positive = spec
    if op.options is None or op.options_type != getattr(tflite.BuiltinOptions, cls_name):
        raise LwaiError(path, f"{op.label} has no {cls_name}")
    opts = getattr(tflite, cls_name)()
    opts.Init(op.options.r.data, op.options.pos)
    padding = opts.Padding()
    if padding not in _PADDINGS:
        raise LwaiError(path, f"{op.label} has unknown padding {padding}")
    act = opts.FusedActivationFunction()
    if act not in _ACTIVATIONS:
        raise LwaiError(path, f"{op.label} has unknown fused activation {act}")
    for field in positive:
        v = getattr(opts, field)()
        if v < 1:
            raise LwaiError(path, f"{op.label} has {_SNAKE[field]} {v}; it must be >= 1")


def _check_flow(path, s, ops: list[_Op], tensors: list[_Tensor], inputs, outputs, codes) -> None:
    producer: dict[int, int] = {}
    graph_inputs = set(inputs)
    for op in ops:
        for t in op.outputs:
            if t in producer:
                raise LwaiError(
                    path,
                    f"{tensors[t].label} is written by both operator {producer[t]} and "
                    f"operator {op.index}",
                )
            if t in graph_inputs:
                raise LwaiError(path, f"{op.label} writes {tensors[t].label}, a graph input")
            if tensors[t].has_data:
                raise LwaiError(path, f"{op.label} writes {tensors[t].label}, a constant")
            producer[t] = op.index
    cycle = _find_cycle(ops, producer)
    if cycle:
        raise LwaiError(
            path,
            "the operators form a cycle: " + " -> ".join(f"operator {i}" for i in cycle),
        )
    for op in ops:
        for t in op.inputs:
            if t == -1 or t in graph_inputs or tensors[t].has_data or tensors[t].is_variable:
                continue
            p = producer.get(t)
            if p is None:
                raise LwaiError(
                    path,
                    f"{op.label} reads {tensors[t].label}, which is not a graph input, not a "
                    "constant and not written by any operator",
                )
            if p > op.index:
                raise LwaiError(
                    path,
                    f"{op.label} reads {tensors[t].label} before operator {p} writes it "
                    "(operators must be stored in execution order)",
                )
    for t in outputs:
        if t not in producer and t not in graph_inputs:
            raise LwaiError(
                path, f"subgraph {s} output {tensors[t].label} is not written by any operator"
            )


def _find_cycle(ops: list[_Op], producer: dict[int, int]) -> list[int] | None:
    """A dependency cycle among operators, as operator indices ending where it starts."""
    deps = [sorted({producer[t] for t in op.inputs if t in producer}) for op in ops]
    state = [0] * len(ops)  # 0 new, 1 on the stack, 2 done
    for root in range(len(ops)):
        if state[root]:
            continue
        stack = [(root, iter(deps[root]))]
        path = [root]
        state[root] = 1
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                state[node] = 2
                stack.pop()
                path.pop()
            elif state[nxt] == 1:
                # path runs from consumers to producers: reversed, it reads in data-flow
                # order; rotated to start at the lowest operator so the message is stable.
                loop = list(reversed(path[path.index(nxt) :]))
                k = loop.index(min(loop))
                loop = loop[k:] + loop[:k]
                return loop + [loop[0]]
            elif state[nxt] == 0:
                state[nxt] = 1
                stack.append((nxt, iter(deps[nxt])))
                path.append(nxt)
    return None


# op -> inputs it needs (present, not -1)
_NEEDED_INPUTS = {
    "CONV_2D": 2,
    "DEPTHWISE_CONV_2D": 2,
    "FULLY_CONNECTED": 2,
    "AVERAGE_POOL_2D": 1,
    "MAX_POOL_2D": 1,
    "ADD": 2,
    "SUB": 2,
    "MUL": 2,
    "RESHAPE": 1,
}


def _check_shapes(path: Path, op: _Op, tensors: list[_Tensor]) -> None:
    """The shape rules of the ops lwai has kernels for, as TFLite's kernels check them."""
    need = _NEEDED_INPUTS.get(op.name)
    if need is None:
        return
    if len(op.inputs) < need or any(t < 0 for t in op.inputs[:need]):
        raise LwaiError(path, f"{op.label} needs {need} input tensors, it has {len(op.inputs)}")
    shapes = [tensors[t].shape if t >= 0 else None for t in op.inputs]
    x = shapes[0]

    def fail(what: str) -> LwaiError:
        return LwaiError(path, f"{op.label}: {what}")

    if op.name in ("ADD", "SUB", "MUL"):
        a, b = shapes[0], shapes[1]
        for da, db in zip(reversed(a), reversed(b)):
            if da != db and 1 not in (da, db):
                raise fail(f"input shapes {list(a)} and {list(b)} do not broadcast")
        return
    if op.name == "RESHAPE":
        out = tensors[op.outputs[0]].shape
        if math.prod(x) != math.prod(out):
            raise fail(f"reshapes {list(x)} ({math.prod(x)} elements) to {list(out)}")
        return
    if op.name == "FULLY_CONNECTED":
        w = shapes[1]
        if len(w) != 2:
            raise fail(f"weights have shape {list(w)}; they must be 2-D [units, depth]")
        if math.prod(x) % w[1]:
            raise fail(f"input shape {list(x)} does not split into rows of depth {w[1]}")
        _check_bias(op, shapes, w[0], fail)
        return
    if len(x) != 4:
        raise fail(f"input has shape {list(x)}; it must be 4-D (NHWC)")
    opts = getattr(tflite, _OPTIONS[op.name][0])()
    opts.Init(op.options.r.data, op.options.pos)
    if op.name in ("AVERAGE_POOL_2D", "MAX_POOL_2D"):
        kh, kw, dh, dw = opts.FilterHeight(), opts.FilterWidth(), 1, 1
    else:
        w = shapes[1]
        if len(w) != 4:
            raise fail(f"filter has shape {list(w)}; it must be 4-D")
        kh, kw = w[1], w[2]
        dh, dw = opts.DilationHFactor(), opts.DilationWFactor()
        if op.name == "CONV_2D" and x[3] % w[3]:
            raise fail(f"input has {x[3]} channels, the filter {list(w)} takes {w[3]}")
        if op.name == "DEPTHWISE_CONV_2D" and w[3] != x[3] * opts.DepthMultiplier():
            raise fail(
                f"filter {list(w)} has {w[3]} channels, not input channels {x[3]} x "
                f"depth_multiplier {opts.DepthMultiplier()}"
            )
        _check_bias(op, shapes, w[0] if op.name == "CONV_2D" else w[3], fail)
    if opts.Padding() == tflite.Padding.VALID:
        for axis, k, d in (("height", kh, dh), ("width", kw, dw)):
            size = x[1] if axis == "height" else x[2]
            if (k - 1) * d + 1 > size:
                raise fail(f"the filter {axis} {k} (dilation {d}) exceeds the input {axis} {size}")


def _check_bias(op: _Op, shapes: list, channels: int, fail) -> None:
    if len(shapes) > 2 and shapes[2] is not None and math.prod(shapes[2]) != channels:
        raise fail(f"bias has shape {list(shapes[2])}; it needs {channels} values")
