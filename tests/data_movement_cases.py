"""Generated single-op cases for the data movement and multi-output ops on lwai's kernels
(lwai/frontend/data_movement.py): SPLIT, SPLIT_V, UNPACK (several outputs each), and the
quantized EXPAND_DIMS, PACK, BATCH_TO_SPACE_ND, SPACE_TO_BATCH_ND, MIRROR_PAD, REVERSE_V2,
BROADCAST_TO, GATHER_ND, RESIZE_NEAREST_NEIGHBOR, EMBEDDING_LOOKUP.

One image per dtype holds many cases: the flat model input is cut into every case's
operands by SPLIT_V (two levels of at most 15 parts: lwai's own split kernel, so no TVM
function per operand) and RESHAPEd; every result (each output of a multi-output op) is
RESHAPEd flat, CONCATENATEd in groups of 10 (TFLM's limit), reshaped to [1, n] and
concatenated again, so an image has one input and a few outputs. All activations of an
image share one quantization (data movement keeps it). TFLite Micro runs the same model as
the reference: results must be equal bit for bit.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from lwai.tflite_writer import ModelBuilder

QUANT = {"int8": (0.05, 3), "int16": (0.01, 0)}  # scale, zero point per quantized dtype
# builtin -> dtypes TFLite Micro's kernel takes that these cases cover
CELLS = {
    "SPLIT": ["int8", "int16", "float32", "int32"],
    "SPLIT_V": ["int8", "int16", "float32", "int32"],
    "UNPACK": ["int8", "int16", "float32", "int32"],
    "EXPAND_DIMS": ["int8", "int16"],
    "PACK": ["int8", "int16"],
    "BATCH_TO_SPACE_ND": ["int8"],
    "SPACE_TO_BATCH_ND": ["int8"],
    "MIRROR_PAD": ["int8"],
    "REVERSE_V2": ["int8", "int16"],
    "BROADCAST_TO": ["int8", "int16"],
    "GATHER_ND": ["int8"],
    "RESIZE_NEAREST_NEIGHBOR": ["int8", "int16"],
    "EMBEDDING_LOOKUP": ["int8"],  # int8->float32 (hybrid): tests/cast_cases.py's cell
}
FAN = 10  # CONCATENATION inputs (TFLite Micro takes at most 10)
PARTS = 15  # SPLIT_V outputs (lwai's split kernel takes at most 15)
OUT_ELEMENTS = 2500  # elements per model output (see _concat_tree)


@dataclass
class Case:
    name: str
    op: str
    dtype: str
    inputs: list  # per op input: a shape (tuple, sliced from the model input) or np.ndarray
    outputs: list[tuple[int, ...]]
    options: dict = field(default_factory=dict)
    values: list[np.ndarray] = field(default_factory=list)  # data of the sliced inputs
    movable_value: int = 0  # index of the op input whose dtype is the case's (others int32)
    out_dtype: str = ""  # "" = dtype; float32 for the hybrid EMBEDDING_LOOKUP
    quant: tuple | None = None  # (scale, zero point) of the sliced operands; None: QUANT

    @property
    def label(self) -> str:
        """The cell's dtype label: "int8", or "int8->float32" when the output type differs."""
        return self.dtype + (f"->{self.out_dtype}" if self.out_dtype else "")

    @property
    def group(self) -> tuple:
        """Cases sharing a model input (dtype and quantization) and output dtype."""
        q = self.quant or QUANT.get(self.dtype)
        return (self.dtype, q, self.out_dtype or self.dtype)


def _shape(rng, rank_lo=1, rank_hi=4, hi=5) -> tuple[int, ...]:
    rank = int(rng.integers(rank_lo, rank_hi + 1))
    return tuple(int(d) for d in rng.integers(1, hi + 1, rank))


def _i32(v) -> np.ndarray:
    return np.asarray(v, dtype=np.int32)


def _case(op: str, dtype: str, i: int, rng) -> Case:
    name = f"{op.lower()}_{dtype}_{i}"
    if op == "SPLIT":
        shape = list(_shape(rng))
        axis = int(rng.integers(0, len(shape)))
        num = int(rng.integers(1, 5))
        shape[axis] = num * int(rng.integers(1, 3))
        out = list(shape)
        out[axis] //= num
        neg = axis - len(shape) if rng.random() < 0.3 else axis
        return Case(
            name,
            op,
            dtype,
            [_i32(neg), tuple(shape)],
            [tuple(out)] * num,
            {"num_splits": num},
            movable_value=1,
        )
    if op == "SPLIT_V":
        shape = list(_shape(rng))
        axis = int(rng.integers(0, len(shape)))
        num = int(rng.integers(1, 5))
        sizes = [int(v) for v in rng.integers(1, 4, num)]
        shape[axis] = sum(sizes)
        outs = []
        for s in sizes:
            o = list(shape)
            o[axis] = s
            outs.append(tuple(o))
        spec = list(sizes)
        if num > 1 and rng.random() < 0.4:
            spec[int(rng.integers(0, num))] = -1  # the rest of the axis
        return Case(
            name, op, dtype, [tuple(shape), _i32(spec), _i32([axis])], outs, {"num_splits": num}
        )
    if op == "UNPACK":
        shape = list(_shape(rng))
        axis = int(rng.integers(0, len(shape)))
        num = shape[axis]
        out = tuple(shape[:axis] + shape[axis + 1 :])
        neg = axis - len(shape) if rng.random() < 0.3 else axis
        return Case(name, op, dtype, [tuple(shape)], [out] * num, {"num": num, "axis": neg})
    if op == "EXPAND_DIMS":
        shape = _shape(rng, 1, 3)
        axis = int(rng.integers(-len(shape) - 1, len(shape) + 1))
        pos = axis % (len(shape) + 1)
        out = shape[:pos] + (1,) + shape[pos:]
        return Case(name, op, dtype, [shape, _i32([axis])], [out])
    if op == "PACK":
        shape = _shape(rng, 1, 3)
        n = int(rng.integers(1, 5))
        axis = int(rng.integers(0, len(shape) + 1))
        out = shape[:axis] + (n,) + shape[axis:]
        return Case(name, op, dtype, [shape] * n, [out], {"values_count": n, "axis": axis})
    if op in ("BATCH_TO_SPACE_ND", "SPACE_TO_BATCH_ND"):
        three = rng.random() < 0.25
        bh, bw = int(rng.integers(1, 4)), 1 if three else int(rng.integers(1, 4))
        c = int(rng.integers(1, 4))
        if op == "BATCH_TO_SPACE_ND":
            b = int(rng.integers(1, 3))
            h, w = int(rng.integers(1, 4)), 1 if three else int(rng.integers(1, 4))
            crops = [int(rng.integers(0, min(2, h * bh - 1) + 1)), 0, 0, 0]
            crops[1] = int(rng.integers(0, h * bh - crops[0]))
            if not three:
                crops[2] = int(rng.integers(0, min(2, w * bw - 1) + 1))
                crops[3] = int(rng.integers(0, w * bw - crops[2]))
            oh, ow = h * bh - crops[0] - crops[1], w * bw - crops[2] - crops[3]
            ins = (b * bh * bw, h, w, c)
            out = (b, oh, ow, c)
        else:
            # No padding: TFLite Micro pads with an uninitialized value (tests/
            # test_data_movement.py checks lwai's zero-point padding on its own).
            b = int(rng.integers(1, 3))
            h = bh * int(rng.integers(1, 3))
            w = 1 if three else bw * int(rng.integers(1, 3))
            pt = pb = pl = pr = 0
            crops = [pt, pb, pl, pr]
            ins = (b, h, w, c)
            out = (b * bh * bw, (h + pt + pb) // bh, (w + pl + pr) // bw, c)
        block = [bh] if three else [bh, bw]
        pads = crops[:2] if three else crops
        if three:
            ins, out = (ins[0], ins[1], ins[3]), (out[0], out[1], out[3])
        return Case(name, op, dtype, [ins, _i32(block), _i32(pads).reshape(-1, 2)], [out])
    if op == "MIRROR_PAD":
        shape = _shape(rng, hi=3)  # at most 7 per padded dim: results stay small
        symmetric = rng.random() < 0.5
        most = [min(2, d if symmetric else d - 1) for d in shape]
        pads = [[int(rng.integers(0, m + 1)), int(rng.integers(0, m + 1))] for m in most]
        out = tuple(d + a + b for d, (a, b) in zip(shape, pads))
        mode = "SYMMETRIC" if symmetric else "REFLECT"
        return Case(name, op, dtype, [shape, _i32(pads)], [out], {"mode": mode})
    if op == "REVERSE_V2":
        shape = _shape(rng)
        first = int(rng.integers(0, len(shape)))  # TFLM takes contiguous axes only
        axes = list(range(first, min(len(shape), first + int(rng.integers(1, 3)))))
        return Case(name, op, dtype, [shape, _i32(axes)], [shape])
    if op == "BROADCAST_TO":
        out = _shape(rng)
        rank_in = int(rng.integers(1, len(out) + 1))
        ins = tuple(d if rng.random() < 0.5 else 1 for d in out[len(out) - rank_in :])
        return Case(name, op, dtype, [ins, _i32(out)], [out])
    if op == "GATHER_ND":
        shape = _shape(rng)
        depth = int(rng.integers(1, len(shape) + 1))
        n_idx = _shape(rng, 1, 2, 3)
        idx = np.stack([rng.integers(0, shape[k], n_idx) for k in range(depth)], -1)
        out = n_idx + shape[depth:]
        return Case(name, op, dtype, [shape, _i32(idx)], [out])
    if op == "RESIZE_NEAREST_NEIGHBOR":
        shape = (
            int(rng.integers(1, 3)),
            *(int(v) for v in rng.integers(1, 5, 2)),
            int(rng.integers(1, 4)),
        )
        oh, ow = (int(v) for v in rng.integers(1, 9, 2))
        mode = i % 3  # plain, align_corners, half_pixel_centers (TFLite forbids both)
        opts = {"align_corners": mode == 1, "half_pixel_centers": mode == 2}
        return Case(name, op, dtype, [shape, _i32([oh, ow])], [(shape[0], oh, ow, shape[3])], opts)
    if op == "EMBEDDING_LOOKUP":
        table = (int(rng.integers(1, 6)), *_shape(rng, 1, 2))
        ids = rng.integers(0, table[0], int(rng.integers(1, 5)))
        return Case(name, op, dtype, [_i32(ids), table], [(len(ids), *table[1:])], movable_value=1)
    raise ValueError(op)


def generate(op: str, label: str, n: int, seed: int) -> list[Case]:
    """``label``: a dtype, or "int8->float32" (hybrid EMBEDDING_LOOKUP)."""
    rng = np.random.default_rng(seed)
    dtype, _, out_dtype = label.partition("->")
    cases = []
    for i in range(n):
        c = _case(op, dtype, i, rng)
        if out_dtype:
            c.name, c.out_dtype, c.quant = f"{c.name}_{out_dtype}", out_dtype, (0.03, 0)
        c.values = [_values(rng, dtype, s) for s in c.inputs if isinstance(s, tuple)]
        cases.append(c)
    return cases


def _values(rng, dtype: str, shape) -> np.ndarray:
    if dtype == "float32":
        return rng.standard_normal(shape).astype(np.float32) * np.float32(10)
    lo, hi = {"int8": (-128, 128), "int16": (-32768, 32768), "int32": (-(2**31), 2**31)}[dtype]
    return rng.integers(lo, hi, shape, dtype=np.int64).astype(dtype)


def build(cases: list[Case]) -> tuple[bytes, list[np.ndarray], dict]:
    """One model for the cases: (model, one flat input per case group (dtype and
    quantization) in first-seen order, layout: case name -> (output index, offset, size) per
    op output)."""
    groups = list(dict.fromkeys(c.group for c in cases))
    mb = ModelBuilder("lwai data movement cases")
    feeds, outputs, layout = [], [], {}
    for gi, key in enumerate(groups):
        dtype, quant, out_dtype = key
        group = [c for c in cases if c.group == key]
        q = dict(zip(("scale", "zero_point"), quant)) if quant else {}
        qo = q if out_dtype == dtype else {}
        sliced = [(c, k, s) for c in group for k, s in enumerate(c.inputs) if isinstance(s, tuple)]
        sizes = [int(np.prod(s)) for _, _, s in sliced]
        flat = mb.add_tensor(f"in{gi}_{dtype}", (sum(sizes),), dtype, **q)
        mb.inputs.append(flat)
        parts = _split_tree(mb, flat, sizes, dtype, q)
        feeds.append(np.concatenate([v.reshape(-1) for c in group for v in c.values]).astype(dtype))
        operand = {}
        for (c, k, s), t in zip(sliced, parts):
            shaped = mb.add_tensor(f"{c.name}_x{k}", s, dtype, **q)
            mb.add_op("RESHAPE", [t], [shaped], {"new_shape": list(s)})
            operand[(c.name, k)] = shaped
        results, index = [], {}
        for c in group:
            args = []
            for k, s in enumerate(c.inputs):
                if isinstance(s, tuple):
                    args.append(operand[(c.name, k)])
                else:
                    args.append(mb.add_tensor(f"{c.name}_k{k}", s.shape, "int32", data=s))
            outs = [
                mb.add_tensor(f"{c.name}_y{j}", o, out_dtype, **qo) for j, o in enumerate(c.outputs)
            ]
            mb.add_op(c.op, args, outs, c.options)
            index[c.name] = []
            for j, (t, o) in enumerate(zip(outs, c.outputs)):
                n = int(np.prod(o))
                y = mb.add_tensor(f"{c.name}_f{j}", (n,), out_dtype, **qo)
                mb.add_op("RESHAPE", [t], [y], {"new_shape": [n]})
                index[c.name].append(len(results))
                results.append((y, n))
        outs, where = _concat_tree(mb, results, f"{gi}_{out_dtype}", out_dtype, qo)
        for name, idx in index.items():
            layout[name] = [(where[i][0] + len(outputs), *where[i][1:]) for i in idx]
        outputs += outs
    mb.outputs = outputs
    return mb.build(), feeds, layout


def _split_tree(mb, flat: int, sizes: list[int], dtype: str, q: dict) -> list[int]:
    """Tensors of the given sizes cut from `flat` by SPLIT_V ops of at most PARTS parts
    (a tree: groups of sizes first when there are more)."""
    if len(sizes) <= PARTS:
        groups = [[s] for s in sizes]
    else:
        per = -(-len(sizes) // PARTS)
        groups = [sizes[i : i + per] for i in range(0, len(sizes), per)]
    tag = len(mb.tensors)
    tops = [mb.add_tensor(f"g{tag}_{j}", (sum(g),), dtype, **q) for j, g in enumerate(groups)]
    sv = mb.add_tensor(f"gs{tag}", (len(groups),), "int32", data=[sum(g) for g in groups])
    ax = mb.add_tensor(f"ga{tag}", (1,), "int32", data=[0])
    mb.add_op("SPLIT_V", [flat, sv, ax], tops, {"num_splits": len(groups)})
    if len(sizes) <= PARTS:
        return tops
    return [t for top, g in zip(tops, groups) for t in _split_tree(mb, top, g, dtype, q)]


def _concat_tree(mb, results, tag: str, dtype: str, q: dict):
    """Model outputs [1, n] holding every result: CONCATENATION of FAN results, reshaped to
    [1, m], CONCATENATION of FAN of those (axis 1). where[i] = (output, offset, size)."""
    where, outputs = {}, []
    level1 = []
    for g in range(0, len(results), FAN):
        group = results[g : g + FAN]
        n = sum(s for _, s in group)
        t = mb.add_tensor(f"c{tag}_{g}", (n,), dtype, **q)
        mb.add_op("CONCATENATION", [y for y, _ in group], [t], {"axis": 0})
        r = mb.add_tensor(f"c{tag}_{g}_2d", (1, n), dtype, **q)
        mb.add_op("RESHAPE", [t], [r], {"new_shape": [1, n]})
        level1.append((r, group, g))
    # TVM concatenates quantized tensors through float32 (4 bytes per element, in the
    # arena): outputs of at most OUT_ELEMENTS keep that within a Cortex-M arena.
    spans, start, total = [], 0, 0
    for k, (_, grp, _) in enumerate(level1):
        n = sum(s for _, s in grp)
        if k > start and (k - start == FAN or total + n > OUT_ELEMENTS):
            spans.append((start, k))
            start, total = k, 0
        total += n
    spans.append((start, len(level1)))
    for h, stop in spans:
        group = level1[h:stop]
        n = sum(sum(s for _, s in grp) for _, grp, _ in group)
        out = mb.add_tensor(f"out{tag}_{h}", (1, n), dtype, **q)
        mb.add_op("CONCATENATION", [r for r, _, _ in group], [out], {"axis": 1})
        off = 0
        for _, grp, g in group:
            for j, (_, s) in enumerate(grp):
                where[g + j] = (len(outputs), off, s)
                off += s
        outputs.append(out)
    return outputs, where


def tflm_outputs(model: bytes, feeds: list[np.ndarray], n_outputs: int) -> list[np.ndarray]:
    from tflite_micro.python.tflite_micro import runtime

    it = runtime.Interpreter.from_bytes(model)
    for i, x in enumerate(feeds):
        it.set_input(x, i)
    it.invoke()
    return [it.get_output(i).copy() for i in range(n_outputs)]
