"""LowerForTvm: legalize, fold and fuse what lwai's kernels did not take into PrimFuncs."""

from __future__ import annotations

import tvm
from tvm import relax

# Pipelines are data: the passes that turn the non-lwai remainder into call_tir groups.
LOWER_PASSES = (
    relax.transform.LegalizeOps,
    relax.transform.FoldConstant,
    relax.transform.AnnotateTIROpPattern,
    relax.transform.FuseOps,
    relax.transform.FuseTIR,
    relax.transform.DeadCodeElimination,
)


def lower_for_tvm(mod: tvm.IRModule) -> tvm.IRModule:
    return tvm.transform.Sequential([p() for p in LOWER_PASSES])(mod)


def tir_functions(mod: tvm.IRModule) -> dict[str, tvm.tirx.PrimFunc]:
    return {gv.name_hint: f for gv, f in mod.functions.items() if isinstance(f, tvm.tirx.PrimFunc)}
