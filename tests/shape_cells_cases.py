"""Generated single-op cases for TFLite's data-movement and shape builtins in float32, int32
and bool (the dtypes TFLite Micro registers each op for, /work/notes/cells.md; int64 cells
are left out: TFLM's SLICE, GATHER and CAST take no int64, so int64 operands cannot be cut
from a packed input): odd shapes, ranks 0-5 where TFLM allows, every option (masks,
negative strides and axes, modes, align_corners / half_pixel_centers), constant and runtime
index inputs.

Packed many per image like tests/int_io_cases.py (its Case/Operand): every case's operands
are cut from one flat model input per dtype (float32/int32: a tree of SPLIT_Vs, which lwai's
split kernel runs without a TVM function each; bool: a SLICE each) and RESHAPEd; every
result is RESHAPEd flat and CONCATENATEd (a tree of 10-input concatenations) into one model
output per dtype.

INT_CELLS (tests/test_shape_cells_int.py): the same generators for the int8, int16, int64 and
uint8 cells of the plain data-movement ops. int8/int16/uint8 operands are quantized (a scale
and zero point per case, edges included; the op keeps them): cut unquantized from the int8 /
int16 input and RESHAPEd into the case's quantized tensor; uint8 ones pass a QUANTIZE int8 ->
uint8 of equal scale and zero points 128 apart (TFLM flips bit 7: exact), and uint8 results
go back the same way. Quantized results are SLICEd into unquantized tensors before the
concatenation (raw integers onward). TFLM cuts no int64 (no SLICE, SPLIT, GATHER or CAST
takes it): an int64 operand is MAXIMUM(x, its values as a constant) where x is the one int64
model input, a scalar fed INT64_MIN, so the values are computed at run time, not folded.
"""

from __future__ import annotations

import int_io_cases as ic
import numpy as np

from lwai.tflite_writer import ModelBuilder

Case, Operand = ic.Case, ic.Operand
DTYPES = ("float32", "int32", "bool", "int8", "int16", "int64")  # model input/output dtypes
LABELS = (*DTYPES, "uint8")  # dtype labels, in seed order
SPLIT = ("float32", "int32", "int8", "int16")  # dtypes TFLM's SPLIT_V takes
QUANTIZED = ("int8", "int16", "uint8")
INT64_FLOOR = np.iinfo(np.int64).min  # the int64 input's value (see the module docstring)
CONCAT_FANIN = 10  # inputs per CONCATENATION of the packed outputs (TFLM's maximum)

# builtin -> dtype labels checked (TFLM registers the op for each; probed with its resolver).
# (ADD_N and CUMSUM float32: tests/test_math_cells.py; SPLIT/SPLIT_V/UNPACK and the int8/int16
# cells: tests/test_data_movement.py.)
CELLS: dict[str, list[str]] = {
    "CONCATENATION": ["float32", "int32", "bool"],
    "DEPTH_TO_SPACE": ["float32"],
    "SPACE_TO_DEPTH": ["float32"],
    "PAD": ["float32", "int32"],
    "PADV2": ["float32", "int32"],
    "MIRROR_PAD": ["float32"],
    "GATHER": ["float32"],
    "GATHER_ND": ["float32"],
    "EMBEDDING_LOOKUP": ["float32"],
    "BATCH_TO_SPACE_ND": ["float32"],
    "SPACE_TO_BATCH_ND": ["float32"],
    "TRANSPOSE": ["float32"],
    "SQUEEZE": ["float32", "int32", "bool"],
    "EXPAND_DIMS": ["float32"],
    "RESHAPE": ["float32", "int32", "bool"],
    "STRIDED_SLICE": ["float32", "int32", "bool"],
    "SLICE": ["float32", "int32", "bool"],
    "PACK": ["float32", "int32"],
    "REVERSE_V2": ["float32", "int32", "bool"],
    "BROADCAST_TO": ["float32", "int32", "bool"],
    "BROADCAST_ARGS": ["int32"],
    "SHAPE": ["int32"],
    "FILL": ["float32", "int32"],
    "ZEROS_LIKE": ["float32", "int32"],
    "RESIZE_NEAREST_NEIGHBOR": ["float32"],
    "RESIZE_BILINEAR": ["float32"],
    "DYNAMIC_UPDATE_SLICE": ["float32", "int32"],
}
OPS = tuple(CELLS)
# Integer cells of the same ops (tests/test_shape_cells_int.py; the other int8/int16 cells
# are tests/test_data_movement.py's).
INT_CELLS: dict[str, list[str]] = {
    "RESHAPE": ["int8", "int16", "int64", "uint8"],
    "SQUEEZE": ["int64", "uint8"],
    "CONCATENATION": ["int64"],
    "PACK": ["int64"],
    "REVERSE_V2": ["int64", "uint8"],
    "BROADCAST_TO": ["int64", "uint8"],
    "BROADCAST_ARGS": ["int64"],
}


def values(rng, dtype: str, shape, op: str = "") -> np.ndarray:
    shape = tuple(shape)
    if dtype == "bool":
        return rng.random(shape) < 0.5
    if dtype == "float32":
        x = rng.standard_normal(shape).astype(np.float32)
        return (x * np.float32(10.0 ** rng.uniform(-2, 3))).astype(np.float32)
    info = np.iinfo(dtype)
    x = rng.integers(info.min, info.max, shape, dtype=np.int64, endpoint=True)
    return x.astype(dtype)


def _dims(rng, rank: int, lo: int = 1, hi: int = 5) -> tuple[int, ...]:
    return tuple(int(d) for d in rng.integers(lo, hi + 1, rank))


def _const(dtype: str, data) -> Operand:
    a = np.asarray(data, dtype=dtype)
    return Operand(dtype, a.shape, a)


def _case(name, op, operands, out_dtype, out_shape, options=None, rng=None, vals=None) -> Case:
    c = Case(name, op, operands, out_dtype, tuple(int(d) for d in out_shape), options or {})
    if vals is None:
        vals = [values(rng, o.dtype, o.shape, op) for o in operands if o.data is None]
    c.values = [np.asarray(v, dtype=o.dtype) for v, o in zip(vals, _sliced(operands))]
    return c


def _sliced(operands):
    return [o for o in operands if o.data is None]


def _strided_slice(rng, dt: str, shape: tuple[int, ...]):
    """begin/end/strides with masks and negative indices/strides; TFLite's output shape."""
    rank = len(shape)
    begin, end, strides, out = [], [], [], []
    bm = int(rng.integers(0, 1 << rank))
    em = int(rng.integers(0, 1 << rank))
    shrink = 0
    for i, d in enumerate(shape):
        s = int(rng.choice([1, 1, 2, 3, -1, -2]))
        b = int(rng.integers(-d, d))
        e = int(rng.integers(-d - 1, d + 1))
        if rng.random() < 0.2:  # shrink this axis: a single index
            shrink |= 1 << i
            s = 1
            e = b + 1
            bm &= ~(1 << i)
            em &= ~(1 << i)
        begin.append(b)
        end.append(e)
        strides.append(s)
    # TFLite's StartForAxis / StopForAxis.
    for i, d in enumerate(shape):
        s, b, e = strides[i], begin[i], end[i]
        if shrink >> i & 1:
            continue
        if bm >> i & 1:
            b = 0 if s > 0 else d - 1
        else:
            b = b + d if b < 0 else b
            b = min(max(b, 0), d) if s > 0 else min(max(b, -1), d - 1)
        if em >> i & 1:
            e = d if s > 0 else -1
        else:
            e = e + d if e < 0 else e
            e = min(max(e, 0), d) if s > 0 else min(max(e, -1), d - 1)
        n = max(0, -(-(e - b) // s)) if s > 0 else max(0, -(-(b - e) // -s))
        out.append(n)
    opts = {"begin_mask": bm, "end_mask": em, "shrink_axis_mask": shrink}
    return begin, end, strides, out, opts


def quant(rng, dt: str) -> tuple[float, int]:
    """(scale, zero point) of a quantized case: scales over 10 decades, zero points at the
    dtype's limits, its middle and in between (int16: mostly 0, as TFLite's int16 models)."""
    scale = float(np.float32(10.0 ** rng.uniform(-6, 4)))
    if dt == "int16":
        return scale, int(rng.choice([0, 0, -32768, 32767, int(rng.integers(-1000, 1000))]))
    info = np.iinfo(dt)
    mid = 0 if info.min < 0 else 128
    return scale, int(
        rng.choice([info.min, info.max, mid, int(rng.integers(info.min, info.max + 1))])
    )


def generate(op: str, dt: str, n: int, seed: int) -> list[Case]:
    """``n`` cases; those of a QUANTIZED dtype carry ``q`` = (scale, zero point)."""
    rng = np.random.default_rng(seed)
    cases = []
    for i in range(n):
        c = _one(op, dt, rng, f"{op.lower()}_{dt}_{i}", i)
        c.q = quant(rng, dt) if dt in QUANTIZED else None
        cases.append(c)
    return cases


def _q(c: Case, dtype: str) -> dict:
    """The quantization of the case's tensors of ``dtype`` (its data; not int32 indices)."""
    q = getattr(c, "q", None)
    return {"scale": q[0], "zero_point": q[1]} if q and dtype in QUANTIZED else {}


def _one(op: str, dt: str, rng, name: str, i: int) -> Case:
    r = rng
    if op == "CONCATENATION":
        rank = int(r.integers(1, 5))
        axis = int(r.integers(-rank, rank))
        base = _dims(r, rank)
        shapes = []
        for _ in range(int(r.integers(1, 5))):
            s = list(base)
            s[axis] = int(r.integers(1, 4))
            shapes.append(tuple(s))
        out = list(base)
        out[axis] = sum(s[axis] for s in shapes)
        ops = [Operand(dt, s) for s in shapes]
        return _case(name, op, ops, dt, out, {"axis": axis}, r)
    if op in ("DEPTH_TO_SPACE", "SPACE_TO_DEPTH"):
        bs = int(r.integers(2, 5)) if i % 4 else 1 + (i % 8 == 0)
        n_, h, w, c = int(r.integers(1, 3)), *_dims(r, 3, 1, 4)
        if op == "DEPTH_TO_SPACE":
            shape, out = (n_, h, w, c * bs * bs), (n_, h * bs, w * bs, c)
        else:
            shape, out = (n_, h * bs, w * bs, c), (n_, h, w, c * bs * bs)
        return _case(name, op, [Operand(dt, shape)], dt, out, {"block_size": bs}, r)
    if op in ("PAD", "PADV2", "MIRROR_PAD"):
        rank = int(r.integers(1, 5))
        shape = _dims(r, rank)
        if op == "MIRROR_PAD":
            mode = "REFLECT" if i % 2 else "SYMMETRIC"
            lim = [d - (mode == "REFLECT") for d in shape]
            pads = np.array([[r.integers(0, m + 1), r.integers(0, m + 1)] for m in lim])
        else:
            pads = r.integers(0, 4, (rank, 2))
        pads = pads.astype(np.int32)
        out = [d + int(p.sum()) for d, p in zip(shape, pads)]
        ops = [Operand(dt, shape), _const("int32", pads)]
        opts = {}
        if op == "PADV2":
            ops.append(_const(dt, values(r, dt, (1,))))
        if op == "MIRROR_PAD":
            opts["mode"] = mode
        return _case(name, op, ops, dt, out, opts, r)
    if op == "GATHER":
        rank = int(r.integers(1, 5))
        params = _dims(r, rank)
        axis = int(r.integers(0, rank))
        idx_shape = _dims(r, int(r.integers(0, 3)), 1, 4)
        out = params[:axis] + idx_shape + params[axis + 1 :]
        idx = r.integers(0, params[axis], idx_shape).astype(np.int32)
        if r.random() < 0.5:
            axis -= rank
        runtime_idx = i % 2 == 0
        if runtime_idx:  # an index input, a constant table (and the converse)
            ops = [_const(dt, values(r, dt, params)), Operand("int32", idx_shape)]
            return _case(name + "_idxin", op, ops, dt, out, {"axis": axis}, vals=[idx])
        ops = [Operand(dt, params), _const("int32", idx)]
        return _case(name, op, ops, dt, out, {"axis": axis}, r)
    if op == "GATHER_ND":
        rank = int(r.integers(1, 5))
        params = _dims(r, rank)
        k = int(r.integers(1, rank + 1))
        batch = _dims(r, int(r.integers(0, 3)), 1, 3)
        idx = np.stack([r.integers(0, params[j], batch) for j in range(k)], axis=-1)
        idx = idx.astype(np.int32)
        out = batch + params[k:]
        if i % 2 == 0:
            ops = [_const(dt, values(r, dt, params)), Operand("int32", idx.shape)]
            return _case(name + "_idxin", op, ops, dt, out, vals=[idx])
        return _case(name, op, [Operand(dt, params), _const("int32", idx)], dt, out, rng=r)
    if op == "EMBEDDING_LOOKUP":
        rows = _dims(r, int(r.integers(2, 4)))
        look = r.integers(0, rows[0], int(r.integers(1, 6))).astype(np.int32)
        ops = [Operand("int32", look.shape), _const(dt, values(r, dt, rows))]
        return _case(name, op, ops, dt, look.shape + rows[1:], vals=[look])
    if op in ("BATCH_TO_SPACE_ND", "SPACE_TO_BATCH_ND"):
        spatial = 1 if i % 4 == 3 else 2  # 3-D input: one spatial dim
        block = _dims(r, spatial, 1, 3)
        n_, c = int(r.integers(1, 3)), int(r.integers(1, 4))
        if op == "SPACE_TO_BATCH_ND":
            pads, sp_in, sp_out = [], [], []
            for b in block:
                h = int(r.integers(1, 6))
                lo = int(r.integers(0, 3))
                hi = (-(h + lo)) % b + b * int(r.integers(0, 2))
                pads.append([lo, hi])
                sp_in.append(h)
                sp_out.append((h + lo + hi) // b)
            shape = (n_, *sp_in, c)
            out = (n_ * int(np.prod(block)), *sp_out, c)
            extra = _const("int32", np.array(pads, np.int32))
        else:
            crops, sp_in, sp_out = [], [], []
            for b in block:
                h = int(r.integers(1, 4))
                full = h * b
                lo = int(r.integers(0, full))
                hi = int(r.integers(0, full - lo))
                crops.append([lo, hi])
                sp_in.append(h)
                sp_out.append(full - lo - hi)
            shape = (n_ * int(np.prod(block)), *sp_in, c)
            out = (n_, *sp_out, c)
            extra = _const("int32", np.array(crops, np.int32))
        ops = [Operand(dt, shape), _const("int32", np.array(block, np.int32)), extra]
        return _case(name, op, ops, dt, out, rng=r)
    if op == "TRANSPOSE":
        rank = int(r.integers(1, 6))
        shape = _dims(r, rank, 1, 4)
        perm = r.permutation(rank).astype(np.int32)
        out = [shape[p] for p in perm]
        return _case(name, op, [Operand(dt, shape), _const("int32", perm)], dt, out, rng=r)
    if op == "SQUEEZE":
        rank = int(r.integers(1, 5))
        shape = tuple(d if r.random() < 0.5 else 1 for d in _dims(r, rank)) + (1,)
        ones = [j for j, d in enumerate(shape) if d == 1]
        dims = sorted(int(d) for d in r.choice(ones, int(r.integers(1, len(ones) + 1)), False))
        keep = [d for j, d in enumerate(shape) if j not in dims]
        if i % 4 == 0:
            dims, keep = [], [d for d in shape if d != 1]
        else:
            dims = [d - len(shape) if r.random() < 0.3 else d for d in dims]  # negative
        return _case(name, op, [Operand(dt, shape)], dt, keep, {"squeeze_dims": dims}, r)
    if op == "EXPAND_DIMS":
        rank = int(r.integers(0, 5))
        shape = _dims(r, rank)
        axis = int(r.integers(-rank - 1, rank + 1))
        pos = axis + rank + 1 if axis < 0 else axis
        out = shape[:pos] + (1,) + shape[pos:]
        ax = _const("int32", [axis] if i % 2 else axis)
        return _case(name, op, [Operand(dt, shape), ax], dt, out, rng=r)
    if op == "RESHAPE":
        shape = _dims(r, int(r.integers(1, 5)))
        n_ = int(np.prod(shape))
        out = []
        rest = n_
        for _ in range(int(r.integers(0, 4))):
            f = [d for d in range(1, rest + 1) if rest % d == 0]
            out.append(int(r.choice(f)))
            rest //= out[-1]
        out.append(rest)
        new = list(out)
        if r.random() < 0.5:
            new[int(r.integers(0, len(new)))] = -1
        if i % 2:
            return _case(name, op, [Operand(dt, shape), _const("int32", new)], dt, out, rng=r)
        return _case(name, op, [Operand(dt, shape)], dt, out, {"new_shape": new}, r)
    if op == "STRIDED_SLICE":
        shape = _dims(r, int(r.integers(1, 5)), 1, 6)
        out = [0]
        while 0 in out:  # TFLM takes no empty tensors
            begin, end, strides, out, opts = _strided_slice(r, dt, shape)
        ops = [Operand(dt, shape)] + [_const("int32", v) for v in (begin, end, strides)]
        return _case(name, op, ops, dt, out, opts, r)
    if op == "SLICE":
        shape = _dims(r, int(r.integers(1, 5)), 1, 6)
        begin = np.array([r.integers(0, d) for d in shape], np.int32)
        size = np.array([r.integers(1, d - b + 1) for d, b in zip(shape, begin)], np.int32)
        size[r.random(len(shape)) < 0.25] = -1
        out = [d - b if s < 0 else s for d, b, s in zip(shape, begin, size)]
        ops = [Operand(dt, shape), _const("int32", begin), _const("int32", size)]
        return _case(name, op, ops, dt, out, rng=r)
    if op == "PACK":
        rank = int(r.integers(0, 4))
        shape = _dims(r, rank)
        count = int(r.integers(1, 5))
        axis = int(r.integers(-rank - 1, rank + 1))
        pos = axis + rank + 1 if axis < 0 else axis
        out = shape[:pos] + (count,) + shape[pos:]
        ops = [Operand(dt, shape) for _ in range(count)]
        return _case(name, op, ops, dt, out, {"axis": axis, "values_count": count}, r)
    if op == "REVERSE_V2":
        rank = int(r.integers(1, 5))
        shape = _dims(r, rank)
        n_ax = int(r.integers(1, rank + 1))  # TFLM takes contiguous axes only
        first = int(r.integers(0, rank - n_ax + 1))
        axes = list(range(first, first + n_ax))
        if r.random() < 0.3:  # negative axes count from the end
            axes = [a - rank for a in axes]
        ops = [Operand(dt, shape), _const("int32", axes)]
        return _case(name, op, ops, dt, shape, rng=r)
    if op == "BROADCAST_TO":
        out = _dims(r, int(r.integers(1, 5)))
        shape = tuple(d if r.random() < 0.5 else 1 for d in out)
        shape = shape[int(r.integers(0, len(shape))) :] or (1,)
        ops = [Operand(dt, shape), _const("int32", out)]
        return _case(name, op, ops, dt, out, rng=r)
    if op == "BROADCAST_ARGS":
        out = _dims(r, int(r.integers(1, 5)), 1, 6)
        a = tuple(d if r.random() < 0.5 else 1 for d in out)
        b = tuple(d if x == 1 else (1 if r.random() < 0.5 else d) for d, x in zip(out, a))
        a = a[int(r.integers(0, len(a))) :]
        if r.random() < 0.5:
            a, b = b, a
        ops = [Operand(dt, (len(a),)), Operand(dt, (len(b),))]
        return _case(name, op, ops, dt, (len(out),), vals=[np.array(a), np.array(b)])
    if op == "SHAPE":
        src = ("float32", "int32", "bool")[i % 3]
        shape = _dims(r, int(r.integers(1, 5)))
        return _case(name, op, [Operand(src, shape)], dt, (len(shape),), {"out_type": dt}, r)
    if op == "FILL":
        out = _dims(r, int(r.integers(1, 5)))  # dims of a rank-0 result: an empty constant
        ops = [_const("int32", out), Operand(dt, ())]
        return _case(name, op, ops, dt, out, rng=r)
    if op == "ZEROS_LIKE":
        shape = _dims(r, int(r.integers(1, 5)))
        return _case(name, op, [Operand(dt, shape)], dt, shape, rng=r)
    if op in ("RESIZE_NEAREST_NEIGHBOR", "RESIZE_BILINEAR"):
        n_, h, w, c = int(r.integers(1, 3)), *_dims(r, 2, 1, 6), int(r.integers(1, 4))
        size = _dims(r, 2, 1, 9)
        mode = i % 3  # 0: default, 1: align_corners, 2: half_pixel_centers
        opts = {"align_corners": mode == 1, "half_pixel_centers": mode == 2}
        ops = [Operand(dt, (n_, h, w, c)), _const("int32", size)]
        return _case(name, op, ops, dt, (n_, *size, c), opts, r)
    if op == "DYNAMIC_UPDATE_SLICE":
        shape = _dims(r, int(r.integers(1, 5)))
        upd = tuple(int(r.integers(1, d + 1)) for d in shape)
        start = np.array([r.integers(-2, d + 2) for d in shape], np.int32)  # TFLM clamps
        ops = [Operand(dt, shape), Operand(dt, upd), Operand("int32", (len(shape),))]
        vals = [values(r, dt, shape), values(r, dt, upd), start]
        return _case(name, op, ops, dt, shape, vals=vals)
    raise ValueError(op)


def padded_positions(case: Case) -> np.ndarray | None:
    """For SPACE_TO_BATCH_ND: True where the flat output holds padding, else None.

    TFLite Micro's float SPACE_TO_BATCH_ND fills padding with the bytes of an ``output_offset``
    its Prepare leaves uninitialized (a persistent buffer): 0 in a fresh interpreter, other
    bytes (seen: 0x2A2A2A2A = 1.5e-13) once the heap was used. lwai pads with 0.0, as
    TensorFlow defines the op; the tests compare those positions with 0 instead."""
    if case.op != "SPACE_TO_BATCH_ND":
        return None
    block, pads = case.operands[1].data, case.operands[2].data
    x = np.ones(case.operands[0].shape, np.int8)
    m = len(block)
    x = np.pad(x, [[0, 0], *pads.tolist(), *[[0, 0]] * (x.ndim - 1 - m)])
    split = [x.shape[0]]
    for i in range(m):
        split += [x.shape[1 + i] // int(block[i]), int(block[i])]
    x = x.reshape(split + list(x.shape[1 + m :]))
    perm = [2 + 2 * i for i in range(m)] + [0] + [1 + 2 * i for i in range(m)]
    x = x.transpose(perm + list(range(1 + 2 * m, x.ndim)))
    return x.reshape(-1) == 0


def _flat(dtype: str) -> str:
    """The model input / output dtype carrying operands / results of ``dtype``."""
    return "int8" if dtype == "uint8" else dtype


def _split_tree(mb: ModelBuilder, x: int, sizes: list[int], tag: str) -> list[int]:
    """Tensors of ``sizes`` elements cut in order from the flat tensor ``x`` by SPLIT_Vs of
    at most CONCAT_FANIN pieces each (a tree): lwai's split kernel moves them, so unlike a
    SLICE per operand this costs no TVM function."""
    if len(sizes) == 1:
        return [x]
    per = -(-len(sizes) // CONCAT_FANIN)
    while -(-len(sizes) // per) > CONCAT_FANIN:
        per *= CONCAT_FANIN
    groups = [sizes[g : g + per] for g in range(0, len(sizes), per)]
    dtype = mb.tensors[x].dtype
    outs = [mb.add_tensor(f"{tag}_{k}", (sum(gr),), dtype) for k, gr in enumerate(groups)]
    split = mb.add_tensor(f"{tag}_sizes", (len(groups),), "int32", data=[sum(g) for g in groups])
    axis = mb.add_tensor(f"{tag}_axis", (), "int32", data=np.int32(0))
    mb.add_op("SPLIT_V", [x, split, axis], outs, {"num_splits": len(groups)})
    return [t for k, gr in enumerate(groups) for t in _split_tree(mb, outs[k], gr, f"{tag}_{k}")]


def build(cases: list[Case]) -> tuple[bytes, list[np.ndarray], dict]:
    """One model for all cases, as int_io_cases.build, for the dtypes in DTYPES."""
    mb = ModelBuilder("lwai shape cases")
    pieces: dict[str, list[int]] = {d: [] for d in DTYPES}
    for c in cases:
        for o in _sliced(c.operands):
            pieces[_flat(o.dtype)].append(int(np.prod(o.shape)))
    inputs = {
        d: mb.add_tensor(f"in_{d}", (sum(n),), d) for d, n in pieces.items() if n and d != "int64"
    }
    if pieces["int64"]:  # one element fed INT64_FLOOR (see the module docstring)
        inputs["int64"] = mb.add_tensor("in_int64", (1,), "int64")
        floor = mb.add_tensor("int64_floor", (), "int64")
        mb.add_op("RESHAPE", [inputs["int64"]], [floor], {"new_shape": []})
    # float32/int32/int8/int16 operands: SPLIT_V trees; bool (TFLM splits no bool): a SLICE
    # each
    cut = {d: iter(_split_tree(mb, inputs[d], pieces[d], f"sp_{d}")) for d in SPLIT if d in inputs}
    feeds: dict[str, list[np.ndarray]] = {d: [] for d in inputs}
    if "int64" in inputs:
        feeds["int64"] = [np.array([INT64_FLOOR], np.int64)]
    offsets = {d: 0 for d in DTYPES}
    results: dict[str, list[int]] = {d: [] for d in DTYPES}
    where: dict[str, tuple[str, int, int]] = {}
    for j, c in enumerate(cases):
        args, vals = [], iter(c.values)
        for k, o in enumerate(c.operands):
            q = _q(c, o.dtype)
            if o.data is not None:
                args.append(mb.add_tensor(f"c{j}_k{k}", o.shape, o.dtype, data=o.data, **q))
                continue
            n = int(np.prod(o.shape))
            value = np.asarray(next(vals), dtype=o.dtype)
            if o.dtype == "int64":  # max(INT64_FLOOR, value) = value, computed at run time
                shaped = mb.add_tensor(f"c{j}_x{k}", o.shape, o.dtype)
                v = mb.add_tensor(f"c{j}_v{k}", o.shape, "int64", data=value)
                mb.add_op("MAXIMUM", [floor, v], [shaped])
                args.append(shaped)
                continue
            d = _flat(o.dtype)
            if d in cut:
                flat = next(cut[d])
            else:
                begin = mb.add_tensor(f"c{j}_b{k}", (1,), "int32", data=[offsets[d]])
                size = mb.add_tensor(f"c{j}_s{k}", (1,), "int32", data=[n])
                flat = mb.add_tensor(f"c{j}_f{k}", (n,), d)
                mb.add_op("SLICE", [inputs[d], begin, size], [flat])
            shaped = mb.add_tensor(f"c{j}_x{k}", o.shape, o.dtype, **q)
            args.append(shaped)
            if o.dtype == "uint8":  # from int8: bit 7 flipped by a QUANTIZE
                s, z = c.q
                q8 = mb.add_tensor(f"c{j}_q{k}", o.shape, "int8", scale=s, zero_point=z - 128)
                mb.add_op("RESHAPE", [flat], [q8], {"new_shape": list(o.shape)})
                mb.add_op("QUANTIZE", [q8], [shaped])
                value = (value.astype(np.int16) - 128).astype(np.int8)
            else:  # an unquantized flat piece into the case's (quantized) tensor
                mb.add_op("RESHAPE", [flat], [shaped], {"new_shape": list(o.shape)})
            feeds[d].append(value.reshape(-1).astype(d))
            offsets[d] += n
        qy = _q(c, c.out_dtype)
        y = mb.add_tensor(f"c{j}_y", c.out_shape, c.out_dtype, **qy)
        mb.add_op(c.op, args, [y], c.options)
        n_out = int(np.prod(c.out_shape))
        y_flat = mb.add_tensor(f"c{j}_yf", (n_out,), c.out_dtype, **qy)
        mb.add_op("RESHAPE", [y], [y_flat], {"new_shape": [n_out]})
        d = _flat(c.out_dtype)
        if c.out_dtype == "uint8":  # back to int8, bit 7 flipped
            s, z = c.q
            y8 = mb.add_tensor(f"c{j}_y8", (n_out,), "int8", scale=s, zero_point=z - 128)
            mb.add_op("QUANTIZE", [y_flat], [y8])
            y_flat = y8
        if qy:  # unquantized onward: the raw integers
            zero = mb.add_tensor(f"c{j}_z", (1,), "int32", data=[0])
            whole = mb.add_tensor(f"c{j}_n", (1,), "int32", data=[n_out])
            raw = mb.add_tensor(f"c{j}_yr", (n_out,), d)
            mb.add_op("SLICE", [y_flat, zero, whole], [raw])
            y_flat = raw
        where[c.name] = (d, len(results[d]), n_out)
        results[d].append(y_flat)
    # One output per dtype: a tree of CONCATENATIONs of <= CONCAT_FANIN tensors each (TFLM
    # takes <= 10 inputs). Between levels every tensor is RESHAPEd [n] <-> [1, n] (an alias
    # in lwai), the levels joining on axis 0 and 1 in turn: TVM would otherwise fuse the
    # whole tree into one function of hundreds of arguments (too big a frame for Cortex-M).
    outputs, layout = [], {}
    for d in DTYPES:
        level = results[d]
        if not level:
            continue
        off = 0
        for name, (dd, _, n) in where.items():
            if dd == d:
                layout[name] = (len(outputs), off, n)
                off += n
        depth = 0
        while len(level) > 1:
            axis = depth % 2  # inputs [n] on even levels, [1, n] on odd ones
            nxt = []
            for g in range(0, len(level), CONCAT_FANIN):
                group = level[g : g + CONCAT_FANIN]
                if len(group) == 1:
                    nxt.append(group[0])
                    continue
                n = sum(mb.tensors[t].shape[-1] for t in group)
                t = mb.add_tensor(f"cat_{d}_{depth}_{g}", (1, n) if axis else (n,), d)
                mb.add_op("CONCATENATION", group, [t], {"axis": axis})
                nxt.append(t)
            if len(nxt) > 1:
                for k, t in enumerate(nxt):
                    n = mb.tensors[t].shape[-1]
                    other = mb.add_tensor(f"lvl_{d}_{depth}_{k}", (n,) if axis else (1, n), d)
                    mb.add_op("RESHAPE", [t], [other], {"new_shape": list(mb.tensors[other].shape)})
                    nxt[k] = other
            level, depth = nxt, depth + 1
        top = level[0]
        if len(mb.tensors[top].shape) == 2:
            flat = mb.add_tensor(f"out_{d}", (off,), d)
            mb.add_op("RESHAPE", [top], [flat], {"new_shape": [off]})
            top = flat
        outputs.append((d, top))
    mb.inputs = list(inputs.values())
    mb.outputs = [t for _, t in outputs]
    layout["__outputs__"] = [d for d, _ in outputs]
    feed_list = [np.concatenate(feeds[d]).astype(d) for d in inputs]
    return mb.build(), feed_list, layout


def all_cases(n: int, seed: int = 2000, cells: dict[str, list[str]] = CELLS) -> list[Case]:
    """``n`` cases per cell of ``cells``, interleaved cell by cell (case 0 of every cell,
    then case 1...): every image mixes all ops, and the results folded to constants at compile
    time (SHAPE, ZEROS_LIKE) always share a concatenation with computed ones."""
    per_cell = [
        generate(op, dt, n, seed + 10 * k + LABELS.index(dt))
        for k, op in enumerate(cells)
        for dt in cells[op]
    ]
    return [cell[i] for i in range(n) for cell in per_cell]


def images(cases: list[Case], n_images: int) -> list[list[Case]]:
    """``cases`` in ``n_images`` consecutive groups of (nearly) equal size."""
    size = -(-len(cases) // n_images)
    return [cases[i : i + size] for i in range(0, len(cases), size)]
