"""PartitionForLwai: group matched patterns into ``lwai.*`` composite functions."""

from __future__ import annotations

from collections.abc import Callable

import tvm
from tvm import relax
from tvm.ir.expr import Call, Constant
from tvm.relax.transform import FuseOpsByPattern, PatternCheckContext

from lwai.ops import OpDesc
from lwai.passes.extract import Unsupported, extract, make_resolver
from lwai.passes.patterns import pattern_table

# Decides whether a kernel takes an op: None to accept, else the reason it falls to TVM.
Acceptor = Callable[[OpDesc], "str | None"]


def _escapes(ctx: PatternCheckContext) -> bool:
    """True when a value computed inside the match is also used outside it."""
    inside = set(ctx.matched_bindings.keys())
    root_var = ctx.value_to_bound_var.get(ctx.matched_expr)
    for var in inside:
        if var.same_as(root_var):
            continue
        for user in ctx.var_usages.get(var, []):
            if user not in inside:
                return True
    return False


def _constant_only(e, bindings, depth: int = 0) -> bool:
    """True when e is computed from constants alone (TVM folds such subgraphs)."""
    if isinstance(e, Constant) or depth > 32:
        return isinstance(e, Constant)
    if isinstance(e, relax.Var):
        return e in bindings and _constant_only(bindings[e], bindings, depth + 1)
    if isinstance(e, Call):
        tensors = [a for a in e.args if isinstance(a, (relax.Var, Call, Constant))]
        return bool(tensors) and all(_constant_only(a, bindings, depth + 1) for a in tensors)
    return False


def make_check(
    name: str, accept: Acceptor, rejected: list[tuple[str, str]], bound: dict | None = None
):
    """``bound``: every binding of the module (var -> value), built once per partition;
    without it each check rebuilds the map from its context (quadratic in the model size)."""

    def check(ctx: PatternCheckContext) -> bool:
        if _escapes(ctx):
            return False
        r = make_resolver(ctx.matched_bindings)
        try:
            op = extract(name, ctx.annotated_expr, r)
        except Unsupported as why:
            rejected.append((name, str(why)))
            return False
        first = ctx.annotated_expr.get("input", ctx.annotated_expr.get("lhs"))
        earlier = bound
        if earlier is None:
            earlier = {var: value for value, var in ctx.value_to_bound_var.items()}
        if first is not None and _constant_only(first, earlier):
            return False  # constant subgraphs are TVM's to fold
        reason = accept(op)
        if reason is not None:
            rejected.append((name, reason))
        return reason is None

    return check


def partition_for_lwai(
    mod: tvm.IRModule, accept: Acceptor
) -> tuple[tvm.IRModule, list[tuple[str, str]]]:
    """Returns the module with lwai composites and the (pattern, reason) pairs refused."""
    rejected: list[tuple[str, str]] = []
    bound = {  # a var's value: dataflow only reaches back to earlier bindings
        b.var: b.value
        for f in mod.functions.values()
        if isinstance(f, relax.Function)
        for block in f.body.blocks
        for b in block.bindings
    }
    patterns = pattern_table(lambda name: make_check(name, accept, rejected, bound))
    mod = FuseOpsByPattern(patterns, bind_constants=True, annotate_codegen=True)(mod)
    return mod, rejected
