"""Quantized MEAN, SUM, REDUCE_MAX, REDUCE_MIN, L2_NORMALIZATION, LOG_SOFTMAX and
RESIZE_BILINEAR on lwai's kernels (kernels/reference/reduce.c, l2norm.c, log_softmax.c,
resize_bilinear.c).

TVM would compute these through its float legalization (off by an LSB now and then), so
lwai converts quantized ones itself, as it does SVDF
(:func:`lwai.frontend.stateful.direct_call`); float ones stay with TVM. The dtypes are
TFLite Micro's: MEAN and SUM int8 and int16, REDUCE_MAX/MIN, L2_NORMALIZATION, LOG_SOFTMAX
and RESIZE_BILINEAR int8 (TFLM refuses int16 for those, and EXP is float32 only there).
TFLM's arithmetic, reproduced here and in the kernels:

- MEAN/SUM (QuantizedMeanOrSum): int32 sum minus zero point * count, rescaled by
  QuantizeMultiplier(double(si) / double(so)); MEAN folds 1/count into that multiplier at
  run time as ``m = (m << k) / count, shift -= k`` with ``k = min(floor(log2 count), 32,
  31 + shift)`` (a truncating division, not a rounding one: doing the mean as a separate
  rounded division is off by one). The compiler folds it identically.
- REDUCE_MAX/MIN: raw integers; TFLM requires equal input and output quantization.
- L2_NORMALIZATION: inverse square root by Newton-Raphson in Q3.28, output 1/128, zp 0.
- LOG_SOFTMAX: Q5.26 differences, output scale 16/256 and zero point 127 (TFLM checks).
- RESIZE_BILINEAR: TFLM's integer path (10 fractional bits); the stored integers are
  interpolated, so the output must keep the input's quantization.
"""

from __future__ import annotations

import numpy as np

from lwai import quant
from lwai.errors import LwaiError
from lwai.ops import OpDesc, TensorDesc

# TFLite builtin -> lwai op kind
BUILTINS = {
    "MEAN": "reduce",
    "SUM": "reduce",
    "REDUCE_MAX": "reduce",
    "REDUCE_MIN": "reduce",
    "L2_NORMALIZATION": "l2norm",
    "LOG_SOFTMAX": "log_softmax",
    "RESIZE_BILINEAR": "resize_bilinear",
}
KINDS = frozenset(BUILTINS.values())
# The dtypes TFLite Micro computes each builtin in (besides float32, which TVM takes).
TFLM_DTYPES = {
    "MEAN": ("int8", "int16"),
    "SUM": ("int8", "int16"),
    "REDUCE_MAX": ("int8",),
    "REDUCE_MIN": ("int8",),
    "L2_NORMALIZATION": ("int8",),
    "LOG_SOFTMAX": ("int8",),
    "RESIZE_BILINEAR": ("int8",),
}
_QUANT_TYPES = ("int8", "int16", "uint8")
_ACTS = {0: "NONE", 1: "RELU", 2: "RELU_N1_TO_1", 3: "RELU6", 4: "TANH", 5: "SIGN_BIT"}
# L2_NORMALIZATION sums up to 255^2 per element in int32.
L2_MAX_DEPTH = (2**31 - 1) // (255 * 255)
LOG_SOFTMAX_OUT = (16.0 / 256, 127)
L2_OUT = (1.0 / 128, 0)
RESIZE_MAX = 65535


# ---- frontend ------------------------------------------------------------------------------


def _dtype_of(sg, index: int) -> str:
    from lwai.frontend.tflite import _TFLITE_DTYPES

    return _TFLITE_DTYPES.get(sg.Tensors(index).Type(), "?")


def _const_ints(model, sg, index: int, what: str, where: str) -> list[int]:
    from lwai.frontend.stateful import tensor_desc

    if _dtype_of(sg, index) != "int32":
        raise LwaiError(where, f"{what} must be an int32 tensor (TFLM)")
    t = tensor_desc(model, sg, index)
    if t.data is None:
        raise LwaiError(where, f"{what} is not constant (lwai plans shapes at compile time)")
    return [int(v) for v in np.asarray(t.data).reshape(-1)]


def describe(model, sg, op, builtin: str, where: str = "model"):
    """(OpDesc, TFLite indices of its activation inputs) for a quantized ``builtin`` op,
    None when its input is not int8/int16/uint8 (TVM's converter takes float ones). Raises
    LwaiError (``where``: the model path) when lwai cannot compute it as TFLM does."""
    from lwai.frontend.int16 import _options
    from lwai.frontend.stateful import tensor_desc

    idx = [int(i) for i in op.InputsAsNumpy()]
    outs = [int(i) for i in op.OutputsAsNumpy()]
    if not idx or idx[0] < 0 or len(outs) != 1:
        return None  # malformed: TVM's importer reports it
    dt = _dtype_of(sg, idx[0])
    if dt not in _QUANT_TYPES:
        return None
    x = tensor_desc(model, sg, idx[0]) if dt != "uint8" else None
    out_dt = _dtype_of(sg, outs[0])
    name = (sg.Tensors(outs[0]).Name() or b"").decode(errors="replace")
    what = f"{builtin} '{name}' ({dt})"

    def refuse(reason: str):
        raise LwaiError(
            where,
            f"{what} has no lwai kernel: {reason}",
            "TVM cannot compute this quantized operator exactly either; change the model",
        )

    if dt not in TFLM_DTYPES[builtin]:
        refuse(f"TFLite Micro computes {builtin} in float32 and {', '.join(TFLM_DTYPES[builtin])}")
    if out_dt != dt:
        refuse(f"{out_dt} output (TFLM's {builtin} keeps the input type)")
    out = tensor_desc(model, sg, outs[0])
    kind = BUILTINS[builtin]
    attrs: dict = {"builtin": builtin}
    if kind == "reduce":
        from tflite.ReducerOptions import ReducerOptions

        if len(idx) != 2 or idx[1] < 0:
            refuse("no axis tensor")
        axes = _const_ints(model, sg, idx[1], f"{what}: the axis", where)
        o = _options(op, ReducerOptions)
        attrs["keep_dims"] = bool(o.KeepDims()) if o is not None else False
        rank = len(x.shape)
        resolved: list[int] = []
        for a in axes:
            r = a + rank if a < 0 else a
            if rank and not 0 <= r < rank:
                refuse(f"axis {a} out of range for rank {rank}")
            if rank and r not in resolved:
                resolved.append(r)
        attrs["axes"] = resolved
    elif kind == "l2norm":
        from tflite.L2NormOptions import L2NormOptions

        o = _options(op, L2NormOptions)
        act = int(o.FusedActivationFunction()) if o is not None else 0
        attrs["activation"] = _ACTS.get(act, f"#{act}")
    elif kind == "resize_bilinear":
        from tflite.ResizeBilinearOptions import ResizeBilinearOptions

        if len(idx) != 2 or idx[1] < 0:
            refuse("no size tensor")
        attrs["size"] = _const_ints(model, sg, idx[1], f"{what}: the size", where)
        o = _options(op, ResizeBilinearOptions)
        attrs["align_corners"] = bool(o.AlignCorners()) if o is not None else False
        attrs["half_pixel_centers"] = bool(o.HalfPixelCenters()) if o is not None else False
    desc = OpDesc(kind, [x], out, attrs, name=what)
    bad = reason(desc)
    if bad is not None:
        refuse(bad)
    return desc, ([] if x.is_const else [idx[0]])


def convert(conv, op, builtin: str):
    """The direct call for the op (:func:`describe`), None when TVM takes it."""
    from lwai.frontend import stateful

    found = describe(conv.model, conv.subgraph, op, builtin)
    return None if found is None else stateful.direct_call(conv, *found)


def register(conv) -> None:
    """Routes the quantized forms of :data:`BUILTINS` in ``conv`` (an LwaiOperatorConverter)
    to :func:`convert`, everything else to TVM's converter as before."""
    for builtin in BUILTINS:
        tvm_convert = conv.convert_map.get(builtin)

        def routed(op, builtin=builtin, tvm_convert=tvm_convert):
            out = convert(conv, op, builtin)
            if out is not None:
                return out
            if tvm_convert is None:
                raise LwaiError("model", f"{builtin} of this type cannot be imported")
            return tvm_convert(op)

        conv.convert_map[builtin] = routed


def precheck(model, where: str) -> None:
    """Every quantized op of subgraph 0 this module converts described (and refused with
    its reason, naming the file) before TVM's importer starts."""
    from lwai.frontend.tflite import _op_name

    sg = model.Subgraphs(0)
    for i in range(sg.OperatorsLength()):
        op = sg.Operators(i)
        name = _op_name(model, op)
        if name not in BUILTINS:
            continue
        try:
            describe(model, sg, op, name, where)
        except LwaiError:
            raise
        except Exception as err:  # noqa: BLE001 - flatbuffers raises anything on bad bytes
            raise LwaiError(
                where, f"operator {i} ({name}) is malformed ({type(err).__name__})"
            ) from None


# ---- support check and kernel plan -------------------------------------------------------


def _pt(t: TensorDesc) -> bool:
    return bool(t.scale) and bool(t.zero_point) and len(t.scale) == 1


def reduce_geometry(shape, axes) -> tuple[tuple[int, int, int, int], int, int] | None:
    """(4-D input dims, reduced-dims mask, elements per output) after merging neighbouring
    dims that are both kept or both reduced (size-1 dims dropped); None when more than four
    groups remain."""
    groups: list[list] = []
    count = 1
    for i, d in enumerate(shape):
        red = i in axes
        if red:
            count *= int(d)
        if d == 1:
            continue
        if groups and groups[-1][1] == red:
            groups[-1][0] *= int(d)
        else:
            groups.append([int(d), red])
    if len(groups) > 4:
        return None
    groups = [[1, False]] * (4 - len(groups)) + groups
    dims = (groups[0][0], groups[1][0], groups[2][0], groups[3][0])
    return dims, sum(1 << i for i, g in enumerate(groups) if g[1]), count


def sum_multiplier(si: float, so: float, count: int, mean: bool) -> tuple[int, int]:
    """TFLM's MEAN/SUM rescale: QuantizeMultiplier(double(si) / double(so)); MEAN then
    folds 1/count in as QuantizedMeanOrSum does at run time (truncating division)."""
    m, s = quant.quantize_multiplier(quant.f32(si) / quant.f32(so))
    if mean:
        k = min(count.bit_length() - 1, 32, 31 + s)
        m = (m << k) // count
        s -= k
    return int(m), int(s)


def _log_softmax_fields(x: TensorDesc) -> dict[str, int] | str:
    """TFLM's LOG_SOFTMAX prepare (beta 1, Q5.26 differences), or why it cannot be."""
    real = min(quant.f32(x.scale[0]) * float(1 << 26), float((1 << 31) - 1))
    if real <= 1.0:
        return "input scale below 2^-26 (TFLite's rescale needs a multiplier above 1)"
    m, shift = quant.quantize_multiplier(real)
    if shift < 1:
        return "input scale below 2^-25 (TFLite's reverse scaling overflows)"
    reverse = float(1 << (31 - shift)) / float(m)
    if reverse >= 1.0:
        return "input scale whose reverse scaling reaches 1 (TFLite refuses)"
    rm, rs = quant.quantize_multiplier(reverse)
    if rs > 0:
        return "input scale whose reverse scaling reaches 1 (TFLite refuses)"
    return {
        "input_multiplier": m,
        "input_left_shift": shift,
        "reverse_scaling_divisor": rm,
        "reverse_scaling_right_shift": -rs,
        "diff_min": -quant.calculate_input_radius(5, shift),
    }


def reason(op: OpDesc) -> str | None:
    """None when lwai's kernel computes ``op`` exactly as TFLite Micro does."""
    x, out, a = op.inputs[0], op.output, op.attrs
    builtin = a.get("builtin", op.kind.upper())
    if x.dtype not in TFLM_DTYPES.get(builtin, ()):
        return f"TFLite Micro computes {builtin} in float32 and {TFLM_DTYPES.get(builtin)}"
    if out.dtype != x.dtype:
        return f"{out.dtype} output"
    if not (_pt(x) and _pt(out)):
        return "activations without per-tensor quantization"
    n_in, n_out = int(np.prod(x.shape)), int(np.prod(out.shape))
    if n_in == 0 or n_out == 0:
        return "an empty tensor"
    if op.kind == "reduce":
        geo = reduce_geometry(x.shape, a.get("axes", []))
        if geo is None:
            return (
                f"reducing axes {a.get('axes')} of a rank-{len(x.shape)} tensor needs more "
                "than 4 alternating kept/reduced dims (lwai's kernel takes 4)"
            )
        dims, mask, count = geo
        kept = int(np.prod([d for i, d in enumerate(dims) if not (mask >> i) & 1]))
        if kept != n_out:
            return f"output shape {out.shape} does not match reducing axes {a.get('axes')}"
        if builtin in ("REDUCE_MAX", "REDUCE_MIN"):
            same = quant.f32(x.scale[0]) == quant.f32(out.scale[0])
            if not same or x.zero_point[0] != out.zero_point[0]:
                return "input and output quantization differ (TFLM requires them equal)"
            return None
        _, s = sum_multiplier(x.scale[0], out.scale[0], count, builtin == "MEAN")
        if s > 30:
            return "input scale / output scale >= 2^30 (beyond TFLite's rescale)"
        return None
    if op.kind == "l2norm":
        act = a.get("activation", "NONE")
        if act != "NONE":
            return f"fused activation {act} (TFLM's L2_NORMALIZATION takes none)"
        if len(x.shape) > 4 or len(x.shape) < 1:
            return f"rank {len(x.shape)} (TFLM takes 1 to 4)"
        if tuple(out.shape) != tuple(x.shape):
            return "output shape differs from the input's"
        if quant.f32(out.scale[0]) != quant.f32(L2_OUT[0]) or out.zero_point[0] != L2_OUT[1]:
            return "int8 output must have scale 1/128 and zero point 0 (TFLite's fixed output)"
        if x.shape[-1] > L2_MAX_DEPTH:
            return f"more than {L2_MAX_DEPTH} elements per row (TFLite's int32 sum overflows)"
        return None
    if op.kind == "log_softmax":
        if not x.shape:
            return "a scalar input"
        if tuple(out.shape) != tuple(x.shape):
            return "output shape differs from the input's"
        want_s, want_z = LOG_SOFTMAX_OUT
        if quant.f32(out.scale[0]) != quant.f32(want_s) or out.zero_point[0] != want_z:
            return "int8 output must have scale 16/256 and zero point 127 (TFLM checks)"
        f = _log_softmax_fields(x)
        return f if isinstance(f, str) else None
    if op.kind == "resize_bilinear":
        if a.get("align_corners") and a.get("half_pixel_centers"):
            return "align_corners and half_pixel_centers both set (TFLite refuses)"
        if len(x.shape) != 4 or len(out.shape) != 4:
            return "input or output of rank other than 4"
        size = list(a.get("size", []))
        if len(size) != 2 or tuple(size) != tuple(out.shape[1:3]):
            return f"size {size} differs from the output's height and width {out.shape[1:3]}"
        if out.shape[0] != x.shape[0] or out.shape[3] != x.shape[3]:
            return "output batch or channels differ from the input's"
        if max(*x.shape[1:3], *out.shape[1:3]) > RESIZE_MAX:
            return f"height or width above {RESIZE_MAX}"
        if quant.f32(x.scale[0]) != quant.f32(out.scale[0]) or x.zero_point[0] != out.zero_point[0]:
            return "input and output quantization differ (TFLM interpolates the stored integers)"
        return None
    return f"no kernel for {op.kind}"


def plan(op: OpDesc):
    """The KernelPlan of an op that passed :func:`reason`."""
    from lwai.codegen.kernels import KernelPlan, Operand

    x, out, a = op.inputs[0], op.output, op.attrs
    dt = x.dtype
    sfx = {"int8": "s8", "int16": "s16"}[dt]
    if op.kind == "reduce":
        dims, mask, count = reduce_geometry(x.shape, a.get("axes", []))
        out_dims = tuple(1 if (mask >> i) & 1 else d for i, d in enumerate(dims))
        builtin = a["builtin"]
        fields: dict[str, int | float] = {"axes": mask}
        if builtin in ("MEAN", "SUM"):
            m, s = sum_multiplier(x.scale[0], out.scale[0], count, builtin == "MEAN")
            fields.update(
                input_zero_point=int(x.zero_point[0]),
                output_zero_point=int(out.zero_point[0]),
                multiplier=m,
                shift=s,
            )
            kernel = f"reduce_sum_{sfx}"
        else:
            kernel = f"reduce_{builtin[len('REDUCE_') :].lower()}_{sfx}"
        operands = [Operand("in", 0, dt, dims, "in0"), Operand("out", -1, dt, out_dims)]
        return KernelPlan(kernel, "lwai_reduce_params", fields, operands)
    if op.kind in ("l2norm", "log_softmax"):
        depth = int(x.shape[-1])
        d = (int(np.prod(x.shape)) // depth, 1, 1, depth)
        operands = [Operand("in", 0, dt, d, "in0"), Operand("out", -1, dt, d)]
        if op.kind == "l2norm":
            fields = {"input_zero_point": int(x.zero_point[0])}
        else:
            fields = dict(_log_softmax_fields(x))
        return KernelPlan(f"{op.kind}_{sfx}", f"lwai_{op.kind}_params", fields, operands)
    fields = {
        "align_corners": int(bool(a.get("align_corners"))),
        "half_pixel_centers": int(bool(a.get("half_pixel_centers"))),
    }
    operands = [
        Operand("in", 0, dt, tuple(int(v) for v in x.shape), "in0"),
        Operand("out", -1, dt, tuple(int(v) for v in out.shape)),
    ]
    return KernelPlan(f"resize_bilinear_{sfx}", "lwai_resize_bilinear_params", fields, operands)
