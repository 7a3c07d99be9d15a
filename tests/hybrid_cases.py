"""Generated dynamic-range ("hybrid") single-op cases: float32 input and output, int8
constant weights (per-tensor and per-channel), float32 bias; written by lwai's writer.

Several cases are batched into one model (independent ops, one input and one output each)
so a few images cover every case. References come from LiteRT's reference kernels
(``OpResolverType.BUILTIN_REF``); TFLite Micro refuses these models.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from lwai.tflite_writer import ModelBuilder, conv_output_size

KINDS = ("FULLY_CONNECTED", "CONV_2D", "DEPTHWISE_CONV_2D", "BATCH_MATMUL", "SVDF")
# Hybrid ops lwai refuses by name (lwai/frontend/hybrid.py UNCONVERTED).
REFUSED = ("UNIDIRECTIONAL_SEQUENCE_LSTM",)
ACTS = ("NONE", "RELU", "RELU6", "RELU_N1_TO_1")


@dataclass
class Case:
    name: str
    kind: str
    in_shape: tuple[int, ...]
    out_shape: tuple[int, ...]
    weights: np.ndarray
    w_scale: list[float]
    bias: np.ndarray | None
    options: dict
    x: np.ndarray  # the input values
    notes: list[str] = field(default_factory=list)

    def add_to(self, mb: ModelBuilder, tag: str) -> tuple[int, int]:
        x = mb.add_tensor(f"{tag}_x", self.in_shape, "float32")
        qdim = 3 if self.kind == "DEPTHWISE_CONV_2D" else 0
        w = mb.add_tensor(
            f"{tag}_w",
            self.weights.shape,
            "int8",
            data=self.weights,
            scale=self.w_scale,
            zero_point=[0] * len(self.w_scale),
            quantized_dimension=qdim,
        )
        b = -1
        if self.bias is not None:
            b = mb.add_tensor(f"{tag}_b", self.bias.shape, "float32", data=self.bias)
        y = mb.add_tensor(f"{tag}_y", self.out_shape, "float32")
        ins = [x, w] if self.kind == "BATCH_MATMUL" else [x, w, b]  # BATCH_MATMUL: no bias
        mb.add_op(self.kind, ins, [y], self.options)
        return x, y


def _input(rng, shape) -> np.ndarray:
    """Float inputs over a few decades; some all-positive, some with an all-zero batch."""
    mode = rng.integers(0, 5)
    scale = float(10.0 ** rng.uniform(-3, 2))
    x = rng.standard_normal(shape).astype(np.float32) * np.float32(scale)
    if mode == 1:
        x = np.abs(x)  # asymmetric range [0, max]: zero point -128
    elif mode == 2:
        x = -np.abs(x)  # [min, 0]: zero point 127
    elif mode == 3 and shape[0] > 1:
        x[0] = 0.0  # an all-zero batch: scale 1, q = 0
    elif mode == 4:
        x = x + np.float32(scale * 3)  # offset range
    return x.astype(np.float32)


def _scales(rng, n: int, per_channel: bool) -> list[float]:
    if not per_channel:
        return [float(10.0 ** rng.uniform(-4, -1))]
    return [float(10.0 ** rng.uniform(-4, -1)) for _ in range(n)]


def _weights(rng, shape) -> np.ndarray:
    w = rng.integers(-127, 128, shape).astype(np.int8)
    if rng.random() < 0.2:
        w.flat[0] = -127  # the symmetric int8 range's ends
        w.flat[-1] = 127
    return w


def fully_connected(rng, i: int) -> Case:
    batch = int(rng.integers(1, 4))
    k = int(rng.integers(1, 40))
    n = int(rng.integers(1, 17))
    rank = int(rng.integers(2, 4))
    in_shape = (batch, k) if rank == 2 else (batch, 1, k)  # rank 3: flattened to [-1, K]
    asym = bool(rng.integers(0, 2))
    per_channel = bool(rng.integers(0, 2))
    w_scale = _scales(rng, n, per_channel)
    bias = rng.standard_normal(n).astype(np.float32) if rng.random() < 0.75 else None
    act = ACTS[int(rng.integers(0, len(ACTS)))]
    opts = {"activation": act, "asymmetric_quantize_inputs": asym}
    note = f"fc{i} b{batch} k{k} n{n} {'asym' if asym else 'sym'}"
    note += f" {'pc' if per_channel else 'pt'} {act}"
    return Case(
        note.replace(" ", "_"),
        "FULLY_CONNECTED",
        in_shape,
        (batch, n),
        _weights(rng, (n, k)),
        w_scale,
        bias,
        opts,
        _input(rng, in_shape),
    )


def _conv_geometry(rng):
    kh, kw = int(rng.integers(1, 4)), int(rng.integers(1, 4))
    sh, sw = int(rng.integers(1, 3)), int(rng.integers(1, 3))
    dh, dw = (1, 1) if rng.random() < 0.7 else (int(rng.integers(1, 3)), int(rng.integers(1, 3)))
    pad = "SAME" if rng.random() < 0.5 else "VALID"
    ih = int(rng.integers((kh - 1) * dh + 1, 10))
    iw = int(rng.integers((kw - 1) * dw + 1, 10))
    oh = conv_output_size(ih, kh, sh, dh, pad)
    ow = conv_output_size(iw, kw, sw, dw, pad)
    return kh, kw, sh, sw, dh, dw, pad, ih, iw, oh, ow


def conv2d(rng, i: int) -> Case:
    kh, kw, sh, sw, dh, dw, pad, ih, iw, oh, ow = _conv_geometry(rng)
    batch, c, oc = int(rng.integers(1, 3)), int(rng.integers(1, 6)), int(rng.integers(1, 7))
    mode = int(rng.integers(0, 3))  # 0 per-tensor, 1 per-channel, 2 per-channel equal scales
    w_scale = _scales(rng, oc, mode == 1)
    if mode == 2:
        w_scale = w_scale * oc  # TFLite takes the per-tensor (symmetric) path then
    bias = rng.standard_normal(oc).astype(np.float32)  # LiteRT's hybrid conv needs one
    act = ACTS[int(rng.integers(0, len(ACTS)))]
    opts = {"padding": pad, "stride": (sh, sw), "dilation": (dh, dw), "activation": act}
    in_shape = (batch, ih, iw, c)
    note = f"conv{i} {in_shape} k{kh}x{kw} s{sh}{sw} d{dh}{dw} {pad} oc{oc} q{mode} {act}"
    return Case(
        note.replace(" ", "_"),
        "CONV_2D",
        in_shape,
        (batch, oh, ow, oc),
        _weights(rng, (oc, kh, kw, c)),
        w_scale,
        bias,
        opts,
        _input(rng, in_shape),
    )


def depthwise_conv2d(rng, i: int) -> Case:
    kh, kw, sh, sw, dh, dw, pad, ih, iw, oh, ow = _conv_geometry(rng)
    batch, c, m = int(rng.integers(1, 3)), int(rng.integers(1, 6)), int(rng.integers(1, 4))
    oc = c * m
    w_scale = _scales(rng, oc, True)  # TFLite's hybrid depthwise needs per-channel scales
    bias = rng.standard_normal(oc).astype(np.float32)  # LiteRT's hybrid conv needs one
    act = ACTS[int(rng.integers(0, len(ACTS)))]
    opts = {
        "padding": pad,
        "stride": (sh, sw),
        "dilation": (dh, dw),
        "activation": act,
        "depth_multiplier": m,
    }
    in_shape = (batch, ih, iw, c)
    note = f"dw{i} {in_shape} k{kh}x{kw} s{sh}{sw} d{dh}{dw} {pad} m{m} {act}"
    return Case(
        note.replace(" ", "_"),
        "DEPTHWISE_CONV_2D",
        in_shape,
        (batch, oh, ow, oc),
        _weights(rng, (1, kh, kw, oc)),
        w_scale,
        bias,
        opts,
        _input(rng, in_shape),
    )


def batch_matmul(rng, i: int) -> Case:
    """Float LHS [..., M, K] (adj_x: [..., K, M]) times a constant int8 RHS [..., K, N]
    (adj_y: [..., N, K]) with one scale; batch dimensions broadcast either way."""
    m, k, n = int(rng.integers(1, 6)), int(rng.integers(1, 40)), int(rng.integers(1, 9))
    lb = [int(v) for v in rng.integers(1, 4, int(rng.integers(0, 3)))]  # LHS batch dims
    rb: list[int] = []
    if rng.random() < 0.4:  # an RHS with batch dims too (each 1 or the LHS's)
        rb = [d if rng.random() < 0.6 else 1 for d in lb] or [int(rng.integers(2, 4))]
        if rng.random() < 0.3 and lb:
            lb[-1] = 1 if rb[-1] > 1 else lb[-1]  # the LHS broadcast instead
    adj_x, adj_y = bool(rng.integers(0, 2)), bool(rng.integers(0, 2))
    asym = bool(rng.integers(0, 2))
    # lwai (as TFLite's reference indexing of the per-row scales) takes at most one batch
    # dimension > 1 in the LHS, and in an asymmetric case's RHS: the others are set to 1.
    for dims in (lb, rb) if asym else (lb,):
        big = [j for j, d in enumerate(dims) if d != 1]
        for j in big[1:]:
            dims[j] = 1
    in_shape = tuple(lb + ([k, m] if adj_x else [m, k]))
    w_shape = tuple(rb + ([n, k] if adj_y else [k, n]))
    nb = max(len(lb), len(rb))
    lbp, rbp = [1] * (nb - len(lb)) + lb, [1] * (nb - len(rb)) + rb
    ob = [max(a, b) for a, b in zip(lbp, rbp, strict=True)]
    opts = {"adj_x": adj_x, "adj_y": adj_y, "asymmetric_quantize_inputs": asym}
    note = f"bmm{i} {in_shape}x{w_shape} ax{int(adj_x)} ay{int(adj_y)}"
    note += f" {'asym' if asym else 'sym'}"
    return Case(
        note.replace(" ", "_"),
        "BATCH_MATMUL",
        in_shape,
        tuple(ob + [m, n]),
        _weights(rng, w_shape),
        _scales(rng, 1, False),
        None,
        opts,
        _input(rng, in_shape),
    )


@dataclass
class SvdfCase:
    """Hybrid SVDF: float32 input [B, D] and state [B, F * M], int8 weights_feature [F, D]
    and weights_time [F, M], float32 bias [F / rank]; ``x`` holds one input per invocation."""

    name: str
    in_shape: tuple[int, int]
    out_shape: tuple[int, int]
    wf: np.ndarray
    wt: np.ndarray
    scales: tuple[float, float]
    bias: np.ndarray | None
    options: dict
    x: np.ndarray  # [invocations, B, D]
    kind: str = "SVDF"

    def add_to(self, mb: ModelBuilder, tag: str) -> tuple[int, int]:
        x = mb.add_tensor(f"{tag}_x", self.in_shape, "float32")
        wf = mb.add_tensor(f"{tag}_wf", self.wf.shape, "int8", data=self.wf, scale=self.scales[0])
        wt = mb.add_tensor(f"{tag}_wt", self.wt.shape, "int8", data=self.wt, scale=self.scales[1])
        b = -1
        if self.bias is not None:
            b = mb.add_tensor(f"{tag}_b", self.bias.shape, "float32", data=self.bias)
        st_shape = (self.in_shape[0], self.wt.size)
        st = mb.add_tensor(f"{tag}_st", st_shape, "float32", is_variable=True)
        y = mb.add_tensor(f"{tag}_y", self.out_shape, "float32")
        mb.add_op("SVDF", [x, wf, wt, b, st], [y], self.options)
        return x, y


def svdf(rng, i: int, invocations: int = 5) -> SvdfCase:
    batch, depth = int(rng.integers(1, 4)), int(rng.integers(1, 24))
    rank, units, memory = int(rng.integers(1, 4)), int(rng.integers(1, 7)), int(rng.integers(1, 9))
    filters = rank * units
    asym = bool(rng.integers(0, 2))
    act = ACTS[int(rng.integers(0, len(ACTS)))]
    bias = rng.standard_normal(units).astype(np.float32) if rng.random() < 0.75 else None
    xs = np.stack([_input(rng, (batch, depth)) for _ in range(invocations)])
    if rng.random() < 0.3:
        xs[int(rng.integers(0, invocations))] = 0.0  # an all-zero input (TFLite skips it)
    opts = {"rank": rank, "activation": act, "asymmetric_quantize_inputs": asym}
    note = f"svdf{i} b{batch} d{depth} r{rank} u{units} m{memory} {'asym' if asym else 'sym'}"
    return SvdfCase(
        f"{note} {act}".replace(" ", "_"),
        (batch, depth),
        (batch, units),
        _weights(rng, (filters, depth)),
        _weights(rng, (filters, memory)),
        (float(10.0 ** rng.uniform(-3, -1)), float(10.0 ** rng.uniform(-3, -1))),
        bias,
        opts,
        xs.astype(np.float32),
    )


GENERATORS = {
    "FULLY_CONNECTED": fully_connected,
    "CONV_2D": conv2d,
    "DEPTHWISE_CONV_2D": depthwise_conv2d,
    "BATCH_MATMUL": batch_matmul,
    "SVDF": svdf,
}


def generate(kind: str, n: int, seed: int) -> list[Case]:
    rng = np.random.default_rng(seed)
    return [GENERATORS[kind](rng, i) for i in range(n)]


def batch_model(cases: list[Case]) -> bytes:
    mb = ModelBuilder("lwai hybrid cases")
    ins, outs = [], []
    for j, case in enumerate(cases):
        x, y = case.add_to(mb, f"c{j}")
        ins.append(x)
        outs.append(y)
    mb.inputs, mb.outputs = ins, outs
    return mb.build()


def litert_reference(model: bytes, feeds: list[np.ndarray]) -> list[np.ndarray]:
    """LiteRT's reference kernels (BUILTIN_REF) on the batched model."""
    from ai_edge_litert.interpreter import Interpreter, OpResolverType

    it = Interpreter(model_content=model, experimental_op_resolver_type=OpResolverType.BUILTIN_REF)
    it.allocate_tensors()
    for d, x in zip(it.get_input_details(), feeds, strict=True):
        it.set_tensor(d["index"], x)
    it.invoke()
    return [it.get_tensor(d["index"]).copy() for d in it.get_output_details()]


# Results per CONCATENATION: TVM may fuse a TVM-computed producer (~3 tensors) into it, and
# lwai's runtime passes <= 16 tensors to a TVM function; lwai kernels' results (SVDF) are not
# fused (1 tensor each).
PACK_FANIN = {"SVDF": 11}
PACK_FANIN_TVM = 4


def packed_model(cases: list, invocations: int = 0) -> tuple[bytes, np.ndarray, list]:
    """Every case in one model with one input and few outputs (a short Cortex-M command
    line): each case's input is SLICEd from one flat float32 input and RESHAPEd, its result
    RESHAPEd flat and CONCATENATEd with others of its kind (PACK_FANIN) into one output.
    Returns (model, the flat feed, per case (output index, offset, size)).
    ``invocations``: an SVDF case's ``x`` holds one input per invocation, the others' input
    is repeated (feed [N, total])."""
    mb = ModelBuilder("lwai packed hybrid cases")
    total = sum(int(np.prod(c.in_shape)) for c in cases)
    flat_in = mb.add_tensor("in", (total,), "float32")
    off, flats = 0, []
    for j, c in enumerate(cases):
        n = int(np.prod(c.in_shape))
        begin = mb.add_tensor(f"c{j}_b", (1,), "int32", data=[off])
        size = mb.add_tensor(f"c{j}_s", (1,), "int32", data=[n])
        part = mb.add_tensor(f"c{j}_f", (n,), "float32")
        mb.add_op("SLICE", [flat_in, begin, size], [part])
        off += n
        first = len(mb.ops)
        x, y = c.add_to(mb, f"c{j}")  # x: a fresh tensor, written by the RESHAPE below
        mb.add_op("RESHAPE", [part], [x], {"new_shape": list(c.in_shape)})
        mb.ops.insert(first, mb.ops.pop())  # the RESHAPE runs before the case's op
        n_out = int(np.prod(c.out_shape))
        yf = mb.add_tensor(f"c{j}_yf", (n_out,), "float32")
        mb.add_op("RESHAPE", [y], [yf], {"new_shape": [n_out]})
        flats.append((yf, n_out))
    groups: list[list[tuple[int, int]]] = []
    last = None
    for c, flat in zip(cases, flats, strict=True):
        if c.kind == last and len(groups[-1]) < PACK_FANIN.get(c.kind, PACK_FANIN_TVM):
            groups[-1].append(flat)
        else:
            groups.append([flat])
        last = c.kind
    outs, layout = [], []
    for g, group in enumerate(groups):
        t = mb.add_tensor(f"out{g}", (sum(n for _, n in group),), "float32")
        mb.add_op("CONCATENATION", [t_ for t_, _ in group], [t], {"axis": 0})
        o = 0
        for _, n in group:
            layout.append((len(outs), o, n))
            o += n
        outs.append(t)
    mb.inputs, mb.outputs = [flat_in], outs
    if invocations:
        xs = [
            c.x if c.kind == "SVDF" else np.broadcast_to(c.x, (invocations, *c.x.shape))
            for c in cases
        ]
        feed = np.concatenate([x.reshape(invocations, -1) for x in xs], axis=1)
    else:
        feed = np.concatenate([c.x.reshape(-1) for c in cases])
    feed = feed.astype(np.float32)
    return mb.build(), feed, layout


def refused_model(kind: str, seed: int = 5) -> bytes:
    """A small valid hybrid model of an op lwai refuses (REFUSED): float32 activations and
    state, int8 weights, float32 bias; LiteRT runs it."""
    rng = np.random.default_rng(seed)
    mb = ModelBuilder(f"lwai hybrid {kind}")

    def w(name, shape):
        return mb.add_tensor(name, shape, "int8", data=_weights(rng, shape), scale=0.02)

    def f(name, shape, **kw):
        return mb.add_tensor(name, shape, "float32", **kw)

    if kind == "UNIDIRECTIONAL_SEQUENCE_LSTM":  # batch 1, 3 steps, 5 inputs, 4 cells
        from lwai.frontend import lstm

        x, y = f("x", (1, 3, 5)), f("y", (1, 3, 4))
        ids = {lstm.INPUT: x}
        for g, (i_in, i_rec, i_b) in enumerate(
            zip(lstm.INPUT_WEIGHTS, lstm.RECURRENT_WEIGHTS, lstm.BIASES, strict=True)
        ):
            ids[i_in], ids[i_rec] = w(f"wi{g}", (4, 5)), w(f"wr{g}", (4, 4))
            ids[i_b] = f(f"b{g}", (4,), data=rng.standard_normal(4))
        ids[lstm.OUTPUT_STATE] = f("h", (1, 4), is_variable=True)
        ids[lstm.CELL_STATE] = f("c", (1, 4), is_variable=True)
        mb.add_op(kind, [ids.get(i, -1) for i in range(lstm.NUM_INPUTS)], [y], {})
    else:
        raise ValueError(kind)
    mb.inputs, mb.outputs = [x], [y]
    return mb.build()


def litert_invocations(model: bytes, feed: np.ndarray, reset_every: int = 0) -> list[np.ndarray]:
    """LiteRT's reference kernels over feed[k] for each invocation k (one model input),
    state carried; ``reset_every`` K: reset_all_variables() before invocations K, 2K, ...
    Each output stacked along a new leading axis."""
    from ai_edge_litert.interpreter import Interpreter, OpResolverType

    it = Interpreter(model_content=model, experimental_op_resolver_type=OpResolverType.BUILTIN_REF)
    it.allocate_tensors()
    (inp,) = it.get_input_details()
    outs: list[list[np.ndarray]] = [[] for _ in it.get_output_details()]
    for k, x in enumerate(feed):
        if reset_every and k and k % reset_every == 0:
            it.reset_all_variables()
        it.set_tensor(inp["index"], x)
        it.invoke()
        for j, d in enumerate(it.get_output_details()):
            outs[j].append(it.get_tensor(d["index"]).copy())
    return [np.stack(o) for o in outs]
