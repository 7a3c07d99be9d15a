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

KINDS = ("FULLY_CONNECTED", "CONV_2D", "DEPTHWISE_CONV_2D")
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
        mb.add_op(self.kind, [x, w, b], [y], self.options)
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


GENERATORS = {
    "FULLY_CONNECTED": fully_connected,
    "CONV_2D": conv2d,
    "DEPTHWISE_CONV_2D": depthwise_conv2d,
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
