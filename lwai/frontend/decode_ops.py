"""TFLM's ``TFLM_DECODE`` custom op (model compression), decoded at compile time.

A compressed model stores a constant as an encoded tensor plus an ancillary data tensor; a
DECODE operator turns each (encoded, ancillary) input pair ``2i, 2i+1`` into its output
``i`` before the ops that read it. TFLM requires both inputs to be constants, so lwai, which
compiles ahead of time, decodes them here with numpy and the decoded tensor becomes a plain
constant of the model (exact by construction): :func:`expand` rewrites the flatbuffer before
anything else reads it, and the rest of lwai sees an ordinary model.

The ancillary data starts with the 16-byte DECODE Common Metadata (DCM): byte 0 the decode
type, byte 1 the DCM version (1), bytes 4.. the type's own header; its data follows at 16.
What lwai reads, as TFLM's reference kernels (kernels/decode_state_*.cc) read it:

- LUT (type 0): byte 4 LUT version (1), byte 5 bits 2-0 the index bit width (1-7; TFLM
  ignores bits 7-4), byte 6 the value-table stride (entries per channel). The encoded tensor
  is the indices, ``bit width`` bits each, most significant bit first. Output dtypes bool,
  float32, int8, int16, int32, int64; the tables hold values of that dtype.
- Prune (type 2): byte 4 version (1). The encoded tensor is one bit per element (MSB
  first): 1 takes the next value of the table at byte 16, 0 the zero point.
- Huffman (type 1): byte 4 version (1), byte 5 bit 0 set for 32-bit table entries (else
  16-bit, int8 output only), bits 7-4 ``log2(first table size) - 1``. The encoded tensor is
  a bit string read in big-endian 32-bit words; each entry of the table at byte 16 either
  holds a symbol (top bit set; bits 14-11 / 30-27 the bits of the current lookup the code
  used) or points to a sub-table (those bits + 1: how many bits to read next; the low bits:
  the sub-table's distance from the entry).

Channels (LUT tables, prune zero points) come from the output tensor's quantization, as in
TFLM: ``n`` scales on the last axis (n > 1) interleave the channels element by element,
otherwise axis 0 splits the tensor into ``n`` consecutive blocks; any other axis TFLM
refuses. Anything else -- a DECODE input that is not a constant, an unknown type or version,
tables or encoded data shorter than the decode reads, an index past its channel's table, a
count of elements the channels do not divide -- is refused with the operator, tensor and
problem named: the bytes are untrusted.
"""

from __future__ import annotations

from pathlib import Path

import flatbuffers
import numpy as np
import tflite
from tflite.BuiltinOperator import BuiltinOperator

from lwai.errors import LwaiError
from lwai.frontend.tflite_rewrite import rewrite

CUSTOM_NAME = "TFLM_DECODE"
DCM_SIZE = 16
LUT, HUFFMAN, PRUNE = 0, 1, 2
_TYPE_NAMES = {LUT: "LUT", HUFFMAN: "Huffman", PRUNE: "prune"}
# Output TensorType -> numpy dtype (little-endian, as the flatbuffer stores values).
_DTYPES = {
    tflite.TensorType.BOOL: np.dtype("u1"),  # raw bytes, checked to be 0 or 1
    tflite.TensorType.FLOAT32: np.dtype("<u4"),  # the bits, copied as TFLM copies them
    tflite.TensorType.INT8: np.dtype("i1"),
    tflite.TensorType.INT16: np.dtype("<i2"),
    tflite.TensorType.INT32: np.dtype("<i4"),
    tflite.TensorType.INT64: np.dtype("<i8"),
}
_TYPE_LABEL = {v: k.lower() for k, v in vars(tflite.TensorType).items() if not k.startswith("_")}


class DecodeError(Exception):
    """A problem with one (encoded, ancillary) pair; :func:`expand` names the op and tensor."""


def _has_decode(model) -> bool:
    for i in range(model.OperatorCodesLength()):
        if _is_decode_code(model.OperatorCodes(i)):
            return True
    return False


def _is_decode_code(code) -> bool:
    # TFLM takes max(builtin_code, deprecated_builtin_code) (schema_utils GetBuiltinCode).
    # TFLM's own compressor writes DECODE's code as builtin_code 32 with the deprecated
    # field 0, and the tflite package's BuiltinCode() answers the deprecated field for codes
    # below 127: read the raw field.
    o = code._tab.Offset(10)
    raw = code._tab.Get(flatbuffers.number_types.Int32Flags, code._tab.Pos + o) if o else 0
    builtin = max(int(raw), int(code.DeprecatedBuiltinCode()))
    return builtin == BuiltinOperator.CUSTOM and (code.CustomCode() or b"") == CUSTOM_NAME.encode()


# ---- the decoders --------------------------------------------------------------------------


class _Out:
    """What a decoder needs of the output tensor."""

    def __init__(self, tensor):
        self.shape = tuple(int(d) for d in tensor.ShapeAsNumpy()) if tensor.ShapeLength() else ()
        self.count = int(np.prod(self.shape, dtype=np.int64))
        self.type = int(tensor.Type())
        self.scales = 0
        self.zero_points: list[int] = []
        self.axis = 0
        q = tensor.Quantization()
        if q is not None and q.ScaleLength() > 0:
            self.scales = int(q.ScaleLength())
            self.zero_points = [int(z) for z in q.ZeroPointAsNumpy()] if q.ZeroPointLength() else []
            self.axis = int(q.QuantizedDimension())


def _channels(out: _Out) -> tuple[int, bool]:
    """(channel count, interleaved) as TFLM derives them from the output's quantization."""
    if out.scales == 0:
        return 1, False
    rank = len(out.shape)
    if out.axis == rank - 1 and out.scales > 1:
        interleaved = True
    elif out.axis != 0:
        raise DecodeError(
            f"the output's quantization axis {out.axis} is neither 0 nor the last axis "
            "(TFLM decodes channels on those only)"
        )
    else:
        interleaved = False
    if out.count % out.scales:
        raise DecodeError(
            f"the output's {out.count} elements do not split into its {out.scales} "
            "quantization channels"
        )
    return out.scales, interleaved


def _channel_of(out: _Out, n: int, interleaved: bool) -> np.ndarray:
    i = np.arange(out.count, dtype=np.int64)
    return i % n if interleaved else i // (out.count // n)


def _need(data: bytes, nbytes: int, what: str) -> None:
    if len(data) < nbytes:
        raise DecodeError(f"{what} needs {nbytes} bytes, the tensor has {len(data)}")


def _check_bool(values: np.ndarray, out: _Out) -> None:
    if out.type == tflite.TensorType.BOOL and values.size and int(values.max()) > 1:
        raise DecodeError("a bool value table holds a byte other than 0 or 1")


def _decode_lut(enc: bytes, anc: bytes, out: _Out, dt: np.dtype) -> np.ndarray:
    if anc[4] != 1:
        raise DecodeError(f"LUT version {anc[4]} (lwai reads version 1)")
    bits = anc[5] & 0x07
    if bits == 0:
        raise DecodeError("LUT index bit width 0 (valid: 1 to 7)")
    stride = anc[6]
    n, interleaved = _channels(out)
    _need(enc, (out.count * bits + 7) // 8, f"{out.count} indices of {bits} bits")
    table_bytes = n * stride * dt.itemsize
    _need(anc, DCM_SIZE + table_bytes, f"{n} value table(s) of {stride} {_TYPE_LABEL[out.type]}")
    table = np.frombuffer(anc, dt, n * stride, DCM_SIZE)
    raw = np.unpackbits(np.frombuffer(enc, np.uint8))[: out.count * bits].reshape(-1, bits)
    idx = raw.astype(np.int64) @ (1 << np.arange(bits - 1, -1, -1, dtype=np.int64))
    if idx.size and int(idx.max()) >= stride:
        raise DecodeError(f"a LUT index {int(idx.max())} is past the value table stride {stride}")
    values = table[_channel_of(out, n, interleaved) * stride + idx]
    _check_bool(values, out)
    return values


def _decode_prune(enc: bytes, anc: bytes, out: _Out, dt: np.dtype) -> np.ndarray:
    if anc[4] != 1:
        raise DecodeError(f"prune version {anc[4]} (lwai reads version 1)")
    n, interleaved = _channels(out)
    zps = out.zero_points
    if out.scales and len(zps) != out.scales:
        raise DecodeError(f"the output has {out.scales} scales but {len(zps)} zero points")
    if out.type != tflite.TensorType.INT8 and any(zps):
        raise DecodeError("a pruned non-int8 output needs zero points of 0 (TFLM requires it)")
    _need(enc, (out.count + 7) // 8, f"the {out.count}-bit keep mask")
    keep = np.unpackbits(np.frombuffer(enc, np.uint8))[: out.count].astype(bool)
    kept = int(keep.sum())
    _need(anc, DCM_SIZE + kept * dt.itemsize, f"{kept} kept {_TYPE_LABEL[out.type]} values")
    values = np.frombuffer(anc, dt, kept, DCM_SIZE)
    _check_bool(values, out)
    if n > 1 and any(zps):  # int8 per-channel zero points
        fill = np.asarray(zps, np.int64)[_channel_of(out, n, interleaved)]
    else:
        fill = np.full(out.count, np.int8(zps[0]) if zps else 0, np.int64)
    res = fill.astype(dt)  # float32 (as bits): zero points are 0, +0.0
    res[keep] = values
    return res


def _decode_huffman(enc: bytes, anc: bytes, out: _Out, dt: np.dtype) -> np.ndarray:
    if anc[4] != 1:
        raise DecodeError(f"Huffman version {anc[4]} (lwai reads version 1)")
    wide = bool(anc[5] & 0x01)
    first_bits = (anc[5] >> 4) + 1
    if out.type not in (tflite.TensorType.INT8, tflite.TensorType.INT16):
        raise DecodeError(f"Huffman decodes int8 and int16 outputs, not {_TYPE_LABEL[out.type]}")
    if not wide and out.type != tflite.TensorType.INT8:
        raise DecodeError("Huffman 16-bit tables decode int8 outputs only")
    esize = 4 if wide else 2
    table = np.frombuffer(anc, "<u4" if wide else "<u2", (len(anc) - DCM_SIZE) // esize, DCM_SIZE)
    table = table.tolist()
    found = 1 << (esize * 8 - 1)
    cshift = 27 if wide else 11
    vmask = (1 << cshift) - 1
    nbits = (len(enc) // 4) * 4 * 8  # TFLM reads whole 32-bit words
    stream = int.from_bytes(enc[: nbits // 8], "big") if nbits else 0
    pos = 0
    res = np.empty(out.count, np.int64)
    mask = 0xFF if out.type == tflite.TensorType.INT8 else 0xFFFF

    def take(count: int) -> int:
        nonlocal pos
        if pos + count > nbits:
            raise DecodeError(f"the Huffman bit string ends early ({len(enc)} bytes)")
        v = (stream >> (nbits - pos - count)) & ((1 << count) - 1)
        pos += count
        return v

    for k in range(out.count):
        used = first_bits
        off = take(used)
        while True:
            if off >= len(table):
                raise DecodeError(f"a Huffman code reads table entry {off} of {len(table)}")
            entry = table[off]
            if entry & found:
                break
            used = ((entry >> cshift) & 0x0F) + 1
            off += (entry & vmask) + take(used)
        residual = (entry >> cshift) & 0x0F
        if used > residual:
            pos -= used - residual
        res[k] = entry & mask
    half = (mask + 1) // 2
    return np.where(res >= half, res - (mask + 1), res).astype(dt)


_DECODERS = {LUT: _decode_lut, PRUNE: _decode_prune, HUFFMAN: _decode_huffman}


def decode(encoded: bytes, ancillary: bytes, tensor) -> np.ndarray:
    """The decoded values of output ``tensor`` (a tflite.Tensor), shaped; DecodeError if the
    pair is one lwai cannot decode exactly as TFLM does."""
    if len(ancillary) < DCM_SIZE:
        raise DecodeError(
            f"the ancillary data is {len(ancillary)} bytes, shorter than the {DCM_SIZE}-byte "
            "DCM header"
        )
    kind, version = ancillary[0], ancillary[1]
    if version != 1:
        raise DecodeError(f"DCM version {version} (lwai reads version 1)")
    if kind not in _DECODERS:
        what = "a custom decode type" if kind >= 128 else "an unknown decode type"
        raise DecodeError(f"{what} {kind} (lwai decodes LUT 0, Huffman 1 and prune 2)")
    out = _Out(tensor)
    dt = _DTYPES.get(out.type)
    if dt is None:
        raise DecodeError(
            f"{_TYPE_NAMES[kind]} decoding to {_TYPE_LABEL.get(out.type, out.type)} "
            "(TFLM decodes bool, float32, int8, int16, int32, int64)"
        )
    values = _DECODERS[kind](bytes(encoded), bytes(ancillary), out, dt)
    if out.type == tflite.TensorType.BOOL:
        values = values.astype(bool)
    elif out.type == tflite.TensorType.FLOAT32:
        values = values.view("<f4")
    return values.reshape(out.shape)


# ---- the rewrite ---------------------------------------------------------------------------


def expand(path: Path, data: bytes) -> bytes:
    """``data`` with every TFLM_DECODE op replaced by its decoded constants (``data`` itself
    when the model has none)."""
    if CUSTOM_NAME.encode() not in data:
        return data
    from lwai.frontend.validate_tflite import validate_tflite

    validate_tflite(path, data)  # bounds first: the reads below trust the tables
    model = tflite.Model.GetRootAsModel(data, 0)
    if not _has_decode(model):
        return data
    new_buffers: list[bytes] = []
    # per subgraph: {tensor index: new buffer index}, the DECODE operator indices
    decoded: list[dict[int, int]] = []
    dropped: list[set[int]] = []
    n_buffers = model.BuffersLength()
    for s in range(model.SubgraphsLength()):
        sg = model.Subgraphs(s)
        decoded.append({})
        dropped.append(set())
        graph_inputs = {int(i) for i in sg.InputsAsNumpy()} if sg.InputsLength() else set()
        for o in range(sg.OperatorsLength()):
            op = sg.Operators(o)
            if not _is_decode_code(model.OperatorCodes(op.OpcodeIndex())):
                continue
            where = f"{CUSTOM_NAME} (operator {o}{f' of subgraph {s}' if s else ''})"
            ins = [int(i) for i in op.InputsAsNumpy()] if op.InputsLength() else []
            outs = [int(i) for i in op.OutputsAsNumpy()] if op.OutputsLength() else []
            if not outs or len(ins) != 2 * len(outs):
                raise LwaiError(
                    path,
                    f"{where} has {len(ins)} inputs and {len(outs)} outputs; it takes an "
                    "(encoded, ancillary) input pair per output",
                )
            for k, t_out in enumerate(outs):
                tensor = sg.Tensors(t_out)
                name = _name(tensor, t_out)
                pair = []
                for role, t_in in (("encoded", ins[2 * k]), ("ancillary", ins[2 * k + 1])):
                    raw = _constant(model, sg, t_in)
                    if raw is None:
                        what = f"'{_name(sg.Tensors(t_in), t_in)}'" if t_in >= 0 else "(none)"
                        raise LwaiError(
                            path,
                            f"{where}: its {role} input {what} for output '{name}' is not a "
                            "constant (TFLM decodes constants only)",
                        )
                    pair.append(raw)
                if t_out in graph_inputs or _constant(model, sg, t_out) is not None:
                    raise LwaiError(path, f"{where}: output '{name}' is a graph input or constant")
                if t_out in decoded[s]:
                    raise LwaiError(path, f"{where}: output '{name}' is decoded twice")
                try:
                    values = decode(pair[0], pair[1], tensor)
                except DecodeError as err:
                    raise LwaiError(path, f"{where}, output '{name}': {err}") from None
                decoded[s][t_out] = n_buffers + len(new_buffers)
                new_buffers.append(values.tobytes())
            dropped[s].add(o)
    return rewrite(data, model, decoded, dropped, new_buffers)


def _name(tensor, index: int) -> str:
    raw = tensor.Name() or b""
    text = "".join(c if c.isprintable() else "?" for c in raw.decode(errors="replace"))
    return (text[:57] + "...") if len(text) > 60 else (text or f"#{index}")


def _constant(model, sg, index: int) -> bytes | None:
    if not 0 <= index < sg.TensorsLength():
        return None
    b = sg.Tensors(index).Buffer()
    if not 0 < b < model.BuffersLength():
        return None
    buf = model.Buffers(b)
    return buf.DataAsNumpy().tobytes() if buf.DataLength() > 0 else None
