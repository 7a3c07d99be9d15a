"""Generated quantized MEAN, SUM, REDUCE_MAX, REDUCE_MIN, L2_NORMALIZATION, LOG_SOFTMAX and
RESIZE_BILINEAR cases (lwai/frontend/reduce_ops.py), packed many to a model.

Every case's input is SLICEd from one flat model input per dtype (int8, int16) and
RESHAPEd to the case's shape; its result is RESHAPEd flat, SLICEd and CONCATENATEd with
up to CONCAT_FANIN others into one model output per group. The plumbing tensors carry no
quantization (TFLM copies their bytes, TVM moves them as raw integers); only each case's
own op sees its input and output scale and zero point. So one image holds up to ~100
cases with two inputs and a dozen outputs (the Cortex-M semihosting command line is
short), and TFLite Micro runs the same model as the reference.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from lwai.frontend.reduce_ops import reduce_geometry
from lwai.tflite_writer import ModelBuilder

# builtin -> the dtypes TFLite Micro computes it in besides float32 (probed: REDUCE_PROD is
# not registered, EXP is float32 only, int16 REDUCE_MAX/MIN, L2_NORMALIZATION, LOG_SOFTMAX
# and RESIZE_BILINEAR fail in TFLM).
CELLS: dict[str, list[str]] = {
    "MEAN": ["int8", "int16"],
    "SUM": ["int8", "int16"],
    "REDUCE_MAX": ["int8"],
    "REDUCE_MIN": ["int8"],
    "L2_NORMALIZATION": ["int8"],
    "LOG_SOFTMAX": ["int8"],
    "RESIZE_BILINEAR": ["int8"],
}
PAIRS = [(op, dt) for op, dts in CELLS.items() for dt in dts]
DTYPES = ("int8", "int16")
CONCAT_FANIN = 10  # TFLM's CONCATENATION takes <= 10 inputs; + 1 output <= 16 TVM args


@dataclass
class Case:
    name: str
    op: str
    dtype: str
    shape: tuple[int, ...]
    out_shape: tuple[int, ...]
    q_in: tuple[float, int]
    q_out: tuple[float, int]
    const: np.ndarray | None = None  # the axis or size tensor
    options: dict = field(default_factory=dict)
    value: np.ndarray | None = None


def _q(rng, dtype: str, lo: float = -3.0, hi: float = 0.0) -> tuple[float, int]:
    s = float(np.float32(10 ** rng.uniform(lo, hi)))
    if dtype == "int16":
        return s, 0
    return s, int(rng.choice([-128, 127, 0, *rng.integers(-128, 128, 2)]))


def _values(rng, dtype: str, shape, zp: int = 0) -> np.ndarray:
    info = np.iinfo(dtype)
    x = rng.integers(info.min, info.max + 1, size=shape)
    if x.size > 2 and rng.random() < 0.3:  # runs at the zero point and at the extremes
        x.flat[: x.size // 3] = zp
        x.flat[-1] = info.max if rng.random() < 0.5 else info.min
    return x.astype(dtype)


def _reduce_shape(rng) -> tuple[tuple[int, ...], list[int], tuple[int, ...]]:
    """(shape, axes as given (negative, repeated sometimes), resolved axes)."""
    while True:
        rank = int(rng.integers(1, 6))
        shape = tuple(int(d) for d in rng.integers(1, 8, size=rank))
        k = int(rng.integers(1, rank + 1))  # lwai refuses the empty axis tensor of 0 axes
        resolved = sorted(int(a) for a in rng.choice(rank, size=k, replace=False))
        if reduce_geometry(shape, resolved) is None:
            continue
        axes = [a - rank if rng.random() < 0.4 else a for a in resolved]
        if axes and rng.random() < 0.2:
            axes.append(axes[0])  # TFLite resolves repeated axes
        rng.shuffle(axes)
        return shape, axes, tuple(resolved)


def _reduced(shape, resolved, keep: bool) -> tuple[int, ...]:
    if keep:
        return tuple(1 if i in resolved else d for i, d in enumerate(shape))
    return tuple(d for i, d in enumerate(shape) if i not in resolved)


def reduce_cases(op: str, dtype: str, n: int, seed: int) -> list[Case]:
    rng = np.random.default_rng(seed)
    cases = []
    for k in range(n):
        shape, axes, resolved = _reduce_shape(rng)
        if k == 1:  # a long reduction: MEAN's shift clamp and a large zero point * count
            shape, axes, resolved = (2, 40, 33), [-1, 1], (1, 2)
        keep = bool(rng.random() < 0.5)
        out_shape = _reduced(shape, resolved, keep)
        q_in = _q(rng, dtype)
        if op in ("REDUCE_MAX", "REDUCE_MIN") or k % 5 == 0:
            q_out = q_in  # equal quantization (required for MAX/MIN)
        elif op == "SUM":
            q_out = (float(np.float32(q_in[0] * 10 ** rng.uniform(-1, 2.5))), _q(rng, dtype)[1])
        else:
            q_out = (float(np.float32(q_in[0] * 10 ** rng.uniform(-1.5, 1.5))), _q(rng, dtype)[1])
        if k == 3 and op in ("MEAN", "SUM"):  # output scale far below the input's: shift > 0
            q_out = (float(np.float32(q_in[0] / 3000.0)), q_out[1])
        if k == 4 and op == "MEAN":  # so tiny a ratio that 31 + shift limits the 1/count fold
            shape, axes, resolved = (3, 25, 30), [1, 2], (1, 2)
            out_shape = _reduced(shape, resolved, keep)
            q_out = (float(np.float32(q_in[0] * 2.0**24)), q_out[1])
        c = Case(f"{op.lower()}_{dtype}[{k}]", op, dtype, shape, out_shape, q_in, q_out)
        c.const = np.array(axes, np.int32)
        c.options = {"keep_dims": keep}
        c.value = _values(rng, dtype, shape, q_in[1])
        cases.append(c)
    return cases


def _rows_shape(rng, max_depth: int = 24) -> tuple[int, ...]:
    rank = int(rng.integers(1, 5))
    shape = [int(d) for d in rng.integers(1, 5, size=rank)]
    shape[-1] = int(rng.integers(1, max_depth + 1))
    return tuple(shape)


def l2norm_cases(n: int, seed: int) -> list[Case]:
    """Input zero points at the edges, rows of all zero point (sum 0: TFLite's special
    case), of one nonzero element and of saturating values."""
    rng = np.random.default_rng(seed)
    cases = []
    for k in range(n):
        shape = _rows_shape(rng, 40)
        q_in = _q(rng, "int8")
        c = Case(
            f"l2_normalization_int8[{k}]",
            "L2_NORMALIZATION",
            "int8",
            shape,
            shape,
            q_in,
            (1.0 / 128, 0),
        )
        x = _values(rng, "int8", shape, q_in[1])
        if k % 4 == 1:
            x[...] = q_in[1]
            x.reshape(-1, shape[-1])[:, 0] = np.int8(max(-128, min(127, q_in[1] + 1)))
        if k % 4 == 2:
            x.reshape(-1, shape[-1])[0, :] = q_in[1]
        if k == 3:  # a sum of squares above 2^29: the inverse root's range reduction
            shape, q_in = (1, 9000), (q_in[0], -128)
            c = Case(c.name, c.op, "int8", shape, shape, q_in, c.q_out)
            x = np.full(shape, 127, np.int8)
            x[0, ::7] = -100
        c.value = x
        cases.append(c)
    return cases


def log_softmax_cases(n: int, seed: int) -> list[Case]:
    """Input scales from 1e-3 (small differences) to 3 (most inputs saturate to -128)."""
    rng = np.random.default_rng(seed)
    cases = []
    for k in range(n):
        shape = _rows_shape(rng, 40)
        if k == 2:
            shape = (2, 300)  # long rows: the Q12.19 sum grows past 2^8
        q_in = (float(np.float32(10 ** rng.uniform(-3, 0.5))), _q(rng, "int8")[1])
        c = Case(
            f"log_softmax_int8[{k}]", "LOG_SOFTMAX", "int8", shape, shape, q_in, (16.0 / 256, 127)
        )
        c.value = _values(rng, "int8", shape, q_in[1])
        cases.append(c)
    return cases


def resize_cases(n: int, seed: int) -> list[Case]:
    """Up- and downscaling with each corner mode (half_pixel_centers, align_corners,
    neither), sizes of 1 included."""
    rng = np.random.default_rng(seed)
    modes = ({}, {"align_corners": True}, {"half_pixel_centers": True})
    cases = []
    for k in range(n):
        nb, h, w, ch = (
            int(rng.integers(1, 3)),
            *(int(v) for v in rng.integers(1, 7, 2)),
            int(rng.integers(1, 4)),
        )
        oh, ow = (int(v) for v in rng.integers(1, 12, 2))
        q = _q(rng, "int8")
        c = Case(
            f"resize_bilinear_int8[{k}]",
            "RESIZE_BILINEAR",
            "int8",
            (nb, h, w, ch),
            (nb, oh, ow, ch),
            q,
            q,
        )
        c.const = np.array([oh, ow], np.int32)
        c.options = dict(modes[k % 3])
        c.value = _values(rng, "int8", c.shape, q[1])
        cases.append(c)
    return cases


def generate(op: str, dtype: str, n: int) -> list[Case]:
    seed = 1300 + 10 * PAIRS.index((op, dtype))
    if op in ("MEAN", "SUM", "REDUCE_MAX", "REDUCE_MIN"):
        return reduce_cases(op, dtype, n, seed)
    if op == "L2_NORMALIZATION":
        return l2norm_cases(n, seed)
    if op == "LOG_SOFTMAX":
        return log_softmax_cases(n, seed)
    return resize_cases(n, seed)


def add_case(mb: ModelBuilder, c: Case, x: int, tag: str) -> int:
    """The case's op reading tensor ``x`` (already shaped and quantized); returns its
    output tensor."""
    ins = [x]
    if c.const is not None:
        ins.append(mb.add_tensor(f"{tag}k", c.const.shape, "int32", data=c.const))
    y = mb.add_tensor(f"{tag}y", c.out_shape, c.dtype, scale=c.q_out[0], zero_point=c.q_out[1])
    mb.add_op(c.op, ins, [y], c.options)
    return y


def single(c: Case) -> bytes:
    """The case alone as a model (its input and output are the model's)."""
    mb = ModelBuilder("lwai reduce case")
    x = mb.add_tensor("x", c.shape, c.dtype, scale=c.q_in[0], zero_point=c.q_in[1])
    mb.inputs, mb.outputs = [x], [add_case(mb, c, x, "")]
    return mb.build()


def build(cases: list[Case]) -> tuple[bytes, list[np.ndarray], dict[str, tuple[int, int, int]]]:
    """(model, feeds: one flat input per dtype present, layout: case name -> (output
    index, offset, size))."""
    mb = ModelBuilder("lwai reduce cases")
    sizes = {d: sum(int(np.prod(c.shape)) for c in cases if c.dtype == d) for d in DTYPES}
    inputs = {d: mb.add_tensor(f"in_{d}", (n,), d) for d, n in sizes.items() if n}
    offsets = {d: 0 for d in DTYPES}
    feeds: dict[str, list[np.ndarray]] = {d: [] for d in inputs}
    results: dict[str, list[tuple[str, int, int]]] = {d: [] for d in DTYPES}
    for j, c in enumerate(cases):
        n = int(np.prod(c.shape))
        begin = mb.add_tensor(f"c{j}_b", (1,), "int32", data=[offsets[c.dtype]])
        size = mb.add_tensor(f"c{j}_s", (1,), "int32", data=[n])
        flat = mb.add_tensor(f"c{j}_f", (n,), c.dtype)
        mb.add_op("SLICE", [inputs[c.dtype], begin, size], [flat])
        x = mb.add_tensor(f"c{j}_x", c.shape, c.dtype, scale=c.q_in[0], zero_point=c.q_in[1])
        mb.add_op("RESHAPE", [flat], [x], {"new_shape": list(c.shape)})
        feeds[c.dtype].append(c.value.reshape(-1))
        offsets[c.dtype] += n
        y = add_case(mb, c, x, f"c{j}_")
        m = int(np.prod(c.out_shape))
        yq = mb.add_tensor(f"c{j}_yq", (m,), c.dtype, scale=c.q_out[0], zero_point=c.q_out[1])
        mb.add_op("RESHAPE", [y], [yq], {"new_shape": [m]})
        zero = mb.add_tensor(f"c{j}_z", (1,), "int32", data=[0])
        whole = mb.add_tensor(f"c{j}_n", (1,), "int32", data=[m])
        yf = mb.add_tensor(f"c{j}_yf", (m,), c.dtype)  # unquantized: raw integers onward
        mb.add_op("SLICE", [yq, zero, whole], [yf])
        results[c.dtype].append((c.name, yf, m))
    layout = {}
    outputs = []
    for d in DTYPES:
        for g in range(0, len(results[d]), CONCAT_FANIN):
            group = results[d][g : g + CONCAT_FANIN]
            total = sum(m for _, _, m in group)
            t = mb.add_tensor(f"out_{d}_{g}", (total,), d)
            mb.add_op("CONCATENATION", [yf for _, yf, _ in group], [t], {"axis": 0})
            off = 0
            for name, _, m in group:
                layout[name] = (len(outputs), off, m)
                off += m
            outputs.append(t)
    mb.inputs = list(inputs.values())
    mb.outputs = outputs
    return mb.build(), [np.concatenate(feeds[d]).astype(d) for d in inputs], layout


def images(cases: list[Case], max_outputs: int) -> list[list[Case]]:
    """Consecutive groups of cases whose model has at most ``max_outputs`` outputs."""
    groups: list[list[Case]] = [[]]
    for c in cases:
        trial = groups[-1] + [c]
        per = {d: sum(1 for x in trial if x.dtype == d) for d in DTYPES}
        if sum(-(-n // CONCAT_FANIN) for n in per.values()) > max_outputs:
            groups.append([c])
        else:
            groups[-1] = trial
    return groups


def tflm_outputs(model: bytes, feeds: list[np.ndarray], n_outputs: int) -> list[np.ndarray]:
    from tflite_micro.python.tflite_micro import runtime

    it = runtime.Interpreter.from_bytes(model, arena_size=2_000_000)
    for i, x in enumerate(feeds):
        it.set_input(x, i)
    it.invoke()
    return [np.array(it.get_output(i)) for i in range(n_outputs)]
