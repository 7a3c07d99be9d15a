"""lwai's converters for TFLite math, reduction and activation builtins where TVM 0.27's
TFLite converter fails or differs from TFLite (Micro) on float32 / bool / int8-index data.

- MEAN, SUM, REDUCE_MAX, REDUCE_MIN, REDUCE_PROD, REDUCE_ALL, REDUCE_ANY: TFLite resolves
  repeated axes (``axis=[0, -2]`` on a rank-2 input names axis 0 twice); Relax refuses them
  ("the input axes is required to be non-repetitive"). lwai normalises and de-duplicates the
  constant axes; an axis computed at run time is refused (lwai needs static shapes).
- ARG_MAX, ARG_MIN: TVM's argmax/argmin give int64 whatever the model's ``output_type``
  says; lwai casts to the output tensor's dtype (int32 or int64). Quantized int8 inputs are
  compared as integers (the order of the reals, scale > 0): exact, no dequantize.
- L2_NORMALIZATION: TFLite divides by ``max(sqrt(sum x^2), 1e-6)``; TVM by
  ``sqrt(sum x^2 + 1e-12)``, more than 1e-5 apart for rows whose norm is below about 2e-4
  and up to 40% at a norm of 1e-6 (TFLite's divisor 1e-6, TVM's 1.41e-6).
- SQUARED_DIFFERENCE on int32: TVM computes ``power(x - y, 2)``, which Relax allows on
  floats only ("power only applies to float"); lwai multiplies the difference by itself.
- CUMSUM: TVM refuses ``reverse``, and Relax's cumsum has no legalization in TVM 0.27 (the
  compile stopped at "unsupported construct after lowering: relax.cumsum"). lwai emits TOPI's
  scan (a serial loop per line, TFLite's order of additions) and flips for ``reverse``.

Quantized (int8/int16 with scale and zero point) reductions and L2_NORMALIZATION are other
converters' work: for them each converter here hands the op to the one registered before it.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from tvm import relax, topi

from lwai.errors import LwaiError

REDUCERS = {
    "MEAN": relax.op.mean,
    "SUM": relax.op.sum,
    "REDUCE_MAX": relax.op.max,
    "REDUCE_MIN": relax.op.min,
    "REDUCE_PROD": relax.op.prod,
    "REDUCE_ALL": relax.op.min,  # on bool through int32 (Relax has no bool min/max; int8
    # would read as quantized data to lwai.passes.exactness)
    "REDUCE_ANY": relax.op.max,
}


def register(conv) -> None:
    """Installs lwai's converters in ``conv.convert_map`` (LwaiOperatorConverter.__init__);
    each wraps the converter present before it, which still gets the quantized cases."""
    cmap = conv.convert_map
    for name in REDUCERS:
        if name in cmap:
            cmap[name] = _wrap(conv, cmap[name], lambda op, n=name: _reduce(conv, op, n))
    for name in ("ARG_MAX", "ARG_MIN"):
        if name in cmap:  # any input dtype: the comparison is exact on integers too
            cmap[name] = lambda op, n=name: _arg_min_max(conv, op, n)
    if "L2_NORMALIZATION" in cmap:
        cmap["L2_NORMALIZATION"] = _wrap(conv, cmap["L2_NORMALIZATION"], lambda op: _l2(conv, op))
    if "SQUARED_DIFFERENCE" in cmap:
        previous = cmap["SQUARED_DIFFERENCE"]
        cmap["SQUARED_DIFFERENCE"] = lambda op: _squared_difference(conv, op, previous)
    if "CUMSUM" in cmap:
        cmap["CUMSUM"] = _wrap(conv, cmap["CUMSUM"], lambda op: _cumsum(conv, op))


def _wrap(conv, previous: Callable, mine: Callable) -> Callable:
    def convert(op):
        return previous(op) if _quantized(conv, op) else mine(op)

    return convert


def _quantized(conv, op) -> bool:
    ts = list(conv.get_input_tensors(op)) + list(conv.get_output_tensors(op))
    return any(t.qnn_params for t in ts)


def _name(conv, op) -> str:
    return conv.get_op_code_str(op)


def _options(op, module: str):
    import importlib

    raw = op.BuiltinOptions()
    if raw is None:
        return None
    cls = getattr(importlib.import_module(f"tflite.{module}"), module)
    opts = cls()
    opts.Init(raw.Bytes, raw.Pos)
    return opts


def _const_axes(conv, op, tensor, rank: int, what: str) -> list[int]:
    """The constant axis operand, normalised to [0, rank) and de-duplicated in order."""
    name = _name(conv, op)
    if conv.has_expr(tensor.tensor_idx):
        raise LwaiError(
            "model",
            f"{name} with a run-time {what} (tensor '{_tensor_name(conv, tensor)}')",
            f"lwai needs the {what} of {name} as a constant tensor",
        )
    values = np.asarray(conv.get_tensor_value(tensor)).reshape(-1).astype(np.int64)
    axes: list[int] = []
    for a in values:
        if not -rank <= a < rank:
            raise LwaiError("model", f"{name} {what} {int(a)} out of range for rank {rank}")
        a = int(a) % rank if rank else 0
        if a not in axes:
            axes.append(a)
    return axes


def _tensor_name(conv, t) -> str:
    from tvm.relax.frontend.tflite import tflite_frontend as tvm_tflite

    return tvm_tflite.get_tensor_name(conv.subgraph, t.tensor_idx)


def _reduce(conv, op, name: str):
    data, axis_t = conv.get_input_tensors(op)
    rank = int(data.tensor.ShapeLength())
    axes = _const_axes(conv, op, axis_t, rank, "axis")
    opts = _options(op, "ReducerOptions")
    keep = bool(opts.KeepDims()) if opts is not None else False
    x = conv.get_tensor_expr(data)
    if not axes or rank == 0:  # nothing reduced: TFLite copies the input
        return x
    if name in ("REDUCE_ALL", "REDUCE_ANY"):
        out = REDUCERS[name](relax.op.astype(x, "int32"), axes, keep)
        return relax.op.astype(out, "bool")
    return REDUCERS[name](x, axes, keep)


def _arg_min_max(conv, op, name: str):
    data, axis_t = conv.get_input_tensors(op)
    (out_t,) = conv.get_output_tensors(op)
    rank = int(data.tensor.ShapeLength())
    (axis,) = _const_axes(conv, op, axis_t, rank, "axis")[:1] or [0]
    out_dtype = conv.get_tensor_type_str(out_t.tensor.Type())
    if out_dtype not in ("int32", "int64"):
        raise LwaiError("model", f"{name} output type {out_dtype} (TFLite allows int32, int64)")
    fn = relax.op.argmax if name == "ARG_MAX" else relax.op.argmin
    # Relax's argmax/argmin keep the first index among equal values, as TFLite's kernels do.
    out = fn(conv.get_tensor_expr(data), axis=axis, keepdims=False)
    return relax.op.astype(out, out_dtype) if out_dtype != "int64" else out


def _l2(conv, op):
    (data,) = conv.get_input_tensors(op)
    rank = int(data.tensor.ShapeLength())
    x = conv.get_tensor_expr(data)
    norm = relax.op.sqrt(relax.op.sum(relax.op.multiply(x, x), axis=[rank - 1], keepdims=True))
    out = relax.op.divide(x, relax.op.maximum(norm, relax.const(1e-6, "float32")))
    opts = _options(op, "L2NormOptions")
    act = opts.FusedActivationFunction() if opts is not None else 0
    return conv.convert_fused_activation_function(out, act)


def _squared_difference(conv, op, previous: Callable):
    a, b = conv.get_input_tensors(op)
    dtype = conv.get_tensor_type_str(a.tensor.Type())
    if _quantized(conv, op) or dtype.startswith("float"):
        return previous(op)
    d = relax.op.subtract(conv.get_tensor_expr(a), conv.get_tensor_expr(b))
    return relax.op.multiply(d, d)


def _cumsum(conv, op):
    data, axis_t = conv.get_input_tensors(op)
    (out_t,) = conv.get_output_tensors(op)
    rank = int(data.tensor.ShapeLength())
    (axis,) = _const_axes(conv, op, axis_t, rank, "axis")[:1] or [0]
    opts = _options(op, "CumsumOptions")
    exclusive = bool(opts.Exclusive()) if opts is not None else False
    reverse = bool(opts.Reverse()) if opts is not None else False
    x = conv.get_tensor_expr(data)
    dtype = conv.get_tensor_type_str(out_t.tensor.Type())
    if reverse:
        x = conv.bb.normalize(relax.op.flip(x, axis))
    out = conv.bb.emit_te(topi.cumsum, x, axis, dtype, exclusive)
    return relax.op.flip(out, axis) if reverse else out
