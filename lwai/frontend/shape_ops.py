"""TFLite data-movement and shape builtins TVM's importer gets wrong or cannot convert,
converted by lwai into Relax that computes TFLite Micro's result (float32, int32, bool).

TVM 0.27's converters fail on these (found by tests/test_shape_cells.py against TFLM):
- PADV2 float32: the pad value becomes a TIR float immediate, which TVM's "c" target prints
  with 7 significant digits (24.291304f -> 2.429130e+01f). lwai pads by concatenating
  blocks broadcast from the value as a constant tensor (its bytes, exact).
- MIRROR_PAD: TVM refuses SYMMETRIC; both modes are one ``take`` per padded axis here.
- GATHER_ND: TVM's import failed ("GatherND requires the last dimension of indices to be
  less than or equal to the rank of data"); lwai flattens the leading ``k`` dimensions and
  takes from them (runtime indices clamped into range; TFLM reports an error for those).
- EMBEDDING_LOOKUP: TVM swaps the lookup and value inputs (import fails).
- SPACE_TO_BATCH_ND / BATCH_TO_SPACE_ND: TVM's result carries a ShapeExpr lwai cannot
  compile; lwai writes pad / reshape / permute / reshape (/ slice) itself.
- STRIDED_SLICE: ellipsis / new-axis masks and ``offset`` are refused (TFLM lacks them).
- EXPAND_DIMS: TVM's converter crashes (a wrong call); a reshape to the output shape.
- REVERSE_V2 over several axes (TVM: one): one flip per axis.
- SHAPE: TVM emits shape_of (a ShapeExpr at run time); the shape is static: a constant.
- BROADCAST_ARGS: TVM pads the shorter shape with an empty constant when the lengths are
  equal, a tensor the graph executor refuses; lwai pads only when needed.
- (ZEROS_LIKE: TVM's zeros_like(x) is folded only after lwai took its consumers, so an lwai
  reshape of it had a constant input and the compile crashed; lwai.frontend.cast_ops gives
  it a kernel.)
- RESIZE_NEAREST_NEIGHBOR / RESIZE_BILINEAR: TVM's lowering divided by zero on some sizes
  (the compile stopped); lwai computes TFLite's source indices and (bilinear) weights at
  compile time in float32 exactly as TFLite's reference kernel does, then gathers and
  blends in TFLite's order of operations (bit-identical to TFLM on host and Cortex-M4:
  lwai builds C99, where gcc contracts no multiply-add into an FMA).
- DYNAMIC_UPDATE_SLICE: TVM has no converter. Start indices are clamped as TFLite does
  (into [0, dim - update_dim], in the indices' own int32/int64 type: an int64 start beyond
  int32 clamps, it does not wrap); the update is gathered to the operand's shape and
  selected. The int8/int16 cells use the same Relax on the raw integers
  (lwai/frontend/data_movement.py).

Quantized tensors keep TVM's conversion (the exactness rule checks it); every converter
returns None for them. Attributes lwai cannot honour stop the import with the op named.
"""

from __future__ import annotations

import importlib
import math

import numpy as np
from tvm import relax

from lwai.errors import LwaiError

_R = relax.op


def install(conv) -> None:
    """Puts lwai's converters in front of TVM's in ``conv.convert_map``."""
    for name, fn in CONVERTERS.items():
        fallback = conv.convert_map.get(name)

        def convert(op, fn=fn, fallback=fallback, name=name):
            out = fn(conv, op)
            if out is not None:
                return out
            if fallback is None:
                raise LwaiError("model", f"{name}: quantized tensors are not supported")
            return fallback(op)

        conv.convert_map[name] = convert


# ---- helpers ------------------------------------------------------------------------------


def _io(conv, op):
    ins = conv.get_input_tensors(op)
    outs = conv.get_output_tensors(op)
    return ins, outs


def _quantized(ins, outs) -> bool:
    return any(t.qnn_params for t in [*ins, *outs])


def _shape(t) -> list[int]:
    return [int(d) for d in t.tensor.ShapeAsNumpy()] if t.tensor.ShapeLength() else []


def _dtype(conv, t) -> str:
    return conv.get_tensor_type_str(t.tensor.Type())


def _options(op, name: str):
    raw = op.BuiltinOptions()
    if raw is None:
        return None
    cls = getattr(importlib.import_module(f"tflite.{name}"), name)
    o = cls()
    o.Init(raw.Bytes, raw.Pos)
    return o


def _const_value(conv, t, op_name: str, what: str) -> np.ndarray:
    if conv.has_expr(t.tensor_idx):
        raise LwaiError("model", f"{op_name} with a non-constant {what} tensor")
    return np.asarray(conv.get_tensor_value(t))


def _c(v, dtype: str) -> relax.Expr:
    return relax.const(np.asarray(v, dtype=dtype), dtype)


def _expr(conv, t) -> relax.Expr:
    return conv.get_tensor_expr(t)


def _axis(axis: int, rank: int, op_name: str) -> int:
    a = axis + rank if axis < 0 else axis
    if not 0 <= a < max(rank, 1):
        raise LwaiError("model", f"{op_name} axis {axis} out of range for rank {rank}")
    return a


# ---- padding ------------------------------------------------------------------------------


def convert_padv2(conv, op):
    ins, outs = _io(conv, op)
    if _quantized(ins, outs) or _dtype(conv, ins[0]) != "float32":
        return None  # integer pad values are exact in TVM's attribute
    pads = _const_value(conv, ins[1], "PADV2", "paddings").reshape(-1, 2)
    if len(ins) > 2 and conv.has_expr(ins[2].tensor_idx):
        value = _R.reshape(_expr(conv, ins[2]), ())
    elif len(ins) > 2:
        value = _c(np.asarray(conv.get_tensor_value(ins[2])).reshape(()), "float32")
    else:
        value = _c(0.0, "float32")
    x, shape = _expr(conv, ins[0]), _shape(ins[0])
    for ax, (lo, hi) in enumerate(pads.tolist()):
        if lo < 0 or hi < 0:
            raise LwaiError("model", f"PADV2 with negative padding {lo, hi}")
        parts = []
        for n, side in ((lo, "lo"), (hi, "hi")):
            if n:
                block = _R.broadcast_to(value, [*shape[:ax], n, *shape[ax + 1 :]])
                parts.append((side, block))
        if parts:
            seq = [b for s, b in parts if s == "lo"] + [x] + [b for s, b in parts if s == "hi"]
            x = _R.concat(seq, axis=ax)
            shape[ax] += lo + hi
    return x


def convert_mirror_pad(conv, op):
    ins, outs = _io(conv, op)
    if _quantized(ins, outs):
        return None
    opts = _options(op, "MirrorPadOptions")
    mode = int(opts.Mode()) if opts is not None else 0  # 0 REFLECT, 1 SYMMETRIC
    offset = 1 if mode == 0 else 0
    pads = _const_value(conv, ins[1], "MIRROR_PAD", "paddings").reshape(-1, 2)
    x, shape = _expr(conv, ins[0]), _shape(ins[0])
    for ax, (lo, hi) in enumerate(pads.tolist()):
        d = shape[ax]
        if lo < 0 or hi < 0 or max(lo, hi) > d - offset:
            name = ("REFLECT", "SYMMETRIC")[mode]
            raise LwaiError(
                "model", f"MIRROR_PAD {name}: padding {lo, hi} does not fit dimension {d}"
            )
        if not lo and not hi:
            continue
        idx = []
        for j in range(-lo, d + hi):
            if j < 0:
                j = -j - 1 + offset
            elif j >= d:
                j = 2 * d - 1 - j - offset
            idx.append(j)
        x = _R.take(x, _c(idx, "int32"), axis=ax)
    return x


# ---- gathers ------------------------------------------------------------------------------


def convert_gather_nd(conv, op):
    ins, outs = _io(conv, op)
    if _quantized(ins, outs):
        return None
    params, indices = ins
    pshape, ishape = _shape(params), _shape(indices)
    k = ishape[-1] if ishape else 0
    if not ishape or not 1 <= k <= len(pshape):
        raise LwaiError("model", f"GATHER_ND: index depth {k} for params of rank {len(pshape)}")
    strides = [int(np.prod(pshape[j + 1 : k], dtype=np.int64)) for j in range(k)]
    lim = np.array(pshape[:k], np.int32) - 1
    # An index out of range is an error in TFLM; lwai clamps each component into range.
    if conv.has_expr(indices.tensor_idx):
        idx = _R.astype(_expr(conv, indices), "int32")
        idx = _R.minimum(_R.maximum(idx, _c(0, "int32")), _c(lim, "int32"))
        flat = _R.sum(_R.multiply(idx, _c(strides, "int32")), axis=[-1])
    else:
        v = np.clip(np.asarray(conv.get_tensor_value(indices)).astype(np.int64), 0, lim)
        flat = _c((v * np.array(strides)).sum(axis=-1), "int32")
    table = _R.reshape(_expr(conv, params), [int(np.prod(pshape[:k])), *pshape[k:]])
    return _R.take(table, flat, axis=0)


def convert_embedding_lookup(conv, op):
    ins, outs = _io(conv, op)
    if _quantized(ins, outs):
        return None
    lookup, value = ins
    idx = _R.astype(_expr(conv, lookup), "int32")
    return _R.take(_expr(conv, value), idx, axis=0, mode="clip")


# ---- batch <-> space -------------------------------------------------------------------------


def convert_space_to_batch_nd(conv, op):
    ins, outs = _io(conv, op)
    if _quantized(ins, outs):
        return None
    shape = _shape(ins[0])
    block = _const_value(conv, ins[1], "SPACE_TO_BATCH_ND", "block_shape").reshape(-1)
    pads = _const_value(conv, ins[2], "SPACE_TO_BATCH_ND", "paddings").reshape(-1, 2)
    m = len(block)
    x = _expr(conv, ins[0])
    width = [[0, 0]] + pads.tolist() + [[0, 0]] * (len(shape) - 1 - m)
    if any(p for pair in width for p in pair):
        x = _R.nn.pad(x, pad_width=[int(p) for pair in width for p in pair], pad_value=0)
    padded = [shape[0]] + [shape[1 + i] + int(pads[i].sum()) for i in range(m)]
    rest = shape[1 + m :]
    if any(padded[1 + i] % int(block[i]) for i in range(m)):
        raise LwaiError("model", "SPACE_TO_BATCH_ND: padded size not a multiple of the block")
    split = [padded[0]]
    for i in range(m):
        split += [padded[1 + i] // int(block[i]), int(block[i])]
    x = _R.reshape(x, split + rest)
    # [B, s1, b1, ..., sM, bM, rest] -> [b1..bM, B, s1..sM, rest]
    perm = [2 + 2 * i for i in range(m)] + [0] + [1 + 2 * i for i in range(m)]
    perm += list(range(1 + 2 * m, 1 + 2 * m + len(rest)))
    x = _R.permute_dims(x, perm)
    out = [padded[0] * int(np.prod(block))] + [padded[1 + i] // int(block[i]) for i in range(m)]
    return _R.reshape(x, out + rest)


def convert_batch_to_space_nd(conv, op):
    ins, outs = _io(conv, op)
    if _quantized(ins, outs):
        return None
    shape = _shape(ins[0])
    block = _const_value(conv, ins[1], "BATCH_TO_SPACE_ND", "block_shape").reshape(-1)
    crops = _const_value(conv, ins[2], "BATCH_TO_SPACE_ND", "crops").reshape(-1, 2)
    m, prod = len(block), int(np.prod(block))
    if shape[0] % prod:
        raise LwaiError("model", "BATCH_TO_SPACE_ND: batch not a multiple of the block")
    rest = shape[1 + m :]
    x = _R.reshape(_expr(conv, ins[0]), [int(b) for b in block] + [shape[0] // prod] + shape[1:])
    # [b1..bM, B, s1..sM, rest] -> [B, s1, b1, ..., sM, bM, rest]
    perm = [m]
    for i in range(m):
        perm += [m + 1 + i, i]
    perm += list(range(2 * m + 1, 2 * m + 1 + len(rest)))
    x = _R.permute_dims(x, perm)
    full = [shape[1 + i] * int(block[i]) for i in range(m)]
    x = _R.reshape(x, [shape[0] // prod, *full, *rest])
    if crops.any():
        begin = [int(c[0]) for c in crops]
        end = [full[i] - int(crops[i][1]) for i in range(m)]
        x = _R.strided_slice(x, axes=list(range(1, 1 + m)), begin=begin, end=end)
    return x


# ---- reshapes, reversal, shape ----------------------------------------------------------------


def check_strided_slice(conv, op) -> None:
    """TVM's conversion matches TFLM's for begin/end/shrink masks and negative strides (the
    tests); TFLM has no ellipsis or new-axis masks and ignores ``offset`` (TFLite honours
    it), so a model using them is refused rather than given a result TFLM would not."""
    opts = _options(op, "StridedSliceOptions")
    if opts is not None:
        for what, value in (
            ("ellipsis_mask", opts.EllipsisMask()),
            ("new_axis_mask", opts.NewAxisMask()),
            ("offset", int(opts.Offset())),
        ):
            if value:
                raise LwaiError(
                    "model",
                    f"STRIDED_SLICE with {what}={value} is not supported "
                    "(TFLite Micro does not implement it)",
                )
    # None: TVM's conversion


def convert_expand_dims(conv, op):
    ins, outs = _io(conv, op)
    if _quantized(ins, outs):
        return None
    return _R.reshape(_expr(conv, ins[0]), _shape(outs[0]))


def convert_reverse_v2(conv, op):
    ins, outs = _io(conv, op)
    if _quantized(ins, outs):
        return None
    rank = len(_shape(ins[0]))
    axes = _const_value(conv, ins[1], "REVERSE_V2", "axis").reshape(-1)
    x = _expr(conv, ins[0])
    for a in sorted({_axis(int(a), rank, "REVERSE_V2") for a in axes}):
        x = _R.flip(x, axis=a)
    return x


def convert_shape(conv, op):
    ins, outs = _io(conv, op)
    return _c(_shape(ins[0]), _dtype(conv, outs[0]))


def convert_broadcast_args(conv, op):
    """TVM's BROADCAST_ARGS, but the shorter shape is padded with 1s only when it is shorter:
    TVM's always-present pad was an empty constant, which the graph executor's loader
    refuses (every tensor holds >= 1 element)."""
    ins, _ = _io(conv, op)
    if len(ins) != 2 or any(len(_shape(t)) != 1 for t in ins):
        raise LwaiError("model", "BROADCAST_ARGS: two 1-D shape tensors expected")
    dt = _dtype(conv, ins[0])
    n = max(_shape(t)[0] for t in ins)
    one = _c(1, dt)
    s = []
    for t in ins:
        x = _expr(conv, t)
        if _shape(t)[0] < n:
            x = _R.concat([_c(np.ones(n - _shape(t)[0]), dt), x], axis=0)
        s.append(x)
    # TFLM: a dim of 1 takes the other side's (other unequal pairs are its error)
    return _R.where(_R.equal(s[0], one), s[1], _R.where(_R.equal(s[1], one), s[0], _R.maximum(*s)))


# ---- resize -------------------------------------------------------------------------------


def _resize_setup(conv, op, name: str):
    ins, outs = _io(conv, op)
    if _quantized(ins, outs):
        return None
    shape = _shape(ins[0])
    if len(shape) != 4:
        raise LwaiError("model", f"{name} needs a 4-D NHWC input, got rank {len(shape)}")
    size = _const_value(conv, ins[1], name, "size").reshape(-1).astype(int).tolist()
    opts = _options(
        op, "ResizeBilinearOptions" if "BILINEAR" in name else "ResizeNearestNeighborOptions"
    )
    align = bool(opts.AlignCorners()) if opts is not None else False
    half = bool(opts.HalfPixelCenters()) if opts is not None else False
    if align and half:
        raise LwaiError("model", f"{name} with both align_corners and half_pixel_centers")
    return _expr(conv, ins[0]), shape, size, align, half


def _scale(n_in: int, n_out: int, align: bool) -> np.float32:
    # float division of the converted ints, as TFLite
    if align and n_out > 1:
        return np.float32(n_in - 1) / np.float32(n_out - 1)
    return np.float32(n_in) / np.float32(n_out)


def _nearest(n_in: int, n_out: int, align: bool, half: bool) -> list[int]:
    f32 = np.float32
    scale, offset = _scale(n_in, n_out, align), f32(0.5 if half else 0.0)
    out = []
    for i in range(n_out):
        v = (f32(i) + offset) * scale
        fl = math.floor(float(v))  # v >= 0; TfLiteRound rounds halves away from zero
        j = fl + (float(v) - fl >= 0.5) if align else fl
        j = min(j, n_in - 1)
        out.append(max(j, 0) if half else j)
    return out


def convert_resize_nearest_neighbor(conv, op):
    setup = _resize_setup(conv, op, "RESIZE_NEAREST_NEIGHBOR")
    if setup is None:
        return None
    x, shape, (oh, ow), align, half = setup
    ys = _nearest(shape[1], oh, align, half)
    xs = _nearest(shape[2], ow, align, half)
    x = _R.take(x, _c(ys, "int32"), axis=1)
    return _R.take(x, _c(xs, "int32"), axis=2)


def _bilinear(n_in: int, n_out: int, align: bool, half: bool):
    """TFLite's ComputeInterpolationValues per output index, in float32: (lower, upper,
    d, 1 - d) with d = scaled - lower."""
    f32 = np.float32
    scale = _scale(n_in, n_out, align)
    lo, up, d, nd = [], [], [], []
    for i in range(n_out):
        v = (f32(i) + f32(0.5)) * scale - f32(0.5) if half else f32(i) * scale
        low = max(int(np.floor(v)), 0)
        lo.append(low)
        up.append(min(int(np.ceil(v)), n_in - 1))
        frac = f32(v - f32(low))
        d.append(frac)
        nd.append(f32(f32(1) - frac))
    return lo, up, np.array(d, np.float32), np.array(nd, np.float32)


def convert_resize_bilinear(conv, op):
    setup = _resize_setup(conv, op, "RESIZE_BILINEAR")
    if setup is None:
        return None
    x, shape, (oh, ow), align, half = setup
    if _dtype(conv, conv.get_input_tensors(op)[0]) != "float32":
        return None
    y0, y1, dy, ndy = _bilinear(shape[1], oh, align, half)
    x0, x1, dx, ndx = _bilinear(shape[2], ow, align, half)
    rows = {k: _R.take(x, _c(v, "int32"), axis=1) for k, v in (("0", y0), ("1", y1))}
    v = {
        r + c: _R.take(rows[r], _c(cols, "int32"), axis=2)
        for r in "01"
        for c, cols in (("0", x0), ("1", x1))
    }
    wy = {"0": _c(ndy.reshape(1, oh, 1, 1), "float32"), "1": _c(dy.reshape(1, oh, 1, 1), "float32")}
    wx = {"0": _c(ndx.reshape(1, 1, ow, 1), "float32"), "1": _c(dx.reshape(1, 1, ow, 1), "float32")}
    # v00*(1-dy)*(1-dx) + v10*dy*(1-dx) + v01*(1-dy)*dx + v11*dy*dx, left to right
    terms = [_R.multiply(_R.multiply(v[r + c], wy[r]), wx[c]) for r, c in ("00", "10", "01", "11")]
    out = terms[0]
    for t in terms[1:]:
        out = _R.add(out, t)
    return out


# ---- sums, updates --------------------------------------------------------------


def convert_dynamic_update_slice(conv, op):
    ins, outs = _io(conv, op)
    if _quantized(ins, outs):
        return None  # int8/int16: lwai/frontend/data_movement.py (raw values, same Relax)
    return update_slice(conv, op)


def update_slice(conv, op) -> relax.Expr:
    """TFLite Micro's DYNAMIC_UPDATE_SLICE as Relax that only selects elements: exact for
    any element type (quantized ones are copied raw, as TFLM copies them)."""
    ins, _ = _io(conv, op)
    operand, update, indices = ins
    shape, ushape = _shape(operand), _shape(update)
    if len(ushape) != len(shape) or any(u > d for u, d in zip(ushape, shape)):
        raise LwaiError("model", f"DYNAMIC_UPDATE_SLICE: update {ushape} does not fit {shape}")
    idt = _dtype(conv, indices)
    if idt not in ("int32", "int64") or _shape(indices) != [len(shape)]:
        raise LwaiError(
            "model",
            f"DYNAMIC_UPDATE_SLICE: start indices {idt}{_shape(indices)}, expected int32 or "
            f"int64 [{len(shape)}]",
        )
    rank = len(shape)
    if rank == 0:
        raise LwaiError("model", "DYNAMIC_UPDATE_SLICE of a scalar (rank 0) is not supported")
    if 0 in ushape:  # nothing to write (TFLM copies the operand)
        return _expr(conv, operand)
    start = _expr(conv, indices)
    g = _expr(conv, update)
    mask = None
    for k, (d, u) in enumerate(zip(shape, ushape)):
        # TFLite clamps each start into [0, d - u] so the update fits (in int64 for int64
        # indices: clamped before narrowing, so a huge start does not wrap).
        s = _R.strided_slice(start, axes=[0], begin=[k], end=[k + 1])
        s = _R.minimum(_R.maximum(s, _c([0], idt)), _c([d - u], idt))
        s = _R.astype(s, "int32") if idt != "int32" else s
        pos = _R.subtract(_c(np.arange(d), "int32"), s)
        inside = _R.logical_and(_R.greater_equal(pos, _c(0, "int32")), _R.less(pos, _c(u, "int32")))
        idx = _R.minimum(_R.maximum(pos, _c(0, "int32")), _c(u - 1, "int32"))
        g = _R.take(g, idx, axis=k)
        view = [1] * rank
        view[k] = d
        inside = _R.reshape(inside, view)
        mask = inside if mask is None else _R.logical_and(mask, inside)
    return _R.where(mask, g, _expr(conv, operand))


CONVERTERS = {
    "PADV2": convert_padv2,
    "MIRROR_PAD": convert_mirror_pad,
    "GATHER_ND": convert_gather_nd,
    "EMBEDDING_LOOKUP": convert_embedding_lookup,
    "SPACE_TO_BATCH_ND": convert_space_to_batch_nd,
    "BATCH_TO_SPACE_ND": convert_batch_to_space_nd,
    "STRIDED_SLICE": check_strided_slice,
    "EXPAND_DIMS": convert_expand_dims,
    "REVERSE_V2": convert_reverse_v2,
    "SHAPE": convert_shape,
    "BROADCAST_ARGS": convert_broadcast_args,
    "RESIZE_NEAREST_NEIGHBOR": convert_resize_nearest_neighbor,
    "RESIZE_BILINEAR": convert_resize_bilinear,
    "DYNAMIC_UPDATE_SLICE": convert_dynamic_update_slice,
}
