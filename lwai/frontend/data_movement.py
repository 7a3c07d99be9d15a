"""Data movement TFLite ops on lwai's own kernels, including the multi-output ones.

SPLIT, SPLIT_V and UNPACK (every dtype: their several outputs are a tuple TVM's lowering
and lwai's scheduler would otherwise have to carry) and, for quantized (int8/int16/uint8)
tensors, the builtins TVM's importer refuses quantized: EXPAND_DIMS (lwai's reshape),
PACK, BATCH_TO_SPACE_ND, SPACE_TO_BATCH_ND, MIRROR_PAD, REVERSE_V2, BROADCAST_TO,
GATHER_ND, RESIZE_NEAREST_NEIGHBOR, EMBEDDING_LOOKUP (int8 table -> int8). Float ones of
those stay with TVM (its float code is exact for pure movement).

DYNAMIC_UPDATE_SLICE int8/int16 (TVM has no converter; float32/int32 are
lwai/frontend/shape_ops.py's): TFLite Micro's kernel copies the raw values -- the operand,
then the update at start indices (int32 or int64, run time) clamped into
[0, dim - update_dim] -- and checks no quantization: the update keeps its integers even when
its scale or zero point differ from the operand's or output's. lwai computes the same with
shape_ops.update_slice's Relax (take / where on the integers: exact TVM C, which
lwai.passes.exactness admits as element moves), no kernel.

Each converter reads the op from the TFLite tensors into an OpDesc and binds it with
:func:`lwai.frontend.stateful.direct_call`; a multi-output op gets ``OpDesc.extra_outputs``
and its call returns a tuple. The kernels (kernels/reference/<kind>.c,
lwai/kernels.h) only move elements, so each serves every dtype of its element size
(``elem_bytes``). Output quantization equals the input's for these builtins (TFLite's
converter keeps it; a model that does not is refused, since moving bytes cannot
requantize).

Multi-output design: docs/formats.md ("variadic") and /work/notes/multi_output.md.
"""

from __future__ import annotations

import numpy as np

from lwai.errors import LwaiError
from lwai.ops import OpDesc, TensorDesc

SPLITS = ("SPLIT", "SPLIT_V", "UNPACK")
QUANTIZED_ONLY = (
    "EXPAND_DIMS",
    "PACK",
    "BATCH_TO_SPACE_ND",
    "SPACE_TO_BATCH_ND",
    "MIRROR_PAD",
    "REVERSE_V2",
    "BROADCAST_TO",
    "GATHER_ND",
    "RESIZE_NEAREST_NEIGHBOR",
    "EMBEDDING_LOOKUP",
    "DYNAMIC_UPDATE_SLICE",  # int8/int16 (TVM C on the integers, no kernel): module docstring
)
BUILTINS = SPLITS + QUANTIZED_ONLY
KINDS = frozenset(
    {
        "split",
        "pack",
        "reverse",
        "broadcast_to",
        "mirror_pad",
        "batch_to_space",
        "space_to_batch",
        "resize_nearest",
        "gather_nd",
    }
)
ELEM_BYTES = {"int8": 1, "int16": 2, "int32": 4, "float32": 4, "uint8": 1}
_QUANTIZED = ("int8", "int16")
# dtypes whose QUANTIZED_ONLY builtins go to lwai's kernels: uint8 too (TFLM's REVERSE_V2 and
# BROADCAST_TO take it; TVM's importer flips one axis only)
_KERNEL_QUANTIZED = (*_QUANTIZED, "uint8")


def _options(op, cls):
    raw = op.BuiltinOptions()
    if raw is None:
        return None
    o = cls()
    o.Init(raw.Bytes, raw.Pos)
    return o


def _const(conv, index: int, what: str) -> np.ndarray:
    from lwai.frontend.stateful import tensor_desc

    t = tensor_desc(conv.model, conv.subgraph, index)
    if t.data is None:
        raise LwaiError("model", f"{what} must be a constant tensor")
    return np.asarray(t.data).astype(np.int64)


def _bind(conv, desc: OpDesc, indices: list[int]):
    """direct_call with the TFLite indices of desc's non-constant inputs (in desc order)."""
    from lwai.codegen.kernels import unsupported_reason
    from lwai.frontend.stateful import direct_call

    reason = unsupported_reason(desc)
    if reason is not None:  # TVM cannot take these either (refused quantized, or tuples)
        raise LwaiError("model", f"{desc.name} ({desc.dtype}) has no lwai kernel: {reason}")
    acts = [i for t, i in zip(desc.inputs, indices) if not t.is_const]
    return direct_call(conv, desc, acts)


def convert(conv, op, builtin: str):
    """The Relax expression of a data movement op on lwai's kernel, or None to leave it to
    TVM (float tensors of the quantized-only builtins, dtypes lwai's kernels do not move)."""
    from tflite.TensorType import TensorType

    from lwai.frontend.stateful import tensor_desc

    model, sg = conv.model, conv.subgraph
    ins = [int(i) for i in op.InputsAsNumpy()]
    outs = [int(i) for i in op.OutputsAsNumpy()]
    movable = (
        TensorType.INT8,
        TensorType.INT16,
        TensorType.INT32,
        TensorType.FLOAT32,
        TensorType.UINT8,
    )
    data_in = {"SPLIT": 1, "EMBEDDING_LOOKUP": 1}.get(builtin, 0)
    if len(ins) <= data_in or not outs:
        return None  # malformed: TVM's importer reports it
    if builtin == "DYNAMIC_UPDATE_SLICE":
        return _dynamic_update_slice(conv, op, ins, outs)
    if builtin == "EMBEDDING_LOOKUP" and len(ins) == 2 and len(outs) == 1:
        hybrid = (sg.Tensors(ins[1]).Type(), sg.Tensors(outs[0]).Type())
        if hybrid == (TensorType.INT8, TensorType.FLOAT32):
            return _embedding_hybrid(conv, ins, outs)
    if builtin == "PACK":
        types = {sg.Tensors(i).Type() for i in ins + outs}
    else:
        types = {sg.Tensors(ins[data_in]).Type()} | {sg.Tensors(o).Type() for o in outs}
    if len(types) != 1 or next(iter(types)) not in movable:
        return None
    dtype = tensor_desc(model, sg, outs[0]).dtype
    if builtin in QUANTIZED_ONLY and dtype not in _KERNEL_QUANTIZED:
        return None
    t = [tensor_desc(model, sg, i) if i >= 0 else None for i in ins]
    o = [tensor_desc(model, sg, i) for i in outs]
    name = f"{builtin} '{o[0].name}'"

    if builtin in SPLITS:
        return _split(conv, op, builtin, ins, t, o, name)
    if builtin == "EXPAND_DIMS":  # same bytes, one more dim: lwai's reshape (aliased)
        return _bind(conv, OpDesc("reshape", [t[0]], o[0], {}, name=name), [ins[0]])
    if builtin == "PACK":
        from tflite.PackOptions import PackOptions

        opts = _options(op, PackOptions)
        axis = int(opts.Axis()) if opts is not None else 0
        rank = len(o[0].shape)
        desc = OpDesc("pack", list(t), o[0], {"axis": axis % rank if rank else 0}, name=name)
        return _bind(conv, desc, ins)
    if builtin == "REVERSE_V2":
        axes = [int(a) for a in _const(conv, ins[1], f"{name}: the axis").reshape(-1)]
        rank = len(t[0].shape)
        desc = OpDesc("reverse", [t[0]], o[0], {"axes": [a % rank for a in axes]}, name=name)
        return _bind(conv, desc, [ins[0]])
    if builtin == "BROADCAST_TO":
        return _bind(conv, OpDesc("broadcast_to", [t[0]], o[0], {}, name=name), [ins[0]])
    if builtin == "MIRROR_PAD":
        from tflite.MirrorPadOptions import MirrorPadOptions

        opts = _options(op, MirrorPadOptions)
        mode = int(opts.Mode()) if opts is not None else 0  # 0 REFLECT, 1 SYMMETRIC
        pads = _const(conv, ins[1], f"{name}: the paddings").reshape(-1, 2)
        attrs = {"mode": mode, "pads": [(int(a), int(b)) for a, b in pads]}
        return _bind(conv, OpDesc("mirror_pad", [t[0]], o[0], attrs, name=name), [ins[0]])
    if builtin in ("BATCH_TO_SPACE_ND", "SPACE_TO_BATCH_ND"):
        block = [int(v) for v in _const(conv, ins[1], f"{name}: the block shape").reshape(-1)]
        pads = [int(v) for v in _const(conv, ins[2], f"{name}: crops/paddings").reshape(-1)]
        kind = "batch_to_space" if builtin == "BATCH_TO_SPACE_ND" else "space_to_batch"
        attrs = {"block": block, "pads": pads}
        return _bind(conv, OpDesc(kind, [t[0]], o[0], attrs, name=name), [ins[0]])
    if builtin == "RESIZE_NEAREST_NEIGHBOR":
        from tflite.ResizeNearestNeighborOptions import ResizeNearestNeighborOptions

        opts = _options(op, ResizeNearestNeighborOptions)
        align = bool(opts.AlignCorners()) if opts is not None else False
        half = bool(opts.HalfPixelCenters()) if opts is not None else False
        x, out = t[0], o[0]
        if len(x.shape) != 4 or len(out.shape) != 4:
            raise LwaiError("model", f"{name}: input and output must be 4-D")
        rows = nearest_table(x.shape[1], out.shape[1], align, half)
        cols = nearest_table(x.shape[2], out.shape[2], align, half)
        tables = [
            TensorDesc((len(v),), "int32", data=v, name=f"{out.name}_{w}")
            for v, w in ((rows, "rows"), (cols, "cols"))
        ]
        attrs = {"align_corners": align, "half_pixel_centers": half}
        desc = OpDesc("resize_nearest", [x, *tables], out, attrs, name=name)
        return _bind(conv, desc, [ins[0], -1, -1])
    if builtin == "GATHER_ND":
        if t[1] is None or t[1].dtype != "int32":
            return None
        depth = int(t[1].shape[-1]) if t[1].shape else 1
        desc = OpDesc("gather_nd", [t[0], t[1]], o[0], {"index_depth": depth}, name=name)
        return _bind(conv, desc, [ins[0], ins[1]])
    if builtin == "EMBEDDING_LOOKUP":  # inputs (ids, table): gather_nd of depth 1
        ids, table = t[0], t[1]
        if ids is None or ids.dtype != "int32":
            return None
        ids = TensorDesc(
            (*ids.shape, 1), "int32", ids.scale, ids.zero_point, data=ids.data, name=ids.name
        )
        desc = OpDesc("gather_nd", [table, ids], o[0], {"index_depth": 1}, name=name)
        return _bind(conv, desc, [ins[1], ins[0]])
    return None


def _dynamic_update_slice(conv, op, ins: list[int], outs: list[int]):
    """int8/int16 DYNAMIC_UPDATE_SLICE (module docstring); None for other dtypes."""
    from lwai.frontend import shape_ops
    from lwai.frontend.stateful import tensor_desc

    sg = conv.subgraph
    if len(ins) != 3 or len(outs) != 1 or min(ins + outs) < 0:
        raise LwaiError("model", "DYNAMIC_UPDATE_SLICE: 3 inputs and 1 output expected")
    t = [tensor_desc(conv.model, sg, i) for i in (ins[0], ins[1], outs[0])]
    if {x.dtype for x in t} - set(_QUANTIZED) or len({x.dtype for x in t}) != 1:
        return None
    return shape_ops.update_slice(conv, op)


def is_hybrid(conv, op) -> bool:
    """An EMBEDDING_LOOKUP of an int8 table into float32 (TVM's import check calls it dynamic
    range quantization and refuses it; lwai converts it)."""
    from tflite.TensorType import TensorType

    if conv.get_op_code_str(op) != "EMBEDDING_LOOKUP":
        return False
    sg = conv.subgraph
    ins, outs = [int(i) for i in op.InputsAsNumpy()], [int(i) for i in op.OutputsAsNumpy()]
    if len(ins) != 2 or len(outs) != 1 or min(ins + outs) < 0:
        return False
    return (sg.Tensors(ins[1]).Type(), sg.Tensors(outs[0]).Type()) == (
        TensorType.INT8,
        TensorType.FLOAT32,
    )


def _embedding_hybrid(conv, ins: list[int], outs: list[int]):
    """EMBEDDING_LOOKUP of an int8 table into float32 (TFLM's EvalHybrid): the rows gathered
    as int8 (gather_nd), then dequantized with the table's scale (its zero point must be 0,
    as TFLM requires): two lwai steps, an int8 intermediate between them."""
    from lwai.frontend.stateful import direct_call, tensor_desc

    model, sg = conv.model, conv.subgraph
    ids, table = tensor_desc(model, sg, ins[0]), tensor_desc(model, sg, ins[1])
    out = tensor_desc(model, sg, outs[0])
    name = f"EMBEDDING_LOOKUP '{out.name}'"
    if ids.dtype != "int32" or not table.scale or len(table.scale) != 1:
        raise LwaiError("model", f"{name}: int32 ids and a per-tensor quantized table needed")
    if table.zero_point and table.zero_point[0] != 0:
        raise LwaiError("model", f"{name}: int8 table with zero point {table.zero_point[0]}")
    rows = TensorDesc(tuple(out.shape), "int8", table.scale, [0], name=f"{out.name}_int8")
    ids = TensorDesc((*ids.shape, 1), "int32", data=ids.data, name=ids.name)
    gather = OpDesc("gather_nd", [table, ids], rows, {"index_depth": 1}, name=name)
    g = _bind(conv, gather, [ins[1], ins[0]])
    deq = OpDesc("dequantize", [rows], out, {}, name=name)
    return direct_call(conv, deq, [], exprs=[conv.bb.emit(g)])


def _split(conv, op, builtin, ins, t, o, name):
    if builtin == "SPLIT":  # inputs (axis, input)
        x, x_i = t[1], ins[1]
        axis = int(_const(conv, ins[0], f"{name}: the axis").reshape(-1)[0])
    elif builtin == "SPLIT_V":  # inputs (input, size_splits, axis)
        x, x_i = t[0], ins[0]
        axis = int(_const(conv, ins[2], f"{name}: the axis").reshape(-1)[0])
    else:
        from tflite.UnpackOptions import UnpackOptions

        x, x_i = t[0], ins[0]
        opts = _options(op, UnpackOptions)
        axis = int(opts.Axis()) if opts is not None else 0
    rank = len(x.shape)
    if rank == 0 or not -rank <= axis < rank:
        raise LwaiError("model", f"{name}: axis {axis} outside the input's {rank} dims")
    attrs = {"axis": axis % rank, "unpack": builtin == "UNPACK"}
    desc = OpDesc("split", [x], o[0], attrs, name=name, extra_outputs=list(o[1:]))
    return _bind(conv, desc, [x_i])


def nearest_table(size_in: int, size_out: int, align: bool, half: bool) -> np.ndarray:
    """TFLite's GetNearestNeighbor for each output index, in float32 as TFLite computes it
    (scale and (i + offset) * scale rounded to float32; round half away from zero)."""
    f = np.float32
    if align and size_out > 1:
        scale = f(size_in - 1) / f(size_out - 1)
    else:
        scale = f(size_in) / f(size_out)
    offset = f(0.5) if half else f(0.0)
    out = []
    for i in range(size_out):
        v = f(f(f(i) + offset) * scale)
        j = int(np.sign(v) * np.floor(abs(v) + 0.5)) if align else int(np.floor(v))
        j = min(j, size_in - 1)
        if half:
            j = max(0, j)
        out.append(j)
    return np.asarray(out, dtype=np.int32)


# ---- support check and kernel plan (lwai.codegen.kernels calls these) -------------------


def _align(shape, rank: int = 4) -> tuple[int, ...] | None:
    s = [int(d) for d in shape]
    while len(s) > rank and s[0] == 1:
        s.pop(0)
    if len(s) > rank:
        return None
    return tuple([1] * (rank - len(s)) + s)


def _same_quant(a: TensorDesc, b: TensorDesc) -> bool:
    if not a.scale and not b.scale:
        return True
    return (
        bool(a.scale and b.scale)
        and np.allclose(np.float32(a.scale), np.float32(b.scale), rtol=0, atol=0)
        and list(a.zero_point or [0]) == list(b.zero_point or [0])
    )


def reason(op: OpDesc) -> str | None:
    """None when lwai's kernel moves ``op`` exactly as TFLite Micro does, else why not."""
    ins, out, a = op.inputs, op.output, op.attrs
    data = ins[0]
    if data.dtype not in ELEM_BYTES:
        return f"{data.dtype} tensors"
    moved = ins if op.kind == "pack" else [data]
    for t in [*moved, *op.outputs]:
        if t.dtype != data.dtype:
            return f"{t.dtype} and {data.dtype} tensors mixed"
        if not _same_quant(t, data):
            return "outputs quantized differently from the input (moving cannot requantize)"
    n_in = int(np.prod(data.shape, dtype=np.int64))
    if op.kind == "split":
        axis, rank = int(a["axis"]), len(data.shape)
        if not 0 <= axis < rank:
            return f"axis {axis} of a {rank}-D input"
        if len(op.outputs) > 15:
            return f"{len(op.outputs)} outputs (lwai's kernels take up to 15)"
        total = 0
        for o in op.outputs:
            want = data.shape[:axis] + data.shape[axis + 1 :]
            if a.get("unpack"):
                if tuple(o.shape) != tuple(want):
                    return f"UNPACK output {o.shape} of input {data.shape}"
                total += 1
            else:
                if len(o.shape) != rank or tuple(o.shape[:axis]) + tuple(o.shape[axis + 1 :]) != (
                    tuple(want)
                ):
                    return f"split output {o.shape} of input {data.shape}"
                total += int(o.shape[axis])
        if total != data.shape[axis]:
            return f"outputs cover {total} of the axis' {data.shape[axis]} elements"
        return None
    if op.kind == "pack":
        if len(ins) > 15:
            return f"PACK of {len(ins)} tensors (lwai's kernel takes up to 15)"
        if any(tuple(t.shape) != tuple(data.shape) for t in ins):
            return "PACK of tensors of different shapes"
        axis = int(a["axis"])
        want = tuple(data.shape[:axis]) + (len(ins),) + tuple(data.shape[axis:])
        return None if tuple(out.shape) == want else f"PACK output {out.shape}, expected {want}"
    if op.kind == "gather_nd":
        idx = ins[1]
        depth = int(a["index_depth"])
        if idx.dtype != "int32":
            return f"{idx.dtype} indices"
        if not 1 <= depth <= min(4, len(data.shape)) or _align(data.shape) is None:
            return f"index depth {depth} into a {len(data.shape)}-D input"
        if len(data.shape) > 4:
            return "more than 4 dimensions"
        n = int(np.prod(idx.shape[:-1], dtype=np.int64))
        slice_ = int(np.prod(data.shape[depth:], dtype=np.int64))
        if int(np.prod(out.shape, dtype=np.int64)) != n * slice_:
            return "output size differs from indices x slice"
        return None
    if any(len(t.shape) > 4 for t in (data, out)):
        return "more than 4 dimensions"
    if op.kind == "reverse":
        if len(data.shape) == 0 or any(not 0 <= x < len(data.shape) for x in a["axes"]):
            return f"axes {a['axes']}"
        return None if tuple(out.shape) == tuple(data.shape) else "output shape differs"
    if op.kind == "broadcast_to":
        i4, o4 = _align(data.shape), _align(out.shape)
        if len(data.shape) > len(out.shape) or any(x not in (1, y) for x, y in zip(i4, o4)):
            return f"{data.shape} does not broadcast to {out.shape}"
        return None
    if op.kind == "mirror_pad":
        pads, rank = a["pads"], len(data.shape)
        if len(pads) != rank:
            return "paddings of another rank"
        most = 1 if a["mode"] == 0 else 0
        for d, (lo, hi), od in zip(data.shape, pads, out.shape):
            if lo < 0 or hi < 0 or lo > d - most or hi > d - most or d + lo + hi != od:
                return f"mirror padding {pads} of shape {data.shape}"
        return None
    if op.kind in ("batch_to_space", "space_to_batch"):
        if len(data.shape) not in (3, 4) or len(out.shape) != len(data.shape):
            return "input of rank other than 3 or 4"
        block, pads = a["block"], a["pads"]
        if len(block) != len(data.shape) - 2 or len(pads) != 2 * len(block):
            return "block shape and paddings do not match the rank"
        if min(block) < 1 or min(pads) < 0:
            return "block < 1 or negative paddings"
        try:
            _b2s_fields(op)
        except ValueError as err:
            return str(err)
        return None
    if op.kind == "resize_nearest":
        return None if n_in and data.shape[0] == out.shape[0] else "batch or size mismatch"
    return f"no lwai kernel for {op.kind}"


def _b2s_fields(op: OpDesc) -> tuple[tuple, tuple, dict]:
    """(input dims, output dims, fields) of batch_to_space / space_to_batch, 3-D as
    (B, H, 1, C) with block_w 1."""
    x, out, a = op.inputs[0], op.output, op.attrs
    block, pads = list(a["block"]), list(a["pads"])
    xs, os_ = list(x.shape), list(out.shape)
    if len(xs) == 3:
        xs.insert(2, 1)
        os_.insert(2, 1)
        block.append(1)
        pads += [0, 0]
    bh, bw = block
    top, bottom, left, right = pads
    if op.kind == "batch_to_space":
        ok = xs[0] % (bh * bw) == 0 and os_ == [
            xs[0] // (bh * bw),
            xs[1] * bh - top - bottom,
            xs[2] * bw - left - right,
            xs[3],
        ]
    else:
        hp, wp = xs[1] + top + bottom, xs[2] + left + right
        ok = hp % bh == 0 and wp % bw == 0 and os_ == [xs[0] * bh * bw, hp // bh, wp // bw, xs[3]]
    if not ok:
        raise ValueError(f"{op.kind} of {x.shape} with block {a['block']} to {out.shape}")
    fields = {"block_h": bh, "block_w": bw, "pad0": top, "pad1": left}
    if op.kind == "space_to_batch":
        fields["pad_value"] = space_to_batch_pad(out)
    return tuple(xs), tuple(os_), fields


def space_to_batch_pad(out: TensorDesc) -> int:
    """The padding element of SPACE_TO_BATCH_ND: the output zero point (a real 0.0), as
    TFLite's kernel pads quantized tensors; 0 for float and int32. TFLite Micro's kernel
    never sets its SpaceToBatchParams.output_offset (an uninitialized persistent buffer: 0 in
    a fresh process, other bytes after earlier allocations), so its padding is undefined."""
    if out.dtype in _KERNEL_QUANTIZED and out.zero_point:
        return int(out.zero_point[0])
    return 0


def plan(op: OpDesc):
    from lwai.codegen.kernels import KernelPlan, Operand

    x, out, a = op.inputs[0], op.output, op.attrs
    eb = ELEM_BYTES[x.dtype]
    fields: dict[str, int | float] = {"elem_bytes": eb}
    dt = x.dtype
    if op.kind == "split":
        axis = int(a["axis"])
        outer = int(np.prod(x.shape[:axis], dtype=np.int64))
        inner = int(np.prod(x.shape[axis + 1 :], dtype=np.int64))
        operands = [Operand("in", 0, dt, (1, outer, int(x.shape[axis]), inner), "in0")]
        for j, o in enumerate(op.outputs):
            part = 1 if a.get("unpack") else int(o.shape[axis])
            operands.append(Operand("out", j, dt, (1, outer, part, inner)))
        return KernelPlan("split", "lwai_move_params", fields, operands)
    if op.kind == "pack":
        axis = int(a["axis"])
        outer = int(np.prod(x.shape[:axis], dtype=np.int64))
        inner = int(np.prod(x.shape[axis:], dtype=np.int64))
        operands = [
            Operand("in", j, dt, (1, outer, 1, inner), f"in{j}") for j in range(len(op.inputs))
        ]
        operands.append(Operand("out", -1, dt, (1, outer, len(op.inputs), inner)))
        return KernelPlan("pack", "lwai_move_params", fields, operands)
    if op.kind == "gather_nd":
        idx = op.inputs[1]
        depth = int(a["index_depth"])
        shape = [int(d) for d in x.shape] + [1] * (4 - len(x.shape))
        n = int(np.prod(idx.shape[:-1], dtype=np.int64))
        slice_ = int(np.prod(x.shape[depth:], dtype=np.int64))
        fields["index_depth"] = depth
        operands = [
            Operand("in", 0, dt, tuple(shape), "in0"),
            Operand("in", 1, "int32", (1, 1, n, depth), "indices"),
            Operand("out", -1, dt, (1, 1, n, slice_)),
        ]
        return KernelPlan("gather_nd", "lwai_move_params", fields, operands)
    if op.kind in ("batch_to_space", "space_to_batch"):
        d_in, d_out, more = _b2s_fields(op)
        fields.update(more)
        operands = [Operand("in", 0, dt, d_in, "in0"), Operand("out", -1, dt, d_out)]
        return KernelPlan(op.kind, "lwai_move_params", fields, operands)
    d_in, d_out = _align(x.shape), _align(out.shape)
    operands = [Operand("in", 0, dt, d_in, "in0")]
    if op.kind == "reverse":
        shift = 4 - len(x.shape)
        fields["axis_mask"] = sum(1 << (ax + shift) for ax in set(a["axes"]))
    elif op.kind == "mirror_pad":
        pads = [(0, 0)] * (4 - len(x.shape)) + [tuple(p) for p in a["pads"]]
        fields["mode"] = int(a["mode"])
        fields.update({f"pad{k}": int(pads[k][0]) for k in range(4)})
    elif op.kind == "resize_nearest":
        oh, ow = int(out.shape[1]), int(out.shape[2])
        operands += [
            Operand("in", 1, "int32", (1, 1, 1, oh), "rows"),
            Operand("in", 2, "int32", (1, 1, 1, ow), "cols"),
        ]
    operands.append(Operand("out", -1, dt, d_out))
    return KernelPlan(op.kind, "lwai_move_params", fields, operands)


def wrap(conv, builtin: str, tvm_convert):
    """The converter LwaiOperatorConverter registers for ``builtin``: lwai's kernel, else
    TVM's converter (float tensors of the quantized-only builtins)."""

    def convert_op(op):
        out = convert(conv, op, builtin)
        if out is not None:
            return out
        if tvm_convert is None:
            raise LwaiError("model", f"{builtin}: lwai has no kernel for these tensor types")
        return tvm_convert(op)

    return convert_op
