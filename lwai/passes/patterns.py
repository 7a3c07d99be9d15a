"""BYOC patterns for lwai's kernels, TVM style: ``"lwai.<op>"`` with a check function.

The patterns match the QDQ form TVM's frontends produce (dequantize -> float op ->
quantize -> clip), so a matched composite carries every scale and zero point needed to
recompute TFLite's integer arithmetic exactly. A check returns False (the op then falls
to TVM's C codegen) when the kernel library or the config cannot take the op.
"""

from __future__ import annotations

from collections.abc import Callable

from tvm.relax.dpl import DFPattern, is_const, is_op, wildcard
from tvm.relax.transform import FusionPattern

ANY = wildcard


def _deq(x: DFPattern) -> DFPattern:
    return is_op("relax.dequantize")(x, is_const(), is_const())


def _quant(x: DFPattern) -> DFPattern:
    return is_op("relax.quantize")(x, is_const(), is_const())


def _clip(x: DFPattern) -> DFPattern:
    return is_op("relax.clip")(x, ANY(), ANY())


def _const_weight() -> DFPattern:
    """dequantize of a constant, with the layout ops TVM's frontends put around it."""
    raw = is_const()
    raw = raw | is_op("relax.permute_dims")(raw) | is_op("relax.reshape")(raw, ANY())
    w = _deq(raw)
    return w | is_op("relax.reshape")(w, ANY()) | is_op("relax.permute_dims")(w)


def _maybe_clip(p: DFPattern) -> DFPattern:
    return p | _clip(p)


def _conv_like(op_name: str) -> tuple[DFPattern, dict]:
    x = ANY()
    w = _const_weight()
    core = is_op(op_name)(_deq(x), w)
    bias = _deq(is_const())
    with_bias = is_op("relax.add")(core, bias)
    q = _quant(with_bias | core)
    return q, {"input": x, "weight": w, "core": core, "quant": q}


def _binary(op_name: str) -> tuple[DFPattern, dict]:
    a, b = ANY(), ANY()
    core = is_op(op_name)(_deq(a), _deq(b))
    # TVM applies a fused activation in float, between the op and the quantize.
    act = is_op("relax.nn.relu")(core) | _clip(core)
    q = _quant(core | act)
    return q, {"lhs": a, "rhs": b, "core": core, "quant": q}


def _softmax() -> tuple[DFPattern, dict]:
    x = ANY()
    deq = _deq(x)
    scaled = deq | is_op("relax.multiply")(deq, is_const())
    core = is_op("relax.nn.softmax")(scaled)
    q = _quant(core)
    return q, {"input": x, "core": core, "quant": q}


def _rectifier() -> tuple[DFPattern, dict]:
    """TFLite RELU, RELU6, LEAKY_RELU on quantized data: one float op between QDQ."""
    x = ANY()
    deq = _deq(x)
    core = is_op("relax.nn.relu")(deq) | is_op("relax.nn.leakyrelu")(deq) | _clip(deq)
    q = _quant(core)
    return q, {"input": x, "core": core, "quant": q}


def _hard_swish() -> tuple[DFPattern, dict]:
    """TVM's import of quantized HARD_SWISH: dq * clip(dq + 3, 0, 6) / 6 between QDQ."""
    x = ANY()
    deq = _deq(x)
    relu6 = _clip(is_op("relax.add")(deq, is_const()))
    core = is_op("relax.divide")(is_op("relax.multiply")(deq, relu6), is_const())
    q = _quant(core)
    return q, {"input": x, "core": core, "quant": q, "relu6": relu6}


def _avg_pool_int() -> tuple[DFPattern, dict]:
    x = ANY()
    core = is_op("relax.nn.avg_pool2d")(is_op("relax.astype")(x))
    out = is_op("relax.astype")(core)
    return out, {"input": x, "core": core}


def pattern_table(make_check: Callable[[str], Callable]) -> list[FusionPattern]:
    """Patterns in priority order: bigger composites first so they win over their parts."""
    table = []

    def add(name: str, pat: DFPattern, ann: dict, clip: bool = True):
        if clip:
            root = _maybe_clip(pat)
            ann = dict(ann, root=root)
        else:
            root, ann = pat, dict(ann, root=pat)
        table.append(FusionPattern(name, root, ann, make_check(name)))

    for name, op in (("conv2d", "relax.nn.conv2d"), ("fully_connected", "relax.matmul")):
        pat, ann = _conv_like(op)
        add(f"lwai.{name}", pat, ann)
    pat, ann = _avg_pool_int()
    add("lwai.avg_pool2d", pat, ann)
    x = ANY()
    mp = is_op("relax.nn.max_pool2d")(x)
    add("lwai.max_pool2d", mp, {"input": x, "core": mp})
    binary_ops = {"add": "relax.add", "mul": "relax.multiply", "sub": "relax.subtract"}
    for name, relax_op in binary_ops.items():
        pat, ann = _binary(relax_op)
        add(f"lwai.{name}", pat, ann)
    pat, ann = _rectifier()
    add("lwai.relu", pat, ann, clip=False)
    pat, ann = _hard_swish()
    add("lwai.hard_swish", pat, ann, clip=False)
    for name, relax_op in (("logistic", "relax.sigmoid"), ("tanh", "relax.tanh")):
        x = ANY()
        core = is_op(relax_op)(_deq(x))
        q = _quant(core)
        add(f"lwai.{name}", q, {"input": x, "core": core, "quant": q}, clip=False)
    pat, ann = _softmax()
    add("lwai.softmax", pat, ann, clip=False)
    x = ANY()
    rs = is_op("relax.reshape")(x, ANY())
    add("lwai.reshape", rs, {"input": x, "core": rs}, clip=False)
    x = ANY()
    q = _quant(_deq(x) | x)  # int8 -> int8 requantize, or float -> int8
    add("lwai.quantize", q, {"input": x, "core": q, "quant": q})
    x = ANY()
    dq = _deq(x)
    add("lwai.dequantize", dq, {"input": x, "core": dq}, clip=False)
    return table
