"""``model.lwfb``: the neutral graph dict to and from FlatBuffers (runtime/schema/lwai.fbs).

Written with the ``flatbuffers`` package's Builder and read with its Table, without
flatc-generated code: the schema is small and its field numbers are spelled out below.
docs/formats.md describes the format; runtime/src/loaders/flatbuffer.c is the C reader.

The graph dict (what :mod:`lwai.codegen.graph` builds)::

    {"version": 1, "name": str, "arena_bytes": int, "kernels": [str],
     "tensors": [{"name", "dtype", "shape", "quantization": {"scale", "zero_point", "axis"}
                  or None, and "arena_offset": int (activation) or "data": bytes (constant)}],
     "nodes": [{"kernel": str, "inputs", "outputs", "dims", "params": [int],
                "fparams": [float]}],
     "inputs": [int], "outputs": [int]}
"""

from __future__ import annotations

import struct
import zlib

import flatbuffers
from flatbuffers import number_types as N
from flatbuffers.table import Table

from lwai.errors import LwaiError

FILE_IDENTIFIER = b"LWFB"
FORMAT_VERSION = 1
DATA_ALIGN = 16  # Buffer.data (force_align: 16) and the file size

DTYPES = {"int8": 1, "uint8": 2, "int16": 3, "int32": 4, "float32": 5, "int64": 6, "bool": 7}
DTYPES.update(uint32=8, uint64=9)  # signal custom ops (lwai_dtype)
DTYPE_NAMES = {v: k for k, v in DTYPES.items()}
DTYPE_SIZES = {"int8": 1, "uint8": 1, "int16": 2, "int32": 4, "float32": 4, "int64": 8, "bool": 1}
DTYPE_SIZES.update(uint32=4, uint64=8)

# Field numbers (declaration order) of each table in lwai.fbs.
Q_SCALE, Q_ZERO_POINT, Q_AXIS = range(3)
T_NAME, T_DTYPE, T_SHAPE, T_QUANT, T_ARENA_OFFSET, T_BUFFER = range(6)
B_DATA = 0
N_KERNEL, N_INPUTS, N_OUTPUTS, N_DIMS, N_PARAMS, N_FPARAMS = range(6)
(
    M_VERSION,
    M_NAME,
    M_ARENA_BYTES,
    M_KERNELS,
    M_TENSORS,
    M_NODES,
    M_INPUTS,
    M_OUTPUTS,
    M_BUFFERS,
    M_CRC32,
) = range(10)
NUM_FIELDS = {"Quantization": 3, "Tensor": 6, "Buffer": 1, "Node": 6, "Model": 10}


# ---- writing -------------------------------------------------------------------------------


def _int_vector(b: flatbuffers.Builder, values: list[int]) -> int:
    b.StartVector(4, len(values), 4)
    for v in reversed(values):
        b.PrependInt32(int(v))
    return b.EndVector()


def _float_vector(b: flatbuffers.Builder, values: list[float]) -> int:
    b.StartVector(4, len(values), 4)
    for v in reversed(values):
        b.PrependFloat32(float(v))
    return b.EndVector()


def _offset_vector(b: flatbuffers.Builder, offsets: list[int]) -> int:
    b.StartVector(4, len(offsets), 4)
    for off in reversed(offsets):
        b.PrependUOffsetTRelative(off)
    return b.EndVector()


def _data_vector(b: flatbuffers.Builder, data: bytes) -> int:
    """A [ubyte] whose first byte is DATA_ALIGN-aligned from the end (hence the file start)."""
    b.StartVector(1, len(data), DATA_ALIGN)
    b.head -= len(data)
    b.Bytes[b.head : b.head + len(data)] = data
    return b.EndVector()


def _check_graph(graph: dict) -> None:
    kernels = graph["kernels"]
    if len(set(kernels)) != len(kernels):
        raise ValueError(f"duplicate kernel names in {kernels}")
    for i, node in enumerate(graph["nodes"]):
        if node["kernel"] not in kernels:
            raise ValueError(f"node {i}: kernel {node['kernel']!r} is not in graph['kernels']")
    for i, t in enumerate(graph["tensors"]):
        if ("data" in t) == ("arena_offset" in t):
            raise ValueError(f"tensor {i} ({t['name']}): needs exactly one of data, arena_offset")
        if t["dtype"] not in DTYPES:
            raise ValueError(f"tensor {i} ({t['name']}): unknown dtype {t['dtype']!r}")


def to_lwfb(graph: dict) -> bytes:
    """The graph as a model.lwfb file (bytes, size a multiple of 16, CRC-32 sealed)."""
    _check_graph(graph)
    b = flatbuffers.Builder(1024)
    kernel_index = {name: i for i, name in enumerate(graph["kernels"])}

    # Constant data first, at the end of the file: each Buffer.data 16-aligned.
    buffers = []
    buffer_of: dict[int, int] = {}
    for i, t in enumerate(graph["tensors"]):
        if "data" in t:
            data = _data_vector(b, bytes(t["data"]))
            b.StartObject(NUM_FIELDS["Buffer"])
            b.PrependUOffsetTRelativeSlot(B_DATA, data, 0)
            buffer_of[i] = len(buffers)
            buffers.append(b.EndObject())

    tensors = []
    for i, t in enumerate(graph["tensors"]):
        name = b.CreateString(t["name"])
        shape = _int_vector(b, t["shape"])
        quant = 0
        q = t.get("quantization")
        if q is not None:
            scale = _float_vector(b, q["scale"])
            zero_point = _int_vector(b, q["zero_point"])
            b.StartObject(NUM_FIELDS["Quantization"])
            b.PrependUOffsetTRelativeSlot(Q_SCALE, scale, 0)
            b.PrependUOffsetTRelativeSlot(Q_ZERO_POINT, zero_point, 0)
            b.PrependInt32Slot(Q_AXIS, int(q.get("axis", -1)), -1)
            quant = b.EndObject()
        b.StartObject(NUM_FIELDS["Tensor"])
        b.PrependUOffsetTRelativeSlot(T_NAME, name, 0)
        b.PrependUint8Slot(T_DTYPE, DTYPES[t["dtype"]], 1)
        b.PrependUOffsetTRelativeSlot(T_SHAPE, shape, 0)
        if quant:
            b.PrependUOffsetTRelativeSlot(T_QUANT, quant, 0)
        if i in buffer_of:
            b.PrependInt32Slot(T_BUFFER, buffer_of[i], -1)
        else:
            b.PrependInt32Slot(T_ARENA_OFFSET, int(t["arena_offset"]), -1)
        tensors.append(b.EndObject())

    nodes = []
    for node in graph["nodes"]:
        inputs = _int_vector(b, node["inputs"])
        outputs = _int_vector(b, node["outputs"])
        # Empty dims/params/fparams are left out: a reader sees an absent vector as empty.
        dims = _int_vector(b, node["dims"]) if node.get("dims") else 0
        params = _int_vector(b, node["params"]) if node.get("params") else 0
        fparams = _float_vector(b, node["fparams"]) if node.get("fparams") else 0
        b.StartObject(NUM_FIELDS["Node"])
        b.PrependUint32Slot(N_KERNEL, kernel_index[node["kernel"]], 0)
        b.PrependUOffsetTRelativeSlot(N_INPUTS, inputs, 0)
        b.PrependUOffsetTRelativeSlot(N_OUTPUTS, outputs, 0)
        for slot, vec in ((N_DIMS, dims), (N_PARAMS, params), (N_FPARAMS, fparams)):
            if vec:
                b.PrependUOffsetTRelativeSlot(slot, vec, 0)
        nodes.append(b.EndObject())

    name = b.CreateString(graph["name"])
    kernels = _offset_vector(b, [b.CreateString(k) for k in graph["kernels"]])
    tensors_vec = _offset_vector(b, tensors)
    nodes_vec = _offset_vector(b, nodes)
    inputs = _int_vector(b, graph["inputs"])
    outputs = _int_vector(b, graph["outputs"])
    buffers_vec = _offset_vector(b, buffers)

    b.StartObject(NUM_FIELDS["Model"])
    b.PrependUint32Slot(M_VERSION, int(graph.get("version", FORMAT_VERSION)), 0)
    b.PrependUOffsetTRelativeSlot(M_NAME, name, 0)
    b.PrependUint32Slot(M_ARENA_BYTES, int(graph["arena_bytes"]), 0)
    b.PrependUOffsetTRelativeSlot(M_KERNELS, kernels, 0)
    b.PrependUOffsetTRelativeSlot(M_TENSORS, tensors_vec, 0)
    b.PrependUOffsetTRelativeSlot(M_NODES, nodes_vec, 0)
    b.PrependUOffsetTRelativeSlot(M_INPUTS, inputs, 0)
    b.PrependUOffsetTRelativeSlot(M_OUTPUTS, outputs, 0)
    b.PrependUOffsetTRelativeSlot(M_BUFFERS, buffers_vec, 0)
    # The checksum must be present even while it is 0: written by hand, not as a default.
    b.PrependUint32(0)
    b.Slot(M_CRC32)
    root = b.EndObject()
    b.Prep(DATA_ALIGN, 0)  # raises minalign: Finish pads the file to a multiple of 16
    b.Finish(root, file_identifier=FILE_IDENTIFIER)
    return seal(b.Output())


def seal(data: bytes) -> bytes:
    """The file with Model.crc32 set to the CRC-32 of the rest (its own 4 bytes read as 0)."""
    out = bytearray(data)
    crc_at = _crc_position(out, "model.lwfb")
    out[crc_at : crc_at + 4] = bytes(4)
    struct.pack_into("<I", out, crc_at, zlib.crc32(out))
    return bytes(out)


# ---- reading -------------------------------------------------------------------------------


class _Reader:
    """Table access with every offset checked against the buffer (a bad file raises)."""

    def __init__(self, data: bytes, where: str):
        self.data = data
        self.where = where

    def fail(self, what: str) -> LwaiError:
        return LwaiError(self.where, what)

    def u32(self, pos: int) -> int:
        if pos < 0 or pos + 4 > len(self.data):
            raise self.fail(f"offset {pos} is outside the file ({len(self.data)} bytes)")
        return struct.unpack_from("<I", self.data, pos)[0]

    def deref(self, pos: int) -> int:
        """Target of the uoffset stored at pos (a table, vector or string)."""
        target = pos + self.u32(pos)
        if target % 4 or target + 4 > len(self.data):
            raise self.fail(f"offset at {pos} points to {target}, outside the file or misaligned")
        return target

    def table(self, pos: int, kind: str) -> Table:
        vtable = pos - struct.unpack("<i", struct.pack("<I", self.u32(pos)))[0]
        if vtable < 0 or vtable % 2 or vtable + 4 > len(self.data):
            raise self.fail(f"{kind} table at {pos}: vtable at {vtable} is outside the file")
        vsize, tsize = struct.unpack_from("<HH", self.data, vtable)
        if (
            vsize < 4
            or vsize % 2
            or vtable + vsize > len(self.data)
            or pos + tsize > len(self.data)
        ):
            raise self.fail(f"{kind} table at {pos}: bad vtable")
        for slot in range(4, vsize, 2):
            field = struct.unpack_from("<H", self.data, vtable + slot)[0]
            if field and (field < 4 or field >= tsize):
                raise self.fail(f"{kind} table at {pos}: field outside the table")
        return Table(self.data, pos)

    def scalar(self, t: Table, field: int, flags, default):
        off = t.Offset(4 + 2 * field)
        if not off:
            return default
        if t.Pos + off + flags.bytewidth > len(self.data):
            raise self.fail(f"field at {t.Pos + off} runs past the end of the file")
        return t.Get(flags, t.Pos + off)

    def ref(self, t: Table, field: int) -> int | None:
        off = t.Offset(4 + 2 * field)
        return self.deref(t.Pos + off) if off else None

    def vector(self, t: Table, field: int, elem: int) -> tuple[int, int]:
        """(first element position, count); an absent vector is empty."""
        at = self.ref(t, field)
        if at is None:
            return 0, 0
        count = self.u32(at)
        if at + 4 + count * elem > len(self.data):
            raise self.fail(f"vector at {at} ({count} elements) runs past the end of the file")
        return at + 4, count

    def ints(self, t: Table, field: int, fmt: str = "i") -> list:
        at, count = self.vector(t, field, 4)
        return list(struct.unpack_from(f"<{count}{fmt}", self.data, at)) if count else []

    def string_at(self, at: int) -> str:
        count = self.u32(at)
        end = at + 4 + count
        if end >= len(self.data) or self.data[end] != 0:
            raise self.fail(f"string at {at} is not terminated inside the file")
        try:
            return self.data[at + 4 : end].decode("utf-8")
        except UnicodeDecodeError as e:
            raise self.fail(f"string at {at} is not UTF-8") from e

    def string(self, t: Table, field: int) -> str:
        at = self.ref(t, field)
        return "" if at is None else self.string_at(at)

    def tables(self, t: Table, field: int, kind: str) -> list[Table]:
        at, count = self.vector(t, field, 4)
        return [self.table(self.deref(at + 4 * i), kind) for i in range(count)]


def _crc_position(data: bytes | bytearray, where: str) -> int:
    """Position of Model.crc32 in the file; LwaiError when the file has none."""
    r = _Reader(bytes(data), where)
    model = r.table(r.deref(0), "Model")
    off = model.Offset(4 + 2 * M_CRC32)
    if not off or model.Pos + off + 4 > len(data):
        raise r.fail("the file has no CRC-32 (Model.crc32 is missing)")
    return model.Pos + off


def from_lwfb(data: bytes, where: str = "model.lwfb") -> dict:
    """The graph dict of a model.lwfb file; LwaiError(where, ...) when it is not a valid one."""
    data = bytes(data)
    r = _Reader(data, where)
    if len(data) < 16:
        raise r.fail(f"too short for a model.lwfb file ({len(data)} bytes)")
    if data[4:8] != FILE_IDENTIFIER:
        raise r.fail(
            f"not an lwai model file: identifier {data[4:8]!r}, expected {FILE_IDENTIFIER!r}"
        )
    try:
        crc_at = _crc_position(data, where)
    except LwaiError as e:
        raise r.fail(f"the file is truncated or corrupted ({e.what})") from None
    stored = struct.unpack_from("<I", data, crc_at)[0]
    actual = zlib.crc32(data[:crc_at] + b"\0\0\0\0" + data[crc_at + 4 :])
    if stored != actual:
        raise r.fail(
            f"the file is truncated or corrupted: CRC-32 0x{actual:08x}, "
            f"expected 0x{stored:08x} (stored)"
        )

    model = r.table(r.deref(0), "Model")
    version = r.scalar(model, M_VERSION, N.Uint32Flags, 0)
    if version != FORMAT_VERSION:
        raise r.fail(f"format version {version}; this lwai reads version {FORMAT_VERSION}")

    kernels_at, num_kernels = r.vector(model, M_KERNELS, 4)
    kernels = [r.string_at(r.deref(kernels_at + 4 * i)) for i in range(num_kernels)]
    buffers = []
    for i, buf in enumerate(r.tables(model, M_BUFFERS, "Buffer")):
        at, count = r.vector(buf, B_DATA, 1)
        if at % DATA_ALIGN:
            raise r.fail(f"buffer {i}: data at {at} is not {DATA_ALIGN}-byte aligned")
        buffers.append(data[at : at + count])

    tensors = []
    for i, t in enumerate(r.tables(model, M_TENSORS, "Tensor")):
        dtype = r.scalar(t, T_DTYPE, N.Uint8Flags, 1)
        if dtype not in DTYPE_NAMES:
            raise r.fail(f"tensor {i}: unknown dtype {dtype}")
        tensor: dict = {
            "name": r.string(t, T_NAME),
            "dtype": DTYPE_NAMES[dtype],
            "shape": r.ints(t, T_SHAPE),
            "quantization": None,
        }
        q_at = r.ref(t, T_QUANT)
        if q_at is not None:
            q = r.table(q_at, "Quantization")
            tensor["quantization"] = {
                "scale": r.ints(q, Q_SCALE, "f"),
                "zero_point": r.ints(q, Q_ZERO_POINT),
                "axis": r.scalar(q, Q_AXIS, N.Int32Flags, -1),
            }
        arena_offset = r.scalar(t, T_ARENA_OFFSET, N.Int32Flags, -1)
        buffer = r.scalar(t, T_BUFFER, N.Int32Flags, -1)
        if buffer == -1 and arena_offset >= 0:
            tensor["arena_offset"] = arena_offset
        elif arena_offset == -1 and 0 <= buffer < len(buffers):
            tensor["data"] = buffers[buffer]
        else:
            raise r.fail(
                f"tensor {i} ({tensor['name']}): needs an arena offset or a buffer "
                f"(arena_offset {arena_offset}, buffer {buffer} of {len(buffers)})"
            )
        tensors.append(tensor)

    nodes = []
    for i, n in enumerate(r.tables(model, M_NODES, "Node")):
        kernel = r.scalar(n, N_KERNEL, N.Uint32Flags, 0)
        if kernel >= len(kernels):
            raise r.fail(f"node {i}: kernel index {kernel} out of range ({len(kernels)} kernels)")
        nodes.append(
            {
                "kernel": kernels[kernel],
                "inputs": r.ints(n, N_INPUTS),
                "outputs": r.ints(n, N_OUTPUTS),
                "dims": r.ints(n, N_DIMS),
                "params": r.ints(n, N_PARAMS),
                "fparams": r.ints(n, N_FPARAMS, "f"),
            }
        )

    return {
        "version": version,
        "name": r.string(model, M_NAME),
        "arena_bytes": r.scalar(model, M_ARENA_BYTES, N.Uint32Flags, 0),
        "kernels": kernels,
        "tensors": tensors,
        "nodes": nodes,
        "inputs": r.ints(model, M_INPUTS),
        "outputs": r.ints(model, M_OUTPUTS),
    }
