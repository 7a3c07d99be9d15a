"""TRANSPOSE_CONV (int8, int16 16x8) and BATCH_MATMUL (int8, int16) on lwai's kernels.

TVM's importer crashes on int16 TRANSPOSE_CONV ("a bytes-like object is required") and
would send quantized ones through its float legalization, so lwai converts quantized ones
itself, as it does SVDF (:func:`lwai.frontend.stateful.direct_call`); float ones stay with
TVM. TFLM's arithmetic (kernels/reference/transpose_conv.c, batch_matmul.c):
- TRANSPOSE_CONV: padding from the output size (ComputePaddingHeightWidth), per-channel
  multipliers as CONV_2D, no fused activation (the output dtype's range), int16 with
  int64 bias and the 64-bit rescale;
- BATCH_MATMUL: one multiplier float32(sx * sy) / so (GetQuantizedConvolutionMultipler),
  no fused activation; int16 with zero points 0 and an int64 accumulator.
"""

from __future__ import annotations

import numpy as np

from lwai import quant
from lwai.errors import LwaiError
from lwai.ops import OpDesc

KINDS = frozenset({"transpose_conv", "batch_matmul"})
_QUANT_TYPES = ("int8", "int16")


def describe(model, sg, op, builtin: str, where: str = "model"):
    """(OpDesc, TFLite indices of its activation inputs) for a TRANSPOSE_CONV (any dtype:
    TVM cannot lower a float one either) or a quantized BATCH_MATMUL, None for float
    BATCH_MATMUL (TVM takes it). Raises LwaiError (``where``: the
    model path) when lwai cannot compute it exactly."""
    from tflite.TensorType import TensorType

    from lwai.frontend.int16 import _options, _padding, _tensor

    idx = [int(i) for i in op.InputsAsNumpy()]
    outs = [int(i) for i in op.OutputsAsNumpy()]
    first = 2 if builtin == "TRANSPOSE_CONV" else 0
    if len(idx) <= first or idx[first] < 0 or len(outs) != 1:
        return None  # malformed: TVM's importer reports it
    taken = (TensorType.INT8, TensorType.INT16)
    if builtin == "TRANSPOSE_CONV":
        taken += (TensorType.FLOAT32,)  # TVM's lowering has no conv2d_transpose
    if sg.Tensors(idx[first]).Type() not in taken:
        return None  # float BATCH_MATMUL (or another type): TVM's
    known = (TensorType.INT8, TensorType.INT16, TensorType.INT32, TensorType.INT64)
    known += (TensorType.FLOAT32,) if builtin == "TRANSPOSE_CONV" else ()
    for i in [*idx, *outs]:
        if i >= 0 and sg.Tensors(i).Type() not in known:
            name = (sg.Tensors(i).Name() or b"").decode(errors="replace")
            raise LwaiError(where, f"quantized {builtin} with tensor '{name}' of another type")
    out = _tensor(model, sg, outs[0])
    if builtin == "TRANSPOSE_CONV":
        from tflite.TransposeConvOptions import TransposeConvOptions

        x = _tensor(model, sg, idx[2])
        what = f"TRANSPOSE_CONV '{out.name}' ({x.dtype})"
        w = _tensor(model, sg, idx[1])
        inputs = [x, w]
        if len(idx) > 3 and idx[3] >= 0:
            inputs.append(_tensor(model, sg, idx[3]))
        o = _options(op, TransposeConvOptions)
        sh, sw, same, act = 1, 1, True, 0
        if o is not None:
            sh, sw, same = int(o.StrideH()), int(o.StrideW()), int(o.Padding()) == 0
            if hasattr(o, "FusedActivationFunction"):
                act = int(o.FusedActivationFunction())
        attrs: dict = {"stride": (sh, sw), "fused_activation": act}
        if len(out.shape) == 4 and len(w.shape) == 4 and min(sh, sw) >= 1:
            pt, pb = _padding(out.shape[1], w.shape[1], sh, 1, same)
            pl, pr = _padding(out.shape[2], w.shape[2], sw, 1, same)
            attrs["padding"] = (pt, pl, pb, pr)
        desc = OpDesc("transpose_conv", inputs, out, attrs, name=what)
        acts = [idx[2]]
    else:
        from tflite.BatchMatMulOptions import BatchMatMulOptions

        x, y = _tensor(model, sg, idx[0]), _tensor(model, sg, idx[1])
        if x.dtype not in _QUANT_TYPES:
            return None
        what = f"BATCH_MATMUL '{out.name}' ({x.dtype})"
        o = _options(op, BatchMatMulOptions)
        adj_x = bool(o.AdjX()) if o is not None else False
        adj_y = bool(o.AdjY()) if o is not None else False
        desc = OpDesc("batch_matmul", [x, y], out, {"adj_x": adj_x, "adj_y": adj_y}, name=what)
        acts = [i for i, t in zip(idx[:2], (x, y)) if not t.is_const]
    bad = reason(desc)
    if bad is not None:
        raise LwaiError(
            where,
            f"{what} has no lwai kernel: {bad}",
            "TVM cannot compute this quantized operator exactly either; change the model",
        )
    return desc, acts


def convert(conv, op, builtin: str):
    """The direct call for the op (:func:`describe`), None when TVM takes it."""
    from lwai.frontend import stateful

    found = describe(conv.model, conv.subgraph, op, builtin)
    return None if found is None else stateful.direct_call(conv, *found)


# ---- support check and kernel plan -------------------------------------------------------


def _pt(t) -> bool:
    return bool(t.scale) and bool(t.zero_point) and len(t.scale) == 1


def _tconv_multipliers(op: OpDesc, cout: int):
    x, w, out = op.inputs[0], op.inputs[1], op.output
    n = 1 if len(w.scale) == 1 else cout
    return quant.per_channel_multipliers(x.scale[0], w.scale, out.scale[0], n)


def bmm_multiplier(sx: float, sy: float, so: float) -> tuple[int, int]:
    """GetQuantizedConvolutionMultipler: the scales' product in float32, then / so in double."""
    product = float(np.float32(np.float32(sx) * np.float32(sy)))
    return quant.quantize_multiplier(product / quant.f32(so))


def _dims4(shape) -> tuple[int, int, int, int] | None:
    s = list(shape)
    if len(s) < 2 or len(s) > 4:
        return None
    s = [1] * (4 - len(s)) + s
    return s[0], s[1], s[2], s[3]


def reason(op: OpDesc) -> str | None:
    from lwai.codegen.kernels import _weights_reason

    ins, out = op.inputs, op.output
    dt = ins[0].dtype
    float_ok = op.kind == "transpose_conv" and dt == "float32"
    if (dt not in _QUANT_TYPES and not float_ok) or out.dtype != dt:
        return f"{dt} -> {out.dtype}"
    if op.kind == "transpose_conv":
        x, w = ins[0], ins[1]
        b = ins[2] if len(ins) == 3 else None
        if int(op.attrs.get("fused_activation", 0)) != 0:
            return "a fused activation (TFLM's TRANSPOSE_CONV applies none)"
        if len(x.shape) != 4 or len(w.shape) != 4 or len(out.shape) != 4:
            return "tensors of rank other than 4"
        if not w.is_const or (b is not None and not b.is_const):
            return "weights or bias not constant"
        if w.shape[3] != x.shape[3] or out.shape[3] != w.shape[0] or out.shape[0] != x.shape[0]:
            return "weights do not match the input and output channels"
        if "padding" not in op.attrs or min(op.attrs["stride"]) < 1:
            return "stride < 1"
        if dt == "float32":
            if w.dtype != "float32" or (b is not None and b.dtype != "float32"):
                return "mixed float/integer types"
            return None
        if not (_pt(x) and _pt(out)):
            return "activations without per-tensor quantization"
        cout = w.shape[0]
        bad = _weights_reason(op, w, cout, 0)
        if bad:
            return bad
        if b is not None and int(np.prod(b.shape)) != cout:
            return "bias size differs from output channels"
        sh, sw = op.attrs["stride"]
        taps = -(-w.shape[1] // sh) * -(-w.shape[2] // sw) * w.shape[3]
        if dt == "int8":
            if b is not None and b.dtype != "int32":
                return f"{b.dtype} bias with int8 activations"
            max_bias = int(np.max(np.abs(b.data.astype(np.int64)))) if b is not None else 0
            if taps * 256 * 128 + max_bias >= 2**31:
                return "int32 accumulators could overflow"
            return None
        if b is not None and b.dtype != "int64":
            return f"{b.dtype} bias (lwai's 16x8 kernels take int64 bias)"
        if x.zero_point[0] != 0 or out.zero_point[0] != 0:
            return "int16 activations need zero point 0 (TFLM)"
        max_bias = int(np.max(np.abs(b.data.astype(np.int64)))) if b is not None else 0
        if taps * (1 << 22) + max_bias >= 1 << 47:
            return "accumulators could exceed 2^47 (TFLite's 64-bit rescale range)"
        if max(_tconv_multipliers(op, cout)[1]) > 7:
            return "input * weight scale / output scale >= 2^7 (TFLite's 64-bit rescale range)"
        return None
    # batch_matmul
    x, y = ins
    if y.dtype != dt:
        return f"{dt} x {y.dtype}"
    if not all(_pt(t) for t in (x, y, out)):
        return "operands without per-tensor quantization"
    dx, dy, do = _dims4(x.shape), _dims4(y.shape), _dims4(out.shape)
    if dx is None or dy is None or do is None:
        return "operands of rank other than 2 to 4 (lwai's BATCH_MATMUL)"
    rows = dx[3] if op.attrs.get("adj_x") else dx[2]
    depth = dx[2] if op.attrs.get("adj_x") else dx[3]
    ydepth = dy[3] if op.attrs.get("adj_y") else dy[2]
    cols = dy[2] if op.attrs.get("adj_y") else dy[3]
    if depth != ydepth or do[2:] != (rows, cols):
        return "matrix shapes do not match"
    for a, o in zip((dx[:2], dy[:2]), (do[:2], do[:2])):
        if any(ai not in (1, oi) for ai, oi in zip(a, o)):
            return "batch dimensions do not broadcast to the output"
    _, s = bmm_multiplier(x.scale[0], y.scale[0], out.scale[0])
    if dt == "int8":
        if depth * 256 * 256 >= 2**31:
            return "int32 accumulators could overflow"
        return None
    if any(t.zero_point[0] != 0 for t in (x, y, out)):
        return "int16 operands need zero point 0 (TFLM)"
    if depth * (1 << 30) >= 1 << 47 or s > 7:
        return "beyond TFLite's 64-bit rescale range"
    return None


def plan(op: OpDesc):
    from lwai.codegen.kernels import KernelPlan, Operand

    x, out, a = op.inputs[0], op.output, op.attrs
    dt = x.dtype
    sfx = {"int8": "s8", "int16": "s16", "float32": "f32"}[dt]
    lo, hi = quant.DTYPE_RANGE.get(dt, (0, 0))
    if op.kind == "transpose_conv":
        w = op.inputs[1]
        cout = w.shape[0]
        sh, sw = a["stride"]
        pad = a["padding"]
        fields: dict[str, int | float] = {
            "stride_h": int(sh),
            "stride_w": int(sw),
            "pad_top": int(pad[0]),
            "pad_left": int(pad[1]),
            "act_min": lo,
            "act_max": hi,
        }
        if dt == "float32":
            bias = (
                Operand("in", 2, dt, (1, 1, 1, cout), "bias")
                if len(op.inputs) == 3
                else Operand("absent", -1, dt, (1, 1, 1, cout), "bias")
            )
            operands = [
                Operand("in", 0, dt, tuple(x.shape), "in0"),
                Operand("in", 1, dt, tuple(w.shape), "filter"),
                bias,
                Operand("out", -1, dt, tuple(out.shape)),
            ]
            fields = {k: fields[k] for k in ("stride_h", "stride_w", "pad_top", "pad_left")}
            return KernelPlan("transpose_conv_f32", "lwai_transpose_conv_params", fields, operands)
        if dt == "int8":
            fields["input_offset"] = -int(x.zero_point[0])
            fields["output_offset"] = int(out.zero_point[0])
        mults, shifts = _tconv_multipliers(op, cout)
        bias_dt = "int32" if dt == "int8" else "int64"
        bias = (
            Operand("in", 2, bias_dt, (1, 1, 1, cout), "bias")
            if len(op.inputs) == 3
            else Operand("absent", -1, bias_dt, (1, 1, 1, cout), "bias")
        )
        operands = [
            Operand("in", 0, dt, tuple(x.shape), "in0"),
            Operand("in", 1, "int8", tuple(w.shape), "filter"),
            bias,
            Operand("out", -1, dt, tuple(out.shape)),
        ]
        q = ([int(v) for v in mults], [int(v) for v in shifts])
        return KernelPlan(
            f"transpose_conv_{sfx}", "lwai_transpose_conv_params", fields, operands, q
        )
    y = op.inputs[1]
    m, s = bmm_multiplier(x.scale[0], y.scale[0], out.scale[0])
    fields = {
        "adj_x": int(bool(a.get("adj_x"))),
        "adj_y": int(bool(a.get("adj_y"))),
        "output_multiplier": m,
        "output_shift": s,
        "act_min": lo,
        "act_max": hi,
    }
    if dt == "int8":
        fields.update(
            input1_offset=-int(x.zero_point[0]),
            input2_offset=-int(y.zero_point[0]),
            output_offset=int(out.zero_point[0]),
        )
    operands = [
        Operand("in", 0, dt, _dims4(x.shape), "in0"),
        Operand("in", 1, dt, _dims4(y.shape), "in1"),
        Operand("out", -1, dt, _dims4(out.shape)),
    ]
    return KernelPlan(f"batch_matmul_{sfx}", "lwai_batch_matmul_params", fields, operands)
