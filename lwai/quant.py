"""TFLite's quantization arithmetic, reproduced in Python for the kernel emitter.

Every function here computes what TensorFlow Lite Micro computes in its Prepare step, from the
same float32 scales, in the same double-precision order, so the constants lwai bakes into C
equal the ones TFLM derives at run time (bit-exactness depends on it).

Scales in a .tflite file are float32: callers pass Python floats, and :func:`f32` rounds them
to float32 first, exactly as the interpreter sees them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

INT8_MIN, INT8_MAX = -128, 127
INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1

# Softmax keeps input differences in Q5.26 (5 integer bits), as TFLite does.
SOFTMAX_SCALED_DIFF_INTEGER_BITS = 5
# ADD/MUL of int8: inputs are shifted left by 20 bits before rescaling (TFLite's choice, so
# the rescaled inputs keep ~20 bits of precision without overflowing int32).
ADD_LEFT_SHIFT_INT8 = 20

DTYPE_RANGE = {"int8": (-128, 127), "int16": (-32768, 32767), "uint8": (0, 255)}


def f32(x: float) -> float:
    """``x`` rounded to float32 and widened back to a Python float (double)."""
    return float(np.float32(x))


def round_half_away(x: float) -> int:
    """C's ``round()``: halves go away from zero (Python's ``round`` goes to even)."""
    a = abs(x)
    fl = math.floor(a)
    r = fl + 1 if a - fl >= 0.5 else fl
    return int(r) if x >= 0 else -int(r)


def quantize_multiplier(m: float) -> tuple[int, int]:
    """Q0.31 significand and power-of-two shift with ``m ~= q * 2**(shift - 31)``.

    TFLite's QuantizeMultiplier: frexp, round the significand to 31 bits, renormalise when
    rounding reaches 2**31, flush multipliers below 2**-31 to zero. ``shift`` > 0 is a left
    shift.
    """
    if m == 0.0:
        return 0, 0
    q, shift = math.frexp(m)
    q_fixed = round_half_away(q * (1 << 31))
    assert q_fixed <= (1 << 31)
    if q_fixed == (1 << 31):
        q_fixed //= 2
        shift += 1
    assert q_fixed <= INT32_MAX
    if shift < -31:
        shift = 0
        q_fixed = 0
    return int(q_fixed), int(shift)


def per_channel_multipliers(
    input_scale: float, weight_scales: Sequence[float], output_scale: float, channels: int
) -> tuple[list[int], list[int]]:
    """Conv/depthwise (and per-channel FC) multipliers, one per output channel.

    TFLM derives them per channel even for per-tensor weights (one scale repeated), each as
    ``double(in) * double(w[c]) / double(out)``.
    """
    mults, shifts = [], []
    si, so = f32(input_scale), f32(output_scale)
    for c in range(channels):
        sw = f32(weight_scales[c] if len(weight_scales) > 1 else weight_scales[0])
        m, s = quantize_multiplier(si * sw / so)
        mults.append(m)
        shifts.append(s)
    return mults, shifts


def fc_multiplier(input_scale: float, weight_scale: float, output_scale: float) -> tuple[int, int]:
    """Per-tensor FULLY_CONNECTED multiplier (GetQuantizedConvolutionMultipler)."""
    return quantize_multiplier(f32(input_scale) * f32(weight_scale) / f32(output_scale))


def add_params(s1: float, s2: float, so: float) -> dict[str, int]:
    """int8 ADD: three multipliers (each < 1) for TFLite's left_shift=20 scheme."""
    s1, s2, so = f32(s1), f32(s2), f32(so)
    twice_max = 2.0 * max(s1, s2)
    m1, sh1 = quantize_multiplier(s1 / twice_max)
    m2, sh2 = quantize_multiplier(s2 / twice_max)
    mo, sho = quantize_multiplier(twice_max / ((1 << ADD_LEFT_SHIFT_INT8) * so))
    return {
        "left_shift": ADD_LEFT_SHIFT_INT8,
        "input1_multiplier": m1,
        "input1_shift": sh1,
        "input2_multiplier": m2,
        "input2_shift": sh2,
        "output_multiplier": mo,
        "output_shift": sho,
    }


def mul_params(s1: float, s2: float, so: float) -> tuple[int, int]:
    """int8 MUL: one multiplier for ``s1 * s2 / so``."""
    return quantize_multiplier(f32(s1) * f32(s2) / f32(so))


def requantize_multiplier(input_scale: float, output_scale: float) -> tuple[int, int]:
    """int8 -> int8 QUANTIZE: multiplier for ``in / out``."""
    return quantize_multiplier(f32(input_scale) / f32(output_scale))


def preprocess_softmax_scaling(
    beta: float, input_scale: float, input_integer_bits: int = SOFTMAX_SCALED_DIFF_INTEGER_BITS
) -> tuple[int, int]:
    """Multiplier and left shift taking (x - max) to Q(input_integer_bits).(31-bits).

    Capped at 2**31 - 1 (double-rounding build of TFLite), above which every non-maximal
    input rounds to zero probability anyway.
    """
    max_real = float((1 << 31) - 1)
    real = min(f32(beta) * f32(input_scale) * float(1 << (31 - input_integer_bits)), max_real)
    assert real > 1.0, "softmax beta*scale too small for TFLite's int8 softmax"
    m, s = quantize_multiplier(real)
    assert s >= 0
    return m, s


def calculate_input_radius(
    input_integer_bits: int, input_left_shift: int, total_bits: int = 31
) -> int:
    """Largest |x - max| (in input units) whose rescaled value still fits; TFLite's floor."""
    v = (
        1.0
        * ((1 << input_integer_bits) - 1)
        * float(1 << (total_bits - input_integer_bits))
        / float(1 << input_left_shift)
    )
    return math.floor(v)


def softmax_params(beta: float, input_scale: float) -> dict[str, int]:
    """int8 SOFTMAX: input multiplier, left shift and diff_min (TFLM CalculateSoftmaxParams)."""
    m, s = preprocess_softmax_scaling(beta, input_scale)
    diff_min = -calculate_input_radius(SOFTMAX_SCALED_DIFF_INTEGER_BITS, s)
    return {"input_multiplier": m, "input_left_shift": s, "diff_min": diff_min}


def quantize_value(x: float, scale: float, zero_point: int) -> int:
    """TFLite's Quantize() of a float32 constant: ``zp + round(x / scale)`` in float32."""
    return zero_point + round_half_away(float(np.float32(x) / np.float32(scale)))


def activation_range_quantized(
    activation: str, scale: float, zero_point: int, dtype: str = "int8"
) -> tuple[int, int]:
    """Fused activation range in the output's integer domain (CalculateActivationRangeQuantized).

    ``activation`` is one of NONE, RELU, RELU6, RELU_N1_TO_1.
    """
    qmin, qmax = DTYPE_RANGE[dtype]
    act = activation.upper()
    if act == "NONE":
        return qmin, qmax
    if act == "RELU":
        return max(qmin, quantize_value(0.0, scale, zero_point)), qmax
    if act == "RELU6":
        lo = max(qmin, quantize_value(0.0, scale, zero_point))
        return lo, min(qmax, quantize_value(6.0, scale, zero_point))
    if act == "RELU_N1_TO_1":
        lo = max(qmin, quantize_value(-1.0, scale, zero_point))
        return lo, min(qmax, quantize_value(1.0, scale, zero_point))
    raise ValueError(f"unknown fused activation {activation!r}")


def activation_range_float(activation: str) -> tuple[float, float]:
    """Fused activation range for float outputs (CalculateActivationRange)."""
    act = activation.upper()
    inf = float("inf")
    return {
        "NONE": (-inf, inf),
        "RELU": (0.0, inf),
        "RELU6": (0.0, 6.0),
        "RELU_N1_TO_1": (-1.0, 1.0),
    }[act]
