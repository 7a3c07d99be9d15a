"""ONNX import through TVM's Relax frontend.

lwai compiles for fixed memory, so the model must have static shapes: every real graph input
(initializers are weights, not inputs) needs a known element type and a positive size in every
dimension. Weights become constants of the module, so ``main`` takes only the real inputs.

Before TVM sees the model we check what TVM would otherwise report one error at a time (or
as a traceback deep inside a converter): bytes that are not an ONNX protobuf, a model ONNX's
own checker rejects, ops (also inside subgraphs) TVM has no converter for, all listed at once,
and dynamic input shapes.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import onnx
import onnx.numpy_helper
import tvm

from lwai.errors import LwaiError, call_tvm

_DEFAULT_DOMAINS = ("", "ai.onnx")


def _parse(path: Path, data: bytes) -> onnx.ModelProto:
    try:
        model = onnx.load_model_from_string(data)
    except Exception as err:  # noqa: BLE001 - protobuf's DecodeError, or anything on bad bytes
        raise LwaiError(path, f"malformed or truncated ONNX file ({type(err).__name__})") from None
    if not model.HasField("graph") or (not model.graph.node and not model.graph.output):
        raise LwaiError(path, "not an ONNX model (no graph)")
    return model


def _with_inferred_shapes(model: onnx.ModelProto) -> onnx.ModelProto:
    """The model with the output types shape inference fills in (the checker wants them)."""
    try:
        return onnx.shape_inference.infer_shapes(model)
    except Exception:  # noqa: BLE001 - the checker reports what is wrong
        return model


def _check(path: Path, model: onnx.ModelProto) -> None:
    try:
        onnx.checker.check_model(_with_inferred_shapes(model))
    except onnx.checker.ValidationError as err:
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise LwaiError(path, f"invalid ONNX model: {first}") from None


def _walk_nodes(graph: onnx.GraphProto):
    """Every node of the graph and of its subgraphs (If/Loop/Scan bodies)."""
    for node in graph.node:
        yield node
        for attr in node.attribute:
            if attr.type == onnx.AttributeProto.GRAPH:
                yield from _walk_nodes(attr.g)
            elif attr.type == onnx.AttributeProto.GRAPHS:
                for g in attr.graphs:
                    yield from _walk_nodes(g)


def supported_ops() -> set[str]:
    """ONNX op types TVM's Relax frontend converts (its convert map plus the ops it inlines)."""
    from tvm.relax.frontend.onnx.onnx_frontend import _get_convert_map

    return set(_get_convert_map()) | {"Constant", "If"}


# Attribute values TVM's converters ignore (and would compute something else): (op, attr) ->
# the values TVM implements.
_IGNORED_ATTRS: dict[tuple[str, str], tuple] = {
    ("SpaceToDepth", "mode"): (b"DCR", "DCR"),
}


def unsupported_ops(model: onnx.ModelProto) -> list[str]:
    """Every op of the model lwai cannot import, scanned once over the whole model."""
    supported = supported_ops()
    bad: dict[str, None] = {}
    for node in _walk_nodes(model.graph):
        if node.domain not in _DEFAULT_DOMAINS:
            bad[f"{node.domain}::{node.op_type}"] = None
        elif node.op_type not in supported:
            bad[node.op_type] = None
        else:
            for attr in node.attribute:
                allowed = _IGNORED_ATTRS.get((node.op_type, attr.name))
                value = onnx.helper.get_attribute_value(attr)
                if allowed is not None and value not in allowed:
                    shown = value.decode() if isinstance(value, bytes) else value
                    bad[f"{node.op_type}({attr.name}={shown!r})"] = None
    return list(bad)


def _elem_dtype(elem_type: int) -> str | None:
    try:
        return str(np.dtype(onnx.helper.tensor_dtype_to_np_dtype(elem_type)))
    except (KeyError, TypeError, ValueError):
        return None


def graph_inputs(model: onnx.ModelProto, path: Path) -> dict[str, tuple[list[int], str]]:
    """The real inputs (not initializers) with their static shapes and dtypes."""
    inits = {t.name for t in model.graph.initializer}
    inputs: dict[str, tuple[list[int], str]] = {}
    problems = []
    for vi in model.graph.input:
        if vi.name in inits:
            continue
        if not vi.type.HasField("tensor_type"):
            problems.append(f"'{vi.name}' is not a tensor")
            continue
        tt = vi.type.tensor_type
        dtype = _elem_dtype(tt.elem_type)
        if dtype is None:
            problems.append(
                f"'{vi.name}' has unsupported element type "
                f"{onnx.TensorProto.DataType.Name(tt.elem_type)}"
            )
            continue
        if not tt.HasField("shape"):
            problems.append(f"'{vi.name}' has unknown rank")
            continue
        dims = []
        for d in tt.shape.dim:
            if d.HasField("dim_value") and d.dim_value > 0:
                dims.append(int(d.dim_value))
            elif d.HasField("dim_value"):
                dims.append(None)
                problems.append(f"'{vi.name}' has an empty dimension (size 0)")
                break
            else:
                dims.append(d.dim_param or "?")
        if any(not isinstance(d, int) for d in dims):
            if not problems or not problems[-1].startswith(f"'{vi.name}' has an empty"):
                shown = ", ".join(str(d) for d in dims)
                problems.append(f"'{vi.name}' has a dynamic shape [{shown}]")
            continue
        inputs[vi.name] = (dims, dtype)
    if problems:
        shape_problem = any("dynamic" in p or "rank" in p or "empty" in p for p in problems)
        raise LwaiError(
            path,
            "input " + "; ".join(problems),
            "lwai needs static shapes: fix the input dimensions in the model "
            "(e.g. onnx.tools.update_model_dims or onnxsim --overwrite-input-shape)"
            if shape_problem
            else "lwai's graph inputs are tensors of a numeric element type",
        )
    return inputs


_CONSTANT_ATTRS = {
    "value_float": lambda a: np.array(a.f, np.float32),
    "value_floats": lambda a: np.array(list(a.floats), np.float32),
    "value_int": lambda a: np.array(a.i, np.int64),
    "value_ints": lambda a: np.array(list(a.ints), np.int64),
}


def _normalize_constants(graph: onnx.GraphProto) -> None:
    """Rewrites Constant's value_float(s)/value_int(s) forms (opset 12+) to ``value``.

    TVM's converter reads only ``value``; function bodies (LeakyRelu, HardSigmoid, ... when
    expanded) use the other forms.
    """
    for node in _walk_nodes(graph):
        if node.op_type != "Constant" or node.domain not in _DEFAULT_DOMAINS:
            continue
        for i, attr in enumerate(node.attribute):
            if attr.name in _CONSTANT_ATTRS:
                array = _CONSTANT_ATTRS[attr.name](attr)
                del node.attribute[i]
                node.attribute.append(
                    onnx.helper.make_attribute("value", onnx.numpy_helper.from_array(array))
                )
                break


def _static_shapes(model: onnx.ModelProto) -> dict[str, list[int]]:
    """Shapes ONNX's shape inference knows for the values of the main graph."""
    inferred = _with_inferred_shapes(model)
    shapes = {t.name: list(t.dims) for t in inferred.graph.initializer}
    g = inferred.graph
    for vi in list(g.input) + list(g.value_info) + list(g.output):
        dims = vi.type.tensor_type.shape.dim if vi.type.HasField("tensor_type") else []
        if dims and all(d.HasField("dim_value") for d in dims):
            shapes[vi.name] = [int(d.dim_value) for d in dims]
    return shapes


def _resolve_conv_transpose_output_shape(model: onnx.ModelProto, path: Path) -> None:
    """ConvTranspose's ``output_shape`` as pads/output_padding (TVM ignores the attribute).

    As the spec: the total padding follows from output_shape, split between begin and end
    (SAME_UPPER: the larger half at the end, otherwise at the begin); an output larger than
    the natural one grows at the end (zeros plus bias), as in ONNX's node tests.
    """
    nodes = [
        n
        for n in model.graph.node
        if n.op_type == "ConvTranspose" and any(a.name == "output_shape" for a in n.attribute)
    ]
    if not nodes:
        return
    shapes = _static_shapes(model)
    for node in nodes:
        attrs = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
        x, w = shapes.get(node.input[0]), shapes.get(node.input[1])
        if x is None or w is None:
            raise LwaiError(path, f"ConvTranspose '{node.name}': output_shape needs static shapes")
        n = len(x) - 2
        out = list(attrs["output_shape"])[-n:]
        k = list(attrs.get("kernel_shape", w[2:]))
        s = list(attrs.get("strides", [1] * n))
        d = list(attrs.get("dilations", [1] * n))
        op = list(attrs.get("output_padding", [0] * n))
        auto_pad = attrs.get("auto_pad", b"NOTSET")
        auto_pad = auto_pad.decode() if isinstance(auto_pad, bytes) else auto_pad
        if any(attrs.get("pads", [0])):
            raise LwaiError(path, f"ConvTranspose '{node.name}': both pads and output_shape")
        natural = [s[i] * (x[2 + i] - 1) + op[i] + (k[i] - 1) * d[i] + 1 for i in range(n)]
        begin, end = [0] * n, [0] * n
        for i in range(n):
            total = natural[i] - out[i]
            if total >= 0:  # the spec's split: SAME_UPPER puts the larger half at the end
                small, large = total // 2, total - total // 2
                begin[i], end[i] = (small, large) if auto_pad == "SAME_UPPER" else (large, small)
            else:
                op[i] -= total  # grow at the end
                if op[i] >= max(s[i], d[i]):
                    raise LwaiError(
                        path,
                        f"ConvTranspose '{node.name}': output_shape {out} is larger than "
                        "its stride allows",
                    )
        keep = [
            a
            for a in node.attribute
            if a.name not in ("output_shape", "auto_pad", "pads", "output_padding")
        ]
        del node.attribute[:]
        node.attribute.extend(keep)
        node.attribute.append(onnx.helper.make_attribute("pads", begin + end))
        node.attribute.append(onnx.helper.make_attribute("output_padding", op))


def import_onnx(path: Path, data: bytes) -> tvm.IRModule:
    from tvm.relax.frontend.onnx import from_onnx

    path = Path(path)
    model = _parse(path, data)
    from lwai.frontend.validate_onnx import validate_onnx

    validate_onnx(path, model)  # opset, weights, inputs, data flow, quantization, windows
    bad = unsupported_ops(model)
    if bad:
        raise LwaiError(
            path,
            f"unsupported ONNX operator{'s' if len(bad) > 1 else ''} {', '.join(bad)} "
            f"in model '{model.graph.name or path.stem}'",
            "Replace it in the model or add a kernel for it (see docs/operators.md)",
        )
    _check(path, model)
    inputs = graph_inputs(model, path)
    _normalize_constants(model.graph)
    _resolve_conv_transpose_output_shape(model, path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mod = call_tvm(  # TVM's failures (any exception type) become one LwaiError line
            path,
            "TVM could not import the model",
            from_onnx,
            model,
            shape_dict={k: v[0] for k, v in inputs.items()},
            dtype_dict={k: v[1] for k, v in inputs.items()},
            keep_params_in_input=False,
        )
    main = mod["main"]
    if len(main.params) != len(inputs):
        raise LwaiError(
            path,
            f"imported module takes {len(main.params)} parameters, the graph has "
            f"{len(inputs)} inputs",
        )
    # The importer's bookkeeping attrs (num_input, params) mean nothing once weights are bound.
    if main.attrs is not None and "params" in main.attrs:
        main = main.without_attr("params")
        mod["main"] = main
    return mod
