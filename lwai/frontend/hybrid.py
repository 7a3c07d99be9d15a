"""Dynamic-range ("hybrid") TFLite operators: float32 activations, int8 constant weights.

TFLite Micro refuses these ("Hybrid models are not supported") and TVM's importer refuses
them too ("likely to have dynamic range quantization"). lwai converts FULLY_CONNECTED,
CONV_2D, DEPTHWISE_CONV_2D and BATCH_MATMUL (float LHS, constant int8 RHS) hybrids itself
into Relax that follows TFLite's reference hybrid arithmetic step by step, so the result
runs on TVM's C code (float ops: allowed by lwai.passes.exactness, whose rule covers
quantized *activations*); hybrid SVDF likewise for its feature product, the rest on lwai's
float SVDF kernel (:func:`convert_svdf`):

1. quantize the float input on the fly, per batch (the whole [H, W, C] image for a conv):
   - symmetric (FC without ``asymmetric_quantize_inputs``, per-tensor CONV_2D):
     range = max|x|, scale = range / 127, q = round(x * (127 / range)) clamped to +-127;
     an all-zero batch gets scale 1 (TFLite's SymmetricQuantizeFloats);
   - asymmetric (FC with the option, per-channel CONV_2D, DEPTHWISE_CONV_2D): the [min(x,0),
     max(x,0)] range on [-128, 127], zero point nudged in double precision, scale and its
     inverse in float32, q = round(zp + x * inv) (TFLite's AsymmetricQuantizeFloats);
     round() is C's, half away from zero, as TfLiteRound;
2. the int8 x int8 dot products accumulated exactly in int32 (asymmetric: of q - zp, which
   is what TFLite gets by subtracting row_sums * zp; padding contributes 0 in both);
3. rescale to float in TFLite's order: FC ``acc * (s_in * s_w[row]) + bias`` (s_w per tensor
   or per output row), per-tensor conv ``acc * (s_in * s_w)``, per-channel conv
   ``acc * s_w[c] * s_in + bias``, depthwise ``acc * (s_w[c] * s_in) + bias``, then the fused
   activation clamp. A conv takes the per-channel path only when its scales differ.

The weights stay int8 constants (TVM widens them inside the loops). Every step is the same
IEEE operation as TFLite's, so results match LiteRT's reference kernels up to the rounding of
the final multiply-add (measured 2026-12-01 on host and qemu-cortex-m4: CONV_2D and
DEPTHWISE_CONV_2D equal, FULLY_CONNECTED <= 7e-8, BATCH_MATMUL <= 1.2e-7, SVDF <= 2e-7
relative; tests/test_hybrid.py; weight scales as [1, 1] constants, see _c). TFLite's hybrid
UNIDIRECTIONAL_SEQUENCE_LSTM is refused by name (:func:`refuse_unconverted`): its
recurrent product quantizes the hidden state inside every time step, which needs a kernel.
"""

from __future__ import annotations

import numpy as np
from tflite.TensorType import TensorType
from tvm import relax

from lwai.errors import LwaiError

_R = relax.op
HYBRID_OPS = ("FULLY_CONNECTED", "CONV_2D", "DEPTHWISE_CONV_2D", "BATCH_MATMUL", "SVDF")
# Hybrid ops lwai does not convert (float activations, int8 weights): refused by name.
UNCONVERTED = ("UNIDIRECTIONAL_SEQUENCE_LSTM",)
_ACT_RANGE = {0: None, 1: (0.0, None), 2: (-1.0, 1.0), 3: (0.0, 6.0)}


def is_hybrid(conv, op) -> bool:
    """A float32-activation FC/conv whose weights (input 1) are quantized int8."""
    if conv.get_op_code_str(op) not in HYBRID_OPS:
        return False
    sg = conv.subgraph
    idx = [int(i) for i in op.InputsAsNumpy()]
    if len(idx) < 2 or idx[0] < 0 or idx[1] < 0:
        return False
    x, w = sg.Tensors(idx[0]), sg.Tensors(idx[1])
    return x.Type() == TensorType.FLOAT32 and w.Type() in (TensorType.INT8, TensorType.UINT8)


def _c(v, dtype: str) -> relax.Expr:
    # A 0-d constant may become a TIR FloatImm, which TVM's C printer rounds to 7 digits:
    # weight scales go in as [1, 1] tensors (their bytes are emitted exactly).
    return relax.const(np.asarray(v, dtype=dtype), dtype)


def _weights(conv, op, name: str):
    """(int8 data, per-output-channel float32 scales, per_channel, bias or None)."""
    from lwai.frontend.stateful import tensor_desc

    model, sg = conv.model, conv.subgraph
    idx = [int(i) for i in op.InputsAsNumpy()]
    w = tensor_desc(model, sg, idx[1])
    if w.dtype != "int8":
        raise LwaiError("model", f"hybrid {name} '{w.name}': weights must be int8, got {w.dtype}")
    if w.data is None:
        raise LwaiError("model", f"hybrid {name} '{w.name}': weights must be constant")
    if not w.scale:
        raise LwaiError("model", f"hybrid {name} '{w.name}': int8 weights without a scale")
    if any(z != 0 for z in (w.zero_point or [])):
        raise LwaiError("model", f"hybrid {name} '{w.name}': weight zero points must be 0")
    bias = None
    if len(idx) > 2 and idx[2] >= 0:
        b = tensor_desc(model, sg, idx[2])
        if b.dtype != "float32" or b.data is None:
            raise LwaiError("model", f"hybrid {name}: the bias must be a float32 constant")
        bias = b.data.astype(np.float32).reshape(-1)
    return w, np.asarray(w.scale, dtype=np.float32), bias


def _abs(e: relax.Expr) -> relax.Expr:
    # max(x, -x): exact, and TVM 0.27's C codegen has no lowering for tirx.fabs.
    return _R.maximum(e, _R.negative(e))


def _symmetric(x2d: relax.Expr):
    """TFLite's SymmetricQuantizeFloats per row of [B, N]: (q int32, scale float32 [B, 1])."""
    mn = _R.min(x2d, axis=[1], keepdims=True)
    mx = _R.max(x2d, axis=[1], keepdims=True)
    rng = _R.maximum(_abs(mn), _abs(mx))
    zero = _R.equal(rng, _c(0.0, "float32"))
    safe = _R.where(zero, _c(1.0, "float32"), rng)
    scale = _R.where(zero, _c(1.0, "float32"), _R.divide(safe, _c(127.0, "float32")))
    inv = _R.divide(_c(127.0, "float32"), safe)  # all-zero rows: 0 * 127 = 0
    q = _R.clip(_R.round(_R.multiply(x2d, inv)), -127.0, 127.0)
    return _R.astype(q, "int32"), scale


def _asymmetric_params(x):
    """TE: per row of x [B, N], TFLite's AsymmetricQuantizeFloats parameters (scale, zero
    point) as float32 [B, 2] (the scheduler takes one output per call). One fused TIR function, so the double-precision zero-point
    arithmetic stays in scalars (no float64 tensors for the arena or the graph file)."""
    from tvm import te
    from tvm import tirx as tir

    b, n = x.shape
    k1, k2 = te.reduce_axis((0, n), "k1"), te.reduce_axis((0, n), "k2")
    mn = te.compute((b,), lambda i: te.min(x[i, k1], axis=k1), name="row_min")
    mx = te.compute((b,), lambda i: te.max(x[i, k2], axis=k2), name="row_max")

    def d(v):
        return tir.const(v, "float64")

    def dabs(v):  # no fabs: TVM 0.27's C codegen cannot lower it
        return tir.Select(v < d(0.0), -v, v)

    def params(i, j):
        rmin = tir.Cast("float64", tir.min(mn[i], tir.const(0.0, "float32")))
        rmax = tir.Cast("float64", tir.max(mx[i], tir.const(0.0, "float32")))
        flat = rmin == rmax
        scale = tir.Select(flat, d(1.0), (rmax - rmin) / d(255.0))
        lo_s, hi_s = rmin / scale, rmax / scale
        zp_d = tir.Select(
            d(128.0) + dabs(lo_s) < d(127.0) + dabs(hi_s), d(-128.0) - lo_s, d(127.0) - hi_s
        )
        zp = tir.Select(
            zp_d <= d(-128.0),
            d(-128.0),
            tir.Select(zp_d >= d(127.0), d(127.0), tir.round(zp_d)),
        )
        return tir.Select(
            j == 0,
            tir.Select(flat, tir.const(1.0, "float32"), tir.Cast("float32", scale)),
            tir.Select(flat, tir.const(0.0, "float32"), tir.Cast("float32", zp)),
        )

    return te.compute((b, 2), params, name="asym_params")


def _asymmetric(bb, x2d: relax.Expr):
    """TFLite's AsymmetricQuantizeFloats per row of [B, N]:
    (q - zero point as int32, scale float32 [B, 1]). An all-zero row: scale 1, q = 0."""
    x2d = bb.emit(x2d)
    p = bb.emit_te(_asymmetric_params, x2d)
    scale = _R.strided_slice(p, axes=[1], begin=[0], end=[1])
    zp = _R.strided_slice(p, axes=[1], begin=[1], end=[2])
    # TFLite: 1.0 / *scaling_factor in double, rounded to float; a float32 division of the
    # float scale is the same number (53 >= 2 * 24 + 2 bits: double rounding is harmless).
    inv = _R.divide(_c(1.0, "float32"), scale)
    q = _R.clip(_R.round(_R.add(zp, _R.multiply(x2d, inv))), -128.0, 127.0)
    return _R.astype(_R.subtract(q, zp), "int32"), scale


def _activation(y: relax.Expr, act: int, name: str) -> relax.Expr:
    if act not in _ACT_RANGE:
        raise LwaiError("model", f"hybrid {name}: fused activation #{act} is not supported")
    rng = _ACT_RANGE[act]
    if rng is None:
        return y
    lo, hi = rng
    y = _R.maximum(y, _c(lo, "float32"))
    return y if hi is None else _R.minimum(y, _c(hi, "float32"))


def _options(op, cls_name: str):
    import importlib

    cls = getattr(importlib.import_module(f"tflite.{cls_name}"), cls_name)
    opts = cls()
    raw = op.BuiltinOptions()
    if raw is None:
        return None
    opts.Init(raw.Bytes, raw.Pos)
    return opts


def _shape(conv, idx: int) -> list[int]:
    t = conv.subgraph.Tensors(idx)
    return [int(d) for d in t.ShapeAsNumpy()] if t.ShapeLength() else []


def _input(conv, op) -> relax.Expr:
    (x,) = conv.get_tensors([int(op.InputsAsNumpy()[0])])
    return conv.get_tensor_expr(x)


def convert_fully_connected(conv, op) -> relax.Expr:
    name = "FULLY_CONNECTED"
    opts = _options(op, "FullyConnectedOptions")
    act = int(opts.FusedActivationFunction()) if opts else 0
    asym = bool(opts.AsymmetricQuantizeInputs()) if opts else False
    w, w_scale, bias = _weights(conv, op, name)
    n_out, k = int(w.shape[0]), int(np.prod(w.shape[1:]))
    in_shape = _shape(conv, int(op.InputsAsNumpy()[0]))
    if int(np.prod(in_shape)) % k:
        raise LwaiError("model", f"hybrid {name}: input {in_shape} is not a multiple of {k}")
    batch = int(np.prod(in_shape)) // k
    x2d = _R.reshape(_input(conv, op), (batch, k))
    q, s_in = _asymmetric(conv.bb, x2d) if asym else _symmetric(x2d)
    # The weights stay int8 constants (the point of a hybrid model): TVM widens each
    # element inside the loop.
    wt = np.ascontiguousarray(w.data.reshape(n_out, k).T)
    acc = _R.matmul(q, _c(wt, "int8"), out_dtype="int32")
    if len(w_scale) > 1:  # TFLite: scale = s_in * s_w[row]
        scale = _R.multiply(s_in, _c(w_scale.reshape(1, -1), "float32"))
    else:
        scale = _R.multiply(s_in, _c(np.full((1, 1), w_scale[0]), "float32"))
    y = _R.multiply(_R.astype(acc, "float32"), scale)
    if bias is not None:
        y = _R.add(_c(bias.reshape(1, -1), "float32"), y)
    y = _activation(y, act, name)
    out_shape = _shape(conv, int(op.OutputsAsNumpy()[0]))
    return _R.reshape(y, out_shape)


def _padding(in_size: int, filt: int, stride: int, dil: int, same: bool) -> tuple[int, int, int]:
    eff = (filt - 1) * dil + 1
    out = (in_size + stride - 1) // stride if same else (in_size - eff + stride) // stride
    total = max((out - 1) * stride + eff - in_size, 0) if same else 0
    return out, total // 2, total - total // 2


def convert_conv(conv, op, depthwise: bool) -> relax.Expr:
    from tflite.Padding import Padding

    name = "DEPTHWISE_CONV_2D" if depthwise else "CONV_2D"
    opts = _options(op, "DepthwiseConv2DOptions" if depthwise else "Conv2DOptions")
    if opts is None:
        raise LwaiError("model", f"hybrid {name} without options")
    act = int(opts.FusedActivationFunction())
    same = opts.Padding() == Padding.SAME
    sh, sw = int(opts.StrideH()), int(opts.StrideW())
    dh, dw = int(opts.DilationHFactor()), int(opts.DilationWFactor())
    w, w_scale, bias = _weights(conv, op, name)
    x_shape = _shape(conv, int(op.InputsAsNumpy()[0]))
    if len(x_shape) != 4 or len(w.shape) != 4:
        raise LwaiError("model", f"hybrid {name}: input and filter must be 4-D")
    b, ih, iw, c = x_shape
    kh, kw = int(w.shape[1]), int(w.shape[2])
    oh, pt, pb = _padding(ih, kh, sh, dh, same)
    ow, pl, pr = _padding(iw, kw, sw, dw, same)
    out_ch = int(w.shape[0] if not depthwise else w.shape[3])
    # TFLite's conv takes the per-channel path only when the scales differ; depthwise
    # hybrids are always per-channel (asymmetric inputs).
    per_channel = depthwise or (len(w_scale) > 1 and bool(np.any(w_scale != w_scale[0])))
    if len(w_scale) not in (1, out_ch):
        raise LwaiError("model", f"hybrid {name}: {len(w_scale)} weight scales, {out_ch} outputs")
    x2d = _R.reshape(_input(conv, op), (b, ih * iw * c))
    q, s_in = _asymmetric(conv.bb, x2d) if per_channel else _symmetric(x2d)
    q4 = _R.reshape(q, (b, ih, iw, c))
    if depthwise:
        # [1, KH, KW, C*M] -> HWIO with I = 1 and groups = C (output c*M + m reads input c).
        kernel = w.data.reshape(kh, kw, 1, out_ch)
        groups = c
    else:
        kernel = np.ascontiguousarray(np.transpose(w.data, (1, 2, 3, 0)))  # OHWI -> HWIO
        groups = 1
    acc = _R.nn.conv2d(
        q4,
        _c(kernel, "int8"),  # int8 constant, widened in the loop
        strides=(sh, sw),
        padding=(pt, pl, pb, pr),
        dilation=(dh, dw),
        groups=groups,
        data_layout="NHWC",
        kernel_layout="HWIO",
        out_dtype="int32",
    )
    accf = _R.astype(acc, "float32")
    s_in4 = _R.reshape(s_in, (b, 1, 1, 1))
    scales = np.broadcast_to(w_scale, (out_ch,)).astype(np.float32).reshape(1, 1, 1, out_ch)
    if not per_channel:  # s_in * s_w first (TFLite pre-multiplies the batch factors)
        y = _R.multiply(accf, _R.multiply(s_in4, _c(np.full((1, 1), w_scale[0]), "float32")))
    elif depthwise:  # acc * (s_w[c] * s_in)
        y = _R.multiply(accf, _R.multiply(_c(scales, "float32"), s_in4))
    else:  # acc * s_w[c] * s_in
        y = _R.multiply(_R.multiply(accf, _c(scales, "float32")), s_in4)
    if bias is not None:
        y = _R.add(y, _c(bias.reshape(1, 1, 1, -1), "float32"))
    y = _activation(y, act, name)
    assert (oh, ow) == tuple(_shape(conv, int(op.OutputsAsNumpy()[0]))[1:3]), (oh, ow)
    return y


def convert_batch_matmul(conv, op) -> relax.Expr:
    """Hybrid BATCH_MATMUL (TFLite's EvalHybrid): float32 LHS [..., M, K] (adj_x: [..., K, M]),
    constant int8 RHS [..., K, N] (adj_y: [..., N, K]) with one scale. Each LHS row of K
    values is quantized on its own (symmetric, or asymmetric with the option), the int32
    dot products of (q - zp) and the weights are scaled by float32(s_in * s_w); no bias, no
    activation. Batch dimensions broadcast as in the float op."""
    from lwai.frontend.stateful import tensor_desc

    name = "BATCH_MATMUL"
    opts = _options(op, "BatchMatMulOptions")
    adj_x = bool(opts.AdjX()) if opts else False
    adj_y = bool(opts.AdjY()) if opts else False
    asym = bool(opts.AsymmetricQuantizeInputs()) if opts else False
    idx = [int(i) for i in op.InputsAsNumpy()]
    w = tensor_desc(conv.model, conv.subgraph, idx[1])
    if w.dtype != "int8":
        raise LwaiError("model", f"hybrid {name} '{w.name}': weights must be int8, got {w.dtype}")
    if w.data is None:
        raise LwaiError("model", f"hybrid {name} '{w.name}': the int8 RHS must be constant")
    if not w.scale or len(w.scale) != 1:
        raise LwaiError(
            "model", f"hybrid {name} '{w.name}': the int8 RHS needs one (per-tensor) scale"
        )
    if any(z != 0 for z in (w.zero_point or [])):
        raise LwaiError("model", f"hybrid {name} '{w.name}': weight zero points must be 0")
    x_shape = _shape(conv, idx[0])
    if len(x_shape) < 2 or len(w.shape) < 2 or max(len(x_shape), len(w.shape)) > 5:
        raise LwaiError("model", f"hybrid {name}: operands must have rank 2 to 5")
    # TFLite's reference kernel steps its per-row scale (and zero point / row sum) pointers
    # by one matrix per batch index in every batch dimension, which is the tensor's layout
    # only when at most one batch dimension exceeds 1: lwai refuses the rest rather than
    # compute other numbers than LiteRT (or reproduce that indexing).
    for what, dims in (("LHS", x_shape[:-2]), ("RHS", list(w.shape[:-2]) if asym else [])):
        if sum(1 for d in dims if d != 1) > 1:
            raise LwaiError(
                "model",
                f"hybrid {name} with a {what} of several batch dimensions > 1 "
                f"({list(dims)}) is not supported",
                "reshape the batch dimensions into one",
            )
    wd = np.asarray(w.data, dtype=np.int8).reshape(w.shape)
    if adj_y:
        wd = np.swapaxes(wd, -1, -2)
    k, n = int(wd.shape[-2]), int(wd.shape[-1])
    x = _input(conv, op)
    if adj_x:
        perm = list(range(len(x_shape) - 2)) + [len(x_shape) - 1, len(x_shape) - 2]
        x = _R.permute_dims(x, perm)
        x_shape = x_shape[:-2] + [x_shape[-1], x_shape[-2]]
    if x_shape[-1] != k:
        raise LwaiError("model", f"hybrid {name}: LHS depth {x_shape[-1]} != RHS depth {k}")
    rows = int(np.prod(x_shape[:-1]))
    x2d = _R.reshape(x, (rows, k))
    q, s_in = _asymmetric(conv.bb, x2d) if asym else _symmetric(x2d)
    q = _R.reshape(q, x_shape)
    acc = _R.matmul(q, _c(np.ascontiguousarray(wd), "int8"), out_dtype="int32")
    # TFLite: scaling_factors[row] *= filter scale, then out = factor * float(total).
    scale = _R.multiply(s_in, _c(np.full((1, 1), w.scale[0]), "float32"))
    scale = _R.reshape(scale, [*x_shape[:-1], 1])
    y = _R.multiply(_R.astype(acc, "float32"), scale)
    out_shape = _shape(conv, int(op.OutputsAsNumpy()[0]))
    if out_shape and out_shape[-1] != n:
        raise LwaiError("model", f"hybrid {name}: output {out_shape} does not end in {n}")
    return _R.reshape(y, out_shape) if out_shape else y


def convert_svdf(conv, op) -> relax.Expr:
    """Hybrid SVDF (TFLite's EvalHybridSVDF): float32 input [B, D] and state, int8
    weights_feature [F, D] and weights_time [F, M], float32 bias.

    TFLite: the new state column is the hybrid matrix product of the input (each batch row
    quantized, symmetric or with ``asymmetric_quantize_inputs`` asymmetric) with
    weights_feature, ``float(acc) * (s_in * s_wf)``; weights_time are dequantized once as
    ``float(w) * s_wt``; the rest is the float SVDF. lwai computes the column in Relax (as
    the hybrid FULLY_CONNECTED) and hands it to lwai's float SVDF kernel (persistent float
    state) with an identity feature matrix: each column value times 1 plus zeros is exact.
    Costs F * F floats of constant (a dedicated kernel would not). TFLite sums the rank's
    dot products from 0 and adds the bias last (lwai's kernel, in TFLM's order, starts from
    the bias): the kernel runs without bias and activation, Relax adds both after it."""
    from lwai.frontend.stateful import _ACTIVATIONS, direct_call, tensor_desc
    from lwai.ops import OpDesc, TensorDesc

    model, sg = conv.model, conv.subgraph
    idx = [int(i) for i in op.InputsAsNumpy()]
    if len(idx) != 5:
        raise LwaiError("model", f"hybrid SVDF with {len(idx)} inputs (TFLite's has 5)")
    x_i, wf_i, wt_i, b_i, s_i = idx
    if not sg.Tensors(s_i).IsVariable():
        raise LwaiError("model", "hybrid SVDF's state (input 4) is not a variable tensor")
    opts = _options(op, "SVDFOptions")
    rank = int(opts.Rank()) if opts else 1
    act = int(opts.FusedActivationFunction()) if opts else 0
    asym = bool(opts.AsymmetricQuantizeInputs()) if opts else False
    wf, wt = tensor_desc(model, sg, wf_i), tensor_desc(model, sg, wt_i)
    for t in (wf, wt):
        if t.dtype != "int8" or t.data is None or not t.scale or len(t.scale) != 1:
            raise LwaiError(
                "model",
                f"hybrid SVDF '{t.name}': weights must be constant int8 with one scale",
            )
        if any(z != 0 for z in (t.zero_point or [])):
            raise LwaiError("model", f"hybrid SVDF '{t.name}': weight zero points must be 0")
    state = tensor_desc(model, sg, s_i)
    if state.dtype != "float32":
        raise LwaiError("model", f"hybrid SVDF: the state must be float32, got {state.dtype}")
    state.data, state.state = None, True
    x_shape = _shape(conv, x_i)
    if len(x_shape) != 2 or len(wf.shape) != 2 or len(wt.shape) != 2:
        raise LwaiError("model", "hybrid SVDF on tensors of rank other than 2")
    batch, depth = x_shape
    filters = int(wf.shape[0])
    if int(wf.shape[1]) != depth or int(wt.shape[0]) != filters:
        raise LwaiError("model", "hybrid SVDF weights do not match the input")
    x2d = _input(conv, op)
    q, s_in = _asymmetric(conv.bb, x2d) if asym else _symmetric(x2d)
    acc = _R.matmul(
        q, _c(np.ascontiguousarray(wf.data.reshape(filters, depth).T), "int8"), out_dtype="int32"
    )
    column = _R.multiply(
        _R.astype(acc, "float32"), _R.multiply(s_in, _c(np.full((1, 1), wf.scale[0]), "float32"))
    )
    column = conv.bb.emit(column)
    (out_i,) = [int(i) for i in op.OutputsAsNumpy()]
    out = tensor_desc(model, sg, out_i)
    col = TensorDesc(shape=(batch, filters), dtype="float32", name=f"{out.name}/column")
    eye = TensorDesc(
        shape=(filters, filters),
        dtype="float32",
        name=f"{wf.name}/identity",
        data=np.eye(filters, dtype=np.float32),
    )
    wt_f = TensorDesc(
        shape=tuple(wt.shape),
        dtype="float32",
        name=f"{wt.name}/dequantized",
        data=(wt.data.astype(np.float32) * np.float32(wt.scale[0])).astype(np.float32),
    )
    bias = None
    if b_i >= 0:
        bias = tensor_desc(model, sg, b_i)
        if bias.dtype != "float32" or bias.data is None:
            raise LwaiError("model", "hybrid SVDF: the bias must be a float32 constant")
    if act not in _ACT_RANGE:
        raise LwaiError("model", f"hybrid SVDF: fused activation {_ACTIVATIONS.get(act, act)}")
    attrs = {"rank": rank, "activation": "NONE"}
    desc = OpDesc("svdf", [col, eye, wt_f, state], out, attrs, name=f"hybrid SVDF '{out.name}'")
    y = direct_call(conv, desc, [], exprs=[column])
    if bias is not None:  # TFLite: (0 + dot_0 + ... + dot_rank-1) + bias
        y = _R.add(conv.bb.emit(y), _c(bias.data.reshape(1, -1), "float32"))
    return _activation(y, act, "SVDF")


def refuse_unconverted(conv, op) -> None:
    """A clear error for a hybrid UNIDIRECTIONAL_SEQUENCE_LSTM (float activations, int8
    weights), which lwai does not compute (TFLite's hybrid LSTM quantizes the hidden state
    inside every time step: it needs a kernel of its own)."""
    name = conv.get_op_code_str(op)
    if name not in UNCONVERTED:
        return
    sg = conv.subgraph
    idx = [int(i) for i in op.InputsAsNumpy()]
    if not idx or idx[0] < 0 or sg.Tensors(idx[0]).Type() != TensorType.FLOAT32:
        return
    weights = [
        (sg.Tensors(i).Name() or b"").decode(errors="replace")
        for i in idx[1:]
        if i >= 0
        and not sg.Tensors(i).IsVariable()
        and sg.Tensors(i).Type() in (TensorType.INT8, TensorType.UINT8)
    ]
    if weights:
        raise LwaiError(
            "model",
            f"hybrid {name} (float32 activations with int8 weights '{weights[0]}') is not "
            "supported by lwai",
            "dequantize the weights to float32 or fully quantize the model to int8",
        )
