"""Generated int32/bool cases: integer, comparison, logical, CAST, SELECT_V2 and GATHER ops
whose graph inputs and outputs are int32, bool or float32.

Many cases share one image: every case's operands are SLICEd from one flat model input per
dtype (int32, float32, bool) and RESHAPEd to the case's shape, and every case's result is
RESHAPEd flat and CONCATENATEd into one model output per dtype. The images therefore have
at most three inputs and three outputs (the Cortex-M semihosting command line is short),
and their graph inputs and outputs are int32 and bool tensors. TFLite Micro runs the same
model as the reference: integer and bool results must be equal, float32 (CAST) too.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from lwai.tflite_writer import ModelBuilder

DTYPES = ("int32", "float32", "bool", "int64", "int8")  # int64, int8: tests/math_cells_cases.py
CONCAT_FANIN = 5  # results per output: <= 3 operands each + 1 <= 16 (the graph executor's limit)
ARITH = ("ADD", "SUB", "MUL", "MAXIMUM", "MINIMUM")  # int32 x int32 -> int32
COMPARE = ("LESS", "LESS_EQUAL", "GREATER", "GREATER_EQUAL", "EQUAL", "NOT_EQUAL")
LOGICAL = ("LOGICAL_AND", "LOGICAL_OR")
CASTS = (("int32", "float32"), ("float32", "int32"), ("bool", "int32"), ("bool", "float32"))
OPS = (*ARITH, *COMPARE, *LOGICAL, "LOGICAL_NOT", "CAST", "SELECT_V2", "GATHER")


@dataclass
class Operand:
    dtype: str
    shape: tuple[int, ...]
    data: np.ndarray | None = None  # None: sliced from the model input; else a constant


@dataclass
class Case:
    name: str
    op: str
    operands: list[Operand]
    out_dtype: str
    out_shape: tuple[int, ...]
    options: dict = field(default_factory=dict)
    values: list[np.ndarray] = field(default_factory=list)  # data of the sliced operands


def _shapes(rng) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]:
    """(a, b, broadcast result): same shapes, a scalar-like side, or numpy broadcasting."""
    rank = int(rng.integers(1, 5))
    a = tuple(int(d) for d in rng.integers(1, 6, rank))
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


def _values(rng, dtype: str, shape, op: str = "") -> np.ndarray:
    if dtype == "bool":
        return rng.random(shape) < 0.5
    if dtype == "float32":
        x = rng.standard_normal(shape).astype(np.float32) * np.float32(50.0)
        if op == "CAST":  # exact halves, negatives and +-0 for truncation toward zero
            x.flat[: min(3, x.size)] = np.array([-2.5, 0.5, -0.0], np.float32)[: min(3, x.size)]
        return x
    big = op in ("ADD", "SUB", "MAXIMUM", "MINIMUM") and rng.random() < 0.3
    lim = 2**30 if big else (2**15 if op == "MUL" else 1000)  # no int32 overflow (UB in C)
    x = rng.integers(-lim, lim, shape, dtype=np.int64).astype(np.int32)
    if op in COMPARE and x.size > 1:
        x.flat[0] = x.flat[-1]  # some equal pairs
    return x


def generate(op: str, n: int, seed: int) -> list[Case]:
    rng = np.random.default_rng(seed)
    cases = []
    for i in range(n):
        a, b, out = _shapes(rng)
        if op in ARITH:
            ops = [Operand("int32", a), Operand("int32", b)]
            case = Case(f"{op.lower()}{i}", op, ops, "int32", out)
        elif op in COMPARE:
            dt = "int32" if rng.random() < 0.5 else "float32"
            case = Case(f"{op.lower()}{i}_{dt}", op, [Operand(dt, a), Operand(dt, b)], "bool", out)
        elif op in LOGICAL:
            ops = [Operand("bool", a), Operand("bool", b)]
            case = Case(f"{op.lower()}{i}", op, ops, "bool", out)
        elif op == "LOGICAL_NOT":
            case = Case(f"not{i}", op, [Operand("bool", a)], "bool", a)
        elif op == "CAST":
            src, dst = CASTS[i % len(CASTS)]
            case = Case(f"cast{i}_{src}_{dst}", op, [Operand(src, a)], dst, a)
        elif op == "SELECT_V2":
            dt = "float32"  # TFLM's SELECT_V2 takes int8, int16 and float32 values only
            c_shape = a if rng.random() < 0.5 else b
            ops = [Operand("bool", c_shape), Operand(dt, a), Operand(dt, b)]
            full = tuple(np.broadcast_shapes(c_shape, a, b))
            case = Case(f"select{i}_{dt}", op, ops, dt, full)
        elif op == "GATHER":
            dt = "float32"  # TFLM's GATHER takes float32/int8 tables (no int32)
            params = tuple(int(d) for d in rng.integers(1, 6, int(rng.integers(1, 4))))
            axis = int(rng.integers(0, len(params)))
            idx_shape = tuple(int(d) for d in rng.integers(1, 5, int(rng.integers(1, 3))))
            p = Operand(dt, params, _values(rng, dt, params))  # constant table
            idx = Operand("int32", idx_shape)
            out_shape = params[:axis] + idx_shape + params[axis + 1 :]
            if rng.random() < 0.5:  # a negative axis counts from the end
                axis -= len(params)
            case = Case(f"gather{i}_{dt}_ax{axis}", op, [p, idx], dt, out_shape, {"axis": axis})
            case.values = [rng.integers(0, params[axis], idx_shape).astype(np.int32)]
            cases.append(case)
            continue
        else:
            raise ValueError(op)
        case.values = [_values(rng, o.dtype, o.shape, op) for o in case.operands]
        cases.append(case)
    return cases


def build(
    cases: list[Case],
    subgraphs: list | None = None,
    quant: dict | None = None,
    max_args: int | None = None,
) -> tuple[bytes, list[np.ndarray], dict]:
    """One model for all cases: (model, feeds [int32, float32, bool flat inputs present],
    layout: case name -> (output index, offset, size); "__outputs__": each output's dtype).
    ``subgraphs``: more subgraphs (IF branches); ``quant``: dtype -> (scale, zero point) every
    tensor of that dtype carries (quantized int8 operands and results);
    ``max_args``: pack results by their operand count (:func:`concat_groups`)."""
    quant = quant or {}

    def q(d: str) -> dict:
        return {"scale": quant[d][0], "zero_point": quant[d][1]} if d in quant else {}

    mb = ModelBuilder("lwai int/bool cases")
    sizes = {d: 0 for d in DTYPES}
    for c in cases:
        for o in c.operands:
            if o.data is None:
                sizes[o.dtype] += int(np.prod(o.shape))
    inputs = {d: mb.add_tensor(f"in_{d}", (n,), d, **q(d)) for d, n in sizes.items() if n}
    feeds = {d: [] for d in inputs}
    offsets = {d: 0 for d in DTYPES}
    results: dict[str, list[int]] = {d: [] for d in DTYPES}
    out_sizes = {d: 0 for d in DTYPES}
    layout = {}
    for j, c in enumerate(cases):
        args, values = [], iter(c.values)
        for k, o in enumerate(c.operands):
            if o.data is not None:
                args.append(mb.add_tensor(f"c{j}_k{k}", o.shape, o.dtype, data=o.data))
                continue
            n = int(np.prod(o.shape))
            begin = mb.add_tensor(f"c{j}_b{k}", (1,), "int32", data=[offsets[o.dtype]])
            size = mb.add_tensor(f"c{j}_s{k}", (1,), "int32", data=[n])
            flat = mb.add_tensor(f"c{j}_f{k}", (n,), o.dtype, **q(o.dtype))
            mb.add_op("SLICE", [inputs[o.dtype], begin, size], [flat])
            shaped = mb.add_tensor(f"c{j}_x{k}", o.shape, o.dtype, **q(o.dtype))
            mb.add_op("RESHAPE", [flat], [shaped], {"new_shape": list(o.shape)})
            args.append(shaped)
            feeds[o.dtype].append(np.asarray(next(values)).reshape(-1))
            offsets[o.dtype] += n
        y = mb.add_tensor(f"c{j}_y", c.out_shape, c.out_dtype, **q(c.out_dtype))
        extra = [  # outputs besides the checked one (WHILE's loop counter), left unused
            mb.add_tensor(f"c{j}_e{k}", shape, dtype)
            for k, (shape, dtype) in enumerate(c.options.get("extra_outputs", []))
        ]
        mb.add_op(c.op, args, [y, *extra], c.options)
        n_out = int(np.prod(c.out_shape))
        y_flat = mb.add_tensor(f"c{j}_yf", (n_out,), c.out_dtype, **q(c.out_dtype))
        mb.add_op("RESHAPE", [y], [y_flat], {"new_shape": [n_out]})
        results[c.out_dtype].append(y_flat)
        layout[c.name] = (c.out_dtype, out_sizes[c.out_dtype], n_out)
        out_sizes[c.out_dtype] += n_out
    # One output per CONCAT_FANIN results of a dtype: TVM fuses a concatenation with the
    # ops that produce its inputs into one function, whose tensors (each op's operands,
    # the output) the graph executor passes at most 16 of (the AOT code has no limit);
    # TFLM's CONCATENATION takes <= 10.
    outputs = []
    for d in DTYPES:
        costs = [_cost(c) for c in cases if c.out_dtype == d]
        g = 0
        for size in concat_groups(costs, max_args):
            group = results[d][g : g + size]
            n = sum(mb.tensors[t].shape[0] for t in group)
            t = mb.add_tensor(f"out_{d}_{g}", (n,), d, **q(d))
            mb.add_op("CONCATENATION", group, [t], {"axis": 0})
            outputs.append((d, g, t, size))
            g += size
    where = {}  # (dtype, result index) -> (output index, offset)
    for k, (d, g, _, size) in enumerate(outputs):
        off = 0
        for j, t in enumerate(results[d][g : g + size]):
            where[(d, g + j)] = (k, off)
            off += mb.tensors[t].shape[0]
    counters = {d: 0 for d in DTYPES}
    for c in cases:
        d, _, n = layout[c.name]
        k, off = where[(d, counters[d])]
        counters[d] += 1
        layout[c.name] = (k, off, n)
    mb.inputs = list(inputs.values())
    mb.subgraphs = list(subgraphs or [])  # IF branches (tests/control_flow_cases.py)
    mb.outputs = [t for _, _, t, _ in outputs]
    feed_list = [np.concatenate(feeds[d]).astype(d) for d in inputs]
    layout["__outputs__"] = [d for d, _, _, _ in outputs]
    return mb.build(), feed_list, layout


def _cost(c: Case) -> int:
    """Tensors a case's result brings into a fused concatenation: its sliced operands."""
    return max(1, sum(1 for o in c.operands if o.data is None))


def concat_groups(costs: list[int], max_args: int | None) -> list[int]:
    """Sizes of consecutive groups of results, one model output each: CONCAT_FANIN results,
    or with ``max_args`` as many as keep their operands + 1 output <= max_args (if TVM
    fuses every producer into the concatenation) and <= 10 (TFLM's CONCATENATION)."""
    if max_args is None:
        n = len(costs)
        return [min(CONCAT_FANIN, n - g) for g in range(0, n, CONCAT_FANIN)]
    sizes: list[int] = []
    used = size = 0
    for cost in costs:
        if size and (size == 10 or used + cost + 1 > max_args):
            sizes.append(size)
            used = size = 0
        used, size = used + cost, size + 1
    return sizes + [size] if size else sizes


def images(cases: list[Case], max_outputs: int, max_args: int | None = None) -> list[list[Case]]:
    """Consecutive groups of cases whose model has at most ``max_outputs`` outputs."""
    groups: list[list[Case]] = [[]]
    for c in cases:
        trial = groups[-1] + [c]
        per = {d: [_cost(x) for x in trial if x.out_dtype == d] for d in DTYPES}
        if sum(len(concat_groups(v, max_args)) for v in per.values()) > max_outputs:
            groups.append([c])
        else:
            groups[-1] = trial
    return groups


def tflm_outputs(model: bytes, feeds: list[np.ndarray]) -> list[np.ndarray]:
    from tflite_micro.python.tflite_micro import runtime

    it = runtime.Interpreter.from_bytes(model)
    for i, x in enumerate(feeds):
        it.set_input(x, i)
    it.invoke()
    return [it.get_output(i).copy() for i in range(len(model_outputs(model)))]


def model_outputs(model: bytes) -> list[int]:
    import tflite

    return list(tflite.Model.GetRootAsModel(model, 0).Subgraphs(0).OutputsAsNumpy())
