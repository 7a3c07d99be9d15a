"""Rewrites of a TFLite flatbuffer that keep everything they do not change byte for byte.

- :func:`rewrite` builds new Model, SubGraph, Tensor and OperatorCode tables and re-points
  everything else at the original file's objects (lwai/frontend/decode_ops.py replaces
  decoded tensors' buffers and drops the DECODE operators with it).
- :func:`canonical_opcodes`: TFLite reads an operator's code as
  ``max(builtin_code, deprecated_builtin_code)``, but the ``tflite`` package's
  ``BuiltinCode()`` (which TVM's importer and lwai call) answers the 8-bit deprecated field
  for every code below 127. A file that leaves that field 0 (ADD) and writes only
  ``builtin_code`` -- TFLM's model compressor does -- would import every such operator as
  ADD, silently. Such codes get the deprecated field set, as TFLite's converter writes it.
"""

from __future__ import annotations

from pathlib import Path

import flatbuffers
import tflite

# Field kinds of the tables rewritten, by field id (tensorflow/lite/schema/schema.fbs):
# "o" an offset (a vector, string or table, shared with the original file), else a
# struct format of the scalar.
_MODEL = ("<I", "o", "o", "o", "o", "o", "o", "o")
_SUBGRAPH = ("o", "o", "o", "o", "o", "<i")
_TENSOR = ("o", "<b", "<I", "o", "o", "<B", "o", "o", "<B", "o")


def rewrite(
    data: bytes,
    model,
    decoded: list[dict[int, int]],
    dropped: list[set[int]],
    new_buffers: list[bytes],
    opcodes: dict[int, int] | None = None,
) -> bytes:
    """A new flatbuffer whose Model, SubGraph and decoded Tensor tables are new and whose
    other tables, vectors and strings are the original file's, appended unchanged
    (flatbuffer offsets point forward, so the new tables go in front). Per subgraph,
    ``decoded`` maps tensor index -> new buffer index (``new_buffers`` are appended to the
    buffers) and ``dropped`` holds operator indices to leave out; ``opcodes`` maps operator
    code index -> the deprecated_builtin_code to write."""
    b = flatbuffers.Builder(len(data) + 1024 + sum(len(x) + 64 for x in new_buffers))
    b.ForceDefaults(True)  # a field present in the original stays present
    b.Prep(16, len(data))
    b.head -= len(data)
    b.Bytes[b.head : b.head + len(data)] = data
    base = b.Offset()

    def orig(pos: int) -> int:  # builder offset of the original file's position
        return base - pos

    def target(tab, field: int) -> int | None:
        o = tab.Offset(4 + 2 * field)
        if not o:
            return None
        p = tab.Pos + o
        return orig(p + int.from_bytes(data[p : p + 4], "little"))

    def copy_table(tab, kinds, replace: dict[int, int] | None = None) -> int:
        """A copy of table ``tab``: offsets re-pointed at the original objects, except the
        fields in ``replace`` (field id -> new offset or scalar)."""
        replace = replace or {}
        b.StartObject(len(kinds))
        for field, kind in enumerate(kinds):
            o = tab.Offset(4 + 2 * field)
            if field in replace:
                value = replace[field]
            elif not o:
                continue
            elif kind == "o":
                value = target(tab, field)
            else:
                value = tab.Get(_FB_TYPES[kind], tab.Pos + o)
            if kind == "o":
                b.PrependUOffsetTRelativeSlot(field, value, 0)
            else:
                getattr(b, _PREPEND[kind])(field, value, 0)
        return b.EndObject()

    def vector(offsets: list[int]) -> int:
        b.StartVector(4, len(offsets), 4)
        for off in reversed(offsets):
            b.PrependUOffsetTRelative(off)
        return b.EndVector()

    def elements(tab, field: int) -> list[int]:
        """Original positions (as builder offsets) of a vector-of-tables field's elements."""
        o = tab.Offset(4 + 2 * field)
        if not o:
            return []
        start, n = tab.Vector(o), tab.VectorLen(o)
        out = []
        for j in range(n):
            p = start + 4 * j
            out.append(orig(p + int.from_bytes(data[p : p + 4], "little")))
        return out

    buffer_tables = []
    for raw in new_buffers:
        b.StartVector(1, len(raw), 16)
        b.head -= len(raw)
        b.Bytes[b.head : b.head + len(raw)] = raw
        vec = b.EndVector()
        b.StartObject(3)
        b.PrependUOffsetTRelativeSlot(0, vec, 0)
        buffer_tables.append(b.EndObject())
    buffers = vector(elements(model._tab, 4) + buffer_tables)

    subgraphs = []
    for s in range(model.SubgraphsLength()):
        sg = model.Subgraphs(s)
        tensors = elements(sg._tab, 0)
        for t, buf in decoded[s].items():
            tensors[t] = copy_table(sg.Tensors(t)._tab, _TENSOR, {2: buf})
        ops = [off for o, off in enumerate(elements(sg._tab, 3)) if o not in dropped[s]]
        tv, ov = vector(tensors), vector(ops)
        subgraphs.append(copy_table(sg._tab, _SUBGRAPH, {0: tv, 3: ov}))
    sgv = vector(subgraphs)
    replace = {2: sgv, 4: buffers}
    if opcodes:
        codes = elements(model._tab, 1)
        for i, dep in opcodes.items():
            codes[i] = copy_table(model.OperatorCodes(i)._tab, _OPCODE, {0: dep})
        replace[1] = vector(codes)
    root = copy_table(model._tab, _MODEL, replace)
    b.Finish(root, file_identifier=b"TFL3")
    return bytes(b.Output())


_FB_TYPES = {
    "<I": flatbuffers.number_types.Uint32Flags,
    "<i": flatbuffers.number_types.Int32Flags,
    "<b": flatbuffers.number_types.Int8Flags,
    "<B": flatbuffers.number_types.Uint8Flags,
}
_PREPEND = {
    "<I": "PrependUint32Slot",
    "<i": "PrependInt32Slot",
    "<b": "PrependInt8Slot",
    "<B": "PrependUint8Slot",
}


_OPCODE = ("<b", "o", "<i", "<i")
# Codes from 127 on live in builtin_code only (the deprecated field holds 127 for them).
_PLACEHOLDER = tflite.BuiltinOperator.PLACEHOLDER_FOR_GREATER_OP_CODES


def _raw_builtin(code) -> int:
    o = code._tab.Offset(10)
    return int(code._tab.Get(flatbuffers.number_types.Int32Flags, code._tab.Pos + o)) if o else 0


def canonical_opcodes(path: Path, data: bytes) -> bytes:
    """``data``, or a copy whose operator codes every reader takes the same way."""
    from lwai.frontend.validate_tflite import validate_tflite

    validate_tflite(path, data)  # bounds first: the reads below trust the tables
    model = tflite.Model.GetRootAsModel(data, 0)
    fix: dict[int, int] = {}
    for i in range(model.OperatorCodesLength()):
        code = model.OperatorCodes(i)
        raw, dep = _raw_builtin(code), int(code.DeprecatedBuiltinCode())
        if dep < raw < _PLACEHOLDER:
            fix[i] = raw
    if not fix:
        return data
    n = model.SubgraphsLength()
    return rewrite(data, model, [{}] * n, [set()] * n, [], opcodes=fix)
