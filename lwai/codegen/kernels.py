"""Emit calls to lwai's C kernel library for one ``OpDesc``.

This is the contract between the compiler and ``kernels/``: :func:`unsupported_reason`
says whether a reference kernel computes an op exactly as TFLite Micro does, and
:func:`emit_kernel_call` turns the op into C: static const params, dims and constant
arrays (``definitions``) and one call expression evaluating to ``lwai_status``.

All quantization constants are derived here, in Python, with TFLite's arithmetic
(:mod:`lwai.quant`), so the kernels only compute.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from lwai import opspec, quant
from lwai.ops import OP_KINDS, OpDesc, TensorDesc


@dataclass
class KernelCall:
    kernel: str  # C function called, e.g. "lwai_conv2d_s8"
    definitions: str  # C text at file scope: static const params, dims and constant arrays
    call: str  # one C expression evaluating to lwai_status
    weights_bytes: int  # bytes of constant arrays emitted in `definitions`
    scratch_bytes: int = 0  # scratch the call needs (0 for reference kernels)


C_TYPES = {
    "int8": "int8_t",
    "int16": "int16_t",
    "int32": "int32_t",
    "int64": "int64_t",  # 16x8 LSTM biases
    "float32": "float",
    "uint32": "uint32_t",  # signal custom ops
    "uint64": "uint64_t",
    "bool": "uint8_t",  # comparisons' output: one byte, 0 or 1 (lwai/frontend/elementwise.py)
    "uint8": "uint8_t",  # QUANTIZE/DEQUANTIZE uint8 (lwai/frontend/cast_ops.py)
}
SUFFIX = {"int8": "s8", "int16": "s16", "float32": "f32"}

# Softmax sums up to depth terms of 1.0 in Q12.19; TFLite's final shift stays <= 31 only
# while the sum is below 2^9, i.e. for rows of at most 511 elements.
SOFTMAX_MAX_DEPTH_S8 = 511


# ---- support check -----------------------------------------------------------------------


def _has_quant(t: TensorDesc) -> bool:
    return bool(t.scale) and bool(t.zero_point)


def _per_tensor(t: TensorDesc) -> bool:
    return t.scale is not None and len(t.scale) == 1


def _align4(shape: tuple[int, ...]) -> tuple[int, int, int, int] | None:
    """Right-align a shape into 4-D; None when it has more than 4 non-unit leading dims."""
    s = list(shape)
    while len(s) > 4 and s[0] == 1:
        s.pop(0)
    if len(s) > 4:
        return None
    s = [1] * (4 - len(s)) + s
    return s[0], s[1], s[2], s[3]


def broadcast4_reason(ins, out_shape: tuple[int, ...]) -> str | None:
    """Why the shapes of ``ins`` do not broadcast to ``out_shape`` in 4-D (None: they do)."""
    o4 = _align4(out_shape)
    if o4 is None:
        return "more than 4 dimensions"
    for t in ins:
        a = _align4(t.shape)
        if a is None:
            return "more than 4 dimensions"
        if any(ai != oi and ai != 1 for ai, oi in zip(a, o4)):
            return f"shape {t.shape} does not broadcast to {out_shape}"
    return None


def _weights_reason(op: OpDesc, w: TensorDesc, cout: int, axis: int) -> str | None:
    if w.dtype != "int8":
        return f"{w.dtype} weights"
    if not _has_quant(w):
        return "weights without quantization parameters"
    if any(z != 0 for z in w.zero_point):
        return "weights with non-zero zero points"
    if len(w.scale) not in (1, cout):
        return f"{len(w.scale)} weight scales for {cout} output channels"
    if len(w.scale) > 1 and w.quant_axis != axis:
        return f"per-channel weights quantized along axis {w.quant_axis}, expected {axis}"
    return None


def unsupported_reason(op: OpDesc) -> str | None:
    """None when a reference kernel computes ``op`` exactly as TFLite Micro does, else why
    not (the op then falls to TVM's code generator). A refusal is a reason string; an
    exception here is a bug and propagates (never silently sending the op elsewhere)."""
    return _reason(op)


def _reason(op: OpDesc) -> str | None:
    kind = op.kind
    ins, out = op.inputs, op.output
    if kind not in OP_KINDS:
        return f"no lwai kernel for {kind}"
    if not ins:
        return "no inputs"
    dt = ins[0].dtype
    if kind in ("transpose_conv", "batch_matmul"):  # lwai/frontend/transpose_matmul.py
        from lwai.frontend import transpose_matmul

        return transpose_matmul.reason(op)
    from lwai.frontend import cast_ops  # CAST/QUANTIZE pairs, SELECT_V2, CUMSUM int8

    if cast_ops.handles(op):
        return cast_ops.reason(op)
    from lwai.frontend import elementwise  # ABS, PRELU, DIV, comparisons, int16 SUB/RELU...

    if elementwise.handles(op):
        return elementwise.reason(op)
    from lwai.frontend import data_movement  # split, pack, ... (every dtype: pure movement)

    if kind in data_movement.KINDS:
        return data_movement.reason(op)
    if kind in ("reduce", "l2norm", "log_softmax", "resize_bilinear"):  # frontend/reduce_ops.py
        from lwai.frontend import reduce_ops

        return reduce_ops.reason(op)
    if dt == "int16":  # 16x8 kernels (kernels/reference/s16.c): lwai/frontend/int16.py
        from lwai.frontend import int16

        if kind in int16.KINDS:
            return int16.int16_reason(op)

    if kind in ("conv2d", "depthwise_conv2d", "fully_connected"):
        if len(ins) not in (2, 3):
            return f"{len(ins)} inputs"
        x, w = ins[0], ins[1]
        b = ins[2] if len(ins) == 3 else None
        if not w.is_const or (b is not None and not b.is_const):
            return "weights or bias not constant"
        if dt == "float32":
            if w.dtype != "float32" or out.dtype != "float32" or (b and b.dtype != "float32"):
                return "mixed float/integer types"
        elif dt == "int8":
            if out.dtype != "int8":
                return f"int8 input with {out.dtype} output"
            if (
                not _has_quant(x)
                or not _has_quant(out)
                or not _per_tensor(x)
                or not _per_tensor(out)
            ):
                return "activations without per-tensor quantization"
            if b is not None and b.dtype != "int32":
                return f"{b.dtype} bias with int8 activations"
        else:
            return f"{dt} {kind}"
        if kind == "fully_connected":
            if len(w.shape) != 2:
                return "weights of rank other than 2"
            cout, depth = w.shape
            if int(np.prod(x.shape)) % depth != 0:
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
                groups = x.shape[3] // w.shape[3]
                if cout % groups != 0:
                    return "output channels not a multiple of the group count"
                axis = 0
            else:
                cout = w.shape[3]
                dm = int(op.attrs.get("depth_multiplier", 1))
                if w.shape[0] != 1 or cout != x.shape[3] * dm:
                    return "depthwise weights do not match input channels x depth multiplier"
                axis = 3
            if out.shape[3] != cout:
                return "output channels differ from weights"
            for key in ("stride", "dilation"):
                if any(int(v) < 1 for v in op.attrs.get(key, (1, 1))):
                    return f"{key} < 1"
        if b is not None and int(np.prod(b.shape)) != cout:
            return "bias size differs from output channels"
        if dt == "int8":
            return _weights_reason(op, w, cout, axis)
        return None

    if kind in ("avg_pool2d", "max_pool2d"):
        x = ins[0]
        if dt not in ("int8", "float32") or out.dtype != dt:
            return f"{dt} -> {out.dtype} pooling"
        if len(x.shape) != 4 or len(out.shape) != 4:
            return "pooling on tensors of rank other than 4"
        quantized = dt == "int8" and _has_quant(x) and _has_quant(out)
        same = not quantized or (
            quant.f32(x.scale[0]) == quant.f32(out.scale[0])
            and x.zero_point[0] == out.zero_point[0]
        )
        if not same:
            return "pooling that changes quantization"
        fh, fw = op.attrs.get("filter", (1, 1))
        sh, sw = op.attrs.get("stride", (1, 1))
        if min(fh, fw, sh, sw) < 1:
            return "pool filter or stride < 1"
        pad = op.attrs.get("padding", (0, 0, 0, 0))
        if pad[0] >= fh or pad[1] >= fw or pad[2] >= fh or pad[3] >= fw:
            return "padding as large as the pool window (windows entirely in padding)"
        return None

    if kind in ("add", "mul", "sub"):
        if len(ins) != 2:
            return f"{len(ins)} inputs"
        if any(t.dtype != dt for t in ins) or out.dtype != dt or dt not in ("int8", "float32"):
            return f"{kind} of {[t.dtype for t in ins]} -> {out.dtype}"
        if dt == "int8" and not all(_has_quant(t) and _per_tensor(t) for t in (*ins, out)):
            return "operands without per-tensor quantization"
        reason = broadcast4_reason(ins, out.shape)
        if reason is not None:
            return reason
        return None

    if kind == "hard_swish":
        x = ins[0]
        if dt != "int8" or out.dtype != "int8":
            return f"{dt} -> {out.dtype} hard_swish"
        if not (_has_quant(x) and _per_tensor(x) and _has_quant(out) and _per_tensor(out)):
            return "hard_swish without per-tensor quantization"
        f = _hard_swish_fields(x, out)
        if f["output_exponent"] > 0:
            return "int8 hard_swish with output scale below input scale / 128 (TFLite refuses)"
        if f["output_exponent"] < -15 or not -15 <= f["reluish_exponent"] <= 15:
            return "int8 hard_swish scales beyond TFLite's 16-bit shifts"
        return None

    if kind in ("logistic", "tanh") and dt == "int16" and out.dtype == "int16":
        x = ins[0]
        if not (_has_quant(x) and _per_tensor(x) and _has_quant(out) and _per_tensor(out)):
            return f"{kind} without per-tensor quantization"
        if x.zero_point[0] != 0 or out.zero_point[0] != 0:
            return f"int16 {kind} with a non-zero zero point"
        log2, exact = _checked_log2(out.scale[0])
        if not exact or log2 != -15:
            return f"int16 {kind} output scale must be 2^-15"
        if _sigmoid16_fields(kind, x)["input_multiplier"] > 32767:
            return f"int16 {kind} input scale too large for TFLite's table"
        return None

    if kind in ("logistic", "tanh"):
        x = ins[0]
        if dt != "int8" or out.dtype != "int8":
            return f"{dt} -> {out.dtype} {kind}"
        if not (_has_quant(x) and _per_tensor(x) and _has_quant(out) and _per_tensor(out)):
            return f"{kind} without per-tensor quantization"
        want = (1.0 / 256, -128) if kind == "logistic" else (1.0 / 128, 0)
        if quant.f32(out.scale[0]) != quant.f32(want[0]) or out.zero_point[0] != want[1]:
            return (
                f"int8 {kind} output must have scale 1/{round(1 / want[0])}, zero point {want[1]}"
            )
        m, shift, _ = _sigmoid_input(x)
        if m >= 1 << 31 or not 0 <= shift <= 31:
            return f"int8 {kind} input scale out of TFLite's range"
        return None

    if kind == "relu":
        x, mode = ins[0], op.attrs.get("mode")
        if dt != "int8" or out.dtype != "int8":
            return f"{dt} -> {out.dtype} {mode}"
        if not (_has_quant(x) and _per_tensor(x) and _has_quant(out) and _per_tensor(out)):
            return f"{mode} without per-tensor quantization"
        if mode not in ("relu", "relu6", "leaky_relu"):
            return f"activation {mode}"
        if mode == "leaky_relu" and not float(op.attrs.get("alpha", 0.0)) >= 0.0:
            return "LEAKY_RELU with a negative alpha"
        return None

    if kind == "softmax":
        x = ins[0]
        if not x.shape or x.shape[-1] < 1:
            return "empty softmax axis"
        if dt == "float32":
            return None if out.dtype == "float32" else f"float32 -> {out.dtype} softmax"
        if dt != "int8" or out.dtype not in ("int8", "int16"):
            return f"{dt} -> {out.dtype} softmax"
        if not _has_quant(x) or not _has_quant(out):
            return "softmax without quantization parameters"
        if out.dtype == "int16":
            # TFLM: zero point -32768, scale within 0.1% of 1/65536 (1/65535 passes)
            near = abs(quant.f32(out.scale[0]) - 1.0 / 65536) <= 0.001 / 65536
            if not near or out.zero_point[0] != -32768:
                return "int8 -> int16 softmax output must have scale 1/65536, zero point -32768"
        elif quant.f32(out.scale[0]) != quant.f32(1.0 / 256) or out.zero_point[0] != -128:
            return "int8 softmax output must have scale 1/256 and zero point -128"
        if x.shape[-1] > SOFTMAX_MAX_DEPTH_S8:
            return f"int8 softmax over more than {SOFTMAX_MAX_DEPTH_S8} elements"
        beta = float(op.attrs.get("beta", 1.0))
        real = quant.f32(beta) * quant.f32(x.scale[0]) * float(1 << 26)
        if real <= 1.0:
            return "beta * input scale too small for TFLite's int8 softmax"
        return None

    if kind == "reshape":
        if ins[0].dtype != out.dtype or ins[0].nbytes != out.nbytes:
            return "reshape changing size or dtype"
        return None

    if kind == "quantize":
        if dt == "float32" and out.dtype in ("int8", "int16"):
            return None if _has_quant(out) and _per_tensor(out) else "output without quantization"
        if dt in ("int8", "int16") and out.dtype in ("int8", "int16", "int32"):
            x = ins[0]
            if not (_has_quant(x) and _per_tensor(x) and _has_quant(out) and _per_tensor(out)):
                return "requantize without input and output scales"
            if not -32768 <= out.zero_point[0] <= 32767:  # lwai_quantize_params' range
                return f"{out.dtype} output zero point {out.zero_point[0]} beyond int16"
            return None
        return f"quantize {dt} -> {out.dtype}"

    if kind.startswith("signal_"):  # TFLM signal custom ops (lwai/frontend/signal_ops.py)
        from lwai.frontend.signal_ops import signal_reason

        return signal_reason(op)

    if kind in ("detection_postprocess", "circular_buffer"):  # lwai/frontend/detection_ops.py
        from lwai.frontend import detection_ops

        return detection_ops.reason(op)

    if kind == "svdf":
        return _svdf_reason(op)

    if kind == "lstm":
        from lwai.frontend.lstm import lstm_reason

        return lstm_reason(op)

    if kind == "dequantize":
        if dt in ("int8", "int16") and out.dtype == "float32":
            x = ins[0]
            return None if _has_quant(x) and _per_tensor(x) else "input without quantization"
        return f"dequantize {dt} -> {out.dtype}"
    return f"no lwai kernel for {kind}"


SVDF_KERNELS = {  # (input, weights_time, state) dtypes -> kernel
    ("int8", "int16", "int16"): "svdf_s8",
    ("int8", "int8", "int8"): "svdf_state8_s8",
    ("float32", "float32", "float32"): "svdf_f32",
}


def _svdf_parts(op: OpDesc):
    """(input, weights_feature, weights_time, bias or None, state) of an SVDF OpDesc."""
    ins = op.inputs
    bias = ins[3] if len(ins) == 5 else None
    return ins[0], ins[1], ins[2], bias, ins[-1]


def _svdf_reason(op: OpDesc) -> str | None:
    if len(op.inputs) not in (4, 5) or not op.inputs[-1].state:
        return "SVDF without its state input"
    x, wf, wt, bias, st = _svdf_parts(op)
    out = op.output
    key = (x.dtype, wt.dtype, st.dtype)
    if key not in SVDF_KERNELS:
        return f"SVDF with {x.dtype} input, {wt.dtype} time weights and {st.dtype} state"
    if len(x.shape) != 2 or len(wf.shape) != 2 or len(wt.shape) != 2 or len(out.shape) != 2:
        return "SVDF on tensors of rank other than 2"
    batch, depth = x.shape
    filters, memory = wt.shape
    rank = int(op.attrs.get("rank", 1))
    if rank < 1 or filters % rank != 0 or wf.shape != (filters, depth):
        return "SVDF weights do not match the input and rank"
    if out.shape != (batch, filters // rank) or int(np.prod(st.shape)) != batch * filters * memory:
        return "SVDF output or state shape does not match the weights"
    if not wf.is_const or not wt.is_const or (bias is not None and not bias.is_const):
        return "SVDF weights or bias not constant"
    if bias is not None and int(np.prod(bias.shape)) != filters // rank:
        return "SVDF bias size differs from the units"
    act = str(op.attrs.get("activation", "NONE"))
    if x.dtype == "float32":
        if wf.dtype != "float32" or out.dtype != "float32" or (bias and bias.dtype != "float32"):
            return "mixed float/integer SVDF"
        if act not in ("NONE", "RELU", "RELU6", "RELU_N1_TO_1"):
            return f"float SVDF with activation {act}"
        return None
    if wf.dtype != "int8" or out.dtype != "int8" or (bias is not None and bias.dtype != "int32"):
        return "SVDF needs int8 feature weights, int8 output and int32 bias"
    if not all(_has_quant(t) and _per_tensor(t) for t in (x, wf, wt, st, out)):
        return "SVDF operands without per-tensor quantization"
    if wf.zero_point[0] != 0 or wt.zero_point[0] != 0:
        return "SVDF weights with non-zero zero points"
    return None


def svdf_multipliers(op: OpDesc) -> tuple[int, int, int, int]:
    """TFLM's PrepareSvdf: effective scales computed in float32, then QuantizeMultiplier."""
    x, wf, wt, _, st = _svdf_parts(op)
    f = np.float32
    s1 = f(f(x.scale[0]) * f(wf.scale[0])) / f(st.scale[0])
    s2 = f(f(st.scale[0]) * f(wt.scale[0])) / f(op.output.scale[0])
    m1, sh1 = quant.quantize_multiplier(float(f(s1)))
    m2, sh2 = quant.quantize_multiplier(float(f(s2)))
    return m1, sh1, m2, sh2


def state_size(plan: KernelPlan, which: int = 0) -> int:
    """Bytes of the state operand: the Python twin of the C lwai_<kernel>_get_state_size
    (tested equal), called with the input, weights_feature and weights_time dims. ``which``:
    the state operand of a kernel with several (LSTM: 0 hidden, 1 cell), in input order."""
    if plan.kernel.startswith("lstm"):
        from lwai.frontend.lstm import state_size as lstm_state_size

        return lstm_state_size(plan, which)
    if plan.kernel.startswith("signal_"):
        from lwai.frontend.signal_ops import state_size as signal_state_size

        return signal_state_size(plan)
    if plan.kernel == "circular_buffer_s8":
        from lwai.frontend.detection_ops import state_size as cb_state_size

        return cb_state_size(plan)
    if plan.kernel.startswith("svdf"):
        d_in, d_wf, d_wt = (o.dims for o in plan.operands[:3])
        elem = {"svdf_s8": 2, "svdf_state8_s8": 1, "svdf_f32": 4}[plan.kernel]
        return d_in[0] * d_in[1] * d_in[2] * d_wf[0] * d_wf[1] * d_wf[2] * d_wt[3] * elem
    raise ValueError(f"{plan.kernel} has no state")


def state_fill(t: TensorDesc) -> int:
    """The byte a state tensor is reset to: TFLM's ResetVariableTensors writes the zero point
    into int8 variable tensors, 0 into all others."""
    if t.dtype == "int8" and t.zero_point:
        return int(t.zero_point[0]) & 0xFF
    return 0


# ---- C text helpers ----------------------------------------------------------------------


def c_float(v: float) -> str:
    """Exact C99 hex float literal; infinities become +-FLT_MAX (TFLite's 'no clamp')."""
    f = float(np.float32(v)) if np.isfinite(v) else v
    if f == float("inf") or f > 3.4028234663852886e38:
        f = 3.4028234663852886e38
    if f == float("-inf") or f < -3.4028234663852886e38:
        f = -3.4028234663852886e38
    return f"{f.hex()}f" if f != 0 else ("-0.0f" if np.signbit(f) else "0.0f")


def c_array(name: str, data: np.ndarray, dtype: str) -> str:
    flat = np.asarray(data).astype(dtype).reshape(-1)
    if dtype == "float32":
        items = [c_float(float(v)) for v in flat]
    elif dtype == "int32":
        # INT32_MIN cannot be written as a literal; spell it as an expression.
        items = ["(-2147483647 - 1)" if int(v) == -(2**31) else str(int(v)) for v in flat]
    elif dtype == "int64":
        items = [f"INT64_C({int(v)})" if int(v) != -(2**63) else "INT64_MIN" for v in flat]
    else:
        items = [str(int(v)) for v in flat]
    lines = []
    for i in range(0, len(items), 16):
        lines.append("    " + ", ".join(items[i : i + 16]) + ",")
    body = "\n".join(lines) if lines else "    0,"
    n = max(len(items), 1)
    return f"static const {C_TYPES[dtype]} {name}[{n}] LWAI_ALIGNED(16) = {{\n{body}\n}};\n"


def _dims(name: str, d: tuple[int, int, int, int]) -> str:
    return f"static const lwai_dims {name} = {{{d[0]}, {d[1]}, {d[2]}, {d[3]}}};\n"


def _struct(ctype: str, name: str, fields: dict[str, str | int]) -> str:
    body = "".join(f"    .{k} = {v},\n" for k, v in fields.items())
    return f"static const {ctype} {name} = {{\n{body}}};\n"


# Parameters of each kernel in the graph file formats, in the order of the spec (which the C
# registry's generated tables use too): (integer params, float params).
KERNEL_PARAMS: dict[str, tuple[list[str], list[str]]] = {
    name: (list(k.ints), list(k.floats)) for name, k in opspec.load().kernels.items()
}

FLT_MAX = 3.4028234663852886e38


@dataclass
class Operand:
    """One data argument of a kernel call, in the kernel's order."""

    role: str  # "in" (op input `index`), "absent" (optional input left out), "out"
    index: int = -1
    dtype: str = ""  # C element type of the argument
    dims: tuple[int, int, int, int] | None = None  # the lwai_dims passed with it (None: none)
    tag: str = ""  # name part for emitted constants


@dataclass
class KernelPlan:
    """Everything one kernel call needs, computed once: the C emitter and the graph file
    writers render it. ``fields`` hold numbers (floats for the float fields)."""

    kernel: str  # registry name, e.g. "conv2d_s8"; the C function is lwai_<kernel>
    ctype: str  # params struct
    fields: dict[str, int | float]
    operands: list[Operand]
    quant: tuple[list[int], list[int]] | None = None  # per-channel multipliers and shifts

    def params(self) -> tuple[list[int], list[float]]:
        """The graph formats' params and fparams, in the registry's order."""
        ints, floats = KERNEL_PARAMS[self.kernel]
        return [int(self.fields.get(k, 0)) for k in ints], [
            _finite(float(self.fields.get(k, 0.0))) for k in floats
        ]


def _finite(v: float) -> float:
    """float32 value with infinities as +-FLT_MAX (TFLite's 'no clamp'), as c_float does."""
    if not np.isfinite(v):
        return FLT_MAX if v > 0 else -FLT_MAX
    return float(np.float32(min(max(v, -FLT_MAX), FLT_MAX)))


def _act_fields(op: OpDesc) -> dict[str, int | float]:
    lo, hi = op.attrs.get("act_min"), op.attrs.get("act_max")
    if op.output.dtype == "float32":
        lo = -np.inf if lo is None else float(lo)
        hi = np.inf if hi is None else float(hi)
        return {"act_min_f": _finite(lo), "act_max_f": _finite(hi)}
    qmin, qmax = quant.DTYPE_RANGE[op.output.dtype]
    lo = qmin if lo is None or not np.isfinite(lo) else max(qmin, int(lo))
    hi = qmax if hi is None or not np.isfinite(hi) else min(qmax, int(hi))
    return {"act_min": lo, "act_max": hi}


def conv_geometry(op: OpDesc) -> tuple[tuple, tuple, tuple, int, dict[str, int | float]]:
    """(input dims, filter dims, output dims, output channels, geometry fields) of a
    CONV_2D, DEPTHWISE_CONV_2D or FULLY_CONNECTED (FC as 1x1 rows x depth), any dtype."""
    x, w, out, a = op.inputs[0], op.inputs[1], op.output, op.attrs
    fields: dict[str, int | float] = {}
    if op.kind == "fully_connected":
        cout, depth = w.shape
        rows = int(np.prod(x.shape)) // depth
        return (rows, 1, 1, depth), (cout, 1, 1, depth), (rows, 1, 1, cout), cout, fields
    sh, sw = a.get("stride", (1, 1))
    dh, dw = a.get("dilation", (1, 1))
    pad = a.get("padding", (0, 0, 0, 0))
    fields.update(
        stride_h=int(sh),
        stride_w=int(sw),
        dilation_h=int(dh),
        dilation_w=int(dw),
        pad_top=int(pad[0]),
        pad_left=int(pad[1]),
    )
    if op.kind == "depthwise_conv2d":
        fields["depth_multiplier"] = int(a.get("depth_multiplier", 1))
    return tuple(x.shape), tuple(w.shape), tuple(out.shape), int(out.shape[3]), fields


def pool_geometry(op: OpDesc) -> dict[str, int]:
    """The window fields of an AVERAGE_POOL_2D or MAX_POOL_2D, any dtype."""
    a = op.attrs
    fh, fw = a.get("filter", (1, 1))
    sh, sw = a.get("stride", (1, 1))
    pad = a.get("padding", (0, 0, 0, 0))
    return {
        "stride_h": int(sh),
        "stride_w": int(sw),
        "filter_h": int(fh),
        "filter_w": int(fw),
        "pad_top": int(pad[0]),
        "pad_left": int(pad[1]),
    }


def plan_kernel(op: OpDesc) -> KernelPlan:
    """The kernel call for ``op`` (which must pass :func:`unsupported_reason`)."""
    reason = unsupported_reason(op)
    if reason is not None:
        raise ValueError(f"{op.name or op.kind}: no lwai kernel: {reason}")
    kind, dt = op.kind, op.dtype
    sfx = SUFFIX.get(dt, dt)
    x, out = op.inputs[0], op.output
    a = op.attrs
    ctd = {"int8": "int8", "float32": "float32", "int16": "int16"}

    if kind == "lstm":
        from lwai.frontend.lstm import plan_lstm

        return plan_lstm(op)

    if kind.startswith("signal_"):
        from lwai.frontend.signal_ops import plan as plan_signal

        return plan_signal(op)

    if kind in ("detection_postprocess", "circular_buffer"):  # lwai/frontend/detection_ops.py
        from lwai.frontend import detection_ops

        return detection_ops.plan(op)

    from lwai.frontend import cast_ops  # CAST/QUANTIZE pairs, SELECT_V2, CUMSUM int8

    if cast_ops.handles(op):
        return cast_ops.plan(op)

    from lwai.frontend import elementwise  # ABS, PRELU, DIV, comparisons, int16 SUB/RELU...

    if elementwise.handles(op):
        return elementwise.plan(op)

    from lwai.frontend import data_movement

    if kind in data_movement.KINDS:
        return data_movement.plan(op)

    if kind in ("reduce", "l2norm", "log_softmax", "resize_bilinear"):  # frontend/reduce_ops.py
        from lwai.frontend import reduce_ops

        return reduce_ops.plan(op)

    if dt == "int16":
        from lwai.frontend import int16

        if kind in int16.KINDS:
            return int16.plan_int16(op)

    if kind in ("transpose_conv", "batch_matmul"):
        from lwai.frontend import transpose_matmul

        return transpose_matmul.plan(op)

    if kind in ("conv2d", "depthwise_conv2d", "fully_connected"):
        w = op.inputs[1]
        in_dims, w_dims, out_dims, cout, fields = conv_geometry(op)
        ctype = f"lwai_{kind}_params"
        q = None
        if dt == "int8":
            fields["input_offset"] = -int(x.zero_point[0])
            if kind == "fully_connected":
                fields["filter_offset"] = -int(w.zero_point[0])
            fields["output_offset"] = int(out.zero_point[0])
            n = 1 if len(w.scale) == 1 else cout
            mults, shifts = quant.per_channel_multipliers(x.scale[0], w.scale, out.scale[0], n)
            q = ([int(v) for v in mults], [int(v) for v in shifts])
        fields.update(_act_fields(op))
        bias_dtype = "int32" if dt == "int8" else "float32"
        bias = (
            Operand("in", 2, bias_dtype, (1, 1, 1, cout), "bias")
            if len(op.inputs) == 3
            else Operand("absent", -1, bias_dtype, (1, 1, 1, cout), "bias")
        )
        operands = [
            Operand("in", 0, ctd[dt], in_dims, "in0"),
            Operand("in", 1, ctd[dt], w_dims, "filter"),
            bias,
            Operand("out", -1, ctd[dt], out_dims),
        ]
        return KernelPlan(f"{kind}_{sfx}", ctype, fields, operands, q)

    if kind in ("avg_pool2d", "max_pool2d"):
        fields = {**pool_geometry(op), **_act_fields(op)}
        operands = [
            Operand("in", 0, ctd[dt], tuple(x.shape), "in0"),
            Operand("out", -1, ctd[dt], tuple(out.shape)),
        ]
        return KernelPlan(f"{kind}_{sfx}", "lwai_pool2d_params", fields, operands)

    if kind in ("add", "mul", "sub"):
        x2 = op.inputs[1]
        fields = {}
        if dt == "int8":
            fields.update(
                input1_offset=-int(x.zero_point[0]),
                input2_offset=-int(x2.zero_point[0]),
                output_offset=int(out.zero_point[0]),
            )
            if kind in ("add", "sub"):  # SUB shares ADD's scheme (kernels/reference/sub.c)
                fields.update(quant.add_params(x.scale[0], x2.scale[0], out.scale[0]))
            else:
                m, s = quant.mul_params(x.scale[0], x2.scale[0], out.scale[0])
                fields.update(output_multiplier=m, output_shift=s)
        fields.update(_act_fields(op))
        operands = [
            Operand("in", 0, ctd[dt], _align4(x.shape), "in0"),
            Operand("in", 1, ctd[dt], _align4(x2.shape), "in1"),
            Operand("out", -1, ctd[dt], _align4(out.shape)),
        ]
        ctype = "lwai_add_params" if kind == "sub" else f"lwai_{kind}_params"
        return KernelPlan(f"{kind}_{sfx}", ctype, fields, operands)

    if kind == "relu":
        return _relu_plan(op)

    if kind == "hard_swish":
        d = (1, 1, 1, int(np.prod(x.shape)))
        operands = [Operand("in", 0, "int8", d, "in0"), Operand("out", -1, "int8", d)]
        return KernelPlan(
            "hard_swish_s8", "lwai_hard_swish_params", _hard_swish_fields(x, out), operands
        )

    if kind in ("logistic", "tanh") and dt == "int16":
        d = (1, 1, 1, int(np.prod(x.shape)))
        operands = [Operand("in", 0, "int16", d, "in0"), Operand("out", -1, "int16", d)]
        fields = _sigmoid16_fields(kind, x)
        return KernelPlan(f"{kind}_s16", "lwai_sigmoid16_params", fields, operands)

    if kind in ("logistic", "tanh"):
        m, shift, radius = _sigmoid_input(x)
        fields = {
            "input_zero_point": int(x.zero_point[0]),
            "input_range_radius": radius,
            "input_multiplier": m,
            "input_left_shift": shift,
        }
        d = (1, 1, 1, int(np.prod(x.shape)))
        operands = [Operand("in", 0, "int8", d, "in0"), Operand("out", -1, "int8", d)]
        return KernelPlan(f"{kind}_s8", "lwai_sigmoid_params", fields, operands)

    if kind == "softmax":
        depth = int(x.shape[-1])
        rows = int(np.prod(x.shape)) // depth
        beta = float(a.get("beta", 1.0))
        fields = {"beta": _finite(beta)}
        if dt == "int8":
            fields.update(quant.softmax_params(beta, x.scale[0]))
        d = (rows, 1, 1, depth)
        name = f"softmax_{sfx}" + ("_s16" if out.dtype == "int16" else "")
        operands = [Operand("in", 0, ctd[dt], d, "in0"), Operand("out", -1, out.dtype, d)]
        return KernelPlan(name, "lwai_softmax_params", fields, operands)

    if kind == "svdf":
        xx, wf, wt, bias, st = _svdf_parts(op)
        name = SVDF_KERNELS[(xx.dtype, wt.dtype, st.dtype)]
        batch, depth = xx.shape
        filters, memory = wt.shape
        units = filters // int(a.get("rank", 1))
        fields = {"rank": int(a.get("rank", 1))}
        if dt == "float32":
            lo, hi = quant.activation_range_float(str(a.get("activation", "NONE")))
            fields.update(act_min_f=_finite(lo), act_max_f=_finite(hi))
        else:
            m1, sh1, m2, sh2 = svdf_multipliers(op)
            fields.update(
                input_offset=-int(xx.zero_point[0]),
                state_zero_point=int(st.zero_point[0]),
                output_offset=int(out.zero_point[0]),
                multiplier1=m1,
                shift1=sh1,
                multiplier2=m2,
                shift2=sh2,
            )
        nb = len(op.inputs)
        bias_dt = "float32" if dt == "float32" else "int32"
        operands = [
            Operand("in", 0, dt, (batch, 1, 1, depth), "in0"),
            Operand("in", 1, wf.dtype, (filters, 1, 1, depth), "wf"),
            Operand("in", 2, wt.dtype, (filters, 1, 1, memory), "wt"),
            Operand("in", 3, bias_dt, (1, 1, 1, units), "bias")
            if bias is not None
            else Operand("absent", -1, bias_dt, (1, 1, 1, units), "bias"),
            Operand("in", nb - 1, st.dtype, (batch, 1, 1, filters * memory), "state"),
            Operand("out", -1, dt, (batch, 1, 1, units)),
        ]
        return KernelPlan(name, "lwai_svdf_params", fields, operands)

    if kind == "reshape":
        operands = [Operand("in", 0, x.dtype, None, "in0"), Operand("out", -1, x.dtype, None)]
        return KernelPlan("reshape", "lwai_reshape_params", {"bytes": x.nbytes}, operands)

    n = int(np.prod(x.shape))
    d = (1, 1, 1, n)
    if kind == "quantize":
        if dt == "float32":
            fields = {"scale": _finite(out.scale[0]), "zero_point": int(out.zero_point[0])}
            name = f"quantize_f32_{SUFFIX[out.dtype]}"
        else:
            m, s = quant.requantize_multiplier(x.scale[0], out.scale[0])
            fields = {
                "zero_point": int(out.zero_point[0]),
                "input_offset": -int(x.zero_point[0]),
                "multiplier": m,
                "shift": s,
            }
            name = f"quantize_{SUFFIX[dt]}_{SUFFIX.get(out.dtype, 's32')}"
        operands = [Operand("in", 0, x.dtype, d, "in0"), Operand("out", -1, out.dtype, d)]
        return KernelPlan(name, "lwai_quantize_params", fields, operands)

    if kind == "dequantize":
        fields = {"scale": _finite(x.scale[0]), "zero_point": int(x.zero_point[0])}
        operands = [Operand("in", 0, x.dtype, d, "in0"), Operand("out", -1, "float32", d)]
        return KernelPlan(f"dequantize_{sfx}_f32", "lwai_dequantize_params", fields, operands)

    raise ValueError(f"no kernel plan for {kind}")


def _q15(multiplier: float) -> tuple[int, int]:
    """QuantizeMultiplier, then TFLite's DownScaleInt32ToInt16Multiplier (round to 16 bits,
    saturating)."""
    m, e = quant.quantize_multiplier(multiplier)
    return (32767 if m >= (1 << 31) - 1 - (1 << 15) else (m + (1 << 15)) >> 16), e


def _hard_swish_fields(x: TensorDesc, out: TensorDesc) -> dict[str, int | float]:
    """TFLite Micro's HardSwishPrepare: the ratios formed in float32."""
    f32 = np.float32
    hires = f32(1.0 / 128.0) * f32(x.scale[0])
    om, oe = _q15(float(hires / f32(out.scale[0])))
    rm, re_ = _q15(float(hires / f32(3.0 / 32768.0)))
    return {
        "input_zero_point": int(x.zero_point[0]),
        "output_zero_point": int(out.zero_point[0]),
        "output_multiplier": om,
        "output_exponent": oe,
        "reluish_multiplier": rm,
        "reluish_exponent": re_,
    }


def _checked_log2(scale: float) -> tuple[int, bool]:
    """TFLite's CheckedLog2: log2 rounded (float32 arithmetic), and whether it is within
    1e-3 of an integer."""
    f = np.float32
    x_log2 = f(np.log(f(scale))) * f(f(1.0) / f(np.log(f(2.0))))
    rounded = f(math.copysign(math.floor(abs(float(x_log2)) + 0.5), float(x_log2)))
    return int(rounded), bool(abs(x_log2 - rounded) < f(1e-3))


def _sigmoid16_fields(kind: str, x: TensorDesc) -> dict[str, int | float]:
    """TFLite Micro's int16 LOGISTIC/TANH prepare: a power-of-two input scale (2^-12, or
    2^-11 for TANH) keeps multiplier 0; otherwise scale * 3 * 4096 doubled past 2^14."""
    log2, pot = _checked_log2(x.scale[0])
    shift = 12 + log2  # (15 - 3 integer bits) + log2(scale)
    if pot and (shift == 0 or (kind == "tanh" and shift == 1)):
        return {"input_multiplier": 0, "input_left_shift": shift}
    m = float(np.float32(x.scale[0])) * 4096.0 * 3.0
    shift = 0
    while m <= 32767.0 / 2.0 and shift <= 30:
        shift += 1
        m *= 2.0
    return {"input_multiplier": int(m), "input_left_shift": shift}


def _sigmoid_input(x: TensorDesc) -> tuple[int, int, int]:
    """TFLite's int8 LOGISTIC/TANH input rescaling to Q4.27: (multiplier, left shift,
    radius). The significand is rounded without renormalising, as TFLite does."""
    q, shift = math.frexp(float(quant.f32(x.scale[0])) * float(1 << 27))
    m = quant.round_half_away(q * (1 << 31))
    radius = quant.calculate_input_radius(4, shift) if 0 <= shift <= 31 else 0
    return m, shift, radius


def _relu_plan(op: OpDesc) -> KernelPlan:
    """TFLite Micro's int8 RELU / RELU6 / LEAKY_RELU numbers (kernels/reference/relu.c)."""
    x, out, a = op.inputs[0], op.output, op.attrs
    zi, zo = int(x.zero_point[0]), int(out.zero_point[0])
    si, so = quant.f32(x.scale[0]), quant.f32(out.scale[0])
    if a["mode"] == "relu6":
        # No requantization: clamp in the input's domain to [zp, zp + round(6 / scale)].
        six = min(127, max(-128, quant.quantize_value(6.0, si, zi)))
        m, s = 1 << 30, 1  # exactly 1.0
        lo, hi, am, ash, zo = zi, six, m, s, zi
    else:
        m, s = quant.quantize_multiplier(float(si) / float(so))
        if a["mode"] == "relu":
            am, ash, lo = m, s, max(-128, zo)  # TFLite clamps at the output's zero point
        else:
            am, ash = quant.quantize_multiplier(float(si) * float(quant.f32(a["alpha"])) / so)
            lo = -128
        hi = 127
    fields: dict[str, int | float] = {
        "input_zero_point": zi,
        "output_zero_point": zo,
        "multiplier": m,
        "shift": s,
        "alpha_multiplier": am,
        "alpha_shift": ash,
        "act_min": lo,
        "act_max": hi,
    }
    d = (1, 1, 1, int(np.prod(x.shape)))
    operands = [Operand("in", 0, "int8", d, "in0"), Operand("out", -1, "int8", d)]
    return KernelPlan("relu_s8", "lwai_relu_params", fields, operands)


def _c_value(v: float, is_float: bool) -> str:
    return c_float(float(v)) if is_float else str(int(v))


def size_dims(plan: KernelPlan) -> list[tuple[int, int, int, int]]:
    """The dims arguments of a backend's *_get_buffer_size: every operand's but the bias."""
    return [o.dims for o in plan.operands if o.dims is not None and o.tag != "bias"]


def emit_kernel_call(
    op: OpDesc,
    prefix: str,
    input_exprs: list[str | None],
    output_expr: str | list[str],
    scratch_expr: str = "NULL",
    backend: str = "reference",
    arch: str = "",
) -> KernelCall:
    """C for one op. ``input_exprs[i]`` is a ``uint8_t *`` C expression for a non-constant
    input (None for a constant, emitted from ``op.inputs[i].data``); ``output_expr`` likewise.
    ``backend`` names the kernel library (:mod:`lwai.backends`); one with scratch gets a
    ``lwai_context`` over ``scratch_expr`` (a ``uint8_t *`` to as many bytes as
    :func:`lwai.backends.buffer_size` says, 16-byte aligned)."""
    from lwai import backends

    plan = plan_kernel(op)
    spec_kernel = opspec.load().kernels[plan.kernel]
    if spec_kernel.variadic_input or spec_kernel.variadic_output:
        return _variadic_call(op, plan, prefix, input_exprs, output_expr)
    output_expr = output_expr[0] if isinstance(output_expr, list) else output_expr
    defs: list[str] = []
    weights = 0
    floats = set(KERNEL_PARAMS[plan.kernel][1]) | {"beta", "scale", "act_min_f", "act_max_f"}
    fields = {k: _c_value(v, k in floats) for k, v in plan.fields.items()}
    defs.append(_struct(plan.ctype, f"{prefix}_params", fields))
    args = [f"&{prefix}_params"]
    if plan.quant is not None:
        mults, shifts = plan.quant
        defs.append(c_array(f"{prefix}_mult", np.asarray(mults), "int32"))
        defs.append(c_array(f"{prefix}_shift", np.asarray(shifts), "int32"))
        weights += 8 * len(mults)
        q = {"multiplier": f"{prefix}_mult", "shift": f"{prefix}_shift", "count": len(mults)}
        defs.append(_struct("lwai_channel_quant", f"{prefix}_quant", q))
        args.append(f"&{prefix}_quant")
    for k, o in enumerate(plan.operands):
        if o.dims is not None:
            if o.role == "absent":
                args.append("NULL")
            else:
                name = f"{prefix}_d{k}"
                defs.append(_dims(name, o.dims))
                args.append(f"&{name}")
        if o.role == "absent":
            args.append("NULL")
        elif o.role == "out":
            ptr = f"({C_TYPES[o.dtype]} *)({output_expr})"
            args.append(ptr if o.dims is not None else f"(void *)({output_expr})")
        else:
            t = op.inputs[o.index]
            expr = input_exprs[o.index] if o.index < len(input_exprs) else None
            if expr is None:
                if t.data is None:
                    raise ValueError(f"{prefix}: input {o.index} has neither an address nor data")
                name = f"{prefix}_{o.tag}"
                defs.append(c_array(name, t.data, o.dtype))
                weights += int(np.asarray(t.data).size) * np.dtype(o.dtype).itemsize
                args.append(name if o.dims is not None else f"(const void *){name}")
            elif t.state:  # read and written by the kernel (persistent state)
                args.append(f"({C_TYPES[o.dtype]} *)({expr})")
            else:
                ptr = f"(const {C_TYPES[o.dtype]} *)({expr})"
                args.append(ptr if o.dims is not None else f"(const void *)({expr})")
    kernel = opspec.load().kernels[plan.kernel].symbol(backend)
    scratch = 0
    if backends.has_scratch(backend, plan.kernel):
        scratch = backends.buffer_size(backend, plan.kernel, arch, plan.fields, size_dims(plan))
        buf = f"(void *)({scratch_expr})" if scratch else "NULL"
        args.insert(0, f"&(lwai_context){{{buf}, {scratch}}}")
    return KernelCall(kernel, "".join(defs), f"{kernel}({', '.join(args)})", weights, scratch)


def _variadic_call(
    op: OpDesc, plan: KernelPlan, prefix: str, input_exprs: list, output_expr: str | list[str]
) -> KernelCall:
    """C for a kernel with a variadic last input (PACK: ``n, dims[], pointers[]``) or
    variadic outputs (SPLIT: ``n, output_dims[], outputs[]``; lwai/kernels.h), each
    output at its own arena address (``output_expr`` lists them in output order)."""
    k = opspec.load().kernels[plan.kernel]
    outs_expr = output_expr if isinstance(output_expr, list) else [output_expr]
    fields = {name: _c_value(v, False) for name, v in plan.fields.items()}
    defs = [_struct(plan.ctype, f"{prefix}_params", fields)]
    weights = 0

    def dims_array(name: str, ds: list) -> str:
        rows = ", ".join(f"{{{d[0]}, {d[1]}, {d[2]}, {d[3]}}}" for d in ds)
        return f"static const lwai_dims {name}[{len(ds)}] = {{{rows}}};\n"

    def in_ptr(o: Operand) -> str:
        nonlocal weights
        t = op.inputs[o.index]
        expr = input_exprs[o.index] if o.index < len(input_exprs) else None
        if expr is not None:
            return f"(const void *)({expr})"
        name = f"{prefix}_{o.tag}"
        defs.append(c_array(name, t.data, o.dtype))
        weights += int(np.asarray(t.data).size) * np.dtype(o.dtype).itemsize
        return f"(const void *){name}"

    ins = [o for o in plan.operands if o.role == "in"]
    outs = [o for o in plan.operands if o.role == "out"]
    args = [f"&{prefix}_params"]
    fixed = ins[: len(k.inputs) - 1] if k.variadic_input else ins
    for j, o in enumerate(fixed):
        defs.append(_dims(f"{prefix}_d{j}", o.dims))
        args += [f"&{prefix}_d{j}", in_ptr(o)]
    if k.variadic_input:
        rest = ins[len(fixed) :]
        defs.append(dims_array(f"{prefix}_di", [o.dims for o in rest]))
        ptrs = ", ".join(in_ptr(o) for o in rest)
        args += [f"{len(rest)}u", f"{prefix}_di", f"(const void *const[]){{{ptrs}}}"]
    if k.variadic_output:
        defs.append(dims_array(f"{prefix}_do", [o.dims for o in outs]))
        ptrs = ", ".join(f"(void *)({outs_expr[max(o.index, 0)]})" for o in outs)
        args += [f"{len(outs)}u", f"{prefix}_do", f"(void *const[]){{{ptrs}}}"]
    else:
        defs.append(_dims(f"{prefix}_do", outs[0].dims))
        args += [f"&{prefix}_do", f"(void *)({outs_expr[0]})"]
    kernel = k.symbol("reference")
    return KernelCall(kernel, "".join(defs), f"{kernel}({', '.join(args)})", weights)
