"""Generated IF cases (lwai/frontend/control_flow.py): a run-time bool condition picks one of
two branch subgraphs (elementwise ops on one or two float32, int32 or bool operands; some
branches hold a nested IF of their own), packed many per image by tests/int_io_cases.py.
"""

from __future__ import annotations

import int_io_cases as ic
import numpy as np

from lwai.tflite_writer import ModelBuilder

DTYPES = ("float32", "int32", "bool", "int8")
QUANT = {"int8": (0.05, -3)}  # int8 data is quantized (scale, zero point), branches too
# dtype -> (unary ops, binary ops) TFLM runs on it
OPS = {
    "float32": (
        ("ABS", "NEG", "RELU", "TANH", "LOGISTIC", "SQUARE"),
        ("ADD", "SUB", "MUL", "MAXIMUM", "MINIMUM"),
    ),
    "int32": ((), ("ADD", "SUB", "MUL", "MAXIMUM", "MINIMUM")),
    "bool": (("LOGICAL_NOT",), ("LOGICAL_AND", "LOGICAL_OR")),
    "int8": (("RELU",), ("ADD", "MAXIMUM", "MINIMUM")),  # lwai kernels / exact on TVM
}


def _q(dtype: str) -> dict:
    return {"scale": QUANT[dtype][0], "zero_point": QUANT[dtype][1]} if dtype in QUANT else {}


def _branch(rng, dtype: str, n_in: int, depth: int) -> dict:
    """A recipe for one branch: {"op": name} or a nested IF {"if": (then, else)}."""
    if depth == 0 and dtype != "int8" and rng.random() < 0.25:  # (int8 LESS: no lwai kernel)
        return {"if": (_branch(rng, dtype, n_in, 1), _branch(rng, dtype, n_in, 1))}
    unary, binary = OPS[dtype]
    ops = binary if (n_in == 2 and rng.random() < 0.6) or not unary else unary
    return {"op": str(rng.choice(ops))}


def _values(rng, dtype: str, shape) -> np.ndarray:
    if dtype == "bool":
        return rng.random(shape) < 0.5
    if dtype == "int32":
        return rng.integers(-1000, 1000, shape).astype(np.int32)
    if dtype == "int8":
        return rng.integers(-128, 128, shape).astype(np.int8)
    return (rng.standard_normal(shape) * 3).astype(np.float32)


def generate(dtype: str, n: int, seed: int) -> list[ic.Case]:
    rng = np.random.default_rng(seed)
    cases = []
    for i in range(n):
        shape = tuple(int(d) for d in rng.integers(1, 6, int(rng.integers(1, 4))))
        n_in = 2 if not OPS[dtype][0] else int(rng.integers(1, 3))
        branches = (_branch(rng, dtype, n_in, 0), _branch(rng, dtype, n_in, 0))
        ops = [ic.Operand("bool", ())] + [ic.Operand(dtype, shape) for _ in range(n_in)]
        case = ic.Case(f"if{i}_{dtype}", "IF", ops, dtype, shape)
        case.options = {"branches": branches}
        cond = np.array(i % 2 == 0)  # both ways
        case.values = [cond] + [_values(rng, dtype, shape) for _ in range(n_in)]
        cases.append(case)
    return cases


def _subgraph(recipe: dict, dtype: str, shape, n_in: int, subgraphs: list[ModelBuilder]) -> int:
    """Appends the branch (and any nested branches) to ``subgraphs``; returns its index."""
    g = ModelBuilder()
    subgraphs.append(g)
    index = len(subgraphs)  # subgraph 0 is the main graph
    xs = [g.add_tensor(f"x{k}", shape, dtype, **_q(dtype)) for k in range(n_in)]
    y = g.add_tensor("y", shape, dtype, **_q(dtype))
    if "op" in recipe:
        op = recipe["op"]
        args = xs[:2] if op in OPS[dtype][1] else xs[:1]
        g.add_op(op, args * (2 if len(args) == 1 and op in OPS[dtype][1] else 1), [y])
    else:
        # The nested condition from the first element (SLICE, RESHAPE to a scalar): the
        # element itself for bool, else 0 < it.
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


def build(cases: list[ic.Case]) -> tuple[bytes, list[np.ndarray], dict]:
    """One model for IF and WHILE cases (their subgraphs appended in case order)."""
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
    return ic.build(cases, subgraphs, QUANT)


# ---- WHILE with a trip count fixed by constants (unrolled by lwai) ------------------------

WHILE_DTYPES = ("float32", "int32")
# dtype -> body updates of the data variable x: (op, constant operand or None for x op x)
WHILE_BODIES = {
    "float32": (("ADD", None), ("MUL", 0.75), ("SUB", 1.5), ("MAXIMUM", -0.5), ("TANH", None)),
    "int32": (("ADD", None), ("SUB", 7), ("MUL", -2), ("MAXIMUM", -30), ("MINIMUM", 40)),
}


def generate_while(dtype: str, n: int, seed: int) -> list[ic.Case]:
    """Loop variables (x, i): i from a constant start, ``i < limit`` (or ``<=``), i += step;
    x updated by one or two body ops. 0 to 6 trips."""
    rng = np.random.default_rng(seed)
    cases = []
    for k in range(n):
        shape = tuple(int(d) for d in rng.integers(1, 6, int(rng.integers(1, 4))))
        start, step = int(rng.integers(-2, 3)), int(rng.choice([1, 1, 2]))
        limit = start + int(rng.integers(0, 7)) * step
        cmp = str(rng.choice(["LESS", "LESS_EQUAL"]))
        picks = rng.choice(len(WHILE_BODIES[dtype]), int(rng.integers(1, 3)), replace=False)
        body = [WHILE_BODIES[dtype][int(p)] for p in picks]
        i0 = ic.Operand("int32", (), np.array(start, np.int32))
        case = ic.Case(f"while{k}_{dtype}", "WHILE", [ic.Operand(dtype, shape), i0], dtype, shape)
        case.options = {
            "extra_outputs": [((), "int32")],
            "loop": (cmp, limit, step, body),
        }
        lim = 100 if dtype == "int32" else 3
        case.values = [
            _values(rng, dtype, shape) % lim if dtype == "int32" else _values(rng, dtype, shape)
        ]
        cases.append(case)
    return cases


def _while_subgraphs(c: ic.Case, subgraphs: list[ModelBuilder]) -> tuple[int, int]:
    cmp, limit, step, body = c.options["loop"]
    dtype, shape = c.out_dtype, c.out_shape
    cond = ModelBuilder()
    x, i = cond.add_tensor("x", shape, dtype), cond.add_tensor("i", (), "int32")
    lim = cond.add_tensor("limit", (), "int32", data=np.array(limit, np.int32))
    go = cond.add_tensor("go", (), "bool")
    cond.add_op(cmp, [i, lim], [go])
    cond.inputs, cond.outputs = [x, i], [go]
    g = ModelBuilder()
    x, i = g.add_tensor("x", shape, dtype), g.add_tensor("i", (), "int32")
    s = g.add_tensor("step", (), "int32", data=np.array(step, np.int32))
    i2 = g.add_tensor("i2", (), "int32")
    g.add_op("ADD", [i, s], [i2])
    cur = x
    for j, (op, const) in enumerate(body):
        nxt = g.add_tensor(f"x{j}", shape, dtype)
        if const is None:
            g.add_op(op, [cur] if op == "TANH" else [cur, cur], [nxt])
        else:
            kt = g.add_tensor(f"k{j}", (), dtype, data=np.array(const, dtype))
            g.add_op(op, [cur, kt], [nxt])
        cur = nxt
    g.inputs, g.outputs = [x, i], [cur, i2]
    subgraphs += [cond, g]
    return len(subgraphs) - 1, len(subgraphs)


def build_while(cases: list[ic.Case]) -> tuple[bytes, list[np.ndarray], dict]:
    return build(cases)
