"""Generated single-op cases for the comparison cells on float32 and int32 inputs (LESS,
LESS_EQUAL, GREATER, GREATER_EQUAL, EQUAL, NOT_EQUAL: "float32->bool", "int32->bool") and
the QUANTIZE / DEQUANTIZE cells lwai's kernels compute besides tests/cast_cases.py's:
QUANTIZE float32 -> int8/int16, int8 -> int8/int16/int32, int16 -> int16, DEQUANTIZE
int8/int16 -> float32.

The cases are tests/cast_cases.py's (cast_cases.Case, packed by cast_cases.build: operands
SPLIT_V'd from one flat input per dtype and RESHAPEd, results RESHAPEd flat and
CONCATENATEd per dtype); only the generators are new.

Values where TFLM's result is undefined C++ are left out: QUANTIZE float32 of a value whose
x / scale is beyond int32 (or NaN / infinite: TFLM's static_cast<int32_t> gives INT32_MIN on
x86, lwai saturates), requantizations whose (x - zero point) << shift or int32 result plus
zero point overflows int32, and DEQUANTIZE results beyond float32's range.
"""

from __future__ import annotations

import cast_cases as cc
import numpy as np

COMPARE = cc.COMPARE
QUANTIZE_PAIRS = (
    ("float32", "int8"),
    ("float32", "int16"),
    ("int8", "int8"),
    ("int8", "int16"),
    ("int8", "int32"),
    ("int16", "int16"),
)
DEQUANTIZE_TYPES = ("int8", "int16")

# builtin -> labels (lwai/spec/tflm_cells.json), in a fixed order: the seeds depend on it.
CELLS: dict[str, list[str]] = {
    **{op: ["float32->bool", "int32->bool"] for op in COMPARE},
    "QUANTIZE": [cc._label(a, b) for a, b in QUANTIZE_PAIRS],
    "DEQUANTIZE": [f"{d}->float32" for d in DEQUANTIZE_TYPES],
}
PAIRS: list[tuple[str, str]] = [(op, lab) for op, labs in CELLS.items() for lab in labs]
MAX_ELEMENTS = 240  # per operand: keeps the images (and qemu's run) small

F32 = np.float32
# Float comparison edges: signed zeros, neighbours of 1, the largest and smallest normal
# and subnormal magnitudes, infinities, NaN (TFLM and lwai agree: every comparison with NaN
# is false but NOT_EQUAL). Drawn often, so equal values (ties) meet under any broadcast.
FLOAT_POOL = np.array(
    [
        0.0,
        -0.0,
        1.0,
        np.nextafter(F32(1), F32(2)),
        np.nextafter(F32(1), F32(0)),
        -1.0,
        3.4028235e38,
        -3.4028235e38,
        1.1754944e-38,
        -1.1754944e-38,
        1e-45,
        -1e-45,
        np.inf,
        -np.inf,
        16777216.0,
        16777218.0,
        np.nan,
    ],
    F32,
)
INT32_POOL = np.array(
    [-(2**31), -(2**31) + 1, 2**31 - 1, 2**31 - 2, 0, -1, 1, 2**24, 2**24 + 1, -(2**24)],
    np.int32,
)


def _odd_shape(rng, hi_rank: int = 4) -> tuple[int, ...]:
    """Rank 1..hi_rank, dims 1..9 (odd sizes such as 7 and 9 included), <= MAX_ELEMENTS."""
    while True:
        shape = tuple(int(d) for d in rng.integers(1, 10, int(rng.integers(1, hi_rank + 1))))
        if int(np.prod(shape)) <= MAX_ELEMENTS:
            return shape


def _broadcast(rng) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]:
    """(a, b, result): equal shapes, a scalar-like side, or NumPy broadcasting across ranks
    (both sides may have size-1 dims)."""
    a = _odd_shape(rng)
    mode = int(rng.integers(0, 4))
    if mode == 0:
        b = a
    elif mode == 1:
        b = (1,) if rng.random() < 0.5 else tuple(1 for _ in a)
    elif mode == 2:  # a suffix of a with some dims 1
        b = tuple(d if rng.random() < 0.5 else 1 for d in a)
        b = b[int(rng.integers(0, len(b))) :] or (1,)
    else:  # both sides broadcast: a's size-1 dims get sizes in b
        a = tuple(d if rng.random() < 0.5 else 1 for d in a)
        b = tuple(1 if d > 1 else int(rng.integers(2, 6)) for d in a)
    if rng.random() < 0.5:
        a, b = b, a
    return a, b, tuple(np.broadcast_shapes(a, b))


def _compare_values(rng, dt: str, shape) -> np.ndarray:
    n = int(np.prod(shape))
    if dt == "float32":
        mag = 10.0 ** rng.integers(-45, 39, n).astype(np.float64)
        x = (rng.standard_normal(n) * np.where(rng.random(n) < 0.5, 1.0, mag)).astype(F32)
        pool = FLOAT_POOL
    else:
        x = cc._ints(rng, "int32", (n,))
        pool = INT32_POOL
    # Half the elements from a few pool values (ties and near-ties under broadcasting).
    few = rng.choice(pool, int(rng.integers(2, 5)), replace=False)
    pick = rng.random(n) < 0.5
    x[pick] = rng.choice(few, int(pick.sum()))
    return x.reshape(shape)


def _compare(rng, op: str, i: int, dt: str) -> cc.Case:
    a, b, out = _broadcast(rng)
    ops = [cc.Operand(dt, a), cc.Operand(dt, b)]
    case = cc.Case(f"q{op.lower()}{i}_{dt}", op, f"{dt}->bool", ops, "bool", out)
    x, y = _compare_values(rng, dt, a), _compare_values(rng, dt, b)
    if i % 4 == 0:  # the same values on both sides where the shapes allow
        yb = np.broadcast_to(y, out)
        if yb.shape == x.shape:
            x = yb.copy()
    case.values = [x, y]
    return case


def _scale(rng, i: int) -> float:
    """Scales from tiny to huge, every fourth a power of two (exact halves)."""
    exp = [-30.0, -12.0, -6.0, -3.0, 0.0, 2.0, 6.0, 30.0][i % 8] + rng.uniform(-1, 1)
    if i % 4 == 3:
        return float(F32(2.0 ** round(exp * 3.32)))
    return float(F32(10.0**exp))


def _zero_point(rng, dt: str, i: int) -> int:
    """The dtype's extremes, 0 and random ones (int32 outputs: lwai's int16 range)."""
    lo, hi = {"int8": (-128, 127), "int16": (-32768, 32767), "int32": (-32768, 32767)}[dt]
    return int([lo, hi, 0, int(rng.integers(lo, hi + 1))][i % 4])


def _quantize_f32(rng, i: int, dst: str) -> cc.Case:
    shape = _odd_shape(rng)
    n = int(np.prod(shape))
    so, zo = _scale(rng, i), _zero_point(rng, dst, i // 3)
    lo, hi = int(np.iinfo(dst).min), int(np.iinfo(dst).max)
    # targets around the output range (a third saturate), k + 0.5 halves among them
    k = rng.integers(lo - zo - (hi - lo) // 3, hi - zo + (hi - lo) // 3, n, endpoint=True)
    frac = rng.choice([0.5, -0.5, 0.0, 0.49999997, 0.25], n)
    x = ((k + frac) * so).astype(F32)
    # neighbours of the halves: the float32 division decides which side they round to
    near = rng.random(n) < 0.25
    x[near] = np.nextafter(x[near], rng.choice([-np.inf, np.inf], int(near.sum())).astype(F32))
    # far out (|x / scale| up to 2^30: beyond 2^31 TFLM's int conversion is undefined;
    # huge scales: up to float32's range)
    far = min(2.0**30, 1e38 / so) * so
    edges = [F32(0.0), F32(-0.0), F32(far), F32(-far), F32(0.5 * so)]
    m = min(n, int(rng.integers(1, len(edges) + 1)))
    x[:m] = np.array(edges[:m], F32)
    assert np.all(np.abs(x.astype(np.float64) / so) < 2.0**31 - 2**8)
    x = rng.permutation(x).reshape(shape)
    case = cc.Case(f"quantize{i}_f32_{dst}", "QUANTIZE", f"float32->{dst}", [], dst, shape)
    case.operands = [cc.Operand("float32", shape)]
    case.out_q = (so, zo)
    case.values = [x]
    return case


def _requantize(rng, i: int, src: str, dst: str) -> cc.Case:
    shape = _odd_shape(rng)
    si = float(F32(10 ** rng.uniform(-4, 1)))
    zi, zo = _zero_point(rng, src, i), _zero_point(rng, dst, i // 4 + 1)
    span = float(np.iinfo(src).max) - float(np.iinfo(src).min)  # |x - zi| <= span
    # (x - zi) << shift must stay in int32 (TFLM's x * (1 << shift) overflows otherwise) and
    # for int32 outputs the result plus the zero point too: the largest ratio allowed
    limit = 2.0**30 / span / 2
    # in / out ratios: equal scales (TFLM's multiplier 2^30, shift 1), exact powers of two,
    # < 1 down to below 2^-31 (multiplier 0), > 1 up to the limit
    kind = i % 5
    if kind == 0:
        ratio = 1.0
    elif kind == 1:
        ratio = 2.0 ** int(rng.integers(-12, 8))
    elif kind == 2:
        ratio = 10 ** rng.uniform(-5, 0)
    elif kind == 3:
        ratio = 10 ** rng.uniform(0, np.log10(limit))
    else:
        ratio = float(rng.choice([1e-10, 0.5 + 1e-7, 3.0, limit]))
    ratio = min(ratio, limit)
    so = float(F32(si / ratio))
    x = cc._ints(rng, src, shape)
    k = -np.log2(si / so)
    if 1 <= k <= 16 and k == int(k):  # a power of two < 1: a third of the products on .5
        info = np.iinfo(src)
        half = 2.0 ** (k - 1)
        odd = 2 * rng.integers(-(2**16), 2**16, x.size) + 1
        h = zi + odd * half
        h = np.where((h >= info.min) & (h <= info.max), h, zi + rng.choice([-1, 1], x.size) * half)
        pick = (rng.random(x.size) < 0.33) & (h >= info.min) & (h <= info.max)
        x.flat[np.flatnonzero(pick)] = h[pick].astype(src)
    if i % 2:  # the results centred in the output range (fewer saturate)
        mid = (int(x.max()) + int(x.min())) / 2 - zi
        lo, hi = {"int8": (-128, 127)}.get(dst, (-32768, 32767))
        zo = int(np.clip(round(-mid * si / so), lo, hi))
    case = cc.Case(f"quantize{i}_{src}_{dst}", "QUANTIZE", cc._label(src, dst), [], dst, shape)
    case.operands = [cc.Operand(src, shape, q=(si, zi))]
    case.out_q = (so, zo)
    case.values = [x]
    return case


def _dequantize(rng, i: int, src: str) -> cc.Case:
    shape = _odd_shape(rng)
    # up to 2^33 (int16: |x - zp| <= 65535 keeps the results below float32's max)
    exp = [-43.0, -30.0, -6.0, -2.0, 0.0, 3.0, 12.0, 33.0][i % 8]
    scale = float(F32(10 ** (exp + rng.uniform(0, 3.0 if exp < -40 else 0.5))))  # subnormal
    if i % 8 == 3:  # a power of two
        scale = float(F32(2.0 ** int(rng.integers(-40, 100))))
    zp = _zero_point(rng, src, i // 2)
    case = cc.Case(f"dequantize{i}_{src}", "DEQUANTIZE", f"{src}->float32", [], "float32", shape)
    case.operands = [cc.Operand(src, shape, q=(scale, zp))]
    case.values = [cc._ints(rng, src, shape)]
    return case


def generate(op: str, label: str, n: int, seed: int) -> list[cc.Case]:
    rng = np.random.default_rng(seed)
    src, _, dst = label.partition("->")
    dst = dst or src
    cases = []
    for i in range(n):
        if op in COMPARE:
            c = _compare(rng, op, i, src)
        elif op == "QUANTIZE" and src == "float32":
            c = _quantize_f32(rng, i, dst)
        elif op == "QUANTIZE":
            c = _requantize(rng, i, src, dst)
        elif op == "DEQUANTIZE":
            c = _dequantize(rng, i, src)
        else:
            raise ValueError(op)
        cases.append(c)
    return cases


def all_cases(n: int) -> list[cc.Case]:
    return [c for k, (op, lab) in enumerate(PAIRS) for c in generate(op, lab, n, 4100 + k)]
