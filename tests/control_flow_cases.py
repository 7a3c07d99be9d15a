"""Generated IF and WHILE cases (lwai/frontend/control_flow.py) for every data dtype TFLite
Micro's IF/WHILE carry: float32, int32, bool, int64 and quantized int8, int16, uint8.

- IF: a run-time bool condition picks one of two branch subgraphs (ops on one or two
  operands of the dtype; float32/int32/bool branches sometimes hold a nested IF).
- WHILE: loop variables (x, i), a trip count fixed by constants (0 to 5 trips), x updated by
  one or two body ops.

Branch and body ops are ones lwai computes exactly on the dtype (OPS, WHILE_BODIES):
quantized int8/int16 data through lwai's kernels (ADD, SUB, RELU, ABS) or exact TVM
clamps/moves (MAXIMUM, MINIMUM); int64 MAXIMUM/MINIMUM/REVERSE_V2 (TVM C on integers);
uint8 (TFLM has no arithmetic on it) REVERSE_V2 and "OP@int8": QUANTIZE to
int8 of the same scale (zero points 128 apart: bit 7 flipped, exact), the int8 op, QUANTIZE
back.

Packing (many cases per image): operands are cut from one flat model input per dtype
(int8/int16/int32/float32 by SPLIT_V trees, lwai's split kernel; bool by SLICE); uint8 ones
from the int8 input through a QUANTIZE (as tests/cast_cases.py), int64 ones RESHAPEd from
one of two shared int64 inputs (TFLM's SLICE/SPLIT take no int64; a second int64 operand
is a per-case constant). Results are RESHAPEd flat (uint8 QUANTIZEd back to int8) and
concatenated per dtype (tests/data_movement_cases.py's tree). Every tensor of a quantized
dtype carries QUANT.
"""

from __future__ import annotations

import data_movement_cases as dc
import int_io_cases as ic
import numpy as np

from lwai.tflite_writer import ModelBuilder

DTYPES = ("float32", "int32", "bool", "int8", "int16", "int64", "uint8")
# int8 and uint8 share a scale, zero points 128 apart: uint8 <-> int8 QUANTIZE flips bit 7.
QUANT = {"int8": (0.05, -3), "int16": (0.002, 0), "uint8": (0.05, 125)}
# dtype -> (unary ops, binary ops) lwai computes exactly as TFLM on it
OPS = {
    "float32": (
        ("ABS", "NEG", "RELU", "TANH", "LOGISTIC", "SQUARE"),
        ("ADD", "SUB", "MUL", "MAXIMUM", "MINIMUM"),
    ),
    "int32": ((), ("ADD", "SUB", "MUL", "MAXIMUM", "MINIMUM")),
    "bool": (("LOGICAL_NOT",), ("LOGICAL_AND", "LOGICAL_OR")),
    "int8": (("RELU",), ("ADD", "MAXIMUM", "MINIMUM")),
    "int16": (("RELU", "ABS"), ("ADD", "SUB", "MAXIMUM", "MINIMUM")),
    "int64": (("REVERSE_V2",), ("MAXIMUM", "MINIMUM")),
    "uint8": (("REVERSE_V2",), ("ADD@int8", "MAXIMUM@int8", "MINIMUM@int8")),
}
NESTED = ("float32", "int32", "bool")  # nested IF conditions need SLICE/LESS on the dtype
# Shared int64 inputs: size -> shapes of the operands RESHAPEd from it.
INT64_SHAPES = {
    12: [(12,), (3, 4), (2, 3, 2), (4, 1, 3)],
    30: [(30,), (5, 6), (2, 3, 5), (3, 1, 10)],
}


def _q(dtype: str) -> dict:
    return {"scale": QUANT[dtype][0], "zero_point": QUANT[dtype][1]} if dtype in QUANT else {}


def int64_feed(size: int) -> np.ndarray:
    """The values of the shared int64 input of ``size`` elements: beyond int32, and small."""
    rng = np.random.default_rng(6500 + size)
    x = rng.integers(-(2**62), 2**62, size, dtype=np.int64)
    x[::3] = rng.integers(-100, 100, len(x[::3]))
    return x


def _values(rng, dtype: str, shape) -> np.ndarray:
    if dtype == "bool":
        return rng.random(shape) < 0.5
    if dtype == "int32":
        return rng.integers(-1000, 1000, shape).astype(np.int32)
    if dtype in ("int8", "int16", "uint8"):
        info = np.iinfo(dtype)
        return rng.integers(info.min, info.max, shape, endpoint=True).astype(dtype)
    if dtype == "int64":
        return rng.integers(-(2**62), 2**62, shape, dtype=np.int64)
    return (rng.standard_normal(shape) * 3).astype(np.float32)


def _shape(rng, dtype: str) -> tuple[int, ...]:
    if dtype == "int64":
        size = int(rng.choice(list(INT64_SHAPES)))
        shapes = INT64_SHAPES[size]
        return shapes[int(rng.integers(0, len(shapes)))]
    return tuple(int(d) for d in rng.integers(1, 6, int(rng.integers(1, 4))))


def _operands(rng, dtype: str, shape, n_in: int) -> tuple[list[ic.Operand], list[np.ndarray]]:
    """The data operands and the values of the sliced ones (int64: the shared input's)."""
    if dtype == "int64":
        ops = [ic.Operand(dtype, shape)]
        vals = [int64_feed(int(np.prod(shape))).reshape(shape)]
        if n_in == 2:
            ops.append(ic.Operand(dtype, shape, _values(rng, dtype, shape)))
        return ops, vals
    return [ic.Operand(dtype, shape) for _ in range(n_in)], [
        _values(rng, dtype, shape) for _ in range(n_in)
    ]


def _branch(rng, dtype: str, n_in: int, depth: int, rank: int) -> dict:
    """A recipe for one branch: {"op": name} or a nested IF {"if": (then, else)}."""
    if depth == 0 and dtype in NESTED and rng.random() < 0.25:
        return {"if": (_branch(rng, dtype, n_in, 1, rank), _branch(rng, dtype, n_in, 1, rank))}
    unary, binary = OPS[dtype]
    ops = binary if (n_in == 2 and rng.random() < 0.6) or not unary else unary
    return {"op": str(rng.choice(ops)), "axis": int(rng.integers(0, rank))}


def generate(dtype: str, n: int, seed: int) -> list[ic.Case]:
    rng = np.random.default_rng(seed)
    cases = []
    for i in range(n):
        shape = _shape(rng, dtype)
        n_in = 2 if not OPS[dtype][0] else int(rng.integers(1, 3))
        branches = tuple(_branch(rng, dtype, n_in, 0, len(shape)) for _ in range(2))
        data, values = _operands(rng, dtype, shape, n_in)
        case = ic.Case(f"if{i}_{dtype}", "IF", [ic.Operand("bool", ()), *data], dtype, shape)
        case.options = {"branches": branches}
        case.values = [np.array(i % 2 == 0), *values]  # both ways
        cases.append(case)
    return cases


def _emit(g: ModelBuilder, op: dict, args: list[int], dtype: str, shape, tag: str) -> int:
    """Emits branch/body op ``op`` ({"op", "axis"}) on ``args``; returns its result tensor."""
    name = op["op"]
    y = g.add_tensor(f"{tag}_y", shape, dtype, **_q(dtype))
    if name == "REVERSE_V2":
        axis = g.add_tensor(f"{tag}_ax", (1,), "int32", data=np.array([op["axis"]], np.int32))
        g.add_op(name, [args[0], axis], [y])
    elif name.endswith("@int8"):  # uint8 through int8 of the same scale (bit 7 flipped)
        q8 = []
        for k, a in enumerate(args):
            t = g.add_tensor(f"{tag}_q{k}", shape, "int8", **_q("int8"))
            g.add_op("QUANTIZE", [a], [t])
            q8.append(t)
        r = g.add_tensor(f"{tag}_r", shape, "int8", **_q("int8"))
        g.add_op(name[: -len("@int8")], q8, [r])
        g.add_op("QUANTIZE", [r], [y])
    else:
        g.add_op(name, args, [y])
    return y


def _subgraph(recipe: dict, dtype: str, shape, n_in: int, subgraphs: list[ModelBuilder]) -> int:
    """Appends the branch (and any nested branches) to ``subgraphs``; returns its index."""
    g = ModelBuilder()
    subgraphs.append(g)
    index = len(subgraphs)  # subgraph 0 is the main graph
    xs = [g.add_tensor(f"x{k}", shape, dtype, **_q(dtype)) for k in range(n_in)]
    if "op" in recipe:
        binary = recipe["op"] in OPS[dtype][1]
        args = xs[:2] if binary else xs[:1]
        y = _emit(g, recipe, args * (2 if len(args) == 1 and binary else 1), dtype, shape, "b")
    else:
        # The nested condition from the first element (SLICE, RESHAPE to a scalar): the
        # element itself for bool, else 0 < it.
        y = g.add_tensor("y", shape, dtype, **_q(dtype))
        begin = g.add_tensor("b", (len(shape),), "int32", data=np.zeros(len(shape), np.int32))
        size = g.add_tensor("s", (len(shape),), "int32", data=np.ones(len(shape), np.int32))
        one = g.add_tensor("one", tuple(1 for _ in shape), dtype)
        first = g.add_tensor("first", (), dtype)
        g.add_op("SLICE", [xs[0], begin, size], [one])
        g.add_op("RESHAPE", [one], [first], {"new_shape": []})
        c = first
        if dtype != "bool":
            c = g.add_tensor("c", (), "bool")
            zero = g.add_tensor("zero", (), dtype, data=np.zeros((), dtype))
            g.add_op("LESS", [zero, first], [c])
        t_idx = _subgraph(recipe["if"][0], dtype, shape, n_in, subgraphs)
        e_idx = _subgraph(recipe["if"][1], dtype, shape, n_in, subgraphs)
        opts = {"then_subgraph_index": t_idx, "else_subgraph_index": e_idx}
        g.add_op("IF", [c, *xs], [y], opts)
    g.inputs, g.outputs = xs, [y]
    return index


# ---- WHILE with a trip count fixed by constants (unrolled by lwai) ------------------------

WHILE_DTYPES = DTYPES
# dtype -> body updates of the data variable x: (op, constant operand: a value of the dtype
# (raw integers for quantized dtypes), "rand" for a per-case array, or None for x op x / a
# unary op)
WHILE_BODIES = {
    "float32": (("ADD", None), ("MUL", 0.75), ("SUB", 1.5), ("MAXIMUM", -0.5), ("TANH", None)),
    "int32": (("ADD", None), ("SUB", 7), ("MUL", -2), ("MAXIMUM", -30), ("MINIMUM", 40)),
    "bool": (("LOGICAL_NOT", None), ("LOGICAL_AND", "rand"), ("LOGICAL_OR", "rand")),
    "int8": (("ADD", None), ("ADD", 9), ("MAXIMUM", -20), ("MINIMUM", 50), ("RELU", None)),
    "int16": (("ADD", None), ("SUB", 900), ("MAXIMUM", -7000), ("ABS", None), ("RELU", None)),
    "int64": (("MAXIMUM", -(2**40)), ("MINIMUM", 2**50), ("REVERSE_V2", None)),
    "uint8": (("REVERSE_V2", None), ("ADD@int8", 7), ("MAXIMUM@int8", -40)),
}
_UNARY = ("TANH", "RELU", "ABS", "LOGICAL_NOT", "REVERSE_V2")


def generate_while(dtype: str, n: int, seed: int) -> list[ic.Case]:
    """Loop variables (x, i): i from a constant start, ``i < limit`` (or ``<=``), i += step;
    x updated by one or two body ops. 0 to 5 trips."""
    rng = np.random.default_rng(seed)
    cases = []
    for k in range(n):
        shape = _shape(rng, dtype)
        start, step = int(rng.integers(-2, 3)), int(rng.choice([1, 1, 2]))
        cmp = str(rng.choice(["LESS", "LESS_EQUAL"]))
        limit = start + (k % 6 - (cmp == "LESS_EQUAL")) * step  # k % 6 trips
        # one body op, two in every fourth case (the unrolled ops are most of the CPU time)
        picks = rng.choice(len(WHILE_BODIES[dtype]), 1 + (k % 4 == 3), replace=False)
        body = []
        for p in picks:
            op, const = WHILE_BODIES[dtype][int(p)]
            if isinstance(const, str):
                const = _values(rng, dtype, shape)
            body.append((op, const))
        i0 = ic.Operand("int32", (), np.array(start, np.int32))
        data, values = _operands(rng, dtype, shape, 1)
        case = ic.Case(f"while{k}_{dtype}", "WHILE", [*data, i0], dtype, shape)
        case.options = {
            "extra_outputs": [((), "int32")],
            "loop": (cmp, limit, step, body),
            "axis": int(rng.integers(0, len(shape))),
        }
        case.values = [values[0] % 100 if dtype == "int32" else values[0]]
        cases.append(case)
    return cases


def _while_subgraphs(c: ic.Case, subgraphs: list[ModelBuilder]) -> tuple[int, int]:
    cmp, limit, step, body = c.options["loop"]
    dtype, shape = c.out_dtype, c.out_shape
    cond = ModelBuilder()
    x, i = cond.add_tensor("x", shape, dtype, **_q(dtype)), cond.add_tensor("i", (), "int32")
    lim = cond.add_tensor("limit", (), "int32", data=np.array(limit, np.int32))
    go = cond.add_tensor("go", (), "bool")
    cond.add_op(cmp, [i, lim], [go])
    cond.inputs, cond.outputs = [x, i], [go]
    g = ModelBuilder()
    x, i = g.add_tensor("x", shape, dtype, **_q(dtype)), g.add_tensor("i", (), "int32")
    s = g.add_tensor("step", (), "int32", data=np.array(step, np.int32))
    i2 = g.add_tensor("i2", (), "int32")
    g.add_op("ADD", [i, s], [i2])
    cur = x
    for j, (op, const) in enumerate(body):
        recipe = {"op": op, "axis": c.options["axis"]}
        if const is None:
            args = [cur] if op in _UNARY else [cur, cur]
        else:
            kd = "int8" if op.endswith("@int8") else dtype
            value = np.array(const, kd)
            kt = g.add_tensor(f"k{j}", value.shape, kd, data=value, **_q(kd))
            if op.endswith("@int8"):  # the constant is int8 already: quantize x only
                xq = g.add_tensor(f"x{j}_q", shape, "int8", **_q("int8"))
                g.add_op("QUANTIZE", [cur], [xq])
                r = g.add_tensor(f"x{j}_r", shape, "int8", **_q("int8"))
                g.add_op(op[: -len("@int8")], [xq, kt], [r])
                nxt = g.add_tensor(f"x{j}", shape, dtype, **_q(dtype))
                g.add_op("QUANTIZE", [r], [nxt])
                cur = nxt
                continue
            args = [cur, kt]
        cur = _emit(g, recipe, args, dtype, shape, f"x{j}")
    g.inputs, g.outputs = [x, i], [cur, i2]
    subgraphs += [cond, g]
    return len(subgraphs) - 1, len(subgraphs)


# ---- packing ------------------------------------------------------------------------------

SPLIT_DTYPES = ("int8", "int16", "int32", "float32")  # lwai's split kernel, TFLM's SPLIT_V


def _flat(d: str) -> str:
    return "int8" if d == "uint8" else d


def build(cases: list[ic.Case]) -> tuple[bytes, list[np.ndarray], dict]:
    """One model for IF and WHILE cases: (model, feeds, layout: case name -> (output index,
    offset, size))."""
    mb = ModelBuilder("lwai control flow cases")
    subgraphs: list[ModelBuilder] = []
    for c in cases:
        if c.op == "WHILE":
            cond_k, body_k = _while_subgraphs(c, subgraphs)
            c.options = {**c.options, "cond_subgraph_index": cond_k, "body_subgraph_index": body_k}
            continue
        n_in, dtype = len(c.operands) - 1, c.out_dtype
        t_idx = _subgraph(c.options["branches"][0], dtype, c.out_shape, n_in, subgraphs)
        e_idx = _subgraph(c.options["branches"][1], dtype, c.out_shape, n_in, subgraphs)
        c.options = {**c.options, "then_subgraph_index": t_idx, "else_subgraph_index": e_idx}
    # the sliced operands, per flat input dtype, in case order
    parts: dict[str, list[tuple[int, int, np.ndarray]]] = {}
    for j, c in enumerate(cases):
        values = iter(c.values)
        for k, o in enumerate(c.operands):
            if o.data is None and o.dtype != "int64":
                v = np.asarray(next(values), o.dtype)
                if o.dtype == "uint8":  # carried as int8, bit 7 flipped
                    v = (v.astype(np.int16) - 128).astype(np.int8)
                parts.setdefault(_flat(o.dtype), []).append((j, k, v))
    feeds, cut = [], {}
    for d, items in parts.items():
        flat = mb.add_tensor(f"in_{d}", (sum(v.size for *_, v in items),), d, **_q(d))
        mb.inputs.append(flat)
        feeds.append(np.concatenate([v.reshape(-1) for *_, v in items]).astype(d))
        if d in SPLIT_DTYPES:
            pieces = dc._split_tree(mb, flat, [v.size for *_, v in items], d, _q(d))
        else:
            pieces, off = [], 0
            for j, k, v in items:
                b = mb.add_tensor(f"c{j}_b{k}", (1,), "int32", data=[off])
                s = mb.add_tensor(f"c{j}_s{k}", (1,), "int32", data=[v.size])
                t = mb.add_tensor(f"c{j}_f{k}", (v.size,), d, **_q(d))
                mb.add_op("SLICE", [flat, b, s], [t])
                pieces.append(t)
                off += v.size
        for (j, k, _), t in zip(items, pieces):
            cut[(j, k)] = t
    shared = {}
    for c in cases:
        for o in c.operands:
            n = int(np.prod(o.shape))
            if o.dtype == "int64" and o.data is None and n not in shared:
                shared[n] = mb.add_tensor(f"in_int64_{n}", (n,), "int64")
                mb.inputs.append(shared[n])
                feeds.append(int64_feed(n))
    results: dict[str, list[tuple[int, int]]] = {}
    index = {}
    for j, c in enumerate(cases):
        args = []
        for k, o in enumerate(c.operands):
            if o.data is not None:
                args.append(
                    mb.add_tensor(f"c{j}_k{k}", o.shape, o.dtype, data=o.data, **_q(o.dtype))
                )
                continue
            shaped = mb.add_tensor(f"c{j}_x{k}", o.shape, o.dtype, **_q(o.dtype))
            if o.dtype == "int64":
                src = shared[int(np.prod(o.shape))]
            else:
                src = cut[(j, k)]
            if o.dtype == "uint8":
                q8 = mb.add_tensor(f"c{j}_q{k}", o.shape, "int8", **_q("int8"))
                mb.add_op("RESHAPE", [src], [q8], {"new_shape": list(o.shape)})
                mb.add_op("QUANTIZE", [q8], [shaped])
            else:
                mb.add_op("RESHAPE", [src], [shaped], {"new_shape": list(o.shape)})
            args.append(shaped)
        d = c.out_dtype
        y = mb.add_tensor(f"c{j}_y", c.out_shape, d, **_q(d))
        extra = [
            mb.add_tensor(f"c{j}_e{k}", shape, dt)
            for k, (shape, dt) in enumerate(c.options.get("extra_outputs", []))
        ]
        opts = {k: v for k, v in c.options.items() if k.endswith("_subgraph_index")}
        mb.add_op(c.op, args, [y, *extra], opts)
        n = int(np.prod(c.out_shape))
        yf = mb.add_tensor(f"c{j}_yf", (n,), d, **_q(d))
        mb.add_op("RESHAPE", [y], [yf], {"new_shape": [n]})
        if d == "uint8":  # back to int8, bit 7 flipped
            y8 = mb.add_tensor(f"c{j}_y8", (n,), "int8", **_q("int8"))
            mb.add_op("QUANTIZE", [yf], [y8])
            yf = y8
        index[c.name] = (_flat(d), len(results.setdefault(_flat(d), [])))
        results[_flat(d)].append((yf, n))
    layout = {}
    for d, res in results.items():
        outs, where = dc._concat_tree(mb, res, d, d, _q(d))
        base = len(mb.outputs)
        mb.outputs += outs
        for name, (dd, r) in index.items():
            if dd == d:
                k, off, n = where[r]
                layout[name] = (base + k, off, n)
    mb.subgraphs = subgraphs
    return mb.build(), feeds, layout


def files(cases: list[ic.Case]) -> int:
    """Model inputs + outputs of :func:`build` (the semihosting command line holds ~14)."""
    _, feeds, layout = build(cases)
    return len(feeds) + 1 + max(k for k, _, _ in layout.values())
