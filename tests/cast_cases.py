"""Generated single-op cases for the type-changing and raw-value cells of issue 12
(lwai/frontend/cast_ops.py): CAST between int8/int16/int32/float32/bool in every direction
TFLite Micro takes, QUANTIZE int32 -> int8/int16 and int8 <-> uint8, DEQUANTIZE uint8,
comparisons / MAXIMUM / MINIMUM on int64, EQUAL / NOT_EQUAL on bool, SELECT_V2 int8/int16,
EMBEDDING_LOOKUP int8 -> float32 (hybrid), BATCH_MATMUL float32, CUMSUM int8, FILL int8,
ZEROS_LIKE int8/int64.

Packing (as tests/int_io_cases.py and tests/reduce_cases.py): every case's operands are
SLICEd from one flat unquantized model input per dtype and RESHAPEd to the case's shape
(that tensor carries the case's quantization); each result is RESHAPEd flat (same
quantization), SLICEd into an unquantized tensor and CONCATENATEd with others of its dtype
into one model output. TFLite Micro runs the same model as the reference.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from lwai.tflite_writer import ModelBuilder

DTYPES = ("int8", "uint8", "int16", "int32", "int64", "float32", "bool")
CONCAT_FANIN = 10  # inputs per CONCATENATION (TFLM takes <= 10)
COMPARE = ("LESS", "LESS_EQUAL", "GREATER", "GREATER_EQUAL", "EQUAL", "NOT_EQUAL")
CAST_TYPES = ("float32", "int8", "int16", "int32", "bool")
# The CAST pairs TFLM takes (cells.md): every pair of CAST_TYPES.
CASTS = tuple((a, b) for a in CAST_TYPES for b in CAST_TYPES)
QUANTIZE_PAIRS = (("int32", "int8"), ("int32", "int16"), ("int8", "uint8"), ("uint8", "int8"))
# TFLM's SLICE takes no int64 and no uint8, its CONCATENATION no uint8: int64 operands are
# RESHAPEd from one of a few shared int64 model inputs (INT64_SIZES elements, fixed values;
# the other operand of a binary op is a constant per case), and uint8 ones come from int8
# through a QUANTIZE int8 -> uint8 of equal scale and zero points 128 apart (TFLM flips bit
# 7: exact), uint8 results go back the same way before the concatenation.
INT64_SIZES = (4, 12, 24)
# flat input dtypes whose operands come out of one SPLIT_V (TFLM's takes no bool)
SPLIT_DTYPES = ("int8", "int16", "int32", "float32")
SPLIT_OUTPUTS = 15  # outputs per SPLIT_V (lwai's split kernels take up to 15)
# Results per output in the images whose TVM functions would otherwise take ~200 tensors:
# the AOT step of such a call keeps ~13 KiB of DLTensors on the stack, which with the callee's
# frame overflowed the Cortex-M board's 16 KiB stack (no guard: it corrupted the workspace
# state in .bss and the run failed with LWAI_ERR_WORKSPACE).
CHAIN = 50
BMM_TOL = 1e-5  # BATCH_MATMUL float32: |lwai - TFLM| <= BMM_TOL * (|TFLM| + 1)


def _label(src: str, dst: str) -> str:
    return src if src == dst else f"{src}->{dst}"


# builtin -> labels (cells.md), in a fixed order: the seeds depend on it.
CELLS: dict[str, list[str]] = {
    "CAST": [_label(a, b) for a, b in CASTS],
    "QUANTIZE": [_label(a, b) for a, b in QUANTIZE_PAIRS],
    "DEQUANTIZE": ["uint8->float32"],
    **{op: ["int64->bool"] for op in COMPARE},
    "MAXIMUM": ["int64"],
    "MINIMUM": ["int64"],
    "SELECT_V2": ["int8", "int16"],
    "EMBEDDING_LOOKUP": ["int8->float32"],
    "BATCH_MATMUL": ["float32"],
    "CUMSUM": ["int8"],
    "FILL": ["int8"],
    "ZEROS_LIKE": ["int8", "int64"],
    "DIV": ["int32"],  # also tests/test_math_cells.py's; here with activations and limits
}
CELLS["EQUAL"].append("bool")
CELLS["NOT_EQUAL"].append("bool")
PAIRS: list[tuple[str, str]] = [(op, lab) for op, labs in CELLS.items() for lab in labs]


@dataclass
class Operand:
    dtype: str
    shape: tuple[int, ...]
    data: np.ndarray | None = None  # None: sliced from the model input; else a constant
    q: tuple[float, int] | None = None


@dataclass
class Case:
    name: str
    op: str
    label: str
    operands: list[Operand]
    out_dtype: str
    out_shape: tuple[int, ...]
    out_q: tuple[float, int] | None = None
    options: dict = field(default_factory=dict)
    values: list[np.ndarray] = field(default_factory=list)  # data of the sliced operands


# ---- shapes and values ---------------------------------------------------------------------


def _shape(rng, lo_rank: int = 1, hi_rank: int = 4, hi: int = 6) -> tuple[int, ...]:
    return tuple(int(d) for d in rng.integers(1, hi + 1, int(rng.integers(lo_rank, hi_rank + 1))))


def _broadcast(rng) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]:
    """(a, b, result): same shapes, a size-1 side, or NumPy broadcasting across ranks."""
    a = _shape(rng)
    mode = int(rng.integers(0, 3))
    if mode == 0:
        b = a
    elif mode == 1:
        b = (1,) if rng.random() < 0.5 else tuple(1 for _ in a)
    else:
        b = tuple(d if rng.random() < 0.5 else 1 for d in a)
        b = b[int(rng.integers(0, len(b))) :] or (1,)
    if rng.random() < 0.5:
        a, b = b, a
    return a, b, tuple(np.broadcast_shapes(a, b))


def _ints(rng, dtype: str, shape) -> np.ndarray:
    """Integers over the whole range, with both limits and 0 among them."""
    info = np.iinfo(dtype)
    x = rng.integers(info.min, info.max, shape, dtype=np.int64, endpoint=True).astype(dtype)
    if rng.random() < 0.5:  # small values too
        x = rng.integers(-300, 300, shape).astype(dtype) if info.min < 0 else x
    edges = np.array([info.min, info.max, 0, -1 if info.min < 0 else 1, 1], dtype)
    k = min(x.size, len(edges), int(rng.integers(1, len(edges) + 1)))
    x.flat[:k] = edges[:k]
    return x


def _cast_floats(rng, dst: str, shape) -> np.ndarray:
    """float32 values a CAST to ``dst`` defines in TFLM (C++ leaves out-of-range float ->
    int undefined): truncation toward zero over the target's range, its edges, halves, -0."""
    n = int(np.prod(shape))
    if dst in ("int8", "int16"):
        info = np.iinfo(dst)
        x = rng.uniform(info.min - 0.99, info.max + 0.99, n)
        edges = [info.min - 0.99, info.max + 0.99, -0.5, 0.5, -0.0, 2.5, -2.5]
    elif dst == "int32":
        x = rng.uniform(-2.1e9, 2.1e9, n) * (10.0 ** -rng.integers(0, 9, n))
        edges = [-2147483648.0, 2147483520.0, -2147483520.0, -0.7, 0.7, -0.0, 16777217.0]
    elif dst == "bool":
        x = rng.standard_normal(n) * np.where(rng.random(n) < 0.3, 0.0, 10.0)
        edges = [0.0, -0.0, np.nan, np.inf, -np.inf, 1e-45, -1e-45]
    else:  # float32 -> float32: a copy, NaN, infinities and subnormals included
        x = rng.standard_normal(n) * 10.0 ** rng.integers(-40, 38, n)
        edges = [np.nan, np.inf, -np.inf, -0.0, 1e-45, 3.4028235e38]
    x = x.astype(np.float32)
    k = min(n, len(edges), int(rng.integers(1, len(edges) + 1)))
    x[:k] = np.array(edges[:k], np.float32)
    return rng.permutation(x).reshape(shape)


def int64_feed(size: int) -> np.ndarray:
    """The values of the shared int64 input of ``size`` elements."""
    return _ints(np.random.default_rng(6400 + size), "int64", (size,))


def _int64_operand(rng) -> tuple[tuple[int, ...], np.ndarray]:
    """(shape, values) of an operand RESHAPEd from a shared int64 input."""
    size = int(rng.choice(INT64_SIZES))
    shapes = [
        sh
        for sh in ((size,), (1, size), (2, size // 2), (size // 4, 2, 2), (1, 2, 1, size // 2))
        if int(np.prod(sh)) == size
    ]
    shape = shapes[int(rng.integers(0, len(shapes)))]
    return shape, int64_feed(size).reshape(shape)


def _values(rng, dtype: str, shape) -> np.ndarray:
    if dtype == "bool":
        return rng.random(shape) < 0.5
    if dtype == "float32":
        return rng.standard_normal(shape).astype(np.float32)
    return _ints(rng, dtype, shape)


def _scale(rng, lo: float, hi: float) -> float:
    return float(np.float32(10 ** rng.uniform(lo, hi)))


def _zp(rng, dtype: str) -> int:
    lo, hi = {"int8": (-128, 127), "uint8": (0, 255), "int16": (-32768, 32767)}[dtype]
    if dtype == "int16":
        return int(rng.choice([0, 0, int(rng.integers(-1000, 1000))]))
    return int(rng.choice([lo, hi, 0, int(rng.integers(lo, hi + 1))]))


# ---- generators ----------------------------------------------------------------------------


def _cast(rng, i: int, src: str, dst: str) -> Case:
    shape = _shape(rng)
    case = Case(f"cast{i}_{src}_{dst}", "CAST", _label(src, dst), [Operand(src, shape)], dst, shape)
    x = _cast_floats(rng, dst, shape) if src == "float32" else _values(rng, src, shape)
    if src == "int32" and dst == "float32":  # around 2^24 and 2^31: rounding to nearest even
        big = np.array([16777217, -16777219, 2147483647, -2147483647, 33554435], np.int32)
        k = min(x.size, len(big))
        x.flat[:k] = big[:k]
    case.values = [x]
    return case


def _quantize(rng, i: int, src: str, dst: str) -> Case:
    shape = _shape(rng)
    if src == "int32":
        si = _scale(rng, -6, -2)
        so = float(np.float32(si * 10 ** rng.uniform(-0.5, 3)))  # ratios 3.2 .. 1/1000
        zi = int(rng.choice([0, int(rng.integers(-1000, 1000)), -32768, 32767]))
        zo = _zp(rng, dst)
        lo, hi = np.iinfo(dst).min, np.iinfo(dst).max
        target = rng.uniform(1.3 * lo, 1.3 * hi, shape)  # some saturate
        x = np.round(target * so / si).astype(np.int64) + zi
        if si / so < 1 and x.size > 2:  # far out: int32 limits (centred without overflow)
            x.flat[0], x.flat[1] = 2**31 - 1 - max(zi, 0) - 1, -(2**31) - min(zi, 0) + 1
        x = np.clip(x, -(2**31), 2**31 - 1).astype(np.int32)
    else:
        si = _scale(rng, -3, 0)
        zi, zo = _zp(rng, src), _zp(rng, dst)
        if i % 3 == 0:  # TFLM's fast path: same scale, zero points 128 apart (bit 7 flipped)
            so = si
            zi = int(rng.integers(-128, 128)) if src == "int8" else int(rng.integers(0, 256))
            zo = zi + 128 if src == "int8" else zi - 128
        else:
            so = float(np.float32(si * 10 ** rng.uniform(-1, 1)))
        x = _ints(rng, src, shape)
    case = Case(f"quantize{i}_{src}_{dst}", "QUANTIZE", _label(src, dst), [], dst, shape)
    case.operands = [Operand(src, shape, q=(si, zi))]
    case.out_q = (so, zo)
    case.values = [x]
    return case


def _dequantize(rng, i: int) -> Case:
    shape = _shape(rng)
    q = (_scale(rng, -4, 1), _zp(rng, "uint8"))
    case = Case(f"dequantize{i}_uint8", "DEQUANTIZE", "uint8->float32", [], "float32", shape)
    case.operands = [Operand("uint8", shape, q=q)]
    case.values = [_ints(rng, "uint8", shape)]
    return case


def _binary(rng, op: str, i: int, dt: str) -> Case:
    out_dt = "bool" if op in COMPARE else dt
    label = f"{dt}->bool" if op in COMPARE and dt != "bool" else dt
    if dt == "int64":  # one side from a shared input, the other a constant (see INT64_SIZES)
        a, x = _int64_operand(rng)
        mode = int(rng.integers(0, 3))
        b = a if mode == 0 else ((1,) if mode == 1 else a[int(rng.integers(0, len(a))) :])
        if rng.random() < 0.3:  # b bigger along a size-1 dim of a
            b = tuple(3 if d == 1 else d for d in a)
        y = _ints(rng, "int64", b)
        if rng.random() < 0.5:  # near x too (the low word decides)
            y = (int(x.flat[-1]) // 2 + rng.integers(-2, 3, b)).astype(np.int64) * 2
        y.flat[0] = x.flat[0]  # an equal pair
        out = tuple(np.broadcast_shapes(a, b))
        ops = [Operand(dt, a), Operand(dt, b, y)]
        if i % 2:
            ops.reverse()
        case = Case(f"{op.lower()}{i}_{dt}", op, label, ops, out_dt, out)
        case.values = [x]
        return case
    a, b, out = _broadcast(rng)
    case = Case(f"{op.lower()}{i}_{dt}", op, label, [Operand(dt, a), Operand(dt, b)], out_dt, out)
    x, y = _values(rng, dt, a), _values(rng, dt, b)
    x.flat[0] = y.flat[-1]  # an equal pair
    case.values = [x, y]
    return case


def _select(rng, i: int, dt: str) -> Case:
    a, b, full = _broadcast(rng)
    c_shape = a if rng.random() < 0.5 else (b if rng.random() < 0.5 else full[-1:])
    full = tuple(np.broadcast_shapes(c_shape, a, b))
    qx = (_scale(rng, -3, 0), _zp(rng, dt))
    qy = qx if i % 3 == 0 else (_scale(rng, -3, 0), _zp(rng, dt))
    qo = qx if i % 3 == 0 else (_scale(rng, -3, 0), _zp(rng, dt))
    ops = [Operand("bool", c_shape), Operand(dt, a, q=qx), Operand(dt, b, q=qy)]
    case = Case(f"select{i}_{dt}", "SELECT_V2", dt, ops, dt, full, out_q=qo)
    case.values = [_values(rng, "bool", c_shape), _ints(rng, dt, a), _ints(rng, dt, b)]
    return case


def _embedding(rng, i: int) -> Case:
    rows = int(rng.integers(1, 9))
    tail = _shape(rng, 1, 2, 5)
    table = rng.integers(-128, 128, (rows, *tail)).astype(np.int8)
    table.flat[0] = -128
    n = int(rng.integers(1, 7))
    value = Operand("int8", (rows, *tail), table, q=(_scale(rng, -3, 1), 0))
    ops = [Operand("int32", (n,)), value]
    case = Case(f"embedding{i}", "EMBEDDING_LOOKUP", "int8->float32", ops, "float32", (n, *tail))
    case.values = [rng.integers(0, rows, n).astype(np.int32)]
    return case


def _batch_matmul(rng, i: int) -> Case:
    m, k, n = (int(v) for v in rng.integers(1, 7, 3))
    batch = _shape(rng, 0, 2, 3)
    bx = tuple(d if rng.random() < 0.7 else 1 for d in batch)
    by = tuple(d if rng.random() < 0.7 else 1 for d in batch)[
        int(rng.integers(0, len(batch) + 1)) :
    ]
    adj_x, adj_y = bool(i % 2), bool((i // 2) % 2)
    xs = bx + ((k, m) if adj_x else (m, k))
    ys = by + ((n, k) if adj_y else (k, n))
    out = tuple(np.broadcast_shapes(bx, by)) + (m, n)
    ops = [Operand("float32", xs), Operand("float32", ys)]
    case = Case(f"batch_matmul{i}", "BATCH_MATMUL", "float32", ops, "float32", out)
    case.options = {"adj_x": adj_x, "adj_y": adj_y}
    case.values = [_values(rng, "float32", xs), _values(rng, "float32", ys)]
    return case


def _cumsum(rng, i: int) -> Case:
    shape = _shape(rng, 1, 4, 5)
    axis = int(rng.integers(0, len(shape)))
    if rng.random() < 0.4:
        axis -= len(shape)
    si = _scale(rng, -3, 0)
    qi = (si, _zp(rng, "int8"))
    qo = (float(np.float32(si * 10 ** rng.uniform(-0.5, 1.5))), _zp(rng, "int8"))
    axis_t = Operand("int32", (1,), np.array([axis], np.int32))
    ops = [Operand("int8", shape, q=qi), axis_t]
    opts = {"exclusive": bool(i % 2), "reverse": bool((i // 2) % 2)}
    name = f"cumsum{i}_ax{axis}" + "_excl" * opts["exclusive"] + "_rev" * opts["reverse"]
    case = Case(name, "CUMSUM", "int8", ops, "int8", shape, out_q=qo, options=opts)
    case.values = [_ints(rng, "int8", shape)]
    return case


def _fill(rng, i: int) -> Case:
    shape = _shape(rng, 1, 4, 5)  # TFLM needs constant dims: rank >= 1
    q = None if i % 2 else (_scale(rng, -3, 0), _zp(rng, "int8"))
    dims = Operand("int32", (len(shape),), np.array(shape, np.int32))
    case = Case(f"fill{i}", "FILL", "int8", [dims, Operand("int8", (), q=q)], "int8", shape)
    case.out_q = q
    case.values = [np.array(int(rng.integers(-128, 128)), np.int8)]
    return case


def _zeros_like(rng, i: int, dt: str) -> Case:
    if dt == "int64":
        shape, x = _int64_operand(rng)
    else:
        shape = _shape(rng)
        x = _ints(rng, dt, shape)
    q = (_scale(rng, -3, 0), int(rng.choice([-128, 127, 5]))) if dt == "int8" and i % 2 else None
    case = Case(f"zeros_like{i}_{dt}", "ZEROS_LIKE", dt, [Operand(dt, shape, q=q)], dt, shape)
    case.out_q = q
    case.values = [x]
    return case


DIV_ACTIVATIONS = ("NONE", "RELU", "RELU6", "RELU_N1_TO_1")


def _div(rng, i: int) -> Case:
    """int32 DIV (C's truncation toward zero) over the whole range, divisors of both signs
    and all sizes, never 0 and never INT32_MIN / -1 (undefined in TFLM: it traps on x86;
    lwai's defined results are tests/test_cast_cells.py::test_div_int32_by_zero's)."""
    a, b, out = _broadcast(rng)
    x = _ints(rng, "int32", a)
    y = _ints(rng, "int32", b)
    if i % 2:  # small divisors: many non-zero quotients and remainders
        y = rng.integers(1, 20, b).astype(np.int32) * rng.choice([-1, 1], b).astype(np.int32)
    y[y == 0] = 7
    xb = np.broadcast_to(x, out)
    yb = np.broadcast_to(y, out)
    if np.any((xb == -(2**31)) & (yb == -1)):
        y[y == -1] = -2
    act = DIV_ACTIVATIONS[i % len(DIV_ACTIVATIONS)]
    ops = [Operand("int32", a), Operand("int32", b)]
    case = Case(f"div{i}_int32_{act.lower()}", "DIV", "int32", ops, "int32", out)
    case.options = {"activation": act}
    case.values = [x, y]
    return case


def generate(op: str, label: str, n: int, seed: int) -> list[Case]:
    rng = np.random.default_rng(seed)
    src, _, dst = label.partition("->")
    dst = dst or src
    cases = []
    for i in range(n):
        if op == "CAST":
            c = _cast(rng, i, src, dst)
        elif op == "QUANTIZE":
            c = _quantize(rng, i, src, dst)
        elif op == "DEQUANTIZE":
            c = _dequantize(rng, i)
        elif op in COMPARE or op in ("MAXIMUM", "MINIMUM"):
            c = _binary(rng, op, i, src)
        elif op == "SELECT_V2":
            c = _select(rng, i, src)
        elif op == "EMBEDDING_LOOKUP":
            c = _embedding(rng, i)
        elif op == "BATCH_MATMUL":
            c = _batch_matmul(rng, i)
        elif op == "CUMSUM":
            c = _cumsum(rng, i)
        elif op == "FILL":
            c = _fill(rng, i)
        elif op == "ZEROS_LIKE":
            c = _zeros_like(rng, i, src)
        elif op == "DIV":
            c = _div(rng, i)
        else:
            raise ValueError(op)
        cases.append(c)
    return cases


def all_cases(n: int) -> list[Case]:
    return [c for k, (op, lab) in enumerate(PAIRS) for c in generate(op, lab, n, 1900 + k)]


# ---- packing -------------------------------------------------------------------------------


def _q(q) -> dict:
    return {} if q is None else {"scale": q[0], "zero_point": q[1]}


def _flat_dtype(d: str) -> str:
    """The model input / output dtype carrying operands / results of dtype ``d``."""
    return "int8" if d == "uint8" else d


def build(cases: list[Case], chain: int = 0) -> tuple[bytes, list[np.ndarray], dict]:
    """One model for all cases: (model, feeds: one flat input per dtype present (int64: per
    INT64_SIZES size), layout: case name -> (output index, offset, size); "__outputs__": each
    output's dtype). ``chain`` > 0: at most that many results per output (see CHAIN)."""
    mb = ModelBuilder("lwai cast cases")
    sizes = {d: 0 for d in DTYPES}
    for c in cases:
        for o in c.operands:
            if o.data is None and o.dtype != "int64":
                sizes[_flat_dtype(o.dtype)] += int(np.prod(o.shape))
    inputs = {d: mb.add_tensor(f"in_{d}", (n,), d) for d, n in sizes.items() if n}
    feeds: dict[str, list[np.ndarray]] = {d: [] for d in inputs}
    shared = {
        int(np.prod(o.shape))
        for c in cases
        for o in c.operands
        if o.dtype == "int64" and o.data is None
    }
    for size in sorted(shared):
        inputs[f"int64_{size}"] = mb.add_tensor(f"in_int64_{size}", (size,), "int64")
        feeds[f"int64_{size}"] = [int64_feed(size)]
    # Every operand of a SPLIT_DTYPES dtype is one output of a SPLIT_V of its flat input:
    # one op (and one generated function) for all of them, not a SLICE each.
    pieces: dict[str, list[int]] = {d: [] for d in DTYPES}
    for c in cases:
        for o in c.operands:
            if o.data is None and o.dtype != "int64":
                pieces[_flat_dtype(o.dtype)].append(int(np.prod(o.shape)))
    split_out: dict[str, list[int]] = {}
    for d in SPLIT_DTYPES:
        split_out[d] = []
        start = 0
        for g in range(0, len(pieces[d]), SPLIT_OUTPUTS):  # a SLICE per chunk, then SPLIT_V
            sizes = pieces[d][g : g + SPLIT_OUTPUTS]
            total = sum(sizes)
            begin = mb.add_tensor(f"sp_{d}_{g}_b", (1,), "int32", data=[start])
            size = mb.add_tensor(f"sp_{d}_{g}_s", (1,), "int32", data=[total])
            chunk = mb.add_tensor(f"sp_{d}_{g}", (total,), d)
            mb.add_op("SLICE", [inputs[d], begin, size], [chunk])
            start += total
            if len(sizes) == 1:
                split_out[d].append(chunk)
                continue
            outs = [mb.add_tensor(f"sp_{d}_{g}_{k}", (n,), d) for k, n in enumerate(sizes)]
            sizes_t = mb.add_tensor(f"sp_{d}_{g}_n", (len(sizes),), "int32", data=sizes)
            axis_t = mb.add_tensor(f"sp_{d}_{g}_a", (), "int32", data=[0])
            mb.add_op("SPLIT_V", [chunk, sizes_t, axis_t], outs, {"num_splits": len(outs)})
            split_out[d] += outs
    taken = {d: 0 for d in DTYPES}
    offsets = {d: 0 for d in DTYPES}
    results: dict[str, list[tuple[str, int, int]]] = {d: [] for d in DTYPES}
    for j, c in enumerate(cases):
        args, values = [], iter(c.values)
        for k, o in enumerate(c.operands):
            if o.data is not None:
                args.append(mb.add_tensor(f"c{j}_k{k}", o.shape, o.dtype, data=o.data, **_q(o.q)))
                continue
            n = int(np.prod(o.shape))
            value = np.asarray(next(values))
            shaped = mb.add_tensor(f"c{j}_x{k}", o.shape, o.dtype, **_q(o.q))
            if o.dtype == "int64":
                assert np.array_equal(value.reshape(-1), int64_feed(n))
                mb.add_op("RESHAPE", [inputs[f"int64_{n}"]], [shaped], {"new_shape": list(o.shape)})
                args.append(shaped)
                continue
            d = _flat_dtype(o.dtype)
            if d in SPLIT_DTYPES:
                flat = split_out[d][taken[d]]
                taken[d] += 1
            else:
                begin = mb.add_tensor(f"c{j}_b{k}", (1,), "int32", data=[offsets[d]])
                size = mb.add_tensor(f"c{j}_s{k}", (1,), "int32", data=[n])
                flat = mb.add_tensor(f"c{j}_f{k}", (n,), d)
                mb.add_op("SLICE", [inputs[d], begin, size], [flat])
            if o.dtype == "uint8":  # int8 -> uint8, bit 7 flipped
                s, z = o.q or (1.0, 128)
                q8 = mb.add_tensor(f"c{j}_q{k}", o.shape, "int8", scale=s, zero_point=z - 128)
                mb.add_op("RESHAPE", [flat], [q8], {"new_shape": list(o.shape)})
                mb.add_op("QUANTIZE", [q8], [shaped])
                value = (value.astype(np.int16) - 128).astype(np.int8)
            else:
                mb.add_op("RESHAPE", [flat], [shaped], {"new_shape": list(o.shape)})
            args.append(shaped)
            feeds[d].append(value.reshape(-1))
            offsets[d] += n
        y = mb.add_tensor(f"c{j}_y", c.out_shape, c.out_dtype, **_q(c.out_q))
        mb.add_op(c.op, args, [y], c.options)
        m = int(np.prod(c.out_shape))
        yq = mb.add_tensor(f"c{j}_yq", (m,), c.out_dtype, **_q(c.out_q))
        mb.add_op("RESHAPE", [y], [yq], {"new_shape": [m]})
        d = _flat_dtype(c.out_dtype)
        if c.out_dtype == "uint8":  # back to int8, bit 7 flipped
            s, z = c.out_q
            y8 = mb.add_tensor(f"c{j}_y8", (m,), "int8", scale=s, zero_point=z - 128)
            mb.add_op("QUANTIZE", [yq], [y8])
            yq = y8
        yf = yq
        if c.out_q is not None:  # unquantized onward: raw integers
            zero = mb.add_tensor(f"c{j}_z", (1,), "int32", data=[0])
            whole = mb.add_tensor(f"c{j}_n", (1,), "int32", data=[m])
            yf = mb.add_tensor(f"c{j}_yf", (m,), d)
            mb.add_op("SLICE", [yq, zero, whole], [yf])
        results[d].append((c.name, yf, m))
    # One output per dtype (or per ``chain`` results): a chain of CONCATENATIONs of
    # <= CONCAT_FANIN inputs each (TFLM's limit is 10), the previous link first. TVM fuses
    # the chain with the ops producing its inputs into functions of more than 16 tensors,
    # which the AOT code runs (tests/test_wide_functions.py) with all their DLTensors on the
    # stack: about 64 bytes each (see CHAIN).
    layout: dict = {}
    outputs, out_dtypes = [], []
    for d in DTYPES:
        per = chain or len(results[d]) or 1
        for g in range(0, len(results[d]), per):
            link, off, k, group = None, 0, 0, results[d][g : g + per]
            while k < len(group):
                take = group[k : k + CONCAT_FANIN - (link is not None)]
                parts = ([link] if link is not None else []) + [yf for _, yf, _ in take]
                for name, _, m in take:
                    layout[name] = (len(outputs), off, m)
                    off += m
                k += len(take)
                link = mb.add_tensor(f"out_{d}_{g}_{k}", (off,), d)
                mb.add_op("CONCATENATION", parts, [link], {"axis": 0})
            outputs.append(link)
            out_dtypes.append(d)
    mb.inputs = list(inputs.values())
    mb.outputs = outputs
    layout["__outputs__"] = out_dtypes
    feed_list = [np.concatenate(feeds[k]).astype(mb.tensors[t].dtype) for k, t in inputs.items()]
    return mb.build(), feed_list, layout


def files(cases: list[Case], chain: int = 0) -> int:
    """Input plus output files of the cases' model (``chain``: as build's)."""
    ins = {
        f"int64_{int(np.prod(o.shape))}" if o.dtype == "int64" else _flat_dtype(o.dtype)
        for c in cases
        for o in c.operands
        if o.data is None
    }
    per = {d: sum(1 for c in cases if _flat_dtype(c.out_dtype) == d) for d in DTYPES}
    return len(ins) + sum((-(-n // chain) if chain else 1) for n in per.values() if n)


def tflm_outputs(model: bytes, feeds: list[np.ndarray], n_outputs: int) -> list[np.ndarray]:
    from tflite_micro.python.tflite_micro import runtime

    it = runtime.Interpreter.from_bytes(model, arena_size=4_000_000)
    for i, x in enumerate(feeds):
        it.set_input(x, i)
    it.invoke()
    return [np.array(it.get_output(i)) for i in range(n_outputs)]


def compare(case: Case, got: np.ndarray, ref: np.ndarray) -> str | None:
    """None when equal: bit for bit (floats by their bytes, so NaN and -0 count), or within
    BMM_TOL * (|TFLM| + 1) for BATCH_MATMUL (float sums in another order)."""
    if got.dtype != ref.dtype or got.shape != ref.shape:
        return f"{case.name}: {got.dtype}{got.shape} vs TFLM {ref.dtype}{ref.shape}"
    if case.op == "BATCH_MATMUL":
        bound = BMM_TOL * (np.abs(ref.astype(np.float64)) + 1.0)
        if not np.all(np.abs(got.astype(np.float64) - ref) <= bound):
            return f"{case.name}: max |diff| {np.max(np.abs(got - ref))}"
        return None
    if got.tobytes() != ref.tobytes():
        bad = np.flatnonzero(got.view(np.uint8) != ref.view(np.uint8))
        k = int(bad[0]) // got.itemsize
        return f"{case.name}: element {k}: {got.flat[k]!r} vs TFLM {ref.flat[k]!r}"
    return None
