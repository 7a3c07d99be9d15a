"""Quantized elementwise and binary TFLite ops on lwai's kernels, bit-exact with TFLite Micro.

TVM imports these quantized ops (if at all) as float math between a dequantize and a
quantize, which is not TFLite's integer arithmetic, so lwai converts them itself
(:func:`lwai.frontend.stateful.direct_call`), computing every constant here with TFLM's
float/double steps (its Prepare functions):

- ABS int8/int16 (``abs``): |x - zp|, rescaled by si / so (float32 division) only when the
  scales differ; int16 zero points 0.
- ELU, RSQRT int8 (``lut``): a 256-entry table of TFLM's per-value result (ELU: its float
  LUT with glibc's expf; RSQRT: GetInvSqrtQuantizedMultiplierExp's Newton-Raphson in
  gemmlowp fixed point, emulated here in Python integers). RSQRT of a value below the zero
  point is an error in TFLM; the table holds 0 there. RSQRT int16 (``rsqrt_s16``, zero
  points 0) runs the same arithmetic in C per element.
- PRELU int8, int16 with an int8 alpha (``prelu``), alpha broadcast.
- RELU, RELU6, LEAKY_RELU int16 (``relu_s16``), SUB int16 (``sub_s16``); int8 ones stay on
  the QDQ patterns (lwai/passes/patterns.py).
- SQUARED_DIFFERENCE int8/int16, DIV int8.
- MAXIMUM, MINIMUM int8/int16 (``minmax``): TFLM compares the raw integers whatever the
  quantizations; with all quantizations equal TVM's C is exact and keeps them.
- EQUAL .. LESS_EQUAL int8 -> bool (``compare``): both inputs rescaled, left_shift 8.

Other dtypes return None (TVM's converter then takes the op; a quantized one stops the
compile in :mod:`lwai.passes.exactness`, naming it).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import math

import numpy as np

from lwai import quant
from lwai.errors import LwaiError
from lwai.frontend.int16 import add_s16_params
from lwai.ops import OpDesc, TensorDesc

COMPARISONS = ("EQUAL", "NOT_EQUAL", "GREATER", "GREATER_EQUAL", "LESS", "LESS_EQUAL")
BUILTINS = (
    "ABS",
    "ELU",
    "RSQRT",
    "PRELU",
    "RELU",
    "RELU6",
    "LEAKY_RELU",
    "SUB",
    "SQUARED_DIFFERENCE",
    "DIV",
    "MAXIMUM",
    "MINIMUM",
    "ADD_N",
    *COMPARISONS,
)
KINDS = frozenset(
    {"abs", "lut", "prelu", "squared_difference", "div", "minmax", "compare", "add_n"}
)
ADD_N_MAX_INPUTS = 15  # TFLM sums in int32: 16 aligned terms of < 2^27 each
_INT = ("int8", "int16")
INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1
_F = np.float32


def handles(op: OpDesc) -> bool:
    """True for the OpDescs this module checks and plans (codegen.kernels defers to it)."""
    return op.kind in KINDS or (op.kind in ("sub", "relu") and op.dtype == "int16")


# ---- TFLite tensors -> OpDesc ------------------------------------------------------------


def _tensor(model, sg, index: int) -> TensorDesc:
    from lwai.frontend.stateful import tensor_desc

    return tensor_desc(model, sg, index)


def _type(sg, index: int) -> str:
    from lwai.frontend.tflite import _TFLITE_DTYPES

    return _TFLITE_DTYPES.get(sg.Tensors(index).Type(), "?")


def _quantized(t: TensorDesc) -> bool:
    return bool(t.scale) and bool(t.zero_point) and len(t.scale) == 1


def _activation(op, options_class) -> str:
    from lwai.frontend.stateful import _ACTIVATIONS

    raw = op.BuiltinOptions()
    if raw is None:
        return "NONE"
    o = options_class()
    o.Init(raw.Bytes, raw.Pos)
    return _ACTIVATIONS.get(int(o.FusedActivationFunction()), "?")


def describe(model, sg, op, builtin: str) -> tuple[OpDesc, list[int]] | None:
    """(OpDesc, TFLite indices of its activation inputs) for a quantized op this module
    takes, None for anything else (float ops, other dtypes: TVM's converter)."""
    ins = [int(i) for i in op.InputsAsNumpy()]
    outs = [int(i) for i in op.OutputsAsNumpy()]
    if not ins or len(outs) != 1 or min(ins) < 0:
        return None
    dt = _type(sg, ins[0])
    if dt not in _INT or any(_type(sg, i) not in _INT for i in ins):
        return None
    x = [_tensor(model, sg, i) for i in ins]
    if not all(_quantized(t) for t in x):
        return None
    out_dt = _type(sg, outs[0])
    if builtin in COMPARISONS:
        if out_dt != "bool" or dt != "int8":
            return None
        t = sg.Tensors(outs[0])
        shape = tuple(int(d) for d in t.ShapeAsNumpy()) if t.ShapeLength() else ()
        name = (t.Name() or b"").decode(errors="replace")
        out = TensorDesc(shape=shape, dtype="bool", name=name)
    else:
        if out_dt not in _INT:
            return None
        out = _tensor(model, sg, outs[0])
        if not _quantized(out):
            return None
    what = f"{builtin} '{out.name}'"
    attrs: dict = {"builtin": builtin}
    if builtin in ("ABS", "ELU", "RSQRT"):
        kind = "abs" if builtin == "ABS" else "lut"
        if kind == "lut" and dt != "int8" and builtin != "RSQRT":
            return None  # ELU int16: not in TFLM
    elif builtin in ("RELU", "RELU6", "LEAKY_RELU"):
        if dt != "int16":
            return None  # int8: lwai.relu on the QDQ pattern
        kind = "relu"
        attrs["mode"] = builtin.lower()
        if builtin == "LEAKY_RELU":
            from tflite.LeakyReluOptions import LeakyReluOptions

            raw = op.BuiltinOptions()
            alpha = 0.0
            if raw is not None:
                o = LeakyReluOptions()
                o.Init(raw.Bytes, raw.Pos)
                alpha = float(o.Alpha())
            attrs["alpha"] = alpha
    elif builtin == "SUB":
        if dt != "int16":
            return None  # int8: lwai.sub on the QDQ pattern
        from tflite.SubOptions import SubOptions

        kind = "sub"
        attrs["activation"] = _activation(op, SubOptions)
    elif builtin == "DIV":
        if dt != "int8":
            return None
        from tflite.DivOptions import DivOptions

        kind = "div"
        attrs["activation"] = _activation(op, DivOptions)
    elif builtin in ("MAXIMUM", "MINIMUM"):
        same = all(
            _F(t.scale[0]) == _F(out.scale[0]) and t.zero_point[0] == out.zero_point[0] for t in x
        )
        if same:
            return None  # equal quantizations: exact on TVM's C (a clamp/selection)
        kind = "minmax"
    elif builtin == "ADD_N":
        if dt != "int8":
            return None
        kind = "add_n"
    else:
        kind = {"PRELU": "prelu", "SQUARED_DIFFERENCE": "squared_difference"}.get(builtin, "")
        if builtin in COMPARISONS:
            kind = "compare"
        if not kind:
            return None
    desc = OpDesc(kind, x, out, attrs, name=what)
    if kind == "lut" and dt == "int8":
        add_table(desc)
    bad = reason(desc)
    if bad is not None:
        raise LwaiError(
            "model",
            f"{what} ({dt}) has no lwai kernel: {bad}",
            "TVM cannot compute this quantized operator exactly either; change the model",
        )
    return desc, [i for i, t in zip(ins, x) if not t.is_const]


def convert(conv, op, builtin: str):
    """The direct call for the op (:func:`describe`), None when TVM takes it."""
    from lwai.frontend import stateful

    found = describe(conv.model, conv.subgraph, op, builtin)
    return None if found is None else stateful.direct_call(conv, *found)


# ---- TFLite's fixed-point arithmetic in Python integers (for the tables) ----------------


def _wrap(v: int) -> int:
    return ((v + 2**31) % 2**32) - 2**31


def _srdhm(a: int, b: int) -> int:
    if a == b == INT32_MIN:
        return INT32_MAX
    ab = a * b
    q = ab + ((1 << 30) if ab >= 0 else 1 - (1 << 30))
    return q // (1 << 31) if q >= 0 else -((-q) // (1 << 31))


def _rdbpot(x: int, e: int) -> int:
    mask = (1 << e) - 1
    threshold = (mask >> 1) + (1 if x < 0 else 0)
    return (x >> e) + (1 if (x & mask) > threshold else 0)


def _mbqm(x: int, m: int, shift: int) -> int:
    left, right = max(shift, 0), max(-shift, 0)
    return _rdbpot(_srdhm(_wrap(x << left), m), right)


def _sat_shl(x: int, e: int) -> int:
    threshold = (1 << (31 - e)) - 1
    if x > threshold:
        return INT32_MAX
    if x < -threshold:
        return INT32_MIN
    return x << e


def _inv_sqrt(value: int) -> tuple[int, int]:
    """GetInvSqrtQuantizedMultiplierExp(value, reverse_shift=-1)."""
    if value <= 1:
        return INT32_MAX, 0
    shift = 11
    while value >= 1 << 29:
        value //= 4
        shift += 1
    clz = 32 - value.bit_length()
    pairs = (clz - 1) // 2 - 1
    shift -= pairs
    value <<= 2 * pairs
    half_input = _rdbpot(value >> 1, 1)  # F3, times 2^-1
    half_three = (1 << 28) + (1 << 27)
    x = 1 << 28  # F3 one
    for _ in range(5):
        x3 = _sat_shl(_srdhm(_srdhm(x, x), x), 6)
        x = _sat_shl(_wrap(_srdhm(half_three, x) - _srdhm(half_input, x3)), 3)
    x = _srdhm(x, 1518500250)  # * sqrt(2) / 2
    if shift < 0:
        x = _wrap(x << -shift)
        shift = 0
    return x, -shift


def _expf():
    """glibc's expf (TFLM's std::exp(float) on the host it is tested on), else NumPy's."""
    name = ctypes.util.find_library("m")
    if name:
        try:
            f = ctypes.CDLL(name).expf
            f.restype, f.argtypes = ctypes.c_float, [ctypes.c_float]
            return lambda v: float(f(v))
        except (OSError, AttributeError):
            pass
    return lambda v: float(np.exp(np.float32(v)))


def _round_f32(v: float) -> float:
    """TfLiteRound (std::round on a float): halves away from zero."""
    return float(math.copysign(math.floor(abs(v) + 0.5), v)) if not math.isnan(v) else v


def elu_table(si: float, zi: int, so: float, zo: int) -> np.ndarray:
    """TFLM's ELU PopulateLookupTable<int8_t>, in float32 steps; index = value + 128."""
    exp = _expf()
    inverse = _F(_F(1.0) / _F(so))
    table = np.zeros(256, np.int8)
    for v in range(-128, 128):
        deq = _F(_F(si) * _F(v - zi))
        tr = _F(_F(exp(float(deq))) - _F(1.0)) if deq < 0 else deq
        rescaled = _round_f32(float(_F(tr * inverse)))
        q = int(_F(_F(rescaled) + _F(zo)))
        table[v + 128] = min(127, max(-128, q))
    return table


def rsqrt_multiplier(si: float, so: float) -> tuple[int, int]:
    """SetRsqrtOutputMultiplier: 1 / double(sqrt(float si) * so) in float32."""
    return quant.quantize_multiplier(1.0 / float(_F(_F(np.sqrt(_F(si))) * _F(so))))


def rsqrt_table(si: float, zi: int, so: float, zo: int) -> np.ndarray:
    """TFLM's RsqrtEvalQuantized for every int8 value (0 below the zero point, where TFLM
    reports an error); index = value + 128."""
    m, s = rsqrt_multiplier(si, so)
    table = np.zeros(256, np.int8)
    for v in range(-128, 128):
        value = v - zi
        if value < 0:
            continue
        if value == 0:
            table[v + 128] = 127
            continue
        inv, inv_shift = _inv_sqrt(value)
        data = _mbqm(1, inv, inv_shift + 20)
        out = _mbqm(data, m, s - 20) + zo
        table[v + 128] = min(127, max(-128, out))
    return table


def add_table(op: OpDesc) -> None:
    """Appends the 256-entry table of an int8 ELU / RSQRT (attrs["builtin"]) as a constant
    input (the kernel's second operand)."""
    x, out = op.inputs[0], op.output
    make = elu_table if op.attrs.get("builtin") == "ELU" else rsqrt_table
    table = make(
        float(x.scale[0]), int(x.zero_point[0]), float(out.scale[0]), int(out.zero_point[0])
    )
    op.inputs.append(TensorDesc(shape=(256,), dtype="int8", data=table, name="table"))


# ---- support check and kernel plan -------------------------------------------------------


def _align4(shape) -> tuple[int, int, int, int] | None:
    from lwai.codegen.kernels import _align4 as align4

    return align4(shape)


def _broadcast_reason(op: OpDesc) -> str | None:
    from lwai.codegen.kernels import broadcast4_reason

    return broadcast4_reason(op.inputs, op.output.shape)


def _offsets(x: TensorDesc, x2: TensorDesc, out: TensorDesc) -> dict[str, int]:
    """The zero-point fields of a two-input kernel (inputs negated, as TFLM adds them)."""
    return {
        "input1_offset": -int(x.zero_point[0]),
        "input2_offset": -int(x2.zero_point[0]),
        "output_offset": int(out.zero_point[0]),
    }


def _sub16_fields(x1: TensorDesc, x2: TensorDesc, out: TensorDesc) -> dict[str, int]:
    """TFLM's CalculateOpDataSub for int16, left_shift 15 (the ratios in double: the installed
    TFLM's results, measured on 300 cases; float32 division differed once)."""
    return add_s16_params(x1.scale[0], x2.scale[0], out.scale[0])  # the same scheme as ADD


def _sqdiff_fields(x1: TensorDesc, x2: TensorDesc, out: TensorDesc, dt: str) -> dict[str, int]:
    """TFLM's SQUARED_DIFFERENCE PrepareQuantized: double ratios, left_shift 7 (int8) or 0."""
    ls = 7 if dt == "int8" else 0
    s1, s2, so = _F(x1.scale[0]), _F(x2.scale[0]), _F(out.scale[0])
    twice = 2.0 * float(max(s1, s2))
    m1, sh1 = quant.quantize_multiplier(float(s1) / twice)
    m2, sh2 = quant.quantize_multiplier(float(s2) / twice)
    mo, sho = quant.quantize_multiplier(twice * twice / float(_F(_F(1 << (2 * ls)) * so)))
    return {
        "input1_offset": -int(x1.zero_point[0]),
        "input2_offset": -int(x2.zero_point[0]),
        "output_offset": int(out.zero_point[0]),
        "left_shift": ls,
        "input1_multiplier": m1,
        "input1_shift": sh1,
        "input2_multiplier": m2,
        "input2_shift": sh2,
        "output_multiplier": mo,
        "output_shift": sho,
        "act_min": quant.DTYPE_RANGE[dt][0],
        "act_max": quant.DTYPE_RANGE[dt][1],
    }


def _relu16_fields(op: OpDesc) -> dict[str, int]:
    """TFLM's int16 ReluPrepare / Relu6Prepare / LeakyReluPrepare (zero points 0)."""
    x, out, mode = op.inputs[0], op.output, op.attrs["mode"]
    si, so = _F(x.scale[0]), _F(out.scale[0])
    if mode == "relu6":
        six = quant.quantize_value(6.0, float(si), 0)
        return {
            "multiplier": 1 << 30,  # exactly 1.0: clamped in the input's domain
            "shift": 1,
            "alpha_multiplier": 1 << 30,
            "alpha_shift": 1,
            "act_min": 0,
            "act_max": six,
        }
    # the installed TFLM forms these ratios in double (measured: float32 division differs)
    m, s = quant.quantize_multiplier(float(si) / float(so))
    if mode == "relu":
        return {
            "multiplier": m,
            "shift": s,
            "alpha_multiplier": m,
            "alpha_shift": s,
            "act_min": 0,
            "act_max": 32767,
        }
    am, ash = quant.quantize_multiplier(float(si) * float(_F(op.attrs["alpha"])) / float(so))
    return {
        "multiplier": m,
        "shift": s,
        "alpha_multiplier": am,
        "alpha_shift": ash,
        "act_min": -32768,
        "act_max": 32767,
    }


def reason(op: OpDesc) -> str | None:
    """None when lwai's kernel computes ``op`` as TFLM does, else why not."""
    ins, out, kind, dt = op.inputs, op.output, op.kind, op.dtype
    quantized = ins[:1] if kind == "lut" else ins  # the table (input 1) is raw bytes
    if not ins or not all(_quantized(t) for t in quantized):
        return "inputs without per-tensor quantization"
    if kind != "compare" and not _quantized(out):
        return "output without per-tensor quantization"
    zero_zps = all(t.zero_point[0] == 0 for t in (*quantized, out) if t.zero_point)
    if kind == "lut" and dt == "int16" and op.attrs.get("builtin") == "RSQRT":
        if (
            len(ins) != 1
            or out.dtype != dt
            or int(np.prod(out.shape)) != int(np.prod(ins[0].shape))
        ):
            return "input and output differ in type or size"
        if not zero_zps:
            return "int16 zero points must be 0 (TFLM)"
        if rsqrt_multiplier(ins[0].scale[0], out.scale[0])[1] < -11:
            return "1 / (sqrt(input scale) * output scale) below 2^-12 (TFLM's shift range)"
        return None
    if kind == "lut":
        if dt != "int8":
            return f"{dt} {op.attrs.get('builtin', kind)} (TFLM: int8 only)"
        if len(ins) != 2 or not ins[1].is_const or ins[1].shape != (256,):
            return "no 256-entry table"
        if out.dtype != dt or int(np.prod(out.shape)) != int(np.prod(ins[0].shape)):
            return "input and output differ in type or size"
        return None
    if kind in ("abs", "relu"):
        if (
            len(ins) != 1
            or out.dtype != dt
            or int(np.prod(out.shape)) != int(np.prod(ins[0].shape))
        ):
            return "input and output differ in type or size"
        if dt == "int16" and not zero_zps:
            return "int16 zero points must be 0 (TFLM)"
        if kind == "relu":
            mode = op.attrs.get("mode")
            if mode not in ("relu", "relu6", "leaky_relu"):
                return f"activation {mode}"
            if mode == "relu6" and not 0 <= _relu16_fields(op)["act_max"] <= 32767:
                return "6.0 beyond the int16 input's range (TFLM refuses)"
            if mode == "leaky_relu" and not float(op.attrs.get("alpha", 0.0)) >= 0.0:
                return "LEAKY_RELU with a negative alpha"
        return None
    if kind == "add_n":
        if dt != "int8" or out.dtype != "int8":
            return f"{dt} ADD_N (TFLM: int8 and float32 only)"
        if not 1 <= len(ins) <= ADD_N_MAX_INPUTS:
            return f"{len(ins)} inputs (lwai's ADD_N takes 1 to {ADD_N_MAX_INPUTS})"
        first = ins[0]
        for t in ins:
            if t.shape != first.shape or t.dtype != dt:
                return "inputs of different shapes or types"
            if _F(t.scale[0]) != _F(first.scale[0]) or t.zero_point[0] != first.zero_point[0]:
                return "inputs of different quantizations (TFLM requires one)"
        if int(np.prod(out.shape)) != int(np.prod(first.shape)):
            return "output size differs from the inputs'"
        if _add_n_fields(op)["output_shift"] > 0:
            return "2 * input scale / (2^20 * output scale) >= 1 (TFLM requires < 1)"
        return None
    if len(ins) != 2:
        return f"{len(ins)} inputs"
    x1, x2 = ins
    want2 = "int8" if kind == "prelu" else dt
    if x2.dtype != want2:
        return f"{dt} and {x2.dtype} inputs"
    want_out = "bool" if kind == "compare" else dt
    if out.dtype != want_out:
        return f"{out.dtype} output"
    bad = _broadcast_reason(op)
    if bad:
        return bad
    if kind == "sub":
        if not zero_zps:
            return "int16 zero points must be 0 (TFLM)"
        f = _sub16_fields(x1, x2, out)
        if f["output_shift"] > 0:
            return "2 * max input scale / (2^15 * output scale) >= 1 (TFLM requires < 1)"
        return None
    if kind == "squared_difference":
        if dt == "int16" and not zero_zps:
            return "int16 zero points must be 0 (TFLM)"
        return None
    if kind == "compare":
        if dt != "int8":
            return f"{dt} comparison (TFLM: int8 only)"
        if max(_F(x1.scale[0]), _F(x2.scale[0])) >= 1.0:
            return "input scale >= 1 (TFLM's QuantizeMultiplierSmallerThanOneExp)"
        return None
    if kind == "div":
        if dt != "int8":
            return f"{dt} DIV (TFLM: int8 only)"
        if _div_multiplier(op)[1] > 22:
            return "input1 scale / (input2 scale * output scale) >= 2^22"
        return None
    if kind in ("prelu", "minmax"):  # TFLM's PRELU takes any zero points
        return None
    return f"no lwai kernel for {kind}"


def _add_n_fields(op: OpDesc) -> dict[str, int]:
    """TFLM's ADD_N CalculateOpData (double ratios; the input multiplier is exactly 1/2)."""
    x, out = op.inputs[0], op.output
    s, so = float(_F(x.scale[0])), float(_F(out.scale[0]))
    m1, sh1 = quant.quantize_multiplier(s / (2.0 * s))
    mo, sho = quant.quantize_multiplier(2.0 * s / ((1 << 20) * so))
    return {
        "input1_offset": -int(x.zero_point[0]),
        "output_offset": int(out.zero_point[0]),
        "left_shift": 20,
        "input1_multiplier": m1,
        "input1_shift": sh1,
        "output_multiplier": mo,
        "output_shift": sho,
        "act_min": -128,
        "act_max": 127,
    }


def _div_multiplier(op: OpDesc) -> tuple[int, int]:
    s1, s2, so = (_F(t.scale[0]) for t in (op.inputs[0], op.inputs[1], op.output))
    return quant.quantize_multiplier(float(_F(s1 / _F(s2 * so))))


def plan(op: OpDesc):
    from lwai.codegen.kernels import KernelPlan, Operand

    kind, dt = op.kind, op.dtype
    sfx = {"int8": "s8", "int16": "s16"}[dt]
    x, out = op.inputs[0], op.output
    n = int(np.prod(x.shape))
    flat = (1, 1, 1, n)
    if kind in ("abs", "lut", "relu"):
        fields: dict[str, int | float] = {}
        operands = [Operand("in", 0, dt, flat, "in0"), Operand("out", -1, dt, flat)]
        if kind == "lut" and dt == "int16":  # RSQRT int16: computed per element
            m, s = rsqrt_multiplier(x.scale[0], out.scale[0])
            fields = {"output_multiplier": m, "output_shift": s}
            return KernelPlan("rsqrt_s16", "lwai_elementwise_params", fields, operands)
        if kind == "relu":
            return KernelPlan(f"relu_{sfx}", "lwai_relu_s16_params", _relu16_fields(op), operands)
        si, so = _F(x.scale[0]), _F(out.scale[0])
        zi, zo = int(x.zero_point[0]), int(out.zero_point[0])
        if kind == "abs":
            rescale = si != so
            m, s = quant.quantize_multiplier(float(si) / float(so)) if rescale else (0, 0)
            fields = {
                "input1_offset": -zi,
                "output_offset": zo,
                "output_multiplier": m,
                "output_shift": s,
                "mode": int(rescale),
            }
            return KernelPlan(f"abs_{sfx}", "lwai_elementwise_params", fields, operands)
        operands = [
            Operand("in", 0, dt, flat, "in0"),
            Operand("in", 1, "int8", (1, 1, 1, 256), "table"),
            Operand("out", -1, dt, flat),
        ]
        return KernelPlan("lut_s8", "lwai_elementwise_params", {}, operands)
    if kind == "add_n":
        operands = [Operand("in", j, dt, flat, f"in{j}") for j in range(len(op.inputs))]
        operands.append(Operand("out", -1, dt, flat))
        return KernelPlan("add_n_s8", "lwai_elementwise_params", _add_n_fields(op), operands)
    x2 = op.inputs[1]
    operands = [
        Operand("in", 0, dt, _align4(x.shape), "in0"),
        Operand("in", 1, x2.dtype, _align4(x2.shape), "in1"),
        Operand("out", -1, out.dtype, _align4(out.shape)),
    ]
    ctype = "lwai_elementwise_params"
    if kind == "sub":
        fields = _sub16_fields(x, x2, out)
        lo, hi = quant.activation_range_quantized(
            str(op.attrs.get("activation", "NONE")), out.scale[0], 0, "int16"
        )
        fields.update(act_min=lo, act_max=hi)
        return KernelPlan("sub_s16", "lwai_add_s16_params", fields, operands)
    if kind == "squared_difference":
        return KernelPlan(
            f"squared_difference_{sfx}", ctype, _sqdiff_fields(x, x2, out, dt), operands
        )
    if kind == "minmax":
        mode = 0 if op.attrs.get("builtin") == "MAXIMUM" else 1
        return KernelPlan(f"minmax_{sfx}", ctype, {"mode": mode}, operands)
    if kind == "compare":
        m1, sh1 = quant.quantize_multiplier(float(_F(x.scale[0])))
        m2, sh2 = quant.quantize_multiplier(float(_F(x2.scale[0])))
        fields = {
            "input1_offset": -int(x.zero_point[0]),
            "input2_offset": -int(x2.zero_point[0]),
            "left_shift": 8,
            "input1_multiplier": m1,
            "input1_shift": sh1,
            "input2_multiplier": m2,
            "input2_shift": sh2,
            "mode": COMPARISONS.index(op.attrs["builtin"]),
        }
        return KernelPlan("compare_s8", ctype, fields, operands)
    if kind == "prelu":
        si, sa, so = (float(_F(t.scale[0])) for t in (x, x2, out))
        m1, sh1 = quant.quantize_multiplier(si / so)
        m2, sh2 = quant.quantize_multiplier(si * sa / so)
        fields = {
            **_offsets(x, x2, out),
            "input1_multiplier": m1,
            "input1_shift": sh1,
            "input2_multiplier": m2,
            "input2_shift": sh2,
        }
        return KernelPlan(f"prelu_{sfx}", ctype, fields, operands)
    if kind == "div":
        m, s = _div_multiplier(op)
        lo, hi = quant.activation_range_quantized(
            str(op.attrs.get("activation", "NONE")), out.scale[0], int(out.zero_point[0])
        )
        fields = {
            **_offsets(x, x2, out),
            "output_multiplier": m,
            "output_shift": s,
            "act_min": lo,
            "act_max": hi,
        }
        return KernelPlan("div_s8", ctype, fields, operands)
    raise ValueError(f"no kernel plan for {kind}")


def register(conv) -> None:
    """Puts :func:`convert` in front of TVM's converter of each builtin of BUILTINS."""
    for builtin in BUILTINS:
        fallback = conv.convert_map.get(builtin)
        if fallback is not None:
            conv.convert_map[builtin] = _first(conv, builtin, fallback)


def _first(conv, builtin: str, fallback):
    def run(op):
        out = convert(conv, op, builtin)
        return out if out is not None else fallback(op)

    return run
