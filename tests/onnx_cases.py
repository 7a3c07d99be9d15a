"""ONNX's own backend node test cases for the ops lwai claims, and how we run them.

The ``onnx`` wheel ships the generators of its backend node tests
(``onnx.backend.test.case.node``): one ``TestCase`` per case with a single-node model (or,
for ops defined by a function, the ``_expanded`` graph of that function), its input data and
the expected outputs. ``tests/test_onnx.py`` runs every case of every op in ``CLAIMED_OPS``
through the product path (``lwai.driver.run_host``: compile, build with the host gcc, run the
binary) unless the case is listed in ``EXCLUDED`` with its reason.

lwai compiles for a fixed arena, so shapes must be known at compile time. Many node tests
feed shape-like operands (Reshape's ``shape``, Squeeze's ``axes``, Pad's ``pads`` ...) as
graph inputs; every exported model carries them as initializers, and that is how we run the
case: ``CONST_INPUTS`` names those operands, ``prepare`` binds the case's values as
initializers. The op's semantics under test are unchanged.

``python -m tests.onnx_cases --write-doc`` regenerates the ONNX table of docs/operators.md.
"""

from __future__ import annotations

import argparse
import re
import warnings
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import onnx
import onnx.numpy_helper

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "operators.md"

# Ops lwai claims for ONNX (each with all of its node test cases, less EXCLUDED).
CLAIMED_OPS = [
    # the ops of typical MCU models
    "Conv", "Gemm", "MatMul", "Relu", "Add", "Mul", "MaxPool", "AveragePool",
    "GlobalAveragePool", "Softmax", "Reshape", "Flatten", "Transpose", "Concat", "Sigmoid",
    "Clip", "Sub", "Div", "Tanh", "Exp", "LeakyRelu", "BatchNormalization", "Pad", "Squeeze",
    "Unsqueeze", "ReduceMean",
    # more that pass every runnable case
    "Ceil", "Cos", "DepthToSpace", "Elu", "Erf", "Expand", "Floor", "Gelu", "GlobalMaxPool",
    "HardSigmoid", "HardSwish", "Identity", "InstanceNormalization", "LRN", "Log",
    "LogSoftmax", "Max", "Mean", "Min", "Neg", "PRelu", "Reciprocal", "ReduceMax",
    "ReduceSum", "Round", "Selu", "Sign", "Sin", "Slice", "Sqrt", "Sum", "Tile",
    "ConvTranspose", "QuantizeLinear", "DequantizeLinear", "SpaceToDepth", "Acos", "Acosh",
    "Asin", "Asinh", "Atan", "Atanh", "Cosh", "Hardmax", "MeanVarianceNormalization",
    "ReduceMin", "ReduceL2", "ReduceProd", "ReduceSumSquare", "ReduceLogSum",
]  # fmt: skip

# Operand positions that must be compile-time constants (bound as initializers).
CONST_INPUTS: dict[str, tuple[int, ...]] = {
    "Reshape": (1,),
    "Squeeze": (1,),
    "Unsqueeze": (1,),
    "Pad": (1, 2, 3),
    "ReduceMean": (1,),
    "ReduceMax": (1,),
    "ReduceMin": (1,),
    "ReduceSum": (1,),
    "ReduceProd": (1,),
    "ReduceL1": (1,),
    "ReduceL2": (1,),
    "ReduceLogSum": (1,),
    "ReduceLogSumExp": (1,),
    "ReduceSumSquare": (1,),
    "Slice": (1, 2, 3, 4),
    "Split": (1,),
    "Tile": (1,),
    "Expand": (1,),
    "Resize": (1, 2, 3),
    "Upsample": (1,),
    "TopK": (1,),
    "OneHot": (1,),
    "ConstantOfShape": (0,),
    "Range": (0, 1, 2),
}

_DTYPE = "dtype outside lwai's float32/int8/int32/int64 ({})"
_TRAINING = "training mode (training_mode=1: batch statistics and running-mean outputs)"
_EMPTY = "empty tensor (a dimension of size 0)"
_INT64_IO = (
    "int64 graph input/output: lwai's runtime API (lwai_dtype) has no INT64 yet; "
    "int64 inside the graph works"
)
_BLOCKED = "blocked quantization (block_size, opset 21): not in TVM's converter"
_ARGMAX = "second output (Indices, the argmax) is not produced by TVM's MaxPool converter"

# Every case of a claimed op that does not run, with the reason. Anything else must pass.
EXCLUDED: dict[str, str] = {
    **{
        f"test_{op}_uint{bits}": _DTYPE.format(f"uint{bits}")
        for op in ("add", "sub", "mul", "div")
        for bits in (16, 32, 64)
    },
    **{
        f"test_{op}_{dt}": _DTYPE.format(dt)
        for op in ("max", "min")
        for dt in ("uint16", "uint32", "uint64", "float16", "float64")
    },
    "test_max_int64": _INT64_IO,
    "test_min_int64": _INT64_IO,
    "test_reduce_max_bool_inputs": _DTYPE.format("bool"),
    "test_reduce_max_empty_set": _EMPTY,
    "test_reduce_min_bool_inputs": _DTYPE.format("bool"),
    **{
        f"test_reduce_{op}_empty_set": _EMPTY
        for op in ("min", "prod", "l2", "sum_square", "log_sum")
    },
    **{f"test_reduce_{op}_empty_set_expanded": _EMPTY for op in ("l2", "sum_square", "log_sum")},
    "test_reduce_max_empty_set_bool": _EMPTY,
    "test_reduce_sum_empty_set": _EMPTY,
    "test_reduce_sum_empty_set_non_reduced_axis_zero": _EMPTY,
    "test_reshape_allowzero_reordered": _EMPTY,
    "test_batchnorm_example_training_mode": _TRAINING,
    "test_batchnorm_epsilon_training_mode": _TRAINING,
    "test_maxpool_with_argmax_2d_precomputed_pads": _ARGMAX,
    "test_maxpool_with_argmax_2d_precomputed_strides": _ARGMAX,
    **{
        f"test_{q}linear_{dt}": _DTYPE.format(dt)
        for q in ("quantize", "dequantize")
        for dt in ("uint16", "uint4", "int4", "uint2", "int2", "float4e2m1", "e4m3fn", "e5m2")
    },
    "test_dequantizelinear_e4m3fn_float16": _DTYPE.format("float8e4m3fn, float16"),
    "test_dequantizelinear_e4m3fn_zero_point": _DTYPE.format("float8e4m3fn"),
    "test_dequantizelinear_blocked": _BLOCKED,
    "test_quantizelinear_blocked_asymmetric": _BLOCKED,
    "test_quantizelinear_blocked_symmetric": _BLOCKED,
    "test_spacetodepth_crd_mode_example": (
        "mode='CRD' (opset 25): TVM's converter ignores the attribute; lwai refuses the model"
    ),
    "test_identity_sequence": "input is a sequence of tensors, not a tensor",
    "test_identity_opt": "input is an optional, not a tensor",
}

# Excluded cases lwai must refuse at import with a clear error (not compute something else).
REFUSED = {"test_spacetodepth_crd_mode_example"}


@dataclass
class NodeCase:
    name: str
    op: str
    case: object  # onnx.backend.test.case.test_case.TestCase

    @property
    def expanded(self) -> bool:
        return "_expanded" in self.name


@cache
def all_cases() -> dict[str, NodeCase]:
    """Every ONNX node test case, keyed by name, with the op it tests."""
    from onnx.backend.test.case.node import collect_testcases

    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        cases = collect_testcases(None)
    op_of = {c.name: c.model.graph.node[0].op_type for c in cases if "_expanded" not in c.name}
    out = {}
    for c in cases:
        op = op_of.get(re.sub(r"_expanded.*$", "", c.name))
        if op is not None:
            out[c.name] = NodeCase(c.name, op, c)
    return out


def claimed_cases() -> dict[str, NodeCase]:
    return {n: c for n, c in all_cases().items() if c.op in CLAIMED_OPS}


def _as_array(x) -> np.ndarray:
    return onnx.numpy_helper.to_array(x) if isinstance(x, onnx.TensorProto) else np.asarray(x)


def prepare(nc: NodeCase) -> tuple[bytes, list[tuple[list[np.ndarray], list[np.ndarray]]]]:
    """The model to compile (shape-like operands bound) and the data sets for what remains."""
    model = onnx.ModelProto()
    model.CopyFrom(nc.case.model)
    graph = model.graph
    inits = {t.name for t in graph.initializer}
    real = [vi.name for vi in graph.input if vi.name not in inits]
    bind = set()
    for node in graph.node:
        for pos in CONST_INPUTS.get(node.op_type, ()):
            if pos < len(node.input) and node.input[pos] in real:
                bind.add(node.input[pos])
    data_sets = []
    for ins, outs in nc.case.data_sets:
        values = dict(zip(real, [_as_array(x) for x in ins]))
        data_sets.append(([values[n] for n in real if n not in bind], [_as_array(y) for y in outs]))
    if bind:
        if len(nc.case.data_sets) != 1:
            raise ValueError(f"{nc.name}: cannot bind operands of several data sets")
        values = dict(zip(real, [_as_array(x) for x in nc.case.data_sets[0][0]]))
        keep = [vi for vi in graph.input if vi.name not in bind]
        del graph.input[:]
        graph.input.extend(keep)
        for name in real:
            if name in bind:
                graph.initializer.append(onnx.numpy_helper.from_array(values[name], name))
    return model.SerializeToString(), data_sets


def run_case(nc: NodeCase, workdir: Path) -> None:
    """Runs the case on the host through lwai; raises AssertionError on a mismatch."""
    from lwai.driver import run_host

    workdir.mkdir(parents=True, exist_ok=True)
    data, data_sets = prepare(nc)
    model_path = workdir / f"{nc.name}.onnx"
    model_path.write_bytes(data)
    for k, (ins, outs) in enumerate(data_sets):
        got = run_host(model_path, ins, workdir / f"run{k}")
        assert len(got) == len(outs), f"{len(got)} outputs, expected {len(outs)}"
        for i, (g, e) in enumerate(zip(got, outs)):
            assert g.shape == e.shape, f"output {i}: shape {g.shape}, expected {e.shape}"
            assert g.dtype == e.dtype, f"output {i}: dtype {g.dtype}, expected {e.dtype}"
            np.testing.assert_allclose(
                g, e, rtol=nc.case.rtol, atol=nc.case.atol, err_msg=f"output {i}"
            )


# ---- docs/operators.md --------------------------------------------------------------------

TFLITE_HEAD = """\
# Operators lwai claims

## TFLite

Ops run on lwai's kernel libraries (int8 bit-exact with TFLite Micro, and float32 variants),
selected in Kconfig. The partitioner (`lwai/passes/patterns.py`) matches the quantized ops in
the QDQ form TVM's frontend produces; each matched op goes to the first backend of
`LWAI_KERNEL_BACKENDS` that has its kernel (report.json names it); float32 ops the patterns
do not take go through TVM's "c" target. The table is generated from the op spec
(`lwai/spec/ops.yaml`) by `tests/onnx_cases.py`.

| TFLite op | reference | optimized (lwai, per CPU) | cmsis-nn |
| --- | --- | --- | --- |
"""

TFLITE_TAIL = """
RESHAPE is no copy: an alias in the arena. The optimized and
CMSIS-NN kernels pass the same generated single-op cases as the reference on
qemu-cortex-m4 and qemu-cortex-m55 (`tests/test_kernels_optimized.py`,
`tests/test_cmsis_nn.py`) and the shared models (`tests/test_backends.py`).

Every other op TVM's TFLite frontend converts (`tvm.relax.frontend.tflite`) is compiled by
TVM's "c" target: correct, with naive loop schedules. Ops TVM cannot convert are refused at
import with the list of all of them. Numerics are checked against the TFLite Micro
interpreter (`tests/test_models.py`, `tests/test_kernels.py`).

"""


def tflite_section() -> str:
    """The TFLite table: each op's kernels per backend, from the op spec."""
    from lwai import opspec

    rows = []
    for op in opspec.load().ops.values():
        cells = {"reference": [], "optimized": [], "cmsis-nn": []}
        for k in op.kernels.values():
            cells["reference"].append(f"`{k.symbol()}`")
            for b, be in k.backends.items():
                arch = f" ({', '.join(be.arch)})" if be.arch else ""
                cells[b].append(f"`{k.symbol(b)}`{arch}")
        row = " | ".join(", ".join(c) for c in cells.values())
        rows.append(f"| {', '.join(op.tflite)} | {row} |\n")
    return TFLITE_HEAD + "".join(rows) + TFLITE_TAIL


ONNX_HEAD = """\
## ONNX

Every op below is imported by TVM's ONNX frontend (`tvm.relax.frontend.onnx`) and then takes
the same path as TFLite models (lwai kernels where a pattern matches, TVM C otherwise).
lwai needs static shapes: graph inputs with fixed dimensions; shape-like operands (Reshape's
`shape`, `axes`, `pads`, ...) must be initializers or constants. lwai's import
(`lwai/frontend/onnx.py`) adds to TVM's converter: Constant's `value_float(s)`/`value_int(s)`
forms, ConvTranspose's `output_shape` (resolved to pads/output_padding), and refusal of
attribute values TVM would silently ignore (SpaceToDepth `mode='CRD'`).

The claim is checked by ONNX's own backend node tests (`onnx.backend.test.case.node`, onnx
{onnx_version}), every case of each op run through the product path on the host
(`tests/test_onnx.py`, tolerances of the case). Where a case feeds a shape-like operand as a
graph input, the test binds the case's value as an initializer. Cases that cannot run are
excluded for the reason listed; all others pass.

Generated by `python -m tests.onnx_cases --write-doc`; do not edit by hand.

| ONNX op | node test cases | passed | excluded |
| --- | ---: | ---: | ---: |
"""


def coverage_section() -> str:
    """Every builtin TFLite Micro registers, with lwai's status (scripts/gen_coverage.py)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "gen_coverage", ROOT / "scripts" / "gen_coverage.py"
    )
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.coverage_section()


def doc_text() -> str:
    cases = claimed_cases()
    total, excluded = Counter(), Counter()
    for nc in cases.values():
        total[nc.op] += 1
        excluded[nc.op] += nc.name in EXCLUDED
    lines = [tflite_section(), coverage_section(), ONNX_HEAD.format(onnx_version=onnx.__version__)]
    for op in sorted(CLAIMED_OPS):
        lines.append(f"| {op} | {total[op]} | {total[op] - excluded[op]} | {excluded[op]} |\n")
    n, x = sum(total.values()), sum(excluded.values())
    lines.append(f"| **all** | **{n}** | **{n - x}** | **{x}** |\n")
    lines.append("\n### Excluded cases\n\n| case | op | reason |\n| --- | --- | --- |\n")
    for name in sorted(EXCLUDED, key=lambda k: (cases[k].op, k) if k in cases else ("", k)):
        op = cases[name].op if name in cases else "?"
        lines.append(f"| `{name}` | {op} | {EXCLUDED[name]} |\n")
    return "".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write-doc", action="store_true", help=f"rewrite {DOC}")
    parser.add_argument("--check-doc", action="store_true", help=f"fail if {DOC} is stale")
    args = parser.parse_args()
    text = doc_text()
    if args.write_doc:
        DOC.parent.mkdir(parents=True, exist_ok=True)
        DOC.write_text(text)
        print(f"wrote {DOC}")
    elif args.check_doc:
        if not DOC.is_file() or DOC.read_text() != text:
            print(f"{DOC} is stale: run python -m tests.onnx_cases --write-doc")
            return 1
    else:
        print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
