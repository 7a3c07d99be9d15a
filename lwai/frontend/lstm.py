"""UNIDIRECTIONAL_SEQUENCE_LSTM: the kernel params (``lwai_lstm_params``) from the TFLite
tensors' quantization, computed as TensorFlow Lite Micro's Prepare computes them
(``lstm_eval_common.cc``), and the checks of what lwai's kernels (and TFLM) support.

Integer LSTM in TFLM: each gate's two FCs (input, recurrent) rescale to int16 at 2^-12
(Q3.12, the input of the 16-bit sigmoid/tanh); gate outputs are Q0.15 (2^-15); the cell
state is int16 at its own scale; the hidden state has the activation dtype and the hidden
tensor's scale and zero point.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from lwai.quant import f32, quantize_multiplier, round_half_away

# TFLite operand indices of UNIDIRECTIONAL_SEQUENCE_LSTM (lstm_shared.h).
INPUT = 0
INPUT_WEIGHTS = (1, 2, 3, 4)  # input_to_{input, forget, cell, output}_weights
RECURRENT_WEIGHTS = (5, 6, 7, 8)  # recurrent_to_{input, forget, cell, output}_weights
PEEPHOLE = (9, 10, 11)
BIASES = (12, 13, 14, 15)  # {input, forget, cell, output}_gate_bias
PROJECTION = (16, 17)
OUTPUT_STATE = 18  # the hidden state (variable tensor)
CELL_STATE = 19  # the cell state (variable tensor)
LAYER_NORM = (20, 21, 22, 23)
NUM_INPUTS = 24

GATES = ("input", "forget", "cell", "output")

NONLINEAR_INPUT_SCALE = 2.0**-12  # gate pre-activations: Q3.12
NONLINEAR_OUTPUT_SCALE = 2.0**-15  # gate outputs: Q0.15

# The dtypes of (activations, weights, bias, cell state) per kernel.
KERNEL_DTYPES = {
    "lstm_s8": ("int8", "int8", "int32", "int16"),
    "lstm_s16": ("int16", "int8", "int64", "int16"),
    "lstm_f32": ("float32", "float32", "float32", "float32"),
}


@dataclass(frozen=True)
class LstmQuant:
    """What the params depend on: per-tensor scales and zero points as float32 in the file."""

    input_scale: float
    input_zero_point: int
    input_weight_scales: Sequence[float]  # i, f, c, o
    recurrent_weight_scales: Sequence[float]  # i, f, c, o
    hidden_scale: float
    hidden_zero_point: int
    cell_scale: float


def checked_log2(x: float) -> int:
    """TFLite's CheckedLog2 result: log2 in float32 (log(x) * (1 / log(2))), rounded half
    away from zero."""
    xf = np.float32(x)
    with np.errstate(all="ignore"):
        lg = np.float32(np.log(xf)) * np.float32(
            np.float32(1.0) / np.float32(np.log(np.float32(2.0)))
        )
    return round_half_away(float(np.float32(lg)))


def gate_fc_multiplier(act_scale: float, weight_scale: float) -> tuple[int, int]:
    """A gate FC's rescale to Q3.12: TFLite's GetQuantizedConvolutionMultipler multiplies the
    two float32 scales in float32, then divides in double."""
    product = float(np.float32(np.float32(act_scale) * np.float32(weight_scale)))
    return quantize_multiplier(product / f32(NONLINEAR_INPUT_SCALE))


def inter_gate_multiplier(s1: float, s2: float, so: float) -> tuple[int, int]:
    """CreateInterGateMulParams: double(s1) * double(s2) / double(so)."""
    return quantize_multiplier(f32(s1) * f32(s2) / f32(so))


def quantized_cell_clip(cell_clip: float, cell_scale: float) -> int:
    """-1 (no clipping) unless cell_clip > 0; else clip / scale clamped to int16, truncated."""
    if not f32(cell_clip) > 0.0:
        return -1
    v = min(max(f32(cell_clip) / f32(cell_scale), -32768.0), 32767.0)
    return math.trunc(v)


def lstm_params(
    q: LstmQuant | None, *, time_major: bool, cell_clip: float
) -> dict[str, int | float]:
    """Every field of ``lwai_lstm_params`` (``q`` None for float32 LSTMs)."""
    p: dict[str, int | float] = {
        "time_major": int(bool(time_major)),
        "input_offset": 0,
        "hidden_offset": 0,
        "hidden_zero_point": 0,
        "forget_cell_multiplier": 0,
        "forget_cell_shift": 0,
        "input_cell_multiplier": 0,
        "input_cell_shift": 0,
        "hidden_multiplier": 0,
        "hidden_shift": 0,
        "cell_clip": -1,
        "cell_scale_power": 0,
        "cell_clip_f": f32(cell_clip),
    }
    for g in GATES:
        for part in ("input", "recurrent"):
            p[f"{g}_gate_{part}_multiplier"] = 0
            p[f"{g}_gate_{part}_shift"] = 0
    if q is None:
        return p
    p["input_offset"] = -int(q.input_zero_point)
    p["hidden_offset"] = -int(q.hidden_zero_point)
    p["hidden_zero_point"] = int(q.hidden_zero_point)
    for g, sw, sr in zip(GATES, q.input_weight_scales, q.recurrent_weight_scales, strict=True):
        m, s = gate_fc_multiplier(q.input_scale, sw)
        p[f"{g}_gate_input_multiplier"], p[f"{g}_gate_input_shift"] = m, s
        m, s = gate_fc_multiplier(q.hidden_scale, sr)
        p[f"{g}_gate_recurrent_multiplier"], p[f"{g}_gate_recurrent_shift"] = m, s
    nl = NONLINEAR_OUTPUT_SCALE
    p["forget_cell_multiplier"], p["forget_cell_shift"] = inter_gate_multiplier(
        nl, q.cell_scale, q.cell_scale
    )
    p["input_cell_multiplier"], p["input_cell_shift"] = inter_gate_multiplier(nl, nl, q.cell_scale)
    p["hidden_multiplier"], p["hidden_shift"] = inter_gate_multiplier(nl, nl, q.hidden_scale)
    p["cell_clip"] = quantized_cell_clip(cell_clip, q.cell_scale)
    p["cell_scale_power"] = checked_log2(q.cell_scale)
    return p


def params_reason(p: dict[str, int | float], kernel: str) -> str | None:
    """None when the kernel computes these params as TFLM does, else why not."""
    if kernel == "lstm_f32":
        return None
    if not -43 <= int(p["cell_scale_power"]) <= 2:
        return f"cell state scale 2^{p['cell_scale_power']} outside [2^-43, 2^2]"
    for g in GATES:
        for part in ("input", "recurrent"):
            sh = int(p[f"{g}_gate_{part}_shift"])
            # TFLite's 64-bit rescale (16x8) takes shifts below 8 only; int8 FCs any.
            if kernel == "lstm_s16" and sh >= 8:
                return f"{g} gate {part} FC rescale 2^{sh} too large for 16-bit activations"
    return None


# ---- frontend: the TFLite operator as an OpDesc ------------------------------------------

# TFLite's ActivationFunctionType names (the cell gate's activation).
_ACTIVATION_NAMES = {0: "NONE", 1: "RELU", 2: "RELU_N1_TO_1", 3: "RELU6", 4: "TANH", 5: "SIGN_BIT"}

# OpDesc input order: input, 4 input weights, 4 recurrent weights, 4 biases, hidden, cell
OPDESC_TFLITE = (INPUT, *INPUT_WEIGHTS, *RECURRENT_WEIGHTS, *BIASES, OUTPUT_STATE, CELL_STATE)


def convert_lstm(conv, op):
    """UNIDIRECTIONAL_SEQUENCE_LSTM (which TVM's importer refuses) as an lwai direct op:
    weights and biases constant, the two variable tensors ``state`` inputs (their reset
    value: the zero point for int8, else 0, as TFLM's ResetVariableTensors)."""
    from tflite.TensorType import TensorType
    from tflite.UnidirectionalSequenceLSTMOptions import UnidirectionalSequenceLSTMOptions

    from lwai.errors import LwaiError
    from lwai.frontend import stateful
    from lwai.ops import OpDesc

    model, sg = conv.model, conv.subgraph
    idx = [int(i) for i in op.InputsAsNumpy()]
    (out_i,) = [int(i) for i in op.OutputsAsNumpy()]
    out_name = (sg.Tensors(out_i).Name() or b"").decode(errors="replace")
    x_type = sg.Tensors(idx[INPUT]).Type() if idx and idx[INPUT] >= 0 else None
    dtype = {TensorType.INT8: "int8", TensorType.INT16: "int16"}.get(x_type, "float32")
    if x_type not in (TensorType.INT8, TensorType.INT16, TensorType.FLOAT32):
        dtype = f"TensorType {x_type}"
    what = f"UNIDIRECTIONAL_SEQUENCE_LSTM '{out_name}' ({dtype})"
    if len(idx) != NUM_INPUTS:
        raise LwaiError("model", f"{what} with {len(idx)} inputs (TFLite's has {NUM_INPUTS})")
    for group, label in (
        (PEEPHOLE, "peephole weights"),
        (PROJECTION, "a projection"),
        (LAYER_NORM, "layer normalisation"),
    ):
        if any(idx[i] >= 0 for i in group):
            raise LwaiError(
                "model",
                f"{what} with {label}: TFLite Micro and lwai take the standard LSTM only",
            )
    missing = [i for i in OPDESC_TFLITE if idx[i] < 0]
    if missing:
        raise LwaiError(
            "model",
            f"{what} without inputs {missing} (CIFG or no bias): TFLite Micro and lwai "
            "need all four gates with biases",
        )
    for i in (OUTPUT_STATE, CELL_STATE):
        if not sg.Tensors(idx[i]).IsVariable():
            raise LwaiError("model", f"{what}: input {i} (a state) is not a variable tensor")
    descs = []
    for i in OPDESC_TFLITE:
        t = sg.Tensors(idx[i])
        if t.Type() == TensorType.INT64:  # 16x8 biases
            d = _int64_tensor(model, sg, idx[i])
        else:
            d = stateful.tensor_desc(model, sg, idx[i])
        if i in (OUTPUT_STATE, CELL_STATE):
            d.data, d.state = None, True
        elif i != INPUT and d.data is None:
            raise LwaiError("model", f"{what}: input {i} ('{d.name}') is not constant")
        descs.append(d)
    out = stateful.tensor_desc(model, sg, out_i)
    opts = UnidirectionalSequenceLSTMOptions()
    raw = op.BuiltinOptions()
    act, clip, time_major = 4, 0.0, False
    if raw is not None:
        opts.Init(raw.Bytes, raw.Pos)
        act, clip = int(opts.FusedActivationFunction()), float(opts.CellClip())
        time_major = bool(opts.TimeMajor())
    attrs = {
        "activation": _ACTIVATION_NAMES.get(act, f"#{act}"),
        "cell_clip": clip,
        "time_major": time_major,
    }
    desc = OpDesc("lstm", descs, out, attrs, name=f"UNIDIRECTIONAL_SEQUENCE_LSTM '{out_name}'")
    # Checked here, in plain Python: TVM has no LSTM to fall back to, and an error raised
    # later inside a TVM pass would reach the user wrapped in TVM's RuntimeError.
    reason = lstm_reason(desc)
    if reason is not None:
        raise LwaiError(
            "model",
            f"{what} has no lwai kernel: {reason}",
            "TVM cannot compute this operator either; change the model or add the kernel",
        )
    return stateful.direct_call(conv, desc, [idx[INPUT]])


def _int64_tensor(model, sg, index: int):
    from lwai.ops import TensorDesc

    t = sg.Tensors(index)
    shape = tuple(int(d) for d in t.ShapeAsNumpy())
    d = TensorDesc(shape=shape, dtype="int64", name=(t.Name() or b"").decode(errors="replace"))
    q = t.Quantization()
    if q is not None and q.ScaleLength() > 0:
        d.scale = [float(s) for s in q.ScaleAsNumpy()]
        d.zero_point = [int(z) for z in np.atleast_1d(q.ZeroPointAsNumpy())]
    buf = model.Buffers(t.Buffer())
    if buf is not None and buf.DataLength() > 0:
        d.data = np.frombuffer(buf.DataAsNumpy().tobytes(), dtype="<i8").astype(np.int64)
        d.data = d.data.reshape(shape)
    return d


# ---- compiler: support check, kernel plan, state sizes -----------------------------------


def _parts(op):
    ins = op.inputs
    return ins[0], ins[1:5], ins[5:9], ins[9:13], ins[13], ins[14]


def kernel_of(op) -> str | None:
    x, wx, _, b, _, c = _parts(op)
    for name, (act, w, bias, cell) in KERNEL_DTYPES.items():
        if x.dtype == act and wx[0].dtype == w and b[0].dtype == bias and c.dtype == cell:
            return name
    return None


def _per_tensor(t) -> bool:
    return bool(t.scale) and bool(t.zero_point) and len(t.scale) == 1


def lstm_quant(op) -> LstmQuant:
    x, wx, wh, _, h, c = _parts(op)
    return LstmQuant(
        input_scale=x.scale[0],
        input_zero_point=x.zero_point[0],
        input_weight_scales=[w.scale[0] for w in wx],
        recurrent_weight_scales=[w.scale[0] for w in wh],
        hidden_scale=h.scale[0],
        hidden_zero_point=h.zero_point[0],
        cell_scale=c.scale[0],
    )


def lstm_reason(op) -> str | None:
    """None when lwai's LSTM kernel computes ``op`` as TFLite Micro does, else why not."""
    if len(op.inputs) != 15 or not (op.inputs[13].state and op.inputs[14].state):
        return "LSTM without its two state inputs"
    x, wx, wh, b, h, c = _parts(op)
    out = op.output
    name = kernel_of(op)
    if name is None:
        return (
            f"LSTM with {x.dtype} input, {wx[0].dtype} weights, {b[0].dtype} bias and "
            f"{c.dtype} cell state (TFLM: int8/int8/int32/int16, int16/int8/int64/int16, float32)"
        )
    act, wdt, bdt, _ = KERNEL_DTYPES[name]
    if any(w.dtype != wdt for w in (*wx, *wh)) or any(t.dtype != bdt for t in b):
        return "LSTM weights or biases of mixed dtypes"
    if h.dtype != act or out.dtype != act:
        return f"LSTM hidden state or output not {act}"
    if str(op.attrs.get("activation", "TANH")) != "TANH":
        return f"LSTM cell activation {op.attrs.get('activation')} (TFLite Micro takes TANH)"
    if len(x.shape) != 3 or len(out.shape) != 3:
        return "LSTM input or output of rank other than 3"
    tm = bool(op.attrs.get("time_major", False))
    steps, batch, n_in = (x.shape[0], x.shape[1], x.shape[2])
    if not tm:
        steps, batch = batch, steps
    n_cell = int(out.shape[2])
    if out.shape[:2] != x.shape[:2]:
        return "LSTM output steps/batch differ from the input's"
    if any(w.shape != (n_cell, n_in) for w in wx) or any(w.shape != (n_cell, n_cell) for w in wh):
        return "LSTM weights do not match the input and cell sizes"
    if any(int(np.prod(t.shape)) != n_cell for t in b):
        return "LSTM bias size differs from the cell size"
    if int(np.prod(h.shape)) != batch * n_cell or int(np.prod(c.shape)) != batch * n_cell:
        return "LSTM state size differs from batch x cell"
    if act == "float32":
        return None
    if not all(_per_tensor(t) for t in (x, *wx, *wh, h, c)):
        return "LSTM operands without per-tensor quantization (TFLM's LSTM takes per-tensor)"
    if any(w.zero_point[0] != 0 for w in (*wx, *wh)):
        return "LSTM weights with non-zero zero points"
    if c.zero_point[0] != 0:
        return "LSTM cell state with a non-zero zero point"
    if act == "int16" and (x.zero_point[0] != 0 or h.zero_point[0] != 0):
        return "int16 LSTM with non-zero activation zero points"
    # Accumulators must not overflow (TFLite's contract; a C overflow would be undefined):
    # each term is at most 2^16 for int8 (|w| <= 128, |x - zp| <= 256), 2^23 for int16.
    term, limit = (1 << 16, 2**31 - 1) if act == "int8" else (1 << 23, 1 << 46)
    max_bias = max(int(np.max(np.abs(t.data.astype(np.int64)))) for t in b)
    if n_in * term + max_bias > limit or n_cell * term > limit:
        return "LSTM accumulators could overflow (sizes or biases too large)"
    p = lstm_params(lstm_quant(op), time_major=tm, cell_clip=float(op.attrs.get("cell_clip", 0)))
    return params_reason(p, name)


def plan_lstm(op):
    """The KernelPlan of an LSTM OpDesc (lwai.codegen.kernels)."""
    from lwai.codegen.kernels import KernelPlan, Operand

    x, wx, wh, b, h, c = _parts(op)
    name = kernel_of(op)
    tm = bool(op.attrs.get("time_major", False))
    q = None if x.dtype == "float32" else lstm_quant(op)
    fields = lstm_params(q, time_major=tm, cell_clip=float(op.attrs.get("cell_clip", 0.0)))
    steps, batch = (x.shape[0], x.shape[1]) if tm else (x.shape[1], x.shape[0])
    n_in, n_cell = int(x.shape[2]), int(op.output.shape[2])
    operands = [Operand("in", 0, x.dtype, (batch, steps, 1, n_in), "in0")]
    for k, g in enumerate(GATES):
        operands.append(Operand("in", 1 + k, wx[k].dtype, None, f"wx_{g}"))
    for k, g in enumerate(GATES):
        operands.append(Operand("in", 5 + k, wh[k].dtype, None, f"wh_{g}"))
    for k, g in enumerate(GATES):
        operands.append(Operand("in", 9 + k, b[k].dtype, None, f"b_{g}"))
    operands.append(Operand("in", 13, h.dtype, None, "output_state"))
    operands.append(Operand("in", 14, c.dtype, None, "cell_state"))
    operands.append(Operand("out", -1, x.dtype, (batch, steps, 1, n_cell)))
    return KernelPlan(name, "lwai_lstm_params", fields, operands)


STATE_BYTES = {  # kernel -> (hidden, cell) bytes per element
    "lstm_s8": (1, 2),
    "lstm_s16": (2, 2),
    "lstm_f32": (4, 4),
}


def state_size(plan, which: int) -> int:
    """Bytes of state operand ``which`` (0 hidden, 1 cell): the twin of the C
    lwai_lstm_<dtype>_get_state_size(output_dims, which)."""
    n, _, _, c = plan.operands[-1].dims
    return n * c * STATE_BYTES[plan.kernel][which]
