"""Generated single-op cases for the core cells test_core_cells.py checks: float32 ADD, MUL,
CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, AVERAGE_POOL_2D, MAX_POOL_2D, SOFTMAX and int8
SOFTMAX, packed many per image.

The cases are tests/kernel_cases.py's generators (odd shapes, SAME/VALID padding, strides,
dilations, depth multipliers, fused activations, broadcasting, softmax betas; int8 softmax
with scales over four decades, rows up to 300) plus hand-made corners (constant rows,
rows spanning -128..127, zero points at the ends, large betas, huge float logits, windows
as large as the input).

One image holds many cases: each case's fed operand is SLICEd from one flat graph input per
(dtype, scale, zero point) and RESHAPEd; each result is RESHAPEd flat and CONCATENATEd, at
most 10 per output (TFLM's CONCATENATION takes <= 10 inputs), with the results of the same
(dtype, scale, zero point).
"""

from __future__ import annotations

import kernel_cases as kc
import numpy as np

from lwai import quant
from lwai.tflite_writer import ModelBuilder

FLOAT_GROUPS = {  # kernel_cases group -> TFLite builtin
    "add_float32": "ADD",
    "mul_float32": "MUL",
    "conv2d_float32": "CONV_2D",
    "depthwise_conv2d_float32": "DEPTHWISE_CONV_2D",
    "fully_connected_float32": "FULLY_CONNECTED",
    "avg_pool2d_float32": "AVERAGE_POOL_2D",
    "max_pool2d_float32": "MAX_POOL_2D",
    "softmax_float32": "SOFTMAX",
}
CONCAT_MAX = 10  # TFLM's CONCATENATION
# int8 softmax cases per input quantization: one graph input each, and with betas over two
# decades beta * scale (what TFLite's multiplier comes from) still takes ~40 values.
FAMILY = 8


def cell(c: kc.Case) -> tuple[str, str]:
    """(TFLite builtin, dtype label) of a case."""
    return kc.KIND_TO_BUILTIN[c.kind], c.inputs[0].dtype


def _softmax_int8(name: str, shape, scale: float, zp: int, beta: float, x) -> kc.Case:
    s = quant.f32(scale)
    t = kc.T(tuple(shape), "int8", scale=[s], zero_point=[zp])
    out = kc.T(tuple(shape), "int8", scale=[1.0 / 256], zero_point=[-128])
    x = np.asarray(x, np.int64).reshape(shape).astype(np.int8)
    return kc.Case(name, "softmax", [t], out, {"beta": beta}, {"beta": beta}, [x])


def softmax_int8_corners(rng: np.random.Generator) -> list[kc.Case]:
    """Rows the random generator seldom makes: constant rows (every output equal), one
    element, -128 and 127 in one row (the largest difference), zero points at -128 / 127,
    beta * scale near where TFLite's input multiplier needs a left shift of 0 and up to
    where every non-maximum underflows."""
    cases = []
    for k, (shape, s, zp, beta) in enumerate(
        [
            ((1, 1), 0.1, 0, 1.0),
            ((3, 7), 0.05, -128, 1.0),
            ((2, 16), 1.0, 127, 1.0),
            ((5,), 0.004, 0, 0.5),
            ((1, 2, 255), 0.02, -5, 1.0),
            ((4, 10), 8.0, 3, 10.0),
            ((2, 3, 2, 9), 0.5, -128, 0.1),
            ((1, 300), 0.01, 100, 2.0),
        ]
    ):
        n = int(np.prod(shape))
        if k in (0, 1):  # constant rows
            x = np.full(n, int(rng.integers(-128, 128)))
        elif k in (2, 5):  # the extremes in every row
            x = rng.integers(-128, 128, n)
            x.reshape(-1, shape[-1])[:, 0] = -128
            x.reshape(-1, shape[-1])[:, -1] = 127
        else:
            x = rng.integers(-128, 128, n)
        cases.append(_softmax_int8(f"softmax_int8_corner{k}", shape, s, zp, beta, x))
    return cases


def float_corners(rng: np.random.Generator) -> list[kc.Case]:
    """float32 corners: softmax over huge and equal logits and wide betas, one-element
    rows; pools with the window the whole input; depthwise with a 1x1 input."""
    cases = []
    for k, (shape, scale, beta) in enumerate(
        [((2, 9), 50.0, 1.0), ((3, 1), 1.0, 1.0), ((1, 4, 6), 1.0, 0.0), ((2, 33), 3.0, 8.0)]
    ):
        x = kc._rand_f32(rng, shape, scale)
        if k == 2:
            x[...] = np.float32(1.5)  # equal logits (and beta 0): uniform
        t = kc.T(shape, "float32")
        cases.append(
            kc.Case(
                f"softmax_float32_corner{k}", "softmax", [t], kc.T(shape, "float32"),
                {"beta": beta}, {"beta": beta}, [x],
            )
        )  # fmt: skip
    for kind in ("avg_pool2d", "max_pool2d"):
        shape = (1, 5, 7, 3)
        opts = {"padding": "VALID", "stride": (2, 3), "filter": (5, 7), "activation": "RELU"}
        attrs = {"stride": (2, 3), "filter": (5, 7), "padding": (0, 0, 0, 0)}
        attrs.update(act_min=0.0, act_max=float("inf"))
        cases.append(
            kc.Case(
                f"{kind}_float32_corner", kind, [kc.T(shape, "float32")],
                kc.T((1, 1, 1, 3), "float32"), opts, attrs, [kc._rand_f32(rng, shape, 3.0)],
            )
        )  # fmt: skip
    return cases


def all_cases(n: int) -> list[kc.Case]:
    """``n`` generated cases per float32 cell and their corners, then 2 * ``n`` (normal and
    extreme scales) for int8 SOFTMAX and its corners."""
    cases: list[kc.Case] = []
    for i, group in enumerate(FLOAT_GROUPS):
        cases += kc.generate(group, n, 1800 + i)
    # kernel_cases' betas are powers of two; TFLite scales (x - max) by beta, and a beta
    # that is not one rounds there.
    betas = iter([0.3, 1.7, 0.07, 3.1, 0.9, 12.5, 0.45, 1.1, 5.3, 0.6] * n)
    for k, c in enumerate(c for c in cases if c.kind == "softmax"):
        if k % 2:
            c.options["beta"] = c.attrs["beta"] = next(betas)
    s8 = kc.generate("softmax_int8", n, 1810) + kc.generate("softmax_int8", n, 1811, extreme=True)
    for i, c in enumerate(s8):  # families share an input quantization (and graph input)
        first = s8[i - i % FAMILY].inputs[0]
        c.inputs[0].scale, c.inputs[0].zero_point = first.scale, first.zero_point
    rng = np.random.default_rng(1812)
    return cases + float_corners(rng) + s8 + softmax_int8_corners(rng)


# ---- packing ---------------------------------------------------------------------------------


def _key(t: kc.T) -> tuple:
    return (t.dtype, tuple(t.scale or ()), tuple(t.zero_point or ()))


def _q(t: kc.T) -> dict:
    return {"scale": t.scale, "zero_point": t.zero_point} if t.scale else {}


def _fed(c: kc.Case) -> list[kc.T]:
    return [t for t in c.inputs if t.data is None]


def files(cases: list[kc.Case]) -> tuple[int, int]:
    """(graph inputs, graph outputs) of the image holding ``cases``."""
    ins = {_key(t) for c in cases for t in _fed(c)}
    outs: dict[tuple, int] = {}
    for c in cases:
        outs[_key(c.output)] = outs.get(_key(c.output), 0) + 1
    return len(ins), sum(-(-n // CONCAT_MAX) for n in outs.values())


def images(cases: list[kc.Case], max_in: int, max_out: int, max_files: int) -> list[list]:
    """Consecutive groups of cases whose image has <= ``max_in`` inputs, <= ``max_out``
    outputs and <= ``max_files`` of both."""
    groups: list[list[kc.Case]] = [[]]
    for c in cases:
        n_in, n_out = files(groups[-1] + [c])
        if groups[-1] and (n_in > max_in or n_out > max_out or n_in + n_out > max_files):
            groups.append([c])
        else:
            groups[-1].append(c)
    return groups


def build(cases: list[kc.Case]) -> tuple[bytes, list[np.ndarray], dict]:
    """One model for all ``cases``: (model, feeds, layout: case name -> (output, offset,
    size))."""
    mb = ModelBuilder("lwai core cells")
    sizes: dict[tuple, int] = {}
    first: dict[tuple, kc.T] = {}
    for c in cases:
        for t in _fed(c):
            sizes[_key(t)] = sizes.get(_key(t), 0) + int(np.prod(t.shape))
            first.setdefault(_key(t), t)
    inputs = {
        k: mb.add_tensor(f"in{j}", (n,), k[0], **_q(first[k]))
        for j, (k, n) in enumerate(sizes.items())
    }
    feeds: dict[tuple, list[np.ndarray]] = {k: [] for k in inputs}
    offsets = {k: 0 for k in inputs}
    results: dict[tuple, list[tuple[str, int, int]]] = {}  # key -> (case, tensor, size)
    out_t: dict[tuple, kc.T] = {}
    for j, c in enumerate(cases):
        args, fed = [], iter(c.feeds)
        for i, t in enumerate(c.inputs):
            if t.data is not None:
                args.append(
                    mb.add_tensor(
                        f"c{j}_k{i}", t.shape, t.dtype, data=t.data, scale=t.scale,
                        zero_point=t.zero_point, quantized_dimension=t.axis,
                    )
                )  # fmt: skip
                continue
            k, n = _key(t), int(np.prod(t.shape))
            begin = mb.add_tensor(f"c{j}_b{i}", (1,), "int32", data=[offsets[k]])
            size = mb.add_tensor(f"c{j}_s{i}", (1,), "int32", data=[n])
            flat = mb.add_tensor(f"c{j}_f{i}", (n,), t.dtype, **_q(t))
            mb.add_op("SLICE", [inputs[k], begin, size], [flat])
            shaped = mb.add_tensor(f"c{j}_x{i}", t.shape, t.dtype, **_q(t))
            mb.add_op("RESHAPE", [flat], [shaped], {"new_shape": list(t.shape)})
            args.append(shaped)
            feeds[k].append(np.asarray(next(fed)).reshape(-1))
            offsets[k] += n
        o = c.output
        y = mb.add_tensor(f"c{j}_y", o.shape, o.dtype, **_q(o))
        mb.add_op(kc.KIND_TO_BUILTIN[c.kind], args, [y], c.options)
        n = int(np.prod(o.shape))
        yf = mb.add_tensor(f"c{j}_yf", (n,), o.dtype, **_q(o))
        mb.add_op("RESHAPE", [y], [yf], {"new_shape": [n]})
        results.setdefault(_key(o), []).append((c.name, yf, n))
        out_t.setdefault(_key(o), o)
    layout: dict[str, tuple[int, int, int]] = {}
    outputs = []
    for k, rs in results.items():
        for g in range(0, len(rs), CONCAT_MAX):
            chunk = rs[g : g + CONCAT_MAX]
            total = sum(n for _, _, n in chunk)
            t = mb.add_tensor(f"out{len(outputs)}", (total,), k[0], **_q(out_t[k]))
            mb.add_op("CONCATENATION", [yf for _, yf, _ in chunk], [t], {"axis": 0})
            off = 0
            for name, _, n in chunk:
                layout[name] = (len(outputs), off, n)
                off += n
            outputs.append(t)
    mb.inputs = list(inputs.values())
    mb.outputs = outputs
    feed_list = [np.concatenate(feeds[k]).astype(k[0]) for k in inputs]
    return mb.build(), feed_list, layout


def tflm(model: bytes, feeds: list[np.ndarray], n_outputs: int) -> list[np.ndarray]:
    from conftest import tflm_outputs

    arena = 64 * 1024 + 8 * len(model) + 16 * sum(f.nbytes for f in feeds)
    return tflm_outputs(model, feeds, n_outputs, arena=arena)
