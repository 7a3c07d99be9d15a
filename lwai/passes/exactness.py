"""No quantized op reaches TVM's float legalization (issue 12, acceptance 3).

After partitioning and offloading, what is left in ``main`` runs on TVM's C. TVM computes a
quantized TFLite op as dequantize -> float op -> quantize (or integer arithmetic it
legalizes through float), which is off by an LSB from TFLite's integer kernels now and
then: a silently approximate result. :func:`check_exact` stops the compile instead,
naming the TFLite op, its tensor and dtype, unless what TVM computes is exact.

The rule, on the Relax ops left for TVM:
- A value is *quantized* when its dtype is int8, uint8 or int16, or when an exact op
  computed it from a quantized value (e.g. int8 widened to int32).
- Exact on integers (``EXACT_INT_OPS``): ops that only move, copy or select elements
  (reshape, permute_dims, strided_slice, concat, split, take, pad, ...) plus clip,
  whose bounds TFLite gives in the integer domain. They may take quantized values.
- ``relax.dequantize`` is exact only when every path from it goes through exact ops to
  a ``relax.quantize`` with the same dtype, scale and zero point (the float values are
  integers times one scale, and rounding them back gives the same integers); that is how
  TVM imports e.g. a CONCATENATION of int8 tensors that share their quantization.
- Any other op with a quantized input, any other ``relax.quantize``/``dequantize``, and
  any op producing a quantized value from float is inexact: the compile stops.
- Float ops (no quantized value in or out) stay with TVM's C.

Only TFLite models are checked; ONNX QDQ models keep TVM's float semantics (their
reference is ONNX Runtime's float arithmetic, not TFLite's).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import tvm
from tvm import relax
from tvm.ir.expr import Call, Constant

from lwai.errors import LwaiError

QUANTIZED_DTYPES = ("int8", "uint8", "int16")

# Ops that only move, copy or select elements.
MOVE_OPS = frozenset(
    "relax." + n
    for n in (
        "reshape",
        "permute_dims",
        "expand_dims",
        "squeeze",
        "flatten",
        "strided_slice",
        "dynamic_strided_slice",
        "split",
        "concat",
        "take",
        "gather_elements",
        "gather_nd",
        "flip",
        "tile",
        "repeat",
        "broadcast_to",
        "nn.pad",
        "where",  # IF's select between branch results (lwai/frontend/control_flow.py)
    )
)
# Monotone clamps and selections: each result is one of the inputs or a bound, so between a
# dequantize and a quantize of the same scale and zero point they give TFLite's integers
# (whose quantized bounds are computed the same way: zero point + round(bound / scale)).
CLAMP_OPS = frozenset(("relax.clip", "relax.nn.relu", "relax.maximum", "relax.minimum"))
EXACT_INT_OPS = MOVE_OPS | {"relax.clip", "relax.maximum", "relax.minimum", "relax.astype"}
CHAIN_OPS = MOVE_OPS | CLAMP_OPS
# Index of the largest/smallest element (ARG_MAX/ARG_MIN): the order of quantized values is
# the order of the reals they stand for (scale > 0), ties go to the first index in both, so
# TVM's integer result is TFLite's; the result is an index, not a quantized value.
INDEX_OPS = frozenset(("relax.argmax", "relax.argmin"))
# Comparisons of two values dequantized with one dtype, scale and zero point: (q - zp) * s in
# float32 keeps the order and the equalities of the integers (|q - zp| < 2^17, so distinct
# integers stay distinct floats), so TVM compares the integers -- what TFLite's reference
# kernels do for int16 (LiteRT compares the raw integers; TFLM's int16 GREATER reads
# parameters its Prepare never sets).
COMPARE_OPS = frozenset(
    "relax." + n for n in ("greater", "greater_equal", "less", "less_equal", "equal", "not_equal")
)
# Integer position arithmetic a quantized op's Relax may compute beside its data (e.g.
# DYNAMIC_UPDATE_SLICE's clamped run-time start indices and its update mask): with no
# quantized operand and only int32/int64/bool operands and result it never touches the
# quantized values or float, and TVM's C computes it exactly (min/max/compare/subtract).
POSITION_OPS = MOVE_OPS | frozenset(
    "relax." + n
    for n in (
        "maximum",
        "minimum",
        "subtract",
        "less",
        "greater_equal",
        "logical_and",
        "astype",
    )
)
_POSITION_DTYPES = ("int32", "int64", "bool")

_DEQ = "relax.dequantize"
_QUANT = "relax.quantize"

# What a binding is to this pass: ("deq", q), ("quant", q) or None; q = (dtype, scale, zp).
Classify = Callable[[relax.Var, relax.Expr], "tuple[str, tuple | None] | None"]


def _op_name(call: Call) -> str:
    return str(getattr(call.op, "name", ""))


def _dtypes(ty) -> list[str]:
    if isinstance(ty, relax.TupleType):
        return [d for f in ty.fields for d in _dtypes(f)]
    dt = getattr(ty, "dtype", None)
    return [str(dt)] if dt is not None else []


def _qparams(call: Call) -> tuple | None:
    """(dtype, scale, zero point) of a per-tensor quantize/dequantize, else None."""
    scale, zp = call.args[1], call.args[2]
    if not isinstance(scale, Constant) or not isinstance(zp, Constant):
        return None
    s, z = np.atleast_1d(scale.value.numpy()), np.atleast_1d(zp.value.numpy())
    if s.size != 1 or z.size != 1:
        return None
    dt = str(call.args[0].ty.dtype) if _op_name(call) == _DEQ else str(call.attrs.out_dtype)
    return dt, float(np.float32(s[0])), int(z[0])


def _tensor_const(e) -> bool:
    """A constant tensor (TVM's scalar immediates, e.g. clip bounds, are Constants too)."""
    return isinstance(e, Constant) and hasattr(getattr(e, "value", None), "numpy")


def _relax_qdq(var: relax.Var, value: relax.Expr):
    if isinstance(value, Call) and _op_name(value) in (_DEQ, _QUANT):
        return ("deq" if _op_name(value) == _DEQ else "quant"), _qparams(value)
    return None


def _widening(src: str, dst: str) -> bool:
    if not (src.startswith(("int", "uint")) and dst.startswith("int")):
        return False
    return np.iinfo(dst).min <= np.iinfo(src).min and np.iinfo(dst).max >= np.iinfo(src).max


def inexact_bindings(
    main: relax.Function, origins: dict | None = None, classify: Classify | None = None
) -> list[tuple[relax.Var, str]]:
    """Bindings of ``main`` TVM would compute inexactly, with why, in program order.

    ``origins`` (variable name -> frontend.tflite.OpOrigin) names each binding's TFLite op;
    a float op of a quantized TFLite op is inexact unless it sits in an exact
    dequantize -> chain ops -> quantize chain. ``classify`` says which bindings are such
    ends (default: Relax's dequantize/quantize; the compiler adds lwai's dequantize and
    quantize kernels standing for parts of another TFLite op)."""
    origins = origins or {}
    classify = classify or _relax_qdq
    bindings: list[tuple[relax.Var, relax.Expr]] = []
    for block in main.body.blocks:
        for b in block.bindings:
            bindings.append((b.var, b.value))
    value_of = {var: value for var, value in bindings}
    kind_of = {var: classify(var, value) for var, value in bindings}
    users: dict = {}
    for var, value in bindings:
        for arg in _args(value):
            if isinstance(arg, relax.Var):
                users.setdefault(arg, []).append(var)

    def is_chain(val) -> bool:
        if isinstance(val, (relax.Tuple, relax.TupleGetItem, relax.Var)):
            return True
        if not isinstance(val, Call) or _op_name(val) not in CHAIN_OPS:
            return False
        # Constants in a chain (other than attributes) could put off-grid values in.
        return not any(_tensor_const(a) for a in _args(val))

    def exact_quant(var: relax.Var, q) -> bool:
        """Every value reaching this quantize comes through chain ops from dequantizes with
        the same dtype, scale and zero point."""
        stack, seen = [a for a in _args(value_of[var]) if isinstance(a, relax.Var)][:1], set()
        while stack:
            v = stack.pop()
            if not isinstance(v, relax.Var) or v not in value_of:
                return False  # a constant or a graph input in float
            if v in seen:
                continue
            seen.add(v)
            k = kind_of[v]
            if k is not None and k[0] == "deq":
                if k[1] is None or k[1] != q:
                    return False
            elif k is None and is_chain(value_of[v]):
                stack.extend(a for a in _args(value_of[v]) if isinstance(a, relax.Var))
            else:
                return False
        return True

    chain_ok: set = set()  # chain ops inside exact dequantize -> quantize chains

    def same_q_compare(val, q) -> bool:
        if not isinstance(val, Call) or _op_name(val) not in COMPARE_OPS:
            return False
        ins = _args(val)
        return len(ins) == 2 and all(
            isinstance(a, relax.Var) and a in kind_of and kind_of[a] == ("deq", q) for a in ins
        )

    def exact_deq(var: relax.Var, q) -> bool:
        """Every path from ``var`` goes through chain ops to an exact quantize with q."""
        stack, seen, reached = [var], set(), False
        while stack:
            v = stack.pop()
            for u in users.get(v, []):
                if u in seen:
                    continue
                seen.add(u)
                k = kind_of[u]
                if k is not None and k[0] == "quant":
                    if k[1] is None or k[1] != q or not exact_quant(u, q):
                        return False
                    reached = True
                elif k is None and is_chain(value_of[u]):
                    stack.append(u)
                elif k is None and same_q_compare(value_of[u], q):
                    reached = True  # a bool result: nothing quantized flows on
                else:
                    return False
        if reached:
            chain_ok.update(seen)
        return reached

    quantized: set = set()
    indices: set = set()  # results of INDEX_OPS
    for p in main.params:
        if any(d in QUANTIZED_DTYPES for d in _dtypes(p.ty)):
            quantized.add(p)
    bad: list[tuple[relax.Var, str]] = []
    for var, value in bindings:
        args = [a for a in _args(value) if isinstance(a, relax.Var)]
        q_in = any(a in quantized for a in args)
        q_out = any(d in QUANTIZED_DTYPES for d in _dtypes(var.ty))
        k = kind_of[var]
        if k is not None:
            if k[0] == "quant":
                quantized.add(var)
            every = _args(value)
            if every and all(_constant_only(a, value_of) for a in every):
                continue  # folded by TVM at compile time
            if k[0] == "deq" and not (k[1] is not None and exact_deq(var, k[1])):
                src = k[1][0] if k[1] else "integer"
                bad.append((var, f"{src} dequantized to float for TVM"))
            elif k[0] == "quant" and var not in chain_ok:
                bad.append((var, "float result quantized by TVM"))
            continue
        if isinstance(value, (relax.Tuple, relax.TupleGetItem, relax.Var)):
            if q_in:
                quantized.add(var)
            continue
        if not isinstance(value, Call):
            continue
        name = _op_name(value)
        if not name or name in ("relax.call_dps_packed", "relax.call_tir"):
            if q_out:  # lwai's kernels (extern calls) or functions already lowered
                quantized.add(var)
            continue
        every = _args(value)
        if every and all(_constant_only(a, value_of) for a in every):
            continue  # folded by TVM at compile time
        if name in INDEX_OPS or (name == "relax.astype" and args and args[0] in indices):
            indices.add(var)  # an index (or its cast to the output type), exact
            continue
        if (
            name in POSITION_OPS
            and not q_in
            and all(d in _POSITION_DTYPES for a in every for d in _dtypes(a.ty))
            and all(d in _POSITION_DTYPES for d in _dtypes(var.ty))
        ):
            continue  # integer positions, exact (POSITION_OPS)
        o = origins.get(str(var.name))  # (not an lwai call: its name is the imported one)
        if o is not None and o.quantized and not (q_in or q_out) and var not in chain_ok:
            bad.append((var, f"{name} in float by TVM"))
            continue
        if name in EXACT_INT_OPS:
            if name == "relax.astype" and q_in:
                src = str(args[0].ty.dtype)
                if not _widening(src, str(value.attrs.dtype)):
                    bad.append((var, f"{src} cast to {value.attrs.dtype} by TVM"))
                    continue
            if q_in or q_out:
                quantized.add(var)
            continue
        if q_in or q_out:
            dts = sorted({str(a.ty.dtype) for a in args if a in quantized} or _dtypes(var.ty))
            bad.append((var, f"{name} on {'/'.join(dts)} data by TVM"))
            quantized.add(var)
    return bad


def _constant_only(e, value_of: dict, depth: int = 0) -> bool:
    if isinstance(e, Constant):
        return True
    if not isinstance(e, relax.Var) or e not in value_of or depth > 32:
        return False
    args = _args(value_of[e])
    return bool(args) and all(_constant_only(a, value_of, depth + 1) for a in args)


def _args(value) -> list:
    if isinstance(value, Call):
        out = []
        for a in value.args:
            out.extend(a.fields if isinstance(a, relax.Tuple) else [a])
        return out
    if isinstance(value, relax.Tuple):
        return list(value.fields)
    if isinstance(value, relax.TupleGetItem):
        return [value.tuple_value]
    if isinstance(value, relax.Var):
        return [value]
    return []


def check_exact(
    mod: tvm.IRModule,
    path: Path | str,
    origins: dict,
    rejected: list[tuple[str, str]] | None = None,
    offloaded: list | None = None,
) -> None:
    """Raises one :class:`LwaiError` naming every TFLite op TVM would compute inexactly.
    ``offloaded`` (lwai.passes.offload.OffloadedOp per ``lwai_op_<i>`` call) lets lwai's
    dequantize/quantize kernels that stand for the ends of another TFLite op's float
    computation count as such ends."""
    main = mod["main"]
    bad = inexact_bindings(main, origins, _lwai_classifier(main, origins, offloaded or []))
    if not bad:
        return
    value_of, users = _neighbours(main)
    ops: dict = {}
    for var, why in bad:
        o = _origin_of(var, origins, value_of, users)
        key = (o.index, o.name, o.tensor, o.dtype) if o else (-1, str(var.name), "", "")
        ops.setdefault(key, why)
    parts = []
    for (index, name, tensor, dtype), why in sorted(ops.items()):
        if index >= 0:
            parts.append(f"{name} ({dtype}, operator {index}, output tensor '{tensor}')")
        else:
            parts.append(f"'{name}' ({why})")
    reasons = _rejections(rejected or [], {k[1] for k in ops})
    what = (
        f"op {parts[0]} has no lwai kernel"
        if len(parts) == 1
        else f"ops {', '.join(parts)} have no lwai kernel"
    )
    hint = (
        "TVM would compute it through float, which is not bit-exact with TFLite"
        + (f" ({reasons})" if reasons else "")
        + "; add the kernel (docs/operators.md) or keep the op in float"
    )
    raise LwaiError(path, what, hint)


def _neighbours(main: relax.Function) -> tuple[dict, dict]:
    """(value of each bound var, the vars using each var) in ``main``."""
    value_of, users = {}, {}
    for block in main.body.blocks:
        for b in block.bindings:
            value_of[b.var] = b.value
            for arg in _args(b.value):
                if isinstance(arg, relax.Var):
                    users.setdefault(arg, []).append(b.var)
    return value_of, users


def _is_lwai_call(value) -> bool:
    return isinstance(value, Call) and _op_name(value) == "relax.call_dps_packed"


def _origin_of(var, origins: dict, value_of: dict, users: dict):
    """A binding's TFLite op. lwai's calls were renamed by the partitioner, so theirs is
    read from their neighbours: a quantize's producer, a dequantize's first consumer."""
    if not _is_lwai_call(value_of.get(var)):
        return origins.get(str(var.name))
    for v in [*_args(value_of[var]), *users.get(var, [])]:
        if isinstance(v, relax.Var) and v in value_of and not _is_lwai_call(value_of[v]):
            o = origins.get(str(v.name))
            if o is not None:
                return o
    return None


def _lwai_classifier(main: relax.Function, origins: dict, offloaded: list) -> Classify:
    """lwai's dequantize kernel feeding (quantize kernel fed by) a float op of a quantized
    TFLite op is that op's dequantize (quantize) end, not a TFLite DEQUANTIZE/QUANTIZE."""
    from lwai.passes.offload import EXTERN_PREFIX

    value_of, users = _neighbours(main)

    def q_of(t) -> tuple | None:
        if not t.scale or len(t.scale) != 1 or not t.zero_point:
            return None
        return t.dtype, float(np.float32(t.scale[0])), int(t.zero_point[0])

    def part_of_quantized_op(vs) -> bool:
        for v in vs:
            if isinstance(v, relax.Var) and v in value_of and not _is_lwai_call(value_of[v]):
                o = origins.get(str(v.name))
                if o is not None and o.quantized:
                    return True
        return False

    def classify(var: relax.Var, value: relax.Expr):
        k = _relax_qdq(var, value)
        if k is not None or not _is_lwai_call(value):
            return k
        symbol = str(getattr(value.args[0], "global_symbol", ""))
        if not symbol.startswith(EXTERN_PREFIX):
            return None
        op = offloaded[int(symbol[len(EXTERN_PREFIX) :])].op
        if op.kind == "dequantize" and part_of_quantized_op(users.get(var, [])):
            return "deq", q_of(op.inputs[0])
        if (
            op.kind == "quantize"
            and op.inputs[0].dtype == "float32"
            and part_of_quantized_op(_args(value))
        ):
            return "quant", q_of(op.output)
        return None

    return classify


def _rejections(rejected: list[tuple[str, str]], names: set[str]) -> str:
    """The partitioner's reasons for refusing the same kinds of op, if any."""
    from lwai import opspec

    kinds = {kind for kind, op in opspec.load().ops.items() if any(t in names for t in op.tflite)}
    seen = []
    for pattern, reason in rejected:
        if pattern.split(".", 1)[-1] in kinds and reason not in seen:
            seen.append(reason)
    return "; ".join(f"lwai refused it: {r}" for r in seen[:3])
