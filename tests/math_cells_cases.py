"""Generated single-op cases for the math, reduction and activation builtins TFLite Micro
registers for float32 / int8 / bool and lwai leaves to TVM's C code (or, for SUB float32, to
lwai's kernel): reductions with several, negative and repeated axes and keep_dims, ARG_MAX /
ARG_MIN over float32 and int8 with ties, L2_NORMALIZATION down to TFLite's epsilon, L2_POOL_2D
with SAME/VALID padding, LOG_SOFTMAX, PRELU with broadcast alphas, ELU, FLOOR_DIV / FLOOR_MOD
with mixed signs and exact multiples, the float activations (LOGISTIC across TFLite's
cutoffs), ADD_N and CUMSUM (exclusive, reverse).

Which dtypes: what TFLM's kernels take (probed with its interpreter): MEAN, SUM, REDUCE_MAX,
REDUCE_MIN float32 (int32/int64 are refused: "Only float32, int8, and int16"); ARG_MAX/ARG_MIN
float32 and int8 inputs with int32 output (TFLM: "Only int32_t are supported currently, got
INT64"); FLOOR_DIV/FLOOR_MOD, ADD_N, CUMSUM float32 only; DIV and SQUARED_DIFFERENCE also int32
(their float32 cells are tests/test_float_cells.py's); REDUCE_ALL bool (REDUCE_ANY,
REDUCE_PROD, GELU, RELU_N1_TO_1, RELU_0_TO_1 are not registered in TFLM). Quantized
(int8/int16) versions of the other ops are other files' work; the int8 ARG_MAX/ARG_MIN
inputs here are quantized (QUANT: TFLM's kernel compares the integers, and so does lwai).

Packed many per image by tests/int_io_cases.py (build, images, tflm_outputs).
"""

from __future__ import annotations

import int_io_cases as ic
import numpy as np

from lwai.tflite_writer import conv_output_size

QUANT = {"int8": (0.05, -3)}  # scale, zero point of the int8 operands (ic.build's quant)
REDUCE = ("MEAN", "SUM", "REDUCE_MAX", "REDUCE_MIN")
ACTIVATIONS = ("RELU", "RELU6", "LEAKY_RELU", "LOGISTIC", "TANH", "HARD_SWISH", "ELU")
# op -> dtype labels (CELLS of tests/test_math_cells.py); "int8->int32": int8 in, int32 out.
CELLS: dict[str, list[str]] = {
    **{op: ["float32"] for op in REDUCE},
    "REDUCE_ALL": ["bool"],
    "ARG_MAX": ["float32->int32", "int8->int32"],
    "ARG_MIN": ["float32->int32", "int8->int32"],
    "L2_NORMALIZATION": ["float32"],
    "L2_POOL_2D": ["float32"],
    "LOG_SOFTMAX": ["float32"],
    "PRELU": ["float32"],
    **{op: ["float32"] for op in ACTIVATIONS},
    "FLOOR_DIV": ["float32"],
    "FLOOR_MOD": ["float32"],
    "SUB": ["float32"],
    "ADD_N": ["float32"],
    "CUMSUM": ["float32"],
    "DIV": ["int32"],  # float32: tests/test_float_cells.py
    "SQUARED_DIFFERENCE": ["int32"],
}
# (op, label) pairs, in a fixed order (the seeds depend on it).
PAIRS: list[tuple[str, str]] = [(op, lab) for op, labels in CELLS.items() for lab in labels]


def _shape(rng, lo_rank=1, hi_rank=4, hi=6) -> tuple[int, ...]:
    rank = int(rng.integers(lo_rank, hi_rank + 1))
    return tuple(int(d) for d in rng.integers(1, hi, rank))


def _floats(rng, shape, scale=None) -> np.ndarray:
    scale = float(10.0 ** rng.uniform(-1, 1.5)) if scale is None else scale
    return (rng.standard_normal(shape) * scale).astype(np.float32)


def _const(dtype: str, data) -> ic.Operand:
    arr = np.asarray(data, dtype=dtype)
    return ic.Operand(dtype, arr.shape, arr)


def _axes(rng, rank: int) -> np.ndarray:
    """1..rank axes, some negative, sometimes one repeated (TFLite resolves duplicates)."""
    k = int(rng.integers(1, rank + 1))
    axes = [int(a) for a in rng.permutation(rank)[:k]]
    axes = [a - rank if rng.random() < 0.4 else a for a in axes]
    if rng.random() < 0.2:
        axes.append(axes[0] - rank if axes[0] >= 0 else axes[0] + rank)
    return np.asarray(axes, np.int32)


def _reduce(rng, op: str, i: int, dtype: str) -> ic.Case:
    shape = _shape(rng)
    axes = _axes(rng, len(shape))
    keep = bool(rng.random() < 0.5)
    norm = {int(a) % len(shape) for a in axes}
    out = tuple(1 if d in norm else n for d, n in enumerate(shape) if keep or d not in norm)
    axis_data = axes.reshape(()) if axes.size == 1 and rng.random() < 0.5 else axes
    ops = [ic.Operand(dtype, shape), _const("int32", axis_data)]
    name = f"{op.lower()}{i}_ax{'_'.join(map(str, axes))}{'_keep' if keep else ''}"
    case = ic.Case(name, op, ops, dtype, out, {"keep_dims": keep})
    if dtype == "bool":
        p = float(rng.choice([0.1, 0.5, 0.9]))
        case.values = [rng.random(shape) < p]
    else:
        case.values = [_floats(rng, shape)]
    return case


def _argminmax(rng, op: str, i: int, src: str) -> ic.Case:
    shape = _shape(rng)
    axis = int(rng.integers(0, len(shape)))
    out = shape[:axis] + shape[axis + 1 :]
    if rng.random() < 0.4:
        axis -= len(shape)
    axis_data = np.asarray([axis] if rng.random() < 0.5 else axis, np.int32)
    ops = [ic.Operand(src, shape), _const("int32", axis_data)]
    # A rank-1 input reduces to a scalar (shape ()).
    case = ic.Case(f"{op.lower()}{i}_{src}_ax{axis}", op, ops, "int32", out)
    case.options = {"output_type": "int32"}
    if src == "int8":  # few distinct values: ties (TFLM returns the first index)
        lim = 3 if rng.random() < 0.5 else 128
        case.values = [rng.integers(-lim, lim, shape).astype(np.int8)]
    else:
        x = _floats(rng, shape)
        if rng.random() < 0.5:
            x = np.round(x).astype(np.float32) * np.float32(0.5)
        case.values = [x]
    return case


def _l2norm(rng, i: int) -> ic.Case:
    shape = _shape(rng)
    x = _floats(rng, shape)
    rows = x.reshape(-1, shape[-1])
    mode = i % 4  # 1: a zero row, 2: a row with a norm below TFLite's 1e-6 epsilon
    if mode == 1:
        rows[0] = 0.0
    elif mode == 2:
        rows[0] = (rng.standard_normal(shape[-1]) * 1e-7).astype(np.float32)
    case = ic.Case(
        f"l2norm{i}", "L2_NORMALIZATION", [ic.Operand("float32", shape)], "float32", shape
    )
    case.values = [rows.reshape(shape)]
    return case


def _l2pool(rng, i: int) -> ic.Case:
    n, h, w, c = (int(rng.integers(1, 3)), *(int(d) for d in rng.integers(1, 7, 2)), 1)
    c = int(rng.integers(1, 4))
    fh, fw = (int(d) for d in rng.integers(1, 4, 2))
    sh, sw = (int(d) for d in rng.integers(1, 3, 2))
    pad = "SAME" if rng.random() < 0.5 or fh > h or fw > w else "VALID"
    act = str(rng.choice(["NONE", "NONE", "RELU", "RELU6"]))
    oh = conv_output_size(h, fh, sh, 1, pad)
    ow = conv_output_size(w, fw, sw, 1, pad)
    opts = {"padding": pad, "stride": (sh, sw), "filter": (fh, fw), "activation": act}
    shape = (n, h, w, c)
    name = f"l2pool{i}_{pad.lower()}_f{fh}x{fw}_s{sh}x{sw}_{act.lower()}"
    case = ic.Case(name, "L2_POOL_2D", [ic.Operand("float32", shape)], "float32", (n, oh, ow, c))
    case.options = opts
    case.values = [_floats(rng, shape, 2.0)]
    return case


def _unary(rng, op: str, i: int) -> ic.Case:
    shape = _shape(rng)
    case = ic.Case(f"{op.lower()}{i}", op, [ic.Operand("float32", shape)], "float32", shape)
    if op == "LOGISTIC":  # TFLite's cutoffs -9 and 16.62: exp(x) below, 1 above
        x = rng.uniform(-20, 20, shape).astype(np.float32)
    elif op == "HARD_SWISH":
        x = rng.uniform(-8, 8, shape).astype(np.float32)
    elif op == "ELU":  # small negatives: expm1, not exp - 1
        x = _floats(rng, shape, float(rng.choice([1e-3, 0.1, 3.0])))
    elif op == "LOG_SOFTMAX":
        x = _floats(rng, shape, float(rng.choice([0.5, 5.0, 30.0])))
    else:
        x = _floats(rng, shape, float(rng.choice([0.5, 3.0, 10.0])))
    if op == "LEAKY_RELU":
        case.options = {"alpha": float(rng.choice([0.01, 0.2, 0.5, 1.5]))}
    case.values = [x]
    return case


def _prelu(rng, i: int) -> ic.Case:
    shape = _shape(rng, 1, 4)
    k = int(rng.integers(1, len(shape) + 1))  # alpha: a suffix, some dims 1
    alpha_shape = tuple(d if rng.random() < 0.7 else 1 for d in shape[len(shape) - k :])
    alpha = rng.uniform(-0.5, 1.5, alpha_shape).astype(np.float32)
    ops = [ic.Operand("float32", shape), ic.Operand("float32", alpha_shape, alpha)]
    case = ic.Case(f"prelu{i}_a{'x'.join(map(str, alpha_shape))}", "PRELU", ops, "float32", shape)
    case.values = [_floats(rng, shape)]
    return case


def _binary(rng, op: str, i: int) -> ic.Case:
    a, b, out = ic._shapes(rng)
    ops = [ic.Operand("float32", a), ic.Operand("float32", b)]
    case = ic.Case(f"{op.lower()}{i}", op, ops, "float32", out)
    x, y = _floats(rng, a), _floats(rng, b)
    if op in ("FLOOR_DIV", "FLOOR_MOD"):
        y = np.where(np.abs(y) < 0.1, np.float32(0.75), y).astype(np.float32)
        if i % 3 == 0:  # exact multiples of one divisor: zero remainders of either sign
            v = np.float32(rng.choice([-2.5, -0.75, 0.5, 3.0]))
            y = np.full(b, v, np.float32)
            x = (rng.integers(-4, 5, a) * v).astype(np.float32)
    if op == "SUB":
        case.options = {"activation": str(rng.choice(["NONE", "RELU", "RELU6", "RELU_N1_TO_1"]))}
    case.values = [x, y]
    return case


def _int_binary(rng, op: str, i: int) -> ic.Case:
    """int32 DIV (TFLite truncates toward zero) and SQUARED_DIFFERENCE, no overflow."""
    a, b, out = ic._shapes(rng)
    ops = [ic.Operand("int32", a), ic.Operand("int32", b)]
    case = ic.Case(f"{op.lower()}{i}_int32", op, ops, "int32", out)
    lim = 2**14 if op == "SQUARED_DIFFERENCE" else 2**31 - 1
    x = rng.integers(-lim, lim, a, dtype=np.int64).astype(np.int32)
    y = rng.integers(-lim, lim, b, dtype=np.int64).astype(np.int32)
    if op == "DIV":  # small divisors of both signs (never 0), and exact multiples
        y = rng.integers(1, 50, b).astype(np.int32) * rng.choice([-1, 1], b).astype(np.int32)
        if i % 3 == 0:
            x = (rng.integers(-9, 10, a) * (int(y.flat[0]) if y.size == 1 else 1)).astype(np.int32)
    case.values = [x, y]
    return case


def _add_n(rng, i: int) -> ic.Case:
    shape = _shape(rng)
    n = int(rng.integers(2, 5))
    ops = [ic.Operand("float32", shape) for _ in range(n)]
    case = ic.Case(f"add_n{i}_{n}", "ADD_N", ops, "float32", shape)
    case.values = [_floats(rng, shape) for _ in range(n)]
    return case


def _cumsum(rng, i: int) -> ic.Case:
    shape = _shape(rng)
    axis = int(rng.integers(0, len(shape)))
    if rng.random() < 0.4:
        axis -= len(shape)
    opts = {"exclusive": bool(i % 2), "reverse": bool((i // 2) % 2)}
    ops = [ic.Operand("float32", shape), _const("int32", np.int32(axis))]
    name = f"cumsum{i}_ax{axis}{'_excl' if opts['exclusive'] else ''}"
    case = ic.Case(name + ("_rev" if opts["reverse"] else ""), "CUMSUM", ops, "float32", shape)
    case.options = opts
    case.values = [_floats(rng, shape)]
    return case


def generate(op: str, label: str, n: int, seed: int) -> list[ic.Case]:
    rng = np.random.default_rng(seed)
    src = label.split("->")[0]
    cases = []
    for i in range(n):
        if op in REDUCE or op == "REDUCE_ALL":
            c = _reduce(rng, op, i, src)
        elif op in ("ARG_MAX", "ARG_MIN"):
            c = _argminmax(rng, op, i, src)
        elif op == "L2_NORMALIZATION":
            c = _l2norm(rng, i)
        elif op == "L2_POOL_2D":
            c = _l2pool(rng, i)
        elif op in ACTIVATIONS or op == "LOG_SOFTMAX":
            c = _unary(rng, op, i)
        elif op == "PRELU":
            c = _prelu(rng, i)
        elif op in ("FLOOR_DIV", "FLOOR_MOD", "SUB"):
            c = _binary(rng, op, i)
        elif op in ("DIV", "SQUARED_DIFFERENCE"):
            c = _int_binary(rng, op, i)
        elif op == "ADD_N":
            c = _add_n(rng, i)
        elif op == "CUMSUM":
            c = _cumsum(rng, i)
        else:
            raise ValueError(op)
        cases.append(c)
    return cases


def all_cases(n: int) -> list[ic.Case]:
    return [c for k, (op, lab) in enumerate(PAIRS) for c in generate(op, lab, n, 1700 + k)]
