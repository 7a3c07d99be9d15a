"""16x8 operators (int16 activations, int8 weights, int64 bias): TFLite Micro's int16 mode.

TVM's importer cannot express them (its qnn lowering assumes int8/int32 and fails on int64
biases), so lwai converts them itself, as it does SVDF: the frontend reads the TFLite
tensors into an :class:`~lwai.ops.OpDesc` and emits a direct call
(:func:`lwai.frontend.stateful.direct_call`); :func:`int16_reason` says whether lwai's
kernel (kernels/reference/s16.c) computes it as TFLM does and :func:`plan_int16` gives the
kernel call (:mod:`lwai.codegen.kernels` defers both here for int16 ops).

TFLM's rules followed here: int16 zero points are 0 (it refuses others for conv, FC, MUL,
ADD); convolutions and FC accumulate in int64 and rescale with the 64-bit
MultiplyByQuantizedMultiplier (shift <= 7); ADD uses left_shift 15; MUL and pooling keep
the int8 arithmetic.
"""

from __future__ import annotations

import numpy as np

from lwai import quant
from lwai.errors import LwaiError
from lwai.ops import OpDesc, TensorDesc

# TFLite builtin -> lwai op kind, for the ops converted here when their input is int16.
BUILTINS = {
    "CONV_2D": "conv2d",
    "DEPTHWISE_CONV_2D": "depthwise_conv2d",
    "FULLY_CONNECTED": "fully_connected",
    "AVERAGE_POOL_2D": "avg_pool2d",
    "MAX_POOL_2D": "max_pool2d",
    "ADD": "add",
    "MUL": "mul",
    "SOFTMAX": "softmax",
}
KINDS = frozenset(BUILTINS.values())
_ACTS = {0: "NONE", 1: "RELU", 2: "RELU_N1_TO_1", 3: "RELU6", 4: "TANH", 5: "SIGN_BIT"}
# |accumulator| must stay below 2^47 (TFLite's 64-bit rescale contract); a product of an
# int16 and an int8 value is at most 2^22.
ACC_LIMIT = 1 << 47


# ---- frontend ------------------------------------------------------------------------------


def _tensor(model, sg, index: int) -> TensorDesc:
    from tflite.TensorType import TensorType

    from lwai.frontend import stateful

    t = sg.Tensors(index)
    if t.Type() != TensorType.INT64:
        return stateful.tensor_desc(model, sg, index)
    shape = tuple(int(d) for d in t.ShapeAsNumpy()) if t.ShapeLength() else ()
    d = TensorDesc(shape=shape, dtype="int64", name=(t.Name() or b"").decode(errors="replace"))
    q = t.Quantization()
    if q is not None and q.ScaleLength() > 0:
        d.scale = [float(s) for s in q.ScaleAsNumpy()]
        zps = q.ZeroPointAsNumpy() if q.ZeroPointLength() else np.zeros(len(d.scale))
        d.zero_point = [int(z) for z in np.atleast_1d(zps)]
    buf = model.Buffers(t.Buffer())
    if buf is not None and buf.DataLength() > 0:
        d.data = np.frombuffer(buf.DataAsNumpy().tobytes(), dtype="<i8").astype(np.int64)
        d.data = d.data.reshape(shape)
    return d


def _options(op, cls):
    raw = op.BuiltinOptions()
    if raw is None:
        return None
    o = cls()
    o.Init(raw.Bytes, raw.Pos)
    return o


def _padding(in_size: int, filt: int, stride: int, dilation: int, same: bool) -> tuple[int, int]:
    from lwai.tflite_writer import explicit_padding

    return explicit_padding(in_size, filt, stride, dilation, "SAME" if same else "VALID")


def describe(model, sg, op, builtin: str, where: str = "model"):
    """(OpDesc, TFLite indices of its activation inputs) for an int16 ``builtin`` op, None
    when its first input is not int16 (TVM's converter takes it then). Raises LwaiError
    (``where``: the model path) when lwai cannot compute it exactly."""
    from tflite.TensorType import TensorType

    idx = [int(i) for i in op.InputsAsNumpy()]
    outs = [int(i) for i in op.OutputsAsNumpy()]
    if not idx or idx[0] < 0 or sg.Tensors(idx[0]).Type() != TensorType.INT16 or len(outs) != 1:
        return None
    known = (TensorType.INT8, TensorType.INT16, TensorType.INT32, TensorType.INT64)
    for i in [*idx, *outs]:
        if i >= 0 and sg.Tensors(i).Type() not in known:
            name = (sg.Tensors(i).Name() or b"").decode(errors="replace")
            raise LwaiError(where, f"{builtin} (int16) with tensor '{name}' of another type")
    kind = BUILTINS[builtin]
    out = _tensor(model, sg, outs[0])
    what = f"{builtin} '{out.name}' (int16)"
    ins = [_tensor(model, sg, i) if i >= 0 else None for i in idx]
    attrs: dict = {}
    act = 0
    if kind in ("conv2d", "depthwise_conv2d"):
        from tflite.Conv2DOptions import Conv2DOptions
        from tflite.DepthwiseConv2DOptions import DepthwiseConv2DOptions

        o = _options(op, Conv2DOptions if kind == "conv2d" else DepthwiseConv2DOptions)
        sh, sw, dh, dw, same = 1, 1, 1, 1, False
        if o is not None:
            sh, sw = int(o.StrideH()), int(o.StrideW())
            dh, dw = int(o.DilationHFactor()), int(o.DilationWFactor())
            same, act = int(o.Padding()) == 0, int(o.FusedActivationFunction())
            if kind == "depthwise_conv2d":
                attrs["depth_multiplier"] = int(o.DepthMultiplier())
        x, w = ins[0], ins[1]
        if len(x.shape) == 4 and len(w.shape) == 4:
            pt, pb = _padding(x.shape[1], w.shape[1], sh, dh, same)
            pl, pr = _padding(x.shape[2], w.shape[2], sw, dw, same)
            attrs.update(stride=(sh, sw), dilation=(dh, dw), padding=(pt, pl, pb, pr))
        if kind == "depthwise_conv2d" and len(x.shape) == 4 and len(w.shape) == 4 and x.shape[3]:
            attrs["depth_multiplier"] = w.shape[3] // x.shape[3]  # TFLM derives it too
    elif kind == "fully_connected":
        from tflite.FullyConnectedOptions import FullyConnectedOptions

        o = _options(op, FullyConnectedOptions)
        if o is not None:
            act = int(o.FusedActivationFunction())
            if int(o.WeightsFormat()) != 0:
                raise LwaiError(where, f"{what} with shuffled weights")
    elif kind in ("avg_pool2d", "max_pool2d"):
        from tflite.Pool2DOptions import Pool2DOptions

        o = _options(op, Pool2DOptions)
        if o is None:
            raise LwaiError(where, f"{what} without pool options")
        sh, sw = int(o.StrideH()), int(o.StrideW())
        fh, fw = int(o.FilterHeight()), int(o.FilterWidth())
        same, act = int(o.Padding()) == 0, int(o.FusedActivationFunction())
        x = ins[0]
        if len(x.shape) == 4:
            pt, pb = _padding(x.shape[1], fh, sh, 1, same)
            pl, pr = _padding(x.shape[2], fw, sw, 1, same)
            attrs.update(stride=(sh, sw), filter=(fh, fw), padding=(pt, pl, pb, pr))
    elif kind == "softmax":
        from tflite.SoftmaxOptions import SoftmaxOptions

        o = _options(op, SoftmaxOptions)
        attrs["beta"] = float(o.Beta()) if o is not None else 1.0
    else:
        from tflite.AddOptions import AddOptions
        from tflite.MulOptions import MulOptions

        o = _options(op, AddOptions if kind == "add" else MulOptions)
        if o is not None:
            act = int(o.FusedActivationFunction())
    act_name = _ACTS.get(act, f"#{act}")
    if act_name not in ("NONE", "RELU", "RELU6", "RELU_N1_TO_1"):
        raise LwaiError(where, f"{what} has no lwai kernel: fused activation {act_name}")
    inputs = [t for t in ins if t is not None]
    attrs["activation"] = act_name
    if out.scale and out.zero_point and out.dtype == "int16":
        lo, hi = quant.activation_range_quantized(
            act_name, out.scale[0], out.zero_point[0], "int16"
        )
        attrs.update(act_min=lo, act_max=hi)
    desc = adopt_int32_bias(OpDesc(kind, inputs, out, attrs, name=what))
    # Checked here: TVM has no int16 kernel to fall back to.
    reason = int16_reason(desc)
    if reason is not None:
        raise LwaiError(
            where,
            f"{what} has no lwai kernel: {reason}",
            "TVM cannot compute this int16 operator exactly either; change the model",
        )
    acts = [i for i, t in zip([i for i in idx if i >= 0], inputs) if not t.is_const]
    return desc, acts


def convert(conv, op, builtin: str):
    """The direct call for the op (:func:`describe`), None when TVM takes it."""
    from lwai.frontend import stateful

    found = describe(conv.model, conv.subgraph, op, builtin)
    return None if found is None else stateful.direct_call(conv, *found)


def adopt_int32_bias(desc: OpDesc) -> OpDesc:
    """TFLM takes int32 biases in 16x8 CONV_2D and FULLY_CONNECTED too, summing in int32
    with the 32-bit rescale: the kernels' ``acc32`` mode. The bias values are kept exactly as
    int64 (the kernels' bias type) and ``attrs["bias32"]`` set. (TFLM's int16
    DEPTHWISE_CONV_2D reads any bias as int64, so an int32 one stays refused.)"""
    if desc.kind in ("conv2d", "fully_connected") and len(desc.inputs) == 3:
        b = desc.inputs[2]
        if b.dtype == "int32" and b.data is not None and desc.inputs[0].dtype == "int16":
            b.dtype, b.data = "int64", np.asarray(b.data).astype(np.int64)
            desc.attrs["bias32"] = True
    return desc


# ---- support check and kernel plan -------------------------------------------------------


def _q0(t: TensorDesc) -> bool:
    """Per-tensor quantized with zero point 0 (TFLM's int16 rule)."""
    return bool(t.scale) and bool(t.zero_point) and len(t.scale) == 1 and t.zero_point[0] == 0


def _multipliers(op: OpDesc, cout: int) -> tuple[list[int], list[int]]:
    x, w, out = op.inputs[0], op.inputs[1], op.output
    n = 1 if len(w.scale) == 1 else cout
    return quant.per_channel_multipliers(x.scale[0], w.scale, out.scale[0], n)


def int16_reason(op: OpDesc) -> str | None:
    """None when lwai's 16x8 kernel computes ``op`` exactly as TFLite Micro does."""
    from lwai.codegen.kernels import _weights_reason, broadcast4_reason

    kind, ins, out = op.kind, op.inputs, op.output
    if kind not in KINDS:
        return f"no int16 kernel for {kind}"
    if out.dtype != "int16":
        return f"int16 {kind} with {out.dtype} output"
    if not all(_q0(t) for t in (ins[0], out)):
        return "int16 activations need per-tensor quantization with zero point 0 (TFLM)"
    if kind in ("conv2d", "depthwise_conv2d", "fully_connected"):
        if len(ins) not in (2, 3):
            return f"{len(ins)} inputs"
        x, w = ins[0], ins[1]
        b = ins[2] if len(ins) == 3 else None
        if not w.is_const or (b is not None and not b.is_const):
            return "weights or bias not constant"
        if b is not None and b.dtype != "int64":
            return f"{b.dtype} bias (lwai's 16x8 kernels take int64 bias)"
        if kind == "fully_connected":
            if len(w.shape) != 2:
                return "weights of rank other than 2"
            cout, depth = w.shape
            if depth < 1 or int(np.prod(x.shape)) % depth != 0:
                return "input size not a multiple of the weights' depth"
            if out.shape[-1] != cout:
                return "output depth differs from weights"
            axis = 0
        else:
            if len(x.shape) != 4 or len(w.shape) != 4 or len(out.shape) != 4:
                return "convolution on tensors of rank other than 4"
            if kind == "conv2d":
                cout = w.shape[0]
                if w.shape[3] == 0 or x.shape[3] % w.shape[3] != 0:
                    return "input channels not a multiple of the filter depth"
                if cout % (x.shape[3] // w.shape[3]) != 0:
                    return "output channels not a multiple of the group count"
                axis, depth = 0, w.shape[1] * w.shape[2] * w.shape[3]
            else:
                cout = w.shape[3]
                dm = int(op.attrs.get("depth_multiplier", 1))
                if w.shape[0] != 1 or cout != x.shape[3] * dm:
                    return "depthwise weights do not match input channels x depth multiplier"
                axis, depth = 3, w.shape[1] * w.shape[2]
            if out.shape[3] != cout:
                return "output channels differ from weights"
            if "stride" not in op.attrs:
                return "convolution without geometry"
            for key in ("stride", "dilation"):
                if any(int(v) < 1 for v in op.attrs.get(key, (1, 1))):
                    return f"{key} < 1"
        if b is not None and int(np.prod(b.shape)) != cout:
            return "bias size differs from output channels"
        bad = _weights_reason(op, w, cout, axis)
        if bad:
            return bad
        max_bias = int(np.max(np.abs(b.data.astype(np.int64)))) if b is not None else 0
        if depth * (1 << 22) + max_bias >= ACC_LIMIT:
            return "accumulators could exceed 2^47 (TFLite's 64-bit rescale range)"
        _, shifts = _multipliers(op, cout)
        if max(shifts) > 7:
            return "input * weight scale / output scale >= 2^7 (TFLite's 64-bit rescale range)"
        return None
    if kind == "softmax":
        x = ins[0]
        if not x.shape or x.shape[-1] < 1 or x.shape[-1] >= 65536:
            return "softmax axis empty or longer than 65535 (the Q16.15 sum)"
        # TFLM: output zero point 0, scale within 0.1% of 1/32768
        if abs(quant.f32(out.scale[0]) - 1.0 / 32768) > 0.001 / 32768:
            return "int16 softmax output must have scale 1/32768 and zero point 0"
        _, shift = softmax_s16_multiplier(x.scale[0], float(op.attrs.get("beta", 1.0)))
        if not -31 <= shift <= 30:
            return "beta * input scale out of TFLite's int16 softmax range"
        return None
    if kind in ("avg_pool2d", "max_pool2d"):
        x = ins[0]
        if len(x.shape) != 4 or len(out.shape) != 4:
            return "pooling on tensors of rank other than 4"
        if quant.f32(x.scale[0]) != quant.f32(out.scale[0]):
            return "pooling that changes quantization"
        fh, fw = op.attrs.get("filter", (0, 0))
        sh, sw = op.attrs.get("stride", (0, 0))
        if min(fh, fw, sh, sw) < 1:
            return "pool filter or stride < 1"
        pad = op.attrs.get("padding", (0, 0, 0, 0))
        if pad[0] >= fh or pad[1] >= fw or pad[2] >= fh or pad[3] >= fw:
            return "padding as large as the pool window (windows entirely in padding)"
        return None
    # add / mul
    if len(ins) != 2 or any(t.dtype != "int16" for t in ins):
        return f"{kind} of {[t.dtype for t in ins]}"
    if not all(_q0(t) for t in ins):
        return "int16 operands need per-tensor quantization with zero point 0 (TFLM)"
    reason = broadcast4_reason(ins, out.shape)
    if reason is not None:
        return reason
    if kind == "add":
        p = add_s16_params(ins[0].scale[0], ins[1].scale[0], out.scale[0])
        if not -31 <= p["output_shift"] <= 31:
            return "ADD scales too far apart"
    return None


def add_s16_params(s1: float, s2: float, so: float) -> dict[str, int]:
    """TFLM's int16 ADD: the int8 scheme with left_shift 15."""
    s1, s2, so = quant.f32(s1), quant.f32(s2), quant.f32(so)
    twice_max = 2.0 * max(s1, s2)
    m1, sh1 = quant.quantize_multiplier(s1 / twice_max)
    m2, sh2 = quant.quantize_multiplier(s2 / twice_max)
    mo, sho = quant.quantize_multiplier(twice_max / ((1 << 15) * so))
    return {
        "left_shift": 15,
        "input1_multiplier": m1,
        "input1_shift": sh1,
        "input2_multiplier": m2,
        "input2_shift": sh2,
        "output_multiplier": mo,
        "output_shift": sho,
    }


def softmax_s16_multiplier(input_scale: float, beta: float) -> tuple[int, int]:
    """TFLM: double(input scale) * double(beta) / (10 / 65535), so that a difference of
    -65535 after the rescale is exp(-10), the table's end."""
    return quant.quantize_multiplier(quant.f32(input_scale) * quant.f32(beta) / (10.0 / 65535.0))


def _act(op: OpDesc) -> dict[str, int]:
    lo = int(op.attrs.get("act_min", -32768))
    hi = int(op.attrs.get("act_max", 32767))
    return {"act_min": max(-32768, lo), "act_max": min(32767, hi)}


def plan_int16(op: OpDesc):
    """The KernelPlan of an int16 OpDesc that passed :func:`int16_reason`."""
    from lwai.codegen.kernels import KernelPlan, Operand, _align4, conv_geometry, pool_geometry

    kind, x, out, a = op.kind, op.inputs[0], op.output, op.attrs
    if kind in ("conv2d", "depthwise_conv2d", "fully_connected"):
        in_dims, w_dims, out_dims, cout, fields = conv_geometry(op)
        ctype = (
            "lwai_fully_connected_s16_params"
            if kind == "fully_connected"
            else "lwai_conv_s16_params"
        )
        fields.update(_act(op))
        fields["acc32"] = int(bool(a.get("bias32", False)))
        mults, shifts = _multipliers(op, cout)
        q = ([int(v) for v in mults], [int(v) for v in shifts])
        bias = (
            Operand("in", 2, "int64", (1, 1, 1, cout), "bias")
            if len(op.inputs) == 3
            else Operand("absent", -1, "int64", (1, 1, 1, cout), "bias")
        )
        operands = [
            Operand("in", 0, "int16", in_dims, "in0"),
            Operand("in", 1, "int8", w_dims, "filter"),
            bias,
            Operand("out", -1, "int16", out_dims),
        ]
        return KernelPlan(f"{kind}_s16", ctype, fields, operands, q)
    if kind == "softmax":
        depth = int(x.shape[-1])
        d = (int(np.prod(x.shape)) // depth, 1, 1, depth)
        m, s = softmax_s16_multiplier(x.scale[0], float(a.get("beta", 1.0)))
        operands = [Operand("in", 0, "int16", d, "in0"), Operand("out", -1, "int16", d)]
        fields = {"input_multiplier": m, "input_shift": s}
        return KernelPlan("softmax_s16", "lwai_softmax_s16_params", fields, operands)
    if kind in ("avg_pool2d", "max_pool2d"):
        fields = {**pool_geometry(op), **_act(op)}
        operands = [
            Operand("in", 0, "int16", tuple(x.shape), "in0"),
            Operand("out", -1, "int16", tuple(out.shape)),
        ]
        return KernelPlan(f"{kind}_s16", "lwai_pool2d_s16_params", fields, operands)
    x2 = op.inputs[1]
    if kind == "add":
        fields = add_s16_params(x.scale[0], x2.scale[0], out.scale[0])
    else:
        m, s = quant.mul_params(x.scale[0], x2.scale[0], out.scale[0])
        fields = {"output_multiplier": m, "output_shift": s}
    fields.update(_act(op))
    operands = [
        Operand("in", 0, "int16", _align4(x.shape), "in0"),
        Operand("in", 1, "int16", _align4(x2.shape), "in1"),
        Operand("out", -1, "int16", _align4(out.shape)),
    ]
    return KernelPlan(f"{kind}_s16", f"lwai_{kind}_s16_params", fields, operands)


def precheck(model, where: str) -> None:
    """Every int16 op of subgraph 0 described (and refused with its reason) before TVM's
    importer starts, so a refusal is one clean error rather than one raised mid-import."""
    from lwai.frontend import transpose_matmul
    from lwai.frontend.tflite import _op_name

    sg = model.Subgraphs(0)
    for i in range(sg.OperatorsLength()):
        op = sg.Operators(i)
        name = _op_name(model, op)
        try:
            if name in BUILTINS:
                describe(model, sg, op, name, where)
            elif name in ("TRANSPOSE_CONV", "BATCH_MATMUL"):
                transpose_matmul.describe(model, sg, op, name, where)
        except LwaiError:
            raise
        except Exception as err:  # noqa: BLE001 - flatbuffers raises anything on bad bytes
            raise LwaiError(
                where, f"operator {i} ({name}) is malformed ({type(err).__name__})"
            ) from None
