"""OffloadToLwai: turn each ``Codegen: lwai`` function into an opaque extern call.

After partitioning, every lwai composite is read into an ``OpDesc`` and its call in
``main`` becomes ``R.call_dps_packed("lwai_op_<i>", args)``. TVM's lowering treats that as
a fusion barrier and leaves it alone (LegalizeOps would otherwise legalize the composite
bodies too), and the C emitter swaps it for the kernel call.
"""

from __future__ import annotations

from dataclasses import dataclass

import tvm
from tvm import relax
from tvm.ir.expr import Call

from lwai.ops import OpDesc
from lwai.passes.extract import extract
from lwai.passes.patterns import pattern_table

EXTERN_PREFIX = "lwai_op_"


@dataclass
class OffloadedOp:
    op: OpDesc
    composite: str  # pattern name, e.g. "lwai.conv2d"
    # For each op input, the index of the extern call's argument carrying it, or None
    # for constants (held in TensorDesc.data).
    arg_index: list[int | None]


def _composite(func: relax.Function) -> tuple[relax.Function, list[int]]:
    """The inner composite function, and for each of its params the outer param index."""
    outer_params = list(func.params)
    var2val = relax.analysis.get_var2val(func)
    for value in var2val.values():
        if isinstance(value, relax.Function) and value.attrs and "Composite" in value.attrs:
            inner = value
            break
    else:
        raise RuntimeError("lwai function without a composite")
    # The outer body ends in `output = local_func(p0, p1, ...)`.
    call = var2val.get(func.body.body, func.body.body)
    mapping = []
    for arg in call.args:
        mapping.append(next(i for i, p in enumerate(outer_params) if p.same_as(arg)))
    return inner, mapping


def _extract_from_function(inner: relax.Function, patterns: dict) -> OpDesc:
    name = str(inner.attrs["Composite"])
    fp = patterns[name]
    var2val = relax.analysis.get_var2val(inner)
    root = inner.body.body
    while isinstance(root, relax.Var) and root in var2val:
        root = var2val[root]
    matched = fp.pattern.extract_matched_expr(root, var2val)
    if matched is None:
        raise RuntimeError(f"composite {name} no longer matches its pattern")
    ann = {k: matched[p] for k, p in fp.annotation_patterns.items() if p in matched}

    def resolve(e):
        while isinstance(e, relax.Var) and e in var2val:
            e = var2val[e]
        return e

    op = extract(name, ann, resolve)
    op.name = name
    return op


def _direct(call: Call) -> OffloadedOp | None:
    """The OffloadedOp of an ``lwai_direct_<n>`` extern call (lwai.frontend.stateful): its
    non-constant, non-state inputs are the call's arguments in order; state inputs get their
    argument in the schedule (compiler._schedule), constants none."""
    from lwai.codegen.kernels import unsupported_reason
    from lwai.errors import LwaiError
    from lwai.frontend.stateful import DIRECT_PREFIX, direct_op

    if not isinstance(call.op, tvm.ir.Op) or call.op.name != "relax.call_dps_packed":
        return None
    callee = call.args[0]
    name = str(getattr(callee, "global_symbol", ""))
    if not name.startswith(DIRECT_PREFIX):
        return None
    op = direct_op(name)
    if op is None:
        raise RuntimeError(f"{name}: no operator recorded by the frontend")
    reason = unsupported_reason(op)
    if reason is not None:
        raise LwaiError(
            "model",
            f"{op.name or op.kind} ({op.dtype}) has no lwai kernel: {reason}",
            "TVM cannot compute this operator either; change the model or add the kernel",
        )
    arg_index: list[int | None] = []
    n = 0
    for t in op.inputs:
        if t.is_const or t.state:
            arg_index.append(None)
        else:
            arg_index.append(n)
            n += 1
    return OffloadedOp(op, f"lwai.{op.kind}", arg_index)


def offload_to_lwai(mod: tvm.IRModule) -> tuple[tvm.IRModule, list[OffloadedOp]]:
    patterns = {p.name: p for p in pattern_table(lambda name: None)}
    offloaded: list[OffloadedOp] = []
    lwai_funcs = {
        gv
        for gv, f in mod.functions.items()
        if isinstance(f, relax.Function) and f.attrs and f.attrs.get("Codegen") == "lwai"
    }

    @relax.expr_functor.mutator
    class Rewriter(relax.PyExprMutator):
        def visit_call_(self, call: Call):
            call = super().visit_call_(call)
            direct = _direct(call)
            if direct is not None:  # an op the frontend converted itself (stateful.py)
                index = len(offloaded)
                offloaded.append(direct)
                ty = call.ty  # several outputs (SPLIT, UNPACK): the tuple's field types
                ty = list(ty.fields) if isinstance(ty, relax.TupleType) else ty
                return relax.call_dps_packed(f"{EXTERN_PREFIX}{index}", call.args[1], out_ty=ty)
            if not isinstance(call.op, tvm.ir.GlobalVar) or call.op not in lwai_funcs:
                return call
            func = mod[call.op]
            inner, mapping = _composite(func)
            op = _extract_from_function(inner, patterns)
            inner_names = [p.name for p in inner.params]
            arg_index = []
            for t in op.inputs:
                if t.is_const:
                    arg_index.append(None)
                else:
                    arg_index.append(mapping[inner_names.index(t.name)])
            index = len(offloaded)
            offloaded.append(OffloadedOp(op, op.name, arg_index))
            return relax.call_dps_packed(
                f"{EXTERN_PREFIX}{index}", relax.Tuple(list(call.args)), out_ty=call.ty
            )

    mod["main"] = Rewriter(mod).visit_expr(mod["main"])
    for gv in lwai_funcs:
        del mod[gv]
    return mod, offloaded
