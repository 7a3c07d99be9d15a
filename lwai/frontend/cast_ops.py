"""Type-changing and raw-value TFLite ops on lwai's kernels or exact Relax (issue 12 cells).

TFLite Micro's semantics, and what lwai does:

- CAST converts the raw value (``static_cast``; any quantization of either tensor is
  ignored). int8/int16 -> float32 or bool and int16 -> int8 go to lwai's ``cast`` kernels:
  on TVM an int8/int16 value cast to float or narrowed reads as a quantized value TVM
  computes (``lwai.passes.exactness`` stops it). Every other pair is exact on TVM's C:
  integer widening/narrowing wraps (two's complement), int -> float rounds to nearest,
  x -> bool is ``x != 0`` (NaN -> true), float -> int truncates toward zero. A float outside
  the target's range (or NaN) cast to an integer is undefined behaviour in TFLM's C++ (x86
  gives INT_MIN for int32, Arm saturates): lwai gives what the target's C conversion gives,
  and the tests only use in-range values.
- QUANTIZE int32 -> int8/int16, int8 -> uint8, uint8 -> int8, DEQUANTIZE uint8 -> float32:
  lwai's ``quantize_ext`` kernels (TFLite's Requantize / Dequantize arithmetic).
- SELECT_V2 int8/int16: lwai's ``select`` kernels copy the raw values, as TFLM does whatever
  the quantizations of x, y and the output (no requantization; TFLM checks only the types).
- CUMSUM int8: lwai's ``cumsum_s8`` with TFLM's rescale arithmetic (left shift 20, the
  accumulator starting at the scaled -zero point, as TFLM's reference does).
- FILL int8: ``broadcast_to`` of the scalar value (raw copy, as TFLM), exact on TVM's C.
- ZEROS_LIKE (any dtype): lwai's ``zeros_like`` kernel writes 0 at run time (the raw 0,
  not the zero point: TFLM), so a model whose output it is still has a computed output.
- BATCH_MATMUL float32: Relax's matmul after swapping the last two axes for adj_x / adj_y
  (TVM's converter fails when an input is computed by another op); TVM's C sums over k in
  order, as TFLM does (tested within 1e-5).
- DIV int32: truncating division as TFLM; x / 0 gives 0 and INT32_MIN / -1 gives INT32_MIN
  on every target (TFLM leaves both undefined: its C++ division traps on x86; these are
  Cortex-M SDIV's results).
- EMBEDDING_LOOKUP int8 values -> float32 output (TFLM's hybrid lookup): TFLM dequantizes
  each looked-up row as ``float(v) * scale`` (zero point 0 required); lwai precomputes that
  float32 table at compile time (4 bytes per value, exact) and ``take``s rows from it.
  The value table must be constant.

Anything else falls to the converter registered before (TVM's, or another lwai module's).
"""

from __future__ import annotations

import numpy as np
from tflite.TensorType import TensorType
from tvm import relax

from lwai import quant
from lwai.errors import LwaiError
from lwai.ops import OpDesc, TensorDesc

KINDS = frozenset({"cast", "quantize_ext", "select", "cumsum", "zeros_like"})
_TYPES = {
    TensorType.INT8: "int8",
    TensorType.UINT8: "uint8",
    TensorType.INT16: "int16",
    TensorType.INT32: "int32",
    TensorType.INT64: "int64",
    TensorType.FLOAT32: "float32",
    TensorType.BOOL: "bool",
}
SFX = {"int8": "s8", "uint8": "u8", "int16": "s16", "int32": "s32", "float32": "f32", "bool": "b"}
CAST_PAIRS = (
    ("int8", "float32"),
    ("int8", "bool"),
    ("int16", "float32"),
    ("int16", "int8"),
    ("int16", "bool"),
)
QUANTIZE_PAIRS = (("int32", "int8"), ("int32", "int16"), ("int8", "uint8"), ("uint8", "int8"))
_RANGE = {"int8": (-128, 127), "uint8": (0, 255), "int16": (-32768, 32767)}
_F = np.float32


def handles(op: OpDesc) -> bool:
    """True for the OpDescs this module checks and plans (codegen.kernels defers to it)."""
    return op.kind in KINDS


# ---- TFLite tensors ------------------------------------------------------------------------


def _type(sg, index: int) -> str:
    return _TYPES.get(sg.Tensors(index).Type(), "?")


def _desc(model, sg, index: int) -> TensorDesc:
    """One TFLite tensor as a TensorDesc (any dtype of _TYPES)."""
    t = sg.Tensors(index)
    dtype = _type(sg, index)
    name = (t.Name() or b"").decode(errors="replace") or f"#{index}"
    if dtype == "?":
        raise LwaiError("model", f"tensor '{name}' has a type lwai does not take here")
    from lwai.frontend import stateful

    return stateful.desc_of_tensor(model, t, dtype, name)


def _io(op) -> tuple[list[int], list[int]]:
    return [int(i) for i in op.InputsAsNumpy()], [int(i) for i in op.OutputsAsNumpy()]


def _quantized(t: TensorDesc) -> bool:
    return bool(t.scale) and bool(t.zero_point) and len(t.scale) == 1


def _options(op, module: str):
    import importlib

    raw = op.BuiltinOptions()
    if raw is None:
        return None
    cls = getattr(importlib.import_module(f"tflite.{module}"), module)
    opts = cls()
    opts.Init(raw.Bytes, raw.Pos)
    return opts


def _refuse(what: str, dt: str, why: str) -> LwaiError:
    return LwaiError("model", f"{what} ({dt}) has no lwai kernel: {why}")


def _direct(conv, desc: OpDesc, ins: list[int]) -> relax.Expr:
    from lwai.frontend import stateful

    bad = reason(desc)
    if bad is not None:  # SELECT_V2 named by its values' dtype (its first input is bool)
        dt = desc.inputs[1].dtype if desc.kind == "select" else desc.dtype
        raise _refuse(desc.name, dt, bad)
    return stateful.direct_call(conv, desc, [i for i, t in zip(ins, desc.inputs) if not t.is_const])


# ---- converters ----------------------------------------------------------------------------


def _cast(conv, op):
    model, sg = conv.model, conv.subgraph
    ins, outs = _io(op)
    pair = (_type(sg, ins[0]), _type(sg, outs[0]))
    if pair not in CAST_PAIRS:
        return None
    x, out = _desc(model, sg, ins[0]), _desc(model, sg, outs[0])
    desc = OpDesc("cast", [x], out, {}, name=f"CAST '{out.name}'")
    return _direct(conv, desc, ins[:1])


def _quantize(conv, op, builtin: str):
    model, sg = conv.model, conv.subgraph
    ins, outs = _io(op)
    pair = (_type(sg, ins[0]), _type(sg, outs[0]))
    if builtin == "QUANTIZE" and pair not in QUANTIZE_PAIRS:
        return None
    if builtin == "DEQUANTIZE" and pair != ("uint8", "float32"):
        return None
    x, out = _desc(model, sg, ins[0]), _desc(model, sg, outs[0])
    desc = OpDesc("quantize_ext", [x], out, {"builtin": builtin}, name=f"{builtin} '{out.name}'")
    return _direct(conv, desc, ins[:1])


def _select(conv, op):
    model, sg = conv.model, conv.subgraph
    ins, outs = _io(op)
    if len(ins) != 3 or _type(sg, ins[1]) not in ("int8", "int16"):
        return None
    descs = [_desc(model, sg, i) for i in ins]
    out = _desc(model, sg, outs[0])
    # TFLite's order (condition, x, y); reason/plan take the values' dtype from x
    desc = OpDesc("select", descs, out, {}, name=f"SELECT_V2 '{out.name}'")
    return _direct(conv, desc, ins)


def _cumsum(conv, op):
    model, sg = conv.model, conv.subgraph
    ins, outs = _io(op)
    if _type(sg, ins[0]) != "int8":
        return None
    x, axis_t, out = _desc(model, sg, ins[0]), _desc(model, sg, ins[1]), _desc(model, sg, outs[0])
    what = f"CUMSUM '{out.name}'"
    if axis_t.data is None:
        raise _refuse(what, "int8", "a run-time axis (lwai needs a constant axis tensor)")
    rank = len(x.shape)
    axis = int(np.asarray(axis_t.data).reshape(-1)[0])
    if not -rank <= axis < rank:
        raise LwaiError("model", f"{what}: axis {axis} out of range for rank {rank}")
    opts = _options(op, "CumsumOptions")
    attrs = {
        "axis": axis % rank,
        "exclusive": bool(opts.Exclusive()) if opts is not None else False,
        "reverse": bool(opts.Reverse()) if opts is not None else False,
    }
    desc = OpDesc("cumsum", [x], out, attrs, name=what)
    return _direct(conv, desc, ins[:1])


def _fill(conv, op):
    model, sg = conv.model, conv.subgraph
    ins, outs = _io(op)
    if _type(sg, ins[1]) != "int8":
        return None
    dims, out = _desc(model, sg, ins[0]), _desc(model, sg, outs[0])
    if dims.data is None:
        raise _refuse(f"FILL '{out.name}'", "int8", "run-time dims (lwai needs static shapes)")
    shape = [int(d) for d in np.asarray(dims.data).reshape(-1)]
    (value,) = conv.get_tensors([ins[1]])
    v = relax.op.reshape(conv.get_tensor_expr(value), [1] * len(shape))
    return relax.op.broadcast_to(v, shape)


def _zeros_like(conv, op):
    """Any dtype: lwai's ``zeros_like`` kernel sets the output to 0 at run time (a constant
    would leave a model whose output it is without a computed output; TVM's zeros_like is
    folded late, see lwai.frontend.shape_ops). A constant input: a constant result."""
    model, sg = conv.model, conv.subgraph
    ins, outs = _io(op)
    x, out = _desc(model, sg, ins[0]), _desc(model, sg, outs[0])
    if x.is_const:
        np_dt = "bool" if out.dtype == "bool" else out.dtype
        return relax.const(np.zeros(out.shape, np_dt), out.dtype)
    desc = OpDesc("zeros_like", [x], out, {}, name=f"ZEROS_LIKE '{out.name}'")
    return _direct(conv, desc, ins[:1])


def _embedding_lookup(conv, op):
    model, sg = conv.model, conv.subgraph
    ins, outs = _io(op)
    if _type(sg, ins[1]) != "int8" or _type(sg, outs[0]) != "float32":
        return None
    value = _desc(model, sg, ins[1])
    what = f"EMBEDDING_LOOKUP '{_desc(model, sg, outs[0]).name}'"
    if value.data is None:
        raise _refuse(what, "int8->float32", "a run-time value table (lwai needs a constant one)")
    if not _quantized(value):
        raise _refuse(what, "int8->float32", "a value table without per-tensor quantization")
    if value.zero_point[0] != 0:
        raise _refuse(what, "int8->float32", "value zero point != 0 (TFLM requires 0)")
    # TFLM's Dequantize: (v - 0) * scale, an int converted to float times a float scale
    table = np.asarray(value.data, np.int32).astype(_F) * _F(value.scale[0])
    (lookup,) = conv.get_tensors([ins[0]])
    idx = conv.get_tensor_expr(lookup)
    return relax.op.take(relax.const(table.astype(_F), "float32"), idx, axis=0, mode="clip")


def _div_int32(conv, op):
    """int32 DIV: C's truncating division as TFLM, defined where TFLM's is not (x / 0 and
    INT32_MIN / -1 are undefined behaviour in its C++; x86 traps): x / 0 = 0 and
    INT32_MIN / -1 = INT32_MIN (the wrapped quotient), what Cortex-M's SDIV gives, on every
    target. Then the fused activation, as TFLM."""
    sg = conv.subgraph
    ins, outs = _io(op)
    if any(_type(sg, i) != "int32" for i in (*ins[:2], outs[0])):
        return None
    a, b = (conv.get_tensor_expr(t) for t in conv.get_tensors(ins[:2]))
    i32 = "int32"
    zero, one = relax.const(0, i32), relax.const(1, i32)
    by_zero = relax.op.equal(b, zero)
    # x / -1 as 0 - x in uint32 (wraps: INT32_MIN stays INT32_MIN) and no division by -1
    # (TVM folds a comparison with INT32_MIN away, so that case cannot be picked out alone)
    by_minus_one = relax.op.equal(b, relax.const(-1, i32))
    divisor = relax.op.where(relax.op.logical_or(by_zero, by_minus_one), one, b)
    u32 = "uint32"
    negated = relax.op.astype(relax.op.subtract(relax.const(0, u32), relax.op.astype(a, u32)), i32)
    quotient = relax.op.where(by_minus_one, negated, relax.op.divide(a, divisor))
    out = relax.op.where(by_zero, zero, quotient)
    opts = _options(op, "DivOptions")
    act = int(opts.FusedActivationFunction()) if opts is not None else 0
    return conv.convert_fused_activation_function(out, act)


def _batch_matmul(conv, op):
    """float32 BATCH_MATMUL (TVM's converter fails on inputs computed by other ops: "'Type'
    object has no attribute 'shape'"): adj_x / adj_y as a swap of the last two axes, then
    Relax's matmul, which broadcasts the batch dims as TFLite does."""
    sg = conv.subgraph
    ins, _ = _io(op)
    if _type(sg, ins[0]) != "float32" or _type(sg, ins[1]) != "float32":
        return None
    opts = _options(op, "BatchMatMulOptions")
    adj = (bool(opts.AdjX()), bool(opts.AdjY())) if opts is not None else (False, False)
    exprs = []
    for i, swap in zip(ins[:2], adj):
        (t,) = conv.get_tensors([i])
        e = conv.get_tensor_expr(t)
        rank = int(sg.Tensors(i).ShapeLength())
        if rank < 2:
            raise LwaiError("model", f"BATCH_MATMUL input of rank {rank} (TFLite needs >= 2)")
        if swap:
            e = relax.op.permute_dims(e, [*range(rank - 2), rank - 1, rank - 2])
        exprs.append(e)
    return relax.op.matmul(exprs[0], exprs[1])


_CONVERTERS = {
    "CAST": _cast,
    "QUANTIZE": lambda conv, op: _quantize(conv, op, "QUANTIZE"),
    "DEQUANTIZE": lambda conv, op: _quantize(conv, op, "DEQUANTIZE"),
    "SELECT_V2": _select,
    "CUMSUM": _cumsum,
    "FILL": _fill,
    "ZEROS_LIKE": _zeros_like,
    "EMBEDDING_LOOKUP": _embedding_lookup,
    "BATCH_MATMUL": _batch_matmul,
    "DIV": _div_int32,
}
BUILTINS = tuple(_CONVERTERS)


def register(conv) -> None:
    """Puts this module's converter in front of the one registered before for each builtin
    (LwaiOperatorConverter.__init__); it returns None for the cases it leaves to that one."""
    for builtin, mine in _CONVERTERS.items():
        previous = conv.convert_map.get(builtin)
        conv.convert_map[builtin] = _first(conv, builtin, mine, previous)


def _first(conv, builtin: str, mine, previous):
    def run(op):
        out = mine(conv, op)
        if out is not None:
            return out
        if previous is None:
            raise LwaiError("model", f"{builtin}: no converter")
        return previous(op)

    return run


# ---- support check and kernel plan ---------------------------------------------------------


def _align4(shape) -> tuple[int, int, int, int] | None:
    from lwai.codegen.kernels import _align4 as align4

    return align4(shape)


def _requant_fields(x: TensorDesc, out: TensorDesc) -> dict[str, int]:
    m, s = quant.requantize_multiplier(x.scale[0], out.scale[0])
    return {
        "zero_point": int(out.zero_point[0]),
        "input_offset": -int(x.zero_point[0]),
        "multiplier": m,
        "shift": s,
    }


def cumsum_fields(op: OpDesc) -> dict[str, int]:
    """TFLM's CUMSUM CalculateOpData for int8 (ratios in double)."""
    x, out = op.inputs[0], op.output
    si, so = float(_F(x.scale[0])), float(_F(out.scale[0]))
    twice = 2.0 * si
    mi, shi = quant.quantize_multiplier(si / twice)
    mo, sho = quant.quantize_multiplier(twice / ((1 << 20) * so))
    return {
        "exclusive": int(bool(op.attrs.get("exclusive"))),
        "reverse": int(bool(op.attrs.get("reverse"))),
        "input_offset": -int(x.zero_point[0]),
        "output_offset": int(out.zero_point[0]),
        "left_shift": 20,
        "input_multiplier": mi,
        "input_shift": shi,
        "output_multiplier": mo,
        "output_shift": sho,
        "act_min": -128,
        "act_max": 127,
    }


def _same_size(op: OpDesc) -> bool:
    return int(np.prod(op.inputs[0].shape)) == int(np.prod(op.output.shape))


def reason(op: OpDesc) -> str | None:
    """None when lwai's kernel computes ``op`` as TFLM does, else why not."""
    ins, out, kind = op.inputs, op.output, op.kind
    if kind == "cast":
        pair = (ins[0].dtype, out.dtype)
        if len(ins) != 1 or pair not in CAST_PAIRS:
            return f"CAST {pair[0]} -> {pair[1]} (lwai's cast kernels: {CAST_PAIRS})"
        return None if _same_size(op) else "input and output sizes differ"
    if kind == "quantize_ext":
        x = ins[0]
        pair = (x.dtype, out.dtype)
        if op.attrs.get("builtin") == "DEQUANTIZE":
            if pair != ("uint8", "float32"):
                return f"DEQUANTIZE {pair[0]} -> {pair[1]}"
            if not _quantized(x):
                return "input without per-tensor quantization"
            if not 0 <= x.zero_point[0] <= 255:
                return f"uint8 zero point {x.zero_point[0]} outside [0, 255]"
            return None if _same_size(op) else "input and output sizes differ"
        if pair not in QUANTIZE_PAIRS:
            return f"QUANTIZE {pair[0]} -> {pair[1]}"
        if not (_quantized(x) and _quantized(out)):
            return "requantize without per-tensor input and output quantization"
        if not -32768 <= x.zero_point[0] <= 32767:
            return f"input zero point {x.zero_point[0]} beyond int16 (lwai_quantize_params)"
        lo, hi = _RANGE[out.dtype]
        if not lo <= out.zero_point[0] <= hi:
            return f"{out.dtype} output zero point {out.zero_point[0]} outside [{lo}, {hi}]"
        if not _F(x.scale[0]) > 0 or not _F(out.scale[0]) > 0:
            return "scales must be > 0"
        return None if _same_size(op) else "input and output sizes differ"
    if kind == "select":
        if len(ins) != 3:
            return f"{len(ins)} inputs"
        c, x, y = ins
        if c.dtype != "bool":
            return f"{c.dtype} condition"
        if x.dtype not in ("int8", "int16") or y.dtype != x.dtype or out.dtype != x.dtype:
            return f"values {x.dtype}/{y.dtype} -> {out.dtype}"
        from lwai.codegen.kernels import broadcast4_reason

        return broadcast4_reason(ins, out.shape)
    if kind == "cumsum":
        x = ins[0]
        if x.dtype != "int8" or out.dtype != "int8":
            return f"{x.dtype} -> {out.dtype} CUMSUM"
        if not (_quantized(x) and _quantized(out)):
            return "int8 CUMSUM without per-tensor quantization"
        if not _F(x.scale[0]) > 0 or not _F(out.scale[0]) > 0:
            return "scales must be > 0"
        if not x.shape or tuple(x.shape) != tuple(out.shape):
            return "input and output shapes differ (or rank 0)"
        f = cumsum_fields(op)
        if f["output_shift"] > 0 or 2.0 * float(_F(x.scale[0])) >= (1 << 20) * float(
            _F(out.scale[0])
        ):
            return "2 * input scale / (2^20 * output scale) >= 1 (TFLM requires < 1)"
        if not -128 <= x.zero_point[0] <= 127 or not -128 <= out.zero_point[0] <= 127:
            return "zero points outside int8"
        return None
    if kind == "zeros_like":
        x = ins[0]
        if out.dtype != x.dtype or tuple(out.shape) != tuple(x.shape):
            return f"{x.dtype}{list(x.shape)} -> {out.dtype}{list(out.shape)}"
        return None
    return f"no lwai kernel for {kind}"


def plan(op: OpDesc):
    from lwai.codegen.kernels import KernelPlan, Operand

    kind, x, out = op.kind, op.inputs[0], op.output
    n = int(np.prod(x.shape))
    flat = (1, 1, 1, n)
    unary = [Operand("in", 0, x.dtype, flat, "in0"), Operand("out", -1, out.dtype, flat)]
    if kind == "cast":
        name = f"cast_{SFX[x.dtype]}_{SFX[out.dtype]}"
        return KernelPlan(name, "lwai_elementwise_params", {}, unary)
    if kind == "quantize_ext":
        if op.attrs.get("builtin") == "DEQUANTIZE":
            fields = {"scale": float(_F(x.scale[0])), "zero_point": int(x.zero_point[0])}
            return KernelPlan("dequantize_u8_f32", "lwai_dequantize_params", fields, unary)
        name = f"quantize_{SFX[x.dtype]}_{SFX[out.dtype]}"
        return KernelPlan(name, "lwai_quantize_params", _requant_fields(x, out), unary)
    if kind == "select":
        c, xv, yv = op.inputs
        operands = [
            Operand("in", 0, "bool", _align4(c.shape), "cond"),
            Operand("in", 1, xv.dtype, _align4(xv.shape), "x"),
            Operand("in", 2, yv.dtype, _align4(yv.shape), "y"),
            Operand("out", -1, out.dtype, _align4(out.shape)),
        ]
        return KernelPlan(f"select_{SFX[xv.dtype]}", "lwai_elementwise_params", {}, operands)
    if kind == "cumsum":
        axis = int(op.attrs["axis"])
        shape = [int(d) for d in x.shape]
        inner = int(np.prod(shape[:axis], dtype=np.int64))
        outer = int(np.prod(shape[axis + 1 :], dtype=np.int64))
        d = (1, inner, shape[axis], outer)
        operands = [Operand("in", 0, "int8", d, "in0"), Operand("out", -1, "int8", d)]
        return KernelPlan("cumsum_s8", "lwai_cumsum_params", cumsum_fields(op), operands)
    if kind == "zeros_like":
        operands = [Operand("in", 0, x.dtype, None, "in0"), Operand("out", -1, out.dtype, None)]
        return KernelPlan("zeros_like", "lwai_reshape_params", {"bytes": out.nbytes}, operands)
    raise ValueError(f"no kernel plan for {kind}")
